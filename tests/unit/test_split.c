/*
 * ml_split: the sizes of the parts, the same rows for the same seed,
 * stratum proportions kept (shares that add up exactly), K folds that
 * cover every row once with balanced sizes, and the refusals.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "stages/ml_split.h"

/* Strata of the given sizes, rows interleaved so that no stratum is contiguous. */
static size_t *make_strata(const size_t *sizes, size_t n_strata, size_t *n_rows)
{
	size_t total = 0, left[8];
	for (size_t k = 0; k < n_strata; k++)
		total += left[k] = sizes[k];
	size_t *strata = malloc(total * sizeof *strata);
	for (size_t r = 0; r < total;)
		for (size_t k = 0; k < n_strata; k++)
			if (left[k]) {
				strata[r++] = k;
				left[k]--;
			}
	*n_rows = total;
	return strata;
}

static size_t count_test(const unsigned char *is_test, const size_t *strata, size_t n_rows,
			 size_t stratum)
{
	size_t count = 0;
	for (size_t r = 0; r < n_rows; r++)
		count += is_test[r] && (!strata || strata[r] == stratum);
	return count;
}

START_TEST(fraction_rounds_up)
{
	ml_split_options options;
	ml_split_options_init(&options);
	unsigned char is_test[150];
	ml_split_summary summary;
	ml_error err;
	ck_assert_int_eq(ml_split_assign(&options, 150, NULL, 0, is_test, &summary, &err), 0);
	/* ceil(0.25 * 150), as train_test_split(test_size=0.25) gives. */
	ck_assert_uint_eq(summary.n_test, 38);
	ck_assert_uint_eq(summary.n_train, 112);
	ck_assert_uint_eq(count_test(is_test, NULL, 150, 0), 38);
	options.test_rows = 10;
	ck_assert_int_eq(ml_split_assign(&options, 150, NULL, 0, is_test, &summary, &err), 0);
	ck_assert_uint_eq(count_test(is_test, NULL, 150, 0), 10);
}
END_TEST

START_TEST(same_seed_same_rows)
{
	ml_split_options options;
	ml_split_options_init(&options);
	unsigned char first[200], again[200], other[200];
	ml_split_summary summary;
	ml_error err;
	options.seed = 7;
	ck_assert_int_eq(ml_split_assign(&options, 200, NULL, 0, first, &summary, &err), 0);
	ck_assert_int_eq(ml_split_assign(&options, 200, NULL, 0, again, &summary, &err), 0);
	options.seed = 8;
	ck_assert_int_eq(ml_split_assign(&options, 200, NULL, 0, other, &summary, &err), 0);
	ck_assert(memcmp(first, again, sizeof first) == 0);
	ck_assert(memcmp(first, other, sizeof first) != 0);
	/* Not simply the first or the last rows. */
	ck_assert_uint_gt(count_test(first, NULL, 100, 0), 0);
	ck_assert_uint_gt(count_test(first + 100, NULL, 100, 0), 0);
}
END_TEST

START_TEST(stratified_shares_add_up)
{
	size_t sizes[] = { 100, 30, 20 }, n_rows;
	size_t *strata = make_strata(sizes, 3, &n_rows);
	unsigned char *is_test = malloc(n_rows);
	ml_split_options options;
	ml_split_options_init(&options);
	options.test_fraction = 0.2;
	ml_split_summary summary;
	ml_error err;
	ck_assert_int_eq(ml_split_assign(&options, n_rows, strata, 3, is_test, &summary, &err), 0);
	ck_assert_uint_eq(count_test(is_test, strata, n_rows, 0), 20);
	ck_assert_uint_eq(count_test(is_test, strata, n_rows, 1), 6);
	ck_assert_uint_eq(count_test(is_test, strata, n_rows, 2), 4);
	ck_assert_uint_eq(summary.n_strata, 3);
	ck_assert_uint_eq(summary.smallest_stratum, 20);
	/* 38 of 3 x 50: 12 or 13 each, 38 in all, whatever the seed. */
	size_t even[] = { 50, 50, 50 };
	free(strata);
	free(is_test);
	strata = make_strata(even, 3, &n_rows);
	is_test = malloc(n_rows);
	options.test_fraction = 0.25;
	for (uint64_t seed = 0; seed < 20; seed++) {
		options.seed = seed;
		ck_assert_int_eq(ml_split_assign(&options, n_rows, strata, 3, is_test, &summary,
						 &err), 0);
		size_t total = 0;
		for (size_t k = 0; k < 3; k++) {
			size_t share = count_test(is_test, strata, n_rows, k);
			ck_assert(share == 12 || share == 13);
			total += share;
		}
		ck_assert_uint_eq(total, 38);
	}
	free(strata);
	free(is_test);
}
END_TEST

START_TEST(folds_cover_every_row_once)
{
	size_t sizes[] = { 23, 11, 7 }, n_rows;
	size_t *strata = make_strata(sizes, 3, &n_rows);
	size_t *times_tested = calloc(n_rows, sizeof *times_tested);
	size_t *fold_of = malloc(n_rows * sizeof *fold_of);
	unsigned char *is_test = malloc(n_rows);
	ml_split_options options;
	ml_split_options_init(&options);
	options.n_folds = 5;
	options.seed = 3;
	ml_split_summary summary;
	ml_error err;
	ck_assert_int_eq(ml_split_folds(3, 5, n_rows, strata, 3, fold_of, &err), 0);
	for (size_t fold = 1; fold <= 5; fold++) {
		options.fold = fold;
		ck_assert_int_eq(ml_split_assign(&options, n_rows, strata, 3, is_test, &summary,
						 &err), 0);
		/* 41 rows: folds of 8 or 9. */
		ck_assert(summary.n_test == 8 || summary.n_test == 9);
		for (size_t k = 0; k < 3; k++) {
			size_t share = count_test(is_test, strata, n_rows, k), low = sizes[k] / 5;
			ck_assert(share == low || share == low + 1);
		}
		for (size_t r = 0; r < n_rows; r++) {
			times_tested[r] += is_test[r];
			ck_assert_uint_eq(is_test[r], fold_of[r] == fold - 1);
		}
	}
	for (size_t r = 0; r < n_rows; r++)
		ck_assert_uint_eq(times_tested[r], 1);
	free(strata);
	free(times_tested);
	free(fold_of);
	free(is_test);
}
END_TEST

START_TEST(refusals)
{
	ml_split_options options;
	ml_split_options_init(&options);
	unsigned char is_test[10];
	size_t strata[10] = { 0, 0, 0, 0, 0, 1, 1, 1, 1, 2 };
	ml_split_summary summary;
	ml_error err;
	ck_assert_int_eq(ml_split_assign(&options, 10, strata, 3, is_test, &summary, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "only 1 row"));
	options.test_rows = 10;
	ck_assert_int_eq(ml_split_assign(&options, 10, NULL, 0, is_test, &summary, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "empty"));
	options.test_rows = 0;
	options.test_fraction = 1.0;
	ck_assert_int_eq(ml_split_options_check(&options, &err), -1);
	ml_split_options_init(&options);
	options.n_folds = 11;
	options.fold = 1;
	ck_assert_int_eq(ml_split_assign(&options, 10, NULL, 0, is_test, &summary, &err), -1);
	options.n_folds = 3;
	options.fold = 4;
	ck_assert_int_eq(ml_split_options_check(&options, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "1 to 3"));
	strata[9] = 3;
	options.fold = 1;
	ck_assert_int_eq(ml_split_assign(&options, 10, strata, 3, is_test, &summary, &err), -1);
}
END_TEST

static Suite *split_suite(void)
{
	Suite *suite = suite_create("split");
	TCase *tc = tcase_create("assign");
	tcase_add_test(tc, fraction_rounds_up);
	tcase_add_test(tc, same_seed_same_rows);
	tcase_add_test(tc, stratified_shares_add_up);
	tcase_add_test(tc, folds_cover_every_row_once);
	tcase_add_test(tc, refusals);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(split_suite)
