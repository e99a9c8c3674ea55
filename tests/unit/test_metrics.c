/*
 * ml_metrics against scikit-learn 1.2's sklearn.metrics, to 1e-12 relative.
 *
 * Every expected value was computed once by tests/unit/metrics_reference.py
 * (run it to print them again; `--header` rewrites metrics_data.h) and is
 * pasted here under the name of the case; the comment above each block
 * gives the Python calls.  The synthetic cases regenerate their data with
 * ml_random from the seed the script's copy of it used; the real ones use
 * model outputs on the bundled iris, breast_cancer and diabetes data.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"
#include "math/ml_metrics.h"
#include "math/ml_parallel.h"
#include "metrics_data.h"

#define RELATIVE 1e-12
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void check_close(double got, double want, const char *what)
{
	if (isnan(want))
		ck_assert_msg(isnan(got), "%s: %.17g, expected NaN", what, got);
	else
		ck_assert_msg(fabs(got - want) <= RELATIVE * fabs(want),
			      "%s: %.17g, expected %.17g (relative %.3g)", what, got, want,
			      fabs(got - want) / fabs(want));
}

/* The listed values hold exactly the names of want, each close to its value. */
static void check_listed(const ml_metric_value *got, size_t n_got, const ml_metric_value *want,
			 size_t n_want)
{
	ck_assert_uint_eq(n_got, n_want);
	for (size_t i = 0; i < n_want; i++) {
		size_t j = 0;
		while (j < n_got && strcmp(got[j].name, want[i].name) != 0)
			j++;
		ck_assert_msg(j < n_got, "%s is not listed", want[i].name);
		check_close(got[j].value, want[i].value, want[i].name);
	}
}

static void check_classification(const ml_class_data *data, const ml_metric_value *want,
				 size_t n_want, unsigned *warnings)
{
	ml_classification_scores scores;
	ml_metric_value listed[ML_METRICS_MAX_LISTED];
	ml_error err;
	ck_assert_msg(ml_score_classification(data, &scores, NULL, &err) == 0, "%s",
		      err.message);
	check_listed(listed, ml_classification_scores_list(&scores, data->n_classes, listed), want,
		     n_want);
	if (warnings)
		*warnings = scores.warnings;
}

static void check_regression(const double *truth, const double *predicted, size_t n_rows,
			     const ml_metric_value *want, size_t n_want, unsigned *warnings)
{
	ml_regression_scores scores;
	ml_metric_value listed[ML_METRICS_MAX_LISTED];
	ml_error err;
	ck_assert_msg(ml_score_regression(truth, predicted, n_rows, &scores, &err) == 0, "%s",
		      err.message);
	check_listed(listed, ml_regression_scores_list(&scores, listed), want, n_want);
	if (warnings)
		*warnings = scores.warnings;
}

static void check_clustering(const int64_t *truth, const int64_t *predicted, size_t n_rows,
			     const ml_metric_value *want, size_t n_want)
{
	ml_clustering_scores scores;
	ml_metric_value listed[ML_METRICS_MAX_LISTED];
	ml_error err;
	ck_assert_msg(ml_score_clustering(truth, predicted, n_rows, &scores, &err) == 0, "%s",
		      err.message);
	check_listed(listed, ml_clustering_scores_list(&scores, listed), want, n_want);
}

static void check_array(const double *got, const double *want, size_t count, const char *what)
{
	char name[64];
	for (size_t i = 0; i < count; i++) {
		snprintf(name, sizeof name, "%s[%zu]", what, i);
		check_close(got[i], want[i], name);
	}
}

/* Classification from labels */

static const size_t small_truth[] = { 0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 0, 1 };
static const size_t small_predicted[] = { 0, 1, 1, 1, 0, 2, 3, 0, 1, 1, 0, 3 };
static const double small_weights[] = { 1, 2, 0.5, 1, 1, 3, 1, 0, 2, 1, 1, 0.25 };

/* metrics.confusion_matrix(SMALL_TRUTH, SMALL_PREDICTED[, sample_weight=SMALL_WEIGHTS]) */
START_TEST(confusion_matrix_counts_and_weighs)
{
	static const double counts[16] = { 3, 1, 0, 0, 1, 3, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0 };
	static const double weighed[16] = { 2, 2, 0, 0, 1, 3.5, 0, 0.25, 0, 1, 3, 1, 0, 0, 0, 0 };
	ml_class_data data = { small_truth, small_predicted, NULL, NULL, 12, 4 };
	double matrix[16];
	ml_error err;
	ck_assert_int_eq(ml_confusion_matrix(&data, matrix, &err), 0);
	ck_assert_mem_eq(matrix, counts, sizeof counts);
	data.weights = small_weights;
	ck_assert_int_eq(ml_confusion_matrix(&data, matrix, &err), 0);
	ck_assert_mem_eq(matrix, weighed, sizeof weighed);
}
END_TEST

/*
 * classification_values(SMALL_TRUTH, SMALL_PREDICTED, None, 4[, SMALL_WEIGHTS]):
 * accuracy_score, balanced_accuracy_score and precision_recall_fscore_support
 * (average="macro", "micro", "weighted").  Class 3 is predicted but never
 * true: its recall is 0/0 and balanced accuracy leaves it out.
 */
static const ml_metric_value small_labels[] = {
	{ "accuracy", 0.58333333333333337 },
	{ "balanced_accuracy", 0.56111111111111112 },
	{ "precision_macro", 0.58750000000000002 },
	{ "recall_macro", 0.42083333333333334 },
	{ "f1_macro", 0.46250000000000002 },
	{ "precision_micro", 0.58333333333333337 },
	{ "recall_micro", 0.58333333333333337 },
	{ "f1_micro", 0.58333333333333337 },
	{ "precision_weighted", 0.75 },
	{ "recall_weighted", 0.58333333333333337 },
	{ "f1_weighted", 0.625 },
};
static const ml_metric_value small_labels_weighted[] = {
	{ "accuracy", 0.61818181818181817 },
	{ "balanced_accuracy", 0.61228070175438598 },
	{ "precision_macro", 0.55128205128205132 },
	{ "recall_macro", 0.45921052631578951 },
	{ "f1_macro", 0.48591269841269846 },
	{ "precision_micro", 0.61818181818181817 },
	{ "recall_micro", 0.61818181818181817 },
	{ "f1_micro", 0.61818181818181817 },
	{ "precision_weighted", 0.74358974358974361 },
	{ "recall_weighted", 0.61818181818181817 },
	{ "f1_weighted", 0.653910533910534 },
};
/*
 * np.array(precision_recall_fscore_support(SMALL_TRUTH, SMALL_PREDICTED,
 *     labels=[0, 1, 2, 3], average=None, sample_weight=SMALL_WEIGHTS)).T.ravel()
 */
static const double small_per_class_weighted[] = {
	0.66666666666666663, 0.5, 0.57142857142857151, 4, 0.53846153846153844, 0.73684210526315785,
	0.62222222222222223, 4.75, 1, 0.59999999999999998, 0.74999999999999989, 5, 0, 0, 0, 0,
};
START_TEST(label_scores_match_scikit_learn)
{
	ml_class_data data = { small_truth, small_predicted, NULL, NULL, 12, 4 };
	unsigned warnings;
	check_classification(&data, small_labels, COUNT(small_labels), &warnings);
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_RECALL | ML_METRIC_WARN_BALANCED);
	data.weights = small_weights;
	check_classification(&data, small_labels_weighted, COUNT(small_labels_weighted), NULL);

	ml_classification_scores scores;
	ml_class_score per_class[4];
	ml_error err;
	ck_assert_int_eq(ml_score_classification(&data, &scores, per_class, &err), 0);
	for (size_t k = 0; k < 4; k++) {
		const double *want = small_per_class_weighted + 4 * k;
		check_close(per_class[k].precision, want[0], "precision");
		check_close(per_class[k].recall, want[1], "recall");
		check_close(per_class[k].f1, want[2], "f1");
		check_close(per_class[k].support, want[3], "support");
	}
	ck_assert(!scores.has_probabilities && isnan(scores.log_loss));
}
END_TEST

/*
 * classification_values(np.array([0, 1, 1, 0, 1]), np.zeros(5, int), None, 2):
 * class 1 is never predicted, so its precision is 0/0, taken as 0.
 */
static const ml_metric_value binary_never_predicted[] = {
	{ "accuracy", 0.40000000000000002 },
	{ "balanced_accuracy", 0.5 },
	{ "precision_macro", 0.20000000000000001 },
	{ "recall_macro", 0.5 },
	{ "f1_macro", 0.28571428571428575 },
	{ "precision_micro", 0.40000000000000002 },
	{ "recall_micro", 0.40000000000000002 },
	{ "f1_micro", 0.40000000000000008 },
	{ "precision_weighted", 0.16 },
	{ "recall_weighted", 0.40000000000000002 },
	{ "f1_weighted", 0.22857142857142859 },
	{ "precision", 0 },
	{ "recall", 0 },
	{ "f1", 0 },
};
START_TEST(a_class_never_predicted_has_precision_zero_and_a_warning)
{
	static const size_t truth[] = { 0, 1, 1, 0, 1 }, predicted[5] = { 0 };
	ml_class_data data = { truth, predicted, NULL, NULL, 5, 2 };
	unsigned warnings;
	check_classification(&data, binary_never_predicted, COUNT(binary_never_predicted),
			     &warnings);
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_PRECISION);
}
END_TEST

/* Classes absent from both sides are left out of the macro averages, as scikit-learn's labels. */
START_TEST(classes_absent_from_both_sides_are_not_averaged)
{
	ml_class_data data = { small_truth, small_predicted, NULL, NULL, 12, 7 };
	check_classification(&data, small_labels, COUNT(small_labels), NULL);
}
END_TEST

/* Classification from probabilities */

static const size_t tied_truth[] = { 0, 0, 1, 1, 0, 1, 1, 0, 1, 0 };
static const double tied_scores[] = { 0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.9, 0.1, 0.35, 0.6 };
static const double tied_weights[] = { 1, 0, 2, 1, 0.5, 1, 3, 1, 1, 2 };

/* Rows (1 - s, s) and the classes s >= 0.5 predicts, as the script builds them. */
static void tied_binary_data(double *probabilities, size_t *predicted)
{
	for (size_t r = 0; r < 10; r++) {
		probabilities[2 * r] = 1 - tied_scores[r];
		probabilities[2 * r + 1] = tied_scores[r];
		predicted[r] = tied_scores[r] >= 0.5;
	}
}

/*
 * classification_values(TIED_TRUTH, (TIED_SCORES >= 0.5).astype(int),
 *     np.column_stack([1 - TIED_SCORES, TIED_SCORES]), 2[, TIED_WEIGHTS]):
 * log_loss, roc_auc_score and average_precision_score on column 1 too.
 * Scores tie within and across the classes (0.4 three times, 0.35 twice).
 */
static const ml_metric_value tied_binary[] = {
	{ "accuracy", 0.59999999999999998 },
	{ "balanced_accuracy", 0.60000000000000009 },
	{ "precision_macro", 0.61904761904761907 },
	{ "recall_macro", 0.60000000000000009 },
	{ "f1_macro", 0.58333333333333326 },
	{ "precision_micro", 0.59999999999999998 },
	{ "recall_micro", 0.59999999999999998 },
	{ "f1_micro", 0.59999999999999998 },
	{ "precision_weighted", 0.61904761904761896 },
	{ "recall_weighted", 0.59999999999999998 },
	{ "f1_weighted", 0.58333333333333326 },
	{ "precision", 0.66666666666666663 },
	{ "recall", 0.40000000000000002 },
	{ "f1", 0.5 },
	{ "log_loss", 0.54931020585653356 },
	{ "roc_auc", 0.68000000000000005 },
	{ "average_precision", 0.75 },
};
static const ml_metric_value tied_binary_weighted[] = {
	{ "accuracy", 0.52000000000000002 },
	{ "balanced_accuracy", 0.52777777777777779 },
	{ "precision_macro", 0.52564102564102566 },
	{ "recall_macro", 0.52777777777777779 },
	{ "f1_macro", 0.5129870129870131 },
	{ "precision_micro", 0.52000000000000002 },
	{ "recall_micro", 0.52000000000000002 },
	{ "f1_micro", 0.52000000000000002 },
	{ "precision_weighted", 0.56512820512820516 },
	{ "recall_weighted", 0.52000000000000002 },
	{ "f1_weighted", 0.52935064935064946 },
	{ "precision", 0.66666666666666663 },
	{ "recall", 0.5 },
	{ "f1", 0.57142857142857151 },
	{ "log_loss", 0.55229580084838681 },
	{ "roc_auc", 0.72916666666666663 },
	{ "average_precision", 0.86904761904761907 },
};
START_TEST(binary_probability_scores_handle_ties)
{
	double probabilities[20];
	size_t predicted[10];
	tied_binary_data(probabilities, predicted);
	ml_class_data data = { tied_truth, predicted, probabilities, NULL, 10, 2 };
	unsigned warnings;
	check_classification(&data, tied_binary, COUNT(tied_binary), &warnings);
	ck_assert_uint_eq(warnings, 0);
	data.weights = tied_weights;
	check_classification(&data, tied_binary_weighted, COUNT(tied_binary_weighted), NULL);
}
END_TEST

/*
 * fpr, tpr, thresholds = metrics.roc_curve(TIED_TRUTH, TIED_SCORES[, sample_weight=TIED_WEIGHTS]):
 * the first threshold is the highest score + 1, as scikit-learn 1.2 puts it.
 */
static const double tied_roc_fpr[] = {
	0, 0, 0, 0.20000000000000001, 0.59999999999999998, 0.59999999999999998, 1,
};
static const double tied_roc_tpr[] = {
	0, 0.20000000000000001, 0.40000000000000002, 0.40000000000000002, 0.59999999999999998, 1,
	1,
};
static const double tied_roc_thresholds[] = {
	1.8999999999999999, 0.90000000000000002, 0.80000000000000004, 0.59999999999999998,
	0.40000000000000002, 0.34999999999999998, 0.10000000000000001,
};
static const double tied_roc_weighted_fpr[] = {
	0, 0, 0, 0.44444444444444442, 0.55555555555555558, 0.55555555555555558, 1,
};
static const double tied_roc_weighted_tpr[] = {
	0, 0.375, 0.5, 0.5, 0.625, 1, 1,
};
static const double tied_roc_weighted_thresholds[] = {
	1.8999999999999999, 0.90000000000000002, 0.80000000000000004, 0.59999999999999998,
	0.40000000000000002, 0.34999999999999998, 0.10000000000000001,
};
static void check_curve(const ml_class_data *data, const double *fpr, const double *tpr,
			const double *thresholds, size_t n_points)
{
	ml_error err;
	unsigned warnings = 0;
	ml_roc_curve *curve = ml_roc_curve_create(data, 1, &warnings, &err);
	ck_assert_msg(curve != NULL, "%s", err.message);
	ck_assert_uint_eq(curve->n_points, n_points);
	check_array(curve->fpr, fpr, n_points, "fpr");
	check_array(curve->tpr, tpr, n_points, "tpr");
	check_array(curve->thresholds, thresholds, n_points, "thresholds");
	ck_assert_uint_eq(warnings, 0);
	ml_roc_curve_free(curve);
}

START_TEST(roc_curve_drops_collinear_points_as_scikit_learn)
{
	double probabilities[20];
	size_t predicted[10];
	tied_binary_data(probabilities, predicted);
	ml_class_data data = { tied_truth, NULL, probabilities, NULL, 10, 2 };
	check_curve(&data, tied_roc_fpr, tied_roc_tpr, tied_roc_thresholds, COUNT(tied_roc_fpr));
	data.weights = tied_weights;
	check_curve(&data, tied_roc_weighted_fpr, tied_roc_weighted_tpr,
		    tied_roc_weighted_thresholds, COUNT(tied_roc_weighted_fpr));
	ml_roc_curve_free(NULL);
}
END_TEST

static const size_t multi_truth[] = { 0, 1, 2, 2, 1, 0, 1, 2, 0, 1 };
static const double multi_probabilities_rows[] = {
	0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.1, 0.2, 0.7, 0.3, 0.3, 0.4, 0.3, 0.4, 0.3,
	0.6, 0.2, 0.2, 0.2, 0.3, 0.5, 0.2, 0.4, 0.4, 0.4, 0.3, 0.3, 0.0, 1.0, 0.0,
};

/*
 * classification_values(MULTI_TRUTH, MULTI_P.argmax(axis=1), MULTI_P, 3):
 * roc_auc_score(multi_class="ovr", average="macro", labels=[0, 1, 2]) and
 * average_precision_score(label_binarize(MULTI_TRUTH, classes=[0, 1, 2]), MULTI_P);
 * the last row's 0 and 1 are clipped by log_loss.
 */
static const ml_metric_value multi_probabilities[] = {
	{ "accuracy", 0.80000000000000004 },
	{ "balanced_accuracy", 0.80555555555555547 },
	{ "precision_macro", 0.80555555555555547 },
	{ "recall_macro", 0.80555555555555547 },
	{ "f1_macro", 0.80555555555555547 },
	{ "precision_micro", 0.80000000000000004 },
	{ "recall_micro", 0.80000000000000004 },
	{ "f1_micro", 0.80000000000000016 },
	{ "precision_weighted", 0.80000000000000004 },
	{ "recall_weighted", 0.80000000000000004 },
	{ "f1_weighted", 0.80000000000000004 },
	{ "log_loss", 0.7122930660647171 },
	{ "roc_auc_ovr", 0.92658730158730152 },
	{ "average_precision", 0.88194444444444431 },
};
START_TEST(multiclass_probability_scores_are_one_vs_rest)
{
	size_t predicted[10];
	for (size_t r = 0; r < 10; r++) {
		const double *row = multi_probabilities_rows + 3 * r;
		predicted[r] = 0;
		for (size_t k = 1; k < 3; k++)
			predicted[r] = row[k] > row[predicted[r]] ? k : predicted[r];
	}
	ml_class_data data = { multi_truth, predicted, multi_probabilities_rows, NULL, 10, 3 };
	check_classification(&data, multi_probabilities, COUNT(multi_probabilities), NULL);
}
END_TEST

/* metrics.log_loss([1, 1, 0, 0], [[0, 1], [1, 0], [0.2, 0.6], [3, 1]], labels=[0, 1]) */
START_TEST(log_loss_clips_and_renormalises)
{
	static const size_t truth[] = { 1, 1, 0, 0 };
	static const double probabilities[] = { 0, 1, 1, 0, 0.2, 0.6, 3, 1 };
	ml_class_data data = { truth, NULL, probabilities, NULL, 4, 2 };
	double loss;
	ml_error err;
	ck_assert_int_eq(ml_log_loss(&data, &loss, &err), 0);
	check_close(loss, 9.530773732699247, "log_loss");
}
END_TEST

/*
 * Class 3 never true: scikit-learn's roc_auc_score raises (NaN here), its
 * average_precision_score warns and counts 0 for the class:
 * average_precision_score(label_binarize([0, 1, 2, 0, 1], classes=[0, 1, 2, 3]), P4)
 */
START_TEST(a_class_absent_from_the_truth_makes_roc_auc_undefined)
{
	static const size_t truth[] = { 0, 1, 2, 0, 1 };
	static const double probabilities[] = { 0.4, 0.3, 0.2, 0.1, 0.1, 0.6, 0.2, 0.1,
						0.2, 0.2, 0.5, 0.1, 0.3, 0.3, 0.3, 0.1,
						0.1, 0.1, 0.1, 0.7 };
	ml_class_data data = { truth, NULL, probabilities, NULL, 5, 4 };
	double value;
	unsigned warnings = 0;
	ml_error err;
	ck_assert_int_eq(ml_roc_auc(&data, &value, &warnings, &err), 0);
	ck_assert(isnan(value));
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_ONE_CLASS);
	warnings = 0;
	ck_assert_int_eq(ml_average_precision(&data, &value, &warnings, &err), 0);
	check_close(value, 0.67500000000000004, "average_precision");
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_NO_POSITIVE);
}
END_TEST

START_TEST(one_class_in_the_truth_leaves_roc_undefined)
{
	static const size_t truth[] = { 1, 1, 1 };
	static const double probabilities[] = { 0.2, 0.8, 0.6, 0.4, 0.5, 0.5 };
	ml_class_data data = { truth, NULL, probabilities, NULL, 3, 2 };
	double value;
	unsigned warnings = 0;
	ml_error err;
	ck_assert_int_eq(ml_roc_auc(&data, &value, &warnings, &err), 0);
	ck_assert(isnan(value));
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_ONE_CLASS);
	/* roc_curve([1, 1, 1], [0.8, 0.4, 0.5]): fpr NaN, tpr 0, 1/3, 1 at 1.8, 0.8, 0.4 */
	static const double tpr[] = { 0, 1.0 / 3, 1 }, thresholds[] = { 1.8, 0.8, 0.4 };
	warnings = 0;
	ml_roc_curve *curve = ml_roc_curve_create(&data, 1, &warnings, &err);
	ck_assert_ptr_nonnull(curve);
	ck_assert_uint_eq(curve->n_points, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert(isnan(curve->fpr[i]));
	check_array(curve->tpr, tpr, 3, "tpr");
	check_array(curve->thresholds, thresholds, 3, "thresholds");
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_NO_NEGATIVE);
	ml_roc_curve_free(curve);
	/* average_precision_score([1, 1, 1], [0.8, 0.4, 0.5]) is 1. */
	ck_assert_int_eq(ml_average_precision(&data, &value, NULL, &err), 0);
	check_close(value, 1.0, "average_precision");
}
END_TEST

/* _multiclass_roc_auc_score raises unless np.allclose(1, rows' sums). */
START_TEST(multiclass_roc_auc_needs_probabilities)
{
	static const size_t truth[] = { 0, 1, 2 };
	static const double scores[] = { 0.5, 0.3, 0.2, 0.2, 0.5, 0.3, 0.1, 0.2, 0.8 };
	ml_class_data data = { truth, NULL, scores, NULL, 3, 3 };
	double value;
	unsigned warnings = 0;
	ml_error err;
	ck_assert_int_eq(ml_roc_auc(&data, &value, &warnings, &err), 0);
	ck_assert(isnan(value));
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_NOT_PROBABILITIES);
}
END_TEST

START_TEST(bad_class_data_is_an_error)
{
	static const size_t truth[] = { 0, 1, 3 }, predicted[] = { 0, 1, 1 };
	static const double probabilities[] = { 0.5, 0.5, NAN, 0.5, 0.2, 0.8 };
	static const double negative[] = { 1, -1, 1 }, zero[] = { 0, 0, 0 };
	ml_class_data data = { truth, predicted, NULL, NULL, 3, 3 };
	ml_classification_scores scores;
	double value;
	ml_error err;
	ck_assert_int_eq(ml_score_classification(&data, &scores, NULL, &err), -1);
	ck_assert_str_eq(err.message, "row 3: true class 3 is out of range 0..2");
	data.n_classes = 4;
	data.weights = negative;
	ck_assert_int_eq(ml_score_classification(&data, &scores, NULL, &err), -1);
	ck_assert_str_eq(err.message, "row 2: weight -1 is not a finite number >= 0");
	data.weights = zero;
	ck_assert_int_eq(ml_score_classification(&data, &scores, NULL, &err), -1);
	ck_assert_str_eq(err.message, "the weights sum to 0: nothing to score");
	data.weights = NULL;
	data.n_rows = 0;
	ck_assert_int_eq(ml_score_classification(&data, &scores, NULL, &err), -1);
	ck_assert_str_eq(err.message, "no rows to score");
	data = (ml_class_data){ predicted, NULL, probabilities, NULL, 3, 2 };
	ck_assert_int_eq(ml_log_loss(&data, &value, &err), -1);
	ck_assert_str_eq(err.message, "row 2: probability of class 0 is nan, not a number");
	data.n_classes = 1;
	ck_assert_int_eq(ml_roc_auc(&data, &value, NULL, &err), -1);
	ck_assert_str_eq(err.message, "probabilities need at least 2 classes, not 1");
	data = (ml_class_data){ predicted, NULL, NULL, NULL, 3, 2 };
	ck_assert_int_eq(ml_score_classification(&data, &scores, NULL, &err), -1);
	ck_assert_int_eq(ml_confusion_matrix(&data, &value, &err), -1);
	ck_assert_str_eq(err.message, "no predicted classes to score");
}
END_TEST

/*
 * synthetic_classes(seed, n_rows, n_classes) of the script: per row a class,
 * then per class 1 + below(8) (+ below(8) more for the true class) over the
 * row's sum, so probabilities tie often; the argmax; a weight below(4) * 0.5.
 */
typedef struct synthetic {
	size_t *truth;
	size_t *predicted;
	double *weights;
	double *probabilities;
} synthetic;

static synthetic synthetic_classes(uint64_t seed, size_t n_rows, size_t n_classes)
{
	synthetic data = { malloc(n_rows * sizeof(size_t)), malloc(n_rows * sizeof(size_t)),
			   malloc(n_rows * sizeof(double)),
			   malloc(n_rows * n_classes * sizeof(double)) };
	ck_assert(data.truth && data.predicted && data.weights && data.probabilities);
	uint64_t raw[8];
	ck_assert(n_classes <= 8);
	ml_random random;
	ml_random_init(&random, seed);
	for (size_t r = 0; r < n_rows; r++) {
		size_t truth = (size_t)ml_random_below(&random, n_classes);
		uint64_t total = 0;
		for (size_t k = 0; k < n_classes; k++) {
			raw[k] = 1 + ml_random_below(&random, 8);
			if (k == truth)
				raw[k] += ml_random_below(&random, 8);
			total += raw[k];
		}
		double *row = data.probabilities + r * n_classes;
		size_t best = 0;
		for (size_t k = 0; k < n_classes; k++) {
			row[k] = (double)raw[k] / (double)total;
			best = row[k] > row[best] ? k : best;
		}
		data.truth[r] = truth;
		data.predicted[r] = best;
		data.weights[r] = (double)ml_random_below(&random, 4) * 0.5;
	}
	return data;
}

static void synthetic_free(synthetic *data)
{
	free(data->truth);
	free(data->predicted);
	free(data->weights);
	free(data->probabilities);
}

/*
 * t, p, w, P = synthetic_classes(2024, 5000, 4) and (7, 3000, 2);
 * classification_values(t, p, P, K[, w]).  The weights include zeros,
 * which the curves leave out.
 */
static const ml_metric_value synthetic_4[] = {
	{ "accuracy", 0.65800000000000003 },
	{ "balanced_accuracy", 0.65756785301987197 },
	{ "precision_macro", 0.66131531330327931 },
	{ "recall_macro", 0.65756785301987197 },
	{ "f1_macro", 0.6576399481231624 },
	{ "precision_micro", 0.65800000000000003 },
	{ "recall_micro", 0.65800000000000003 },
	{ "f1_micro", 0.65800000000000003 },
	{ "precision_weighted", 0.66095860820161589 },
	{ "recall_weighted", 0.65800000000000003 },
	{ "f1_weighted", 0.65769277815465066 },
	{ "log_loss", 1.0633674635914281 },
	{ "roc_auc_ovr", 0.83950323019725404 },
	{ "average_precision", 0.68990034703955305 },
};
static const ml_metric_value synthetic_4_weighted[] = {
	{ "accuracy", 0.65602165087956699 },
	{ "balanced_accuracy", 0.65581327728370531 },
	{ "precision_macro", 0.65900167607109605 },
	{ "recall_macro", 0.65581327728370531 },
	{ "f1_macro", 0.65571122966431916 },
	{ "precision_micro", 0.65602165087956699 },
	{ "recall_micro", 0.65602165087956699 },
	{ "f1_micro", 0.65602165087956699 },
	{ "precision_weighted", 0.65892804019506424 },
	{ "recall_weighted", 0.65602165087956699 },
	{ "f1_weighted", 0.65578869543839402 },
	{ "log_loss", 1.0671406272020474 },
	{ "roc_auc_ovr", 0.8377082199344239 },
	{ "average_precision", 0.68527305414750794 },
};
static const ml_metric_value synthetic_2[] = {
	{ "accuracy", 0.79933333333333334 },
	{ "balanced_accuracy", 0.79884836749825316 },
	{ "precision_macro", 0.80113734090127275 },
	{ "recall_macro", 0.79884836749825316 },
	{ "f1_macro", 0.79883040935672511 },
	{ "precision_micro", 0.79933333333333334 },
	{ "recall_micro", 0.79933333333333334 },
	{ "f1_micro", 0.79933333333333334 },
	{ "precision_weighted", 0.80089133986928118 },
	{ "recall_weighted", 0.79933333333333334 },
	{ "f1_weighted", 0.79895111111111117 },
	{ "precision", 0.82163742690058483 },
	{ "recall", 0.75843454790823217 },
	{ "f1", 0.78877192982456146 },
	{ "log_loss", 0.50046546464931252 },
	{ "roc_auc", 0.86550907775164065 },
	{ "average_precision", 0.85713880441943291 },
};
static const ml_metric_value synthetic_2_weighted[] = {
	{ "accuracy", 0.7927661510464058 },
	{ "balanced_accuracy", 0.79353859914469127 },
	{ "precision_macro", 0.79543673798721515 },
	{ "recall_macro", 0.79353859914469127 },
	{ "f1_macro", 0.79254662947508203 },
	{ "precision_micro", 0.7927661510464058 },
	{ "recall_micro", 0.7927661510464058 },
	{ "f1_micro", 0.7927661510464058 },
	{ "precision_weighted", 0.79598569196949254 },
	{ "recall_weighted", 0.7927661510464058 },
	{ "f1_weighted", 0.79243303089971151 },
	{ "precision", 0.82804757185332012 },
	{ "recall", 0.74765100671140938 },
	{ "f1", 0.78579826005172826 },
	{ "log_loss", 0.50928817352971789 },
	{ "roc_auc", 0.85628111519337613 },
	{ "average_precision", 0.84981664586158112 },
};
START_TEST(synthetic_classification_matches_scikit_learn)
{
	synthetic four = synthetic_classes(2024, 5000, 4);
	ml_class_data data = { four.truth, four.predicted, four.probabilities, NULL, 5000, 4 };
	check_classification(&data, synthetic_4, COUNT(synthetic_4), NULL);
	data.weights = four.weights;
	check_classification(&data, synthetic_4_weighted, COUNT(synthetic_4_weighted), NULL);
	synthetic_free(&four);

	synthetic two = synthetic_classes(7, 3000, 2);
	data = (ml_class_data){ two.truth, two.predicted, two.probabilities, NULL, 3000, 2 };
	check_classification(&data, synthetic_2, COUNT(synthetic_2), NULL);
	/* fpr, tpr, thresholds = metrics.roc_curve(t, P[:, 1]): point 5 of them */
	ml_error err;
	ml_roc_curve *curve = ml_roc_curve_create(&data, 1, NULL, &err);
	ck_assert_ptr_nonnull(curve);
	ck_assert_uint_eq(curve->n_points, 116);
	check_close(curve->fpr[5], 0, "fpr[5]");
	check_close(curve->tpr[5], 0.035087719298245612, "tpr[5]");
	check_close(curve->thresholds[5], 0.91666666666666663, "thresholds[5]");
	ml_roc_curve_free(curve);
	data.weights = two.weights;
	check_classification(&data, synthetic_2_weighted, COUNT(synthetic_2_weighted), NULL);
	synthetic_free(&two);
}
END_TEST

/*
 * Out-of-fold model outputs (metrics_data.h):
 * classification_values(y, proba.argmax(axis=1), proba, 3) on iris and
 * classification_values(yc, (p1 > 0.5).astype(int), np.column_stack([1 - p1, p1]), 2)
 * on breast_cancer.
 */
static const ml_metric_value iris_logistic[] = {
	{ "accuracy", 0.97333333333333338 },
	{ "balanced_accuracy", 0.97333333333333327 },
	{ "precision_macro", 0.9738247863247862 },
	{ "recall_macro", 0.97333333333333327 },
	{ "f1_macro", 0.97332266239829268 },
	{ "precision_micro", 0.97333333333333338 },
	{ "recall_micro", 0.97333333333333338 },
	{ "f1_micro", 0.97333333333333338 },
	{ "precision_weighted", 0.97382478632478642 },
	{ "recall_weighted", 0.97333333333333338 },
	{ "f1_weighted", 0.97332266239829268 },
	{ "log_loss", 0.14000173092672524 },
	{ "roc_auc_ovr", 0.99773333333333325 },
	{ "average_precision", 0.99566223817492772 },
};
static const ml_metric_value cancer_logistic[] = {
	{ "accuracy", 0.98066783831282955 },
	{ "balanced_accuracy", 0.97693039479942922 },
	{ "precision_macro", 0.98170389943149972 },
	{ "recall_macro", 0.97693039479942922 },
	{ "f1_macro", 0.97922399514042646 },
	{ "precision_micro", 0.98066783831282955 },
	{ "recall_micro", 0.98066783831282955 },
	{ "f1_micro", 0.98066783831282955 },
	{ "precision_weighted", 0.98073468096564698 },
	{ "recall_weighted", 0.98066783831282955 },
	{ "f1_weighted", 0.98061971020708294 },
	{ "precision", 0.98550724637681164 },
	{ "recall", 0.96226415094339623 },
	{ "f1", 0.97374701670644404 },
	{ "log_loss", 0.081200948403414103 },
	{ "roc_auc", 0.99419956661910058 },
	{ "average_precision", 0.99263108657819699 },
};
START_TEST(real_classifiers_match_scikit_learn)
{
	size_t predicted[569];
	for (size_t r = 0; r < 150; r++) {
		const double *row = iris_probabilities + 3 * r;
		predicted[r] = 0;
		for (size_t k = 1; k < 3; k++)
			predicted[r] = row[k] > row[predicted[r]] ? k : predicted[r];
	}
	ml_class_data data = { iris_species, predicted, iris_probabilities, NULL, 150, 3 };
	check_classification(&data, iris_logistic, COUNT(iris_logistic), NULL);

	size_t n_cancer = COUNT(cancer_truth);
	double *probabilities = malloc(2 * n_cancer * sizeof *probabilities);
	ck_assert_ptr_nonnull(probabilities);
	for (size_t r = 0; r < n_cancer; r++) {
		probabilities[2 * r] = 1 - cancer_p1[r];
		probabilities[2 * r + 1] = cancer_p1[r];
		predicted[r] = cancer_p1[r] > 0.5;
	}
	data = (ml_class_data){ cancer_truth, predicted, probabilities, NULL, n_cancer, 2 };
	check_classification(&data, cancer_logistic, COUNT(cancer_logistic), NULL);
	free(probabilities);
}
END_TEST

/* Regression */

/*
 * regression_values(np.array(REG_TRUTH), np.array(REG_PREDICTED)): a zero in
 * the truth makes MAPE divide by the float64 epsilon, as scikit-learn does.
 */
static const ml_metric_value small_regression[] = {
	{ "mean_squared_error", 0.30208333333333331 },
	{ "root_mean_squared_error", 0.54962108159470491 },
	{ "mean_absolute_error", 0.45833333333333331 },
	{ "r2", 0.95011467889908252 },
	{ "max_error", 1 },
	{ "mean_absolute_percentage_error", 187649984473770.91 },
	{ "explained_variance", 0.95269495412844041 },
	{ "median_absolute_error", 0.5 },
};
/* regression_values([0, 1, -2, 0], [0.5, 1, -1, 0]): an even count for the median. */
static const ml_metric_value zero_truth_regression[] = {
	{ "mean_squared_error", 0.3125 },
	{ "root_mean_squared_error", 0.55901699437494745 },
	{ "mean_absolute_error", 0.375 },
	{ "r2", 0.73684210526315796 },
	{ "max_error", 1 },
	{ "mean_absolute_percentage_error", 562949953421312.12 },
	{ "explained_variance", 0.85526315789473684 },
	{ "median_absolute_error", 0.25 },
};
/* regression_values(synthetic_regression(99, 100000)): t = 100u - 50, p = t + 10(u - 0.5). */
static const ml_metric_value synthetic_regression[] = {
	{ "mean_squared_error", 8.3355200198905397 },
	{ "root_mean_squared_error", 2.8871300663272064 },
	{ "mean_absolute_error", 2.5015858144273202 },
	{ "r2", 0.98997823374503058 },
	{ "max_error", 4.9998979623328808 },
	{ "mean_absolute_percentage_error", 0.67806645786210762 },
	{ "explained_variance", 0.98997825268740647 },
	{ "median_absolute_error", 2.5026048588753689 },
};
/* regression_values(yd, cross_val_predict(LinearRegression(), Xd, yd, cv=5)) on diabetes. */
static const ml_metric_value diabetes_linear[] = {
	{ "mean_squared_error", 2992.6799465939966 },
	{ "root_mean_squared_error", 54.705392299059483 },
	{ "mean_absolute_error", 44.274855902209175 },
	{ "r2", 0.49532242216821831 },
	{ "max_error", 156.3121913791345 },
	{ "mean_absolute_percentage_error", 0.39489325473789721 },
	{ "explained_variance", 0.49534262672741747 },
	{ "median_absolute_error", 38.642872767579149 },
};
START_TEST(regression_scores_match_scikit_learn)
{
	static const double truth[] = { 3.0, -0.5, 2.0, 7.0, 0.0, 1.5 };
	static const double predicted[] = { 2.5, 0.0, 2.0, 8.0, 0.25, 1.0 };
	static const double zero_truth[] = { 0, 1, -2, 0 }, zero_predicted[] = { 0.5, 1, -1, 0 };
	unsigned warnings;
	check_regression(truth, predicted, 6, small_regression, COUNT(small_regression),
			 &warnings);
	ck_assert_uint_eq(warnings, 0);
	check_regression(zero_truth, zero_predicted, 4, zero_truth_regression,
			 COUNT(zero_truth_regression), NULL);
	check_regression(diabetes_truth, diabetes_predicted, COUNT(diabetes_truth),
			 diabetes_linear, COUNT(diabetes_linear), NULL);

	size_t n_rows = 100000;
	double *synthetic_truth = malloc(n_rows * sizeof(double));
	double *synthetic_predicted = malloc(n_rows * sizeof(double));
	ck_assert(synthetic_truth && synthetic_predicted);
	ml_random random;
	ml_random_init(&random, 99);
	for (size_t r = 0; r < n_rows; r++) {
		double t = ml_random_uniform(&random) * 100 - 50;
		synthetic_truth[r] = t;
		synthetic_predicted[r] = t + (ml_random_uniform(&random) - 0.5) * 10;
	}
	check_regression(synthetic_truth, synthetic_predicted, n_rows, synthetic_regression,
			 COUNT(synthetic_regression), NULL);
	free(synthetic_truth);
	free(synthetic_predicted);
}
END_TEST

/* regression_values([2, 2, 2], [2, 2, 2]): a constant truth predicted perfectly. */
static const ml_metric_value constant_truth_perfect[] = {
	{ "mean_squared_error", 0 },
	{ "root_mean_squared_error", 0 },
	{ "mean_absolute_error", 0 },
	{ "r2", 1 },
	{ "max_error", 0 },
	{ "mean_absolute_percentage_error", 0 },
	{ "explained_variance", 1 },
	{ "median_absolute_error", 0 },
};
/*
 * regression_values([0.1, 0.1, 0.1], [0.1, 0.2, 0.1]) gives r2 -1.73e31 and
 * explained_variance -1.15e31: numpy's mean of three 0.1 is not 0.1, so
 * scikit-learn sees a variance of about 1e-34 where there is none.  We
 * decide "constant" on the values and return its convention for a constant
 * truth, 0; every other value is scikit-learn's.
 */
static const ml_metric_value constant_truth_imperfect[] = {
	{ "mean_squared_error", 0.003333333333333334 },
	{ "root_mean_squared_error", 0.057735026918962581 },
	{ "mean_absolute_error", 0.033333333333333333 },
	{ "r2", -1.7307656195116095e+31 },
	{ "max_error", 0.10000000000000001 },
	{ "mean_absolute_percentage_error", 0.33333333333333331 },
	{ "explained_variance", -1.1538437463410733e+31 },
	{ "median_absolute_error", 0 },
};
START_TEST(a_constant_truth_takes_scikit_learns_convention)
{
	static const double two[] = { 2, 2, 2 }, tenth[] = { 0.1, 0.1, 0.1 };
	static const double near_tenth[] = { 0.1, 0.2, 0.1 };
	ml_metric_value imperfect[COUNT(constant_truth_imperfect)];
	memcpy(imperfect, constant_truth_imperfect, sizeof imperfect);
	imperfect[3].value = 0; /* r2 */
	imperfect[6].value = 0; /* explained_variance */
	unsigned warnings;
	check_regression(two, two, 3, constant_truth_perfect, COUNT(constant_truth_perfect),
			 &warnings);
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_CONSTANT_TRUTH);
	check_regression(tenth, near_tenth, 3, imperfect, COUNT(imperfect), &warnings);
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_CONSTANT_TRUTH);
}
END_TEST

START_TEST(bad_regression_data_is_an_error)
{
	static const double truth[] = { 1, 2, INFINITY }, predicted[] = { 1, NAN, 3 };
	ml_regression_scores scores;
	ml_error err;
	ck_assert_int_eq(ml_score_regression(truth, predicted, 3, &scores, &err), -1);
	ck_assert_str_eq(err.message, "row 3: true value inf is not a finite number");
	ck_assert_int_eq(ml_score_regression(predicted, truth, 2, &scores, &err), -1);
	ck_assert_str_eq(err.message, "row 2: true value nan is not a finite number");
	ck_assert_int_eq(ml_score_regression(truth, predicted, 0, &scores, &err), -1);
	ck_assert_str_eq(err.message, "no rows to score");
}
END_TEST

/* Clustering */

/* clustering_values([3, 3, 3, 3], [0, 1, 2, 3]) */
static const ml_metric_value one_cluster_against_singletons[] = {
	{ "adjusted_rand_score", 0 },
	{ "normalized_mutual_info_score", 0 },
	{ "homogeneity_score", 1 },
	{ "completeness_score", 0 },
	{ "v_measure_score", 0 },
	{ "mutual_info_score", 0 },
};
/* clustering_values([2, 2, 2], [9, 9, 9]) */
static const ml_metric_value one_cluster_both[] = {
	{ "adjusted_rand_score", 1 },
	{ "normalized_mutual_info_score", 1 },
	{ "homogeneity_score", 1 },
	{ "completeness_score", 1 },
	{ "v_measure_score", 1 },
	{ "mutual_info_score", 0 },
};
/*
 * clustering_values(*synthetic_clusters(5, 100000)): truth -3..3, the
 * prediction a relabelling (x1000) 70% of the time, else -5 * below(12).
 * Pair counts near 10^20 overflow 64 bits: the 128-bit path.
 */
static const ml_metric_value synthetic_clusters[] = {
	{ "adjusted_rand_score", 0.59947214126995496 },
	{ "normalized_mutual_info_score", 0.57520158903235208 },
	{ "homogeneity_score", 0.67979241580297611 },
	{ "completeness_score", 0.49850335468547874 },
	{ "v_measure_score", 0.57520158903235208 },
	{ "mutual_info_score", 1.3227920233241044 },
};
/* clustering_values(y, KMeans(n_clusters=3, n_init=10, random_state=0).fit_predict(X)) on iris */
static const ml_metric_value iris_clusters[] = {
	{ "adjusted_rand_score", 0.73023827228346971 },
	{ "normalized_mutual_info_score", 0.75817568000577851 },
	{ "homogeneity_score", 0.75148540219883386 },
	{ "completeness_score", 0.76498615144898163 },
	{ "v_measure_score", 0.75817568000577862 },
	{ "mutual_info_score", 0.82559109761033567 },
};
START_TEST(clustering_scores_match_scikit_learn)
{
	static const int64_t halves[] = { 0, 0, 1, 1 }, renamed[] = { 5, 5, -2, -2 };
	static const int64_t fours[] = { 3, 3, 3, 3 }, singletons[] = { 0, 1, 2, 3 };
	static const int64_t twos[] = { 2, 2, 2 }, nines[] = { 9, 9, 9 };
	ml_clustering_scores scores;
	ml_error err;
	/* adjusted_rand_score([0, 0, 1, 1], [5, 5, -2, -2]) == 1 */
	ck_assert_int_eq(ml_score_clustering(halves, renamed, 4, &scores, &err), 0);
	ck_assert(scores.adjusted_rand_score == 1 && scores.v_measure_score == 1);
	ck_assert_uint_eq(scores.n_classes, 2);
	check_clustering(fours, singletons, 4, one_cluster_against_singletons,
			 COUNT(one_cluster_against_singletons));
	check_clustering(twos, nines, 3, one_cluster_both, COUNT(one_cluster_both));

	int64_t species[150];
	for (size_t r = 0; r < 150; r++)
		species[r] = (int64_t)iris_species[r];
	check_clustering(species, iris_kmeans, 150, iris_clusters, COUNT(iris_clusters));

	size_t n_rows = 100000;
	int64_t *truth = malloc(n_rows * sizeof *truth);
	int64_t *predicted = malloc(n_rows * sizeof *predicted);
	ck_assert(truth && predicted);
	ml_random random;
	ml_random_init(&random, 5);
	for (size_t r = 0; r < n_rows; r++) {
		truth[r] = (int64_t)ml_random_below(&random, 7) - 3;
		double u = ml_random_uniform(&random);
		predicted[r] = u < 0.7 ? truth[r] * 1000
				       : -5 * (int64_t)ml_random_below(&random, 12);
	}
	check_clustering(truth, predicted, n_rows, synthetic_clusters, COUNT(synthetic_clusters));
	free(truth);
	free(predicted);
	ck_assert_int_eq(ml_score_clustering(halves, renamed, 0, &scores, &err), -1);
	ck_assert_str_eq(err.message, "no rows to score");
}
END_TEST

/* The silhouette */

/*
 * metrics.silhouette_samples(SMALL_POINTS, SMALL_POINT_LABELS): labels are
 * any integers; (9, 0) is alone in its cluster (0), (5, 5) appears twice.
 */
static const double small_silhouette_samples[] = {
	0.74783906940517664, 0.73187077003179224, 0.73374651306618499, 0.91457682496825299,
	0.84844800913633078, 0.91457682496825299, 0, 0.17637214214405872,
};
START_TEST(silhouette_samples_match_scikit_learn)
{
	static const double points[] = { 0, 0, 0, 1, 1, 0, 5, 5, 5, 6, 5, 5, 9, 0, 2.5, 2.5 };
	static const int64_t labels[] = { 7, 7, 7, -1, -1, -1, 40, 7 };
	double samples[8], score;
	unsigned warnings = 0;
	ml_error err;
	ck_assert_int_eq(ml_silhouette_samples(points, 8, 2, 2, labels, samples, &warnings, &err),
			 0);
	check_array(samples, small_silhouette_samples, 8, "silhouette");
	ck_assert_int_eq(ml_silhouette_score(points, 8, 2, 2, labels, &score, &warnings, &err), 0);
	/* metrics.silhouette_score(SMALL_POINTS, SMALL_POINT_LABELS) */
	check_close(score, 0.63342876921500613, "silhouette_score");
	ck_assert_uint_eq(warnings, 0);
}
END_TEST

/*
 * metrics.silhouette_score(X, kmeans) and silhouette_score(X, y) on iris; the
 * rows are given with a stride of 5 (a label column after the features).
 */
START_TEST(silhouette_score_matches_scikit_learn_on_iris)
{
	double rows[150 * 5], score;
	int64_t species[150];
	for (size_t r = 0; r < 150; r++) {
		memcpy(rows + 5 * r, iris_features + 4 * r, 4 * sizeof(double));
		rows[5 * r + 4] = 1e300;
		species[r] = (int64_t)iris_species[r];
	}
	ml_error err;
	ck_assert_int_eq(ml_silhouette_score(rows, 150, 4, 5, iris_kmeans, &score, NULL, &err), 0);
	check_close(score, 0.55281901235641018, "silhouette_score kmeans");
	ck_assert_int_eq(ml_silhouette_score(rows, 150, 4, 5, species, &score, NULL, &err), 0);
	check_close(score, 0.50347744069329659, "silhouette_score species");
}
END_TEST

/*
 * synthetic_blobs(11, 3000, 5): four blobs (coordinates 3 * centre + 2u),
 * 10% of the labels drawn again at random; metrics.silhouette_score(points, labels).
 * One thread and two give the same samples, bit for bit.
 */
START_TEST(silhouette_is_the_same_on_any_thread_count)
{
	size_t n_rows = 3000, n_columns = 5;
	double *points = malloc(n_rows * n_columns * sizeof *points);
	double *one = malloc(n_rows * sizeof *one), *two = malloc(n_rows * sizeof *two);
	int64_t *labels = malloc(n_rows * sizeof *labels);
	ck_assert(points && one && two && labels);
	ml_random random;
	ml_random_init(&random, 11);
	for (size_t r = 0; r < n_rows; r++) {
		uint64_t centre = ml_random_below(&random, 4);
		for (size_t j = 0; j < n_columns; j++)
			points[r * n_columns + j] = (double)centre * 3.0 +
						    ml_random_uniform(&random) * 2;
		double u = ml_random_uniform(&random);
		labels[r] = (int64_t)(u < 0.1 ? ml_random_below(&random, 4) : centre);
	}
	ml_error err;
	ml_parallel_set_threads(1);
	ck_assert_int_eq(ml_silhouette_samples(points, n_rows, n_columns, n_columns, labels, one,
					       NULL, &err), 0);
	ml_parallel_set_threads(2);
	ck_assert_int_eq(ml_silhouette_samples(points, n_rows, n_columns, n_columns, labels, two,
					       NULL, &err), 0);
	ml_parallel_set_threads(0);
	ck_assert_mem_eq(one, two, n_rows * sizeof *one);
	double score;
	ck_assert_int_eq(ml_silhouette_score(points, n_rows, n_columns, n_columns, labels, &score,
					     NULL, &err), 0);
	check_close(score, 0.54621000857007496, "silhouette_score");
	free(points);
	free(one);
	free(two);
	free(labels);
}
END_TEST

START_TEST(silhouette_needs_two_to_n_minus_one_clusters)
{
	static const double points[] = { 0, 1, 2, 3 };
	static const int64_t same[] = { 1, 1, 1, 1 }, distinct[] = { 1, 2, 3, 4 };
	double score;
	unsigned warnings = 0;
	ml_error err;
	ck_assert_int_eq(ml_silhouette_score(points, 4, 1, 1, same, &score, &warnings, &err), 0);
	ck_assert(isnan(score));
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_CLUSTER_COUNT);
	warnings = 0;
	ck_assert_int_eq(ml_silhouette_score(points, 4, 1, 1, distinct, &score, &warnings, &err),
			 0);
	ck_assert(isnan(score));
	ck_assert_uint_eq(warnings, ML_METRIC_WARN_CLUSTER_COUNT);
	static const double bad[] = { 0, NAN, 2, 3 };
	ck_assert_int_eq(ml_silhouette_score(bad, 4, 1, 1, distinct, &score, NULL, &err), -1);
	ck_assert_str_eq(err.message, "row 2: column 1 is nan, not a finite number");
	ck_assert_int_eq(ml_silhouette_score(points, 0, 1, 1, distinct, &score, NULL, &err), -1);
	ck_assert_str_eq(err.message, "no points to score (0 rows, 1 columns)");
}
END_TEST

START_TEST(every_warning_has_a_text)
{
	for (unsigned bit = 1; bit <= ML_METRIC_WARN_CLUSTER_COUNT; bit <<= 1)
		ck_assert_str_ne(ml_metric_warning_text(bit), "unknown warning");
	ck_assert_str_eq(ml_metric_warning_text(0), "unknown warning");
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *suite = suite_create("metrics");
	TCase *classes = tcase_create("classification");
	tcase_add_test(classes, confusion_matrix_counts_and_weighs);
	tcase_add_test(classes, label_scores_match_scikit_learn);
	tcase_add_test(classes, a_class_never_predicted_has_precision_zero_and_a_warning);
	tcase_add_test(classes, classes_absent_from_both_sides_are_not_averaged);
	tcase_add_test(classes, binary_probability_scores_handle_ties);
	tcase_add_test(classes, roc_curve_drops_collinear_points_as_scikit_learn);
	tcase_add_test(classes, multiclass_probability_scores_are_one_vs_rest);
	tcase_add_test(classes, log_loss_clips_and_renormalises);
	tcase_add_test(classes, a_class_absent_from_the_truth_makes_roc_auc_undefined);
	tcase_add_test(classes, one_class_in_the_truth_leaves_roc_undefined);
	tcase_add_test(classes, multiclass_roc_auc_needs_probabilities);
	tcase_add_test(classes, bad_class_data_is_an_error);
	tcase_add_test(classes, synthetic_classification_matches_scikit_learn);
	tcase_add_test(classes, real_classifiers_match_scikit_learn);
	tcase_add_test(classes, every_warning_has_a_text);
	suite_add_tcase(suite, classes);
	TCase *regression = tcase_create("regression");
	tcase_add_test(regression, regression_scores_match_scikit_learn);
	tcase_add_test(regression, a_constant_truth_takes_scikit_learns_convention);
	tcase_add_test(regression, bad_regression_data_is_an_error);
	suite_add_tcase(suite, regression);
	TCase *clustering = tcase_create("clustering");
	tcase_add_test(clustering, clustering_scores_match_scikit_learn);
	tcase_add_test(clustering, silhouette_samples_match_scikit_learn);
	tcase_add_test(clustering, silhouette_score_matches_scikit_learn_on_iris);
	tcase_add_test(clustering, silhouette_is_the_same_on_any_thread_count);
	tcase_add_test(clustering, silhouette_needs_two_to_n_minus_one_clusters);
	suite_add_tcase(suite, clustering);
	return suite;
}

ML_CHECK_MAIN(metrics_suite)
