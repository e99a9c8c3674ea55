/*
 * ml_random: the reference values of xoshiro256** and splitmix64 (so the
 * same seed gives the same model files everywhere, for ever), bounds, the
 * spread of uniform numbers, and shuffles that are permutations.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"

START_TEST(reference_sequence)
{
	/* splitmix64 from 0 gives the state; these are the first outputs. */
	ml_random random;
	ml_random_init(&random, 0);
	ck_assert_uint_eq(random.state[0], UINT64_C(0xe220a8397b1dcdaf));
	ck_assert_uint_eq(random.state[1], UINT64_C(0x6e789e6aa1b965f4));
	ck_assert_uint_eq(random.state[2], UINT64_C(0x06c45d188009454f));
	ck_assert_uint_eq(random.state[3], UINT64_C(0xf88bb8a8724c81ec));
	uint64_t first = ml_random_next(&random);
	ck_assert_uint_eq(first, UINT64_C(0x99ec5f36cb75f2b4));
	ck_assert_uint_eq(ml_random_next(&random), UINT64_C(0xbf6e1f784956452a));
	ml_random again;
	ml_random_init(&again, 0);
	ck_assert_uint_eq(ml_random_next(&again), first);
	ml_random other;
	ml_random_init(&other, 1);
	ck_assert_uint_ne(ml_random_next(&other), first);
}
END_TEST

START_TEST(streams_differ)
{
	ml_random a, b;
	ml_random_init_stream(&a, 42, 0);
	ml_random_init_stream(&b, 42, 1);
	ck_assert_uint_ne(ml_random_next(&a), ml_random_next(&b));
}
END_TEST

START_TEST(bounded_and_uniform)
{
	ml_random random;
	ml_random_init(&random, 7);
	size_t counts[10] = { 0 };
	double sum = 0;
	for (int i = 0; i < 100000; i++) {
		uint64_t v = ml_random_below(&random, 10);
		ck_assert_uint_lt(v, 10);
		counts[v]++;
		double u = ml_random_uniform(&random);
		ck_assert(u >= 0 && u < 1);
		sum += u;
	}
	for (int i = 0; i < 10; i++)
		ck_assert(counts[i] > 9500 && counts[i] < 10500);
	ck_assert(sum / 100000 > 0.49 && sum / 100000 < 0.51);
	ck_assert_uint_eq(ml_random_below(&random, 1), 0);
}
END_TEST

START_TEST(shuffle_is_permutation)
{
	ml_random random;
	ml_random_init(&random, 3);
	size_t values[100];
	for (size_t i = 0; i < 100; i++)
		values[i] = i;
	ml_random_shuffle(&random, values, 100);
	int seen[100] = { 0 }, moved = 0;
	for (size_t i = 0; i < 100; i++) {
		seen[values[i]]++;
		moved += values[i] != i;
	}
	for (size_t i = 0; i < 100; i++)
		ck_assert_int_eq(seen[i], 1);
	ck_assert_int_gt(moved, 90);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ml_random");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, reference_sequence);
	tcase_add_test(tc, streams_differ);
	tcase_add_test(tc, bounded_and_uniform);
	tcase_add_test(tc, shuffle_is_permutation);
	suite_add_tcase(s, tc);
	return s;
}

ML_CHECK_MAIN(suite)
