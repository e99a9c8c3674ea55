/*
 * ml_linear: least squares (ml-fit linear) and ridge regression (ml-fit
 * ridge) from one streaming pass over the rows.
 *
 * The pass accumulates moments: the count, the column means and the
 * centred cross-product matrix of [features target], block by block.
 * Rows are first taken relative to the first row (so values far from zero
 * keep their low digits in the means), each block is centred on its own mean, its cross-products come from one
 * dsyrk, and blocks merge with the exact update of Chan, Golub and LeVeque
 * (1979), so data far from the origin (large offsets) lose no precision
 * and memory stays O(columns^2) whatever the row count.
 *
 * The normal equations are solved on the unit-diagonal (correlation)
 * scaling of X'X by Cholesky (dpotrf/dpotrs).  When that matrix is
 * singular or its reciprocal condition number (dpocon) is below
 * ML_LINEAR_RCOND, the solver falls back to an eigendecomposition (dsyevd)
 * that drops the directions below that threshold and returns the
 * minimum-norm solution in the original units, as scikit-learn's lstsq
 * does: a duplicated column gets half the coefficient on each copy.
 */
#ifndef ML_LINEAR_H
#define ML_LINEAR_H

#include <stdbool.h>
#include <stddef.h>

#include "ml_error.h"

/* Below this reciprocal condition number of the scaled X'X, solve by eigenvalues. */
#define ML_LINEAR_RCOND 1e-12

typedef struct ml_moments ml_moments;

/* Moments of rows of width values. */
ml_moments *ml_moments_create(size_t width, ml_error *err);
void ml_moments_free(ml_moments *moments);
/* Adds n_rows rows (row-major); overwrites them (they are centred in place). */
void ml_moments_add(ml_moments *moments, double *rows, size_t n_rows);
size_t ml_moments_count(const ml_moments *moments);
const double *ml_moments_mean(const ml_moments *moments);
/* Centred cross-products, width x width, row-major, upper triangle valid. */
const double *ml_moments_scatter(const ml_moments *moments);

typedef struct ml_linear_solution {
	double *coef;        /* n_features values, allocated by the caller */
	double intercept;
	bool used_eigen;     /* fell back from Cholesky */
	double rcond;        /* of the scaled X'X (+ alpha), from dpocon; 0 if singular */
	size_t rank;         /* features minus dropped directions */
	double r2;           /* training R^2 (NaN for a constant target) */
	double mse;          /* training mean squared error */
} ml_linear_solution;

/*
 * Solves min ||y - X w - b||^2 + alpha ||w||^2 from moments whose last
 * column is the target (b = 0 without fit_intercept).
 */
int ml_linear_solve(const ml_moments *moments, double alpha, bool fit_intercept,
		    ml_linear_solution *solution, ml_error *err);

#endif
