/*
 * Internal to lib/models: what a kind of estimator implements, and the
 * helpers the kinds share.  Only the files of lib/models include this.
 *
 * The model (ml_model.c) owns what every model file shares: the metadata,
 * the chain, the section's common lines (estimator, task, inputs, target,
 * classes) and the hyperparameter lines, which come from the kind's table.
 * Training (ml_training.c) resolves the target, decides the task, hands the
 * kind its rows (features in model order, then the target; missing
 * features refused unless the kind routes them) and records the row count
 * and hash.  A kind owns what it learns and its training summary; a
 * clustering kind also hands back each training row's cluster.
 */
#ifndef ML_MODEL_IMPL_H
#define ML_MODEL_IMPL_H

#include "core/ml_text.h"
#include "models/ml_estimator.h"
#include "models/ml_model.h"

typedef struct ml_training_rows ml_training_rows;

struct ml_estimator {
	const char *name;
	const char *summary;
	unsigned flags;              /* ML_ESTIMATOR_* */
	const ml_param *params;      /* the hyperparameters, in model-file order */
	size_t n_params;
	/* Says why a combination of hyperparameters is invalid; may be NULL. */
	int (*check)(const double *params, ml_error *err);
	/* Fits model->state from rows; model->hyper holds the hyperparameters. */
	int (*fit)(ml_model *model, const ml_fit_options *options, ml_training_rows *rows,
		   ml_error *err);
	/* Writes the kind's own lines, after the hyperparameters, before "end". */
	void (*write)(const ml_model *model, ml_buf *out);
	/* Reads the kind's own lines up to and including "end". */
	int (*parse)(ml_model *model, ml_text_reader *reader, ml_error *err);
	/*
	 * Predicts n_rows rows of features (n_rows x n_features, complete
	 * unless the kind takes missing values, finite for clustering);
	 * probabilities may be NULL.  Fails only when memory does.
	 */
	int (*predict)(const ml_model *model, const double *features, size_t n_rows,
		       double *predictions, double *probabilities, ml_error *err);
	/*
	 * predict on the input rows as they are (width values each, feature f
	 * at column feature_column[f]), all n_rows at once: no copy of the
	 * features, and the kind blocks and threads the whole batch.  Only for
	 * kinds that take missing values and check nothing else; may be NULL.
	 */
	int (*predict_columns)(const ml_model *model, const double *rows, size_t n_rows,
			       size_t width, double *predictions, double *probabilities,
			       ml_error *err);
	/* Rows a caller should hand predict at a time, at least (0: no wish); may be NULL. */
	size_t (*batch_rows)(const ml_model *model);
	/* Appends what ml-info shows after the hyperparameters. */
	void (*describe)(const ml_model *model, ml_buf *out);
	void (*free_state)(void *state);
	/*
	 * Says why the hyperparameters do not go with the rest of the fit
	 * options (the task asked for, validation rows); may be NULL.
	 */
	int (*check_fit)(const ml_fit_options *options, ml_error *err);
	/* Clustering kinds: what ml_model_clustering gives; NULL for the others. */
	void (*clustering)(const ml_model *model, ml_clustering *clustering);
};

struct ml_model {
	const ml_estimator *kind;
	ml_task task;
	double hyper[ML_MAX_PARAMS]; /* the kind's hyperparameters, in its table's order */
	ml_chain *chain;
	ml_columns columns;      /* the input layout: the chain's output */
	size_t n_features;
	size_t *feature_column;  /* feature i is columns.names[feature_column[i]] */
	size_t n_classes;        /* classification: classes seen in training */
	char **class_names;
	size_t n_meta;
	char **meta;             /* metadata lines, as written */
	void *state;             /* what the kind learned */
};

/* The kinds, each defined in its own file; the registry lists them. */
extern const ml_estimator ml_linear_estimator;
extern const ml_estimator ml_ridge_estimator;
extern const ml_estimator ml_logistic_estimator;
extern const ml_estimator ml_tree_estimator;
extern const ml_estimator ml_forest_estimator;
extern const ml_estimator ml_gbdt_estimator;
extern const ml_estimator ml_kmeans_estimator;
extern const ml_estimator ml_minibatch_kmeans_estimator;

/* A model of kind with nothing learned yet (free with ml_model_free). */
ml_model *ml_model_new(const ml_estimator *kind, ml_task task, ml_error *err);
/* Sets the layout (target included) and derives the features from it. */
int ml_model_set_layout(ml_model *model, const ml_columns *columns, size_t target,
			ml_error *err);
/* Appends a metadata line ("data-rows 442"). */
int ml_model_add_meta(ml_model *model, const char *line, ml_error *err);

/*
 * Training rows as a kind sees them: blocks of n_features + 1 values per
 * row (the features in model order, then the target, NaN for a clustering
 * without one).
 */
size_t ml_training_rows_width(const ml_training_rows *rows);
/* The input's name, for messages. */
const char *ml_training_rows_name(const ml_training_rows *rows);
/* Reads up to max_rows rows; *n_read 0 at the end. */
int ml_training_rows_next(ml_training_rows *rows, double *block, size_t max_rows,
			  size_t *n_read, ml_error *err);
/*
 * Reads every row into one array (n x width, malloc'd): what iterative
 * kinds need.
 */
int ml_training_rows_all(ml_training_rows *rows, double **all, size_t *n_rows,
			 ml_error *err);
/*
 * Reads every validation row (options->valid) as ml_training_rows_all
 * reads the training rows: features in model order, then the target; a
 * missing target refused, naming the row.  The columns must be the
 * model's.  *n_rows 0 and *all NULL without validation rows.
 */
int ml_training_valid_all(const ml_model *model, const ml_fit_options *options, double **all,
			  size_t *n_rows, ml_error *err);
/*
 * Starts a second pass over the rows (after the first has read them all):
 * ml_training_rows_next reads them again from the first, and fails if
 * they are not as many as before.  Streamed rows need data->rewind.
 */
int ml_training_rows_rewind(ml_training_rows *rows, ml_error *err);
/*
 * Clustering: hands options->labels (if set) n_rows rows read with
 * ml_training_rows_next or _all (features then target), put back in the
 * training data's layout, with their clusters.
 */
int ml_training_rows_label(ml_training_rows *rows, const ml_fit_options *options,
			   const double *block, const size_t *labels, size_t n_rows,
			   ml_error *err);
/* The chain's class names for the target (NULL for a numeric target). */
char *const *ml_training_rows_class_names(const ml_training_rows *rows, size_t *count);

/*
 * What ml_model_fit decides before it fits: the options checked, the
 * target column (ML_NO_COLUMN only for clustering) and the task.
 */
int ml_fit_resolve(const ml_fit_options *options, const ml_training_data *data, size_t *target,
		   ml_task *task, ml_error *err);

/* Sends a formatted warning (always shown) to the options' callback, if any. */
void ml_fit_warn(const ml_fit_options *options, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
/* Sends a formatted progress line (-v) to the options' callback, if any. */
void ml_fit_report(const ml_fit_options *options, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Sets the model's classes from the distinct target values (sorted),
 * named by class_names (codes) or by the values as text; at most
 * max_classes.  Fills class_of_row with each row's class index.
 */
int ml_model_set_classes(ml_model *model, const double *targets, size_t stride,
			 size_t n_rows, char *const *class_names, size_t n_names,
			 size_t max_classes, size_t *class_of_row, ml_error *err);

/*
 * The lines linear models write: "features N", then a coefficient per
 * feature, "coef [CLASS] FEATURE VALUE" in feature order (class_name NULL:
 * no class word).
 */
void ml_model_write_coefs(const ml_model *model, ml_buf *out, const char *class_name,
			  const double *coef);
int ml_model_read_coefs(const ml_model *model, ml_text_reader *reader, const char *class_name,
			double *coef, ml_error *err);
int ml_model_read_features(const ml_model *model, ml_text_reader *reader, ml_error *err);

#endif
