/*
 * ml_string_map: numbers in first-seen order, found again after growth,
 * lengths respected (a prefix is another key), and sorting renumbers.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_string_map.h"

START_TEST(interns_in_order)
{
	ml_string_map map = { 0 };
	ml_error err;
	ck_assert_uint_eq(ml_string_map_find(&map, "a", 1), ML_STRING_NOT_FOUND);
	ck_assert_uint_eq(ml_string_map_intern(&map, "setosa", 6, &err), 0);
	ck_assert_uint_eq(ml_string_map_intern(&map, "versicolor", 10, &err), 1);
	ck_assert_uint_eq(ml_string_map_intern(&map, "setosa", 6, &err), 0);
	/* Only the first 3 bytes: "set" is a key of its own. */
	ck_assert_uint_eq(ml_string_map_intern(&map, "setosa", 3, &err), 2);
	ck_assert_str_eq(map.keys[2], "set");
	ck_assert_uint_eq(map.count, 3);
	ml_string_map_free(&map);
	ck_assert_uint_eq(map.count, 0);
}
END_TEST

START_TEST(grows)
{
	ml_string_map map = { 0 };
	ml_error err;
	char key[32];
	for (size_t i = 0; i < 5000; i++) {
		int length = snprintf(key, sizeof key, "key%zu", i);
		ck_assert_uint_eq(ml_string_map_intern(&map, key, (size_t)length, &err), i);
	}
	for (size_t i = 0; i < 5000; i += 7) {
		int length = snprintf(key, sizeof key, "key%zu", i);
		ck_assert_uint_eq(ml_string_map_find(&map, key, (size_t)length), i);
	}
	ck_assert_uint_eq(ml_string_map_find(&map, "key5000", 7), ML_STRING_NOT_FOUND);
	ml_string_map_free(&map);
}
END_TEST

static int by_length(const char *a, const char *b)
{
	size_t left = strlen(a), right = strlen(b);
	return (left > right) - (left < right);
}

START_TEST(sorts_and_renumbers)
{
	ml_string_map map = { 0 };
	ml_error err;
	const char *keys[] = { "pear", "fig", "apple", "kiwi" };
	for (size_t i = 0; i < 4; i++)
		ml_string_map_intern(&map, keys[i], strlen(keys[i]), &err);
	size_t renumber[4];
	ck_assert_int_eq(ml_string_map_sort(&map, NULL, renumber, &err), 0);
	ck_assert_str_eq(map.keys[0], "apple");
	ck_assert_str_eq(map.keys[3], "pear");
	ck_assert_uint_eq(renumber[0], 3); /* pear */
	ck_assert_uint_eq(renumber[1], 1); /* fig */
	ck_assert_uint_eq(ml_string_map_find(&map, "kiwi", 4), 2);
	/* Equal under the order: the lower number first ("kiwi" was 2, "pear" 3). */
	ck_assert_int_eq(ml_string_map_sort(&map, by_length, NULL, &err), 0);
	ck_assert_str_eq(map.keys[0], "fig");
	ck_assert_str_eq(map.keys[1], "kiwi");
	ck_assert_str_eq(map.keys[2], "pear");
	ck_assert_str_eq(map.keys[3], "apple");
	ml_string_map_free(&map);
}
END_TEST

static Suite *string_map_suite(void)
{
	Suite *suite = suite_create("string_map");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, interns_in_order);
	tcase_add_test(tc, grows);
	tcase_add_test(tc, sorts_and_renumbers);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(string_map_suite)
