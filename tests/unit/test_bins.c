/*
 * ml_bins: edges at midpoints for few distinct values and at quantiles for
 * many, NaN in a bin of its own, max_bins respected, constant columns and
 * infinities, codes that follow edge[b-1] < x <= edge[b], and edges from
 * every row unless a sample is asked for.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"
#include "models/ml_bins.h"

static ml_bins *fit_column(const double *values, size_t n, size_t max_bins)
{
	ml_bins_options options;
	ml_error err;
	ml_bins_options_init(&options);
	options.max_bins = max_bins;
	ml_bins *bins = ml_bins_fit(values, n, 1, 1, &options, &err);
	ck_assert_msg(bins != NULL, "%s", err.message);
	return bins;
}

/* Every code agrees with the edges: edge[b-1] < x <= edge[b]. */
static void check_codes(const ml_bins *bins, size_t feature, const double *values, size_t n,
			size_t stride)
{
	size_t count = ml_bins_count(bins, feature);
	const double *edges = ml_bins_edges(bins, feature);
	for (size_t i = 0; i < n; i++) {
		double x = values[i * stride];
		uint8_t code = ml_bins_code(bins, feature, x);
		if (isnan(x)) {
			ck_assert_uint_eq(code, count);
			continue;
		}
		ck_assert_uint_lt(code, count);
		ck_assert_msg(code == 0 || edges[code - 1] < x, "x %g code %u", x, code);
		ck_assert_msg(code == count - 1 || x <= edges[code], "x %g code %u", x, code);
	}
}

START_TEST(few_values_get_midpoints)
{
	double column[] = { 3, 1, 2, 2, 5, 1, 3 };
	ml_bins *bins = fit_column(column, 7, 255);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 4);
	const double *edges = ml_bins_edges(bins, 0), *values = ml_bins_values(bins, 0);
	double expected[] = { 1.5, 2.5, 4 }, expected_values[] = { 1, 2, 3, 5 };
	for (int i = 0; i < 3; i++)
		ck_assert(edges[i] == expected[i]);
	for (int i = 0; i < 4; i++)
		ck_assert(values[i] == expected_values[i]);
	uint8_t codes[7];
	ml_bins_apply(bins, column, 7, 1, codes);
	uint8_t expected_codes[] = { 2, 0, 1, 1, 3, 0, 2 };
	ck_assert_mem_eq(codes, expected_codes, 7);
	/* Between the training values: the edges decide. */
	ck_assert_uint_eq(ml_bins_code(bins, 0, 1.5), 0);
	ck_assert_uint_eq(ml_bins_code(bins, 0, 1.6), 1);
	ck_assert_uint_eq(ml_bins_code(bins, 0, -100), 0);
	ck_assert_uint_eq(ml_bins_code(bins, 0, 100), 3);
	ml_bins_free(bins);
}
END_TEST

START_TEST(many_values_get_quantiles)
{
	/*
	 * numpy: np.percentile(np.arange(1000), np.linspace(0, 100, 11)[1:-1],
	 * method="midpoint") == [99.5, 199.5, ..., 899.5]
	 */
	double column[1000];
	for (int i = 0; i < 1000; i++)
		column[i] = (double)((i * 7919) % 1000); /* 0..999, shuffled */
	ml_bins *bins = fit_column(column, 1000, 10);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 10);
	const double *edges = ml_bins_edges(bins, 0);
	for (int i = 0; i < 9; i++)
		ck_assert_msg(edges[i] == 100.0 * (i + 1) - 0.5, "edge %d is %g", i, edges[i]);
	ck_assert(isnan(ml_bins_values(bins, 0)[0]));
	check_codes(bins, 0, column, 1000, 1);
	ml_bins_free(bins);
}
END_TEST

START_TEST(missing_values_get_their_own_code)
{
	double column[] = { NAN, 1, 2, NAN, 3 };
	ml_bins *bins = fit_column(column, 5, 255);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 3);
	uint8_t codes[5];
	ml_bins_apply(bins, column, 5, 1, codes);
	uint8_t expected[] = { 3, 0, 1, 3, 2 };
	ck_assert_mem_eq(codes, expected, 5);
	ml_bins_free(bins);
	/* A column with no value at all: one (empty) value bin, then the missing one. */
	double empty[] = { NAN, NAN };
	bins = fit_column(empty, 2, 255);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 1);
	ck_assert_uint_eq(ml_bins_code(bins, 0, NAN), 1);
	ml_bins_free(bins);
}
END_TEST

START_TEST(max_bins_is_respected)
{
	size_t n = 20000;
	double *column = malloc(n * 2 * sizeof *column);
	ml_random random;
	ml_random_init(&random, 5);
	for (size_t i = 0; i < n; i++) {
		column[2 * i] = ml_random_uniform(&random);
		/* A skewed column: most values equal, ties across quantiles merge. */
		column[2 * i + 1] = i % 10 ? 0 : ml_random_uniform(&random);
	}
	ml_bins_options options;
	ml_error err;
	ml_bins_options_init(&options);
	ml_bins *bins = ml_bins_fit(column, n, 2, 2, &options, &err);
	ck_assert_ptr_nonnull(bins);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 255);
	ck_assert_uint_le(ml_bins_count(bins, 1), 255);
	for (size_t f = 0; f < 2; f++) {
		const double *edges = ml_bins_edges(bins, f);
		for (size_t b = 1; b + 1 < ml_bins_count(bins, f); b++)
			ck_assert(edges[b - 1] < edges[b]);
		check_codes(bins, f, column + f, n, 2);
	}
	uint8_t *codes = malloc(2 * n);
	ml_bins_apply(bins, column, n, 2, codes);
	for (size_t f = 0; f < 2; f++)
		for (size_t i = 0; i < n; i++)
			ck_assert_uint_eq(codes[f * n + i],
					  ml_bins_code(bins, f, column[2 * i + f]));
	ml_bins_free(bins);
	options.max_bins = 256;
	ck_assert_ptr_null(ml_bins_fit(column, n, 2, 2, &options, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "max_bins"));
	options.max_bins = 1;
	ck_assert_ptr_null(ml_bins_fit(column, n, 2, 2, &options, &err));
	free(codes);
	free(column);
}
END_TEST

START_TEST(constant_columns_get_one_bin)
{
	double column[] = { 4, 4, 4, 4 };
	ml_bins *bins = fit_column(column, 4, 255);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 1);
	ck_assert_uint_eq(ml_bins_code(bins, 0, 4), 0);
	ck_assert_uint_eq(ml_bins_code(bins, 0, -1e300), 0);
	ck_assert_uint_eq(ml_bins_code(bins, 0, NAN), 1);
	ml_bins_free(bins);
}
END_TEST

START_TEST(infinities_land_in_the_end_bins)
{
	double column[] = { INFINITY, 1, -INFINITY, 2, 1 };
	ml_bins *bins = fit_column(column, 5, 255);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 4);
	ck_assert_uint_eq(ml_bins_code(bins, 0, -INFINITY), 0);
	ck_assert_uint_eq(ml_bins_code(bins, 0, 1), 1);
	ck_assert_uint_eq(ml_bins_code(bins, 0, 2), 2);
	ck_assert_uint_eq(ml_bins_code(bins, 0, INFINITY), 3);
	const double *edges = ml_bins_edges(bins, 0);
	for (int i = 0; i < 3; i++)
		ck_assert(!isnan(edges[i]));
	check_codes(bins, 0, column, 5, 1);
	ml_bins_free(bins);
	/* With many values, an edge at +inf would be an empty bin: none is kept. */
	double many[600];
	for (int i = 0; i < 600; i++)
		many[i] = i < 300 ? INFINITY : i;
	bins = fit_column(many, 600, 8);
	size_t count = ml_bins_count(bins, 0);
	ck_assert(ml_bins_edges(bins, 0)[count - 2] < INFINITY);
	ck_assert_uint_eq(ml_bins_code(bins, 0, INFINITY), count - 1);
	check_codes(bins, 0, many, 600, 1);
	ml_bins_free(bins);
}
END_TEST

START_TEST(sample_is_seeded)
{
	size_t n = 5000;
	double *column = malloc(n * sizeof *column);
	for (size_t i = 0; i < n; i++)
		column[i] = sin((double)i) * 1000;
	ml_bins_options options;
	ml_error err;
	ml_bins_options_init(&options);
	options.sample_rows = 500;
	options.seed = 3;
	ml_bins *a = ml_bins_fit(column, n, 1, 1, &options, &err);
	ml_bins *b = ml_bins_fit(column, n, 1, 1, &options, &err);
	options.seed = 4;
	ml_bins *c = ml_bins_fit(column, n, 1, 1, &options, &err);
	size_t count = ml_bins_count(a, 0);
	ck_assert_uint_eq(count, ml_bins_count(b, 0));
	ck_assert_mem_eq(ml_bins_edges(a, 0), ml_bins_edges(b, 0), (count - 1) * sizeof(double));
	ck_assert(count != ml_bins_count(c, 0) ||
		  memcmp(ml_bins_edges(a, 0), ml_bins_edges(c, 0), (count - 1) * sizeof(double)));
	check_codes(a, 0, column, n, 1);
	ml_bins_free(a);
	ml_bins_free(b);
	ml_bins_free(c);
	free(column);
}
END_TEST

START_TEST(every_row_counts_by_default)
{
	/*
	 * More rows than scikit-learn's 200000-row sample: the edges are the
	 * exact quantiles of the whole column, as xgboost's are; numpy's
	 * np.percentile(np.arange(n), 100 * i / 255, method="midpoint").
	 */
	size_t n = 300007;
	double *column = malloc(n * sizeof *column);
	for (size_t i = 0; i < n; i++)
		column[i] = (double)(i * 7919 % n); /* 0..n-1, shuffled (n is prime) */
	ml_bins *bins = fit_column(column, n, 255);
	ck_assert_uint_eq(ml_bins_count(bins, 0), 255);
	const double *edges = ml_bins_edges(bins, 0);
	for (size_t i = 1; i < 255; i++) {
		size_t low = i * (n - 1) / 255, high = low + (i * (n - 1) % 255 != 0);
		ck_assert_msg(edges[i - 1] == 0.5 * (double)(low + high), "edge %zu is %.17g",
			      i - 1, edges[i - 1]);
	}
	ml_bins_free(bins);
	free(column);
}
END_TEST

static Suite *bins_suite(void)
{
	Suite *suite = suite_create("ml_bins");
	TCase *core = tcase_create("core");
	tcase_add_test(core, few_values_get_midpoints);
	tcase_add_test(core, many_values_get_quantiles);
	tcase_add_test(core, missing_values_get_their_own_code);
	tcase_add_test(core, max_bins_is_respected);
	tcase_add_test(core, constant_columns_get_one_bin);
	tcase_add_test(core, infinities_land_in_the_end_bins);
	tcase_add_test(core, sample_is_seeded);
	tcase_add_test(core, every_row_counts_by_default);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(bins_suite)
