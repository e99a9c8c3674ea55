/*
 * ml_lbfgs: the L-BFGS minimiser, for smooth objectives such as logistic
 * regression's.
 *
 * It follows Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * algorithms 7.4 (two-loop recursion) and 7.5, with the strong-Wolfe line
 * search of algorithms 3.5 and 3.6 (cubic interpolation, safeguarded).
 * It stops like SciPy's L-BFGS-B as scikit-learn 1.2 calls it: when the
 * largest gradient component is at most tol, or when an iteration reduces
 * the objective by at most ftol relatively (SciPy's default, 1e7 machine
 * epsilons, about 2.2e-9), or after max_iter iterations.
 *
 * Its steps do not depend on the thread count: BLAS runs on one thread
 * while it minimises, the objective included, which brings its own
 * parallelism if it wants some (math/ml_parallel, fixed pieces).
 */
#ifndef ML_LBFGS_H
#define ML_LBFGS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"

/* SciPy's L-BFGS-B default factr 1e7 times epsilon, which scikit-learn 1.2 keeps. */
#define ML_DEFAULT_FTOL 2.220446049250313e-09

/* Returns f(x) and fills gradient[0..n). */
typedef double (*ml_objective_fn)(void *context, const double *x, double *gradient);
/* Called after each iteration (for progress); may be NULL. */
typedef void (*ml_lbfgs_iteration_fn)(void *context, size_t iteration, double f,
				      double gradient_max);

typedef struct ml_lbfgs_options {
	size_t memory;    /* correction pairs kept (10, as SciPy) */
	double tol;       /* stop when max |gradient| <= tol */
	double ftol;      /* stop when (f_old - f) / max(|f_old|, |f|, 1) <= ftol */
	size_t max_iter;
	size_t max_line_search; /* evaluations per line search (50, as scikit-learn) */
	ml_lbfgs_iteration_fn on_iteration;
	void *iteration_context;
} ml_lbfgs_options;

void ml_lbfgs_options_init(ml_lbfgs_options *options);

typedef struct ml_lbfgs_result {
	size_t iterations;
	size_t evaluations;
	double f;
	double gradient_max;
	bool converged;      /* false: max_iter reached or the line search failed */
	const char *stop;    /* why it stopped, for people */
} ml_lbfgs_result;

/* Minimises f from x (n values), leaving the minimiser in x. */
int ml_lbfgs_minimize(ml_objective_fn f, void *context, double *x, size_t n,
		      const ml_lbfgs_options *options, ml_lbfgs_result *result, ml_error *err);

#endif
