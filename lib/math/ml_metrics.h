/*
 * ml_metrics: how good predictions are, computed as scikit-learn 1.2's
 * sklearn.metrics computes them (equal to 1e-12, relative, on the same
 * input): classification from class indices and probabilities, regression,
 * and clustering.  The numerical core of ml-eval.
 *
 * Names are scikit-learn's: the fields of the score structs and the names
 * the _list functions give are its scorer names without "neg_" ("f1_macro",
 * "roc_auc_ovr", "r2", "adjusted_rand_score"), so a JSON report can use them
 * as keys.  Degenerate input behaves as there too: where scikit-learn warns
 * and substitutes (a class never predicted has precision 0/0, taken as 0)
 * the value is the same and a warning bit says why; where it raises (ROC
 * AUC with one class in the truth, a silhouette of one cluster) the value is
 * NaN and a warning bit says why.  Bad input (a class out of range, a NaN,
 * no rows) is an error.
 *
 * Where we part from scikit-learn on purpose:
 * - Sums over rows are compensated (Neumaier) where numpy sums pairwise:
 *   the values agree to rounding, and ours do not drift with the row count.
 * - A constant truth (r2, explained_variance) is decided by comparing the
 *   values, not by numpy's rounded mean: scikit-learn can find a variance of
 *   1e-33 in ten copies of 0.1 and return -1e30 where we return its own
 *   convention for a constant truth (1 if the predictions are perfect, else 0).
 * - The silhouette centres the data before ||x||^2 - 2x.y + ||y||^2, so the
 *   distances keep their digits far from the origin.
 * - Empty input is an error everywhere (scikit-learn returns 1.0 for some
 *   clustering scores of nothing).
 *
 * Classes are indices 0..n_classes-1 (the caller maps names to them);
 * macro averages run over the classes that occur in the truth or the
 * prediction, as scikit-learn's default labels do.  Cluster labels are any
 * integers.  Sample weights (classification only) are optional, >= 0, and
 * must not all be zero.
 */
#ifndef ML_METRICS_H
#define ML_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"

/* Bounds the per-class arrays (and a confusion matrix of n_classes^2 cells). */
#define ML_METRICS_MAX_CLASSES ((size_t)1 << 16)

/* Warning bits: why a value is a convention or NaN.  Text from ml_metric_warning_text. */
enum {
	ML_METRIC_WARN_PRECISION = 1u << 0,   /* a class never predicted: precision 0/0 = 0 */
	ML_METRIC_WARN_RECALL = 1u << 1,      /* a class absent from the truth: recall 0/0 = 0 */
	ML_METRIC_WARN_F1 = 1u << 2,          /* both: F1 0/0 = 0 */
	ML_METRIC_WARN_BALANCED = 1u << 3,    /* predicted classes not in the truth are left out */
	ML_METRIC_WARN_ONE_CLASS = 1u << 4,   /* ROC AUC undefined (NaN) */
	ML_METRIC_WARN_NOT_PROBABILITIES = 1u << 5, /* rows not summing to 1: ROC AUC OvR NaN */
	ML_METRIC_WARN_NO_POSITIVE = 1u << 6, /* no positive row: recall (AP) or tpr undefined */
	ML_METRIC_WARN_NO_NEGATIVE = 1u << 7, /* no negative row: fpr undefined (NaN) */
	ML_METRIC_WARN_CONSTANT_TRUTH = 1u << 8, /* r2, explained_variance by convention */
	ML_METRIC_WARN_CLUSTER_COUNT = 1u << 9,  /* silhouette needs 2..n_rows-1 clusters */
};

/* One line for one warning bit ("precision is ill-defined and set to 0 ..."). */
const char *ml_metric_warning_text(unsigned warning);

/* A score under scikit-learn's name, for listing. */
typedef struct ml_metric_value {
	const char *name;
	double value;
} ml_metric_value;

/* The most values a _list function gives. */
#define ML_METRICS_MAX_LISTED 24

/* Classification */

typedef struct ml_class_data {
	const size_t *truth;          /* n_rows classes in [0, n_classes) */
	const size_t *predicted;      /* n_rows classes, or NULL */
	const double *probabilities;  /* n_rows x n_classes, row-major, or NULL */
	const double *weights;        /* n_rows sample weights, or NULL for 1 each */
	size_t n_rows;
	size_t n_classes;             /* >= 1; >= 2 with probabilities */
} ml_class_data;

typedef struct ml_class_score {
	double precision;
	double recall;
	double f1;
	double support; /* rows of the class in the truth (their weight) */
} ml_class_score;

typedef struct ml_prf {
	double precision;
	double recall;
	double f1;
} ml_prf;

typedef struct ml_classification_scores {
	bool has_predictions;   /* the label scores below were computed */
	bool has_probabilities; /* log_loss, roc_auc and average_precision were */
	double accuracy;
	double balanced_accuracy;
	ml_prf binary;          /* class 1 (average="binary"); NaN unless n_classes == 2 */
	ml_prf macro;
	ml_prf micro;
	ml_prf weighted;
	double log_loss;
	double roc_auc;         /* binary: class 1's column; else one-vs-rest, macro */
	double average_precision; /* binary: class 1's column; else one-vs-rest, macro */
	unsigned warnings;
} ml_classification_scores;

/*
 * Every score the data allows: the label scores when data->predicted is
 * set, the probability scores when data->probabilities is; per_class
 * (n_classes entries, may be NULL) gets precision, recall, F1 and support.
 */
int ml_score_classification(const ml_class_data *data, ml_classification_scores *scores,
			    ml_class_score *per_class, ml_error *err);
/*
 * The scores computed, under scikit-learn's names ("accuracy", "f1_macro",
 * "roc_auc" or "roc_auc_ovr", ...), in a fixed order; returns how many
 * (at most ML_METRICS_MAX_LISTED).  n_classes as in the data.
 */
size_t ml_classification_scores_list(const ml_classification_scores *scores, size_t n_classes,
				     ml_metric_value *values);

/* confusion_matrix: matrix[t * n_classes + p] = weight of rows of truth t predicted p. */
int ml_confusion_matrix(const ml_class_data *data, double *matrix, ml_error *err);
/* log_loss(truth, probabilities, labels=range(n_classes)): clipped at eps, rows renormalised. */
int ml_log_loss(const ml_class_data *data, double *loss, ml_error *err);
/* roc_auc_score: binary on class 1's column, else multi_class="ovr", average="macro". */
int ml_roc_auc(const ml_class_data *data, double *auc, unsigned *warnings, ml_error *err);
/* average_precision_score: class 1's column, else macro over the binarised truth. */
int ml_average_precision(const ml_class_data *data, double *precision, unsigned *warnings,
			 ml_error *err);

/* roc_curve(truth == positive, probabilities[:, positive]) with drop_intermediate. */
typedef struct ml_roc_curve {
	size_t n_points;
	double *fpr;
	double *tpr;
	double *thresholds; /* decreasing; the first is the highest score + 1, as in 1.2 */
} ml_roc_curve;

ml_roc_curve *ml_roc_curve_create(const ml_class_data *data, size_t positive,
				  unsigned *warnings, ml_error *err);
void ml_roc_curve_free(ml_roc_curve *curve);

/* Regression */

typedef struct ml_regression_scores {
	double mean_squared_error;
	double root_mean_squared_error;
	double mean_absolute_error;
	double r2;
	double max_error;
	double mean_absolute_percentage_error;
	double explained_variance;
	double median_absolute_error;
	unsigned warnings;
} ml_regression_scores;

/* Scores of predicted against truth, n_rows finite values each. */
int ml_score_regression(const double *truth, const double *predicted, size_t n_rows,
			ml_regression_scores *scores, ml_error *err);
size_t ml_regression_scores_list(const ml_regression_scores *scores, ml_metric_value *values);

/* Clustering */

typedef struct ml_clustering_scores {
	double adjusted_rand_score;
	double mutual_info_score;
	double normalized_mutual_info_score; /* arithmetic mean of the entropies */
	double homogeneity_score;
	double completeness_score;
	double v_measure_score;
	size_t n_classes;  /* distinct labels in the truth */
	size_t n_clusters; /* distinct labels in the prediction */
} ml_clustering_scores;

/* Compares two labellings of n_rows points (at most 2^31 of them). */
int ml_score_clustering(const int64_t *truth, const int64_t *predicted, size_t n_rows,
			ml_clustering_scores *scores, ml_error *err);
size_t ml_clustering_scores_list(const ml_clustering_scores *scores, ml_metric_value *values);

/*
 * silhouette_samples with the Euclidean distance: for each point i of
 * rows (n_rows x n_columns, rows row_stride values apart), (b - a) / max(a, b)
 * where a is its mean distance to the rest of its cluster and b the least
 * mean distance to another cluster; 0 in a cluster of one.  Fewer than 2 or
 * more than n_rows - 1 clusters: NaN and ML_METRIC_WARN_CLUSTER_COUNT.
 * Threads as ml_parallel says; the result does not depend on their count.
 */
int ml_silhouette_samples(const double *rows, size_t n_rows, size_t n_columns,
			  size_t row_stride, const int64_t *labels, double *samples,
			  unsigned *warnings, ml_error *err);
/* silhouette_score: the mean of the samples ("silhouette_score" in a listing). */
int ml_silhouette_score(const double *rows, size_t n_rows, size_t n_columns, size_t row_stride,
			const int64_t *labels, double *score, unsigned *warnings, ml_error *err);

#endif
