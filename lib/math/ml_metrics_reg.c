/*
 * Regression scores: the errors of predicted values against true ones, as
 * sklearn.metrics computes them for one output without weights.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "core/ml_util.h"
#include "math/ml_metrics_impl.h"
#include "math/ml_quantile.h"

static int check_values(const double *values, const char *what, size_t n_rows, ml_error *err)
{
	for (size_t r = 0; r < n_rows; r++)
		if (!isfinite(values[r])) {
			ml_error_set(err, "row %zu: %s value %g is not a finite number", r + 1,
				     what, values[r]);
			return -1;
		}
	return 0;
}

static double mean_of(const double *values, size_t n_rows)
{
	ml_sum sum = { 0, 0 };
	for (size_t r = 0; r < n_rows; r++)
		ml_sum_add(&sum, values[r]);
	return ml_sum_value(&sum) / (double)n_rows;
}

static bool all_equal(const double *values, size_t n_rows)
{
	for (size_t r = 1; r < n_rows; r++)
		if (values[r] != values[0])
			return false;
	return true;
}

/*
 * _assemble_r2_explained_variance with force_finite: 1 - numerator /
 * denominator, but 1 for a zero numerator (perfect) and 0 for a zero
 * denominator (a constant truth) otherwise.
 */
static double assemble(bool zero_numerator, bool zero_denominator, double numerator,
		       double denominator)
{
	if (zero_numerator)
		return 1.0;
	if (zero_denominator)
		return 0.0;
	return 1 - numerator / denominator;
}

/* Sums of the error terms; residual[r] = truth - predicted. */
typedef struct error_sums {
	ml_sum squared;
	ml_sum absolute;
	ml_sum relative; /* MAPE's |error| / max(|truth|, eps) */
	ml_sum residual;
	double max_error;
} error_sums;

static void sum_errors(const double *truth, const double *predicted, double *residual,
		       size_t n_rows, error_sums *sums)
{
	*sums = (error_sums){ { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 }, 0 };
	for (size_t r = 0; r < n_rows; r++) {
		double error = truth[r] - predicted[r], absolute = fabs(error);
		residual[r] = error;
		ml_sum_add(&sums->squared, error * error);
		ml_sum_add(&sums->absolute, absolute);
		ml_sum_add(&sums->relative, absolute / fmax(fabs(truth[r]), DBL_EPSILON));
		ml_sum_add(&sums->residual, error);
		sums->max_error = fmax(sums->max_error, absolute);
	}
}

/* The sum of squares of values - mean, compensated. */
static double centred_squares(const double *values, size_t n_rows, double mean)
{
	ml_sum sum = { 0, 0 };
	for (size_t r = 0; r < n_rows; r++) {
		double d = values[r] - mean;
		ml_sum_add(&sum, d * d);
	}
	return ml_sum_value(&sum);
}

int ml_score_regression(const double *truth, const double *predicted, size_t n_rows,
			ml_regression_scores *scores, ml_error *err)
{
	if (n_rows == 0) {
		ml_error_set(err, "no rows to score");
		return -1;
	}
	if (check_values(truth, "true", n_rows, err) < 0 ||
	    check_values(predicted, "predicted", n_rows, err) < 0)
		return -1;
	double *residual = ml_alloc_array(n_rows, sizeof *residual, err);
	if (!residual)
		return -1;
	double count = (double)n_rows;
	error_sums sums;
	sum_errors(truth, predicted, residual, n_rows, &sums);
	*scores = (ml_regression_scores){ 0 };
	scores->mean_squared_error = ml_sum_value(&sums.squared) / count;
	scores->root_mean_squared_error = sqrt(scores->mean_squared_error);
	scores->mean_absolute_error = ml_sum_value(&sums.absolute) / count;
	scores->mean_absolute_percentage_error = ml_sum_value(&sums.relative) / count;
	scores->max_error = sums.max_error;

	/*
	 * "Zero" numerators and denominators are decided on the values (all
	 * residuals 0, all residuals equal, all truths equal), not on sums
	 * whose rounding could leave 1e-33 where there is nothing.
	 */
	bool constant_truth = all_equal(truth, n_rows);
	bool perfect = sums.max_error == 0, constant_residual = all_equal(residual, n_rows);
	double truth_squares = constant_truth ? 0 : centred_squares(truth, n_rows,
								    mean_of(truth, n_rows));
	scores->r2 = assemble(perfect, constant_truth, ml_sum_value(&sums.squared), truth_squares);
	double residual_squares = centred_squares(residual, n_rows,
						  ml_sum_value(&sums.residual) / count);
	scores->explained_variance = assemble(constant_residual, constant_truth,
					      residual_squares / count, truth_squares / count);
	if (constant_truth)
		scores->warnings |= ML_METRIC_WARN_CONSTANT_TRUTH;

	for (size_t r = 0; r < n_rows; r++)
		residual[r] = fabs(residual[r]);
	scores->median_absolute_error = ml_quantile_median(residual, n_rows);
	free(residual);
	return 0;
}

size_t ml_regression_scores_list(const ml_regression_scores *scores, ml_metric_value *values)
{
	size_t count = 0;
	values[count++] = (ml_metric_value){ "mean_squared_error", scores->mean_squared_error };
	values[count++] = (ml_metric_value){ "root_mean_squared_error",
					     scores->root_mean_squared_error };
	values[count++] = (ml_metric_value){ "mean_absolute_error", scores->mean_absolute_error };
	values[count++] = (ml_metric_value){ "r2", scores->r2 };
	values[count++] = (ml_metric_value){ "max_error", scores->max_error };
	values[count++] = (ml_metric_value){ "mean_absolute_percentage_error",
					     scores->mean_absolute_percentage_error };
	values[count++] = (ml_metric_value){ "explained_variance", scores->explained_variance };
	values[count++] = (ml_metric_value){ "median_absolute_error",
					     scores->median_absolute_error };
	return count;
}
