#include "models/ml_grow.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_parallel.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * A bin or child whose hessian sum is below this fraction of its node's
 * is empty: histogram subtraction leaves rounding dust in empty bins.
 * Rows are counted exactly when min_samples_leaf asks for counts.
 */
#define EMPTY_RELATIVE 1e-12
/* How far ahead the histogram loop fetches codes of scattered rows. */
#define PREFETCH_ROWS 48
/* Rows per block of a partition or gather done in parallel. */
#define ROW_BLOCK 16384
/* Blocks per node at most (larger blocks for huge nodes). */
#define MAX_NODE_BLOCKS 1024
/*
 * Work below which a step runs on one thread: row-feature visits of
 * histograms, rows of a partition or pass over rows.  Each parallel region
 * ends in a barrier, which costs microseconds on an idle machine and
 * milliseconds on a loaded one (a waiting thread spins while the one it
 * waits for queues for a core), so only steps of a few milliseconds are
 * worth threads.
 */
#define PARALLEL_MIN_WORK ((size_t)1 << 20)
#define PARALLEL_MIN_ROWS ((size_t)1 << 17)
/* Candidate splits (child x feature) kept at once: bounds a batch's memory. */
#define CANDIDATE_BUDGET ((size_t)1 << 16)
/* The fewest histograms the pool holds: a split needs its parent's and one more. */
#define MIN_SLOTS 4
/* Pool slots added at a time. */
#define SLOT_GROWTH 64
/* Features whose histograms one pass over the rows builds, at most. */
#define MAX_GROUP 4
/*
 * Features one task builds, at most: a pass per MAX_GROUP of them over a
 * chunk of BUILD_CHUNK rows, then the next chunk, so the chunk's gradients
 * and row numbers come from memory once and from the cache for the other
 * passes.  (One pass per task over all the rows read the node's gradients
 * from memory once per MAX_GROUP features, and two threads doing so at
 * once spent 70% more CPU on histograms than one.)
 */
#define MAX_TASK_FEATURES 64
#define BUILD_CHUNK 4096
/* Sampled features whose histograms are built in one pass, at most. */
#define SAMPLED_GROUP 8
/* Bytes of those histograms at most (fewer features when classes are many). */
#define SAMPLED_BYTES ((size_t)1 << 20)

/*
 * A child of fewer rows builds its histograms from its rows into a
 * thread's buffers, touching only the bins its rows fill, and keeps none
 * for its children: clearing, subtracting and scanning 256 bins per
 * feature cost more than its rows (deep trees have thousands of them).
 */
#define DIRECT_ROWS 1024
/* Nodes allocated before a tree shows it needs more. */
#define INITIAL_NODES 64

void ml_grow_options_init(ml_grow_options *options)
{
	options->criterion = ML_GROW_NEWTON;
	options->n_outputs = 1;
	options->lambda = 0;
	options->gamma = 0;
	options->cart = false;
	options->max_depth = 0;
	options->max_leaves = 0;
	options->min_samples_split = 2;
	options->min_samples_leaf = 1;
	options->min_child_weight = 0;
	options->max_features = 0;
	options->parallel = true;
	options->max_histogram_bytes = (size_t)256 << 20;
}

int ml_grow_options_check(const ml_grow_options *options, ml_error *err)
{
	if (options->n_outputs == 0 || options->n_outputs > ML_TREE_MAX_OUTPUTS) {
		ml_error_set(err, "a tree needs 1 to %zu outputs, not %zu", ML_TREE_MAX_OUTPUTS,
			     options->n_outputs);
		return -1;
	}
	if (!(options->lambda >= 0) || !isfinite(options->lambda)) {
		ml_error_set(err, "lambda must be a finite number >= 0");
		return -1;
	}
	if (!(options->gamma >= 0) || !isfinite(options->gamma)) {
		ml_error_set(err, "gamma (the minimum gain) must be a finite number >= 0");
		return -1;
	}
	if (!(options->min_child_weight >= 0) || !isfinite(options->min_child_weight)) {
		ml_error_set(err, "min_child_weight must be a finite number >= 0");
		return -1;
	}
	if (options->criterion == ML_GROW_ENTROPY && options->lambda != 0) {
		ml_error_set(err, "the entropy criterion takes no lambda");
		return -1;
	}
	if (options->max_depth > ML_TREE_MAX_DEPTH) {
		ml_error_set(err, "max_depth must be at most %d, not %zu", ML_TREE_MAX_DEPTH,
			     options->max_depth);
		return -1;
	}
	if (options->max_leaves == 1) {
		ml_error_set(err, "max_leaves must be at least 2 (or 0: no limit)");
		return -1;
	}
	if (options->min_samples_split < 2) {
		ml_error_set(err, "min_samples_split must be at least 2, not %zu",
			     options->min_samples_split);
		return -1;
	}
	if (options->min_samples_leaf < 1) {
		ml_error_set(err, "min_samples_leaf must be at least 1");
		return -1;
	}
	return 0;
}

/* ---- the grower ------------------------------------------------------- */

typedef struct candidate {
	double gain;          /* -INFINITY: no split */
	uint32_t feature;
	uint16_t bin;         /* values in bins <= bin go left */
	uint16_t next;        /* the node's first non-empty value bin after bin */
	uint8_t missing_left;
} candidate;

static const candidate no_split = { -INFINITY, 0, 0, 0, 0 };

typedef struct grow_node {
	uint32_t begin, end; /* the node's rows: index[begin..end) */
	uint32_t depth;
	int32_t slot;        /* its histogram in the pool, or -1 */
	candidate best;
} grow_node;

/*
 * The two children of a node being split (or the root alone), and the
 * histogram work they need.
 */
typedef struct split_pair {
	uint32_t parent;
	uint32_t child[2];
	size_t n_children;    /* 2, or 1 for the root */
	size_t first_task, n_tasks;
	bool need[2];         /* the child may be split: its best split is wanted */
	bool gathered[2];     /* its rows' gradients are in ordered */
	double spread[2];     /* cart: sum over its rows of g^2 / h */
	int32_t slot[2];      /* its histogram while the pair is worked on */
	bool build[2];        /* built from its rows */
	bool direct[2];       /* built in a thread's buffers, without a slot (DIRECT_ROWS) */
	int subtract;         /* the child whose histogram is its parent's minus its sibling's */
} split_pair;

/* A block of a node's rows, partitioned on its own first. */
typedef struct split_task {
	size_t pair;
	size_t begin, end;
	size_t n_left;
	size_t left_to, right_to; /* where its left and right rows go */
	double spread[2];
} split_task;

struct ml_grower {
	ml_grow_options options;
	const ml_bins *bins;
	const uint8_t *codes;
	size_t n_rows, n_features, n_outputs;
	size_t stride;          /* doubles per bin: g[0..K), h, and the count if counted */
	bool counted;
	size_t *offset;         /* feature f's bins start at histogram + offset[f] */
	size_t hist_size;       /* doubles per histogram */
	uint16_t *missing_code; /* per feature: its value bin count */

	uint32_t *index;        /* the rows, partitioned node by node */
	uint32_t *scratch;
	double *ordered;        /* gradients gathered in index order: n_rows x stride */

	double **slots;         /* the histogram pool */
	size_t n_slots, slot_capacity;
	int32_t *free_slots;
	size_t n_free;

	grow_node *nodes;       /* the tree's nodes while it grows */
	double *totals;         /* per node: its sums (stride doubles) */
	double *block_sums;     /* the root's sums per ROW_BLOCK rows */
	double *left_sums;      /* per node: its best split's left side */
	uint16_t *split_bin;    /* per node: its split's bin, for ml_grower_add_binned */
	size_t node_capacity, n_nodes, n_leaves;
	uint32_t *pending;      /* nodes to split: a level, or a heap by gain (leaf-wise) */
	size_t n_pending;
	uint32_t *batch;        /* the nodes being split now */
	size_t n_batch;

	split_pair *pairs;
	size_t pair_capacity;
	split_task *tasks;
	size_t task_capacity;
	size_t max_pairs;       /* pairs whose candidates fit at once */
	candidate *candidates;  /* per child of those pairs, per feature */
	double *candidate_left;
	double *thread_scratch; /* per thread: 3 x stride */
	size_t n_thread_scratch;
	double *direct_hists;   /* per thread: MAX_GROUP feature histograms, zero between uses */
	size_t n_direct_threads;
	size_t direct_rows;     /* DIRECT_ROWS, or 0 when the buffers would be too large */

	size_t *allowed;        /* the features this tree may use */
	size_t n_allowed;
	size_t *draw;           /* a permutation of allowed, drawn per split */
	double *feature_hist;   /* sampled_group features' histograms when sampled */
	size_t sampled_group;
	bool sampled;           /* max_features < allowed: features drawn per split */
	bool identity;          /* growing on every row: index[i] == i at the root */
	const uint32_t *grown_rows; /* the caller's rows of the last tree (NULL: all) */
	uint32_t *leaf_of_row;  /* per row: its leaf in the last tree */
	uint32_t *all_rows;     /* 0, 1, 2, ...: every row, for the visitor */

	const ml_grow_data *data;
	ml_tree *tree;
};

void ml_grower_free(ml_grower *grower)
{
	if (!grower)
		return;
	free(grower->offset);
	free(grower->missing_code);
	free(grower->index);
	free(grower->scratch);
	free(grower->ordered);
	for (size_t i = 0; i < grower->n_slots; i++)
		free(grower->slots[i]);
	free(grower->slots);
	free(grower->free_slots);
	free(grower->nodes);
	free(grower->totals);
	free(grower->block_sums);
	free(grower->left_sums);
	free(grower->split_bin);
	free(grower->pending);
	free(grower->batch);
	free(grower->pairs);
	free(grower->tasks);
	free(grower->candidates);
	free(grower->candidate_left);
	free(grower->thread_scratch);
	free(grower->direct_hists);
	free(grower->allowed);
	free(grower->draw);
	free(grower->feature_hist);
	free(grower->leaf_of_row);
	free(grower->all_rows);
	ml_tree_free(grower->tree);
	free(grower);
}

static void layout_histograms(ml_grower *grower)
{
	size_t total = 0;
	for (size_t f = 0; f < grower->n_features; f++) {
		grower->missing_code[f] = (uint16_t)ml_bins_count(grower->bins, f);
		grower->offset[f] = total;
		total += (grower->missing_code[f] + 1) * grower->stride;
	}
	grower->hist_size = total;
	size_t bytes = total * sizeof(double);
	size_t capacity = bytes ? grower->options.max_histogram_bytes / bytes : MIN_SLOTS;
	grower->slot_capacity = capacity < MIN_SLOTS ? MIN_SLOTS : capacity;
	if (grower->slot_capacity > (size_t)INT32_MAX)
		grower->slot_capacity = INT32_MAX;
	size_t max_pairs = CANDIDATE_BUDGET / (2 * (grower->n_features ? grower->n_features : 1));
	grower->max_pairs = max_pairs ? max_pairs : 1;
}

ml_grower *ml_grower_create(const ml_bins *bins, const uint8_t *codes, size_t n_rows,
			    const ml_grow_options *options, ml_error *err)
{
	if (ml_grow_options_check(options, err) < 0)
		return NULL;
	if (n_rows == 0 || n_rows >= UINT32_MAX) {
		ml_error_set(err, "a tree grows from 1 to %u rows, not %zu", UINT32_MAX - 1,
			     n_rows);
		return NULL;
	}
	ml_grower *grower = calloc(1, sizeof *grower);
	if (!grower) {
		ml_error_nomem(err);
		return NULL;
	}
	grower->options = *options;
	if (grower->options.max_depth == 0)
		grower->options.max_depth = ML_TREE_MAX_DEPTH;
	grower->bins = bins;
	grower->codes = codes;
	grower->n_rows = n_rows;
	grower->n_features = ml_bins_n_features(bins);
	grower->n_outputs = options->n_outputs;
	grower->counted = options->min_samples_leaf > 1;
	grower->stride = options->n_outputs + 1 + grower->counted;
	size_t n_features = grower->n_features ? grower->n_features : 1;
	grower->offset = ml_alloc_array(n_features, sizeof *grower->offset, err);
	grower->missing_code = ml_alloc_array(n_features, sizeof *grower->missing_code, err);
	grower->index = ml_alloc_array(n_rows, sizeof *grower->index, err);
	grower->scratch = ml_alloc_array(n_rows, sizeof *grower->scratch, err);
	grower->ordered = ml_alloc_array(n_rows, grower->stride * sizeof(double), err);
	grower->allowed = ml_alloc_array(n_features, sizeof *grower->allowed, err);
	grower->draw = ml_alloc_array(n_features, sizeof *grower->draw, err);
	/* All zero between uses (build_sampled, clear_sampled). */
	size_t hist_bytes = (ML_BINS_MAX + 1) * grower->stride * sizeof(double);
	grower->sampled_group = SAMPLED_BYTES / hist_bytes;
	grower->sampled_group = grower->sampled_group < 1 ? 1
		: grower->sampled_group > SAMPLED_GROUP ? SAMPLED_GROUP : grower->sampled_group;
	grower->feature_hist = ml_calloc_array(grower->sampled_group, hist_bytes, err);
	grower->direct_rows = MAX_GROUP * hist_bytes <= SAMPLED_BYTES ? DIRECT_ROWS : 0;
	grower->leaf_of_row = ml_alloc_array(n_rows, sizeof *grower->leaf_of_row, err);
	grower->all_rows = ml_alloc_array(n_rows, sizeof *grower->all_rows, err);
	grower->block_sums = ml_alloc_array(n_rows / ROW_BLOCK + 1,
					    grower->stride * sizeof(double), err);
	if (!grower->offset || !grower->missing_code || !grower->index || !grower->scratch ||
	    !grower->ordered || !grower->allowed || !grower->draw || !grower->feature_hist ||
	    !grower->leaf_of_row || !grower->all_rows || !grower->block_sums)
		goto fail;
	for (size_t r = 0; r < n_rows; r++)
		grower->all_rows[r] = (uint32_t)r;
	layout_histograms(grower);
	size_t n_candidates = 2 * grower->max_pairs * n_features;
	grower->candidates = ml_alloc_array(n_candidates, sizeof *grower->candidates, err);
	grower->candidate_left = ml_alloc_array(n_candidates, grower->stride * sizeof(double),
						err);
	size_t first_slots = grower->slot_capacity < SLOT_GROWTH ? grower->slot_capacity
		: SLOT_GROWTH;
	grower->slots = ml_calloc_array(first_slots, sizeof *grower->slots, err);
	grower->free_slots = ml_alloc_array(first_slots, sizeof *grower->free_slots, err);
	if (!grower->candidates || !grower->candidate_left || !grower->slots ||
	    !grower->free_slots)
		goto fail;
	return grower;
fail:
	ml_grower_free(grower);
	return NULL;
}

/* ---- gradients in index order ---------------------------------------- */

static void gather_range(ml_grower *grower, size_t begin, size_t end)
{
	const double *gradients = grower->data->gradients, *hessians = grower->data->hessians;
	size_t n_outputs = grower->n_outputs, stride = grower->stride;
	const uint32_t *index = grower->index;
	double *ordered = grower->ordered;
	const double *pairs = grower->data->pairs;
	if (pairs && stride == 2) {
		for (size_t i = begin; i < end; i++)
			memcpy(ordered + 2 * i, pairs + 2 * (size_t)index[i], 2 * sizeof *pairs);
		return;
	}
	if (pairs) {
		for (size_t i = begin; i < end; i++) {
			memcpy(ordered + 3 * i, pairs + 2 * (size_t)index[i], 2 * sizeof *pairs);
			ordered[3 * i + 2] = 1;
		}
		return;
	}
	if (stride == 2) {
		for (size_t i = begin; i < end; i++) {
			uint32_t row = index[i];
			ordered[2 * i] = gradients[row];
			ordered[2 * i + 1] = hessians[row];
		}
		return;
	}
	for (size_t i = begin; i < end; i++) {
		uint32_t row = index[i];
		double *out = ordered + i * stride;
		for (size_t k = 0; k < n_outputs; k++)
			out[k] = gradients[(size_t)row * n_outputs + k];
		out[n_outputs] = hessians[row];
		if (grower->counted)
			out[n_outputs + 1] = 1;
	}
}

/* Gathers index[begin..end) into ordered at the same positions. */
static void gather(ml_grower *grower, size_t begin, size_t end)
{
	size_t n_blocks = (end - begin + ROW_BLOCK - 1) / ROW_BLOCK;
	bool parallel = grower->options.parallel && end - begin >= PARALLEL_MIN_ROWS;
	(void)parallel; /* read by the pragma only: unused without OpenMP */
	#pragma omp parallel for schedule(static) if (parallel)
	for (size_t block = 0; block < n_blocks; block++) {
		size_t first = begin + block * ROW_BLOCK;
		gather_range(grower, first, first + ROW_BLOCK < end ? first + ROW_BLOCK : end);
	}
}

/* ---- histograms ------------------------------------------------------- */

/* Feature f's histogram of the (gathered) rows index[begin..end). */
static void build_feature(const ml_grower *grower, size_t f, double *hist, size_t begin,
			  size_t end)
{
	size_t stride = grower->stride, n_bins = grower->missing_code[f] + 1u;
	const uint8_t *codes = grower->codes + f * grower->n_rows;
	const uint32_t *index = grower->index;
	const double *ordered = grower->ordered;
	memset(hist, 0, n_bins * stride * sizeof *hist);
	if (stride == 3) {
		for (size_t i = begin; i < end; i++) {
			double *bin = hist + 3 * codes[index[i]];
			bin[0] += ordered[3 * i];
			bin[1] += ordered[3 * i + 1];
			bin[2] += ordered[3 * i + 2];
		}
	} else {
		for (size_t i = begin; i < end; i++) {
			double *bin = hist + stride * codes[index[i]];
			const double *row = ordered + i * stride;
			for (size_t k = 0; k < stride; k++)
				bin[k] += row[k];
		}
	}
}

/*
 * The (g, h) histograms of n_group features at once: one pass over the
 * rows loads each row's index and gradient pair once for all of them, and
 * the features' read-modify-write chains overlap.  identity: the rows are
 * index[i] == i (the root of a tree on every row).  Inlined with constant
 * arguments, so each variant is a straight loop.
 */
static inline __attribute__((always_inline)) void
add_pairs(double *const *hist, const uint8_t *const *codes, int n_group,
	  const uint32_t *index, const double *ordered, size_t begin, size_t end,
	  bool identity)
{
	for (size_t i = begin; i < end; i++) {
		size_t row = identity ? i : index[i];
		if (!identity && i + PREFETCH_ROWS < end) {
			/* The node's rows are scattered: fetch codes ahead of their use. */
			size_t ahead = index[i + PREFETCH_ROWS];
			#pragma GCC unroll 4
			for (int j = 0; j < n_group; j++)
				__builtin_prefetch(codes[j] + ahead);
		}
#ifdef __SSE2__
		__m128d pair = _mm_loadu_pd(ordered + 2 * i);
		#pragma GCC unroll 4
		for (int j = 0; j < n_group; j++) {
			double *bin = hist[j] + 2 * codes[j][row];
			_mm_storeu_pd(bin, _mm_add_pd(_mm_loadu_pd(bin), pair));
		}
#else
		double g = ordered[2 * i], h = ordered[2 * i + 1];
		#pragma GCC unroll 4
		for (int j = 0; j < n_group; j++) {
			double *bin = hist[j] + 2 * codes[j][row];
			bin[0] += g;
			bin[1] += h;
		}
#endif
	}
}

/*
 * The histograms of features[0..n_group) (n_group <= MAX_TASK_FEATURES) in
 * slot, from rows [begin, end) chunk by chunk: each histogram still adds
 * its rows in order, so the sums are those of one pass.
 */
static void build_group(const ml_grower *grower, const size_t *features, size_t n_group,
			double *slot, size_t begin, size_t end, bool identity,
			const double *ordered)
{
	if (grower->stride != 2) {
		for (size_t j = 0; j < n_group; j++)
			build_feature(grower, features[j], slot + grower->offset[features[j]],
				      begin, end);
		return;
	}
	double *hist[MAX_TASK_FEATURES];
	const uint8_t *codes[MAX_TASK_FEATURES];
	for (size_t j = 0; j < n_group; j++) {
		size_t f = features[j];
		hist[j] = slot + grower->offset[f];
		codes[j] = grower->codes + f * grower->n_rows;
		memset(hist[j], 0, 2 * (grower->missing_code[f] + 1u) * sizeof(double));
	}
	const uint32_t *index = grower->index;
	for (size_t first = begin; first < end; first += BUILD_CHUNK) {
		size_t last = end - first > BUILD_CHUNK ? first + BUILD_CHUNK : end;
		for (size_t j = 0; j < n_group; j += MAX_GROUP) {
			size_t n = n_group - j < MAX_GROUP ? n_group - j : MAX_GROUP;
			double *const *h = hist + j;
			const uint8_t *const *c = codes + j;
			switch (n * 2 + identity) {
			case 2: add_pairs(h, c, 1, index, ordered, first, last, false); break;
			case 3: add_pairs(h, c, 1, index, ordered, first, last, true); break;
			case 4: add_pairs(h, c, 2, index, ordered, first, last, false); break;
			case 5: add_pairs(h, c, 2, index, ordered, first, last, true); break;
			case 6: add_pairs(h, c, 3, index, ordered, first, last, false); break;
			case 7: add_pairs(h, c, 3, index, ordered, first, last, true); break;
			case 8: add_pairs(h, c, 4, index, ordered, first, last, false); break;
			default: add_pairs(h, c, 4, index, ordered, first, last, true); break;
			}
		}
	}
}

/* Value bins [low, high) of a feature: outside them a histogram is empty. */
typedef struct bin_span {
	size_t low, high;
} bin_span;

static bin_span all_bins(const ml_grower *grower, size_t f)
{
	return (bin_span){ 0, grower->missing_code[f] };
}

/* Adds a gathered row to its bin; stride is a constant where inlined. */
static inline __attribute__((always_inline)) void
add_row(double *bin, const double *row, size_t stride)
{
	for (size_t k = 0; k < stride; k++)
		bin[k] += row[k];
}

/*
 * The histograms of features[0..n_group) of the gathered rows
 * index[begin..end), into hists (hist_size doubles apart), all zero: a
 * node of a few rows fills a few of 256 bins, and clearing and scanning
 * them all cost more than its rows did.  spans gets the value bins each
 * filled; clear_sampled zeroes them (and the missing bin) again.  One pass
 * over the rows serves the whole group (the codes of scattered rows are
 * the cost); each bin sums its rows in order, as build_feature does.
 */
static void build_sampled(const ml_grower *grower, const size_t *features, size_t n_group,
			  double *hists, size_t hist_size, size_t begin, size_t end,
			  bin_span *spans)
{
	size_t stride = grower->stride;
	const uint8_t *codes[SAMPLED_GROUP];
	size_t missing[SAMPLED_GROUP], low[SAMPLED_GROUP], high[SAMPLED_GROUP];
	for (size_t j = 0; j < n_group; j++) {
		codes[j] = grower->codes + features[j] * grower->n_rows;
		missing[j] = low[j] = grower->missing_code[features[j]];
		high[j] = 0;
	}
	const uint32_t *index = grower->index;
	const double *ordered = grower->ordered;
	for (size_t i = begin; i < end; i++) {
		size_t row = index[i];
		if (i + PREFETCH_ROWS < end)
			for (size_t j = 0; j < n_group; j++)
				__builtin_prefetch(codes[j] + index[i + PREFETCH_ROWS]);
		for (size_t j = 0; j < n_group; j++) {
			size_t code = codes[j][row];
			double *hist = hists + j * hist_size;
			if (stride == 3)
				add_row(hist + 3 * code, ordered + 3 * i, 3);
			else
				add_row(hist + stride * code, ordered + stride * i, stride);
			if (code != missing[j]) {
				low[j] = code < low[j] ? code : low[j];
				high[j] = code >= high[j] ? code + 1 : high[j];
			}
		}
	}
	for (size_t j = 0; j < n_group; j++)
		spans[j] = low[j] < high[j] ? (bin_span){ low[j], high[j] } : (bin_span){ 0, 0 };
}

static void clear_sampled(const ml_grower *grower, size_t f, double *hist, bin_span span)
{
	size_t stride = grower->stride;
	memset(hist + span.low * stride, 0, (span.high - span.low) * stride * sizeof *hist);
	memset(hist + grower->missing_code[f] * stride, 0, stride * sizeof *hist);
}

static void subtract_feature(const ml_grower *grower, size_t f, double *from,
			     const double *minus)
{
	size_t n = (grower->missing_code[f] + 1u) * grower->stride;
	for (size_t i = 0; i < n; i++)
		from[i] -= minus[i];
}

/* ---- split finding ---------------------------------------------------- */

static bool is_empty(const ml_grower *grower, const double *sums, double tolerance)
{
	if (grower->counted)
		return sums[grower->n_outputs + 1] == 0;
	return !(sums[grower->n_outputs] > tolerance);
}

/* Whether a side of a split is allowed: not empty, heavy and large enough. */
static bool side_ok(const ml_grower *grower, const double *sums, double tolerance)
{
	size_t n_outputs = grower->n_outputs;
	if (!(sums[n_outputs] > tolerance) || sums[n_outputs] < grower->options.min_child_weight)
		return false;
	return !grower->counted ||
	       sums[n_outputs + 1] >= (double)grower->options.min_samples_leaf;
}

/* Weighted entropy (bits) of class weights -sums[k] with total weight sums[K]. */
static double entropy_score(const double *sums, size_t n_outputs)
{
	double total = sums[n_outputs], score = total > 0 ? total * log2(total) : 0;
	for (size_t k = 0; k < n_outputs; k++) {
		double weight = -sums[k];
		if (weight > 0)
			score -= weight * log2(weight);
	}
	return score;
}

/* The criterion's score of a node: the gain is children's minus parent's. */
static double node_score(const ml_grower *grower, const double *sums)
{
	size_t n_outputs = grower->n_outputs;
	if (grower->options.criterion == ML_GROW_ENTROPY)
		return -entropy_score(sums, n_outputs);
	double squares = 0;
	for (size_t k = 0; k < n_outputs; k++)
		squares += sums[k] * sums[k];
	double denominator = sums[n_outputs] + grower->options.lambda;
	return denominator > 0 ? 0.5 * squares / denominator : 0;
}

/*
 * The best split of feature f for a node with sums totals, from the
 * feature's histogram, whose value bins outside span are empty; work
 * holds 3 x stride doubles.
 */
static void find_feature(const ml_grower *grower, size_t f, const double *hist, bin_span span,
			 const double *totals, double *work, candidate *best, double *best_left)
{
	size_t stride = grower->stride, n_outputs = grower->n_outputs;
	size_t n_value_bins = grower->missing_code[f];
	double tolerance = EMPTY_RELATIVE * totals[n_outputs];
	double parent = node_score(grower, totals);
	const double *missing = hist + n_value_bins * stride;
	bool has_missing = !is_empty(grower, missing, tolerance);
	double *left = work, *right = work + stride, *with_missing = work + 2 * stride;
	*best = no_split;
	size_t last = n_value_bins;
	for (size_t b = span.high; b-- > span.low;)
		if (!is_empty(grower, hist + b * stride, tolerance)) {
			last = b;
			break;
		}
	if (last == n_value_bins)
		return; /* only missing values */
	memset(left, 0, stride * sizeof *left);
	bool next_unknown = false; /* the best candidate waits for its next bin */
	for (size_t b = span.low; b < last; b++) {
		const double *bin = hist + b * stride;
		if (is_empty(grower, bin, tolerance))
			continue; /* the same partition as the boundary before */
		if (next_unknown) {
			best->next = (uint16_t)b;
			next_unknown = false;
		}
		for (size_t k = 0; k < stride; k++)
			left[k] += bin[k];
		for (int side = 0; side < 1 + has_missing; side++) {
			const double *trial = left;
			if (side == 1) {
				for (size_t k = 0; k < stride; k++)
					with_missing[k] = left[k] + missing[k];
				trial = with_missing;
			}
			for (size_t k = 0; k < stride; k++)
				right[k] = totals[k] - trial[k];
			if (!side_ok(grower, trial, tolerance) ||
			    !side_ok(grower, right, tolerance))
				continue;
			double gain = node_score(grower, trial) + node_score(grower, right) -
				parent;
			if (gain > best->gain) {
				best->gain = gain;
				best->feature = (uint32_t)f;
				best->bin = (uint16_t)b;
				best->missing_left = has_missing
					? (uint8_t)side : trial[n_outputs] >= right[n_outputs];
				memcpy(best_left, trial, stride * sizeof *trial);
				next_unknown = true;
			}
		}
	}
	if (next_unknown)
		best->next = (uint16_t)last;
	if (!has_missing)
		return;
	/* Every value left, missing values right: threshold +inf. */
	for (size_t k = 0; k < stride; k++) {
		left[k] = totals[k] - missing[k];
		right[k] = missing[k];
	}
	if (side_ok(grower, left, tolerance) && side_ok(grower, right, tolerance)) {
		double gain = node_score(grower, left) + node_score(grower, right) - parent;
		if (gain > best->gain) {
			best->gain = gain;
			best->feature = (uint32_t)f;
			best->bin = (uint16_t)(n_value_bins - 1);
			best->next = (uint16_t)n_value_bins;
			best->missing_left = 0;
			memcpy(best_left, left, stride * sizeof *left);
		}
	}
}

/* True when the node's rows of feature f fall in at most one bin. */
static bool constant_feature(const ml_grower *grower, size_t f, const double *hist,
			     bin_span span, const double *totals)
{
	double tolerance = EMPTY_RELATIVE * totals[grower->n_outputs];
	size_t missing = grower->missing_code[f];
	size_t used = !is_empty(grower, hist + missing * grower->stride, tolerance);
	for (size_t b = span.low; b < span.high && used < 2; b++)
		used += !is_empty(grower, hist + b * grower->stride, tolerance);
	return used < 2;
}

static double *thread_work(const ml_grower *grower)
{
	return grower->thread_scratch + ml_parallel_thread_index() * 3 * grower->stride;
}

/* ---- nodes ------------------------------------------------------------ */

static int reserve_nodes(ml_grower *grower, size_t n_nodes, ml_error *err)
{
	if (n_nodes <= grower->node_capacity)
		return 0;
	size_t capacity = grower->node_capacity ? grower->node_capacity : INITIAL_NODES;
	while (capacity < n_nodes)
		capacity *= 2;
	if (capacity > ML_TREE_MAX_NODES)
		capacity = ML_TREE_MAX_NODES;
	size_t stride = grower->stride;
	grow_node *nodes = ml_realloc_array(grower->nodes, capacity, sizeof *nodes, err);
	if (!nodes)
		return -1;
	grower->nodes = nodes;
	double *totals = ml_realloc_array(grower->totals, capacity, stride * sizeof(double), err);
	if (!totals)
		return -1;
	grower->totals = totals;
	double *left = ml_realloc_array(grower->left_sums, capacity, stride * sizeof(double),
					err);
	if (!left)
		return -1;
	grower->left_sums = left;
	uint16_t *bins = ml_realloc_array(grower->split_bin, capacity, sizeof *bins, err);
	if (!bins)
		return -1;
	grower->split_bin = bins;
	uint32_t *pending = ml_realloc_array(grower->pending, capacity, sizeof *pending, err);
	if (!pending)
		return -1;
	grower->pending = pending;
	uint32_t *batch = ml_realloc_array(grower->batch, capacity, sizeof *batch, err);
	if (!batch)
		return -1;
	grower->batch = batch;
	grower->node_capacity = capacity;
	if (grower->tree && capacity > grower->tree->n_nodes &&
	    ml_tree_resize(grower->tree, capacity, err) < 0)
		return -1;
	return 0;
}

static void record_node(ml_grower *grower, uint32_t node)
{
	const double *totals = grower->totals + node * grower->stride;
	const grow_node *info = &grower->nodes[node];
	grower->tree->cover[node] = totals[grower->n_outputs];
	grower->tree->count[node] = info->end - info->begin;
	grower->tree->gain[node] = 0;
	memset(&grower->tree->nodes[node], 0, sizeof grower->tree->nodes[node]);
}

/* Cart mode: the sum of g^2/h over rows index[begin..end). */
static double rows_spread(const ml_grower *grower, size_t begin, size_t end)
{
	const ml_grow_data *data = grower->data;
	size_t n_outputs = grower->n_outputs;
	double spread = 0;
	for (size_t i = begin; i < end; i++) {
		size_t row = grower->index[i];
		double h = data->pairs ? data->pairs[2 * row + 1] : data->hessians[row];
		if (!(h > 0))
			continue;
		for (size_t k = 0; k < n_outputs; k++) {
			double g = data->pairs ? data->pairs[2 * row]
				: data->gradients[row * n_outputs + k];
			spread += g * g / h;
		}
	}
	return spread;
}

/* rows_spread of gathered rows: the same sum, read in order from ordered. */
static double ordered_spread(const ml_grower *grower, size_t begin, size_t end)
{
	size_t n_outputs = grower->n_outputs, stride = grower->stride;
	double spread = 0;
	for (size_t i = begin; i < end; i++) {
		const double *row = grower->ordered + i * stride;
		double h = row[n_outputs];
		if (!(h > 0))
			continue;
		for (size_t k = 0; k < n_outputs; k++)
			spread += row[k] * row[k] / h;
	}
	return spread;
}

/*
 * Cart mode: true when every row of the node has (nearly) the same g/h,
 * scikit-learn's test: impurity per unit weight <= DBL_EPSILON (Gini
 * impurity for one-hot g, variance for regression).
 */
static bool node_pure(const ml_grower *grower, uint32_t node, double spread)
{
	const double *totals = grower->totals + node * grower->stride;
	double weight = totals[grower->n_outputs];
	for (size_t k = 0; k < grower->n_outputs; k++)
		spread -= totals[k] * totals[k] / weight;
	return !(weight > 0) || spread <= DBL_EPSILON * weight;
}

/* Whether a node of that depth, row count and weight may be split, purity aside. */
static bool may_split_child(const ml_grower *grower, size_t depth, size_t count, double weight)
{
	const ml_grow_options *options = &grower->options;
	if (depth >= options->max_depth || count < options->min_samples_split ||
	    count < 2 * options->min_samples_leaf || weight < 2 * options->min_child_weight)
		return false;
	return !options->max_leaves || grower->n_leaves < options->max_leaves;
}

static bool may_split(const ml_grower *grower, uint32_t node)
{
	const grow_node *info = &grower->nodes[node];
	return may_split_child(grower, info->depth, info->end - info->begin,
			       grower->totals[node * grower->stride + grower->n_outputs]);
}

static bool split_wanted(const ml_grower *grower, const candidate *best)
{
	if (best->gain == -INFINITY)
		return false;
	if (grower->options.cart)
		return best->gain >= grower->options.gamma;
	return best->gain > grower->options.gamma;
}

/* ---- pending nodes ---------------------------------------------------- */

/*
 * Level by level, pending nodes are a list in index order.  Leaf-wise,
 * they are a heap: the largest gain first, the lowest index on a tie.
 */
static bool comes_before(const ml_grower *grower, uint32_t a, uint32_t b)
{
	if (grower->options.max_leaves == 0)
		return a < b;
	double gain_a = grower->nodes[a].best.gain, gain_b = grower->nodes[b].best.gain;
	if (gain_a != gain_b)
		return gain_a > gain_b;
	return a < b;
}

static void pending_push(ml_grower *grower, uint32_t node)
{
	uint32_t *heap = grower->pending;
	size_t i = grower->n_pending++;
	if (grower->options.max_leaves == 0) {
		heap[i] = node;
		return;
	}
	while (i > 0 && comes_before(grower, node, heap[(i - 1) / 2])) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = node;
}

static uint32_t pending_pop_best(ml_grower *grower)
{
	uint32_t *heap = grower->pending;
	uint32_t top = heap[0], last = heap[--grower->n_pending];
	size_t i = 0, count = grower->n_pending;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= count)
			break;
		if (child + 1 < count && comes_before(grower, heap[child + 1], heap[child]))
			child++;
		if (!comes_before(grower, heap[child], last))
			break;
		heap[i] = heap[child];
		i = child;
	}
	if (count > 0)
		heap[i] = last;
	return top;
}

/* ---- the histogram pool ----------------------------------------------- */

static void free_slot(ml_grower *grower, int32_t slot)
{
	if (slot >= 0)
		grower->free_slots[grower->n_free++] = slot;
}

static void release_node_slot(ml_grower *grower, uint32_t node)
{
	free_slot(grower, grower->nodes[node].slot);
	grower->nodes[node].slot = -1;
}

/* A free histogram or a new one within the pool's capacity; -1 if none. */
static int32_t new_slot(ml_grower *grower)
{
	if (grower->n_free > 0)
		return grower->free_slots[--grower->n_free];
	if (grower->n_slots >= grower->slot_capacity)
		return -1;
	if (grower->n_slots % SLOT_GROWTH == 0 && grower->n_slots > 0) {
		size_t grown = grower->n_slots + SLOT_GROWTH;
		double **slots = realloc(grower->slots, grown * sizeof *slots);
		if (!slots)
			return -1;
		grower->slots = slots;
		int32_t *free_slots = realloc(grower->free_slots, grown * sizeof *free_slots);
		if (!free_slots)
			return -1;
		grower->free_slots = free_slots;
	}
	double *hist = malloc((grower->hist_size ? grower->hist_size : 1) * sizeof *hist);
	if (!hist)
		return -1;
	grower->slots[grower->n_slots] = hist;
	return (int32_t)grower->n_slots++;
}

/*
 * Takes the histogram of the node that will be split last: a pending node,
 * else the parent of a later pair of this batch (its children are then
 * built from their rows).  -1 when nobody holds one.
 */
static int32_t evict_slot(ml_grower *grower, size_t pair)
{
	uint32_t victim = UINT32_MAX;
	for (size_t i = 0; i < grower->n_pending; i++) {
		uint32_t node = grower->pending[i];
		if (grower->nodes[node].slot >= 0 &&
		    (victim == UINT32_MAX || comes_before(grower, victim, node)))
			victim = node;
	}
	for (size_t p = grower->n_batch; victim == UINT32_MAX && p-- > pair + 1;)
		if (grower->nodes[grower->pairs[p].parent].slot >= 0)
			victim = grower->pairs[p].parent;
	if (victim == UINT32_MAX)
		return -1;
	int32_t slot = grower->nodes[victim].slot;
	grower->nodes[victim].slot = -1;
	return slot;
}

/* ---- split finding over a batch --------------------------------------- */

/*
 * Feature groups per pair (a group is one task, at most MAX_TASK_FEATURES
 * features): one per thread, so that each thread passes over a node's rows
 * once, in chunks, and a multiple of the thread count when the features
 * allow, so that one node's histograms (the root's) keep every thread busy
 * to the end.  Which thread sums a feature never changes the sums: each is
 * made by one thread in row order.
 */
static size_t group_count(const ml_grower *grower, bool parallel)
{
	size_t n_threads = parallel ? ml_parallel_threads() : 1, n = grower->n_allowed;
	size_t n_groups = (n + MAX_TASK_FEATURES - 1) / MAX_TASK_FEATURES;
	n_groups = (n_groups + n_threads - 1) / n_threads * n_threads;
	return n_groups < n ? n_groups : n ? n : 1;
}

static size_t node_rows(const ml_grower *grower, uint32_t node)
{
	return grower->nodes[node].end - grower->nodes[node].begin;
}

/*
 * Whether the larger child of a parent takes its parent's histogram minus
 * its sibling's: when the parent kept one and the larger child wants one
 * too large to build directly.
 */
static bool subtracts(const ml_grower *grower, const grow_node *parent, bool need_large,
		      size_t large_rows)
{
	return !grower->sampled && parent->slot >= 0 && need_large &&
	       large_rows >= grower->direct_rows;
}

/*
 * Gives pairs[first..] their histograms: the larger child takes its
 * parent's minus the smaller one's when the parent has one, else the
 * children that need one are built from their rows.  Returns how many
 * pairs are ready (at least one: the pool gives up other nodes'
 * histograms for it), -1 when memory runs out.
 */
static long plan_pairs(ml_grower *grower, size_t first)
{
	size_t count = 0;
	for (size_t p = first; p < grower->n_batch && count < grower->max_pairs; p++, count++) {
		split_pair *pair = &grower->pairs[p];
		grow_node *parent = &grower->nodes[pair->parent];
		pair->slot[0] = pair->slot[1] = -1;
		pair->build[0] = pair->build[1] = false;
		pair->subtract = -1;
		if (!pair->need[0] && !pair->need[1]) {
			release_node_slot(grower, pair->parent);
			continue;
		}
		int small = node_rows(grower, pair->child[0]) <= node_rows(grower, pair->child[1])
			? 0 : 1;
		bool subtract = subtracts(grower, parent, pair->need[1 - small],
					  node_rows(grower, pair->child[1 - small]));
		for (int c = 0; c < 2; c++)
			pair->direct[c] = !subtract && pair->need[c] &&
				node_rows(grower, pair->child[c]) < grower->direct_rows;
		size_t wanted = subtract ? 1 : (size_t)(pair->need[0] && !pair->direct[0]) +
			(pair->need[1] && !pair->direct[1]);
		size_t available = grower->n_free + (grower->slot_capacity - grower->n_slots) +
			(!subtract && parent->slot >= 0);
		if (wanted > available && count > 0)
			break;
		if (subtract) {
			pair->slot[1 - small] = parent->slot;
			parent->slot = -1;
			pair->subtract = 1 - small;
			pair->build[small] = true;
		} else {
			release_node_slot(grower, pair->parent);
			pair->build[0] = pair->need[0];
			pair->build[1] = pair->need[1];
		}
		for (int c = 0; c < 2; c++) {
			if (!pair->build[c] || pair->direct[c])
				continue;
			int32_t slot = new_slot(grower);
			if (slot < 0 && (slot = evict_slot(grower, p)) < 0)
				return -1;
			pair->slot[c] = slot;
			if (!pair->gathered[c]) {
				const grow_node *child = &grower->nodes[pair->child[c]];
				gather(grower, child->begin, child->end);
				pair->gathered[c] = true;
			}
		}
	}
	return (long)count;
}

/* Child c's best split on feature f, into candidate slot at. */
static void find_child(ml_grower *grower, const split_pair *pair, size_t c, size_t f,
		       size_t at, double *work)
{
	size_t stride = grower->stride;
	const double *hist = grower->slots[pair->slot[c]] + grower->offset[f];
	find_feature(grower, f, hist, all_bins(grower, f), grower->totals + pair->child[c] * stride,
		     work,
		     &grower->candidates[at], grower->candidate_left + at * stride);
}

/*
 * Child c's best splits on features[0..n_group) from its rows, built in the
 * thread's buffers (left zero again) MAX_GROUP at a time, into the
 * candidates of pair local.
 */
static void find_direct(ml_grower *grower, const split_pair *pair, size_t c,
			const size_t *features, size_t n_group, size_t local, double *work)
{
	size_t stride = grower->stride, hist_size = (ML_BINS_MAX + 1) * stride;
	const grow_node *child = &grower->nodes[pair->child[c]];
	const double *totals = grower->totals + pair->child[c] * stride;
	double *hists = grower->direct_hists + ml_parallel_thread_index() * MAX_GROUP * hist_size;
	for (size_t first = 0; first < n_group; first += MAX_GROUP) {
		size_t n = n_group - first < MAX_GROUP ? n_group - first : MAX_GROUP;
		bin_span spans[MAX_GROUP];
		build_sampled(grower, features + first, n, hists, hist_size, child->begin,
			      child->end, spans);
		for (size_t j = 0; j < n; j++) {
			size_t f = features[first + j], at = (2 * local + c) * grower->n_features + f;
			double *hist = hists + j * hist_size;
			find_feature(grower, f, hist, spans[j], totals, work,
				     &grower->candidates[at], grower->candidate_left + at * stride);
			clear_sampled(grower, f, hist, spans[j]);
		}
	}
}

/*
 * The histogram work of pairs[first..first + count): builds, subtractions
 * and each needed child's best split per feature, as (pair, feature group)
 * tasks in parallel; then each child's best split over the features in
 * order (the lowest feature wins a tie).
 */
static void run_histograms(ml_grower *grower, size_t first, size_t count)
{
	size_t rows = 0;
	for (size_t p = first; p < first + count; p++) {
		const split_pair *pair = &grower->pairs[p];
		for (size_t c = 0; c < pair->n_children; c++)
			rows += pair->build[c] ? node_rows(grower, pair->child[c]) : 0;
	}
	bool parallel = grower->options.parallel &&
		(rows + 256 * count) * grower->n_allowed >= PARALLEL_MIN_WORK;
	size_t n_groups = group_count(grower, parallel);
	size_t n_tasks = count * n_groups, n_features = grower->n_features;
	size_t stride = grower->stride;
	#pragma omp parallel for schedule(dynamic, 1) if (parallel)
	for (size_t t = 0; t < n_tasks; t++) {
		size_t local = t / n_groups, g = t % n_groups;
		const split_pair *pair = &grower->pairs[first + local];
		/* Group g: features [g n / n_groups, (g + 1) n / n_groups) of the allowed. */
		size_t first_feature = g * grower->n_allowed / n_groups;
		const size_t *features = grower->allowed + first_feature;
		size_t n_group = (g + 1) * grower->n_allowed / n_groups - first_feature;
		double *work = thread_work(grower);
		for (size_t c = 0; c < pair->n_children; c++) {
			const grow_node *child = &grower->nodes[pair->child[c]];
			bool whole = grower->identity && pair->child[c] == 0;
			if (pair->build[c] && !pair->direct[c])
				build_group(grower, features, n_group, grower->slots[pair->slot[c]],
					    child->begin, child->end, whole,
					    whole && grower->data->pairs && grower->stride == 2
					    ? grower->data->pairs : grower->ordered);
		}
		for (size_t j = 0; j < n_group; j++) {
			size_t f = features[j];
			if (pair->subtract >= 0)
				subtract_feature(grower, f,
						 grower->slots[pair->slot[pair->subtract]] +
						 grower->offset[f],
						 grower->slots[pair->slot[1 - pair->subtract]] +
						 grower->offset[f]);
			for (size_t c = 0; c < pair->n_children; c++) {
				size_t at = (2 * local + c) * n_features + f;
				if (pair->need[c] && !pair->direct[c])
					find_child(grower, pair, c, f, at, work);
			}
		}
		for (size_t c = 0; c < pair->n_children; c++)
			if (pair->direct[c])
				find_direct(grower, pair, c, features, n_group, local, work);
	}
	for (size_t p = first; p < first + count; p++) {
		const split_pair *pair = &grower->pairs[p];
		for (size_t c = 0; c < pair->n_children; c++) {
			if (!pair->need[c])
				continue;
			uint32_t node = pair->child[c];
			size_t base = (2 * (p - first) + c) * n_features;
			candidate best = no_split;
			for (size_t i = 0; i < grower->n_allowed; i++) {
				size_t at = base + grower->allowed[i];
				if (grower->candidates[at].gain > best.gain) {
					best = grower->candidates[at];
					memcpy(grower->left_sums + node * stride,
					       grower->candidate_left + at * stride,
					       stride * sizeof(double));
				}
			}
			grower->nodes[node].best = best;
		}
	}
}

/*
 * Features sampled per split: draws features until max_features that are
 * not constant in the node have been tried (or none is left), building
 * each one's histogram from the node's rows (gathered: their gradients
 * are in ordered already).
 */
static void find_sampled(ml_grower *grower, uint32_t node, bool gathered)
{
	grow_node *info = &grower->nodes[node];
	size_t stride = grower->stride, hist_size = (ML_BINS_MAX + 1) * stride;
	const double *totals = grower->totals + node * stride;
	double *work = grower->thread_scratch;
	double *left = work + 3 * stride;
	size_t n = grower->n_allowed, tried = 0, max_features = grower->options.max_features;
	if (!gathered)
		gather(grower, info->begin, info->end);
	memcpy(grower->draw, grower->allowed, n * sizeof *grower->draw);
	info->best = no_split;
	/*
	 * Draws as many features as are still wanted, builds them together and
	 * tries them in draw order; as many more when some were constant.  The
	 * draws are those of drawing one at a time and stopping at max_features.
	 */
	for (size_t drawn = 0; drawn < n && tried < max_features;) {
		size_t group = max_features - tried;
		group = group < grower->sampled_group ? group : grower->sampled_group;
		group = group < n - drawn ? group : n - drawn;
		for (size_t i = drawn; i < drawn + group; i++) {
			size_t j = i + (size_t)ml_random_below(grower->data->random, n - i);
			size_t f = grower->draw[j];
			grower->draw[j] = grower->draw[i];
			grower->draw[i] = f;
		}
		bin_span spans[SAMPLED_GROUP];
		build_sampled(grower, grower->draw + drawn, group, grower->feature_hist, hist_size,
			      info->begin, info->end, spans);
		for (size_t j = 0; j < group; j++) {
			size_t f = grower->draw[drawn + j];
			double *hist = grower->feature_hist + j * hist_size;
			if (!constant_feature(grower, f, hist, spans[j], totals)) {
				tried++;
				candidate trial;
				find_feature(grower, f, hist, spans[j], totals, work, &trial, left);
				if (trial.gain > info->best.gain ||
				    (trial.gain == info->best.gain && trial.gain > -INFINITY &&
				     trial.feature < info->best.feature)) {
					info->best = trial;
					memcpy(grower->left_sums + node * stride, left,
					       stride * sizeof *left);
				}
			}
			clear_sampled(grower, f, hist, spans[j]);
		}
		drawn += group;
	}
}

/* Children whose best split is wanted wait (with their histogram) to be split. */
static void finish_pairs(ml_grower *grower, size_t first, size_t count)
{
	for (size_t p = first; p < first + count; p++) {
		split_pair *pair = &grower->pairs[p];
		for (size_t c = 0; c < pair->n_children; c++) {
			uint32_t node = pair->child[c];
			if (pair->need[c] && split_wanted(grower, &grower->nodes[node].best)) {
				/* Children of a small node build theirs directly. */
				bool keep = node_rows(grower, node) >= grower->direct_rows;
				grower->nodes[node].slot = keep ? pair->slot[c] : -1;
				if (!keep)
					free_slot(grower, pair->slot[c]);
				pending_push(grower, node);
			} else {
				free_slot(grower, pair->slot[c]);
			}
			pair->slot[c] = -1;
		}
	}
}

/* ---- partitioning a batch --------------------------------------------- */

/*
 * Partitions a block's rows into scratch[begin..end): the left rows from
 * the front in order, the right rows from the back (so in reverse).  Both
 * stores happen every row, without a branch; each lands where the final
 * layout keeps it or where a later store overwrites it.
 */
static size_t partition_block(ml_grower *grower, const split_task *task,
			      const candidate *split)
{
	const uint8_t *codes = grower->codes + (size_t)split->feature * grower->n_rows;
	unsigned bin = split->bin, missing = grower->missing_code[split->feature];
	unsigned missing_left = split->missing_left;
	const uint32_t *index = grower->index;
	uint32_t *out = grower->scratch;
	size_t left = task->begin, right = task->end;
	for (size_t i = task->begin; i < task->end; i++) {
		uint32_t row = index[i];
		unsigned code = codes[row];
		unsigned goes_left = (code <= bin) | ((code == missing) & missing_left);
		out[left] = row;
		out[right - 1] = row;
		left += goes_left;
		right -= !goes_left;
	}
	return left - task->begin;
}

/* What a pair's children are, from its blocks' left counts; reads only. */
typedef struct pair_layout {
	size_t n_left;
	bool need[2];     /* may be split (purity aside) */
	bool gathered[2]; /* built from rows: their gradients are gathered */
} pair_layout;

static pair_layout layout_pair(const ml_grower *grower, const split_pair *pair)
{
	pair_layout layout = { 0 };
	for (size_t t = pair->first_task; t < pair->first_task + pair->n_tasks; t++)
		layout.n_left += grower->tasks[t].n_left;
	const grow_node *parent = &grower->nodes[pair->parent];
	size_t stride = grower->stride, n_outputs = grower->n_outputs;
	double left_weight = grower->left_sums[pair->parent * stride + n_outputs];
	double right_weight = grower->totals[pair->parent * stride + n_outputs] - left_weight;
	size_t count[2] = { layout.n_left, parent->end - parent->begin - layout.n_left };
	layout.need[0] = may_split_child(grower, parent->depth + 1, count[0], left_weight);
	layout.need[1] = may_split_child(grower, parent->depth + 1, count[1], right_weight);
	int small = count[0] <= count[1] ? 0 : 1;
	if (subtracts(grower, parent, layout.need[1 - small], count[1 - small]))
		layout.gathered[small] = true;
	else
		for (int c = 0; c < 2; c++)
			layout.gathered[c] = layout.need[c];
	return layout;
}

/*
 * Moves a block's rows to their places in index (left rows after the
 * pair's earlier blocks' left rows, right rows likewise after the left
 * child), then gathers the gradients the histograms need there and, in
 * cart mode, sums g^2/h for the purity test.
 */
static void place_block(ml_grower *grower, split_task *task)
{
	const split_pair *pair = &grower->pairs[task->pair];
	pair_layout layout = layout_pair(grower, pair);
	size_t left_to = grower->nodes[pair->parent].begin;
	size_t right_to = left_to + layout.n_left;
	for (size_t t = pair->first_task; t < (size_t)(task - grower->tasks); t++) {
		left_to += grower->tasks[t].n_left;
		right_to += grower->tasks[t].end - grower->tasks[t].begin - grower->tasks[t].n_left;
	}
	size_t n_left = task->n_left, n_right = task->end - task->begin - n_left;
	const uint32_t *from = grower->scratch;
	memcpy(grower->index + left_to, from + task->begin, n_left * sizeof *from);
	for (size_t j = 0; j < n_right; j++)
		grower->index[right_to + j] = from[task->end - 1 - j];
	size_t begin[2] = { left_to, right_to }, end[2] = { left_to + n_left, right_to + n_right };
	for (int c = 0; c < 2; c++) {
		task->spread[c] = 0;
		if (begin[c] == end[c])
			continue;
		if (layout.gathered[c])
			gather_range(grower, begin[c], end[c]);
		if (grower->options.cart && layout.need[c])
			task->spread[c] = layout.gathered[c]
				? ordered_spread(grower, begin[c], end[c])
				: rows_spread(grower, begin[c], end[c]);
	}
}

/*
 * Partitions every node of the batch in one parallel region with one
 * barrier: blocks of rows on their own, then each block's rows to their
 * places.  Block boundaries depend on the rows only, never on the threads.
 */
static void partition_batch(ml_grower *grower, size_t n_tasks, bool parallel)
{
	(void)parallel; /* read by the pragma only: unused without OpenMP */
	#pragma omp parallel if (parallel)
	{
		#pragma omp for schedule(dynamic, 1)
		for (size_t t = 0; t < n_tasks; t++) {
			split_task *task = &grower->tasks[t];
			const split_pair *pair = &grower->pairs[task->pair];
			const candidate *split = &grower->nodes[pair->parent].best;
			task->n_left = partition_block(grower, task, split);
		}
		#pragma omp for schedule(dynamic, 1)
		for (size_t t = 0; t < n_tasks; t++)
			place_block(grower, &grower->tasks[t]);
	}
}

/* After partitioning: the children's rows, sums, limits and purity.  Sequential. */
static void settle_pairs(ml_grower *grower)
{
	size_t stride = grower->stride, n_outputs = grower->n_outputs;
	for (size_t p = 0; p < grower->n_batch; p++) {
		split_pair *pair = &grower->pairs[p];
		pair_layout layout = layout_pair(grower, pair);
		const grow_node *parent = &grower->nodes[pair->parent];
		uint32_t middle = parent->begin + (uint32_t)layout.n_left;
		grow_node *left = &grower->nodes[pair->child[0]];
		grow_node *right = &grower->nodes[pair->child[1]];
		*left = (grow_node){ parent->begin, middle, parent->depth + 1, -1, no_split };
		*right = (grow_node){ middle, parent->end, parent->depth + 1, -1, no_split };
		double *left_totals = grower->totals + pair->child[0] * stride;
		double *right_totals = grower->totals + pair->child[1] * stride;
		const double *parent_totals = grower->totals + pair->parent * stride;
		memcpy(left_totals, grower->left_sums + pair->parent * stride,
		       stride * sizeof(double));
		for (size_t k = 0; k < stride; k++)
			right_totals[k] = parent_totals[k] - left_totals[k];
		if (grower->counted) {
			left_totals[n_outputs + 1] = (double)(left->end - left->begin);
			right_totals[n_outputs + 1] = (double)(right->end - right->begin);
		}
		for (int c = 0; c < 2; c++) {
			record_node(grower, pair->child[c]);
			pair->need[c] = layout.need[c];
			pair->gathered[c] = layout.gathered[c];
			if (!grower->options.cart || !pair->need[c])
				continue;
			double spread = 0;
			for (size_t t = pair->first_task; t < pair->first_task + pair->n_tasks; t++)
				spread += grower->tasks[t].spread[c];
			pair->need[c] = !node_pure(grower, pair->child[c], spread);
		}
	}
}

/* ---- splitting a batch ------------------------------------------------ */

/* Rows per block of a node: fixed, and few enough blocks per node. */
static size_t block_rows(size_t n_rows)
{
	size_t per_block = (n_rows + MAX_NODE_BLOCKS - 1) / MAX_NODE_BLOCKS;
	return per_block > ROW_BLOCK ? per_block : ROW_BLOCK;
}

static int reserve_batch(ml_grower *grower, size_t n_pairs, size_t n_tasks, ml_error *err)
{
	if (n_pairs > grower->pair_capacity) {
		split_pair *pairs = ml_realloc_array(grower->pairs, n_pairs, sizeof *pairs, err);
		if (!pairs)
			return -1;
		grower->pairs = pairs;
		grower->pair_capacity = n_pairs;
	}
	if (n_tasks > grower->task_capacity) {
		split_task *tasks = ml_realloc_array(grower->tasks, n_tasks, sizeof *tasks, err);
		if (!tasks)
			return -1;
		grower->tasks = tasks;
		grower->task_capacity = n_tasks;
	}
	return 0;
}

/*
 * The threshold of a split: the edge above its bin, or +inf for "every
 * value left".  In cart mode, scikit-learn's: midway between the node's
 * values on either side when the bins know them, kept between the edges
 * that give the same training partition.
 */
static double split_threshold(const ml_grower *grower, const candidate *split,
			      size_t n_value_bins)
{
	if (split->bin + 1u >= n_value_bins)
		return INFINITY;
	const double *edges = ml_bins_edges(grower->bins, split->feature);
	double low = edges[split->bin], high = edges[split->next - 1];
	if (!grower->options.cart || high == low)
		return low;
	const double *values = ml_bins_values(grower->bins, split->feature);
	double below = values[split->bin], above = values[split->next];
	if (isnan(below) || isnan(above))
		return low; /* binned by quantiles: the values are not known */
	double middle = 0.5 * below + 0.5 * above;
	if (!(middle >= below && middle < above))
		middle = below; /* an infinite neighbour, or neighbours one ulp apart */
	return middle < low ? low : middle > high ? high : middle;
}

/* Records node's split in the tree and gives it two children. */
static void open_pair(ml_grower *grower, split_pair *pair, uint32_t node)
{
	const candidate *split = &grower->nodes[node].best;
	uint32_t left = (uint32_t)grower->n_nodes;
	grower->n_nodes += 2;
	grower->n_leaves++;
	grower->split_bin[node] = split->bin;
	ml_tree_node *tree_node = &grower->tree->nodes[node];
	size_t n_value_bins = grower->missing_code[split->feature];
	tree_node->feature = split->feature;
	tree_node->threshold = split_threshold(grower, split, n_value_bins);
	tree_node->left = left;
	tree_node->right = left + 1;
	tree_node->missing_left = split->missing_left;
	grower->tree->gain[node] = split->gain;
	*pair = (split_pair){ .parent = node, .child = { left, left + 1 }, .n_children = 2,
			      .slot = { -1, -1 }, .subtract = -1 };
}

/* Splits the nodes in batch; their children that are worth splitting become pending. */
static int split_batch(ml_grower *grower, ml_error *err)
{
	size_t n_tasks = 0, rows = 0;
	for (size_t p = 0; p < grower->n_batch; p++) {
		size_t n = node_rows(grower, grower->batch[p]), block = block_rows(n);
		n_tasks += (n + block - 1) / block;
		rows += n;
	}
	if (reserve_nodes(grower, grower->n_nodes + 2 * grower->n_batch, err) < 0 ||
	    reserve_batch(grower, grower->n_batch, n_tasks, err) < 0)
		return -1;
	n_tasks = 0;
	for (size_t p = 0; p < grower->n_batch; p++) {
		split_pair *pair = &grower->pairs[p];
		open_pair(grower, pair, grower->batch[p]);
		const grow_node *parent = &grower->nodes[pair->parent];
		size_t block = block_rows(parent->end - parent->begin);
		pair->first_task = n_tasks;
		for (size_t begin = parent->begin; begin < parent->end; begin += block) {
			size_t end = begin + block < parent->end ? begin + block : parent->end;
			grower->tasks[n_tasks++] = (split_task){ .pair = p, .begin = begin,
								 .end = end };
		}
		pair->n_tasks = n_tasks - pair->first_task;
	}
	partition_batch(grower, n_tasks, grower->options.parallel && rows >= PARALLEL_MIN_ROWS);
	settle_pairs(grower);
	if (grower->sampled) {
		for (size_t p = 0; p < grower->n_batch; p++)
			for (int c = 0; c < 2; c++)
				if (grower->pairs[p].need[c])
					find_sampled(grower, grower->pairs[p].child[c],
						     grower->pairs[p].gathered[c]);
		finish_pairs(grower, 0, grower->n_batch);
		return 0;
	}
	for (size_t first = 0; first < grower->n_batch;) {
		long count = plan_pairs(grower, first);
		if (count < 0)
			return ml_error_nomem(err);
		run_histograms(grower, first, (size_t)count);
		finish_pairs(grower, first, (size_t)count);
		first += (size_t)count;
	}
	return 0;
}

/* ---- growing ---------------------------------------------------------- */

static int set_rows_and_features(ml_grower *grower, const ml_grow_data *data, ml_error *err)
{
	size_t n = data->rows ? data->n_rows : grower->n_rows;
	if (n == 0 || n > grower->n_rows) {
		ml_error_set(err, "a tree grows from 1 to %zu rows, not %zu", grower->n_rows, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t row = data->rows ? data->rows[i] : (uint32_t)i;
		if (row >= grower->n_rows || (i > 0 && row <= grower->index[i - 1])) {
			ml_error_set(err, "the rows to grow on must be increasing and below %zu",
				     grower->n_rows);
			return -1;
		}
		grower->index[i] = row;
	}
	grower->identity = n == grower->n_rows;
	grower->grown_rows = data->rows;
	if (data->pairs && grower->n_outputs != 1) {
		ml_error_set(err, "(g, h) pairs are for trees of one output");
		return -1;
	}
	grower->n_allowed = data->features ? data->n_features : grower->n_features;
	if (grower->n_allowed == 0) {
		ml_error_set(err, "a tree needs at least one feature to grow on");
		return -1;
	}
	for (size_t i = 0; i < grower->n_allowed; i++) {
		size_t f = data->features ? data->features[i] : i;
		if (f >= grower->n_features || (i > 0 && f <= grower->allowed[i - 1])) {
			ml_error_set(err, "the features to grow on must be increasing"
				     " and below %zu", grower->n_features);
			return -1;
		}
		grower->allowed[i] = f;
	}
	size_t max_features = grower->options.max_features;
	grower->sampled = max_features > 0 && max_features < grower->n_allowed;
	if (grower->sampled && !data->random) {
		ml_error_set(err, "sampling features per split needs a random stream");
		return -1;
	}
	return 0;
}

static int prepare_thread_scratch(ml_grower *grower, ml_error *err)
{
	size_t n_threads = ml_parallel_threads();
	/* Sampled features use one more stride for the best left side. */
	size_t needed = (n_threads > 1 ? n_threads : 2) * 3 * grower->stride;
	if (n_threads > grower->n_direct_threads && grower->direct_rows) {
		/* calloc: build_sampled wants them zero. */
		double *hists = ml_calloc_array(n_threads * MAX_GROUP * (ML_BINS_MAX + 1),
						grower->stride * sizeof(double), err);
		if (!hists)
			return -1;
		free(grower->direct_hists);
		grower->direct_hists = hists;
		grower->n_direct_threads = n_threads;
	}
	if (needed <= grower->n_thread_scratch)
		return 0;
	double *scratch = ml_realloc_array(grower->thread_scratch, needed, sizeof *scratch, err);
	if (!scratch)
		return -1;
	grower->thread_scratch = scratch;
	grower->n_thread_scratch = needed;
	return 0;
}

/* The sums of one block of rows' pairs; (g, h) pairs in registers. */
static void sum_block(const double *pairs, size_t begin, size_t end, size_t stride,
		      double *sums)
{
	if (stride == 2) {
		double g = 0, h = 0;
		for (size_t i = begin; i < end; i++) {
			g += pairs[2 * i];
			h += pairs[2 * i + 1];
		}
		sums[0] = g;
		sums[1] = h;
		return;
	}
	memset(sums, 0, stride * sizeof *sums);
	for (size_t i = begin; i < end; i++)
		for (size_t k = 0; k < stride; k++)
			sums[k] += pairs[i * stride + k];
}

/*
 * The sums of the first n rows' pairs into totals: blocks of ROW_BLOCK rows
 * in parallel, then the blocks in order, so that the sums do not depend on
 * the thread count.  (One thread alone took a millisecond per tree on 300k
 * rows, while the other waited.)
 */
static void sum_rows(ml_grower *grower, const double *pairs, size_t n, double *totals)
{
	size_t stride = grower->stride, n_blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
	bool parallel = grower->options.parallel && n >= PARALLEL_MIN_ROWS;
	#pragma omp parallel for schedule(static) if (parallel)
	for (size_t block = 0; block < n_blocks; block++) {
		size_t begin = block * ROW_BLOCK, end = begin + ROW_BLOCK < n ? begin + ROW_BLOCK : n;
		sum_block(pairs, begin, end, stride, grower->block_sums + block * stride);
	}
	memset(totals, 0, stride * sizeof *totals);
	for (size_t block = 0; block < n_blocks; block++)
		for (size_t k = 0; k < stride; k++)
			totals[k] += grower->block_sums[block * stride + k];
}

/* The root: its sums from every row, its histogram and best split. */
static int start_root(ml_grower *grower, size_t n, ml_error *err)
{
	size_t stride = grower->stride;
	grower->n_nodes = 1;
	grower->n_leaves = 1;
	grower->n_pending = 0;
	grower->nodes[0] = (grow_node){ 0, (uint32_t)n, 0, -1, no_split };
	/* Every row's (g, h) pairs in row order need no gathering. */
	const double *ordered = grower->data->pairs;
	if (!grower->identity || !ordered || stride != 2) {
		gather(grower, 0, n);
		ordered = grower->ordered;
	}
	double *totals = grower->totals;
	sum_rows(grower, ordered, n, totals);
	if (grower->counted)
		totals[grower->n_outputs + 1] = (double)n;
	record_node(grower, 0);
	if (!may_split(grower, 0) ||
	    (grower->options.cart && node_pure(grower, 0, rows_spread(grower, 0, n))))
		return 0;
	if (grower->sampled) {
		find_sampled(grower, 0, ordered == grower->ordered);
		if (split_wanted(grower, &grower->nodes[0].best))
			pending_push(grower, 0);
		return 0;
	}
	if (reserve_batch(grower, 1, 0, err) < 0)
		return -1;
	int32_t slot = new_slot(grower);
	if (slot < 0)
		return ml_error_nomem(err);
	grower->pairs[0] = (split_pair){ .child = { 0, 0 }, .n_children = 1, .need = { true },
					 .gathered = { true }, .slot = { slot, -1 },
					 .build = { true }, .subtract = -1 };
	run_histograms(grower, 0, 1);
	finish_pairs(grower, 0, 1);
	return 0;
}

static void set_leaf_values(ml_grower *grower)
{
	size_t n_outputs = grower->n_outputs;
	double lambda = grower->options.lambda;
	for (size_t node = 0; node < grower->n_nodes; node++) {
		double *values = grower->tree->values + node * n_outputs;
		const double *totals = grower->totals + node * grower->stride;
		double denominator = totals[n_outputs] + lambda;
		for (size_t k = 0; k < n_outputs; k++)
			/* + 0.0 turns -0 (an empty class) into 0. */
			values[k] = !ml_tree_is_leaf(grower->tree, node) || !(denominator > 0)
				? 0 : -totals[k] / denominator + 0.0;
	}
}

/* The next nodes to split: the whole level, or the best leaf. */
static void take_batch(ml_grower *grower)
{
	if (grower->options.max_leaves) {
		grower->batch[0] = pending_pop_best(grower);
		grower->n_batch = 1;
	} else {
		memcpy(grower->batch, grower->pending, grower->n_pending * sizeof *grower->batch);
		grower->n_batch = grower->n_pending;
		grower->n_pending = 0;
	}
	size_t room = (ML_TREE_MAX_NODES - grower->n_nodes) / 2;
	if (grower->n_batch > room)
		grower->n_batch = room; /* the rest stay leaves */
}

ml_tree *ml_grower_grow(ml_grower *grower, const ml_grow_data *data, ml_error *err)
{
	if (set_rows_and_features(grower, data, err) < 0 ||
	    prepare_thread_scratch(grower, err) < 0 ||
	    reserve_nodes(grower, INITIAL_NODES, err) < 0)
		return NULL;
	grower->data = data;
	grower->tree = ml_tree_create(grower->node_capacity, grower->n_outputs, err);
	if (!grower->tree)
		return NULL;
	grower->n_free = 0;
	for (size_t i = grower->n_slots; i-- > 0;)
		grower->free_slots[grower->n_free++] = (int32_t)i;
	if (start_root(grower, data->rows ? data->n_rows : grower->n_rows, err) < 0)
		goto fail;
	while (grower->n_pending > 0) {
		if (grower->options.max_leaves && grower->n_leaves >= grower->options.max_leaves)
			break;
		take_batch(grower);
		if (grower->n_batch == 0)
			break;
		if (split_batch(grower, err) < 0)
			goto fail;
	}
	set_leaf_values(grower);
	ml_tree *tree = grower->tree;
	grower->tree = NULL;
	grower->data = NULL;
	if (ml_tree_resize(tree, grower->n_nodes, err) < 0) {
		ml_tree_free(tree);
		return NULL;
	}
	return tree;
fail:
	ml_tree_free(grower->tree);
	grower->tree = NULL;
	grower->data = NULL;
	return NULL;
}

/* ---- applying the tree just grown ------------------------------------- */

/* The tree's leaves left to right: the order of their rows in index. */
static size_t leaves_in_order(const ml_tree *tree, uint32_t *leaves)
{
	uint32_t stack[ML_TREE_MAX_DEPTH + 1];
	size_t top = 0, n_leaves = 0;
	stack[top++] = 0;
	while (top > 0) {
		uint32_t node = stack[--top];
		if (ml_tree_is_leaf(tree, node)) {
			leaves[n_leaves++] = node;
		} else {
			stack[top++] = tree->nodes[node].right;
			stack[top++] = tree->nodes[node].left;
		}
	}
	return n_leaves;
}

/* Records the leaf of each row in index[first..last). */
static void mark_leaves(ml_grower *grower, const uint32_t *leaves, size_t n_leaves,
			size_t first, size_t last)
{
	size_t low = 0, high = n_leaves; /* the first leaf ending after first */
	while (low < high) {
		size_t middle = (low + high) / 2;
		if (grower->nodes[leaves[middle]].end <= first)
			low = middle + 1;
		else
			high = middle;
	}
	for (size_t l = low; l < n_leaves && grower->nodes[leaves[l]].begin < last; l++) {
		const grow_node *info = &grower->nodes[leaves[l]];
		size_t begin = info->begin > first ? info->begin : first;
		size_t end = info->end < last ? info->end : last;
		for (size_t i = begin; i < end; i++)
			grower->leaf_of_row[grower->index[i]] = leaves[l];
	}
}

/*
 * Two passes in one parallel region: each row's leaf recorded from the
 * partition (rows in leaf order, one small write each), then the rows in
 * increasing order, so the scores and whatever the visitor reads and
 * writes per row stream through memory instead of jumping.
 */
void ml_grower_add_leaves(ml_grower *grower, const ml_tree *tree, double *scores,
			  size_t stride, ml_grow_visit visit, void *context)
{
	size_t n_outputs = tree->n_outputs, n_grown = grower->nodes[0].end;
	const uint32_t *rows = grower->grown_rows;
	uint32_t *leaves = grower->batch; /* free after growing, node_capacity long */
	size_t n_leaves = leaves_in_order(tree, leaves);
	size_t n_blocks = (n_grown + ROW_BLOCK - 1) / ROW_BLOCK;
	bool parallel = grower->options.parallel && n_grown >= PARALLEL_MIN_ROWS;
	(void)parallel; /* read by the pragma only: unused without OpenMP */
	#pragma omp parallel if (parallel)
	{
		#pragma omp for schedule(dynamic, 1)
		for (size_t block = 0; block < n_blocks; block++)
			mark_leaves(grower, leaves, n_leaves, block * ROW_BLOCK,
				    (block + 1) * ROW_BLOCK < n_grown ? (block + 1) * ROW_BLOCK
				    : n_grown);
		#pragma omp for schedule(dynamic, 1)
		for (size_t block = 0; block < n_blocks; block++) {
			size_t first = block * ROW_BLOCK;
			size_t last = first + ROW_BLOCK < n_grown ? first + ROW_BLOCK : n_grown;
			for (size_t i = first; i < last; i++) {
				size_t row = rows ? rows[i] : i, leaf = grower->leaf_of_row[row];
				const double *values = tree->values + leaf * n_outputs;
				double *out = scores + row * stride;
				for (size_t k = 0; k < n_outputs; k++)
					out[k] += values[k];
			}
			if (visit)
				visit(context, rows ? rows + first : grower->all_rows + first,
				      last - first);
		}
	}
}

void ml_grower_add_binned(const ml_grower *grower, const ml_tree *tree, const uint8_t *codes,
			  size_t n_code_rows, const uint32_t *rows, size_t n_rows,
			  double *scores, size_t stride)
{
	size_t n = rows ? n_rows : n_code_rows, n_outputs = tree->n_outputs;
	bool parallel = grower->options.parallel && n >= PARALLEL_MIN_ROWS;
	(void)parallel; /* read by the pragma only: unused without OpenMP */
	#pragma omp parallel for schedule(static) if (parallel)
	for (size_t i = 0; i < n; i++) {
		size_t row = rows ? rows[i] : i, node = 0;
		while (!ml_tree_is_leaf(tree, node)) {
			const ml_tree_node *split = &tree->nodes[node];
			unsigned code = codes[split->feature * n_code_rows + row];
			bool left = code == grower->missing_code[split->feature]
				? split->missing_left : code <= grower->split_bin[node];
			node = left ? split->left : split->right;
		}
		for (size_t k = 0; k < n_outputs; k++)
			scores[row * stride + k] += tree->values[node * n_outputs + k];
	}
}
