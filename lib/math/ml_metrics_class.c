/*
 * Classification scores from class indices (accuracy, balanced accuracy,
 * precision, recall and F1 per class and averaged) and the log loss from
 * probabilities; the checks and warning texts every metric shares.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_metrics_impl.h"

const char *ml_metric_warning_text(unsigned warning)
{
	switch (warning) {
	case ML_METRIC_WARN_PRECISION:
		return "precision is ill-defined and set to 0 for classes never predicted";
	case ML_METRIC_WARN_RECALL:
		return "recall is ill-defined and set to 0 for classes absent from the truth";
	case ML_METRIC_WARN_F1:
		return "f1 is ill-defined and set to 0 for classes neither true nor predicted";
	case ML_METRIC_WARN_BALANCED:
		return "balanced accuracy leaves out predicted classes absent from the truth";
	case ML_METRIC_WARN_ONE_CLASS:
		return "a class is absent from the truth or is all of it: roc auc is not defined";
	case ML_METRIC_WARN_NOT_PROBABILITIES:
		return "probabilities do not sum to 1 in every row: one-vs-rest roc auc is not "
		       "defined";
	case ML_METRIC_WARN_NO_POSITIVE:
		return "no positive rows: recall (average precision) or the true positive rate is "
		       "not defined";
	case ML_METRIC_WARN_NO_NEGATIVE:
		return "no negative rows: the false positive rate is not defined";
	case ML_METRIC_WARN_CONSTANT_TRUTH:
		return "the truth is constant: r2 and explained variance are 1 for perfect "
		       "predictions, else 0";
	case ML_METRIC_WARN_CLUSTER_COUNT:
		return "the silhouette needs 2 to n_rows - 1 clusters";
	default:
		return "unknown warning";
	}
}

double ml_metrics_row_sum(const double *values, size_t count)
{
	if (count < 8) {
		double sum = 0.0;
		for (size_t i = 0; i < count; i++)
			sum += values[i];
		return sum;
	}
	if (count <= 128) {
		double partial[8];
		size_t i;
		memcpy(partial, values, sizeof partial);
		for (i = 8; i < count - count % 8; i += 8)
			for (size_t j = 0; j < 8; j++)
				partial[j] += values[i + j];
		double sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
			     ((partial[4] + partial[5]) + (partial[6] + partial[7]));
		for (; i < count; i++)
			sum += values[i];
		return sum;
	}
	size_t half = count / 2;
	half -= half % 8;
	return ml_metrics_row_sum(values, half) + ml_metrics_row_sum(values + half, count - half);
}

static int check_classes(const size_t *classes, const char *what, size_t n_rows,
			 size_t n_classes, ml_error *err)
{
	for (size_t r = 0; r < n_rows; r++)
		if (classes[r] >= n_classes) {
			ml_error_set(err, "row %zu: %s class %zu is out of range 0..%zu", r + 1,
				     what, classes[r], n_classes - 1);
			return -1;
		}
	return 0;
}

static int check_weights(const double *weights, size_t n_rows, ml_error *err)
{
	ml_sum total = { 0, 0 };
	for (size_t r = 0; r < n_rows; r++) {
		if (!isfinite(weights[r]) || weights[r] < 0) {
			ml_error_set(err, "row %zu: weight %g is not a finite number >= 0", r + 1,
				     weights[r]);
			return -1;
		}
		ml_sum_add(&total, weights[r]);
	}
	if (!(ml_sum_value(&total) > 0)) {
		ml_error_set(err, "the weights sum to 0: nothing to score");
		return -1;
	}
	return 0;
}

static int check_probabilities(const ml_class_data *data, ml_error *err)
{
	size_t cells;
	if (!ml_size_mul(data->n_rows, data->n_classes, &cells)) {
		ml_error_set(err, "%zu rows of %zu probabilities are too many", data->n_rows,
			     data->n_classes);
		return -1;
	}
	for (size_t i = 0; i < cells; i++)
		if (!isfinite(data->probabilities[i])) {
			ml_error_set(err, "row %zu: probability of class %zu is %g, not a number",
				     i / data->n_classes + 1, i % data->n_classes,
				     data->probabilities[i]);
			return -1;
		}
	return 0;
}

int ml_metrics_check_class_data(const ml_class_data *data, bool need_predicted,
				bool need_probabilities, ml_error *err)
{
	if (data->n_rows == 0) {
		ml_error_set(err, "no rows to score");
		return -1;
	}
	if (data->n_classes == 0 || data->n_classes > ML_METRICS_MAX_CLASSES) {
		ml_error_set(err, "%zu classes: expected 1 to %zu", data->n_classes,
			     ML_METRICS_MAX_CLASSES);
		return -1;
	}
	if (need_probabilities && data->n_classes < 2) {
		ml_error_set(err, "probabilities need at least 2 classes, not %zu",
			     data->n_classes);
		return -1;
	}
	if (need_predicted && !data->predicted) {
		ml_error_set(err, "no predicted classes to score");
		return -1;
	}
	if (need_probabilities && !data->probabilities) {
		ml_error_set(err, "no probabilities to score");
		return -1;
	}
	if (check_classes(data->truth, "true", data->n_rows, data->n_classes, err) < 0 ||
	    (need_predicted &&
	     check_classes(data->predicted, "predicted", data->n_rows, data->n_classes, err) < 0) ||
	    (data->weights && check_weights(data->weights, data->n_rows, err) < 0) ||
	    (need_probabilities && check_probabilities(data, err) < 0))
		return -1;
	return 0;
}

int ml_confusion_matrix(const ml_class_data *data, double *matrix, ml_error *err)
{
	if (ml_metrics_check_class_data(data, true, false, err) < 0)
		return -1;
	size_t n_classes = data->n_classes;
	memset(matrix, 0, n_classes * n_classes * sizeof *matrix);
	for (size_t r = 0; r < data->n_rows; r++) {
		size_t cell = data->truth[r] * n_classes + data->predicted[r];
		matrix[cell] += ml_metrics_weight(data, r);
	}
	return 0;
}

/*
 * Per class, as scikit-learn's multilabel_confusion_matrix sums them: the
 * weight of rows true and predicted (tp), predicted (pred) and true
 * (truth), each a sum in row order (np.bincount); pred and truth are then
 * rebuilt as tp + fp and tp + fn, which with weights can round differently.
 */
typedef struct class_sums {
	double *tp;
	double *pred;
	double *truth;
	bool *present; /* in the truth or the prediction: what the averages cover */
} class_sums;

static void class_sums_free(class_sums *sums)
{
	free(sums->tp);
	free(sums->pred);
	free(sums->truth);
	free(sums->present);
}

static int class_sums_compute(const ml_class_data *data, class_sums *sums, ml_error *err)
{
	size_t n_classes = data->n_classes;
	memset(sums, 0, sizeof *sums);
	if (!(sums->tp = ml_calloc_array(n_classes, sizeof(double), err)) ||
	    !(sums->pred = ml_calloc_array(n_classes, sizeof(double), err)) ||
	    !(sums->truth = ml_calloc_array(n_classes, sizeof(double), err)) ||
	    !(sums->present = ml_calloc_array(n_classes, sizeof(bool), err))) {
		class_sums_free(sums);
		return -1;
	}
	for (size_t r = 0; r < data->n_rows; r++) {
		size_t t = data->truth[r], p = data->predicted[r];
		double w = ml_metrics_weight(data, r);
		if (t == p)
			sums->tp[t] += w;
		sums->pred[p] += w;
		sums->truth[t] += w;
		sums->present[t] = sums->present[p] = true;
	}
	for (size_t k = 0; k < n_classes; k++) {
		sums->pred[k] = sums->tp[k] + (sums->pred[k] - sums->tp[k]);
		sums->truth[k] = sums->tp[k] + (sums->truth[k] - sums->tp[k]);
	}
	return 0;
}

/* _prf_divide with zero_division="warn": 0/0 is 0, and the caller warns. */
static double divide_or_zero(double numerator, double denominator)
{
	return denominator == 0.0 ? 0.0 : numerator / denominator;
}

/* F1 as precision_recall_fscore_support computes it from P and R. */
static double f1_of(double precision, double recall)
{
	double denominator = precision + recall;
	return 2.0 * precision * recall / (denominator == 0.0 ? 1.0 : denominator);
}

static ml_prf prf_of(double tp, double pred, double truth)
{
	ml_prf prf = { divide_or_zero(tp, pred), divide_or_zero(tp, truth), 0 };
	prf.f1 = f1_of(prf.precision, prf.recall);
	return prf;
}

static unsigned prf_warnings(double pred, double truth)
{
	return (pred == 0 ? ML_METRIC_WARN_PRECISION : 0) |
	       (truth == 0 ? ML_METRIC_WARN_RECALL : 0) |
	       (pred == 0 && truth == 0 ? ML_METRIC_WARN_F1 : 0);
}

static double accuracy_of(const ml_class_data *data)
{
	if (!data->weights) {
		size_t correct = 0;
		for (size_t r = 0; r < data->n_rows; r++)
			correct += data->truth[r] == data->predicted[r];
		return (double)correct / (double)data->n_rows;
	}
	ml_sum correct = { 0, 0 }, total = { 0, 0 };
	for (size_t r = 0; r < data->n_rows; r++) {
		if (data->truth[r] == data->predicted[r])
			ml_sum_add(&correct, data->weights[r]);
		ml_sum_add(&total, data->weights[r]);
	}
	return ml_sum_value(&correct) / ml_sum_value(&total);
}

/* The averages over the classes present, as precision_recall_fscore_support's. */
static void average_scores(const class_sums *sums, size_t n_classes,
			   ml_classification_scores *scores)
{
	ml_sum macro[3] = { { 0, 0 } }, weighted[3] = { { 0, 0 } }, weight = { 0, 0 };
	ml_sum micro[3] = { { 0, 0 } };
	size_t n_present = 0;
	for (size_t k = 0; k < n_classes; k++) {
		if (!sums->present[k])
			continue;
		ml_prf prf = prf_of(sums->tp[k], sums->pred[k], sums->truth[k]);
		double values[3] = { prf.precision, prf.recall, prf.f1 };
		for (int i = 0; i < 3; i++) {
			ml_sum_add(&macro[i], values[i]);
			ml_sum_add(&weighted[i], values[i] * sums->truth[k]);
		}
		ml_sum_add(&weight, sums->truth[k]);
		ml_sum_add(&micro[0], sums->tp[k]);
		ml_sum_add(&micro[1], sums->pred[k]);
		ml_sum_add(&micro[2], sums->truth[k]);
		scores->warnings |= prf_warnings(sums->pred[k], sums->truth[k]);
		n_present++;
	}
	scores->macro.precision = ml_sum_value(&macro[0]) / (double)n_present;
	scores->macro.recall = ml_sum_value(&macro[1]) / (double)n_present;
	scores->macro.f1 = ml_sum_value(&macro[2]) / (double)n_present;
	double total = ml_sum_value(&weight);
	scores->weighted.precision = ml_sum_value(&weighted[0]) / total;
	scores->weighted.recall = ml_sum_value(&weighted[1]) / total;
	scores->weighted.f1 = ml_sum_value(&weighted[2]) / total;
	scores->micro = prf_of(ml_sum_value(&micro[0]), ml_sum_value(&micro[1]),
			       ml_sum_value(&micro[2]));
}

/*
 * balanced_accuracy_score: the mean recall of the classes present; one
 * that no true row has (predicted only) is NaN there, and dropped.
 */
static double balanced_accuracy_of(const class_sums *sums, size_t n_classes,
				   unsigned *warnings)
{
	ml_sum recall = { 0, 0 };
	size_t n_recalled = 0;
	for (size_t k = 0; k < n_classes; k++) {
		if (!sums->present[k])
			continue;
		if (sums->truth[k] == 0) {
			*warnings |= ML_METRIC_WARN_BALANCED;
			continue;
		}
		ml_sum_add(&recall, sums->tp[k] / sums->truth[k]);
		n_recalled++;
	}
	return ml_sum_value(&recall) / (double)n_recalled;
}

static int score_labels(const ml_class_data *data, ml_classification_scores *scores,
			ml_class_score *per_class, ml_error *err)
{
	class_sums sums;
	if (class_sums_compute(data, &sums, err) < 0)
		return -1;
	scores->has_predictions = true;
	scores->accuracy = accuracy_of(data);
	average_scores(&sums, data->n_classes, scores);
	scores->balanced_accuracy = balanced_accuracy_of(&sums, data->n_classes,
							 &scores->warnings);
	if (data->n_classes == 2) {
		/* average="binary": class 1 alone, warned about even when absent. */
		scores->binary = prf_of(sums.tp[1], sums.pred[1], sums.truth[1]);
		scores->warnings |= prf_warnings(sums.pred[1], sums.truth[1]);
	}
	for (size_t k = 0; per_class && k < data->n_classes; k++) {
		ml_prf prf = prf_of(sums.tp[k], sums.pred[k], sums.truth[k]);
		per_class[k] = (ml_class_score){ prf.precision, prf.recall, prf.f1,
						 sums.truth[k] };
	}
	class_sums_free(&sums);
	return 0;
}

static int score_probabilities(const ml_class_data *data, ml_classification_scores *scores,
			       ml_error *err)
{
	if (ml_log_loss(data, &scores->log_loss, err) < 0 ||
	    ml_metrics_ranking(data, &scores->roc_auc, &scores->average_precision,
			       &scores->warnings, err) < 0)
		return -1;
	scores->has_probabilities = true;
	return 0;
}

int ml_score_classification(const ml_class_data *data, ml_classification_scores *scores,
			    ml_class_score *per_class, ml_error *err)
{
	ml_prf none = { NAN, NAN, NAN };
	*scores = (ml_classification_scores){ .accuracy = NAN, .balanced_accuracy = NAN,
					      .binary = none, .macro = none, .micro = none,
					      .weighted = none, .log_loss = NAN,
					      .roc_auc = NAN, .average_precision = NAN };
	if (!data->predicted && !data->probabilities) {
		ml_error_set(err, "neither predicted classes nor probabilities to score");
		return -1;
	}
	if (ml_metrics_check_class_data(data, data->predicted != NULL,
					data->probabilities != NULL, err) < 0)
		return -1;
	if (data->predicted && score_labels(data, scores, per_class, err) < 0)
		return -1;
	if (data->probabilities && score_probabilities(data, scores, err) < 0)
		return -1;
	return 0;
}

static void list_prf(ml_metric_value *values, size_t *count, const char *const names[3],
		     ml_prf prf)
{
	values[(*count)++] = (ml_metric_value){ names[0], prf.precision };
	values[(*count)++] = (ml_metric_value){ names[1], prf.recall };
	values[(*count)++] = (ml_metric_value){ names[2], prf.f1 };
}

size_t ml_classification_scores_list(const ml_classification_scores *scores, size_t n_classes,
				     ml_metric_value *values)
{
	static const char *const binary[3] = { "precision", "recall", "f1" };
	static const char *const macro[3] = { "precision_macro", "recall_macro", "f1_macro" };
	static const char *const micro[3] = { "precision_micro", "recall_micro", "f1_micro" };
	static const char *const weighted[3] = { "precision_weighted", "recall_weighted",
						 "f1_weighted" };
	size_t count = 0;
	if (scores->has_predictions) {
		values[count++] = (ml_metric_value){ "accuracy", scores->accuracy };
		values[count++] = (ml_metric_value){ "balanced_accuracy",
						     scores->balanced_accuracy };
		if (n_classes == 2)
			list_prf(values, &count, binary, scores->binary);
		list_prf(values, &count, macro, scores->macro);
		list_prf(values, &count, micro, scores->micro);
		list_prf(values, &count, weighted, scores->weighted);
	}
	if (scores->has_probabilities) {
		values[count++] = (ml_metric_value){ "log_loss", scores->log_loss };
		values[count++] = (ml_metric_value){ n_classes == 2 ? "roc_auc" : "roc_auc_ovr",
						     scores->roc_auc };
		values[count++] = (ml_metric_value){ "average_precision",
						     scores->average_precision };
	}
	return count;
}

int ml_log_loss(const ml_class_data *data, double *loss, ml_error *err)
{
	if (ml_metrics_check_class_data(data, false, true, err) < 0)
		return -1;
	size_t n_classes = data->n_classes;
	double *clipped = ml_alloc_array(n_classes, sizeof *clipped, err);
	if (!clipped)
		return -1;
	ml_sum total = { 0, 0 }, weight = { 0, 0 };
	for (size_t r = 0; r < data->n_rows; r++) {
		const double *row = data->probabilities + r * n_classes;
		/* scikit-learn 1.2 clips at the float64 epsilon, then renormalises. */
		for (size_t k = 0; k < n_classes; k++)
			clipped[k] = fmin(fmax(row[k], DBL_EPSILON), 1 - DBL_EPSILON);
		double row_loss = -log(clipped[data->truth[r]] /
				       ml_metrics_row_sum(clipped, n_classes));
		double w = ml_metrics_weight(data, r);
		ml_sum_add(&total, data->weights ? row_loss * w : row_loss);
		ml_sum_add(&weight, w);
	}
	free(clipped);
	*loss = ml_sum_value(&total) / ml_sum_value(&weight);
	return 0;
}
