#include "models/ml_cv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_clock.h"
#include "math/ml_metrics.h"
#include "models/ml_model_impl.h"
#include "stages/ml_split.h"

/* Test rows predicted at a time: the only rows ever copied. */
#define PREDICT_ROWS 4096
#define MAX_METRICS 3

struct ml_cv {
	const ml_estimator *kind;
	ml_task task;
	size_t n_rows, n_folds;
	uint64_t seed;
	bool stratified;
	size_t n_metrics;
	const char *metric_names[MAX_METRICS];
	size_t *train_rows, *test_rows; /* per fold */
	double *scores;                 /* n_folds x n_metrics */
	double mean[MAX_METRICS], std[MAX_METRICS];
	unsigned warnings;
};

static const char *const classification_metrics[] = { "accuracy", "balanced_accuracy",
						       "f1_macro" };
static const char *const regression_metrics[] = { "r2", "root_mean_squared_error",
						   "mean_absolute_error" };

void ml_cv_options_init(ml_cv_options *options)
{
	memset(options, 0, sizeof *options);
	options->n_folds = 5;
}

int ml_cv_options_check(const ml_cv_options *options, const ml_fit_options *fit,
			ml_error *err)
{
	if (options->n_folds < 2 || options->n_folds > ML_CV_MAX_FOLDS) {
		ml_error_set(err, "cross-validation needs 2 to %zu folds, not %zu", ML_CV_MAX_FOLDS,
			     options->n_folds);
		return -1;
	}
	if (ml_estimator_flags(fit->kind) & ML_ESTIMATOR_CLUSTERING) {
		ml_error_set(err, "'%s' is a clustering: cross-validation scores predictions of a"
			     " target, and a clustering has none", ml_estimator_name(fit->kind));
		return -1;
	}
	return ml_fit_options_check(fit, err);
}

/* ---- what each row is: its class, its stratum ------------------------- */

/*
 * A missing target, named by its place ("iris.csv:17", "train.bin: row
 * 16"): refused before any fold, as fitting would refuse it in training
 * rows (and scoring, less clearly, in test rows).
 */
static int check_targets(const ml_training_data *data, size_t target, ml_error *err)
{
	size_t width = data->columns->count, row = 0;
	while (row < data->n_rows && !isnan(data->values[row * width + target]))
		row++;
	if (row == data->n_rows)
		return 0;
	if (data->lines)
		ml_error_set(err, "%s:%zu: the target '%s' is missing; drop such rows before"
			     " fitting (ml-load --drop-missing-target)", data->name,
			     data->lines[row], data->columns->names[target]);
	else
		ml_error_set(err, "%s: row %zu: the target '%s' is missing; drop such rows before"
			     " fitting (ml-load --drop-missing-target)", data->name, row + 1,
			     data->columns->names[target]);
	return -1;
}

/*
 * The classes of all the rows, as a model fitted on them all names them
 * (in *classes, a model with nothing else), and each row's class.
 */
static ml_model *all_classes(const ml_fit_options *fit, const ml_training_data *data,
			     size_t target, size_t *class_of_row, ml_error *err)
{
	size_t width = data->columns->count, n_names;
	char *const *names = ml_chain_class_names(data->chain, &n_names);
	ml_model *classes = ml_model_new(fit->kind, ML_TASK_CLASSIFICATION, err);
	if (classes && ml_model_set_classes(classes, data->values + target, width, data->n_rows,
					    names, n_names, ML_METRICS_MAX_CLASSES, class_of_row,
					    err) < 0) {
		ml_model_free(classes);
		return NULL;
	}
	return classes;
}

/*
 * Strata numbered in the order their classes first appear (in place of
 * the classes), as ml-split numbers the values of the column it
 * stratifies by: the numbering decides the shuffles, so the folds match.
 */
static int number_strata(size_t *class_of_row, size_t n_rows, size_t n_classes,
			 size_t *n_strata, ml_error *err)
{
	size_t *stratum_of = ml_alloc_array(n_classes ? n_classes : 1, sizeof *stratum_of, err);
	if (!stratum_of)
		return -1;
	for (size_t k = 0; k < n_classes; k++)
		stratum_of[k] = SIZE_MAX;
	*n_strata = 0;
	for (size_t r = 0; r < n_rows; r++) {
		size_t *stratum = &stratum_of[class_of_row[r]];
		if (*stratum == SIZE_MAX)
			*stratum = (*n_strata)++;
		class_of_row[r] = *stratum;
	}
	free(stratum_of);
	return 0;
}

/*
 * StratifiedKFold's rule: a warning when a class has fewer rows than
 * folds (some test folds lack it), an error when every class has.
 */
static int check_strata(const ml_fit_options *fit, const size_t *strata, size_t n_rows,
			size_t n_strata, size_t n_folds, ml_error *err)
{
	size_t *sizes = ml_calloc_array(n_strata, sizeof *sizes, err);
	if (!sizes)
		return -1;
	for (size_t r = 0; r < n_rows; r++)
		sizes[strata[r]]++;
	size_t smallest = n_rows, largest = 0;
	for (size_t k = 0; k < n_strata; k++) {
		smallest = sizes[k] < smallest ? sizes[k] : smallest;
		largest = sizes[k] > largest ? sizes[k] : largest;
	}
	free(sizes);
	if (largest < n_folds) {
		ml_error_set(err, "%zu folds cannot be stratified: every class has fewer rows"
			     " (the largest has %zu)", n_folds, largest);
		return -1;
	}
	if (smallest < n_folds)
		ml_fit_warn(fit, "the least populated class has only %zu rows, fewer than the %zu"
			    " folds: some test folds lack it", smallest, n_folds);
	return 0;
}

/* ---- one fold ---------------------------------------------------------- */

/* What a fold's fit says, said as the fold's. */
typedef struct fold_voice {
	const ml_fit_options *fit;
	size_t fold;
} fold_voice;

static void fold_warning(void *context, const char *message)
{
	const fold_voice *voice = context;
	char line[640];
	snprintf(line, sizeof line, "fold %zu: %s", voice->fold + 1, message);
	voice->fit->warning(voice->fit->progress_context, line);
}

/* The rows everything needs for one fold; reused from fold to fold. */
typedef struct fold_work {
	const ml_training_data *data;
	size_t target;
	const size_t *fold_of;
	const size_t *class_of_row; /* classification: every row's class, or NULL */
	const ml_model *classes;    /* classification: every class */
	size_t *train, *test;       /* row indices, ascending */
	double *block;              /* PREDICT_ROWS rows, gathered to predict */
	double *predicted, *truth;  /* per test row */
	size_t *predicted_class, *true_class;
} fold_work;

/* Splits the row indices into the fold's training and test rows, in row order. */
static void deal_rows(fold_work *work, size_t fold, size_t *n_train, size_t *n_test)
{
	*n_train = *n_test = 0;
	for (size_t r = 0; r < work->data->n_rows; r++) {
		if (work->fold_of[r] == fold)
			work->test[(*n_test)++] = r;
		else
			work->train[(*n_train)++] = r;
	}
}

static int predict_test_rows(const ml_model *model, fold_work *work, size_t n_test,
			     ml_error *err)
{
	const ml_training_data *data = work->data;
	size_t width = data->columns->count, bad_row;
	for (size_t start = 0; start < n_test; start += PREDICT_ROWS) {
		size_t count = n_test - start < PREDICT_ROWS ? n_test - start : PREDICT_ROWS;
		for (size_t i = 0; i < count; i++)
			memcpy(work->block + i * width, data->values + work->test[start + i] * width,
			       width * sizeof *work->block);
		if (ml_model_predict(model, work->block, count, work->predicted + start, NULL,
				     &bad_row, err) < 0) {
			size_t row = work->test[start + bad_row];
			if (data->lines)
				ml_error_prefix(err, "%s:%zu", data->name, data->lines[row]);
			else
				ml_error_prefix(err, "%s: row %zu", data->name, row + 1);
			return -1;
		}
	}
	return 0;
}

/* The fold model's class k among all the classes (its names are theirs). */
static int map_classes(const ml_model *model, const ml_model *classes, size_t *to_all,
		       ml_error *err)
{
	for (size_t k = 0; k < model->n_classes; k++) {
		size_t j = 0;
		while (j < classes->n_classes &&
		       strcmp(model->class_names[k], classes->class_names[j]) != 0)
			j++;
		if (j == classes->n_classes) {
			ml_error_set(err, "class '%s' is not among the data's", model->class_names[k]);
			return -1;
		}
		to_all[k] = j;
	}
	return 0;
}

static int score_classification(const ml_model *model, fold_work *work, size_t n_test,
				double *scores, unsigned *warnings, ml_error *err)
{
	size_t n_classes = work->classes->n_classes;
	size_t *to_all = ml_alloc_array(model->n_classes ? model->n_classes : 1, sizeof *to_all,
					err);
	if (!to_all || map_classes(model, work->classes, to_all, err) < 0) {
		free(to_all);
		return -1;
	}
	for (size_t i = 0; i < n_test; i++) {
		work->true_class[i] = work->class_of_row[work->test[i]];
		work->predicted_class[i] = to_all[(size_t)work->predicted[i]];
	}
	free(to_all);
	ml_class_data class_data = { .truth = work->true_class,
				     .predicted = work->predicted_class,
				     .n_rows = n_test, .n_classes = n_classes };
	ml_classification_scores result;
	if (ml_score_classification(&class_data, &result, NULL, err) < 0)
		return -1;
	scores[0] = result.accuracy;
	scores[1] = result.balanced_accuracy;
	scores[2] = result.macro.f1;
	*warnings |= result.warnings;
	return 0;
}

static int score_regression(fold_work *work, size_t n_test, double *scores, unsigned *warnings,
			    ml_error *err)
{
	const ml_training_data *data = work->data;
	size_t width = data->columns->count;
	for (size_t i = 0; i < n_test; i++)
		work->truth[i] = data->values[work->test[i] * width + work->target];
	ml_regression_scores result;
	if (ml_score_regression(work->truth, work->predicted, n_test, &result, err) < 0)
		return -1;
	scores[0] = result.r2;
	scores[1] = result.root_mean_squared_error;
	scores[2] = result.mean_absolute_error;
	*warnings |= result.warnings;
	return 0;
}

/* Fits the other folds' rows, predicts this fold's, scores them. */
static int run_fold(ml_cv *cv, const ml_fit_options *fit, fold_work *work, size_t fold,
		    ml_error *err)
{
	size_t n_train, n_test;
	deal_rows(work, fold, &n_train, &n_test);
	cv->train_rows[fold] = n_train;
	cv->test_rows[fold] = n_test;
	fold_voice voice = { fit, fold };
	ml_fit_options fold_fit = *fit;
	fold_fit.progress = NULL;
	fold_fit.warning = fit->warning ? fold_warning : NULL;
	fold_fit.progress_context = &voice;
	ml_training_data fold_data = *work->data;
	fold_data.row_index = work->train;
	fold_data.n_rows = n_train;
	double *scores = cv->scores + fold * cv->n_metrics;
	ml_model *model = ml_model_fit(&fold_fit, &fold_data, err);
	int status = model ? predict_test_rows(model, work, n_test, err) : -1;
	if (status == 0)
		status = cv->task == ML_TASK_CLASSIFICATION
				 ? score_classification(model, work, n_test, scores, &cv->warnings,
							err)
				 : score_regression(work, n_test, scores, &cv->warnings, err);
	ml_model_free(model);
	return status;
}

/* ---- the folds ----------------------------------------------------------- */

static void summarise(ml_cv *cv)
{
	for (size_t m = 0; m < cv->n_metrics; m++) {
		double sum = 0, squares = 0;
		for (size_t k = 0; k < cv->n_folds; k++)
			sum += cv->scores[k * cv->n_metrics + m];
		cv->mean[m] = sum / (double)cv->n_folds;
		for (size_t k = 0; k < cv->n_folds; k++) {
			double deviation = cv->scores[k * cv->n_metrics + m] - cv->mean[m];
			squares += deviation * deviation;
		}
		cv->std[m] = sqrt(squares / (double)cv->n_folds);
	}
}

static ml_cv *cv_new(const ml_cv_options *options, const ml_fit_options *fit, ml_task task,
		     size_t n_rows, ml_error *err)
{
	ml_cv *cv = calloc(1, sizeof *cv);
	if (!cv) {
		ml_error_nomem(err);
		return NULL;
	}
	cv->kind = fit->kind;
	cv->task = task;
	cv->n_rows = n_rows;
	cv->n_folds = options->n_folds;
	cv->seed = fit->seed;
	cv->stratified = task == ML_TASK_CLASSIFICATION;
	cv->n_metrics = MAX_METRICS;
	for (size_t m = 0; m < MAX_METRICS; m++)
		cv->metric_names[m] = cv->stratified ? classification_metrics[m]
						     : regression_metrics[m];
	if (!(cv->train_rows = ml_alloc_array(cv->n_folds, sizeof(size_t), err)) ||
	    !(cv->test_rows = ml_alloc_array(cv->n_folds, sizeof(size_t), err)) ||
	    !(cv->scores = ml_alloc_array(cv->n_folds, MAX_METRICS * sizeof(double), err))) {
		ml_cv_free(cv);
		return NULL;
	}
	return cv;
}

static int alloc_work(fold_work *work, size_t n_rows, size_t width, ml_error *err)
{
	size_t rows = n_rows ? n_rows : 1;
	if (!(work->train = ml_alloc_array(rows, sizeof(size_t), err)) ||
	    !(work->test = ml_alloc_array(rows, sizeof(size_t), err)) ||
	    !(work->block = ml_alloc_array(PREDICT_ROWS, width * sizeof(double), err)) ||
	    !(work->predicted = ml_alloc_array(rows, sizeof(double), err)) ||
	    !(work->truth = ml_alloc_array(rows, sizeof(double), err)) ||
	    !(work->predicted_class = ml_alloc_array(rows, sizeof(size_t), err)) ||
	    !(work->true_class = ml_alloc_array(rows, sizeof(size_t), err)))
		return -1;
	return 0;
}

static void free_work(fold_work *work)
{
	free(work->train);
	free(work->test);
	free(work->block);
	free(work->predicted);
	free(work->truth);
	free(work->predicted_class);
	free(work->true_class);
}

static void report_fold(const ml_cv_options *options, const ml_cv *cv, size_t fold,
			double seconds)
{
	if (!options->progress)
		return;
	char line[256];
	snprintf(line, sizeof line, "fold %zu/%zu: %zu training rows, %zu test rows, %s %.6g"
		 " (%.3f s)", fold + 1, cv->n_folds, cv->train_rows[fold], cv->test_rows[fold],
		 cv->metric_names[0], cv->scores[fold * cv->n_metrics], seconds);
	options->progress(options->progress_context, line);
}

/*
 * Every row's fold, and, for a classification, every row's class
 * (class_of_row) and *classes; the strata are the classes renumbered.
 */
static int assign_folds(const ml_cv *cv, const ml_fit_options *fit,
			const ml_training_data *data, size_t target, size_t *fold_of,
			size_t *class_of_row, ml_model **classes, ml_error *err)
{
	size_t n_strata = 0;
	size_t *strata = NULL;
	if (cv->stratified) {
		if (!(*classes = all_classes(fit, data, target, class_of_row, err)) ||
		    !(strata = ml_alloc_array(data->n_rows, sizeof *strata, err)))
			return -1;
		memcpy(strata, class_of_row, data->n_rows * sizeof *strata);
		if (number_strata(strata, data->n_rows, (*classes)->n_classes, &n_strata, err) < 0 ||
		    check_strata(fit, strata, data->n_rows, n_strata, cv->n_folds, err) < 0) {
			free(strata);
			return -1;
		}
	}
	int status = ml_split_folds(cv->seed, cv->n_folds, data->n_rows, strata, n_strata, fold_of,
				    err);
	free(strata);
	return status;
}

static int check_data(const ml_cv_options *options, const ml_training_data *data, size_t target,
		      ml_error *err)
{
	if (data->read || data->row_index) {
		ml_error_set(err, "%s: cross-validation needs all the rows in memory", data->name);
		return -1;
	}
	if (data->n_rows < options->n_folds) {
		ml_error_set(err, "%s: %zu rows cannot be dealt into %zu folds", data->name,
			     data->n_rows, options->n_folds);
		return -1;
	}
	return check_targets(data, target, err);
}

ml_cv *ml_cross_validate(const ml_cv_options *options, const ml_fit_options *fit,
			 const ml_training_data *data, ml_error *err)
{
	size_t target;
	ml_task task;
	if (ml_cv_options_check(options, fit, err) < 0 ||
	    ml_fit_resolve(fit, data, &target, &task, err) < 0 || check_data(options, data, target, err) < 0)
		return NULL;
	ml_cv *cv = cv_new(options, fit, task, data->n_rows, err);
	if (!cv)
		return NULL;
	ml_model *classes = NULL;
	size_t *fold_of = NULL, *class_of_row = NULL;
	fold_work work = { .data = data, .target = target };
	int status = -1;
	if (!(fold_of = ml_alloc_array(data->n_rows, sizeof *fold_of, err)) ||
	    !(class_of_row = ml_alloc_array(data->n_rows, sizeof *class_of_row, err)) ||
	    assign_folds(cv, fit, data, target, fold_of, class_of_row, &classes, err) < 0 ||
	    alloc_work(&work, data->n_rows, data->columns->count, err) < 0)
		goto done;
	work.fold_of = fold_of;
	work.class_of_row = class_of_row;
	work.classes = classes;
	for (size_t fold = 0; fold < cv->n_folds; fold++) {
		double start = ml_clock_now();
		if (run_fold(cv, fit, &work, fold, err) < 0) {
			ml_error_prefix(err, "fold %zu of %zu", fold + 1, cv->n_folds);
			goto done;
		}
		report_fold(options, cv, fold, ml_clock_now() - start);
	}
	summarise(cv);
	status = 0;
done:
	free_work(&work);
	free(fold_of);
	free(class_of_row);
	ml_model_free(classes);
	if (status < 0) {
		ml_cv_free(cv);
		return NULL;
	}
	return cv;
}

void ml_cv_free(ml_cv *cv)
{
	if (!cv)
		return;
	free(cv->train_rows);
	free(cv->test_rows);
	free(cv->scores);
	free(cv);
}

/* ---- what it found ------------------------------------------------------- */

ml_task ml_cv_task(const ml_cv *cv)
{
	return cv->task;
}

size_t ml_cv_n_folds(const ml_cv *cv)
{
	return cv->n_folds;
}

bool ml_cv_stratified(const ml_cv *cv)
{
	return cv->stratified;
}

size_t ml_cv_train_rows(const ml_cv *cv, size_t fold)
{
	return cv->train_rows[fold];
}

size_t ml_cv_test_rows(const ml_cv *cv, size_t fold)
{
	return cv->test_rows[fold];
}

size_t ml_cv_n_metrics(const ml_cv *cv)
{
	return cv->n_metrics;
}

const char *ml_cv_metric_name(const ml_cv *cv, size_t metric)
{
	return cv->metric_names[metric];
}

double ml_cv_score(const ml_cv *cv, size_t fold, size_t metric)
{
	return cv->scores[fold * cv->n_metrics + metric];
}

double ml_cv_mean(const ml_cv *cv, size_t metric)
{
	return cv->mean[metric];
}

double ml_cv_std(const ml_cv *cv, size_t metric)
{
	return cv->std[metric];
}

unsigned ml_cv_warnings(const ml_cv *cv)
{
	return cv->warnings;
}
