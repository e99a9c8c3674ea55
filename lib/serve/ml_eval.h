/*
 * ml_eval: scoring a table of truths and predictions (what
 * `ml-predict --append` writes: the input's columns, `prediction`, and a
 * `p_CLASS` column per class after --proba) with math/ml_metrics, and
 * formatting the scores as an aligned table, JSON or tidy CSV.  The
 * engine of ml-eval.
 *
 * The task is classification, regression or clustering; left to decide,
 * it is classification when the table has p_ columns or a truth or
 * predicted value that is not a number or not a whole number, else
 * regression.  Classes are the labels seen in the truth, the predictions
 * and the p_ columns' names, sorted as scikit-learn's np.unique sorts them
 * (by value when all are numbers, else by bytes), so "class 1" of a binary
 * task is the one scikit-learn takes as positive.  Binary input gives its
 * numbers as they are: class indices stay indices.
 */
#ifndef ML_EVAL_H
#define ML_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_util.h"
#include "io/ml_csv.h"
#include "math/ml_metrics.h"

typedef enum {
	ML_EVAL_AUTO,
	ML_EVAL_CLASSIFICATION,
	ML_EVAL_REGRESSION,
	ML_EVAL_CLUSTERING,
} ml_eval_task;

/* "classification", ...; and back (false for an unknown name). */
const char *ml_eval_task_name(ml_eval_task task);
bool ml_eval_task_from_name(const char *name, ml_eval_task *task);

typedef struct ml_eval_options {
	ml_csv_options csv;
	const char *truth;      /* the truth column; NULL: the binary header's target */
	const char *prediction; /* the predictions' column (default "prediction") */
	ml_eval_task task;      /* ML_EVAL_AUTO by default */
} ml_eval_options;

void ml_eval_options_init(ml_eval_options *options);

typedef struct ml_evaluation ml_evaluation;

/* Reads the table at path (NULL or "-": stdin), CSV or binary, and scores it. */
ml_evaluation *ml_evaluate(const char *path, const ml_eval_options *options, ml_error *err);
void ml_evaluation_free(ml_evaluation *evaluation);

ml_eval_task ml_evaluation_task(const ml_evaluation *evaluation);
size_t ml_evaluation_rows(const ml_evaluation *evaluation);
/* Warning bits of ml_metrics (ML_METRIC_WARN_*): why a value is a convention or NaN. */
unsigned ml_evaluation_warnings(const ml_evaluation *evaluation);

/* One score: the whole table's (class NULL) or one class's. */
typedef struct ml_eval_score {
	const char *metric; /* scikit-learn's name: "accuracy", "f1", "r2", ... */
	const char *class_name;
	double value;
} ml_eval_score;

/* Every score, in a fixed order: the table's first, then class by class. */
const ml_eval_score *ml_evaluation_scores(const ml_evaluation *evaluation, size_t *count);

/* Classification: the classes, and the confusion matrix (truth t, predicted p at [t * n + p]). */
char *const *ml_evaluation_classes(const ml_evaluation *evaluation, size_t *n_classes);
const double *ml_evaluation_confusion(const ml_evaluation *evaluation);
/* Binary classification with probabilities: the ROC curve of class 1, else NULL. */
const ml_roc_curve *ml_evaluation_roc(const ml_evaluation *evaluation);
/* Regression: the true and the predicted values, n_rows each, else NULL. */
const double *ml_evaluation_truth(const ml_evaluation *evaluation);
const double *ml_evaluation_predicted(const ml_evaluation *evaluation);

typedef enum { ML_EVAL_TABLE, ML_EVAL_JSON, ML_EVAL_CSV } ml_eval_format;

/*
 * Appends the report: an aligned table (the scores, then per class and
 * the confusion matrix), one JSON object (scikit-learn's names as keys,
 * NaN as null, "per_class", "confusion_matrix", "warnings"), or tidy CSV
 * rows "metric,class,value" under that header.
 */
void ml_evaluation_format(const ml_evaluation *evaluation, ml_eval_format format, ml_buf *out);

#endif
