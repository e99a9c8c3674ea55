/*
 * ml_model: fitted estimators and the model files that carry them.
 *
 * A model file (mlpipe-model(5)) is a stage file whose chain is followed by
 * one estimator section.  ml-fit writes it; ml-predict reads it, replays
 * the chain on its input (ml_stream) and calls ml_model_predict on the
 * rows that come out.  Estimators see rows in the chain's output layout;
 * the target column, when the layout has one, is ignored.
 */
#ifndef ML_MODEL_H
#define ML_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "ml_columns.h"
#include "ml_error.h"
#include "ml_stage.h"

typedef enum { ML_TASK_REGRESSION, ML_TASK_CLASSIFICATION } ml_task;

typedef struct ml_model ml_model;

/* Reads and checks a model file (any error names the file and line). */
ml_model *ml_model_read(const char *path, ml_error *err);
void ml_model_free(ml_model *model);

/* "linear", "ridge", "logistic", ... */
const char *ml_model_kind(const ml_model *model);
ml_task ml_model_task(const ml_model *model);
/* The stages the model was trained after; its input is their output. */
const ml_chain *ml_model_chain(const ml_model *model);
/* The row layout predict expects: the chain's output columns. */
const ml_columns *ml_model_columns(const ml_model *model);
/*
 * Classification: the number of classes and their names (the load stage's
 * class names, or the class values printed as numbers for a numeric target).
 */
size_t ml_model_n_classes(const ml_model *model);
const char *ml_model_class_name(const ml_model *model, size_t index);

/*
 * Predicts n_rows rows (n_rows x columns->count, row-major).  predictions
 * gets the value (regression) or the class index (classification);
 * probabilities, when not NULL and the task is classification, gets
 * n_rows x n_classes.  A missing value in a feature the estimator cannot
 * route is an error naming the row (row_offset + index + 1) and column.
 */
int ml_model_predict(const ml_model *model, const double *rows, size_t n_rows,
		     size_t row_offset, double *predictions, double *probabilities,
		     ml_error *err);

#endif
