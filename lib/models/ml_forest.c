#include "models/ml_forest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_random.h"
#include "math/ml_parallel.h"
#include "models/ml_bins.h"
#include "models/ml_grow.h"
#include "models/ml_packed_tree.h"

/*
 * Histogram pool of each forest tree's learner.  Fixed, not divided by the
 * thread count: when a pool fills changes the rounding of the histograms,
 * and the forest must not depend on the thread count.
 */
#define FOREST_HISTOGRAM_BYTES ((size_t)64 << 20)

void ml_forest_options_init(ml_forest_options *options)
{
	options->n_classes = 0;
	options->criterion = ML_CRITERION_GINI;
	options->n_trees = 100;
	options->bootstrap = true;
	options->max_depth = 0;
	options->min_samples_split = 2;
	options->min_samples_leaf = 1;
	options->max_leaf_nodes = 0;
	options->max_features = ML_MAX_FEATURES_DEFAULT;
	options->max_features_value = 0;
	options->max_bins = ML_BINS_MAX;
	options->oob_score = false;
	options->seed = 0;
	options->progress = NULL;
	options->progress_context = NULL;
}

int ml_forest_options_check(const ml_forest_options *options, ml_error *err)
{
	if (options->n_classes == 1 || options->n_classes > ML_ENSEMBLE_MAX_CLASSES) {
		ml_error_set(err, "classification needs 2 to %zu classes, not %zu",
			     ML_ENSEMBLE_MAX_CLASSES, options->n_classes);
		return -1;
	}
	if (options->n_trees == 0 || options->n_trees > ML_ENSEMBLE_MAX_TREES) {
		ml_error_set(err, "n_trees must be between 1 and %zu, not %zu",
			     ML_ENSEMBLE_MAX_TREES, options->n_trees);
		return -1;
	}
	if (options->max_depth > ML_TREE_MAX_DEPTH) {
		ml_error_set(err, "max_depth must be at most %d, not %zu", ML_TREE_MAX_DEPTH,
			     options->max_depth);
		return -1;
	}
	if (options->min_samples_split < 2 || options->min_samples_leaf < 1) {
		ml_error_set(err, "min_samples_split must be at least 2 and min_samples_leaf"
			     " at least 1");
		return -1;
	}
	if (options->max_leaf_nodes == 1) {
		ml_error_set(err, "max_leaf_nodes must be at least 2 (or 0: no limit)");
		return -1;
	}
	double value = options->max_features_value;
	if ((options->max_features == ML_MAX_FEATURES_FRACTION && !(value > 0 && value <= 1)) ||
	    (options->max_features == ML_MAX_FEATURES_COUNT &&
	     !(value >= 1 && value == floor(value) && value <= (double)ML_MAX_COLUMNS))) {
		ml_error_set(err, "max_features must be a fraction in (0, 1] or a whole count"
			     " >= 1, not %g", value);
		return -1;
	}
	if ((unsigned)options->max_features > ML_MAX_FEATURES_COUNT ||
	    (unsigned)options->criterion > ML_CRITERION_ENTROPY) {
		ml_error_set(err, "unknown max_features rule or criterion");
		return -1;
	}
	ml_bins_options bins;
	ml_bins_options_init(&bins);
	bins.max_bins = options->max_bins;
	return ml_bins_options_check(&bins, err);
}

size_t ml_forest_max_features(const ml_forest_options *options, size_t n_features, bool forest)
{
	double chosen;
	switch (options->max_features) {
	case ML_MAX_FEATURES_DEFAULT:
		chosen = forest && options->n_classes ? floor(sqrt((double)n_features))
			: (double)n_features;
		break;
	case ML_MAX_FEATURES_SQRT: chosen = floor(sqrt((double)n_features)); break;
	case ML_MAX_FEATURES_LOG2: chosen = floor(log2((double)n_features)); break;
	case ML_MAX_FEATURES_FRACTION:
		chosen = floor(options->max_features_value * (double)n_features);
		break;
	case ML_MAX_FEATURES_COUNT: chosen = options->max_features_value; break;
	default: chosen = (double)n_features;
	}
	if (chosen < 1)
		chosen = 1;
	return chosen >= (double)n_features ? n_features : (size_t)chosen;
}

/* ---- what every tree shares ------------------------------------------- */

typedef struct forest_setup {
	const ml_forest_options *options;
	const ml_ensemble_data *data;
	ml_bins *bins;
	uint8_t *codes;
	ml_grow_options grow;
	size_t n_outputs;
	double target_mean; /* regression: targets are centred on it */
} forest_setup;

static void setup_free(forest_setup *setup)
{
	ml_bins_free(setup->bins);
	free(setup->codes);
}

static int setup_init(forest_setup *setup, const ml_forest_options *options,
		      const ml_ensemble_data *data, bool forest, ml_error *err)
{
	memset(setup, 0, sizeof *setup);
	setup->options = options;
	setup->data = data;
	if (ml_forest_options_check(options, err) < 0 ||
	    ml_ensemble_data_check(data, options->n_classes, err) < 0)
		return -1;
	if (data->n_features == 0 || data->n_features > ML_MAX_COLUMNS) {
		ml_error_set(err, "%zu features: trees need 1 to %zu", data->n_features,
			     ML_MAX_COLUMNS);
		return -1;
	}
	ml_bins_options bins;
	ml_bins_options_init(&bins);
	bins.max_bins = options->max_bins;
	bins.seed = options->seed;
	setup->bins = ml_bins_fit(data->features, data->n_rows, data->n_features, data->stride,
				  &bins, err);
	if (!setup->bins)
		return -1;
	setup->codes = ml_alloc_array(data->n_rows, data->n_features, err);
	if (!setup->codes)
		return -1;
	ml_bins_apply(setup->bins, data->features, data->n_rows, data->stride, setup->codes);

	setup->n_outputs = options->n_classes ? options->n_classes : 1;
	ml_grow_options *grow = &setup->grow;
	ml_grow_options_init(grow);
	grow->criterion = options->n_classes && options->criterion == ML_CRITERION_ENTROPY
		? ML_GROW_ENTROPY : ML_GROW_NEWTON;
	grow->n_outputs = setup->n_outputs;
	grow->cart = true;
	grow->max_depth = options->max_depth;
	grow->max_leaves = options->max_leaf_nodes;
	grow->min_samples_split = options->min_samples_split;
	grow->min_samples_leaf = options->min_samples_leaf;
	grow->max_features = ml_forest_max_features(options, data->n_features, forest);
	if (forest) {
		grow->parallel = false;
		grow->max_histogram_bytes = FOREST_HISTOGRAM_BYTES;
	}
	if (!options->n_classes) {
		/* Centred targets keep the sums of squares free of cancellation. */
		double sum = 0, weight = 0;
		for (size_t r = 0; r < data->n_rows; r++) {
			double w = data->weights ? data->weights[r] : 1;
			sum += w * data->targets[r];
			weight += w;
		}
		setup->target_mean = sum / weight;
	}
	return 0;
}

/* Gradients of row r with weight w: -w (one-hot class) or -w (centred y); h = w. */
static void set_row_gradients(const forest_setup *setup, size_t r, double weight,
			      double *gradients, double *hessians)
{
	size_t n_outputs = setup->n_outputs;
	double *g = gradients + r * n_outputs;
	if (setup->options->n_classes) {
		memset(g, 0, n_outputs * sizeof *g);
		g[(size_t)setup->data->targets[r]] = -weight;
	} else {
		g[0] = -weight * (setup->data->targets[r] - setup->target_mean);
	}
	hessians[r] = weight;
}

/*
 * A grown tree made ready: regression leaves get their centring back (they
 * hold the mean), and the nodes are numbered depth-first, which keeps the
 * walks down these deep trees in nearby memory.
 */
static int finish_tree(const forest_setup *setup, ml_tree *tree, ml_error *err)
{
	if (!setup->options->n_classes)
		for (size_t i = 0; i < tree->n_nodes; i++)
			if (ml_tree_is_leaf(tree, i))
				tree->values[i] += setup->target_mean;
	return ml_tree_depth_first(tree, err);
}

static ml_ensemble *new_ensemble(const forest_setup *setup, ml_ensemble_kind kind,
				 ml_error *err)
{
	size_t n_classes = setup->options->n_classes;
	return ml_ensemble_create(kind, n_classes ? ML_OBJECTIVE_PROBABILITY
				  : ML_OBJECTIVE_SQUARED_ERROR, setup->data->n_features,
				  n_classes, err);
}

/* ---- one tree --------------------------------------------------------- */

ml_ensemble *ml_tree_fit(const ml_forest_options *options, const ml_ensemble_data *data,
			 ml_error *err)
{
	forest_setup setup;
	ml_grower *grower = NULL;
	ml_ensemble *ensemble = NULL;
	double *gradients = NULL, *hessians = NULL;
	uint32_t *rows = NULL;
	if (setup_init(&setup, options, data, false, err) < 0)
		goto done;
	size_t n_rows = data->n_rows, n_used = 0;
	gradients = ml_alloc_array(n_rows, setup.n_outputs * sizeof(double), err);
	hessians = ml_alloc_array(n_rows, sizeof(double), err);
	rows = ml_alloc_array(n_rows, sizeof(uint32_t), err);
	if (!gradients || !hessians || !rows)
		goto done;
	for (size_t r = 0; r < n_rows; r++) {
		double weight = data->weights ? data->weights[r] : 1;
		set_row_gradients(&setup, r, weight, gradients, hessians);
		if (weight > 0)
			rows[n_used++] = (uint32_t)r;
	}
	grower = ml_grower_create(setup.bins, setup.codes, n_rows, &setup.grow, err);
	if (!grower)
		goto done;
	ml_random random;
	ml_random_init_stream(&random, options->seed, 0);
	ml_grow_data grow = { .gradients = gradients, .hessians = hessians, .rows = rows,
			      .n_rows = n_used, .random = &random };
	ml_tree *tree = ml_grower_grow(grower, &grow, err);
	if (!tree)
		goto done;
	if (finish_tree(&setup, tree, err) < 0) {
		ml_tree_free(tree);
		goto done;
	}
	ensemble = new_ensemble(&setup, ML_ENSEMBLE_TREE, err);
	if (!ensemble) {
		ml_tree_free(tree);
	} else if (ml_ensemble_add_tree(ensemble, tree, err) < 0) {
		ml_ensemble_free(ensemble);
		ensemble = NULL;
	}
	if (ensemble && options->progress) {
		char line[160];
		snprintf(line, sizeof line, "tree: %zu nodes, %zu leaves, depth %zu",
			 tree->n_nodes, ml_tree_n_leaves(tree), ml_tree_depth(tree));
		options->progress(options->progress_context, line);
	}
done:
	ml_grower_free(grower);
	free(gradients);
	free(hessians);
	free(rows);
	setup_free(&setup);
	return ensemble;
}

/* ---- a forest --------------------------------------------------------- */

/* One thread's learner and buffers, reused from tree to tree. */
typedef struct forest_worker {
	ml_grower *grower;
	double *gradients;
	double *hessians;
	uint32_t *counts;
	uint32_t *rows;
} forest_worker;

static void worker_free(forest_worker *worker)
{
	ml_grower_free(worker->grower);
	free(worker->gradients);
	free(worker->hessians);
	free(worker->counts);
	free(worker->rows);
}

static int worker_init(forest_worker *worker, const forest_setup *setup, ml_error *err)
{
	size_t n_rows = setup->data->n_rows;
	memset(worker, 0, sizeof *worker);
	worker->gradients = ml_alloc_array(n_rows, setup->n_outputs * sizeof(double), err);
	worker->hessians = ml_alloc_array(n_rows, sizeof(double), err);
	worker->counts = ml_alloc_array(n_rows, sizeof(uint32_t), err);
	worker->rows = ml_alloc_array(n_rows, sizeof(uint32_t), err);
	if (!worker->gradients || !worker->hessians || !worker->counts || !worker->rows)
		return -1;
	worker->grower = ml_grower_create(setup->bins, setup->codes, n_rows, &setup->grow, err);
	return worker->grower ? 0 : -1;
}

/*
 * Tree t: its bootstrap sample (or every row), drawn first from its own
 * stream, then grown with the rest of that stream.  out_of_bag, when not
 * NULL, gets a bit per row not drawn.
 */
static ml_tree *grow_forest_tree(forest_worker *worker, const forest_setup *setup, size_t t,
				 uint64_t *out_of_bag, ml_error *err)
{
	const ml_ensemble_data *data = setup->data;
	size_t n_rows = data->n_rows, n_used = 0;
	ml_random random;
	ml_random_init_stream(&random, setup->options->seed, t);
	if (setup->options->bootstrap) {
		memset(worker->counts, 0, n_rows * sizeof *worker->counts);
		for (size_t i = 0; i < n_rows; i++)
			worker->counts[ml_random_below(&random, n_rows)]++;
	}
	for (size_t r = 0; r < n_rows; r++) {
		uint32_t count = setup->options->bootstrap ? worker->counts[r] : 1;
		double weight = (data->weights ? data->weights[r] : 1) * count;
		if (count == 0 && out_of_bag)
			out_of_bag[r / 64] |= (uint64_t)1 << (r % 64);
		if (weight > 0) {
			set_row_gradients(setup, r, weight, worker->gradients, worker->hessians);
			worker->rows[n_used++] = (uint32_t)r;
		}
	}
	if (n_used == 0) {
		ml_error_set(err, "tree %zu: the bootstrap sample has no weight", t);
		return NULL;
	}
	ml_grow_data grow = { .gradients = worker->gradients, .hessians = worker->hessians,
			      .rows = worker->rows, .n_rows = n_used, .random = &random };
	ml_tree *tree = ml_grower_grow(worker->grower, &grow, err);
	if (tree && finish_tree(setup, tree, err) < 0) {
		ml_tree_free(tree);
		return NULL;
	}
	return tree;
}

typedef struct forest_run {
	const forest_setup *setup;
	ml_tree **trees;
	uint64_t *out_of_bag; /* n_trees x words bits, or NULL */
	size_t words;         /* 64-bit words per tree */
	size_t done;
	size_t failed;        /* the first tree that failed, or n_trees */
	ml_error failure;
} forest_run;

static void note_failure(forest_run *run, size_t t, const ml_error *err)
{
	#pragma omp critical(ml_forest_failure)
	{
		if (t < run->failed) {
			run->failed = t;
			run->failure = *err;
		}
	}
}

static void note_done(forest_run *run)
{
	const ml_forest_options *options = run->setup->options;
	#pragma omp critical(ml_forest_progress)
	{
		run->done++;
		if (options->progress) {
			char line[80];
			snprintf(line, sizeof line, "forest: %zu of %zu trees", run->done,
				 options->n_trees);
			options->progress(options->progress_context, line);
		}
	}
}

static void grow_all(forest_run *run)
{
	const forest_setup *setup = run->setup;
	size_t n_trees = setup->options->n_trees;
	#pragma omp parallel
	{
		forest_worker worker;
		ml_error err;
		err.message[0] = '\0';
		bool ready = worker_init(&worker, setup, &err) == 0;
		#pragma omp for schedule(dynamic, 1)
		for (size_t t = 0; t < n_trees; t++) {
			if (!ready) {
				note_failure(run, t, &err);
				continue;
			}
			uint64_t *bits = run->out_of_bag ? run->out_of_bag + t * run->words : NULL;
			run->trees[t] = grow_forest_tree(&worker, setup, t, bits, &err);
			if (!run->trees[t])
				note_failure(run, t, &err);
			else
				note_done(run);
		}
		worker_free(&worker);
	}
}

/* Rows a thread walks down a tree at a time for the out-of-bag score (a multiple of 64). */
#define OOB_CHUNK 1024

/* A thread's room for a chunk's out-of-bag rows: their features and leaf values. */
typedef struct oob_buffers {
	double *features; /* OOB_CHUNK x n_features */
	double *leaves;   /* OOB_CHUNK x n_outputs */
	uint32_t *rows;   /* OOB_CHUNK row numbers */
} oob_buffers;

static void oob_buffers_free(oob_buffers *buffers, size_t n_threads)
{
	for (size_t i = 0; buffers && i < n_threads; i++) {
		free(buffers[i].features);
		free(buffers[i].leaves);
		free(buffers[i].rows);
	}
	free(buffers);
}

static oob_buffers *oob_buffers_create(size_t n_threads, size_t n_features, size_t n_outputs,
				       ml_error *err)
{
	oob_buffers *buffers = ml_calloc_array(n_threads, sizeof *buffers, err);
	for (size_t i = 0; buffers && i < n_threads; i++) {
		oob_buffers *own = &buffers[i];
		own->features = ml_alloc_array(OOB_CHUNK * n_features, sizeof(double), err);
		own->leaves = ml_alloc_array(OOB_CHUNK * n_outputs, sizeof(double), err);
		own->rows = ml_alloc_array(OOB_CHUNK, sizeof *own->rows, err);
		if (!own->features || !own->leaves || !own->rows) {
			oob_buffers_free(buffers, n_threads);
			return NULL;
		}
	}
	return buffers;
}

/*
 * Adds tree t's leaf values to the sums of the rows of [first, end) that
 * tree t left out, with the packed 16-row walk over a copy of their
 * features: each sum gets the same additions in the same order as a walk
 * row by row would give it.
 */
static void oob_chunk_tree(const forest_run *run, const ml_packed_tree *packed, size_t t,
			   size_t first, size_t end, oob_buffers *own, double *sums,
			   uint32_t *votes)
{
	const ml_ensemble_data *data = run->setup->data;
	size_t n_features = data->n_features, n_outputs = run->setup->n_outputs, n = 0;
	const uint64_t *bits = run->out_of_bag + t * run->words;
	for (size_t r = first; r < end; r++)
		if (bits[r / 64] >> (r % 64) & 1) {
			memcpy(own->features + n * n_features, data->features + r * data->stride,
			       n_features * sizeof(double));
			own->rows[n++] = (uint32_t)r;
		}
	if (n == 0)
		return;
	memset(own->leaves, 0, n * n_outputs * sizeof(double));
	ml_tree_rows rows = { own->features, n, n_features, NULL, false };
	ml_packed_tree_predict_add(packed, &rows, own->leaves, n_outputs);
	for (size_t i = 0; i < n; i++) {
		size_t r = own->rows[i];
		for (size_t k = 0; k < n_outputs; k++)
			sums[r * n_outputs + k] += own->leaves[i * n_outputs + k];
		votes[r]++;
	}
}

/*
 * Each row's sum of the leaf values of the trees that left it out, and
 * their count: tree after tree (one packed tree at a time, whose top
 * levels stay in cache), parallel over chunks of rows.
 */
static int out_of_bag_sums(const forest_run *run, double *sums, uint32_t *votes, ml_error *err)
{
	const forest_setup *setup = run->setup;
	size_t n_rows = setup->data->n_rows, n_trees = setup->options->n_trees;
	size_t n_threads = ml_parallel_threads(), n_chunks = (n_rows + OOB_CHUNK - 1) / OOB_CHUNK;
	oob_buffers *buffers = oob_buffers_create(n_threads, setup->data->n_features,
						  setup->n_outputs, err);
	if (!buffers)
		return -1;
	for (size_t t = 0; t < n_trees; t++) {
		ml_packed_tree *packed = ml_packed_tree_create(run->trees[t], err);
		if (!packed) {
			oob_buffers_free(buffers, n_threads);
			return -1;
		}
		#pragma omp parallel for schedule(static) num_threads(n_threads)
		for (size_t c = 0; c < n_chunks; c++) {
			size_t first = c * OOB_CHUNK;
			size_t end = first + OOB_CHUNK < n_rows ? first + OOB_CHUNK : n_rows;
			oob_chunk_tree(run, packed, t, first, end,
				       &buffers[ml_parallel_thread_index()], sums, votes);
		}
		ml_packed_tree_free(packed);
	}
	oob_buffers_free(buffers, n_threads);
	return 0;
}

/*
 * The out-of-bag score: accuracy (classification) or R^2 (regression) of
 * the averaged predictions of the trees that did not draw each row, over
 * the rows some tree left out.
 */
static int out_of_bag_score(const forest_run *run, double *score, ml_error *err)
{
	const forest_setup *setup = run->setup;
	const ml_ensemble_data *data = setup->data;
	size_t n_rows = data->n_rows, n_outputs = setup->n_outputs;
	double *sums = ml_calloc_array(n_rows, n_outputs * sizeof(double), err);
	uint32_t *votes = ml_calloc_array(n_rows, sizeof *votes, err);
	if (!sums || !votes || out_of_bag_sums(run, sums, votes, err) < 0) {
		free(sums);
		free(votes);
		return -1;
	}
	double hits = 0, counted = 0, target_sum = 0, residual = 0, total = 0;
	for (size_t r = 0; r < n_rows; r++)
		if (votes[r]) {
			counted++;
			target_sum += data->targets[r];
		}
	double target_mean = counted ? target_sum / counted : 0;
	for (size_t r = 0; r < n_rows; r++) {
		if (!votes[r])
			continue;
		const double *sum = sums + r * n_outputs;
		if (setup->options->n_classes) {
			size_t best = 0;
			for (size_t k = 1; k < n_outputs; k++)
				if (sum[k] > sum[best])
					best = k;
			hits += (double)best == data->targets[r];
		} else {
			double error = data->targets[r] - sum[0] / votes[r];
			double spread = data->targets[r] - target_mean;
			residual += error * error;
			total += spread * spread;
		}
	}
	free(sums);
	free(votes);
	if (!counted)
		*score = NAN;
	else if (setup->options->n_classes)
		*score = hits / counted;
	else
		*score = total > 0 ? 1 - residual / total : NAN;
	return 0;
}

ml_ensemble *ml_forest_fit(const ml_forest_options *options, const ml_ensemble_data *data,
			   ml_error *err)
{
	forest_setup setup;
	forest_run run = { 0 };
	ml_ensemble *ensemble = NULL;
	if (setup_init(&setup, options, data, true, err) < 0)
		goto done;
	run.setup = &setup;
	run.failed = options->n_trees;
	run.trees = ml_calloc_array(options->n_trees, sizeof *run.trees, err);
	if (!run.trees)
		goto done;
	if (options->oob_score && options->bootstrap) {
		size_t bits;
		run.words = (data->n_rows + 63) / 64;
		if (!ml_size_mul(run.words, options->n_trees, &bits)) {
			ml_error_nomem(err);
			goto done;
		}
		run.out_of_bag = ml_calloc_array(bits, sizeof *run.out_of_bag, err);
		if (!run.out_of_bag)
			goto done;
	}
	grow_all(&run);
	if (run.failed < options->n_trees) {
		*err = run.failure;
		goto done;
	}
	ml_ensemble_summary summary = { 0, 0, NAN, NAN, NAN };
	if (run.out_of_bag && out_of_bag_score(&run, &summary.oob_score, err) < 0)
		goto done;
	ensemble = new_ensemble(&setup, ML_ENSEMBLE_FOREST, err);
	if (!ensemble)
		goto done;
	ml_ensemble_set_summary(ensemble, &summary);
	for (size_t t = 0; t < options->n_trees; t++) {
		ml_tree *tree = run.trees[t];
		run.trees[t] = NULL;
		if (ml_ensemble_add_tree(ensemble, tree, err) < 0) {
			ml_ensemble_free(ensemble);
			ensemble = NULL;
			goto done;
		}
	}
done:
	if (run.trees)
		for (size_t t = 0; t < options->n_trees; t++)
			ml_tree_free(run.trees[t]);
	free(run.trees);
	free(run.out_of_bag);
	setup_free(&setup);
	return ensemble;
}
