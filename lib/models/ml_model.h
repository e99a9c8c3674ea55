/*
 * ml_model: fitted estimators and the model files that carry them.
 *
 * A model file (mlpipe-model(5)) is a stage file whose chain is followed by
 * one estimator section.  ml-fit and ml-cluster write it; ml-predict reads
 * it, replays the chain on its input (ml_stream) and calls ml_model_predict
 * on the rows that come out.  Estimators see rows in the chain's output
 * layout; the target column, when the layout has one, is ignored.  A
 * clustering model (task clustering) needs no target: it predicts each
 * row's cluster, the index of its nearest centre.
 */
#ifndef ML_MODEL_H
#define ML_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_columns.h"
#include "core/ml_error.h"
#include "core/ml_util.h"
#include "models/ml_estimator.h"
#include "stages/ml_stage.h"

typedef struct ml_model ml_model;

/* Reads and checks a model file (any error names the file and line). */
ml_model *ml_model_read(const char *path, ml_error *err);
void ml_model_free(ml_model *model);

/* The kind: "linear", "ridge", "logistic", ... */
const ml_estimator *ml_model_estimator(const ml_model *model);
const char *ml_model_kind(const ml_model *model);
ml_task ml_model_task(const ml_model *model);
/* The stages the model was trained after; its input is their output. */
const ml_chain *ml_model_chain(const ml_model *model);
/* The row layout predict expects: the chain's output columns. */
const ml_columns *ml_model_columns(const ml_model *model);
/*
 * Classification: the number of classes and their names (the load stage's
 * class names, or the class values printed as numbers for a numeric target).
 * The classes are those seen in training, in the order of their codes
 * (values); a predicted class index indexes this list, which is the load
 * stage's own order whenever every class had training rows.
 */
size_t ml_model_n_classes(const ml_model *model);
const char *ml_model_class_name(const ml_model *model, size_t index);

/*
 * Predicts n_rows rows (n_rows x columns->count, row-major).  predictions
 * gets the value (regression), the class index (classification) or the
 * cluster index (clustering); probabilities, when not NULL and the task is
 * classification, gets n_rows x n_classes.  A missing value in a feature
 * the estimator cannot route, and an infinite one for clustering, is an
 * error naming the column; *bad_row (may be NULL) gets the row's index,
 * for the caller to say where it came from.
 */
int ml_model_predict(const ml_model *model, const double *rows, size_t n_rows,
		     double *predictions, double *probabilities, size_t *bad_row,
		     ml_error *err);
/*
 * Rows to hand ml_model_predict at a time when a stream has many: usual,
 * or more where the model predicts a large batch much faster than the
 * same rows in pieces (a forest's large trees, each fetched into cache
 * once per batch).
 */
size_t ml_model_batch_rows(const ml_model *model, size_t usual);

/*
 * Everything below is ml-fit's side and what ml-info shows: fitting,
 * writing model files, and reading what a model holds.
 */

/*
 * Clustering: a block of training rows, as they came (the training data's
 * columns), with each row's cluster.  A non-zero return stops the fit; err
 * says why.
 */
typedef int (*ml_labels_fn)(void *context, const double *rows, const size_t *labels,
			    size_t n_rows, ml_error *err);

typedef struct ml_training_data ml_training_data;

typedef struct ml_fit_options {
	const ml_estimator *kind;
	double params[ML_MAX_PARAMS]; /* the kind's hyperparameters, in its table's order */
	const char *target;     /* target column name, or NULL: the input's own target */
	bool task_given;        /* task overrides the choice by the target (kinds doing both) */
	ml_task task;
	uint64_t seed;          /* recorded in the file; used by kinds flagged RANDOM */
	ml_progress_fn progress; /* -v lines; may be NULL */
	ml_progress_fn warning;  /* lines always worth showing (no convergence); may be NULL */
	void *progress_context;  /* passed to both */
	/* Long loops (boosting rounds, forest trees): seconds between -v lines; 0: every step. */
	double progress_interval;
	/* Rows that are scored but not trained on (kinds flagged VALIDATION); or NULL. */
	const ml_training_data *valid;
	/*
	 * Clustering: gets every training row with its cluster, in row order,
	 * once the centres are fitted; may be NULL.
	 */
	ml_labels_fn labels;
	void *labels_context;
} ml_fit_options;

/* The kind's defaults (its table's). */
void ml_fit_options_init(ml_fit_options *options, const ml_estimator *kind);
/* Sets the hyperparameter called name from text; err says why it cannot be. */
int ml_fit_options_set(ml_fit_options *options, const char *name, const char *text,
		       ml_error *err);
/* Says why a combination of options is invalid; 0 when it is fine. */
int ml_fit_options_check(const ml_fit_options *options, ml_error *err);

/* Reads up to max_rows rows into rows; *n_read 0 at the end. */
typedef int (*ml_row_reader)(void *source, double *rows, size_t max_rows, size_t *n_read,
			     ml_error *err);

/*
 * Training rows: read block by block (read, source), or, when read is
 * NULL, in memory (values, n_rows; values may be NULL for no rows), laid
 * out as columns, after chain.  Rows in memory may be a subset: with
 * row_index, the rows are values' rows row_index[0..n_rows-1], in that
 * order (what a cross-validation fold trains on, without a copy).
 */
struct ml_training_data {
	const char *name;           /* the input, for messages */
	const ml_columns *columns;
	const ml_chain *chain;      /* copied into the model */
	const double *values;
	size_t n_rows;
	const size_t *row_index;    /* in memory: the rows of values to train on, or NULL: all */
	const size_t *lines;        /* CSV: the line each row of values starts on, or NULL */
	ml_row_reader read;
	void *source;
	/*
	 * Streamed rows: starts reading them again from the first, for kinds
	 * that take two passes (mini-batch k-means); NULL when the input
	 * cannot be read twice (such kinds then fail).
	 */
	int (*rewind)(void *source, ml_error *err);
};

/*
 * Fits options->kind on data.  Linear kinds and mini-batch k-means stream
 * (memory O(features^2), or the batch); the others keep the rows in
 * memory.  The task is the kind's, or, for a kind that does both,
 * classification when the target holds class names (options->task
 * overrides).  Clustering needs no target; one named or marked is not a
 * feature.  The model's metadata records the row count, the XXH3-64 hash
 * of the rows' bytes and the seed.
 */
ml_model *ml_model_fit(const ml_fit_options *options, const ml_training_data *data,
		       ml_error *err);
/* Records "created-by" and "command" (this command line) in the metadata. */
int ml_model_set_command(ml_model *model, int argc, char *const *argv, ml_error *err);

/*
 * Appends the model file text (mlpipe-model(5)).  Reading a file and
 * writing the model back gives the same bytes.
 */
void ml_model_write(const ml_model *model, ml_buf *out);
/*
 * Writes the model file atomically; a file that holds the same bytes
 * already is left untouched (*unchanged true), so make does not rebuild.
 */
int ml_model_save(const ml_model *model, const char *path, bool *unchanged, ml_error *err);

/* The features (the input columns but the target), in coefficient order. */
size_t ml_model_n_features(const ml_model *model);
const char *ml_model_feature_name(const ml_model *model, size_t index);
/* Metadata lines ("data-rows 442", ...). */
size_t ml_model_n_meta(const ml_model *model);
const char *ml_model_meta(const ml_model *model, size_t index);
/*
 * Appends a description for people: hyperparameters, coefficients by
 * feature (and class) or centres, training summary.  What ml-info prints.
 */
void ml_model_describe(const ml_model *model, ml_buf *out);

/*
 * What a clustering model holds: n_clusters centres of n_features values
 * (features in model order, row-major), the training rows of each cluster,
 * the inertia (the sum of the training rows' squared distances to their
 * centres), how many centres are distinct (fewer than n_clusters when the
 * data have fewer distinct rows), the iterations of the run kept (mini-batch:
 * steps) and whether it converged.  Pointers into the model.
 */
typedef struct ml_clustering {
	size_t n_clusters;
	size_t n_features;
	const double *centres;
	const size_t *sizes;
	double inertia;
	size_t n_distinct;
	size_t n_iter;
	bool converged;
} ml_clustering;

/* Fills clustering from a clustering model; -1 with err for another task. */
int ml_model_clustering(const ml_model *model, ml_clustering *clustering, ml_error *err);

#endif
