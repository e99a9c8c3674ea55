/*
 * Internal to lib/: what a kind of estimator implements, and the helpers
 * ml_model.c gives the modules that define one (ml_linear.c,
 * ml_logistic.c).  Nothing else includes this.
 *
 * ml_model.c owns what every model file shares: the metadata, the chain,
 * the section's common lines (estimator, task, inputs, target, classes),
 * the features, reading training rows (target resolved, missing values
 * refused, rows counted and hashed) and predicting (features gathered and
 * checked).  A kind owns its hyperparameters, its coefficients and its
 * training summary.
 */
#ifndef ML_MODEL_IMPL_H
#define ML_MODEL_IMPL_H

#include "core/ml_text.h"
#include "models/ml_model.h"

typedef struct ml_training_rows ml_training_rows;

typedef struct ml_estimator_kind {
	const char *name;
	ml_task task;
	/* Fits model->params from rows (features then target, per row). */
	int (*fit)(ml_model *model, const ml_fit_options *options, ml_training_rows *rows,
		   ml_error *err);
	/* Writes the kind's own lines, between the common ones and "end". */
	void (*write)(const ml_model *model, ml_buf *out);
	/* Reads the kind's own lines up to and including "end". */
	int (*parse)(ml_model *model, ml_text_reader *reader, ml_error *err);
	/*
	 * Predicts n_rows rows of features (n_rows x n_features, complete);
	 * probabilities may be NULL.  Cannot fail.
	 */
	void (*predict)(const ml_model *model, const double *features, size_t n_rows,
			double *predictions, double *probabilities);
	/* Appends the description ml-info prints. */
	void (*describe)(const ml_model *model, ml_buf *out);
	void (*free_params)(void *params);
} ml_estimator_kind;

struct ml_model {
	const ml_estimator_kind *kind;
	ml_chain *chain;
	ml_columns columns;      /* the input layout: the chain's output */
	size_t n_features;
	size_t *feature_column;  /* feature i is columns.names[feature_column[i]] */
	size_t n_classes;        /* classification: classes seen in training */
	char **class_names;
	double *class_values;    /* the target value (code) of each class */
	size_t n_meta;
	char **meta;             /* metadata lines, as written */
	void *params;
};

extern const ml_estimator_kind ml_linear_kind;
extern const ml_estimator_kind ml_ridge_kind;
extern const ml_estimator_kind ml_logistic_kind;

/*
 * Training rows as a kind sees them: blocks of n_features + 1 values per
 * row (the features in model order, then the target), complete.
 */
size_t ml_training_rows_width(const ml_training_rows *rows);
/* Reads up to max_rows rows; *n_read 0 at the end. */
int ml_training_rows_next(ml_training_rows *rows, double *block, size_t max_rows,
			  size_t *n_read, ml_error *err);
/*
 * Reads every row into one array (n x width, malloc'd): what iterative
 * kinds need.
 */
int ml_training_rows_all(ml_training_rows *rows, double **all, size_t *n_rows,
			 ml_error *err);
/* The chain's class names for the target (NULL for a numeric target). */
char *const *ml_training_rows_class_names(const ml_training_rows *rows, size_t *count);

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

/* Writing and parsing helpers shared by the kinds. */
void ml_write_bool(ml_buf *out, const char *key, bool value);
void ml_write_double(ml_buf *out, const char *key, double value);
void ml_write_size(ml_buf *out, const char *key, size_t value);
void ml_write_word(ml_buf *out, const char *key, const char *value);
/* Reads the next line, which must be "key VALUE". */
int ml_parse_bool(ml_text_reader *reader, const char *key, bool *value, ml_error *err);
/* A finite number (or any number when allow_nonfinite). */
int ml_parse_double_line(ml_text_reader *reader, const char *key, bool allow_nonfinite,
			 double *value, ml_error *err);
/* A finite number >= 0 (> 0 when positive). */
int ml_parse_nonnegative(ml_text_reader *reader, const char *key, bool positive, double *value,
			 ml_error *err);
int ml_parse_size(ml_text_reader *reader, const char *key, size_t max, size_t *value,
		  ml_error *err);
int ml_parse_choice(ml_text_reader *reader, const char *key, const char *const *choices,
		    size_t *choice, ml_error *err);
/* Reads "end" and nothing else. */
int ml_parse_end(ml_text_reader *reader, ml_error *err);
/*
 * Reads n_features lines "coef [CLASS] FEATURE VALUE" in feature order
 * (class_name NULL: no class word) into coef[0..n_features).
 */
int ml_parse_coefs(const ml_model *model, ml_text_reader *reader, const char *class_name,
		   double *coef, ml_error *err);
/* Reads "features N", N the model's feature count. */
int ml_parse_features(const ml_model *model, ml_text_reader *reader, ml_error *err);
/* Writes the lines ml_parse_coefs reads. */
void ml_write_coefs(const ml_model *model, ml_buf *out, const char *class_name,
		    const double *coef);

#endif
