#include "models/ml_linear.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"
#include "math/ml_lapack.h"
#include "math/ml_moments.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_model_impl.h"

/*
 * A column whose spread is below this many units in the last place of its
 * mean is constant: centring leaves only rounding noise in it, which must
 * not pass for a direction of the data.
 */
#define CONSTANT_ULPS 64.0

/* ---- solving ---------------------------------------------------------- */

/* The normal equations in full: S w = b, and y'y, in the units of the data. */
typedef struct normal_system {
	size_t d;
	double *S;   /* d x d, both triangles */
	double *b;
	double yy;   /* centred (or raw, without intercept) sum of squares of y */
	double yy_centred;
} normal_system;

static void build_system(const ml_moments *moments, bool fit_intercept, normal_system *sys)
{
	size_t w = ml_moments_width(moments), d = w - 1;
	const double *M = ml_moments_scatter(moments), *mean = ml_moments_mean(moments);
	double n = (double)ml_moments_count(moments);
	for (size_t i = 0; i < d; i++) {
		for (size_t j = i; j < d; j++) {
			double value = M[i * w + j];
			if (!fit_intercept)
				value += n * mean[i] * mean[j];
			sys->S[i * d + j] = sys->S[j * d + i] = value;
		}
		sys->b[i] = M[i * w + d] + (fit_intercept ? 0 : n * mean[i] * mean[d]);
	}
	sys->yy_centred = M[d * w + d];
	sys->yy = sys->yy_centred + (fit_intercept ? 0 : n * mean[d] * mean[d]);
}

/* The scaled system over the active (non-constant) columns. */
typedef struct scaled_system {
	size_t m;
	size_t *column;  /* active column -> feature */
	double *scale;   /* sqrt of the diagonal, per active column */
	double *A;       /* m x m */
	double *b;
} scaled_system;

static void scale_system(const normal_system *sys, const ml_moments *moments, double alpha,
			 scaled_system *scaled)
{
	size_t d = sys->d, m = 0;
	for (size_t j = 0; j < d; j++) {
		double spread = CONSTANT_ULPS * DBL_EPSILON * fabs(ml_moments_mean(moments)[j]);
		double diagonal = ml_moments_scatter(moments)[j * ml_moments_width(moments) + j];
		if (diagonal > (double)ml_moments_count(moments) * spread * spread && diagonal > 0)
			scaled->column[m++] = j;
	}
	scaled->m = m;
	for (size_t i = 0; i < m; i++)
		scaled->scale[i] = sqrt(sys->S[scaled->column[i] * d + scaled->column[i]]);
	for (size_t i = 0; i < m; i++) {
		size_t ci = scaled->column[i];
		for (size_t j = 0; j < m; j++)
			scaled->A[i * m + j] = sys->S[ci * d + scaled->column[j]] /
					       (scaled->scale[i] * scaled->scale[j]);
		scaled->A[i * m + i] += alpha / (scaled->scale[i] * scaled->scale[i]);
		scaled->b[i] = sys->b[ci] / scaled->scale[i];
	}
}

static double one_norm(const double *A, size_t m)
{
	double norm = 0;
	for (size_t j = 0; j < m; j++) {
		double sum = 0;
		for (size_t i = 0; i < m; i++)
			sum += fabs(A[i * m + j]);
		norm = sum > norm ? sum : norm;
	}
	return norm;
}

/* Cholesky; 1 when the matrix is too ill-conditioned for it, -1 on failure. */
static int solve_cholesky(const scaled_system *s, double *v, double *rcond, ml_error *err)
{
	int m = (int)s->m, info, one = 1;
	double anorm = one_norm(s->A, s->m);
	size_t cells = s->m * s->m;
	double *L = ml_alloc_array(cells, sizeof *L, err);
	double *work = ml_alloc_array(3 * s->m, sizeof *work, err);
	int *iwork = ml_alloc_array(s->m, sizeof *iwork, err);
	int status = -1;
	if (!L || !work || !iwork)
		goto done;
	memcpy(L, s->A, cells * sizeof *L);
	*rcond = 0;
	dpotrf_("U", &m, L, &m, &info, 1);
	status = 1;
	if (info != 0)
		goto done;
	dpocon_("U", &m, L, &m, &anorm, rcond, work, iwork, &info, 1);
	if (info != 0 || !(*rcond >= ML_LINEAR_RCOND))
		goto done;
	memcpy(v, s->b, s->m * sizeof *v);
	dpotrs_("U", &m, &one, L, &m, v, &m, &info, 1);
	status = info == 0 ? 0 : 1;
done:
	free(L);
	free(work);
	free(iwork);
	return status;
}

/* Eigenvectors (columns of E, column-major) and eigenvalues of A, ascending. */
static int eigen(const scaled_system *s, double *E, double *lambda, ml_error *err)
{
	int m = (int)s->m, info, lwork = -1, liwork = -1, iwork_size;
	double work_size;
	memcpy(E, s->A, s->m * s->m * sizeof *E);
	dsyevd_("V", "U", &m, E, &m, lambda, &work_size, &lwork, &iwork_size, &liwork, &info, 1, 1);
	lwork = (int)work_size;
	liwork = iwork_size;
	double *work = ml_alloc_array((size_t)lwork, sizeof *work, err);
	int *iwork = ml_alloc_array((size_t)liwork, sizeof *iwork, err);
	if (work && iwork)
		dsyevd_("V", "U", &m, E, &m, lambda, work, &lwork, iwork, &liwork, &info, 1, 1);
	free(work);
	free(iwork);
	if (!work || !iwork)
		return -1;
	if (info != 0) {
		ml_error_set(err, "the eigendecomposition of X'X did not converge (LAPACK dsyevd %d)",
			     info);
		return -1;
	}
	return 0;
}

/* Removes from w its part in the span of the n_null columns of N (m x n_null). */
static int project_out(double *N, size_t m, size_t n_null, double *w, ml_error *err)
{
	int rows = (int)m, cols = (int)n_null, info, lwork = -1;
	double work_size;
	double *tau = ml_alloc_array(n_null, sizeof *tau, err);
	if (!tau)
		return -1;
	dgeqrf_(&rows, &cols, N, &rows, tau, &work_size, &lwork, &info);
	lwork = (int)work_size;
	double *work = ml_alloc_array((size_t)lwork, sizeof *work, err);
	if (!work) {
		free(tau);
		return -1;
	}
	dgeqrf_(&rows, &cols, N, &rows, tau, work, &lwork, &info);
	if (info == 0)
		dorgqr_(&rows, &cols, &cols, N, &rows, tau, work, &lwork, &info);
	free(tau);
	free(work);
	if (info != 0) {
		ml_error_set(err, "QR of the null space failed (LAPACK %d)", info);
		return -1;
	}
	for (size_t k = 0; k < n_null; k++) {
		const double *q = N + k * m;
		double along = cblas_ddot((int)m, q, 1, w, 1);
		cblas_daxpy((int)m, -along, q, 1, w, 1);
	}
	return 0;
}

/*
 * The minimum-norm solution in the original units: the rank is decided on
 * the scaled matrix (so column units do not matter), then the part of the
 * solution along the null space, mapped back to original units, is
 * removed, which is what lstsq on X itself returns.
 */
static int solve_eigen(const scaled_system *s, double *w, size_t *rank, ml_error *err)
{
	size_t m = s->m, n_null = 0;
	double *E = ml_alloc_array(m * m, sizeof *E, err);
	double *lambda = ml_alloc_array(m, sizeof *lambda, err);
	double *N = ml_alloc_array(m * m, sizeof *N, err);
	int status = -1;
	if (!E || !lambda || !N || eigen(s, E, lambda, err) < 0)
		goto done;
	double threshold = ML_LINEAR_RCOND * (lambda[m - 1] > 0 ? lambda[m - 1] : 0);
	memset(w, 0, m * sizeof *w);
	for (size_t k = 0; k < m; k++) {
		const double *u = E + k * m;
		if (lambda[k] > threshold && lambda[k] > 0) {
			double along = cblas_ddot((int)m, u, 1, s->b, 1) / lambda[k];
			cblas_daxpy((int)m, along, u, 1, w, 1);
			continue;
		}
		for (size_t i = 0; i < m; i++)
			N[n_null * m + i] = u[i] / s->scale[i];
		n_null++;
	}
	for (size_t i = 0; i < m; i++)
		w[i] /= s->scale[i];
	*rank = m - n_null;
	status = n_null ? project_out(N, m, n_null, w, err) : 0;
done:
	free(E);
	free(lambda);
	free(N);
	return status;
}

static void summarise(const normal_system *sys, const ml_moments *moments, bool fit_intercept,
		      ml_linear_solution *solution)
{
	size_t d = sys->d;
	const double *w = solution->coef;
	/* SSE = y'y - 2 w'b + w'Sw, on the same moments the solution came from. */
	double quadratic = 0, linear = 0;
	for (size_t i = 0; i < d; i++) {
		linear += w[i] * sys->b[i];
		quadratic += w[i] * cblas_ddot((int)d, sys->S + i * d, 1, w, 1);
	}
	double sse = sys->yy - 2 * linear + quadratic;
	sse = sse > 0 ? sse : 0;
	double n = (double)ml_moments_count(moments);
	solution->mse = sse / n;
	solution->r2 = sys->yy_centred > 0 ? 1 - sse / sys->yy_centred : NAN;
	solution->intercept = 0;
	if (fit_intercept)
		solution->intercept = ml_moments_mean(moments)[d] - cblas_ddot((int)d, ml_moments_mean(moments), 1, w, 1);
}

int ml_linear_solve(const ml_moments *moments, double alpha, bool fit_intercept,
		    ml_linear_solution *solution, ml_error *err)
{
	size_t d = ml_moments_width(moments) - 1, cells;
	normal_system sys = { .d = d };
	scaled_system scaled = { 0 };
	double *v = NULL;
	int status = -1;
	if (ml_moments_width(moments) < 2 || d > ML_LINEAR_MAX_FEATURES ||
	    !ml_size_mul(d, d, &cells))
		return ml_error_nomem(err);
	/*
	 * LAPACK on one thread: OpenBLAS's threaded dpotrf blocks the matrix
	 * otherwise, and its threaded products may sum in another order.
	 */
	int blas_threads = ml_blas_threads_set(1);
	if (!(sys.S = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(sys.b = ml_alloc_array(d, sizeof(double), err)) ||
	    !(scaled.column = ml_alloc_array(d, sizeof(size_t), err)) ||
	    !(scaled.scale = ml_alloc_array(d, sizeof(double), err)) ||
	    !(scaled.A = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(scaled.b = ml_alloc_array(d, sizeof(double), err)) ||
	    !(v = ml_alloc_array(d, sizeof(double), err)))
		goto done;
	build_system(moments, fit_intercept, &sys);
	scale_system(&sys, moments, alpha, &scaled);
	memset(solution->coef, 0, d * sizeof *solution->coef);
	solution->used_eigen = false;
	solution->rcond = 0;
	solution->rank = scaled.m;
	int cholesky = scaled.m ? solve_cholesky(&scaled, v, &solution->rcond, err) : 0;
	if (cholesky < 0)
		goto done;
	if (cholesky == 0) {
		for (size_t i = 0; i < scaled.m; i++)
			v[i] /= scaled.scale[i];
	} else {
		solution->used_eigen = true;
		if (solve_eigen(&scaled, v, &solution->rank, err) < 0)
			goto done;
	}
	for (size_t i = 0; i < scaled.m; i++)
		solution->coef[scaled.column[i]] = v[i];
	summarise(&sys, moments, fit_intercept, solution);
	status = 0;
done:
	ml_blas_threads_set(blas_threads);
	free(sys.S);
	free(sys.b);
	free(scaled.column);
	free(scaled.scale);
	free(scaled.A);
	free(scaled.b);
	free(v);
	return status;
}

/* ---- the "linear" and "ridge" estimators ------------------------------ */

/* The hyperparameters, in table order: ridge adds alpha to linear's. */
enum { FIT_INTERCEPT, ALPHA };

#define FIT_INTERCEPT_PARAM                                                            \
	{ .name = "fit-intercept", .type = ML_PARAM_BOOL, .flag = "no-intercept",      \
	  .default_text = "true", .help = "fit no intercept (it is 0)" }

static const ml_param linear_params[] = { FIT_INTERCEPT_PARAM };

static const ml_param ridge_params[] = {
	FIT_INTERCEPT_PARAM,
	{ .name = "alpha", .type = ML_PARAM_REAL, .arg = "A", .default_text = "1",
	  .min = 0, .max = INFINITY, .help = "L2 penalty strength; the intercept is not penalised" },
};

/* What a fit learns. */
typedef struct linear_state {
	double *coef;
	double intercept;
	bool used_eigen;     /* the solver: "cholesky" or "eigen" */
	size_t rank;
	double r2, mse;
} linear_state;

static const char *const solver_names[] = { "cholesky", "eigen", NULL };

static double alpha_of(const ml_model *model)
{
	return model->kind == &ml_ridge_estimator ? model->hyper[ALPHA] : 0;
}

static void free_linear(void *opaque)
{
	linear_state *state = opaque;
	if (state)
		free(state->coef);
	free(state);
}

static linear_state *new_linear(size_t n_features, ml_error *err)
{
	linear_state *state = calloc(1, sizeof *state);
	if (!state || !(state->coef = ml_calloc_array(n_features, sizeof(double), err))) {
		free(state);
		ml_error_nomem(err);
		return NULL;
	}
	return state;
}

static int read_rows(void *context, double *rows, size_t max_rows, size_t *n_read,
		     ml_error *err)
{
	return ml_training_rows_next(context, rows, max_rows, n_read, err);
}

static void report_solution(const ml_fit_options *options, const ml_linear_solution *s,
			    size_t n_features, size_t n_rows)
{
	if (s->used_eigen)
		ml_fit_report(options, "X'X is singular or ill-conditioned (scaled rcond %.3g <"
			      " %g): minimum-norm solution by eigendecomposition, rank %zu of %zu",
			      s->rcond, ML_LINEAR_RCOND, s->rank, n_features);
	else
		ml_fit_report(options, "Cholesky solve, scaled rcond %.3g", s->rcond);
	if (s->rank < n_features && !s->used_eigen)
		ml_fit_report(options, "%zu constant feature%s: coefficient 0",
			      n_features - s->rank, n_features - s->rank == 1 ? "" : "s");
	ml_fit_report(options, "%zu rows: training R^2 %.6g, MSE %.6g", n_rows, s->r2, s->mse);
}

/* The features' cross-products take features^2 values: refused past the limit. */
static int check_width(const ml_model *model, ml_training_rows *rows, ml_error *err)
{
	size_t d = model->n_features;
	if (d <= ML_LINEAR_MAX_FEATURES)
		return 0;
	ml_error_set(err, "%s: %zu feature columns: %s needs their %zu x %zu cross-products"
		     " (%.0f GB) and takes at most %d feature columns; select fewer",
		     ml_training_rows_name(rows), d, model->kind->name, d + 1, d + 1,
		     (double)(d + 1) * (double)(d + 1) * sizeof(double) / 1e9,
		     ML_LINEAR_MAX_FEATURES);
	return -1;
}

static int fit_linear(ml_model *model, const ml_fit_options *options, ml_training_rows *rows,
		      ml_error *err)
{
	if (check_width(model, rows, err) < 0)
		return -1;
	linear_state *state = new_linear(model->n_features, err);
	ml_moments *moments = ml_moments_create(model->n_features + 1, err);
	int status = -1;
	if (!state || !moments || ml_moments_add_all(moments, read_rows, rows, err) < 0)
		goto done;
	if (ml_moments_count(moments) == 0) {
		status = 0; /* ml_model_fit reports the empty input */
		goto done;
	}
	ml_linear_solution solution = { .coef = state->coef };
	if (ml_linear_solve(moments, alpha_of(model), model->hyper[FIT_INTERCEPT] != 0, &solution,
			    err) < 0)
		goto done;
	state->intercept = solution.intercept;
	state->used_eigen = solution.used_eigen;
	state->rank = solution.rank;
	state->r2 = solution.r2;
	state->mse = solution.mse;
	report_solution(options, &solution, model->n_features, ml_moments_count(moments));
	model->state = state;
	state = NULL;
	status = 0;
done:
	free_linear(state);
	ml_moments_free(moments);
	return status;
}

static void write_linear(const ml_model *model, ml_buf *out)
{
	const linear_state *state = model->state;
	ml_text_write_size(out, "features", model->n_features);
	ml_model_write_coefs(model, out, NULL, state->coef);
	ml_text_write_double(out, "intercept", state->intercept);
	ml_text_write_word(out, "solver", solver_names[state->used_eigen]);
	ml_text_write_size(out, "rank", state->rank);
	ml_text_write_double(out, "training-r2", state->r2);
	ml_text_write_double(out, "training-mse", state->mse);
}

static int parse_linear(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	linear_state *state = new_linear(model->n_features, err);
	size_t solver;
	if (!state)
		return -1;
	model->state = state;
	if (ml_model_read_features(model, reader, err) < 0 ||
	    ml_model_read_coefs(model, reader, NULL, state->coef, err) < 0 ||
	    ml_text_read_double(reader, "intercept", ML_TEXT_FINITE, &state->intercept, err) < 0 ||
	    ml_text_read_choice(reader, "solver", solver_names, &solver, err) < 0 ||
	    ml_text_read_size(reader, "rank", model->n_features, &state->rank, err) < 0 ||
	    ml_text_read_double(reader, "training-r2", ML_TEXT_ANY, &state->r2, err) < 0 ||
	    ml_text_read_double(reader, "training-mse", ML_TEXT_ANY, &state->mse, err) < 0)
		return -1;
	state->used_eigen = solver == 1;
	return ml_text_read_end(reader, "a linear model", err);
}

static int predict_linear(const ml_model *model, const double *features, size_t n_rows,
			  double *predictions, double *probabilities, ml_error *err)
{
	const linear_state *state = model->state;
	(void)probabilities;
	(void)err;
	for (size_t r = 0; r < n_rows; r++)
		predictions[r] = state->intercept;
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n_rows, (int)model->n_features, 1.0,
		    features, (int)model->n_features, state->coef, 1, 1.0, predictions, 1);
	return 0;
}

static void describe_number(ml_buf *out, double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	ml_format_double(value, digits);
	ml_buf_puts(out, digits);
}

static void describe_linear(const ml_model *model, ml_buf *out)
{
	const linear_state *state = model->state;
	ml_buf_printf(out, "solver: %s, rank %zu of %zu\n", solver_names[state->used_eigen],
		      state->rank, model->n_features);
	ml_buf_printf(out, "training: R^2 %.6g, MSE %.6g\n", state->r2, state->mse);
	ml_buf_printf(out, "coefficients:\n  %-28s ", "(intercept)");
	describe_number(out, state->intercept);
	ml_buf_putc(out, '\n');
	for (size_t f = 0; f < model->n_features; f++) {
		ml_buf_printf(out, "  %-28s ", ml_model_feature_name(model, f));
		describe_number(out, state->coef[f]);
		ml_buf_putc(out, '\n');
	}
}

const ml_estimator ml_linear_estimator = {
	.name = "linear",
	.summary = "least squares (normal equations, Cholesky; minimum norm when rank-deficient)",
	.flags = ML_ESTIMATOR_REGRESSION,
	.params = linear_params,
	.n_params = sizeof linear_params / sizeof linear_params[0],
	.fit = fit_linear,
	.write = write_linear,
	.parse = parse_linear,
	.predict = predict_linear,
	.describe = describe_linear,
	.free_state = free_linear,
};

const ml_estimator ml_ridge_estimator = {
	.name = "ridge",
	.summary = "least squares + alpha ||w||^2 (the intercept not penalised)",
	.flags = ML_ESTIMATOR_REGRESSION,
	.params = ridge_params,
	.n_params = sizeof ridge_params / sizeof ridge_params[0],
	.fit = fit_linear,
	.write = write_linear,
	.parse = parse_linear,
	.predict = predict_linear,
	.describe = describe_linear,
	.free_state = free_linear,
};
