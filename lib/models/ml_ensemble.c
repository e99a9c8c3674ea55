#include "models/ml_ensemble.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "math/ml_parallel.h"
#include "models/ml_packed_tree.h"

/*
 * Rows per block of prediction.  Small trees (boosting) all stay in cache
 * while a small block of rows goes through them; large trees (forests
 * grown to purity) do not, so a large block of rows goes through each
 * tree in turn while that tree stays in cache.
 */
#define SMALL_BLOCK 256
#define LARGE_BLOCK 32768
/*
 * Rows x steps (nodes visited, a nanosecond or a few each) below which
 * prediction runs on one thread: about a millisecond of walking, against
 * the tens of microseconds of waking a helper (ml_parallel_share).
 * ml-predict hands over 4096 rows at a time.  OpenMP regions were tried
 * first: at their end a thread that waits for a descheduled peer spins,
 * and on a busy machine that doubled the CPU time and gave no wall time
 * back; the helpers sleep, and the caller never waits for one that has
 * not started.
 */
#define PARALLEL_MIN_STEPS ((size_t)1 << 20)
/*
 * The same for large trees (a forest grown to purity), which a block of
 * rows walks one tree at a time, each tree staying in cache: cut into a
 * thread's blocks, 4096 rows fetched every tree several times over and
 * the 25k-row bench forest took twice the CPU and the time.  Only large
 * calls share their work.
 */
#define LARGE_PARALLEL_MIN_STEPS ((size_t)1 << 24)
/*
 * Blocks per thread when small trees share: a helper that starts late
 * still finds work.  Large trees take one block per thread, as each
 * further block fetches every tree again (the bench forest, 250k rows,
 * 2 threads: 1.42 s in eight blocks, 1.13 s in two).
 */
#define BLOCKS_PER_THREAD 4
/* Node bytes of all the trees together below which they count as small. */
#define SMALL_TREES_BYTES ((size_t)512 << 10)
/* Scores of the stack block used when memory runs out (at least one row's). */
#define STACK_SCORES ML_ENSEMBLE_MAX_CLASSES

struct ml_ensemble {
	ml_ensemble_kind kind;
	ml_objective objective;
	size_t n_features;
	size_t n_classes;
	size_t n_scores;
	size_t leaf_outputs;
	double *base_score;
	bool float32;
	size_t n_trees, capacity;
	ml_tree **trees;
	ml_packed_tree **packed; /* trees[t] laid out for prediction */
	ml_ensemble_summary summary;
};

static const char *const kind_names[] = { "tree", "forest", "gbdt", NULL };
static const char *const objective_names[] = { "squared-error", "probability", "logistic",
					       "softmax", NULL };
static const char *const compare_names[] = { "double", "float32", NULL };

const char *ml_ensemble_kind_name(ml_ensemble_kind kind)
{
	return kind_names[kind];
}

const char *ml_objective_name(ml_objective objective)
{
	return objective_names[objective];
}

int ml_ensemble_data_check(const ml_ensemble_data *data, size_t n_classes, ml_error *err)
{
	if (data->n_rows == 0) {
		ml_error_set(err, "no training rows");
		return -1;
	}
	if (data->stride < data->n_features) {
		ml_error_set(err, "rows of %zu values cannot hold %zu features", data->stride,
			     data->n_features);
		return -1;
	}
	double total_weight = 0;
	for (size_t r = 0; r < data->n_rows; r++) {
		double target = data->targets[r];
		if (!isfinite(target)) {
			ml_error_set(err, "row %zu: the target is missing or not finite", r + 1);
			return -1;
		}
		if (n_classes && (target < 0 || target >= (double)n_classes ||
				  target != floor(target))) {
			ml_error_set(err, "row %zu: the target %g is not a class index below %zu",
				     r + 1, target, n_classes);
			return -1;
		}
		double weight = data->weights ? data->weights[r] : 1;
		if (!isfinite(weight) || weight < 0) {
			ml_error_set(err, "row %zu: the weight %g is not a finite number >= 0",
				     r + 1, weight);
			return -1;
		}
		total_weight += weight;
	}
	if (!(total_weight > 0) || !isfinite(total_weight)) {
		ml_error_set(err, "the row weights sum to %g, not a positive number", total_weight);
		return -1;
	}
	return 0;
}

/* ---- the object ------------------------------------------------------- */

static int check_shape(ml_ensemble_kind kind, ml_objective objective, size_t n_features,
		       size_t n_classes, ml_error *err)
{
	bool averaged = kind != ML_ENSEMBLE_GBDT;
	bool fits;
	switch (objective) {
	case ML_OBJECTIVE_SQUARED_ERROR: fits = n_classes == 0; break;
	case ML_OBJECTIVE_PROBABILITY: fits = averaged && n_classes >= 2; break;
	case ML_OBJECTIVE_LOGISTIC: fits = !averaged && n_classes == 2; break;
	case ML_OBJECTIVE_SOFTMAX: fits = !averaged && n_classes >= 3; break;
	default: fits = false;
	}
	if (!fits || (unsigned)kind > ML_ENSEMBLE_GBDT) {
		ml_error_set(err, "a %s ensemble cannot have the objective %s with %zu classes",
			     (unsigned)kind <= ML_ENSEMBLE_GBDT ? kind_names[kind] : "?",
			     (unsigned)objective <= ML_OBJECTIVE_SOFTMAX
			     ? objective_names[objective] : "?", n_classes);
		return -1;
	}
	if (n_classes > ML_ENSEMBLE_MAX_CLASSES || n_features == 0 ||
	    n_features > ML_MAX_COLUMNS) {
		ml_error_set(err, "%zu features and %zu classes are out of bounds", n_features,
			     n_classes);
		return -1;
	}
	return 0;
}

ml_ensemble *ml_ensemble_create(ml_ensemble_kind kind, ml_objective objective,
				size_t n_features, size_t n_classes, ml_error *err)
{
	if (check_shape(kind, objective, n_features, n_classes, err) < 0)
		return NULL;
	ml_ensemble *ensemble = calloc(1, sizeof *ensemble);
	if (!ensemble) {
		ml_error_nomem(err);
		return NULL;
	}
	ensemble->kind = kind;
	ensemble->objective = objective;
	ensemble->n_features = n_features;
	ensemble->n_classes = n_classes;
	bool per_class = objective == ML_OBJECTIVE_PROBABILITY || objective == ML_OBJECTIVE_SOFTMAX;
	ensemble->n_scores = per_class ? n_classes : 1;
	ensemble->leaf_outputs = objective == ML_OBJECTIVE_PROBABILITY ? n_classes : 1;
	ensemble->summary = (ml_ensemble_summary){ 0, 0, NAN, NAN, NAN };
	ensemble->base_score = ml_calloc_array(ensemble->n_scores, sizeof(double), err);
	if (!ensemble->base_score) {
		free(ensemble);
		return NULL;
	}
	return ensemble;
}

void ml_ensemble_free(ml_ensemble *ensemble)
{
	if (!ensemble)
		return;
	for (size_t t = 0; t < ensemble->n_trees; t++) {
		ml_tree_free(ensemble->trees[t]);
		ml_packed_tree_free(ensemble->packed[t]);
	}
	free(ensemble->trees);
	free(ensemble->packed);
	free(ensemble->base_score);
	free(ensemble);
}

/* Doubles the room for trees (and their packed forms). */
static int grow(ml_ensemble *ensemble, ml_error *err)
{
	size_t capacity = ensemble->capacity ? 2 * ensemble->capacity : 16;
	ml_tree **trees = ml_realloc_array(ensemble->trees, capacity, sizeof *trees, err);
	if (!trees)
		return -1;
	ensemble->trees = trees;
	ml_packed_tree **packed = ml_realloc_array(ensemble->packed, capacity, sizeof *packed,
						   err);
	if (!packed)
		return -1;
	ensemble->packed = packed;
	ensemble->capacity = capacity;
	return 0;
}

int ml_ensemble_add_tree(ml_ensemble *ensemble, ml_tree *tree, ml_error *err)
{
	if (tree->n_outputs != ensemble->leaf_outputs) {
		ml_error_set(err, "tree %zu: leaves hold %zu values, not %zu", ensemble->n_trees,
			     tree->n_outputs, ensemble->leaf_outputs);
		ml_tree_free(tree);
		return -1;
	}
	if (ensemble->n_trees >= ML_ENSEMBLE_MAX_TREES) {
		ml_error_set(err, "more than %zu trees", ML_ENSEMBLE_MAX_TREES);
		ml_tree_free(tree);
		return -1;
	}
	if (ml_tree_check(tree, ensemble->n_features, err) < 0) {
		ml_error_prefix(err, "tree %zu", ensemble->n_trees);
		ml_tree_free(tree);
		return -1;
	}
	if (ensemble->n_trees == ensemble->capacity && grow(ensemble, err) < 0) {
		ml_tree_free(tree);
		return -1;
	}
	ml_packed_tree *packed = ml_packed_tree_create(tree, err);
	if (!packed) {
		ml_error_prefix(err, "tree %zu", ensemble->n_trees);
		ml_tree_free(tree);
		return -1;
	}
	ensemble->packed[ensemble->n_trees] = packed;
	ensemble->trees[ensemble->n_trees++] = tree;
	return 0;
}

void ml_ensemble_truncate(ml_ensemble *ensemble, size_t n_trees)
{
	while (ensemble->n_trees > n_trees) {
		ensemble->n_trees--;
		ml_tree_free(ensemble->trees[ensemble->n_trees]);
		ml_packed_tree_free(ensemble->packed[ensemble->n_trees]);
	}
}

int ml_ensemble_set_base_score(ml_ensemble *ensemble, const double *values, ml_error *err)
{
	for (size_t k = 0; k < ensemble->n_scores; k++)
		if (!isfinite(values[k])) {
			ml_error_set(err, "base score %zu is not finite", k + 1);
			return -1;
		}
	memcpy(ensemble->base_score, values, ensemble->n_scores * sizeof *values);
	return 0;
}

void ml_ensemble_set_float32(ml_ensemble *ensemble, bool float32)
{
	ensemble->float32 = float32;
}

void ml_ensemble_set_summary(ml_ensemble *ensemble, const ml_ensemble_summary *summary)
{
	ensemble->summary = *summary;
}

ml_ensemble_kind ml_ensemble_kind_of(const ml_ensemble *ensemble)
{
	return ensemble->kind;
}

ml_objective ml_ensemble_objective(const ml_ensemble *ensemble)
{
	return ensemble->objective;
}

size_t ml_ensemble_n_features(const ml_ensemble *ensemble)
{
	return ensemble->n_features;
}

size_t ml_ensemble_n_classes(const ml_ensemble *ensemble)
{
	return ensemble->n_classes;
}

size_t ml_ensemble_n_scores(const ml_ensemble *ensemble)
{
	return ensemble->n_scores;
}

size_t ml_ensemble_leaf_outputs(const ml_ensemble *ensemble)
{
	return ensemble->leaf_outputs;
}

const double *ml_ensemble_base_score(const ml_ensemble *ensemble)
{
	return ensemble->base_score;
}

size_t ml_ensemble_n_trees(const ml_ensemble *ensemble)
{
	return ensemble->n_trees;
}

const ml_tree *ml_ensemble_tree(const ml_ensemble *ensemble, size_t index)
{
	return index < ensemble->n_trees ? ensemble->trees[index] : NULL;
}

const ml_ensemble_summary *ml_ensemble_get_summary(const ml_ensemble *ensemble)
{
	return &ensemble->summary;
}

/* ---- prediction ------------------------------------------------------- */

/* Scores of rows [first, first + count) into scores (count x n_scores). */
static void block_scores(const ml_ensemble *ensemble, const ml_tree_rows *rows, size_t first,
			 size_t count, double *scores)
{
	size_t n_scores = ensemble->n_scores;
	ml_tree_rows block = *rows;
	block.values = rows->values + first * rows->stride;
	block.n_rows = count;
	block.float32 = ensemble->float32;
	memset(scores, 0, count * n_scores * sizeof *scores);
	bool averaged = ensemble->kind != ML_ENSEMBLE_GBDT;
	for (size_t t = 0; t < ensemble->n_trees; t++) {
		size_t offset = averaged ? 0 : t % n_scores;
		ml_packed_tree_predict_add(ensemble->packed[t], &block, scores + offset, n_scores);
	}
	for (size_t r = 0; r < count; r++)
		for (size_t k = 0; k < n_scores; k++) {
			double *score = &scores[r * n_scores + k];
			if (averaged)
				*score = ensemble->n_trees ? *score / (double)ensemble->n_trees : 0;
			*score += ensemble->base_score[k];
		}
}

typedef void (*block_finish)(const ml_ensemble *ensemble, const double *scores, size_t first,
			     size_t count, double *predictions, double *probabilities);

/*
 * Rows per block: small trees take a small block through all of them,
 * large ones a large block through each in turn (see SMALL_BLOCK), but on
 * threads no more than a quarter of a thread's share (BLOCKS_PER_THREAD),
 * so that every thread has work, even one that starts late.
 * The blocks only group rows: a row's score is the same for any size.
 */
static bool small_trees(const ml_ensemble *ensemble)
{
	size_t n_nodes = 0;
	for (size_t t = 0; t < ensemble->n_trees; t++)
		n_nodes += ensemble->packed[t]->n_nodes;
	return n_nodes * sizeof(ml_packed_node) <= SMALL_TREES_BYTES;
}

static size_t block_rows_for(const ml_ensemble *ensemble, size_t n_rows, size_t n_threads)
{
	bool small = small_trees(ensemble);
	size_t block_rows = small ? SMALL_BLOCK : LARGE_BLOCK;
	size_t per_thread = small ? BLOCKS_PER_THREAD : 1;
	size_t parts = n_threads > 1 ? n_threads * per_thread : 1;
	size_t share = (n_rows + parts - 1) / parts;
	share = (share + ML_PACKED_BLOCK - 1) / ML_PACKED_BLOCK * ML_PACKED_BLOCK;
	return share < block_rows ? share : block_rows;
}

size_t ml_ensemble_batch_rows(const ml_ensemble *ensemble)
{
	return small_trees(ensemble) ? 0 : LARGE_BLOCK;
}

/* Threads for n_rows rows: one unless the walk takes a few milliseconds. */
static size_t threads_for(const ml_ensemble *ensemble, size_t n_rows)
{
	size_t steps = 0; /* per row, at most: a tree's depth, and its leaf */
	for (size_t t = 0; t < ensemble->n_trees; t++)
		steps += ensemble->packed[t]->depth + 1;
	size_t n_threads = ml_parallel_threads(), min_steps = small_trees(ensemble)
		? PARALLEL_MIN_STEPS : LARGE_PARALLEL_MIN_STEPS;
	return n_threads > 1 && steps && n_rows >= min_steps / steps ? n_threads : 1;
}

typedef struct blocks_job {
	const ml_ensemble *ensemble;
	const ml_tree_rows *rows;
	block_finish finish;
	double *out_a, *out_b;
	double *scratch; /* block_size per thread */
	size_t block_rows, block_size;
} blocks_job;

static void score_block(void *context, size_t block, size_t slot)
{
	const blocks_job *job = context;
	double *scores = job->scratch + slot * job->block_size;
	size_t first = block * job->block_rows, n_rows = job->rows->n_rows;
	size_t count = n_rows - first < job->block_rows ? n_rows - first : job->block_rows;
	block_scores(job->ensemble, job->rows, first, count, scores);
	job->finish(job->ensemble, scores, first, count, job->out_a, job->out_b);
}

static int for_blocks(const ml_ensemble *ensemble, const ml_tree_rows *rows,
		      block_finish finish, double *out_a, double *out_b, ml_error *err)
{
	if (rows->n_rows == 0)
		return 0;
	size_t n_threads = threads_for(ensemble, rows->n_rows);
	size_t block_rows = block_rows_for(ensemble, rows->n_rows, n_threads);
	size_t block_size = block_rows * ensemble->n_scores;
	double *scratch = ml_alloc_array(n_threads, block_size * sizeof(double), err);
	if (!scratch) {
		/* Prediction must not fail for want of memory: one thread, a block on the stack. */
		double small[STACK_SCORES];
		size_t few = STACK_SCORES / ensemble->n_scores;
		for (size_t first = 0; first < rows->n_rows; first += few) {
			size_t count = rows->n_rows - first < few ? rows->n_rows - first : few;
			block_scores(ensemble, rows, first, count, small);
			finish(ensemble, small, first, count, out_a, out_b);
		}
		return 0;
	}
	size_t n_blocks = (rows->n_rows + block_rows - 1) / block_rows;
	blocks_job job = { ensemble, rows, finish, out_a, out_b, scratch, block_rows, block_size };
	if (n_threads > 1) {
		ml_parallel_share(n_blocks, score_block, &job);
	} else {
		for (size_t block = 0; block < n_blocks; block++)
			score_block(&job, block, 0);
	}
	free(scratch);
	return 0;
}

static void copy_scores(const ml_ensemble *ensemble, const double *scores, size_t first,
			size_t count, double *out, double *unused)
{
	(void)unused;
	memcpy(out + first * ensemble->n_scores, scores,
	       count * ensemble->n_scores * sizeof *scores);
}

int ml_ensemble_scores(const ml_ensemble *ensemble, const ml_tree_rows *rows, double *scores,
		       ml_error *err)
{
	return for_blocks(ensemble, rows, copy_scores, scores, NULL, err);
}

/* Class probabilities of one row from its scores. */
static void row_probabilities(const ml_ensemble *ensemble, const double *scores,
			      double *probabilities)
{
	size_t n_classes = ensemble->n_classes;
	switch (ensemble->objective) {
	case ML_OBJECTIVE_LOGISTIC: {
		double p = 1 / (1 + exp(-scores[0]));
		probabilities[0] = 1 - p;
		probabilities[1] = p;
		break;
	}
	case ML_OBJECTIVE_SOFTMAX: {
		double top = scores[0], total = 0;
		for (size_t k = 1; k < n_classes; k++)
			if (scores[k] > top)
				top = scores[k];
		for (size_t k = 0; k < n_classes; k++)
			total += probabilities[k] = exp(scores[k] - top);
		for (size_t k = 0; k < n_classes; k++)
			probabilities[k] /= total;
		break;
	}
	default:
		memcpy(probabilities, scores, n_classes * sizeof *scores);
	}
}

static void finish_predictions(const ml_ensemble *ensemble, const double *scores, size_t first,
			       size_t count, double *predictions, double *probabilities)
{
	size_t n_classes = ensemble->n_classes, n_scores = ensemble->n_scores;
	for (size_t r = 0; r < count; r++) {
		const double *row_scores = scores + r * n_scores;
		if (n_classes == 0) {
			if (predictions)
				predictions[first + r] = row_scores[0];
			continue;
		}
		double local[2];
		double *p = probabilities ? probabilities + (first + r) * n_classes : local;
		if (!probabilities && n_classes > 2) {
			/* Softmax and averaging keep the order of the scores: argmax them. */
			p = (double *)row_scores;
		} else {
			row_probabilities(ensemble, row_scores, p);
		}
		size_t best = 0;
		for (size_t k = 1; k < n_classes; k++)
			if (p[k] > p[best])
				best = k;
		if (predictions)
			predictions[first + r] = (double)best;
	}
}

int ml_ensemble_predict(const ml_ensemble *ensemble, const ml_tree_rows *rows,
			double *predictions, double *probabilities, ml_error *err)
{
	if (ensemble->n_classes == 0)
		probabilities = NULL;
	return for_blocks(ensemble, rows, finish_predictions, predictions, probabilities, err);
}

void ml_ensemble_importances(const ml_ensemble *ensemble, double *gain, double *count)
{
	memset(gain, 0, ensemble->n_features * sizeof *gain);
	memset(count, 0, ensemble->n_features * sizeof *count);
	for (size_t t = 0; t < ensemble->n_trees; t++) {
		const ml_tree *tree = ensemble->trees[t];
		for (size_t i = 0; i < tree->n_nodes; i++)
			if (!ml_tree_is_leaf(tree, i)) {
				gain[tree->nodes[i].feature] += tree->gain[i];
				count[tree->nodes[i].feature] += 1;
			}
	}
}

/* ---- text ------------------------------------------------------------- */

void ml_ensemble_write(const ml_ensemble *ensemble, ml_buf *out)
{
	ml_text_key(out, "ensemble");
	ml_text_string(out, kind_names[ensemble->kind]);
	ml_text_newline(out);
	ml_text_key(out, "objective");
	ml_text_string(out, objective_names[ensemble->objective]);
	ml_text_newline(out);
	ml_text_key(out, "features");
	ml_text_size(out, ensemble->n_features);
	ml_text_newline(out);
	ml_text_key(out, "classes");
	ml_text_size(out, ensemble->n_classes);
	ml_text_newline(out);
	ml_text_key(out, "compare");
	ml_text_string(out, compare_names[ensemble->float32]);
	ml_text_newline(out);
	ml_text_key(out, "base-score");
	for (size_t k = 0; k < ensemble->n_scores; k++)
		ml_text_double(out, ensemble->base_score[k]);
	ml_text_newline(out);
	ml_text_key(out, "trees");
	ml_text_size(out, ensemble->n_trees);
	ml_text_newline(out);
	for (size_t t = 0; t < ensemble->n_trees; t++)
		ml_tree_write(ensemble->trees[t], t, out);
}

/* The next line, which must be "key VALUE" with VALUE one of choices. */
static int parse_choice(ml_text_reader *reader, const char *key, const char *const *choices,
			size_t *choice, ml_error *err)
{
	ml_text_line line;
	if (ml_text_next_required(reader, &line, key, err) <= 0 ||
	    ml_text_expect(reader, &line, key, 1, err) < 0)
		return -1;
	return ml_text_get_choice(reader, &line, 1, choices, choice, err);
}

static int parse_size(ml_text_reader *reader, const char *key, size_t max, size_t *value,
		      ml_text_line *line, ml_error *err)
{
	if (ml_text_next_required(reader, line, key, err) <= 0 ||
	    ml_text_expect(reader, line, key, 1, err) < 0)
		return -1;
	return ml_text_get_size(reader, line, 1, max, value, err);
}

ml_ensemble *ml_ensemble_parse(ml_text_reader *reader, ml_error *err)
{
	size_t kind, objective, n_features, n_classes, compare, n_trees;
	ml_text_line line;
	if (parse_choice(reader, "ensemble", kind_names, &kind, err) < 0 ||
	    parse_choice(reader, "objective", objective_names, &objective, err) < 0 ||
	    parse_size(reader, "features", ML_MAX_COLUMNS, &n_features, &line, err) < 0 ||
	    parse_size(reader, "classes", ML_ENSEMBLE_MAX_CLASSES, &n_classes, &line, err) < 0)
		return NULL;
	ml_error problem;
	ml_ensemble *ensemble = ml_ensemble_create((ml_ensemble_kind)kind, (ml_objective)objective,
						   n_features, n_classes, &problem);
	if (!ensemble) {
		ml_text_fail(reader, &line, err, "%s", problem.message);
		return NULL;
	}
	if (parse_choice(reader, "compare", compare_names, &compare, err) < 0)
		goto fail;
	ensemble->float32 = compare == 1;
	if (ml_text_next_required(reader, &line, "base-score", err) <= 0 ||
	    ml_text_expect(reader, &line, "base-score", ensemble->n_scores, err) < 0)
		goto fail;
	for (size_t k = 0; k < ensemble->n_scores; k++) {
		if (ml_text_get_double(reader, &line, k + 1, &ensemble->base_score[k], err) < 0)
			goto fail;
		if (!isfinite(ensemble->base_score[k])) {
			ml_text_fail(reader, &line, err, "base score %zu is not finite", k + 1);
			goto fail;
		}
	}
	if (parse_size(reader, "trees", ML_ENSEMBLE_MAX_TREES, &n_trees, &line, err) < 0)
		goto fail;
	for (size_t t = 0; t < n_trees; t++) {
		ml_tree *tree = ml_tree_parse(reader, t, n_features, ensemble->leaf_outputs, err);
		if (!tree || ml_ensemble_add_tree(ensemble, tree, err) < 0)
			goto fail;
	}
	return ensemble;
fail:
	ml_ensemble_free(ensemble);
	return NULL;
}
