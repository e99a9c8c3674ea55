/*
 * Internal to lib/math: what the ml_metrics_*.c files share: a compensated
 * sum, numpy's pairwise sum for short rows, the checks of class data and
 * the renumbering of cluster labels.
 * Nothing outside them includes this.
 */
#ifndef ML_METRICS_IMPL_H
#define ML_METRICS_IMPL_H

#include <math.h>

#include "math/ml_metrics.h"

/*
 * Neumaier's compensated sum: lost gathers the low bits each addition
 * drops, so a sum of a million terms is as good as the terms.
 */
typedef struct ml_sum {
	double sum;
	double lost;
} ml_sum;

static inline void ml_sum_add(ml_sum *total, double x)
{
	double t = total->sum + x;
	if (fabs(total->sum) >= fabs(x))
		total->lost += (total->sum - t) + x;
	else
		total->lost += (x - t) + total->sum;
	total->sum = t;
}

static inline double ml_sum_value(const ml_sum *total)
{
	/* An overflow to infinity leaves NaN in lost: the sum says it better. */
	return isfinite(total->sum) ? total->sum + total->lost : total->sum;
}

/*
 * numpy's sum of a short contiguous row (its pairwise_sum, eight
 * accumulators): the row sums scikit-learn renormalises probabilities by,
 * bit for bit.
 */
double ml_metrics_row_sum(const double *values, size_t count);

/*
 * Checks data: n_rows > 0, the classes in range, the weights finite, >= 0
 * and not all 0, and, when asked for, predictions and finite probabilities
 * present (n_classes >= 2 then).
 */
int ml_metrics_check_class_data(const ml_class_data *data, bool need_predicted,
				bool need_probabilities, ml_error *err);

/*
 * Numbers any integer labels 0..n-1 in increasing order (np.unique):
 * codes[r] is the rank of labels[r], sizes[code] (n_rows entries) the rows
 * with that code.  Returns how many codes, 0 on failure (n_rows > 0).
 */
size_t ml_metrics_renumber(const int64_t *labels, size_t n_rows, size_t *codes,
			   uint64_t *sizes, ml_error *err);

/*
 * ROC AUC and average precision (either may be NULL) from one ranking of
 * the rows per class: ml_roc_auc and ml_average_precision together.
 */
int ml_metrics_ranking(const ml_class_data *data, double *auc, double *precision,
		       unsigned *warnings, ml_error *err);

/* A row's weight: 1 without weights. */
static inline double ml_metrics_weight(const ml_class_data *data, size_t row)
{
	return data->weights ? data->weights[row] : 1.0;
}

#endif
