/* Unit tests for ml_poly: term counts, order, names, apply and stage text. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_util.h"
#include "stages/ml_poly.h"

/* Columns named by a NULL-terminated list; target is an index or ML_NO_COLUMN. */
static ml_columns make_columns(const char *const *names, size_t target)
{
	ml_columns columns;
	size_t count = 0;
	while (names[count])
		count++;
	ck_assert_int_eq(ml_columns_init(&columns, count, NULL), 0);
	for (size_t i = 0; i < count; i++)
		columns.names[i] = ml_strdup(names[i], NULL);
	columns.target = target;
	return columns;
}

static ml_stage *make_stage(const char *const *names, size_t target, size_t degree,
			    bool interaction_only, bool bias, const char *list)
{
	ml_columns columns = make_columns(names, target);
	ml_poly_options options;
	ml_poly_options_init(&options);
	options.degree = degree;
	options.interaction_only = interaction_only;
	options.bias = bias;
	options.columns = list;
	ml_error err = { "" };
	ml_stage *stage = ml_poly_stage_create(&columns, &options, &err);
	ck_assert_msg(stage != NULL, "%s", err.message);
	ml_columns_free(&columns);
	return stage;
}

/* Counts monomials by walking non-decreasing (strictly increasing) index tuples. */
static size_t brute_count(size_t n, size_t degree, bool interaction_only, size_t first,
			  size_t depth)
{
	if (depth == degree)
		return 0;
	size_t count = 0;
	for (size_t i = first; i < n; i++)
		count += 1 + brute_count(n, degree, interaction_only, interaction_only ? i + 1 : i,
					 depth + 1);
	return count;
}

START_TEST(counts_match_enumeration)
{
	for (size_t n = 0; n <= 9; n++)
		for (size_t degree = 1; degree <= 6; degree++)
			for (int interaction = 0; interaction <= 1; interaction++) {
				size_t count;
				ck_assert(ml_poly_count_terms(n, degree, interaction, &count));
				ck_assert_uint_eq(count, brute_count(n, degree, interaction, 0, 0));
			}
}
END_TEST

START_TEST(counts_match_binomial_formulas)
{
	size_t count;
	/* C(n + d, d) - 1 */
	ck_assert(ml_poly_count_terms(4, 2, false, &count));
	ck_assert_uint_eq(count, 14);
	ck_assert(ml_poly_count_terms(13, 3, false, &count));
	ck_assert_uint_eq(count, 559);
	ck_assert(ml_poly_count_terms(100, 3, false, &count));
	ck_assert_uint_eq(count, 176850);
	ck_assert(ml_poly_count_terms(1000, 5, false, &count));
	ck_assert_uint_eq(count, UINT64_C(8459043543950));
	/* sum of C(n, k), k = 1..d */
	ck_assert(ml_poly_count_terms(4, 3, true, &count));
	ck_assert_uint_eq(count, 4 + 6 + 4);
	ck_assert(ml_poly_count_terms(3, 10, true, &count));
	ck_assert_uint_eq(count, 7);
	ck_assert(ml_poly_count_terms(64, 10, true, &count));
	ck_assert_uint_eq(count, UINT64_C(184144458888)); /* sum C(64, k), k = 1..10 */
}
END_TEST

START_TEST(counts_report_overflow)
{
	size_t count = 1;
	/* C(10^6 + 10, 10) is about 2.8e53. */
	ck_assert(!ml_poly_count_terms(1000000, 10, false, &count));
	ck_assert(!ml_poly_count_terms(SIZE_MAX, 2, false, &count));
	ck_assert(!ml_poly_count_terms(SIZE_MAX - 1, 2, true, &count));
	/*
	 * Exact up to the edge: 6074000998 columns at degree 2 make
	 * C(6074001000, 2) - 1 terms, just below 2^64; one more column overflows.
	 */
	ck_assert(ml_poly_count_terms(UINT64_C(6074000998), 2, false, &count));
	ck_assert_uint_eq(count, UINT64_C(18446744070963499499));
	ck_assert(!ml_poly_count_terms(UINT64_C(6074000999), 2, false, &count));
}
END_TEST

/* The names scikit-learn's combinations_with_replacement order gives, "*"-joined. */
static void expected_names(const char *const *names, size_t n, size_t degree,
			   bool interaction_only, ml_buf *out)
{
	size_t tuple[16];
	for (size_t d = 1; d <= degree; d++) {
		/* Lexicographic tuples i1 <= ... <= id (strict with interaction_only). */
		for (size_t i = 0; i < d; i++)
			tuple[i] = interaction_only ? i : 0;
		if (interaction_only && d > n)
			break;
		for (;;) {
			for (size_t i = 0; i < d;) {
				size_t power = 1;
				while (i + power < d && tuple[i + power] == tuple[i])
					power++;
				ml_buf_printf(out, "%s%s", i ? "*" : "", names[tuple[i]]);
				if (power > 1)
					ml_buf_printf(out, "^%zu", power);
				i += power;
			}
			ml_buf_putc(out, ',');
			/* Next tuple: bump the last position that can grow. */
			size_t p = d;
			while (p > 0 && tuple[p - 1] >= (interaction_only ? n - (d - p) : n) - 1)
				p--;
			if (p == 0)
				break;
			tuple[p - 1]++;
			for (size_t i = p; i < d; i++)
				tuple[i] = interaction_only ? tuple[i - 1] + 1 : tuple[i - 1];
		}
	}
}

static void join_outputs(const ml_stage *stage, ml_buf *out)
{
	const ml_columns *outputs = ml_stage_outputs(stage);
	for (size_t i = 0; i < outputs->count; i++)
		ml_buf_printf(out, "%s,", outputs->names[i]);
}

START_TEST(names_follow_sklearn_order)
{
	static const char *const names[] = { "a", "b", "c", "d", NULL };
	for (size_t degree = 1; degree <= 4; degree++)
		for (int interaction = 0; interaction <= 1; interaction++) {
			ml_stage *stage = make_stage(names, ML_NO_COLUMN, degree, interaction,
						     false, NULL);
			ml_buf got, want;
			ml_buf_init(&got);
			ml_buf_init(&want);
			join_outputs(stage, &got);
			expected_names(names, 4, degree, interaction, &want);
			ck_assert_str_eq(got.data, want.data);
			ml_buf_free(&got);
			ml_buf_free(&want);
			ml_stage_free(stage);
		}
}
END_TEST

START_TEST(names_spelled_out)
{
	static const char *const names[] = { "x1", "x2", "y", NULL };
	ml_stage *stage = make_stage(names, 2, 3, false, true, NULL);
	ml_buf got;
	ml_buf_init(&got);
	join_outputs(stage, &got);
	ck_assert_str_eq(got.data, "1,x1,x2,x1^2,x1*x2,x2^2,x1^3,x1^2*x2,x1*x2^2,x2^3,y,");
	ck_assert_uint_eq(ml_stage_outputs(stage)->target, 10);
	ck_assert_str_eq(ml_stage_kind_name(stage), "poly");
	ck_assert(ml_stage_is_poly(stage));
	ml_buf_free(&got);
	ml_stage_free(stage);
}
END_TEST

START_TEST(columns_choose_what_is_expanded)
{
	/* Expanded first, then the rest (target included) in input order. */
	static const char *const names[] = { "p", "y", "a", "q", "b", NULL };
	ml_stage *stage = make_stage(names, 1, 2, false, false, "b,a,y");
	ml_buf got;
	ml_buf_init(&got);
	join_outputs(stage, &got);
	ck_assert_str_eq(got.data, "a,b,a^2,a*b,b^2,p,y,q,");
	ck_assert_uint_eq(ml_stage_outputs(stage)->target, 6);

	double in[] = { 10, 20, 3, 40, 5 }, out[8];
	ml_stage_apply(stage, in, 1, out);
	double want[] = { 3, 5, 9, 15, 25, 10, 20, 40 };
	for (size_t i = 0; i < 8; i++)
		ck_assert_double_eq(out[i], want[i]);
	ml_buf_free(&got);
	ml_stage_free(stage);
}
END_TEST

START_TEST(apply_multiplies_in_sklearn_order)
{
	/*
	 * scikit-learn makes a^2*b as a * (a*b) and a*b^2 as a * (b^2): each
	 * term is its first column times the rest.  Rounding depends on that:
	 * check against the same order, on values where another order differs.
	 */
	static const char *const names[] = { "a", "b", NULL };
	ml_stage *stage = make_stage(names, ML_NO_COLUMN, 3, false, true, NULL);
	double in[3 * 2], out[3 * 10];
	srand(7);
	size_t order_matters = 0;
	for (int trial = 0; trial < 200; trial++) {
		for (size_t i = 0; i < 6; i++)
			in[i] = (double)rand() / RAND_MAX * 10 - 5;
		ml_stage_apply(stage, in, 3, out);
		for (size_t r = 0; r < 3; r++) {
			double a = in[2 * r], b = in[2 * r + 1];
			const double *row = out + 10 * r;
			double want[] = { 1, a, b, a * a, a * b, b * b, a * (a * a), a * (a * b),
					  a * (b * b), b * (b * b) };
			for (size_t k = 0; k < 10; k++)
				ck_assert_msg(memcmp(&row[k], &want[k], sizeof(double)) == 0,
					      "term %zu: %.17g, want %.17g", k, row[k], want[k]);
			order_matters += (a * a) * b != a * (a * b);
		}
	}
	ck_assert_uint_gt(order_matters, 0);
	ml_stage_free(stage);
}
END_TEST

START_TEST(apply_interaction_only_and_missing)
{
	static const char *const names[] = { "a", "b", "c", NULL };
	ml_stage *stage = make_stage(names, ML_NO_COLUMN, 3, true, false, NULL);
	double in[] = { 2, NAN, 5 }, out[7];
	ck_assert_uint_eq(ml_stage_outputs(stage)->count, 7);
	ml_stage_apply(stage, in, 1, out);
	/* a, b, c, a*b, a*c, b*c, a*b*c: missing wherever b is. */
	ck_assert_double_eq(out[0], 2);
	ck_assert(isnan(out[1]));
	ck_assert_double_eq(out[2], 5);
	ck_assert(isnan(out[3]));
	ck_assert_double_eq(out[4], 10);
	ck_assert(isnan(out[5]));
	ck_assert(isnan(out[6]));
	ml_stage_free(stage);
}
END_TEST

START_TEST(width_and_guard)
{
	static const char *const names[] = { "a", "b", "c", "d", "y", NULL };
	ml_columns columns = make_columns(names, 4);
	ml_poly_options options;
	ml_poly_options_init(&options);
	size_t width;
	ml_error err = { "" };
	ck_assert_int_eq(ml_poly_width(&columns, &options, &width, &err), 0);
	ck_assert_uint_eq(width, 14 + 1);
	options.bias = true;
	options.degree = 10;
	ck_assert_int_eq(ml_poly_width(&columns, &options, &width, &err), 0);
	ck_assert_uint_eq(width, 1001 + 1); /* C(14, 10) with the constant, plus y */
	options.max_columns = 1001;
	ck_assert_ptr_null(ml_poly_stage_create(&columns, &options, &err));
	ck_assert_msg(strstr(err.message, "would make 1002 columns (limit 1001;"), "%s",
		      err.message);
	ck_assert_msg(strstr(err.message, "--max-columns"), "%s", err.message);

	options.columns = "y";
	ck_assert_int_eq(ml_poly_width(&columns, &options, &width, &err), -1);
	ck_assert_msg(strstr(err.message, "no column to expand"), "%s", err.message);
	options.columns = "nope";
	ck_assert_int_eq(ml_poly_width(&columns, &options, &width, &err), -1);
	options.columns = NULL;
	options.degree = 0;
	ck_assert_ptr_null(ml_poly_stage_create(&columns, &options, &err));
	ck_assert_msg(strstr(err.message, "degree"), "%s", err.message);
	ml_columns_free(&columns);
}
END_TEST

START_TEST(duplicate_names_refused)
{
	static const char *const names[] = { "a", "b", "a*b", NULL };
	ml_columns columns = make_columns(names, ML_NO_COLUMN);
	ml_poly_options options;
	ml_poly_options_init(&options);
	options.columns = "a,b";
	ml_error err = { "" };
	ck_assert_ptr_null(ml_poly_stage_create(&columns, &options, &err));
	ck_assert_msg(strstr(err.message, "'a*b' twice"), "%s", err.message);
	ml_columns_free(&columns);
}
END_TEST

START_TEST(text_round_trip)
{
	static const char *const names[] = { "p", "a b", "y", "c", NULL };
	ml_stage *stage = make_stage(names, 2, 3, true, true, "a b,c");
	ml_buf text;
	ml_buf_init(&text);
	ml_stage_write(stage, &text);
	ck_assert_msg(strstr(text.data, "\ndegree 3\ninteraction-only true\nbias true\n"
				    "expand 2 \"a b\" c\nend\n"), "%s", text.data);
	ml_error err = { "" };
	ml_chain *chain = ml_chain_parse_text(text.data, text.length, "t", &err);
	ck_assert_msg(chain != NULL, "%s", err.message);
	const ml_stage *parsed = ml_chain_stage(chain, 0);
	ck_assert_uint_eq(ml_stage_digest(parsed), ml_stage_digest(stage));
	ck_assert(ml_columns_same_names(ml_stage_outputs(parsed), ml_stage_outputs(stage)));
	ck_assert_uint_eq(ml_stage_outputs(parsed)->target, ml_stage_outputs(stage)->target);
	ml_chain_free(chain);
	ml_buf_free(&text);
	ml_stage_free(stage);
}
END_TEST

/* Format 1 wrote the flags as yes / no: such files still read, the same. */
START_TEST(format_1_flags_read)
{
	const char *old = "stage poly\ninputs 3 a b y\ntarget 2 y\ndegree 2\n"
			  "interaction-only yes\nbias no\nexpand 2 a b\nend\n";
	const char *now = "stage poly\ninputs 3 a b y\ntarget 2 y\ndegree 2\n"
			  "interaction-only true\nbias false\nexpand 2 a b\nend\n";
	ml_error err = { "" };
	ml_chain *a = ml_chain_parse_text(old, strlen(old), "old", &err);
	ck_assert_msg(a != NULL, "%s", err.message);
	ml_chain *b = ml_chain_parse_text(now, strlen(now), "now", &err);
	ck_assert_msg(b != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_stage_digest(ml_chain_stage(a, 0)), ml_stage_digest(ml_chain_stage(b, 0)));
	ck_assert_uint_eq(ml_stage_outputs(ml_chain_stage(a, 0))->count, 4); /* a*b, no a^2 */
	ml_chain_free(a);
	ml_chain_free(b);
}
END_TEST

/* Parses a poly section over inputs a b y (target y); NULL means it must fail. */
static void expect_parse_failure(const char *body, const char *message)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_printf(&text, "stage poly\ninputs 3 a b y\ntarget 2 y\n%s", body);
	ml_error err = { "" };
	ml_chain *chain = ml_chain_parse_text(text.data, text.length, "s.stage", &err);
	ck_assert_msg(chain == NULL, "accepted: %s", body);
	ck_assert_msg(strstr(err.message, message), "'%s' lacks '%s'", err.message, message);
	ck_assert_msg(strncmp(err.message, "s.stage:", 8) == 0, "no place: %s", err.message);
	ml_buf_free(&text);
}

START_TEST(hostile_text_refused)
{
	const char *ok_tail = "interaction-only no\nbias no\nexpand 2 a b\nend\n";
	char body[256];
	snprintf(body, sizeof body, "degree 0\n%s", ok_tail);
	expect_parse_failure(body, "s.stage:4: 'degree': must be from 1 to 10");
	snprintf(body, sizeof body, "degree 11\n%s", ok_tail);
	expect_parse_failure(body, ":4: 'degree': '11' is not a whole number from 0 to 10");
	snprintf(body, sizeof body, "degree 99999999999999999999\n%s", ok_tail);
	expect_parse_failure(body, ":4:");
	expect_parse_failure("colour blue\n", ":4: expected 'degree', found 'colour'");
	expect_parse_failure("bias no\n", ":4: expected 'degree', found 'bias'");
	expect_parse_failure("degree 2\ninteraction-only maybe\n", ":5: 'interaction-only':"
			     " unknown value 'maybe'");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 2 a\nend\n",
			     ":7: 'expand' says 2 but lists 1");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 1 z\nend\n",
			     ":7: 'z' is not an input column");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 1 y\nend\n",
			     ":7: the target 'y' cannot be expanded");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 2 b a\nend\n",
			     ":7: expanded columns must be distinct and in input order");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 2 a a\nend\n",
			     "distinct");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 0\nend\n",
			     ":7: 'expand' needs at least 1 column");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 2 a b\nextra 1\n",
			     ":8: unknown or misplaced key 'extra' in a poly stage (expected 'end')");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 2 a b\nend 1\n",
			     ":8: 'end' takes 0 values");
	expect_parse_failure("degree 2\ninteraction-only no\nbias no\nexpand 2 a b\n",
			     "expected 'end'");
}
END_TEST

START_TEST(too_wide_text_refused)
{
	/* 200 columns at degree 10: C(210, 10) columns, far above ML_MAX_COLUMNS. */
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, "stage poly\ninputs 200");
	for (int i = 0; i < 200; i++)
		ml_buf_printf(&text, " c%d", i);
	ml_buf_puts(&text, "\ntarget none\ndegree 10\ninteraction-only no\nbias no\nexpand 200");
	for (int i = 0; i < 200; i++)
		ml_buf_printf(&text, " c%d", i);
	ml_buf_puts(&text, "\nend\n");
	ml_error err = { "" };
	ck_assert_ptr_null(ml_chain_parse_text(text.data, text.length, "wide", &err));
	ck_assert_msg(strstr(err.message, "wide:7: a degree 10 expansion of 200 columns would"
				     " make"), "%s", err.message);
	ck_assert_msg(strstr(err.message, "(limit 1048576)"), "%s", err.message);
	ml_buf_free(&text);
}
END_TEST

static Suite *poly_suite(void)
{
	Suite *suite = suite_create("poly");
	TCase *terms = tcase_create("terms");
	tcase_add_test(terms, counts_match_enumeration);
	tcase_add_test(terms, counts_match_binomial_formulas);
	tcase_add_test(terms, counts_report_overflow);
	tcase_add_test(terms, names_follow_sklearn_order);
	tcase_add_test(terms, names_spelled_out);
	tcase_add_test(terms, columns_choose_what_is_expanded);
	suite_add_tcase(suite, terms);
	TCase *apply = tcase_create("apply");
	tcase_add_test(apply, apply_multiplies_in_sklearn_order);
	tcase_add_test(apply, apply_interaction_only_and_missing);
	tcase_add_test(apply, width_and_guard);
	tcase_add_test(apply, duplicate_names_refused);
	suite_add_tcase(suite, apply);
	TCase *text = tcase_create("text");
	tcase_add_test(text, text_round_trip);
	tcase_add_test(text, format_1_flags_read);
	tcase_add_test(text, hostile_text_refused);
	tcase_add_test(text, too_wide_text_refused);
	suite_add_tcase(suite, text);
	return suite;
}

ML_CHECK_MAIN(poly_suite)
