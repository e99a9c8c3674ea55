/*
 * ml_linear: streamed moments keep their precision on data far from the
 * origin, and the solver gives least squares, ridge and minimum-norm
 * answers, checked against closed forms.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_linear.h"
#include "models/ml_model.h"

/* A deterministic pseudo-random stream in [-1, 1). */
static double noise(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return (double)(*state >> 11) / 4503599627370496.0 - 1.0;
}

START_TEST(moments_survive_large_offsets)
{
	enum { ROWS = 10000, WIDTH = 3 };
	double *rows = malloc(sizeof(double) * ROWS * WIDTH), *copy = malloc(sizeof *copy * ROWS * WIDTH);
	unsigned long state = 1;
	for (size_t r = 0; r < ROWS * WIDTH; r++)
		rows[r] = 1e9 + noise(&state);
	memcpy(copy, rows, sizeof *copy * ROWS * WIDTH);
	ml_moments *moments = ml_moments_create(WIDTH, NULL);
	for (size_t start = 0; start < ROWS; start += 777) {
		size_t n = ROWS - start < 777 ? ROWS - start : 777;
		ml_moments_add(moments, copy + start * WIDTH, n);
	}
	/* Reference: two-pass in long double. */
	for (size_t i = 0; i < WIDTH; i++) {
		long double mean_i = 0;
		for (size_t r = 0; r < ROWS; r++)
			mean_i += rows[r * WIDTH + i];
		mean_i /= ROWS;
		ck_assert(fabsl(ml_moments_mean(moments)[i] - mean_i) < 1e-6);
		for (size_t j = i; j < WIDTH; j++) {
			long double mean_j = 0, sum = 0;
			for (size_t r = 0; r < ROWS; r++)
				mean_j += rows[r * WIDTH + j];
			mean_j /= ROWS;
			for (size_t r = 0; r < ROWS; r++)
				sum += (rows[r * WIDTH + i] - mean_i) * (rows[r * WIDTH + j] - mean_j);
			double got = ml_moments_scatter(moments)[i * WIDTH + j];
			ck_assert_msg(fabsl(got - sum) <= 1e-9L * fabsl(sum) + 1e-6L, "%.17g vs %.17Lg", got,
				      sum);
		}
	}
	ck_assert_uint_eq(ml_moments_count(moments), ROWS);
	ml_moments_free(moments);
	free(rows);
	free(copy);
}
END_TEST

/* Hands out the rows of a reading_state in runs of 1, 2, 3... rows. */
typedef struct reading_state {
	const double *rows;
	size_t n_rows, width, next, run;
} reading_state;

static int read_runs(void *context, double *rows, size_t max_rows, size_t *n_read,
		     ml_error *err)
{
	reading_state *state = context;
	size_t n = state->n_rows - state->next;
	(void)err;
	state->run++;
	n = n < state->run ? n : state->run;
	n = n < max_rows ? n : max_rows;
	memcpy(rows, state->rows + state->next * state->width, n * state->width * sizeof *rows);
	state->next += n;
	*n_read = n;
	return 0;
}

/* The moments of rows added whole by add_all on n_threads threads. */
static ml_moments *moments_read(const double *rows, size_t n_rows, size_t width,
				size_t n_threads)
{
	ml_error err;
	reading_state state = { rows, n_rows, width, 0, 0 };
	ml_parallel_set_threads(n_threads);
	ml_moments *moments = ml_moments_create(width, &err);
	ck_assert_ptr_nonnull(moments);
	ck_assert_int_eq(ml_moments_add_all(moments, read_runs, &state, &err), 0);
	ml_parallel_set_threads(0);
	return moments;
}

static void assert_same_bytes(const ml_moments *a, const ml_moments *b)
{
	size_t width = ml_moments_width(a);
	ck_assert_uint_eq(ml_moments_count(a), ml_moments_count(b));
	ck_assert(memcmp(ml_moments_mean(a), ml_moments_mean(b), width * sizeof(double)) == 0);
	ck_assert(memcmp(ml_moments_scatter(a), ml_moments_scatter(b),
			 width * width * sizeof(double)) == 0);
}

/*
 * Wide rows make short blocks (at most ML_BLOCK_BYTES), and the moments
 * are the same bytes on 1 or 3 threads, whole or in calls of whole
 * blocks, or read in uneven runs.
 */
START_TEST(moments_are_the_same_bytes_however_computed)
{
	enum { ROWS = 7500, WIDTH = 300 };
	double *rows = malloc(sizeof(double) * ROWS * WIDTH);
	double *copy = malloc(sizeof(double) * ROWS * WIDTH);
	unsigned long state = 3;
	for (size_t r = 0; r < (size_t)ROWS * WIDTH; r++)
		rows[r] = 100 + noise(&state);
	ml_moments *one = moments_read(rows, ROWS, WIDTH, 1);
	ml_moments *three = moments_read(rows, ROWS, WIDTH, 3);
	size_t block_rows = ml_moments_block_rows(one);
	ck_assert_uint_eq(block_rows, ML_BLOCK_BYTES / sizeof(double) / WIDTH);
	ck_assert_uint_lt(block_rows, ROWS / 2); /* three blocks, one short */
	assert_same_bytes(one, three);
	memcpy(copy, rows, sizeof(double) * ROWS * WIDTH);
	ml_moments *calls = ml_moments_create(WIDTH, NULL);
	ml_moments_add(calls, copy, block_rows);
	ml_moments_add(calls, copy + block_rows * WIDTH, ROWS - block_rows);
	assert_same_bytes(one, calls);
	ml_moments_free(one);
	ml_moments_free(three);
	ml_moments_free(calls);
	free(rows);
	free(copy);
}
END_TEST

/* Fits rows (x1 x2 y) and returns the solution. */
static void solve_rows(double *rows, size_t n_rows, size_t width, double alpha, bool intercept,
		       double *coef, ml_linear_solution *solution)
{
	ml_error err;
	ml_moments *moments = ml_moments_create(width, &err);
	ml_moments_add(moments, rows, n_rows);
	*solution = (ml_linear_solution){ .coef = coef };
	ck_assert_int_eq(ml_linear_solve(moments, alpha, intercept, solution, &err), 0);
	ml_moments_free(moments);
}

START_TEST(exact_plane_is_recovered)
{
	enum { ROWS = 50 };
	double rows[ROWS * 3], coef[2];
	unsigned long state = 7;
	for (size_t r = 0; r < ROWS; r++) {
		double x1 = 1000 + noise(&state), x2 = noise(&state) * 1e-3;
		rows[r * 3] = x1;
		rows[r * 3 + 1] = x2;
		rows[r * 3 + 2] = 3 + 2 * x1 - 5000 * x2;
	}
	ml_linear_solution s;
	solve_rows(rows, ROWS, 3, 0, true, coef, &s);
	ck_assert(!s.used_eigen);
	ck_assert(fabs(coef[0] - 2) < 1e-9 && fabs(coef[1] + 5000) < 1e-6);
	ck_assert(fabs(s.intercept - 3) < 1e-6);
	ck_assert(fabs(s.r2 - 1) < 1e-9);
}
END_TEST

START_TEST(duplicated_column_gets_the_minimum_norm_split)
{
	enum { ROWS = 40 };
	double rows[ROWS * 4], coef[3];
	unsigned long state = 3;
	for (size_t r = 0; r < ROWS; r++) {
		double x = noise(&state) * 100, z = noise(&state);
		rows[r * 4] = x;
		rows[r * 4 + 1] = z;
		rows[r * 4 + 2] = x;
		rows[r * 4 + 3] = 1 + 4 * x + z;
	}
	ml_linear_solution s;
	solve_rows(rows, ROWS, 4, 0, true, coef, &s);
	ck_assert(s.used_eigen);
	ck_assert_uint_eq(s.rank, 2);
	ck_assert_msg(fabs(coef[0] - 2) < 1e-9 && fabs(coef[2] - 2) < 1e-9, "%g %g", coef[0],
		      coef[2]);
	ck_assert(fabs(coef[1] - 1) < 1e-9 && fabs(s.intercept - 1) < 1e-9);
}
END_TEST

START_TEST(constant_column_gets_zero)
{
	enum { ROWS = 30 };
	double rows[ROWS * 3], coef[2];
	unsigned long state = 5;
	for (size_t r = 0; r < ROWS; r++) {
		double x = noise(&state);
		rows[r * 3] = 0.1;
		rows[r * 3 + 1] = x;
		rows[r * 3 + 2] = 2 - x;
	}
	ml_linear_solution s;
	solve_rows(rows, ROWS, 3, 0, true, coef, &s);
	ck_assert(coef[0] == 0);
	ck_assert(fabs(coef[1] + 1) < 1e-12 && fabs(s.intercept - 2) < 1e-12);
	ck_assert_uint_eq(s.rank, 1);
}
END_TEST

START_TEST(ridge_shrinks_by_the_closed_form)
{
	/* One feature: w = Sxy / (Sxx + alpha), b = ybar - w xbar. */
	double rows[] = { 1, 2, 2, 3, 4, 9, 5, 8 }, coef[1];
	double xbar = 3, ybar = 5.5, sxx = 0, sxy = 0;
	for (size_t r = 0; r < 4; r++) {
		sxx += (rows[2 * r] - xbar) * (rows[2 * r] - xbar);
		sxy += (rows[2 * r] - xbar) * (rows[2 * r + 1] - ybar);
	}
	double copy[8];
	memcpy(copy, rows, sizeof rows);
	ml_linear_solution s;
	solve_rows(copy, 4, 2, 2.5, true, coef, &s);
	ck_assert(fabs(coef[0] - sxy / (sxx + 2.5)) < 1e-14);
	ck_assert(fabs(s.intercept - (ybar - coef[0] * xbar)) < 1e-13);
}
END_TEST

START_TEST(no_intercept_goes_through_the_origin)
{
	double rows[] = { 1, 2.5, 2, 5, 3, 7.5, 10, 25 }, coef[1];
	ml_linear_solution s;
	solve_rows(rows, 4, 2, 0, false, coef, &s);
	ck_assert(fabs(coef[0] - 2.5) < 1e-14);
	ck_assert(s.intercept == 0);
}
END_TEST

static int read_nothing(void *source, double *rows, size_t max_rows, size_t *n_read,
			ml_error *err)
{
	(void)source, (void)rows, (void)max_rows, (void)err;
	*n_read = 0;
	return 0;
}

START_TEST(fit_refuses_what_it_cannot_fit)
{
	char *names[] = { "a", "y" };
	ml_columns columns = { 2, names, 1 };
	double values[] = { 1, 2, NAN, 3 };
	ml_training_data data = { .name = "t", .columns = &columns, .values = values, .n_rows = 2 };
	ml_fit_options options;
	ml_error err;
	ml_fit_options_init(&options, ml_estimator_find("linear"));
	ck_assert_ptr_null(ml_model_fit(&options, &data, &err));
	ck_assert_msg(strstr(err.message, "t: row 2: column 'a' is missing; linear needs complete"
			     " data") != NULL, "%s", err.message);
	data = (ml_training_data){ .name = "t", .columns = &columns, .read = read_nothing };
	ck_assert_ptr_null(ml_model_fit(&options, &data, &err));
	ck_assert_str_eq(err.message, "t: no rows to fit");
	ml_fit_options_init(&options, ml_estimator_find("ridge"));
	ck_assert_int_eq(ml_fit_options_set(&options, "alpha", "-1", &err), -1);
	ck_assert_str_eq(err.message, "--alpha: '-1' is not a number >= 0");
	ck_assert_int_eq(ml_fit_options_set(&options, "C", "1", &err), -1);
	ck_assert_str_eq(err.message, "'ridge' takes no --C");
}
END_TEST

/*
 * OpenBLAS opened on demand (math/ml_blas): dgemm through the forwarder is
 * exact, and the thread counts set before and after it loads both work.
 */
START_TEST(blas_on_demand_is_exact_at_each_thread_count)
{
	enum { N = 256 };
	double *a = malloc(sizeof *a * N * N), *c = malloc(sizeof *c * N * N);
	ck_assert(a && c);
	for (size_t i = 0; i < N * N; i++)
		a[i] = (double)(i % 7) - 3; /* small integers: every sum exact */
	int previous = ml_blas_threads_set(2);
	for (int round = 0; round < 3; round++) {
		ml_blas_threads_set(round % 2 ? 1 : 2);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, N, 1.0, a, N, a, N, 0.0,
			    c, N);
		for (size_t i = 0; i < N; i += 37)
			for (size_t j = 0; j < N; j += 41) {
				double want = 0;
				for (size_t k = 0; k < N; k++)
					want += a[i * N + k] * a[j * N + k];
				ck_assert_double_eq(c[i * N + j], want);
			}
	}
	ml_blas_threads_set(previous);
	free(a);
	free(c);
}
END_TEST

static Suite *linear_suite(void)
{
	Suite *suite = suite_create("linear");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, moments_survive_large_offsets);
	tcase_add_test(tc, moments_are_the_same_bytes_however_computed);
	tcase_add_test(tc, exact_plane_is_recovered);
	tcase_add_test(tc, duplicated_column_gets_the_minimum_norm_split);
	tcase_add_test(tc, constant_column_gets_zero);
	tcase_add_test(tc, ridge_shrinks_by_the_closed_form);
	tcase_add_test(tc, no_intercept_goes_through_the_origin);
	tcase_add_test(tc, fit_refuses_what_it_cannot_fit);
	tcase_add_test(tc, blas_on_demand_is_exact_at_each_thread_count);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(linear_suite)
