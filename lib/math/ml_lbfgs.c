#include "math/ml_lbfgs.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"

/* Wolfe constants: sufficient decrease and curvature (N&W's usual choice). */
#define WOLFE_C1 1e-4
#define WOLFE_C2 0.9

/* ---- L-BFGS ----------------------------------------------------------- */

void ml_lbfgs_options_init(ml_lbfgs_options *options)
{
	memset(options, 0, sizeof *options);
	options->memory = 10;
	options->tol = 1e-4;
	options->ftol = ML_DEFAULT_FTOL;
	options->max_iter = 100;
	options->max_line_search = 50;
}

static double max_abs(const double *v, size_t n)
{
	double largest = 0;
	for (size_t i = 0; i < n; i++)
		largest = fabs(v[i]) > largest ? fabs(v[i]) : largest;
	return largest;
}

static double dot(const double *a, const double *b, size_t n)
{
	return cblas_ddot((int)n, a, 1, b, 1);
}

/* One point of the line search: step, value, directional derivative. */
typedef struct probe {
	double step, f, slope;
} probe;

typedef struct line_search {
	ml_objective_fn f;
	void *context;
	size_t n;
	const double *x, *direction;
	double *trial_x, *trial_g;  /* the last evaluated point */
	double *best_x, *best_g;    /* the accepted point */
	probe start;
	size_t evaluations, budget;
} line_search;

static probe evaluate(line_search *ls, double step)
{
	memcpy(ls->trial_x, ls->x, ls->n * sizeof *ls->trial_x);
	cblas_daxpy((int)ls->n, step, ls->direction, 1, ls->trial_x, 1);
	double value = ls->f(ls->context, ls->trial_x, ls->trial_g);
	ls->evaluations++;
	return (probe){ step, value, dot(ls->trial_g, ls->direction, ls->n) };
}

static void accept(line_search *ls, probe *accepted, probe p)
{
	memcpy(ls->best_x, ls->trial_x, ls->n * sizeof *ls->best_x);
	memcpy(ls->best_g, ls->trial_g, ls->n * sizeof *ls->best_g);
	*accepted = p;
}

static bool sufficient_decrease(const line_search *ls, probe p)
{
	return p.f <= ls->start.f + WOLFE_C1 * p.step * ls->start.slope;
}

static bool curvature_ok(const line_search *ls, probe p)
{
	return fabs(p.slope) <= -WOLFE_C2 * ls->start.slope;
}

/* The minimiser of the cubic through a and b, kept inside their interval. */
static double cubic_step(probe a, probe b)
{
	double low = a.step < b.step ? a.step : b.step, high = a.step < b.step ? b.step : a.step;
	double d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.step - b.step);
	double radicand = d1 * d1 - a.slope * b.slope;
	double margin = 0.1 * (high - low), step = NAN;
	if (radicand >= 0) {
		double d2 = copysign(sqrt(radicand), b.step - a.step);
		step = b.step - (b.step - a.step) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2);
	}
	if (!isfinite(step) || step < low + margin || step > high - margin)
		step = (low + high) / 2;
	return step;
}

/* N&W algorithm 3.6: narrows [low, high] to a strong-Wolfe step. */
static bool zoom(line_search *ls, probe low, probe high, probe *accepted)
{
	while (ls->evaluations < ls->budget) {
		if (fabs(high.step - low.step) <= DBL_EPSILON * fabs(low.step))
			break;
		probe p = evaluate(ls, cubic_step(low, high));
		if (!sufficient_decrease(ls, p) || p.f >= low.f) {
			high = p;
			continue;
		}
		accept(ls, accepted, p);
		if (curvature_ok(ls, p))
			return true;
		if (p.slope * (high.step - low.step) >= 0)
			high = low;
		low = p;
	}
	/* Out of budget: a step that decreased f enough still makes progress. */
	return accepted->step > 0;
}

/* N&W algorithm 3.5; the accepted point ends in best_x / best_g. */
static bool search(line_search *ls, double first_step, probe *accepted)
{
	probe previous = ls->start;
	double step = first_step;
	*accepted = (probe){ 0, ls->start.f, ls->start.slope };
	for (size_t i = 0; ls->evaluations < ls->budget; i++) {
		probe p = evaluate(ls, step);
		if (!isfinite(p.f) || !sufficient_decrease(ls, p) || (i > 0 && p.f >= previous.f)) {
			if (!isfinite(p.f)) {
				/* Overflowed: retreat towards the last good point. */
				step = (previous.step + step) / 2;
				continue;
			}
			return zoom(ls, previous, p, accepted);
		}
		accept(ls, accepted, p);
		if (curvature_ok(ls, p))
			return true;
		if (p.slope >= 0)
			return zoom(ls, p, previous, accepted);
		previous = p;
		step *= 4;
	}
	return accepted->step > 0;
}

typedef struct history {
	size_t capacity, count, newest;
	double *s, *y, *rho, *alpha;
} history;

/* Stores a pair over the oldest once the ring is full. */
static void push_pair(history *h, size_t n, const double *s, const double *y, double sy)
{
	size_t slot = h->count == 0 ? 0 : (h->newest + 1) % h->capacity;
	if (h->count < h->capacity)
		h->count++;
	h->newest = slot;
	memcpy(h->s + slot * n, s, n * sizeof *s);
	memcpy(h->y + slot * n, y, n * sizeof *y);
	h->rho[slot] = 1 / sy;
}

/* N&W algorithm 7.4: direction = -H g. */
static void two_loop(const history *h, size_t n, const double *g, double *direction)
{
	memcpy(direction, g, n * sizeof *direction);
	for (size_t i = 0; i < h->count; i++) {
		size_t slot = (h->newest + h->capacity - i) % h->capacity;
		h->alpha[slot] = h->rho[slot] * dot(h->s + slot * n, direction, n);
		cblas_daxpy((int)n, -h->alpha[slot], h->y + slot * n, 1, direction, 1);
	}
	if (h->count > 0) {
		const double *y = h->y + h->newest * n;
		cblas_dscal((int)n, 1 / (h->rho[h->newest] * dot(y, y, n)), direction, 1);
	}
	for (size_t i = h->count; i-- > 0;) {
		size_t slot = (h->newest + h->capacity - i) % h->capacity;
		double beta = h->rho[slot] * dot(h->y + slot * n, direction, n);
		cblas_daxpy((int)n, h->alpha[slot] - beta, h->s + slot * n, 1, direction, 1);
	}
	cblas_dscal((int)n, -1, direction, 1);
}

typedef struct lbfgs_state {
	size_t n;
	double *g, *direction, *trial_x, *trial_g, *best_x, *best_g, *s, *y;
	history h;
} lbfgs_state;

static void free_state(lbfgs_state *st)
{
	double **buffers[] = { &st->g, &st->direction, &st->trial_x, &st->trial_g, &st->best_x,
			       &st->best_g, &st->s, &st->y, &st->h.s, &st->h.y, &st->h.rho,
			       &st->h.alpha };
	for (size_t i = 0; i < sizeof buffers / sizeof buffers[0]; i++)
		free(*buffers[i]);
}

static int alloc_state(lbfgs_state *st, size_t n, size_t memory, ml_error *err)
{
	memset(st, 0, sizeof *st);
	st->n = n;
	st->h.capacity = memory ? memory : 1;
	double **vectors[] = { &st->g, &st->direction, &st->trial_x, &st->trial_g, &st->best_x,
			       &st->best_g, &st->s, &st->y };
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
		if (!(*vectors[i] = ml_alloc_array(n ? n : 1, sizeof(double), err)))
			return -1;
	size_t cells;
	if (!ml_size_mul(n ? n : 1, st->h.capacity, &cells))
		return ml_error_nomem(err);
	if (!(st->h.s = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(st->h.y = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(st->h.rho = ml_alloc_array(st->h.capacity, sizeof(double), err)) ||
	    !(st->h.alpha = ml_alloc_array(st->h.capacity, sizeof(double), err)))
		return -1;
	return 0;
}

/* One L-BFGS step from x; false when no step along any direction helps. */
static bool step(lbfgs_state *st, ml_objective_fn f, void *context, double *x, double *fx,
		 const ml_lbfgs_options *options, size_t *evaluations)
{
	size_t n = st->n;
	for (int attempt = 0; attempt < 2; attempt++) {
		two_loop(&st->h, n, st->g, st->direction);
		double slope = dot(st->g, st->direction, n);
		if (!(slope < 0)) {
			/* Not a descent direction: forget the curvature pairs. */
			st->h.count = 0;
			two_loop(&st->h, n, st->g, st->direction);
			slope = dot(st->g, st->direction, n);
		}
		/* The first step has no curvature to scale it: take length 1, like SciPy. */
		double first = st->h.count ? 1.0 : fmin(1.0, 1.0 / cblas_dnrm2((int)n, st->g, 1));
		line_search ls = { f, context, n, x, st->direction, st->trial_x, st->trial_g,
				   st->best_x, st->best_g, { 0, *fx, slope }, 0,
				   options->max_line_search };
		probe accepted;
		bool found = search(&ls, first, &accepted);
		*evaluations += ls.evaluations;
		if (found) {
			for (size_t i = 0; i < n; i++) {
				st->s[i] = st->best_x[i] - x[i];
				st->y[i] = st->best_g[i] - st->g[i];
			}
			double sy = dot(st->s, st->y, n);
			/* Keep the pair only when it carries positive curvature. */
			if (sy > DBL_EPSILON * dot(st->y, st->y, n))
				push_pair(&st->h, n, st->s, st->y, sy);
			memcpy(x, st->best_x, n * sizeof *x);
			memcpy(st->g, st->best_g, n * sizeof *st->g);
			*fx = accepted.f;
			return true;
		}
		if (st->h.count == 0)
			return false;
		st->h.count = 0; /* retry once along the steepest descent */
	}
	return false;
}

int ml_lbfgs_minimize(ml_objective_fn f, void *context, double *x, size_t n,
		      const ml_lbfgs_options *options, ml_lbfgs_result *result, ml_error *err)
{
	lbfgs_state st;
	memset(result, 0, sizeof *result);
	if (alloc_state(&st, n, options->memory, err) < 0) {
		free_state(&st);
		return -1;
	}
	/* OpenBLAS splits a long ddot over its threads and adds the parts in their order. */
	int blas_threads = ml_blas_threads_set(1);
	double fx = f(context, x, st.g);
	result->evaluations = 1;
	result->stop = "the gradient is within tolerance";
	result->converged = true;
	while (max_abs(st.g, n) > options->tol) {
		if (result->iterations >= options->max_iter) {
			result->converged = false;
			result->stop = "the iteration limit was reached";
			break;
		}
		double before = fx;
		if (!step(&st, f, context, x, &fx, options, &result->evaluations)) {
			result->converged = false;
			result->stop = "the line search found no better point (rounding limits"
				       " progress)";
			break;
		}
		result->iterations++;
		if (options->on_iteration)
			options->on_iteration(options->iteration_context, result->iterations, fx,
					      max_abs(st.g, n));
		double scale = fmax(fmax(fabs(before), fabs(fx)), 1.0);
		if ((before - fx) / scale <= options->ftol) {
			result->stop = "the objective's relative reduction fell to --ftol";
			break;
		}
	}
	result->f = fx;
	result->gradient_max = max_abs(st.g, n);
	ml_blas_threads_set(blas_threads);
	free_state(&st);
	return 0;
}

