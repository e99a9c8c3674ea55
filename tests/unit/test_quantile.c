/*
 * ml_quantile and ml_colstats: order statistics and column statistics equal
 * numpy's on the same values (the expected values below come from
 * numpy.median, numpy.percentile, numpy.nanmean and numpy.nanvar), the mode
 * takes the smallest value on ties, and missing values are skipped or
 * filled.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "check_main.h"
#include "math/ml_colstats.h"
#include "math/ml_quantile.h"

static const double values[] = { 3.5, -1, 7, 2, 2, 9, 0.25, -4, 11, 6 };

static double on_copy(double (*f)(double *, size_t), size_t n)
{
	double copy[10];
	memcpy(copy, values, sizeof copy);
	return f(copy, n);
}

static double percentile_of(double fraction)
{
	double copy[10];
	memcpy(copy, values, sizeof copy);
	return ml_quantile_percentile(copy, 10, fraction);
}

START_TEST(order_statistics_match_numpy)
{
	ck_assert(on_copy(ml_quantile_median, 10) == 2.75);
	ck_assert(on_copy(ml_quantile_median, 9) == 2.0);
	ck_assert(percentile_of(0.25) == 0.6875);
	ck_assert(percentile_of(0.75) == 6.75);
	ck_assert(percentile_of(0.9) == 9.2);
	ck_assert(percentile_of(0) == -4 && percentile_of(1) == 11);
	double copy[10];
	memcpy(copy, values, sizeof copy);
	ck_assert(ml_quantile_select(copy, 10, 3) == 2);
	for (size_t i = 0; i < 3; i++)
		ck_assert(copy[i] <= 2);
	for (size_t i = 4; i < 10; i++)
		ck_assert(copy[i] >= 2);
}
END_TEST

START_TEST(mode_takes_the_smallest_on_ties)
{
	const double tie[] = { 5, -0.0, 5, 0.0, 7, 7, -3 };
	uint64_t keys[7], spare[7];
	/* 5, 7 and 0 (-0 and 0 are one value) twice each: the smallest wins. */
	ck_assert(ml_quantile_mode(tie, 7, keys, spare) == 0);
	const double clear[] = { 1.5, 2.5, 2.5, -1 };
	ck_assert(ml_quantile_mode(clear, 4, keys, spare) == 2.5);
}
END_TEST

START_TEST(column_statistics_match_numpy)
{
	/* Large offsets lose no digits; a missing value is skipped; a column has none. */
	const double rows[] = { 1e9 + 1, 2, 1e9 + 2, NAN, 1e9 + 4, 5, NAN, NAN };
	ml_colstats_input in = { rows, 4, 2, NULL };
	size_t count[2];
	double mean[2], variance[2], low[2], high[2];
	ml_error err;
	ck_assert_int_eq(ml_colstats_moments(&in, count, mean, variance, &err), 0);
	ck_assert_uint_eq(count[0], 3);
	ck_assert_uint_eq(count[1], 2);
	ck_assert(fabs(mean[0] - 1000000002.3333334) < 1e-6);
	ck_assert(fabs(variance[0] - 1.5555555555555571) < 1e-12);
	ck_assert(mean[1] == 3.5 && variance[1] == 2.25);
	ml_colstats_extremes(&in, low, high);
	ck_assert(low[0] == 1e9 + 1 && high[0] == 1e9 + 4 && low[1] == 2 && high[1] == 5);
	/* A fill stands in for missing values. */
	const double fill[2] = { 1e9 + 2, 3.5 };
	in.fill = fill;
	ck_assert_int_eq(ml_colstats_moments(&in, count, mean, variance, &err), 0);
	ck_assert_uint_eq(count[0], 4);
	ck_assert_uint_eq(count[1], 4);
	ck_assert(mean[1] == 3.5 && variance[1] == 1.125);
	double gathered[4];
	ck_assert_uint_eq(ml_colstats_gather(&in, 1, gathered), 4);
	ck_assert(gathered[1] == 3.5);
	/* No values at all. */
	const double empty[] = { NAN };
	ml_colstats_input none = { empty, 1, 1, NULL };
	ck_assert_int_eq(ml_colstats_moments(&none, count, mean, variance, &err), 0);
	ck_assert_uint_eq(count[0], 0);
	ck_assert(mean[0] == 0 && variance[0] == 0);
	ml_colstats_extremes(&none, low, high);
	ck_assert(low[0] > high[0]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ml_quantile");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, order_statistics_match_numpy);
	tcase_add_test(tc, mode_takes_the_smallest_on_ties);
	tcase_add_test(tc, column_statistics_match_numpy);
	suite_add_tcase(s, tc);
	return s;
}

ML_CHECK_MAIN(suite)
