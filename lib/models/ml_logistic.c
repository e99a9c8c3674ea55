#include "models/ml_logistic.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"
#include "core/ml_util.h"
#include "math/ml_lbfgs.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_model_impl.h"

/*
 * Rows per block at most: forward and backward GEMM on a block while it is
 * in cache; wide rows make shorter blocks (ml_block_rows).
 */
#define MAX_BLOCK_ROWS 2048
/*
 * Pieces, runs of whole blocks, sum their losses and gradients on their
 * own, in parallel, and the sums add up in piece order: the objective does
 * not depend on the thread count.  At most this many pieces...
 */
#define MAX_PIECES 256
/* ...whose gradients together take at most this much memory. */
#define MAX_PIECE_BYTES ((size_t)256 << 20)
/* Classes a target may have. */
#define MAX_CLASSES 1000
/* ---- the logistic objective ------------------------------------------ */

typedef struct logistic_problem {
	const double *X;       /* n x stride; the features are the first d values */
	size_t n, d, stride;
	size_t n_vectors;      /* 1: binary (log-odds of class 1); K: multinomial */
	const size_t *label;   /* class index per row */
	const double *weight;  /* per row, or NULL */
	double inverse_C;
	bool fit_intercept;
	size_t block_rows;     /* from the width only */
	size_t piece_rows;     /* a multiple of block_rows, from n and the parameters only */
	size_t n_pieces;
	size_t n_threads;      /* at most n_pieces */
	double *piece_loss;    /* n_pieces */
	double *piece_gradient; /* n_pieces x parameters */
	double *scores;        /* per thread, block_rows x n_vectors */
} logistic_problem;

static size_t n_parameters(const logistic_problem *p)
{
	return p->n_vectors * (p->d + (p->fit_intercept ? 1 : 0));
}

static size_t divide_up(size_t value, size_t divisor)
{
	return value / divisor + (value % divisor != 0);
}

/* Cuts the rows into pieces and allocates their sums and the threads' scores. */
static int plan_pieces(logistic_problem *p, ml_error *err)
{
	p->block_rows = ml_block_rows(p->stride, MAX_BLOCK_ROWS);
	size_t n_blocks = divide_up(p->n, p->block_rows), per_piece, max_pieces = 1;
	size_t blocks_per_piece = divide_up(n_blocks, MAX_PIECES);
	if (ml_size_add(n_parameters(p), 1, &per_piece) &&
	    ml_size_mul(per_piece, sizeof(double), &per_piece) && per_piece < MAX_PIECE_BYTES)
		max_pieces = MAX_PIECE_BYTES / per_piece;
	if (divide_up(n_blocks, blocks_per_piece) > max_pieces)
		blocks_per_piece = divide_up(n_blocks, max_pieces);
	p->piece_rows = blocks_per_piece * p->block_rows;
	p->n_pieces = divide_up(p->n, p->piece_rows);
	p->n_threads = ml_parallel_threads();
	p->n_threads = p->n_threads < p->n_pieces ? p->n_threads : p->n_pieces;
	size_t score_cells, gradient_cells;
	if (!ml_size_mul(p->n_threads, p->block_rows, &score_cells) ||
	    !ml_size_mul(score_cells, p->n_vectors, &score_cells) ||
	    !ml_size_mul(p->n_pieces, n_parameters(p), &gradient_cells))
		return ml_error_nomem(err);
	if (!(p->scores = ml_alloc_array(score_cells, sizeof(double), err)) ||
	    !(p->piece_loss = ml_alloc_array(p->n_pieces, sizeof(double), err)) ||
	    !(p->piece_gradient = ml_alloc_array(gradient_cells, sizeof(double), err)))
		return -1;
	return 0;
}

/* Rows [first, end) of a piece. */
static void piece_rows(const logistic_problem *p, size_t piece, size_t *first, size_t *end)
{
	*first = piece * p->piece_rows;
	*end = p->n - *first < p->piece_rows ? p->n : *first + p->piece_rows;
}

/* The scores of the calling thread's blocks. */
static double *thread_scores(const logistic_problem *p)
{
	return p->scores + ml_parallel_thread_index() * p->block_rows * p->n_vectors;
}

/* scores = X[start..start+rows) W' + b */
static void score_block(const logistic_problem *p, const double *x, size_t start, size_t rows,
			double *scores)
{
	size_t V = p->n_vectors, d = p->d;
	const double *W = x, *X = p->X + start * p->stride;
	for (size_t r = 0; r < rows; r++)
		for (size_t k = 0; k < V; k++)
			scores[r * V + k] = p->fit_intercept ? x[V * d + k] : 0;
	if (V == 1)
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)rows, (int)d, 1.0, X, (int)p->stride, W,
			    1, 1.0, scores, 1);
	else
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)V, (int)d, 1.0, X,
			    (int)p->stride, W, (int)d, 1.0, scores, (int)V);
}

/* log(1 + e^z) without overflow. */
static double softplus(double z)
{
	return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

static double sigmoid(double z)
{
	if (z >= 0)
		return 1 / (1 + exp(-z));
	double e = exp(z);
	return e / (1 + e);
}

/* Turns a row's scores into weighted residuals (p - y); returns its loss. */
static double row_residual(const logistic_problem *p, size_t row, double *scores)
{
	size_t V = p->n_vectors, y = p->label[row];
	double weight = p->weight ? p->weight[row] : 1.0, loss;
	if (V == 1) {
		double z = scores[0], target = y == 1 ? 1.0 : 0.0;
		loss = softplus(z) - target * z;
		scores[0] = weight * (sigmoid(z) - target);
		return weight * loss;
	}
	double largest = scores[0], sum = 0;
	for (size_t k = 1; k < V; k++)
		largest = scores[k] > largest ? scores[k] : largest;
	for (size_t k = 0; k < V; k++)
		sum += exp(scores[k] - largest);
	loss = largest + log(sum) - scores[y];
	for (size_t k = 0; k < V; k++)
		scores[k] = weight * (exp(scores[k] - largest) / sum - (k == y ? 1.0 : 0.0));
	return weight * loss;
}

/* A piece's loss, and its rows' part of the gradient (no penalty) into gradient. */
static double piece_objective(const logistic_problem *p, const double *x, size_t piece,
			      double *gradient)
{
	size_t V = p->n_vectors, d = p->d, first, end;
	double *gW = gradient, *gb = p->fit_intercept ? gradient + V * d : NULL, loss = 0;
	double *scores = thread_scores(p);
	memset(gradient, 0, n_parameters(p) * sizeof *gradient);
	piece_rows(p, piece, &first, &end);
	for (size_t start = first; start < end; start += p->block_rows) {
		size_t rows = end - start < p->block_rows ? end - start : p->block_rows;
		const double *X = p->X + start * p->stride;
		double block_loss = 0;
		score_block(p, x, start, rows, scores);
		for (size_t r = 0; r < rows; r++)
			block_loss += row_residual(p, start + r, scores + r * V);
		loss += block_loss;
		/* The gradient while the block is still in cache: G += R' X. */
		if (V == 1)
			cblas_dgemv(CblasRowMajor, CblasTrans, (int)rows, (int)d, 1.0, X,
				    (int)p->stride, scores, 1, 1.0, gW, 1);
		else
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)V, (int)d,
				    (int)rows, 1.0, scores, (int)V, X, (int)p->stride, 1.0, gW,
				    (int)d);
		for (size_t r = 0; gb && r < rows; r++)
			for (size_t k = 0; k < V; k++)
				gb[k] += scores[r * V + k];
	}
	return loss;
}

static double objective(void *context, const double *x, double *gradient)
{
	const logistic_problem *p = context;
	size_t n_coef = p->n_vectors * p->d, n_params = n_parameters(p);
	/* One BLAS thread even for one piece: threaded BLAS may sum in another order. */
	int blas_threads = ml_blas_threads_set(1);
#pragma omp parallel for num_threads(p->n_threads) schedule(dynamic, 1) if (p->n_threads > 1)
	for (size_t piece = 0; piece < p->n_pieces; piece++)
		p->piece_loss[piece] = piece_objective(p, x, piece,
						       p->piece_gradient + piece * n_params);
	double penalty = 0.5 * p->inverse_C * cblas_ddot((int)n_coef, x, 1, x, 1), loss = 0;
	ml_blas_threads_set(blas_threads);
	for (size_t i = 0; i < n_params; i++)
		gradient[i] = i < n_coef ? p->inverse_C * x[i] : 0;
	for (size_t piece = 0; piece < p->n_pieces; piece++) {
		const double *part = p->piece_gradient + piece * n_params;
		loss += p->piece_loss[piece];
		for (size_t i = 0; i < n_params; i++)
			gradient[i] += part[i];
	}
	return loss + penalty;
}

/* The class a row of scores predicts: sklearn's rule (ties to the first). */
static size_t predicted_class(const double *scores, size_t n_vectors)
{
	if (n_vectors == 1)
		return scores[0] > 0 ? 1 : 0;
	size_t best = 0;
	for (size_t k = 1; k < n_vectors; k++)
		if (scores[k] > scores[best])
			best = k;
	return best;
}

static size_t piece_correct(const logistic_problem *p, const double *x, size_t piece)
{
	size_t correct = 0, first, end;
	double *scores = thread_scores(p);
	piece_rows(p, piece, &first, &end);
	for (size_t start = first; start < end; start += p->block_rows) {
		size_t rows = end - start < p->block_rows ? end - start : p->block_rows;
		score_block(p, x, start, rows, scores);
		for (size_t r = 0; r < rows; r++)
			correct += predicted_class(scores + r * p->n_vectors, p->n_vectors) ==
				   p->label[start + r];
	}
	return correct;
}

static double training_accuracy(const logistic_problem *p, const double *x)
{
	size_t correct = 0;
	int blas_threads = ml_blas_threads_set(1);
#pragma omp parallel for num_threads(p->n_threads) schedule(dynamic, 1) if (p->n_threads > 1) \
	reduction(+ : correct)
	for (size_t piece = 0; piece < p->n_pieces; piece++)
		correct += piece_correct(p, x, piece);
	ml_blas_threads_set(blas_threads);
	return (double)correct / (double)p->n;
}

/* ---- the "logistic" estimator ---------------------------------------- */

enum { FIT_INTERCEPT, C, TOL, FTOL, MAX_ITER, CLASS_WEIGHT };

static const ml_param_word class_weights[] = { { "none", 0 }, { "balanced", 1 }, { NULL } };

static const ml_param logistic_hyperparameters[] = {
	{ .name = "fit-intercept", .type = ML_PARAM_BOOL, .flag = "no-intercept",
	  .default_text = "true", .help = "fit no intercept (it is 0)" },
	{ .name = "C", .type = ML_PARAM_REAL, .arg = "C", .default_text = "1", .min = 0,
	  .min_exclusive = true, .max = INFINITY, .help = "inverse L2 penalty strength" },
	{ .name = "tol", .type = ML_PARAM_REAL, .arg = "T", .default_text = "1e-4", .min = 0,
	  .max = INFINITY, .help = "stop when max |gradient| <= T" },
	{ .name = "ftol", .type = ML_PARAM_REAL, .arg = "F", .default_text = "2.220446049250313e-09",
	  .min = 0, .max = INFINITY, .help = "or when an iteration lowers the loss by <= F, relatively" },
	{ .name = "max-iter", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "100", .min = 1,
	  .max = 1e8, .help = "at most N L-BFGS iterations" },
	{ .name = "class-weight", .type = ML_PARAM_CHOICE, .arg = "W", .default_text = "none",
	  .words = class_weights,
	  .help = "'balanced' weighs each class by n / (classes x its rows), as scikit-learn" },
};

/* What a fit learns. */
typedef struct logistic_params {
	size_t n_vectors;
	double *coef;       /* n_vectors x n_features */
	double *intercept;  /* n_vectors */
	size_t iterations;
	double objective, accuracy;
	bool converged;
} logistic_params;

static void free_logistic(void *opaque)
{
	logistic_params *params = opaque;
	if (params) {
		free(params->coef);
		free(params->intercept);
	}
	free(params);
}

static logistic_params *new_logistic(size_t n_vectors, size_t n_features, ml_error *err)
{
	size_t cells;
	logistic_params *params = calloc(1, sizeof *params);
	if (!params || !ml_size_mul(n_vectors, n_features, &cells) ||
	    !(params->coef = ml_calloc_array(cells ? cells : 1, sizeof(double), err)) ||
	    !(params->intercept = ml_calloc_array(n_vectors, sizeof(double), err))) {
		free_logistic(params);
		ml_error_nomem(err);
		return NULL;
	}
	params->n_vectors = n_vectors;
	return params;
}

/* Two classes share one vector, the second class's; more have one each. */
static size_t vectors_for(size_t n_classes)
{
	return n_classes == 2 ? 1 : n_classes;
}

static const char *vector_class(const ml_model *model, size_t vector)
{
	return model->class_names[model->n_classes == 2 ? 1 : vector];
}

/* sklearn's "balanced": n / (K * rows of the class). */
static double *balanced_weights(const size_t *label, size_t n, size_t n_classes, ml_error *err)
{
	size_t *count = ml_calloc_array(n_classes, sizeof *count, err);
	double *weight = ml_alloc_array(n, sizeof *weight, err);
	if (count && weight) {
		for (size_t r = 0; r < n; r++)
			count[label[r]]++;
		for (size_t r = 0; r < n; r++)
			weight[r] = (double)n / ((double)n_classes * (double)count[label[r]]);
	} else {
		free(weight);
		weight = NULL;
	}
	free(count);
	return weight;
}

typedef struct iteration_report {
	const ml_fit_options *options;
} iteration_report;

static void on_iteration(void *context, size_t iteration, double f, double gradient_max)
{
	const iteration_report *report = context;
	/* Every iteration at first, then every tenth: enough to watch, not a flood. */
	if (iteration <= 10 || iteration % 10 == 0)
		ml_fit_report(report->options, "iteration %zu: objective %.10g, max |gradient| %.3g",
			      iteration, f, gradient_max);
}

static int prepare_problem(ml_model *model, ml_training_rows *rows, logistic_problem *p,
			   double **all, size_t **label, double **weight, ml_error *err)
{
	size_t n_names;
	char *const *names = ml_training_rows_class_names(rows, &n_names);
	size_t d = model->n_features;
	if (ml_training_rows_all(rows, all, &p->n, err) < 0)
		return -1;
	if (p->n == 0)
		return 0;
	if (!(*label = ml_alloc_array(p->n, sizeof **label, err)) ||
	    ml_model_set_classes(model, *all + d, d + 1, p->n, names, n_names, MAX_CLASSES,
				 *label, err) < 0)
		return -1;
	if (model->n_classes < 2) {
		ml_error_set(err, "the target '%s' has one class only ('%s'): nothing to tell apart",
			     model->columns.names[model->columns.target], model->class_names[0]);
		return -1;
	}
	if (model->hyper[CLASS_WEIGHT] != 0 &&
	    !(*weight = balanced_weights(*label, p->n, model->n_classes, err)))
		return -1;
	p->X = *all;
	p->d = d;
	p->stride = d + 1;
	p->n_vectors = vectors_for(model->n_classes);
	p->label = *label;
	p->weight = *weight;
	p->inverse_C = 1 / model->hyper[C];
	p->fit_intercept = model->hyper[FIT_INTERCEPT] != 0;
	return 0;
}

static void keep_solution(logistic_params *params, const logistic_problem *p, const double *x)
{
	memcpy(params->coef, x, p->n_vectors * p->d * sizeof *x);
	for (size_t k = 0; k < p->n_vectors; k++)
		params->intercept[k] = p->fit_intercept ? x[p->n_vectors * p->d + k] : 0;
}

static void report_fit(const ml_model *model, const ml_fit_options *options,
		       const ml_lbfgs_result *result, const logistic_params *params, size_t n_rows)
{
	ml_fit_report(options, "L-BFGS: %zu iterations, %zu evaluations; stopped because %s",
		      result->iterations, result->evaluations, result->stop);
	ml_fit_report(options, "%zu rows: objective %.10g, max |gradient| %.3g, training accuracy"
		      " %.6g", n_rows, result->f, result->gradient_max, params->accuracy);
	if (!result->converged)
		ml_fit_warn(options, "logistic regression did not converge in %zu"
				      " iterations (%s; max |gradient| %.3g > --tol %g): raise"
				      " --max-iter or scale the features (ml-scale)",
				      result->iterations, result->stop, result->gradient_max,
				      model->hyper[TOL]);
}

static int fit_logistic(ml_model *model, const ml_fit_options *options, ml_training_rows *rows,
			ml_error *err)
{
	logistic_problem p = { 0 };
	double *all = NULL, *weight = NULL, *x = NULL;
	size_t *label = NULL;
	logistic_params *params = NULL;
	int status = -1;
	if (prepare_problem(model, rows, &p, &all, &label, &weight, err) < 0)
		goto done;
	if (p.n == 0) {
		status = 0; /* ml_model_fit reports the empty input */
		goto done;
	}
	ml_lbfgs_options lbfgs;
	ml_lbfgs_options_init(&lbfgs);
	lbfgs.tol = model->hyper[TOL];
	lbfgs.ftol = model->hyper[FTOL];
	lbfgs.max_iter = (size_t)model->hyper[MAX_ITER];
	iteration_report report = { options };
	lbfgs.on_iteration = on_iteration;
	lbfgs.iteration_context = &report;
	ml_lbfgs_result result;
	if (!(params = new_logistic(p.n_vectors, p.d, err)) || plan_pieces(&p, err) < 0 ||
	    !(x = ml_calloc_array(n_parameters(&p), sizeof *x, err)) ||
	    ml_lbfgs_minimize(objective, &p, x, n_parameters(&p), &lbfgs, &result, err) < 0)
		goto done;
	keep_solution(params, &p, x);
	params->iterations = result.iterations;
	params->objective = result.f;
	params->accuracy = training_accuracy(&p, x);
	params->converged = result.converged;
	report_fit(model, options, &result, params, p.n);
	model->state = params;
	params = NULL;
	status = 0;
done:
	free_logistic(params);
	free(all);
	free(weight);
	free(label);
	free(x);
	free(p.scores);
	free(p.piece_loss);
	free(p.piece_gradient);
	return status;
}

static void write_logistic(const ml_model *model, ml_buf *out)
{
	const logistic_params *params = model->state;
	ml_text_write_size(out, "features", model->n_features);
	for (size_t k = 0; k < params->n_vectors; k++)
		ml_model_write_coefs(model, out, vector_class(model, k),
				     params->coef + k * model->n_features);
	for (size_t k = 0; k < params->n_vectors; k++) {
		ml_text_key(out, "intercept");
		ml_text_string(out, vector_class(model, k));
		ml_text_double(out, params->intercept[k]);
		ml_text_newline(out);
	}
	ml_text_write_size(out, "training-iterations", params->iterations);
	ml_text_write_double(out, "training-objective", params->objective);
	ml_text_write_double(out, "training-accuracy", params->accuracy);
	ml_text_write_bool(out, "converged", params->converged);
}

static int parse_intercepts(ml_model *model, ml_text_reader *reader, logistic_params *params,
			    ml_error *err)
{
	for (size_t k = 0; k < params->n_vectors; k++) {
		ml_text_line line;
		const char *name = vector_class(model, k);
		if (ml_text_read_key(reader, "intercept", 2, &line, err) < 0 ||
		    ml_text_get_double(reader, &line, 2, &params->intercept[k], err) < 0)
			return -1;
		if (strcmp(line.tokens[1], name) != 0)
			return ml_text_fail(reader, &line, err, "expected the intercept of class '%s',"
					    " found class '%s'", name, line.tokens[1]);
		if (!isfinite(params->intercept[k]))
			return ml_text_fail(reader, &line, err, "intercept of class '%s' is '%s', not"
					    " a finite number", name, line.tokens[2]);
	}
	return 0;
}

static int parse_logistic(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	size_t n_vectors = vectors_for(model->n_classes);
	logistic_params *params = new_logistic(n_vectors, model->n_features, err);
	if (!params)
		return -1;
	model->state = params;
	if (ml_model_read_features(model, reader, err) < 0)
		return -1;
	for (size_t k = 0; k < n_vectors; k++)
		if (ml_model_read_coefs(model, reader, vector_class(model, k),
					params->coef + k * model->n_features, err) < 0)
			return -1;
	if (parse_intercepts(model, reader, params, err) < 0 ||
	    ml_text_read_size(reader, "training-iterations", SIZE_MAX, &params->iterations,
			      err) < 0 ||
	    ml_text_read_double(reader, "training-objective", ML_TEXT_ANY, &params->objective,
				err) < 0 ||
	    ml_text_read_double(reader, "training-accuracy", ML_TEXT_ANY, &params->accuracy,
				err) < 0 ||
	    ml_text_read_bool(reader, "converged", &params->converged, err) < 0)
		return -1;
	return ml_text_read_end(reader, "a logistic model", err);
}

/*
 * a . b in one fixed order: four running sums (terms i mod 4), the tail
 * into the first, then (s0 + s1) + (s2 + s3).  Not cblas_ddot: for the few
 * features of a row that is mostly call overhead (a third of a 4-feature
 * row's prediction), and its bits depended on the BLAS kernels picked at
 * run time.  ml-predict and ml-serve both score through here, so they
 * agree bit for bit.
 */
static double dot(const double *a, const double *b, size_t n)
{
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
		s2 += a[i + 2] * b[i + 2];
		s3 += a[i + 3] * b[i + 3];
	}
	for (; i < n; i++)
		s0 += a[i] * b[i];
	return (s0 + s1) + (s2 + s3);
}

/* Scores of one row (n_vectors values). */
static void score_row(const logistic_params *params, const double *row, size_t d,
		      double *scores)
{
	for (size_t k = 0; k < params->n_vectors; k++)
		scores[k] = params->intercept[k] + dot(params->coef + k * d, row, d);
}

/* Probabilities of every class from one row's scores, stably. */
static void probabilities_of(const double *scores, size_t n_vectors, double *probabilities)
{
	if (n_vectors == 1) {
		probabilities[1] = sigmoid(scores[0]);
		probabilities[0] = sigmoid(-scores[0]);
		return;
	}
	double largest = scores[0], sum = 0;
	for (size_t k = 1; k < n_vectors; k++)
		largest = scores[k] > largest ? scores[k] : largest;
	for (size_t k = 0; k < n_vectors; k++)
		sum += probabilities[k] = exp(scores[k] - largest);
	for (size_t k = 0; k < n_vectors; k++)
		probabilities[k] /= sum;
}

static int predict_logistic(const ml_model *model, const double *features, size_t n_rows,
			    double *predictions, double *probabilities, ml_error *err)
{
	const logistic_params *params = model->state;
	size_t d = model->n_features, V = params->n_vectors;
	double scores[MAX_CLASSES];
	for (size_t r = 0; r < n_rows; r++) {
		score_row(params, features + r * d, d, scores);
		predictions[r] = (double)predicted_class(scores, V);
		if (probabilities)
			probabilities_of(scores, V, probabilities + r * model->n_classes);
	}
	(void)err;
	return 0;
}

static void describe_logistic(const ml_model *model, ml_buf *out)
{
	const logistic_params *params = model->state;
	char digits[ML_DOUBLE_BUFSIZE];
	ml_buf_printf(out, "form: %s\n", params->n_vectors == 1
		      ? "binary: one vector, the log-odds of the second class"
		      : "multinomial (softmax): one vector per class");
	ml_buf_printf(out, "training: %zu iterations (%s), objective %.10g, accuracy %.6g\n",
		      params->iterations, params->converged ? "converged" : "NOT converged",
		      params->objective, params->accuracy);
	ml_buf_printf(out, "coefficients:\n  %-28s", "feature");
	for (size_t k = 0; k < params->n_vectors; k++)
		ml_buf_printf(out, " %24s", vector_class(model, k));
	ml_buf_printf(out, "\n  %-28s", "(intercept)");
	for (size_t k = 0; k < params->n_vectors; k++) {
		ml_format_double(params->intercept[k], digits);
		ml_buf_printf(out, " %24s", digits);
	}
	for (size_t f = 0; f < model->n_features; f++) {
		ml_buf_printf(out, "\n  %-28s", ml_model_feature_name(model, f));
		for (size_t k = 0; k < params->n_vectors; k++) {
			ml_format_double(params->coef[k * model->n_features + f], digits);
			ml_buf_printf(out, " %24s", digits);
		}
	}
	ml_buf_putc(out, '\n');
}

const ml_estimator ml_logistic_estimator = {
	.name = "logistic",
	.summary = "binary or multinomial log-loss + ||W||^2 / (2C), L-BFGS",
	.flags = ML_ESTIMATOR_CLASSIFICATION,
	.params = logistic_hyperparameters,
	.n_params = sizeof logistic_hyperparameters / sizeof logistic_hyperparameters[0],
	.fit = fit_logistic,
	.write = write_logistic,
	.parse = parse_logistic,
	.predict = predict_logistic,
	.describe = describe_logistic,
	.free_state = free_logistic,
};
