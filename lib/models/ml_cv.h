/*
 * ml_cv: K-fold cross-validation of any estimator of the registry: what
 * `ml-fit KIND --cv K` prints.
 *
 * The rows are in memory once; each fold's model trains on the other
 * folds' rows through an index (ml_training_data.row_index), never a copy
 * of them, and predicts the fold's own rows a block at a time.  The folds
 * are ml_split_folds' with the fit's seed, stratified by the target's
 * classes for a classification (strata numbered as the classes first
 * appear, as ml-split numbers them), so `ml-split --folds K --fold I -s
 * SEED [--stratify]` writes the same parts.  Every fold's model gets the
 * same options, seed included, as scikit-learn's cross_val_score clones one
 * estimator.
 *
 * The scores are math/ml_metrics', under the names ml-eval gives them:
 * accuracy (the main one), balanced_accuracy and f1_macro for a
 * classification, r2 (the main one), root_mean_squared_error and
 * mean_absolute_error for a regression; then their mean and standard
 * deviation over the folds (ddof 0, as numpy's std).  Classes are those of
 * all the rows, so a fold whose training part lacks a class still scores
 * against the others' names.  Clustering kinds have no target to score
 * and are refused.
 */
#ifndef ML_CV_H
#define ML_CV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "core/ml_util.h"
#include "models/ml_model.h"

/* As many folds as ml-split deals. */
#define ML_CV_MAX_FOLDS ((size_t)1000000)

typedef struct ml_cv_options {
	size_t n_folds;          /* 2..ML_CV_MAX_FOLDS (default 5) */
	ml_progress_fn progress; /* a line per fold; may be NULL */
	void *progress_context;
} ml_cv_options;

void ml_cv_options_init(ml_cv_options *options);
/* Says why the folds, or the kind of fit, cannot be cross-validated. */
int ml_cv_options_check(const ml_cv_options *options, const ml_fit_options *fit,
			ml_error *err);

typedef struct ml_cv ml_cv;

/*
 * Cross-validates fit->kind on data, which must be in memory (read NULL,
 * no row_index).  Warnings (a class with fewer rows than folds, a fit that
 * did not converge, prefixed with its fold) go to fit->warning.  Fails
 * with fewer rows than folds, or when every class has fewer rows than
 * folds (scikit-learn's StratifiedKFold refuses that too); a failing fold
 * names itself.
 */
ml_cv *ml_cross_validate(const ml_cv_options *options, const ml_fit_options *fit,
			 const ml_training_data *data, ml_error *err);
void ml_cv_free(ml_cv *cv);

ml_task ml_cv_task(const ml_cv *cv);
size_t ml_cv_n_folds(const ml_cv *cv);
bool ml_cv_stratified(const ml_cv *cv);
/* Training and test rows of fold (0-based). */
size_t ml_cv_train_rows(const ml_cv *cv, size_t fold);
size_t ml_cv_test_rows(const ml_cv *cv, size_t fold);
/* The metrics, the main one first, under scikit-learn's names ("accuracy", "r2", ...). */
size_t ml_cv_n_metrics(const ml_cv *cv);
const char *ml_cv_metric_name(const ml_cv *cv, size_t metric);
double ml_cv_score(const ml_cv *cv, size_t fold, size_t metric);
double ml_cv_mean(const ml_cv *cv, size_t metric);
double ml_cv_std(const ml_cv *cv, size_t metric);
/* ML_METRIC_WARN_* bits of any fold: why a score is a convention (f1 of a class never predicted). */
unsigned ml_cv_warnings(const ml_cv *cv);

/*
 * Appends the report: an aligned table (a line per fold, then mean and
 * std; six significant digits) or one JSON object (every value exact:
 * "folds", "scores" of the main metric, "mean", "std", "warnings").
 */
void ml_cv_format(const ml_cv *cv, bool json, ml_buf *out);

#endif
