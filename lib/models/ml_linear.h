/*
 * ml_linear: least squares (ml-fit linear) and ridge regression (ml-fit
 * ridge) from one streaming pass over the rows.
 *
 * The pass accumulates the moments of [features target] (math/ml_moments),
 * so memory stays O(columns^2) whatever the row count.
 *
 * The normal equations are solved on the unit-diagonal (correlation)
 * scaling of X'X by Cholesky (dpotrf/dpotrs).  When that matrix is
 * singular or its reciprocal condition number (dpocon) is below
 * ML_LINEAR_RCOND, the solver falls back to an eigendecomposition (dsyevd)
 * that drops the directions below that threshold and returns the
 * minimum-norm solution in the original units, as scikit-learn's lstsq
 * does: a duplicated column gets half the coefficient on each copy.
 *
 * Memory is O(features^2) too: at most ML_LINEAR_MAX_FEATURES features,
 * refused before anything that size is allocated.
 *
 * Fits do not depend on the thread count: the moments do not, and the
 * solve runs BLAS and LAPACK on one thread (a matrix of the features'
 * size is quick to solve next to the pass over the rows).
 */
#ifndef ML_LINEAR_H
#define ML_LINEAR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "math/ml_moments.h"

/*
 * Features at most: the fallback's dsyevd needs 1 + 6d + 2d^2 values of
 * workspace, a count LAPACK takes as an int (32766 features: 8.6 GB per
 * d x d matrix, and a fit holds about five).
 */
#define ML_LINEAR_MAX_FEATURES 32766

/* Below this reciprocal condition number of the scaled X'X, solve by eigenvalues. */
#define ML_LINEAR_RCOND 1e-12

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
