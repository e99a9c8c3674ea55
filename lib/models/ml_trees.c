/*
 * The tree kinds of the estimator registry: tree (one CART tree), forest
 * (a random forest) and gbdt (gradient-boosted trees), all on the
 * histogram learner (models/ml_forest.h, models/ml_boost.h).  Here: their
 * parameter tables, the checks, fitting (rows, classes, validation rows)
 * and prediction; their file lines and descriptions are in ml_trees_text.c.
 *
 * Missing feature values (NaN) pass through to them: the learner routes
 * them.  Defaults that depend on the task ("auto": the criterion, a
 * forest's features per split, gbdt's validation fraction) are resolved
 * at fit and written resolved into the model.
 */
#include "models/ml_trees_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_clock.h"
#include "models/ml_bins.h"
#include "models/ml_boost.h"
#include "models/ml_forest.h"
#include "stages/ml_split.h"

/* ---- the parameter tables --------------------------------------------- */

enum { CRITERION_AUTO, CRITERION_GINI, CRITERION_ENTROPY, CRITERION_SQUARED_ERROR };
/* Words of --max-features; numbers are fractions (< 1) or counts (>= 1). */
#define FEATURES_AUTO (-1.0)
#define FEATURES_ALL (-2.0)
#define FEATURES_SQRT (-3.0)
#define FEATURES_LOG2 (-4.0)
#define FRACTION_AUTO (-1.0)
/* gbdt --valid-fraction auto with --early-stop and no --valid. */
#define DEFAULT_VALID_FRACTION 0.1

static const ml_param_word no_limit[] = { { "none", 0 }, { NULL, 0 } };
static const ml_param_word criteria[] = {
	{ "auto", CRITERION_AUTO }, { "gini", CRITERION_GINI }, { "entropy", CRITERION_ENTROPY },
	{ "squared-error", CRITERION_SQUARED_ERROR }, { NULL, 0 }
};
static const ml_param_word feature_rules[] = {
	{ "auto", FEATURES_AUTO }, { "all", FEATURES_ALL }, { "sqrt", FEATURES_SQRT },
	{ "log2", FEATURES_LOG2 }, { NULL, 0 }
};
static const ml_param_word fractions[] = {
	{ "auto", FRACTION_AUTO }, { "none", 0 }, { NULL, 0 }
};

#define PARAM_TREES(default_count)                                                        \
	{ .name = "trees", .type = ML_PARAM_COUNT, .arg = "N", .default_text = default_count, \
	  .min = 1, .max = (double)ML_ENSEMBLE_MAX_TREES, .help = "grow N trees (rounds for gbdt)" }
#define PARAM_CRITERION                                                                   \
	{ .name = "criterion", .type = ML_PARAM_CHOICE, .arg = "C", .default_text = "auto",   \
	  .words = criteria, .help = "gini or entropy (classes), squared-error (regression);"  \
	  " auto: gini or squared-error" }
#define PARAM_MAX_DEPTH(default_depth)                                                    \
	{ .name = "max-depth", .type = ML_PARAM_COUNT, .arg = "D",                          \
	  .default_text = default_depth, .min = 1, .max = ML_TREE_MAX_DEPTH, .words = no_limit, \
	  .help = "grow at most D levels below the root ('none': no limit)" }
#define PARAM_MIN_SAMPLES_SPLIT                                                           \
	{ .name = "min-samples-split", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "2", \
	  .min = 2, .max = 4294967295.0, .help = "split only nodes of N rows or more" }
#define PARAM_MIN_SAMPLES_LEAF                                                            \
	{ .name = "min-samples-leaf", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "1", \
	  .min = 1, .max = 4294967295.0, .help = "every leaf keeps N rows or more" }
#define PARAM_MAX_LEAVES(name_text)                                                       \
	{ .name = name_text, .type = ML_PARAM_COUNT, .arg = "N", .default_text = "none",      \
	  .min = 2, .max = (double)ML_TREE_MAX_NODES, .words = no_limit,                      \
	  .help = "at most N leaves, grown best first ('none': no limit, level by level)" }
#define PARAM_MAX_FEATURES(default_rule, help_text)                                       \
	{ .name = "max-features", .type = ML_PARAM_REAL, .arg = "F",                        \
	  .default_text = default_rule, .min = 0, .min_exclusive = true,                      \
	  .max = (double)ML_MAX_COLUMNS, .words = feature_rules, .help = help_text }
#define PARAM_MAX_BINS                                                                    \
	{ .name = "max-bins", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "255",     \
	  .min = 2, .max = ML_BINS_MAX, .help = "cut each feature into at most N bins" }

static const ml_param tree_params[] = {
	PARAM_CRITERION,
	PARAM_MAX_DEPTH("none"),
	PARAM_MIN_SAMPLES_SPLIT,
	PARAM_MIN_SAMPLES_LEAF,
	PARAM_MAX_LEAVES("max-leaf-nodes"),
	PARAM_MAX_FEATURES("all", "features tried per split: all, sqrt, log2, a fraction"
			   " below 1 or a count"),
	PARAM_MAX_BINS,
};

static const ml_param forest_params[] = {
	PARAM_TREES("100"),
	PARAM_CRITERION,
	PARAM_MAX_DEPTH("none"),
	PARAM_MIN_SAMPLES_SPLIT,
	PARAM_MIN_SAMPLES_LEAF,
	PARAM_MAX_LEAVES("max-leaf-nodes"),
	PARAM_MAX_FEATURES("auto", "features tried per split: all, sqrt, log2, a fraction"
			   " below 1 or a count; auto: sqrt for classes, all for regression"),
	{ .name = "bootstrap", .type = ML_PARAM_BOOL, .flag = "no-bootstrap",
	  .default_text = "true", .help = "grow every tree on all the rows, not a bootstrap sample" },
	{ .name = "oob-score", .type = ML_PARAM_BOOL, .flag = "oob-score", .default_text = "false",
	  .help = "score each row with the trees that did not draw it (-v prints it)" },
	PARAM_MAX_BINS,
};

static const ml_param gbdt_params[] = {
	PARAM_TREES("100"),
	{ .name = "learning-rate", .type = ML_PARAM_REAL, .arg = "R", .default_text = "0.1",
	  .min = 0, .min_exclusive = true, .max = INFINITY,
	  .help = "shrink each tree's leaf values by R" },
	PARAM_MAX_DEPTH("6"),
	PARAM_MAX_LEAVES("max-leaves"),
	{ .name = "min-child-weight", .type = ML_PARAM_REAL, .arg = "W", .default_text = "1",
	  .min = 0, .max = INFINITY, .help = "every leaf keeps a hessian sum of W or more" },
	PARAM_MIN_SAMPLES_LEAF,
	{ .name = "lambda", .type = ML_PARAM_REAL, .arg = "L", .default_text = "1", .min = 0,
	  .max = INFINITY, .help = "L2 penalty on leaf values: -G / (H + L)" },
	{ .name = "gamma", .type = ML_PARAM_REAL, .arg = "G", .default_text = "0", .min = 0,
	  .max = INFINITY, .help = "split only for a gain above G" },
	{ .name = "subsample", .type = ML_PARAM_REAL, .arg = "F", .default_text = "1", .min = 0,
	  .min_exclusive = true, .max = 1, .help = "each round draws this fraction of the rows" },
	{ .name = "colsample", .type = ML_PARAM_REAL, .arg = "F", .default_text = "1", .min = 0,
	  .min_exclusive = true, .max = 1, .help = "each tree draws this fraction of the features" },
	PARAM_MAX_BINS,
	{ .name = "early-stop", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "none",
	  .min = 1, .max = (double)ML_ENSEMBLE_MAX_TREES, .words = no_limit,
	  .help = "stop when the validation loss has not improved for N rounds" },
	{ .name = "valid-fraction", .type = ML_PARAM_REAL, .arg = "F", .default_text = "auto",
	  .min = 0, .min_exclusive = true, .max = 1, .words = fractions,
	  .help = "hold out this fraction of the rows (stratified) to validate on;"
		  " auto: 0.1 with --early-stop and no --valid, else none" },
};

#define N_OF(table) (sizeof table / sizeof table[0])

/* The value of the hyperparameter called name (the tables above have it). */
static double param(const ml_estimator *kind, const double *params, const char *name)
{
	size_t index = ml_estimator_find_param(kind, name);
	return index == ML_NO_PARAM ? NAN : params[index];
}

static void set_param(ml_model *model, const char *name, double value)
{
	size_t index = ml_estimator_find_param(model->kind, name);
	if (index != ML_NO_PARAM)
		model->hyper[index] = value;
}

/* ---- checks ----------------------------------------------------------- */

static int check_max_features(const ml_estimator *kind, const double *params, ml_error *err)
{
	double value = param(kind, params, "max-features");
	if (value >= 1 && value != floor(value)) {
		ml_error_set(err, "--max-features: '%g' is neither a fraction below 1 nor a whole"
			     " count of features", value);
		return -1;
	}
	return 0;
}

static int check_tree(const double *params, ml_error *err)
{
	return check_max_features(&ml_tree_estimator, params, err);
}

static int check_forest(const double *params, ml_error *err)
{
	return check_max_features(&ml_forest_estimator, params, err);
}

static int check_gbdt(const double *params, ml_error *err)
{
	const ml_estimator *kind = &ml_gbdt_estimator;
	if (param(kind, params, "max-depth") == 0 && param(kind, params, "max-leaves") == 0) {
		ml_error_set(err, "boosted trees need a limit: --max-depth or --max-leaves");
		return -1;
	}
	if (param(kind, params, "valid-fraction") == 1) {
		ml_error_set(err, "--valid-fraction must be below 1: some rows must train");
		return -1;
	}
	return 0;
}

/* The criterion must suit the task, when the task is known before the fit. */
static int check_criterion(const ml_estimator *kind, const double *params, ml_task task,
			   ml_error *err)
{
	double criterion = param(kind, params, "criterion");
	if (task == ML_TASK_REGRESSION &&
	    (criterion == CRITERION_GINI || criterion == CRITERION_ENTROPY)) {
		ml_error_set(err, "--criterion %s is for classification; regression trees use"
			     " squared-error", criterion == CRITERION_GINI ? "gini" : "entropy");
		return -1;
	}
	if (task == ML_TASK_CLASSIFICATION && criterion == CRITERION_SQUARED_ERROR) {
		ml_error_set(err, "--criterion squared-error is for regression; classification"
			     " trees use gini or entropy");
		return -1;
	}
	return 0;
}

static int check_fit_cart(const ml_fit_options *options, ml_error *err)
{
	if (!options->task_given)
		return 0;
	return check_criterion(options->kind, options->params, options->task, err);
}

static int check_fit_gbdt(const ml_fit_options *options, ml_error *err)
{
	const ml_estimator *kind = options->kind;
	double fraction = param(kind, options->params, "valid-fraction");
	if (options->valid && fraction > 0) {
		ml_error_set(err, "--valid and --valid-fraction: one validation set at a time");
		return -1;
	}
	if (param(kind, options->params, "early-stop") > 0 && !options->valid && fraction == 0) {
		ml_error_set(err, "--early-stop needs validation rows: --valid FILE or"
			     " --valid-fraction F");
		return -1;
	}
	return 0;
}

/* ---- progress ----------------------------------------------------------- */

/*
 * Lines of long loops, let through at most one per progress_interval
 * seconds; the last one held back goes out at the end, so the final state
 * is always shown.
 */
typedef struct progress_gate {
	const ml_fit_options *options;
	double last;
	char held[256];
} progress_gate;

static void gate_line(void *context, const char *line)
{
	progress_gate *gate = context;
	double now = ml_clock_now();
	if (gate->options->progress_interval <= 0 ||
	    now - gate->last >= gate->options->progress_interval) {
		ml_fit_report(gate->options, "%s", line);
		gate->last = now;
		gate->held[0] = '\0';
	} else {
		snprintf(gate->held, sizeof gate->held, "%s", line);
	}
}

static void gate_flush(progress_gate *gate)
{
	if (gate->held[0])
		ml_fit_report(gate->options, "%s", gate->held);
	gate->held[0] = '\0';
}

/* ---- rows and classes ------------------------------------------------- */

/* The training rows as the learners take them. */
typedef struct tree_rows {
	double *all;          /* n_rows x (n_features + 1): features, then the target */
	size_t n_rows;
	double *targets;      /* n_rows: a class index, or the value */
	size_t *class_of_row; /* classification: each row's class */
	double *class_value;  /* classification: each class's target value, increasing */
	double *valid;        /* validation rows, laid out as all */
	double *valid_targets;
	size_t n_valid;
} tree_rows;

static void tree_rows_free(tree_rows *rows)
{
	free(rows->all);
	free(rows->targets);
	free(rows->class_of_row);
	free(rows->class_value);
	free(rows->valid);
	free(rows->valid_targets);
}

/* Reads the rows, and for classification finds the classes. */
static int read_rows(ml_model *model, ml_training_rows *training, tree_rows *rows,
		     ml_error *err)
{
	size_t d = model->n_features;
	if (ml_training_rows_all(training, &rows->all, &rows->n_rows, err) < 0)
		return -1;
	size_t n = rows->n_rows;
	if (n == 0)
		return 0; /* ml_model_fit reports the empty input */
	if (!(rows->targets = ml_alloc_array(n, sizeof *rows->targets, err)))
		return -1;
	if (model->task == ML_TASK_REGRESSION) {
		for (size_t r = 0; r < n; r++)
			rows->targets[r] = rows->all[r * (d + 1) + d];
		return 0;
	}
	size_t n_names;
	char *const *names = ml_training_rows_class_names(training, &n_names);
	if (!(rows->class_of_row = ml_alloc_array(n, sizeof *rows->class_of_row, err)) ||
	    ml_model_set_classes(model, rows->all + d, d + 1, n, names, n_names,
				 ML_ENSEMBLE_MAX_CLASSES, rows->class_of_row, err) < 0)
		return -1;
	if (model->n_classes < 2) {
		ml_error_set(err, "the target '%s' has one class only ('%s'): nothing to tell apart",
			     model->columns.names[model->columns.target], model->class_names[0]);
		return -1;
	}
	if (!(rows->class_value = ml_alloc_array(model->n_classes, sizeof(double), err)))
		return -1;
	for (size_t r = 0; r < n; r++) {
		rows->targets[r] = (double)rows->class_of_row[r];
		rows->class_value[rows->class_of_row[r]] = rows->all[r * (d + 1) + d];
	}
	return 0;
}

/* The class index of a target value, or -1 when no training row had it. */
static long class_index(const ml_model *model, const tree_rows *rows, double value)
{
	size_t low = 0, high = model->n_classes;
	while (low < high) {
		size_t middle = (low + high) / 2;
		if (rows->class_value[middle] < value)
			low = middle + 1;
		else
			high = middle;
	}
	return low < model->n_classes && rows->class_value[low] == value ? (long)low : -1;
}

/* The validation rows of --valid, their targets as the training rows'. */
static int read_valid_file(ml_model *model, const ml_fit_options *options, tree_rows *rows,
			   ml_error *err)
{
	size_t d = model->n_features;
	if (ml_training_valid_all(model, options, &rows->valid, &rows->n_valid, err) < 0)
		return -1;
	if (rows->n_valid == 0) {
		ml_error_set(err, "%s: no validation rows", options->valid->name);
		return -1;
	}
	if (!(rows->valid_targets = ml_alloc_array(rows->n_valid, sizeof(double), err)))
		return -1;
	for (size_t r = 0; r < rows->n_valid; r++) {
		double value = rows->valid[r * (d + 1) + d];
		if (model->task == ML_TASK_REGRESSION) {
			rows->valid_targets[r] = value;
			continue;
		}
		long k = class_index(model, rows, value);
		if (k < 0) {
			size_t n_names;
			char *const *names = ml_chain_class_names(options->valid->chain, &n_names);
			if (names && value >= 0 && value < (double)n_names)
				ml_error_set(err, "%s: row %zu: class '%s' does not occur in the"
					     " training rows", options->valid->name, r + 1,
					     names[(size_t)value]);
			else
				ml_error_set(err, "%s: row %zu: class %g does not occur in the"
					     " training rows", options->valid->name, r + 1, value);
			return -1;
		}
		rows->valid_targets[r] = (double)k;
	}
	return 0;
}

/*
 * Moves a seeded hold-out of the rows (stratified by class) to the
 * validation rows: the training rows keep their order, and so do the
 * held-out ones.
 */
static int hold_out(ml_model *model, const ml_fit_options *options, double fraction,
		    tree_rows *rows, ml_error *err)
{
	size_t n = rows->n_rows, width = model->n_features + 1;
	ml_split_options split;
	ml_split_options_init(&split);
	split.seed = options->seed;
	split.test_fraction = fraction;
	unsigned char *is_valid = ml_alloc_array(n, 1, err);
	if (!is_valid)
		return -1;
	ml_split_summary summary;
	if (ml_split_assign(&split, n, rows->class_of_row, model->n_classes, is_valid, &summary,
			    err) < 0) {
		ml_error_prefix(err, "--valid-fraction %g", fraction);
		free(is_valid);
		return -1;
	}
	rows->n_valid = summary.n_test;
	rows->valid = ml_alloc_array(rows->n_valid, width * sizeof(double), err);
	rows->valid_targets = ml_alloc_array(rows->n_valid, sizeof(double), err);
	if (!rows->valid || !rows->valid_targets) {
		free(is_valid);
		return -1;
	}
	size_t kept = 0, held = 0;
	for (size_t r = 0; r < n; r++) {
		const double *row = rows->all + r * width;
		if (is_valid[r]) {
			memcpy(rows->valid + held * width, row, width * sizeof *row);
			rows->valid_targets[held++] = rows->targets[r];
		} else {
			memmove(rows->all + kept * width, row, width * sizeof *row);
			rows->targets[kept++] = rows->targets[r];
		}
	}
	rows->n_rows = kept;
	free(is_valid);
	return 0;
}

static ml_ensemble_data ensemble_data(const ml_model *model, const double *values,
				      size_t n_rows, const double *targets)
{
	return (ml_ensemble_data){ .features = values, .n_rows = n_rows,
				   .n_features = model->n_features,
				   .stride = model->n_features + 1, .targets = targets };
}

/* ---- tree and forest -------------------------------------------------- */

/* Resolves "auto" to what the task takes, in the model too. */
static void resolve_criterion(ml_model *model)
{
	if (param(model->kind, model->hyper, "criterion") == CRITERION_AUTO)
		set_param(model, "criterion", model->task == ML_TASK_CLASSIFICATION
			  ? CRITERION_GINI : CRITERION_SQUARED_ERROR);
}

static void resolve_max_features(ml_model *model)
{
	if (param(model->kind, model->hyper, "max-features") != FEATURES_AUTO)
		return;
	bool forest = model->kind == &ml_forest_estimator;
	set_param(model, "max-features", forest && model->task == ML_TASK_CLASSIFICATION
		  ? FEATURES_SQRT : FEATURES_ALL);
}

static void forest_options_of(const ml_model *model, const ml_fit_options *fit,
			      ml_forest_options *options)
{
	const ml_estimator *kind = model->kind;
	const double *hyper = model->hyper;
	ml_forest_options_init(options);
	options->n_classes = model->task == ML_TASK_CLASSIFICATION ? model->n_classes : 0;
	options->criterion = param(kind, hyper, "criterion") == CRITERION_ENTROPY
		? ML_CRITERION_ENTROPY : ML_CRITERION_GINI;
	if (kind == &ml_forest_estimator) {
		options->n_trees = (size_t)param(kind, hyper, "trees");
		options->bootstrap = param(kind, hyper, "bootstrap") != 0;
		options->oob_score = param(kind, hyper, "oob-score") != 0;
	}
	options->max_depth = (size_t)param(kind, hyper, "max-depth");
	options->min_samples_split = (size_t)param(kind, hyper, "min-samples-split");
	options->min_samples_leaf = (size_t)param(kind, hyper, "min-samples-leaf");
	options->max_leaf_nodes = (size_t)param(kind, hyper, "max-leaf-nodes");
	double features = param(kind, hyper, "max-features");
	if (features == FEATURES_SQRT) {
		options->max_features = ML_MAX_FEATURES_SQRT;
	} else if (features == FEATURES_LOG2) {
		options->max_features = ML_MAX_FEATURES_LOG2;
	} else if (features > 0) {
		options->max_features = features < 1 ? ML_MAX_FEATURES_FRACTION
						      : ML_MAX_FEATURES_COUNT;
		options->max_features_value = features;
	} else {
		options->max_features = ML_MAX_FEATURES_ALL;
	}
	options->max_bins = (size_t)param(kind, hyper, "max-bins");
	options->seed = fit->seed;
}

/* Accuracy or R^2 of the ensemble on rows. */
static double score_rows(const ml_model *model, const ml_ensemble *ensemble,
			 const tree_rows *rows, ml_error *err)
{
	size_t n = rows->n_rows;
	double *predictions = ml_alloc_array(n, sizeof *predictions, err);
	if (!predictions)
		return NAN;
	ml_tree_rows tree_rows = { rows->all, n, model->n_features + 1, NULL, false };
	ml_ensemble_predict(ensemble, &tree_rows, predictions, NULL, err);
	double hits = 0, mean = 0, residual = 0, total = 0;
	for (size_t r = 0; r < n; r++)
		mean += rows->targets[r];
	mean /= (double)n;
	for (size_t r = 0; r < n; r++) {
		double y = rows->targets[r];
		hits += predictions[r] == y;
		residual += (predictions[r] - y) * (predictions[r] - y);
		total += (y - mean) * (y - mean);
	}
	free(predictions);
	if (model->task == ML_TASK_CLASSIFICATION)
		return hits / (double)n;
	return total > 0 ? 1 - residual / total : NAN;
}

static void report_start(const ml_model *model, const ml_fit_options *options, size_t n_rows)
{
	if (model->task == ML_TASK_CLASSIFICATION)
		ml_fit_report(options, "%s: classification (the target '%s' holds classes), %zu"
			      " classes, %zu rows, %zu features", model->kind->name,
			      model->columns.names[model->columns.target], model->n_classes, n_rows,
			      model->n_features);
	else
		ml_fit_report(options, "%s: regression (the target '%s' is numeric), %zu rows, %zu"
			      " features", model->kind->name,
			      model->columns.names[model->columns.target], n_rows,
			      model->n_features);
}

static int fit_cart(ml_model *model, const ml_fit_options *options, ml_training_rows *training,
		    ml_error *err)
{
	tree_rows rows = { 0 };
	trees_state *state = NULL;
	int status = -1;
	if (read_rows(model, training, &rows, err) < 0)
		goto done;
	if (rows.n_rows == 0) {
		status = 0;
		goto done;
	}
	if (check_criterion(model->kind, model->hyper, model->task, err) < 0)
		goto done;
	resolve_criterion(model);
	resolve_max_features(model);
	report_start(model, options, rows.n_rows);
	ml_forest_options forest;
	forest_options_of(model, options, &forest);
	progress_gate gate = { .options = options, .last = ml_clock_now() };
	if (options->progress) {
		forest.progress = gate_line;
		forest.progress_context = &gate;
	}
	ml_ensemble_data data = ensemble_data(model, rows.all, rows.n_rows, rows.targets);
	if (!(state = ml_trees_state_new(err)))
		goto done;
	bool is_forest = model->kind == &ml_forest_estimator;
	state->ensemble = is_forest ? ml_forest_fit(&forest, &data, err)
				    : ml_tree_fit(&forest, &data, err);
	gate_flush(&gate);
	if (!state->ensemble)
		goto done;
	const char *what = model->task == ML_TASK_CLASSIFICATION ? "accuracy" : "R^2";
	if (is_forest) {
		state->score = ml_ensemble_get_summary(state->ensemble)->oob_score;
		if (forest.oob_score)
			ml_fit_report(options, "forest: out-of-bag %s %.6g", what, state->score);
	} else {
		state->score = score_rows(model, state->ensemble, &rows, err);
		ml_fit_report(options, "tree: training %s %.6g", what, state->score);
	}
	model->state = state;
	state = NULL;
	status = 0;
done:
	ml_trees_free_state(state);
	tree_rows_free(&rows);
	return status;
}

/* ---- gbdt ------------------------------------------------------------- */

static void boost_options_of(const ml_model *model, const ml_fit_options *fit,
			     ml_boost_options *options)
{
	const ml_estimator *kind = model->kind;
	const double *hyper = model->hyper;
	ml_boost_options_init(options);
	options->n_classes = model->task == ML_TASK_CLASSIFICATION ? model->n_classes : 0;
	options->n_trees = (size_t)param(kind, hyper, "trees");
	options->learning_rate = param(kind, hyper, "learning-rate");
	options->max_depth = (size_t)param(kind, hyper, "max-depth");
	options->max_leaves = (size_t)param(kind, hyper, "max-leaves");
	options->min_child_weight = param(kind, hyper, "min-child-weight");
	options->min_samples_leaf = (size_t)param(kind, hyper, "min-samples-leaf");
	options->lambda = param(kind, hyper, "lambda");
	options->gamma = param(kind, hyper, "gamma");
	options->subsample = param(kind, hyper, "subsample");
	options->colsample = param(kind, hyper, "colsample");
	options->max_bins = (size_t)param(kind, hyper, "max-bins");
	options->early_stopping_rounds = (size_t)param(kind, hyper, "early-stop");
	options->seed = fit->seed;
}

/* The validation rows: --valid's, a hold-out, or none. */
static int gbdt_validation(ml_model *model, const ml_fit_options *options, tree_rows *rows,
			   ml_error *err)
{
	double fraction = param(model->kind, model->hyper, "valid-fraction");
	if (fraction == FRACTION_AUTO) {
		fraction = param(model->kind, model->hyper, "early-stop") > 0 && !options->valid
			? DEFAULT_VALID_FRACTION : 0;
		set_param(model, "valid-fraction", fraction);
	}
	if (options->valid)
		return read_valid_file(model, options, rows, err);
	return fraction > 0 ? hold_out(model, options, fraction, rows, err) : 0;
}

static void report_rounds(const ml_model *model, const ml_fit_options *options,
			  const ml_ensemble *ensemble, size_t n_valid)
{
	const ml_ensemble_summary *summary = ml_ensemble_get_summary(ensemble);
	size_t asked = (size_t)param(model->kind, model->hyper, "trees");
	if (n_valid && param(model->kind, model->hyper, "early-stop") > 0)
		ml_fit_report(options, "gbdt: kept rounds 1 to %zu of %zu run (%s): validation loss"
			      " %.9g on %zu rows, training loss %.9g", summary->rounds,
			      summary->rounds_run, summary->rounds_run < asked
			      ? "stopped early" : "no early stop", summary->valid_loss, n_valid,
			      summary->train_loss);
	else if (n_valid)
		ml_fit_report(options, "gbdt: %zu rounds: training loss %.9g, validation loss %.9g"
			      " on %zu rows", summary->rounds, summary->train_loss,
			      summary->valid_loss, n_valid);
	else
		ml_fit_report(options, "gbdt: %zu rounds: training loss %.9g", summary->rounds,
			      summary->train_loss);
}

static int fit_gbdt(ml_model *model, const ml_fit_options *options, ml_training_rows *training,
		    ml_error *err)
{
	tree_rows rows = { 0 };
	trees_state *state = NULL;
	int status = -1;
	if (read_rows(model, training, &rows, err) < 0)
		goto done;
	if (rows.n_rows == 0) {
		status = 0;
		goto done;
	}
	if (gbdt_validation(model, options, &rows, err) < 0)
		goto done;
	report_start(model, options, rows.n_rows);
	if (rows.n_valid)
		ml_fit_report(options, "gbdt: %zu validation rows (%s)", rows.n_valid,
			      options->valid ? options->valid->name : "held out of the input");
	ml_boost_options boost;
	boost_options_of(model, options, &boost);
	progress_gate gate = { .options = options, .last = ml_clock_now() };
	if (options->progress) {
		boost.progress = gate_line;
		boost.progress_context = &gate;
	}
	ml_ensemble_data train = ensemble_data(model, rows.all, rows.n_rows, rows.targets);
	ml_ensemble_data valid = ensemble_data(model, rows.valid, rows.n_valid,
					       rows.valid_targets);
	if (!(state = ml_trees_state_new(err)))
		goto done;
	state->ensemble = ml_boost_fit(&boost, &train, rows.n_valid ? &valid : NULL, err);
	gate_flush(&gate);
	if (!state->ensemble)
		goto done;
	state->valid_rows = rows.n_valid;
	report_rounds(model, options, state->ensemble, rows.n_valid);
	model->state = state;
	state = NULL;
	status = 0;
done:
	ml_trees_free_state(state);
	tree_rows_free(&rows);
	return status;
}

/* ---- prediction --------------------------------------------------------- */

static int predict_trees(const ml_model *model, const double *features, size_t n_rows,
			 double *predictions, double *probabilities, ml_error *err)
{
	const trees_state *state = model->state;
	ml_tree_rows rows = { features, n_rows, model->n_features, NULL, false };
	return ml_ensemble_predict(state->ensemble, &rows, predictions, probabilities, err);
}

static int predict_trees_columns(const ml_model *model, const double *rows, size_t n_rows,
				 size_t width, double *predictions, double *probabilities,
				 ml_error *err)
{
	const trees_state *state = model->state;
	/* Features first and in order (the usual layout): the walk's plain, faster indexing. */
	bool in_order = true;
	for (size_t f = 0; f < model->n_features && in_order; f++)
		in_order = model->feature_column[f] == f;
	ml_tree_rows view = { rows, n_rows, width, in_order ? NULL : model->feature_column, false };
	return ml_ensemble_predict(state->ensemble, &view, predictions, probabilities, err);
}

static size_t batch_rows_trees(const ml_model *model)
{
	const trees_state *state = model->state;
	return ml_ensemble_batch_rows(state->ensemble);
}

/* ---- the kinds ---------------------------------------------------------- */

#define TREE_FLAGS (ML_ESTIMATOR_REGRESSION | ML_ESTIMATOR_CLASSIFICATION | \
		    ML_ESTIMATOR_MISSING | ML_ESTIMATOR_RANDOM)

const ml_estimator ml_tree_estimator = {
	.name = "tree",
	.summary = "a CART decision tree on binned features (classes or regression)",
	.flags = TREE_FLAGS,
	.params = tree_params,
	.n_params = N_OF(tree_params),
	.check = check_tree,
	.check_fit = check_fit_cart,
	.fit = fit_cart,
	.write = ml_trees_write,
	.parse = ml_trees_parse,
	.predict = predict_trees,
	.predict_columns = predict_trees_columns,
	.batch_rows = batch_rows_trees,
	.describe = ml_trees_describe,
	.free_state = ml_trees_free_state,
};

const ml_estimator ml_forest_estimator = {
	.name = "forest",
	.summary = "a random forest: trees on bootstrap samples, features drawn per split",
	.flags = TREE_FLAGS,
	.params = forest_params,
	.n_params = N_OF(forest_params),
	.check = check_forest,
	.check_fit = check_fit_cart,
	.fit = fit_cart,
	.write = ml_trees_write,
	.parse = ml_trees_parse,
	.predict = predict_trees,
	.predict_columns = predict_trees_columns,
	.batch_rows = batch_rows_trees,
	.describe = ml_trees_describe,
	.free_state = ml_trees_free_state,
};

const ml_estimator ml_gbdt_estimator = {
	.name = "gbdt",
	.summary = "gradient-boosted trees (Newton steps; squared error, log-loss, softmax)",
	.flags = TREE_FLAGS | ML_ESTIMATOR_VALIDATION,
	.params = gbdt_params,
	.n_params = N_OF(gbdt_params),
	.check = check_gbdt,
	.check_fit = check_fit_gbdt,
	.fit = fit_gbdt,
	.write = ml_trees_write,
	.parse = ml_trees_parse,
	.predict = predict_trees,
	.predict_columns = predict_trees_columns,
	.batch_rows = batch_rows_trees,
	.describe = ml_trees_describe,
	.free_state = ml_trees_free_state,
};
