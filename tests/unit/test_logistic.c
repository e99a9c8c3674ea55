/*
 * ml_logistic: the L-BFGS minimiser on classic test functions, and fitted
 * logistic models meeting their optimality conditions (with an intercept,
 * the predicted probabilities of each class sum to its row count).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "math/ml_lbfgs.h"
#include "models/ml_logistic.h"
#include "models/ml_model.h"

/* The extended Rosenbrock function (N&W's test problem), n even. */
static double rosenbrock(void *context, const double *x, double *g)
{
	size_t n = *(const size_t *)context;
	double f = 0;
	for (size_t i = 0; i < n; i += 2) {
		double a = 10 * (x[i + 1] - x[i] * x[i]), b = 1 - x[i];
		f += a * a + b * b;
		g[i] = -40 * x[i] * a - 2 * b;
		g[i + 1] = 20 * a;
	}
	return f;
}

START_TEST(lbfgs_finds_the_rosenbrock_minimum)
{
	size_t n = 10;
	double x[10];
	for (size_t i = 0; i < n; i++)
		x[i] = i % 2 ? 1.0 : -1.2;
	ml_lbfgs_options options;
	ml_lbfgs_result result;
	ml_error err;
	ml_lbfgs_options_init(&options);
	options.tol = 1e-9;
	options.ftol = 0;
	options.max_iter = 1000;
	ck_assert_int_eq(ml_lbfgs_minimize(rosenbrock, &n, x, n, &options, &result, &err), 0);
	ck_assert_msg(result.converged, "%s", result.stop);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(fabs(x[i] - 1) < 1e-8, "x[%zu] = %g", i, x[i]);
	ck_assert(result.iterations < 200);
}
END_TEST

static double badly_scaled_quadratic(void *context, const double *x, double *g)
{
	(void)context;
	double f = 0;
	for (size_t i = 0; i < 5; i++) {
		double scale = pow(10, (double)i), d = x[i] - (double)i;
		f += 0.5 * scale * d * d;
		g[i] = scale * d;
	}
	return f;
}

START_TEST(lbfgs_handles_bad_scaling_and_reports_limits)
{
	double x[5] = { 0 };
	ml_lbfgs_options options;
	ml_lbfgs_result result;
	ml_error err;
	ml_lbfgs_options_init(&options);
	options.tol = 1e-10;
	options.ftol = 0;
	ck_assert_int_eq(ml_lbfgs_minimize(badly_scaled_quadratic, NULL, x, 5, &options, &result,
					   &err), 0);
	ck_assert(result.converged);
	for (size_t i = 0; i < 5; i++)
		ck_assert(fabs(x[i] - (double)i) < 1e-9);
	memset(x, 0, sizeof x);
	options.max_iter = 2;
	ck_assert_int_eq(ml_lbfgs_minimize(badly_scaled_quadratic, NULL, x, 5, &options, &result,
					   &err), 0);
	ck_assert(!result.converged && result.iterations == 2);
}
END_TEST

static int warnings;

static void count_warning(void *context, const char *message)
{
	(void)context;
	(void)message;
	warnings++;
}

/* Fits logistic regression on rows (x1 x2 class) and checks sum(p_k) = n_k. */
static void check_probability_sums(const double *values, size_t n_rows, size_t n_classes)
{
	char *names[] = { "x1", "x2", "class" };
	ml_columns columns = { 3, names, 2 };
	ml_training_data data = { .name = "t", .columns = &columns, .values = values,
				  .n_rows = n_rows };
	ml_fit_options options;
	ml_error err;
	ml_fit_options_init(&options, ml_estimator_find("logistic"));
	ck_assert_int_eq(ml_fit_options_set(&options, "tol", "1e-10", &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "ftol", "0", &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-iter", "1000", &err), 0);
	ml_model *model = ml_model_fit(&options, &data, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_model_n_classes(model), n_classes);
	double *predictions = malloc(n_rows * sizeof *predictions);
	double *probabilities = malloc(n_rows * n_classes * sizeof *probabilities);
	ck_assert_int_eq(ml_model_predict(model, values, n_rows, predictions, probabilities, NULL,
					  &err), 0);
	for (size_t k = 0; k < n_classes; k++) {
		double sum = 0, count = 0;
		for (size_t r = 0; r < n_rows; r++) {
			sum += probabilities[r * n_classes + k];
			count += values[r * 3 + 2] == (double)k * 10;
		}
		ck_assert_msg(fabs(sum - count) < 1e-5, "class %zu: %.12g vs %g", k, sum, count);
	}
	for (size_t r = 0; r < n_rows; r++) {
		double total = 0;
		for (size_t k = 0; k < n_classes; k++)
			total += probabilities[r * n_classes + k];
		ck_assert(fabs(total - 1) < 1e-12);
	}
	free(predictions);
	free(probabilities);
	ml_model_free(model);
}

/* Fits logistic regression with C and class-weight, returns the probabilities of rows. */
static void fit_probabilities(const double *values, size_t n_rows, const char *C,
			      const char *class_weight, const double *query, size_t n_query,
			      double *probabilities)
{
	char *names[] = { "x1", "x2", "class" };
	ml_columns columns = { 3, names, 2 };
	ml_training_data data = { .name = "t", .columns = &columns, .values = values,
				  .n_rows = n_rows };
	ml_fit_options options;
	ml_error err;
	ml_fit_options_init(&options, ml_estimator_find("logistic"));
	ck_assert_int_eq(ml_fit_options_set(&options, "C", C, &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "class-weight", class_weight, &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "tol", "1e-12", &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "ftol", "0", &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-iter", "10000", &err), 0);
	ml_model *model = ml_model_fit(&options, &data, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	double predictions[64];
	ck_assert_uint_le(n_query, 64);
	ck_assert_int_eq(ml_model_predict(model, query, n_query, predictions, probabilities, NULL,
					  &err), 0);
	ml_model_free(model);
}

/*
 * class-weight balanced weighs each row n / (K n_k).  With 30 rows of one
 * class and 10 of the other, that is the unweighted objective of the data
 * with the minority rows three times over, scaled by 40 / 60: the same
 * minimiser when C is scaled by 40 / 60 too.  No scikit-learn needed.
 */
START_TEST(balanced_weights_equal_replicated_rows)
{
	double original[40 * 3], replicated[60 * 3];
	size_t n = 0, m = 0;
	unsigned long state = 5;
	for (size_t r = 0; r < 40; r++) {
		state = state * 6364136223846793005UL + 1442695040888963407UL;
		double u = (double)(state >> 11) / 9007199254740992.0;
		state = state * 6364136223846793005UL + 1442695040888963407UL;
		double v = (double)(state >> 11) / 9007199254740992.0;
		double label = r < 30 ? 0 : 1;
		double row[3] = { u * 2 + label, v - label * 0.5, label };
		memcpy(original + 3 * n++, row, sizeof row);
		for (int copy = 0; copy < (label ? 3 : 1); copy++)
			memcpy(replicated + 3 * m++, row, sizeof row);
	}
	ck_assert_uint_eq(m, 60);
	double weighted[80], duplicated[80], plain[80];
	fit_probabilities(original, 40, "1", "balanced", original, 40, weighted);
	fit_probabilities(replicated, 60, "0.66666666666666663", "none", original, 40,
			  duplicated);
	fit_probabilities(original, 40, "1", "none", original, 40, plain);
	double differs_from_plain = 0;
	for (size_t i = 0; i < 80; i++) {
		ck_assert_msg(fabs(weighted[i] - duplicated[i]) < 1e-7, "row %zu: %.12g vs %.12g",
			      i / 2, weighted[i], duplicated[i]);
		differs_from_plain = fmax(differs_from_plain, fabs(weighted[i] - plain[i]));
	}
	/* And the weights do something: the minority class gains probability. */
	ck_assert(differs_from_plain > 0.01);
}
END_TEST

static double *noisy_classes(size_t n_rows, size_t n_classes)
{
	double *values = malloc(n_rows * 3 * sizeof *values);
	unsigned long state = 11;
	for (size_t r = 0; r < n_rows; r++) {
		size_t k = r % n_classes;
		state = state * 6364136223846793005UL + 1442695040888963407UL;
		double u = (double)(state >> 11) / 9007199254740992.0;
		state = state * 6364136223846793005UL + 1442695040888963407UL;
		double v = (double)(state >> 11) / 9007199254740992.0;
		values[r * 3] = (double)k + 2 * u;
		values[r * 3 + 1] = 100 + 3 * v - (double)k;
		values[r * 3 + 2] = (double)k * 10; /* class values 0, 10, 20: named "0" "10" "20" */
	}
	return values;
}

START_TEST(binary_fit_is_stationary)
{
	double *values = noisy_classes(200, 2);
	check_probability_sums(values, 200, 2);
	free(values);
}
END_TEST

START_TEST(multinomial_fit_is_stationary)
{
	double *values = noisy_classes(300, 3);
	check_probability_sums(values, 300, 3);
	free(values);
}
END_TEST

START_TEST(non_convergence_is_a_warning)
{
	double *values = noisy_classes(100, 3);
	char *names[] = { "x1", "x2", "class" };
	ml_columns columns = { 3, names, 2 };
	ml_training_data data = { .name = "t", .columns = &columns, .values = values,
				  .n_rows = 100 };
	ml_fit_options options;
	ml_error err;
	ml_fit_options_init(&options, ml_estimator_find("logistic"));
	ck_assert_int_eq(ml_fit_options_set(&options, "max-iter", "1", &err), 0);
	options.warning = count_warning;
	warnings = 0;
	ml_model *model = ml_model_fit(&options, &data, &err);
	ck_assert_ptr_nonnull(model);
	ck_assert_int_eq(warnings, 1);
	ck_assert_str_eq(ml_model_class_name(model, 1), "10");
	ml_model_free(model);
	free(values);
}
END_TEST

static Suite *logistic_suite(void)
{
	Suite *suite = suite_create("logistic");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, lbfgs_finds_the_rosenbrock_minimum);
	tcase_add_test(tc, lbfgs_handles_bad_scaling_and_reports_limits);
	tcase_add_test(tc, binary_fit_is_stationary);
	tcase_add_test(tc, multinomial_fit_is_stationary);
	tcase_add_test(tc, non_convergence_is_a_warning);
	tcase_add_test(tc, balanced_weights_equal_replicated_rows);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(logistic_suite)
