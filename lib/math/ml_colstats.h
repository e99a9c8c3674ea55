/*
 * ml_colstats: statistics of each column of a row-major matrix, skipping
 * missing values, as scikit-learn computes them: counts, sums and means
 * with compensated summation, the population variance by the corrected
 * two-pass formula, extremes.  Each is one pass over the rows, which reads
 * the matrix in order.  A fill value per column, when given, stands in for
 * the column's missing values (the scale stage's imputation); a fill that
 * is itself NaN leaves them missing.
 */
#ifndef ML_COLSTATS_H
#define ML_COLSTATS_H

#include <stddef.h>

#include "core/ml_error.h"

typedef struct ml_colstats_input {
	const double *values; /* n_rows x width, row-major */
	size_t n_rows, width;
	const double *fill;   /* width values, or NULL */
} ml_colstats_input;

/* How many values each column has, and their sum. */
int ml_colstats_sums(const ml_colstats_input *in, size_t *count, double *sum, ml_error *err);
/*
 * Count, mean and population variance of each column (mean and variance 0
 * for a column without values).
 */
int ml_colstats_moments(const ml_colstats_input *in, size_t *count, double *mean,
			double *variance, ml_error *err);
/* Smallest and largest value of each column; low > high when it has none. */
void ml_colstats_extremes(const ml_colstats_input *in, double *low, double *high);
/* Copies the values column c has to out (n_rows room); returns how many. */
size_t ml_colstats_gather(const ml_colstats_input *in, size_t c, double *out);

#endif
