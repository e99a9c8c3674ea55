/*
 * Scores from the ranking of rows by a probability: the ROC curve, the area
 * under it and the average precision, for one class against the rest.
 *
 * Everything starts from scikit-learn's _binary_clf_curve: rows of nonzero
 * weight sorted by decreasing score (ties in decreasing row order, as its
 * reversed stable argsort leaves them), and one point per distinct score
 * with the weight of the positive (tps) and negative (fps) rows at or above
 * it, accumulated in that order.  Tied scores therefore make one point, and
 * the curves and areas equal scikit-learn's.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "core/ml_util.h"
#include "math/ml_metrics_impl.h"

typedef struct ranked_row {
	double score;
	size_t row;
} ranked_row;

static int compare_ranked(const void *a, const void *b)
{
	const ranked_row *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->row < y->row) - (x->row > y->row);
}

/* The points of _binary_clf_curve, highest score first; arrays of n_rows. */
typedef struct clf_curve {
	size_t n_points;
	double *fps;
	double *tps;
	double *thresholds;
	ranked_row *order; /* scratch */
} clf_curve;

static void clf_curve_free(clf_curve *curve)
{
	free(curve->fps);
	free(curve->tps);
	free(curve->thresholds);
	free(curve->order);
}

static int clf_curve_init(clf_curve *curve, size_t n_rows, ml_error *err)
{
	*curve = (clf_curve){ 0 };
	if (!(curve->fps = ml_alloc_array(n_rows, sizeof(double), err)) ||
	    !(curve->tps = ml_alloc_array(n_rows, sizeof(double), err)) ||
	    !(curve->thresholds = ml_alloc_array(n_rows, sizeof(double), err)) ||
	    !(curve->order = ml_alloc_array(n_rows, sizeof(ranked_row), err))) {
		clf_curve_free(curve);
		return -1;
	}
	return 0;
}

/* Fills curve for class positive against the rest, scored by its column. */
static void clf_curve_compute(clf_curve *curve, const ml_class_data *data, size_t positive)
{
	size_t n_ranked = 0;
	for (size_t r = 0; r < data->n_rows; r++)
		/* Rows of zero weight are left out, as scikit-learn filters them. */
		if (ml_metrics_weight(data, r) != 0)
			curve->order[n_ranked++] = (ranked_row){
				data->probabilities[r * data->n_classes + positive], r };
	qsort(curve->order, n_ranked, sizeof *curve->order, compare_ranked);
	/* stable_cumsum is np.cumsum: plain running sums, in this order. */
	double tps = 0, fps = 0;
	curve->n_points = 0;
	for (size_t i = 0; i < n_ranked; i++) {
		size_t row = curve->order[i].row;
		bool is_positive = data->truth[row] == positive;
		if (data->weights) {
			tps += is_positive ? data->weights[row] : 0.0;
			fps += is_positive ? 0.0 : data->weights[row];
		} else {
			tps += is_positive;
			fps = (double)(i + 1) - tps;
		}
		if (i + 1 == n_ranked || curve->order[i + 1].score != curve->order[i].score) {
			curve->fps[curve->n_points] = fps;
			curve->tps[curve->n_points] = tps;
			curve->thresholds[curve->n_points] = curve->order[i].score;
			curve->n_points++;
		}
	}
}

/* roc_curve's drop_intermediate: keeps the ends and every corner (nonzero second difference). */
static void drop_collinear(clf_curve *curve)
{
	size_t n = curve->n_points, kept = 1;
	if (n <= 2)
		return;
	double *fps = curve->fps, *tps = curve->tps, *thresholds = curve->thresholds;
	/* Decisions read the original neighbours: compute them before overwriting. */
	double previous_fps = fps[0], previous_tps = tps[0];
	for (size_t i = 1; i + 1 < n; i++) {
		double second_fps = (fps[i + 1] - fps[i]) - (fps[i] - previous_fps);
		double second_tps = (tps[i + 1] - tps[i]) - (tps[i] - previous_tps);
		previous_fps = fps[i];
		previous_tps = tps[i];
		if (second_fps != 0 || second_tps != 0) {
			fps[kept] = fps[i];
			tps[kept] = tps[i];
			thresholds[kept] = thresholds[i];
			kept++;
		}
	}
	fps[kept] = fps[n - 1];
	tps[kept] = tps[n - 1];
	thresholds[kept] = thresholds[n - 1];
	curve->n_points = kept + 1;
}

/* The rates of a point; NaN with a warning when the last count is 0. */
static double rate(double count, double last, unsigned warning, unsigned *warnings)
{
	if (last <= 0) {
		*warnings |= warning;
		return NAN;
	}
	return count / last;
}

/* np.trapz(tpr, fpr) over (0, 0) and the curve's points; fpr increases. */
static double area_under(const clf_curve *curve, unsigned *warnings)
{
	size_t last = curve->n_points - 1;
	double fps_last = curve->fps[last], tps_last = curve->tps[last];
	double previous_fpr = 0, previous_tpr = 0;
	ml_sum area = { 0, 0 };
	for (size_t i = 0; i <= last; i++) {
		double fpr = rate(curve->fps[i], fps_last, ML_METRIC_WARN_NO_NEGATIVE, warnings);
		double tpr = rate(curve->tps[i], tps_last, ML_METRIC_WARN_NO_POSITIVE, warnings);
		ml_sum_add(&area, (fpr - previous_fpr) * (tpr + previous_tpr) / 2.0);
		previous_fpr = fpr;
		previous_tpr = tpr;
	}
	return ml_sum_value(&area);
}

/* Whether the truth holds class positive and something else (_binary_roc_auc_score's check). */
static bool both_sides_present(const ml_class_data *data, size_t positive)
{
	bool seen_positive = false, seen_negative = false;
	for (size_t r = 0; r < data->n_rows && !(seen_positive && seen_negative); r++) {
		if (data->truth[r] == positive)
			seen_positive = true;
		else
			seen_negative = true;
	}
	return seen_positive && seen_negative;
}

/* np.allclose(1, row sums): _multiclass_roc_auc_score's test for probabilities. */
static bool rows_sum_to_one(const ml_class_data *data)
{
	for (size_t r = 0; r < data->n_rows; r++) {
		double sum = ml_metrics_row_sum(data->probabilities + r * data->n_classes,
						data->n_classes);
		if (!(fabs(1 - sum) <= 1e-8 + 1e-5 * fabs(sum)))
			return false;
	}
	return true;
}

/*
 * _binary_uninterpolated_average_precision: -sum(diff(recall) * precision)
 * over precision_recall_curve's points, lowest threshold last.  With no
 * positive row, recall is 1 everywhere (scikit-learn's convention) and the
 * sum is 0.
 */
static double average_precision_of(const clf_curve *curve, unsigned *warnings)
{
	size_t last = curve->n_points - 1;
	double tps_last = curve->tps[last];
	if (tps_last == 0)
		*warnings |= ML_METRIC_WARN_NO_POSITIVE;
	ml_sum sum = { 0, 0 };
	double previous_recall = 0; /* at the threshold above: 0 above the highest */
	for (size_t i = 0; i <= last; i++) {
		double tps = curve->tps[i], predicted = tps + curve->fps[i];
		double precision = predicted != 0 ? tps / predicted : 0.0;
		double recall = tps_last == 0 ? 1.0 : tps / tps_last;
		ml_sum_add(&sum, (previous_recall - recall) * precision);
		previous_recall = recall;
	}
	return -ml_sum_value(&sum);
}

/* _binary_roc_auc_score from the curve of class positive; drops its collinear points. */
static double roc_auc_of(clf_curve *curve, const ml_class_data *data, size_t positive,
			 unsigned *warnings)
{
	if (!both_sides_present(data, positive)) {
		*warnings |= ML_METRIC_WARN_ONE_CLASS;
		return NAN;
	}
	drop_collinear(curve);
	return area_under(curve, warnings);
}

int ml_metrics_ranking(const ml_class_data *data, double *auc, double *precision,
		       unsigned *warnings, ml_error *err)
{
	unsigned ignored = 0;
	warnings = warnings ? warnings : &ignored;
	clf_curve curve;
	if (ml_metrics_check_class_data(data, false, true, err) < 0 ||
	    clf_curve_init(&curve, data->n_rows, err) < 0)
		return -1;
	bool binary = data->n_classes == 2;
	if (auc && !binary && !rows_sum_to_one(data)) {
		*warnings |= ML_METRIC_WARN_NOT_PROBABILITIES;
		*auc = NAN;
		auc = NULL;
	}
	/* Binary: class 1's column alone; else each class against the rest, then the mean. */
	ml_sum auc_sum = { 0, 0 }, precision_sum = { 0, 0 };
	for (size_t k = binary ? 1 : 0; k < data->n_classes && (auc || precision); k++) {
		clf_curve_compute(&curve, data, k);
		if (precision)
			ml_sum_add(&precision_sum, average_precision_of(&curve, warnings));
		if (auc)
			ml_sum_add(&auc_sum, roc_auc_of(&curve, data, k, warnings));
	}
	double n_curves = binary ? 1.0 : (double)data->n_classes;
	if (precision)
		*precision = ml_sum_value(&precision_sum) / n_curves;
	if (auc)
		*auc = ml_sum_value(&auc_sum) / n_curves;
	clf_curve_free(&curve);
	return 0;
}

int ml_roc_auc(const ml_class_data *data, double *auc, unsigned *warnings, ml_error *err)
{
	return ml_metrics_ranking(data, auc, NULL, warnings, err);
}

int ml_average_precision(const ml_class_data *data, double *precision, unsigned *warnings,
			 ml_error *err)
{
	return ml_metrics_ranking(data, NULL, precision, warnings, err);
}

void ml_roc_curve_free(ml_roc_curve *curve)
{
	if (!curve)
		return;
	free(curve->fpr);
	free(curve->tpr);
	free(curve->thresholds);
	free(curve);
}

ml_roc_curve *ml_roc_curve_create(const ml_class_data *data, size_t positive,
				  unsigned *warnings, ml_error *err)
{
	unsigned ignored = 0;
	warnings = warnings ? warnings : &ignored;
	if (ml_metrics_check_class_data(data, false, true, err) < 0)
		return NULL;
	if (positive >= data->n_classes) {
		ml_error_set(err, "positive class %zu is out of range 0..%zu", positive,
			     data->n_classes - 1);
		return NULL;
	}
	clf_curve points;
	ml_roc_curve *curve = calloc(1, sizeof *curve);
	if (!curve || clf_curve_init(&points, data->n_rows, err) < 0) {
		if (!curve)
			ml_error_nomem(err);
		free(curve);
		return NULL;
	}
	clf_curve_compute(&points, data, positive);
	drop_collinear(&points);
	size_t n = points.n_points + 1; /* and (0, 0) first */
	if (!(curve->fpr = ml_alloc_array(n, sizeof(double), err)) ||
	    !(curve->tpr = ml_alloc_array(n, sizeof(double), err)) ||
	    !(curve->thresholds = ml_alloc_array(n, sizeof(double), err))) {
		clf_curve_free(&points);
		ml_roc_curve_free(curve);
		return NULL;
	}
	curve->n_points = n;
	double fps_last = points.fps[n - 2], tps_last = points.tps[n - 2];
	curve->fpr[0] = rate(0, fps_last, ML_METRIC_WARN_NO_NEGATIVE, warnings);
	curve->tpr[0] = rate(0, tps_last, ML_METRIC_WARN_NO_POSITIVE, warnings);
	curve->thresholds[0] = points.thresholds[0] + 1;
	for (size_t i = 1; i < n; i++) {
		curve->fpr[i] = rate(points.fps[i - 1], fps_last, ML_METRIC_WARN_NO_NEGATIVE,
				     warnings);
		curve->tpr[i] = rate(points.tps[i - 1], tps_last, ML_METRIC_WARN_NO_POSITIVE,
				     warnings);
		curve->thresholds[i] = points.thresholds[i - 1];
	}
	clf_curve_free(&points);
	return curve;
}
