#include "models/ml_boost.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_random.h"
#include "math/ml_parallel.h"
#include "models/ml_bins.h"
#include "models/ml_grow.h"

/* Rows per block of the loss sums: fixed, so the sum is the same for any thread count. */
#define LOSS_BLOCK 8192
/* Rows below which a pass over them runs on one thread (see ml_grow.c). */
#define PARALLEL_MIN_ROWS ((size_t)1 << 17)
/* The smallest hessian of a log-loss row (xgboost's): p(1 - p) underflows. */
#define MIN_HESSIAN 1e-16

void ml_boost_options_init(ml_boost_options *options)
{
	options->n_classes = 0;
	options->n_trees = 100;
	options->learning_rate = 0.1;
	options->max_depth = 6;
	options->max_leaves = 0;
	options->min_child_weight = 1;
	options->min_samples_leaf = 1;
	options->lambda = 1;
	options->gamma = 0;
	options->subsample = 1;
	options->colsample = 1;
	options->max_bins = ML_BINS_MAX;
	options->early_stopping_rounds = 0;
	options->seed = 0;
	options->progress = NULL;
	options->progress_context = NULL;
}

int ml_boost_options_check(const ml_boost_options *options, ml_error *err)
{
	if (options->n_classes == 1 || options->n_classes > ML_ENSEMBLE_MAX_CLASSES) {
		ml_error_set(err, "classification needs 2 to %zu classes, not %zu",
			     ML_ENSEMBLE_MAX_CLASSES, options->n_classes);
		return -1;
	}
	size_t per_round = options->n_classes > 2 ? options->n_classes : 1;
	if (options->n_trees == 0 || options->n_trees > ML_ENSEMBLE_MAX_TREES / per_round) {
		ml_error_set(err, "n_trees must be between 1 and %zu, not %zu",
			     ML_ENSEMBLE_MAX_TREES / per_round, options->n_trees);
		return -1;
	}
	if (!(options->learning_rate > 0) || !isfinite(options->learning_rate)) {
		ml_error_set(err, "the learning rate must be a finite number > 0");
		return -1;
	}
	if (!(options->subsample > 0 && options->subsample <= 1) ||
	    !(options->colsample > 0 && options->colsample <= 1)) {
		ml_error_set(err, "subsample and colsample must be fractions in (0, 1]");
		return -1;
	}
	if (options->max_depth == 0 && options->max_leaves == 0) {
		ml_error_set(err, "boosted trees need max_depth or max_leaves");
		return -1;
	}
	ml_grow_options grow;
	ml_grow_options_init(&grow);
	grow.lambda = options->lambda;
	grow.gamma = options->gamma;
	grow.max_depth = options->max_depth;
	grow.max_leaves = options->max_leaves;
	grow.min_child_weight = options->min_child_weight;
	grow.min_samples_leaf = options->min_samples_leaf;
	if (ml_grow_options_check(&grow, err) < 0)
		return -1;
	ml_bins_options bins;
	ml_bins_options_init(&bins);
	bins.max_bins = options->max_bins;
	return ml_bins_options_check(&bins, err);
}

/* ---- the objectives ---------------------------------------------------- */

typedef struct boost_run {
	const ml_boost_options *options;
	const ml_ensemble_data *train, *valid;
	ml_objective objective;
	size_t n_scores;        /* scores per row, trees per round */
	ml_bins *bins;
	uint8_t *codes, *valid_codes;
	double *scores, *valid_scores; /* n_rows x n_scores */
	double *pairs;                 /* (g, h) per row, n_rows of them per class */
	bool gradients_ready;          /* pairs hold the gradients of the current scores */
	uint32_t *rows, *sample;       /* rows with weight; this round's sample of them */
	size_t n_used;
	size_t *features;
	ml_grower *grower;
	ml_ensemble *ensemble;
} boost_run;

static double weight_of(const ml_ensemble_data *data, size_t r)
{
	return data->weights ? data->weights[r] : 1;
}

static double sigmoid(double x)
{
	return 1 / (1 + exp(-x));
}

/* log(1 + exp(x)) without overflow. */
static double softplus(double x)
{
	return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
}

/* Softmax of scores into probabilities (n values). */
static void softmax(const double *scores, size_t n, double *probabilities)
{
	double top = scores[0], total = 0;
	for (size_t k = 1; k < n; k++)
		if (scores[k] > top)
			top = scores[k];
	for (size_t k = 0; k < n; k++)
		total += probabilities[k] = exp(scores[k] - top);
	for (size_t k = 0; k < n; k++)
		probabilities[k] /= total;
}

/* The prior: every row's score before the first tree. */
static void base_score(const boost_run *run, double *base)
{
	const ml_ensemble_data *train = run->train;
	size_t n_scores = run->n_scores, n_classes = run->options->n_classes;
	double weight = 0;
	memset(base, 0, n_scores * sizeof *base);
	if (n_classes > 2) {
		/* base doubles as the class weights first. */
		for (size_t r = 0; r < train->n_rows; r++) {
			base[(size_t)train->targets[r]] += weight_of(train, r);
			weight += weight_of(train, r);
		}
		double mean_log = 0;
		for (size_t k = 0; k < n_scores; k++) {
			double p = base[k] / weight;
			p = p < DBL_EPSILON ? DBL_EPSILON
				: p > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : p;
			base[k] = log(p);
			mean_log += base[k];
		}
		mean_log /= (double)n_scores;
		for (size_t k = 0; k < n_scores; k++)
			base[k] -= mean_log;
		return;
	}
	double sum = 0;
	for (size_t r = 0; r < train->n_rows; r++) {
		sum += weight_of(train, r) * train->targets[r];
		weight += weight_of(train, r);
	}
	double mean = sum / weight;
	if (n_classes == 2) {
		double p = mean < DBL_EPSILON ? DBL_EPSILON
			: mean > 1 - DBL_EPSILON ? 1 - DBL_EPSILON : mean;
		base[0] = log(p / (1 - p));
	} else {
		base[0] = mean;
	}
}

/* Gradients and hessians of rows[0..n), from their scores. */
static void gradients_of_rows(void *context, const uint32_t *rows, size_t n)
{
	const boost_run *run = context;
	const ml_ensemble_data *train = run->train;
	size_t n_rows = train->n_rows, n_scores = run->n_scores;
	double *pairs = run->pairs;
	for (size_t i = 0; i < n; i++) {
		size_t r = rows[i];
		double w = weight_of(train, r), y = train->targets[r];
		const double *score = run->scores + r * n_scores;
		if (run->objective == ML_OBJECTIVE_SQUARED_ERROR) {
			pairs[2 * r] = w * (score[0] - y);
			pairs[2 * r + 1] = w;
		} else if (run->objective == ML_OBJECTIVE_LOGISTIC) {
			double p = sigmoid(score[0]), h = p * (1 - p);
			pairs[2 * r] = w * (p - y);
			pairs[2 * r + 1] = w * (h > MIN_HESSIAN ? h : MIN_HESSIAN);
		} else {
			double p[ML_ENSEMBLE_MAX_CLASSES];
			softmax(score, n_scores, p);
			for (size_t k = 0; k < n_scores; k++) {
				double h = p[k] * (1 - p[k]);
				double *pair = pairs + 2 * (k * n_rows + r);
				pair[0] = w * (p[k] - ((size_t)y == k));
				pair[1] = w * (h > MIN_HESSIAN ? h : MIN_HESSIAN);
			}
		}
	}
}

/* The gradients of every row with weight. */
static void compute_gradients(boost_run *run)
{
	size_t n_blocks = (run->n_used + LOSS_BLOCK - 1) / LOSS_BLOCK;
	#pragma omp parallel for schedule(static) if (run->n_used >= PARALLEL_MIN_ROWS)
	for (size_t block = 0; block < n_blocks; block++) {
		size_t first = block * LOSS_BLOCK;
		size_t count = run->n_used - first < LOSS_BLOCK ? run->n_used - first : LOSS_BLOCK;
		gradients_of_rows(run, run->rows + first, count);
	}
	run->gradients_ready = true;
}

/* One row's loss from its scores. */
static double row_loss(ml_objective objective, const double *score, size_t n_scores, double y)
{
	switch (objective) {
	case ML_OBJECTIVE_SQUARED_ERROR:
		return (score[0] - y) * (score[0] - y);
	case ML_OBJECTIVE_LOGISTIC:
		return softplus(score[0]) - y * score[0];
	default: {
		double top = score[0], total = 0;
		for (size_t k = 1; k < n_scores; k++)
			if (score[k] > top)
				top = score[k];
		for (size_t k = 0; k < n_scores; k++)
			total += exp(score[k] - top);
		return top + log(total) - score[(size_t)y];
	}
	}
}

/* The weighted mean loss of data's rows with scores; blocks summed in order. */
static double mean_loss(const boost_run *run, const ml_ensemble_data *data,
			const double *scores, double *block_sums)
{
	size_t n_blocks = (data->n_rows + LOSS_BLOCK - 1) / LOSS_BLOCK;
	#pragma omp parallel for schedule(static) if (data->n_rows >= PARALLEL_MIN_ROWS)
	for (size_t block = 0; block < n_blocks; block++) {
		size_t first = block * LOSS_BLOCK;
		size_t last = first + LOSS_BLOCK < data->n_rows ? first + LOSS_BLOCK : data->n_rows;
		double loss = 0, weight = 0;
		for (size_t r = first; r < last; r++) {
			double w = weight_of(data, r);
			if (w > 0)
				loss += w * row_loss(run->objective, scores + r * run->n_scores,
						     run->n_scores, data->targets[r]);
			weight += w;
		}
		block_sums[2 * block] = loss;
		block_sums[2 * block + 1] = weight;
	}
	double loss = 0, weight = 0;
	for (size_t block = 0; block < n_blocks; block++) {
		loss += block_sums[2 * block];
		weight += block_sums[2 * block + 1];
	}
	return weight > 0 ? loss / weight : NAN;
}

/* ---- rounds ----------------------------------------------------------- */

static void run_free(boost_run *run)
{
	ml_bins_free(run->bins);
	free(run->codes);
	free(run->valid_codes);
	free(run->scores);
	free(run->valid_scores);
	free(run->pairs);
	free(run->rows);
	free(run->sample);
	free(run->features);
	ml_grower_free(run->grower);
	ml_ensemble_free(run->ensemble);
}

static int check_inputs(const ml_boost_options *options, const ml_ensemble_data *train,
			const ml_ensemble_data *valid, ml_error *err)
{
	if (ml_boost_options_check(options, err) < 0 ||
	    ml_ensemble_data_check(train, options->n_classes, err) < 0)
		return -1;
	if (train->n_features == 0 || train->n_features > ML_MAX_COLUMNS) {
		ml_error_set(err, "%zu features: trees need 1 to %zu", train->n_features,
			     ML_MAX_COLUMNS);
		return -1;
	}
	if (valid) {
		if (valid->n_features != train->n_features) {
			ml_error_set(err, "validation rows have %zu features, training rows %zu",
				     valid->n_features, train->n_features);
			return -1;
		}
		if (ml_ensemble_data_check(valid, options->n_classes, err) < 0) {
			ml_error_prefix(err, "validation rows");
			return -1;
		}
	} else if (options->early_stopping_rounds) {
		ml_error_set(err, "early stopping needs validation rows");
		return -1;
	}
	return 0;
}

static int bin_rows(boost_run *run, ml_error *err)
{
	const ml_ensemble_data *train = run->train, *valid = run->valid;
	ml_bins_options bins;
	ml_bins_options_init(&bins);
	bins.max_bins = run->options->max_bins;
	bins.seed = run->options->seed;
	run->bins = ml_bins_fit(train->features, train->n_rows, train->n_features, train->stride,
				&bins, err);
	if (!run->bins || !(run->codes = ml_alloc_array(train->n_rows, train->n_features, err)))
		return -1;
	ml_bins_apply(run->bins, train->features, train->n_rows, train->stride, run->codes);
	if (valid) {
		run->valid_codes = ml_alloc_array(valid->n_rows, valid->n_features, err);
		if (!run->valid_codes)
			return -1;
		ml_bins_apply(run->bins, valid->features, valid->n_rows, valid->stride,
			      run->valid_codes);
	}
	return 0;
}

static int start(boost_run *run, ml_error *err)
{
	const ml_boost_options *options = run->options;
	const ml_ensemble_data *train = run->train, *valid = run->valid;
	size_t n_rows = train->n_rows, n_scores = run->n_scores;
	if (bin_rows(run, err) < 0)
		return -1;
	run->scores = ml_alloc_array(n_rows, n_scores * sizeof(double), err);
	run->pairs = ml_calloc_array(n_rows, 2 * n_scores * sizeof(double), err);
	run->rows = ml_alloc_array(n_rows, sizeof *run->rows, err);
	run->sample = ml_alloc_array(n_rows, sizeof *run->sample, err);
	run->features = ml_alloc_array(train->n_features, sizeof *run->features, err);
	if (!run->scores || !run->pairs || !run->rows || !run->sample || !run->features)
		return -1;
	if (valid && !(run->valid_scores = ml_alloc_array(valid->n_rows,
							  n_scores * sizeof(double), err)))
		return -1;
	run->ensemble = ml_ensemble_create(ML_ENSEMBLE_GBDT, run->objective, train->n_features,
					   options->n_classes, err);
	if (!run->ensemble)
		return -1;
	double base[ML_ENSEMBLE_MAX_CLASSES];
	base_score(run, base);
	if (ml_ensemble_set_base_score(run->ensemble, base, err) < 0)
		return -1;
	for (size_t r = 0; r < n_rows; r++)
		memcpy(run->scores + r * n_scores, base, n_scores * sizeof *base);
	for (size_t r = 0; valid && r < valid->n_rows; r++)
		memcpy(run->valid_scores + r * n_scores, base, n_scores * sizeof *base);
	run->n_used = 0;
	for (size_t r = 0; r < n_rows; r++)
		if (weight_of(train, r) > 0)
			run->rows[run->n_used++] = (uint32_t)r;

	ml_grow_options grow;
	ml_grow_options_init(&grow);
	grow.lambda = options->lambda;
	grow.gamma = options->gamma;
	grow.max_depth = options->max_depth;
	grow.max_leaves = options->max_leaves;
	grow.min_child_weight = options->min_child_weight;
	grow.min_samples_leaf = options->min_samples_leaf;
	run->grower = ml_grower_create(run->bins, run->codes, n_rows, &grow, err);
	return run->grower ? 0 : -1;
}

/* This round's rows: each row with weight kept with probability subsample. */
static size_t draw_sample(boost_run *run, ml_random *random)
{
	if (run->options->subsample >= 1)
		return run->n_used;
	size_t n = 0;
	for (size_t i = 0; i < run->n_used; i++)
		if (ml_random_uniform(random) < run->options->subsample)
			run->sample[n++] = run->rows[i];
	if (n == 0)
		run->sample[n++] = run->rows[ml_random_below(random, run->n_used)];
	return n;
}

static int compare_sizes(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* This tree's features: round(colsample * n) of them (at least 1), increasing. */
static size_t draw_features(boost_run *run, ml_random *random)
{
	size_t n_features = run->train->n_features;
	double wanted = floor(run->options->colsample * (double)n_features + 0.5);
	size_t count = wanted < 1 ? 1 : wanted > (double)n_features ? n_features : (size_t)wanted;
	for (size_t f = 0; f < n_features; f++)
		run->features[f] = f;
	if (count == n_features)
		return count;
	for (size_t i = 0; i < count; i++) {
		size_t j = i + (size_t)ml_random_below(random, n_features - i);
		size_t swap = run->features[i];
		run->features[i] = run->features[j];
		run->features[j] = swap;
	}
	qsort(run->features, count, sizeof *run->features, compare_sizes);
	return count;
}

/*
 * Tree k of a round: grown, scaled, applied to the scores, kept.  The
 * round's last tree computes the next round's gradients in the pass that
 * adds its leaves (unless rows were sampled: then the next round does).
 */
static int grow_round_tree(boost_run *run, size_t k, size_t n_sample, bool last,
			   ml_random *random, ml_error *err)
{
	const ml_ensemble_data *train = run->train, *valid = run->valid;
	size_t n_rows = train->n_rows, n_scores = run->n_scores;
	size_t n_features = draw_features(run, random);
	bool sampled = n_sample < run->n_used;
	ml_grow_data data = {
		.pairs = run->pairs + 2 * k * n_rows,
		.rows = sampled ? run->sample : run->rows,
		.n_rows = n_sample,
		.features = n_features < train->n_features ? run->features : NULL,
		.n_features = n_features,
	};
	ml_tree *tree = ml_grower_grow(run->grower, &data, err);
	if (!tree)
		return -1;
	for (size_t i = 0; i < tree->n_nodes; i++)
		if (ml_tree_is_leaf(tree, i))
			tree->values[i] *= run->options->learning_rate;
	if (sampled) {
		ml_grower_add_binned(run->grower, tree, run->codes, n_rows, run->rows, run->n_used,
				     run->scores + k, n_scores);
	} else {
		bool next = last && k + 1 == n_scores;
		ml_grower_add_leaves(run->grower, tree, run->scores + k, n_scores,
				     next ? gradients_of_rows : NULL, run);
		run->gradients_ready = next;
	}
	if (valid)
		ml_grower_add_binned(run->grower, tree, run->valid_codes, valid->n_rows, NULL, 0,
				     run->valid_scores + k, n_scores);
	return ml_ensemble_add_tree(run->ensemble, tree, err);
}

static void report(const boost_run *run, size_t round, double train_loss, double valid_loss)
{
	char line[200];
	int length = snprintf(line, sizeof line, "round %zu: training loss %.9g", round + 1,
			      train_loss);
	if (run->valid && length > 0 && (size_t)length < sizeof line)
		snprintf(line + length, sizeof line - (size_t)length, ", validation loss %.9g",
			 valid_loss);
	run->options->progress(run->options->progress_context, line);
}

ml_ensemble *ml_boost_fit(const ml_boost_options *options, const ml_ensemble_data *train,
			  const ml_ensemble_data *valid, ml_error *err)
{
	if (check_inputs(options, train, valid, err) < 0)
		return NULL;
	boost_run run = { 0 };
	run.options = options;
	run.train = train;
	run.valid = valid;
	run.objective = options->n_classes == 0 ? ML_OBJECTIVE_SQUARED_ERROR
		: options->n_classes == 2 ? ML_OBJECTIVE_LOGISTIC : ML_OBJECTIVE_SOFTMAX;
	run.n_scores = options->n_classes > 2 ? options->n_classes : 1;
	size_t larger = valid && valid->n_rows > train->n_rows ? valid->n_rows : train->n_rows;
	double *block_sums = ml_alloc_array(larger / LOSS_BLOCK + 1, 2 * sizeof(double), err);
	if (!block_sums || start(&run, err) < 0)
		goto fail;
	ml_ensemble_summary summary = { 0, 0, NAN, NAN, NAN };
	double best_loss = INFINITY, best_train_loss = NAN;
	size_t best_round = 0, round;
	for (round = 0; round < options->n_trees; round++) {
		ml_random random;
		ml_random_init_stream(&random, options->seed, round);
		if (!run.gradients_ready)
			compute_gradients(&run);
		size_t n_sample = draw_sample(&run, &random);
		bool more = round + 1 < options->n_trees;
		for (size_t k = 0; k < run.n_scores; k++)
			if (grow_round_tree(&run, k, n_sample, more, &random, err) < 0)
				goto fail;
		double valid_loss = valid ? mean_loss(&run, valid, run.valid_scores, block_sums)
			: NAN;
		/* With early stopping, the training loss of the round that may be kept. */
		bool stopping = options->early_stopping_rounds > 0;
		double train_loss = options->progress || stopping
			? mean_loss(&run, train, run.scores, block_sums) : NAN;
		if (options->progress)
			report(&run, round, train_loss, valid_loss);
		if (valid && valid_loss < best_loss) {
			best_loss = valid_loss;
			best_train_loss = train_loss;
			best_round = round;
		}
		if (options->early_stopping_rounds &&
		    round - best_round >= options->early_stopping_rounds) {
			round++;
			break;
		}
	}
	summary.rounds_run = round;
	summary.train_loss = mean_loss(&run, train, run.scores, block_sums);
	summary.rounds = round;
	if (valid) {
		summary.valid_loss = mean_loss(&run, valid, run.valid_scores, block_sums);
		if (options->early_stopping_rounds) {
			summary.rounds = best_round + 1;
			summary.valid_loss = best_loss;
			summary.train_loss = best_train_loss;
			ml_ensemble_truncate(run.ensemble, summary.rounds * run.n_scores);
		}
	}
	ml_ensemble_set_summary(run.ensemble, &summary);
	ml_ensemble *ensemble = run.ensemble;
	run.ensemble = NULL;
	run_free(&run);
	free(block_sums);
	return ensemble;
fail:
	run_free(&run);
	free(block_sums);
	return NULL;
}
