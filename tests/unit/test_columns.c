/*
 * ml_columns: names, lookup, duplicates, copies, and the -c/-x lists of
 * names and 1-based ranges that ml_columns_select reads.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_columns.h"
#include "core/ml_util.h"

static void make(ml_columns *columns, size_t count, const char *const *names)
{
	ml_error err;
	ck_assert_int_eq(ml_columns_init(columns, count, &err), 0);
	for (size_t i = 0; i < count; i++)
		columns->names[i] = ml_strdup(names[i], &err);
}

static const char *const five[] = { "age", "3", "name", "a,b", "weight" };

/* Selects list from five[]; returns the flags as a string of 0 and 1, or the error. */
static const char *select_text(const char *list)
{
	static char result[ML_ERROR_SIZE];
	ml_columns columns;
	bool selected[5] = { false };
	ml_error err;
	make(&columns, 5, five);
	if (ml_columns_select(&columns, list, selected, &err) < 0) {
		snprintf(result, sizeof result, "%s", err.message);
	} else {
		for (size_t i = 0; i < 5; i++)
			result[i] = selected[i] ? '1' : '0';
		result[5] = '\0';
	}
	ml_columns_free(&columns);
	return result;
}

START_TEST(test_select)
{
	ck_assert_str_eq(select_text("age"), "10000");
	ck_assert_str_eq(select_text("age,weight"), "10001");
	ck_assert_str_eq(select_text("1"), "10000");
	ck_assert_str_eq(select_text("5,1"), "10001");
	ck_assert_str_eq(select_text("2-4"), "01110");
	ck_assert_str_eq(select_text("4-"), "00011");
	ck_assert_str_eq(select_text("1-5"), "11111");
	ck_assert_str_eq(select_text("2-2"), "01000");
	ck_assert_str_eq(select_text("age,age,1"), "10000");
	/* A name wins over a number: "3" is the second column's name. */
	ck_assert_str_eq(select_text("3"), "01000");
	/* Names are not trimmed or case-folded. */
	ck_assert_str_eq(select_text("Age"),
			 "no column 'Age' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text(" age"), "no column ' age' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text("6"), "column range '6' is outside 1-5");
	ck_assert_str_eq(select_text("4-9"), "column range '4-9' is outside 1-5");
	ck_assert_str_eq(select_text("4-2"), "column range '4-2' is outside 1-5");
	ck_assert_str_eq(select_text("0"), "no column '0' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text("-2"), "no column '-2' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text("1-2-3"), "no column '1-2-3' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text("age,"), "no column '' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text(""), "no column '' (columns: age, 3, ...)");
	ck_assert_str_eq(select_text("99999999999999999999"),
			 "no column '99999999999999999999' (columns: age, 3, ...)");
	/* A comma always separates: the column named "a,b" is reachable by position. */
	ck_assert_str_eq(select_text("4"), "00010");
	/* An overlong item is refused before it is copied. */
	char overlong[ML_MAX_NAME_LENGTH + 8];
	memset(overlong, 'n', sizeof overlong - 1);
	overlong[sizeof overlong - 1] = '\0';
	ck_assert_ptr_nonnull(strstr(select_text(overlong), "column name too long"));
}
END_TEST

START_TEST(test_select_keeps_earlier_flags)
{
	ml_columns columns;
	bool selected[5] = { false, false, true, false, false };
	ml_error err;
	make(&columns, 5, five);
	ck_assert_int_eq(ml_columns_select(&columns, "1", selected, &err), 0);
	ck_assert(selected[0] && selected[2] && !selected[1]);
	ml_columns_free(&columns);
}
END_TEST

START_TEST(test_find_and_duplicates)
{
	ml_columns columns, copy;
	ml_error err;
	make(&columns, 5, five);
	columns.target = 2;
	ck_assert_uint_eq(ml_columns_find(&columns, "weight"), 4);
	ck_assert_uint_eq(ml_columns_find(&columns, "Weight"), ML_NO_COLUMN);
	ck_assert_uint_eq(ml_columns_find_duplicate(&columns), ML_NO_COLUMN);
	ck_assert_uint_eq(ml_columns_n_features(&columns), 4);
	ck_assert_int_eq(ml_columns_copy(&copy, &columns, &err), 0);
	ck_assert_uint_eq(copy.target, 2);
	ck_assert(ml_columns_same_names(&copy, &columns));
	free(copy.names[4]);
	copy.names[4] = ml_strdup("age", &err);
	/* The later of the two is reported. */
	ck_assert_uint_eq(ml_columns_find_duplicate(&copy), 4);
	ck_assert(!ml_columns_same_names(&copy, &columns));
	ml_columns_free(&copy);
	ck_assert_uint_eq(copy.count, 0);
	ck_assert_ptr_null(copy.names);
	ml_columns_free(&copy); /* twice is fine */
	ml_columns_free(NULL);

	static const char *const many[] = { "z", "b", "y", "b", "z", "a" };
	ml_columns dup;
	make(&dup, 6, many);
	ck_assert_uint_eq(ml_columns_find_duplicate(&dup), 3);
	ml_columns_free(&dup);
	ml_columns_free(&columns);
}
END_TEST

START_TEST(test_empty_columns)
{
	ml_columns columns;
	ml_error err;
	ck_assert_int_eq(ml_columns_init(&columns, 0, &err), 0);
	ck_assert_uint_eq(ml_columns_find(&columns, "a"), ML_NO_COLUMN);
	ck_assert_uint_eq(ml_columns_find_duplicate(&columns), ML_NO_COLUMN);
	ck_assert_uint_eq(ml_columns_n_features(&columns), 0);
	bool selected[1];
	ck_assert_int_eq(ml_columns_select(&columns, "1", selected, &err), -1);
	ck_assert_str_eq(err.message, "column range '1' is outside 1-0");
	ck_assert_int_eq(ml_columns_select(&columns, "a", selected, &err), -1);
	ck_assert_str_eq(err.message, "no column 'a' (columns: )");
	ml_columns_free(&columns);
}
END_TEST

static Suite *columns_suite(void)
{
	Suite *suite = suite_create("ml_columns");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_select);
	tcase_add_test(core, test_select_keeps_earlier_flags);
	tcase_add_test(core, test_find_and_duplicates);
	tcase_add_test(core, test_empty_columns);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(columns_suite)
