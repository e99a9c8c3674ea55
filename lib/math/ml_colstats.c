#include "math/ml_colstats.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"

static double read_cell(const ml_colstats_input *in, const double *row, size_t c)
{
	return isnan(row[c]) && in->fill ? in->fill[c] : row[c];
}

/*
 * Neumaier's compensated summation: *lost gathers the low bits that each
 * addition to *sum rounds away, so sum + lost stays within an ulp or two
 * of the exact sum however many rows there are (a plain running sum can
 * drift by one ulp per row, numpy's pairwise sum by log2(rows)).
 */
static void add_compensated(double *sum, double *lost, double x)
{
	double total = *sum + x;
	*lost += fabs(*sum) >= fabs(x) ? (*sum - total) + x : (x - total) + *sum;
	*sum = total;
}

int ml_colstats_sums(const ml_colstats_input *in, size_t *count, double *sum, ml_error *err)
{
	double *lost = ml_calloc_array(in->width ? in->width : 1, sizeof *lost, err);
	if (!lost)
		return -1;
	memset(count, 0, in->width * sizeof *count);
	memset(sum, 0, in->width * sizeof *sum);
	for (size_t r = 0; r < in->n_rows; r++) {
		const double *row = in->values + r * in->width;
		for (size_t c = 0; c < in->width; c++) {
			double x = read_cell(in, row, c);
			bool present = !isnan(x);
			add_compensated(&sum[c], &lost[c], present ? x : 0.0);
			count[c] += present;
		}
	}
	for (size_t c = 0; c < in->width; c++)
		sum[c] += lost[c];
	free(lost);
	return 0;
}

/*
 * Sums of the deviations from mean and of their squares: the corrected
 * two-pass variance scikit-learn's _incremental_mean_and_var computes.
 */
static void sum_deviations(const ml_colstats_input *in, const double *mean, double *deviation,
			   double *square, double *lost)
{
	double *lost_deviation = lost, *lost_square = lost + in->width;
	memset(deviation, 0, in->width * sizeof *deviation);
	memset(square, 0, in->width * sizeof *square);
	for (size_t r = 0; r < in->n_rows; r++) {
		const double *row = in->values + r * in->width;
		for (size_t c = 0; c < in->width; c++) {
			double d = read_cell(in, row, c) - mean[c];
			bool present = !isnan(d);
			add_compensated(&deviation[c], &lost_deviation[c], present ? d : 0.0);
			add_compensated(&square[c], &lost_square[c], present ? d * d : 0.0);
		}
	}
	for (size_t c = 0; c < in->width; c++) {
		deviation[c] += lost_deviation[c];
		square[c] += lost_square[c];
	}
}

int ml_colstats_moments(const ml_colstats_input *in, size_t *count, double *mean,
			double *variance, ml_error *err)
{
	size_t width = in->width ? in->width : 1;
	double *deviation = ml_alloc_array(width, sizeof *deviation, err);
	double *lost = ml_calloc_array(width, 2 * sizeof *lost, err);
	if (!deviation || !lost || ml_colstats_sums(in, count, mean, err) < 0) {
		free(deviation);
		free(lost);
		return -1;
	}
	for (size_t c = 0; c < in->width; c++)
		mean[c] = count[c] ? mean[c] / (double)count[c] : 0.0;
	sum_deviations(in, mean, deviation, variance, lost);
	for (size_t c = 0; c < in->width; c++) {
		double n = (double)count[c];
		variance[c] = count[c] ? (variance[c] - deviation[c] * deviation[c] / n) / n : 0.0;
	}
	free(deviation);
	free(lost);
	return 0;
}

void ml_colstats_extremes(const ml_colstats_input *in, double *low, double *high)
{
	for (size_t c = 0; c < in->width; c++) {
		low[c] = INFINITY;
		high[c] = -INFINITY;
	}
	for (size_t r = 0; r < in->n_rows; r++) {
		const double *row = in->values + r * in->width;
		for (size_t c = 0; c < in->width; c++) {
			double x = read_cell(in, row, c); /* NaN compares false: skipped */
			low[c] = x < low[c] ? x : low[c];
			high[c] = x > high[c] ? x : high[c];
		}
	}
}

size_t ml_colstats_gather(const ml_colstats_input *in, size_t c, double *out)
{
	size_t count = 0;
	for (size_t r = 0; r < in->n_rows; r++) {
		double x = read_cell(in, in->values + r * in->width, c);
		if (!isnan(x))
			out[count++] = x;
	}
	return count;
}
