/*
 * Tree model files: the tree, forest and gbdt fixtures under
 * tests/fixtures/models/ (which every later release must still read) parse,
 * write back to the same bytes and predict what an independent reading of
 * their trees predicts (tests/unit/tree_reference.py computed the values
 * below from the files' text, in plain Python); a file that is not a tree,
 * or whose lines disagree with its trees, is refused with its line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_file.h"
#include "models/ml_model.h"
#include "stages/ml_pipefile.h"

#define FIXTURES "tests/fixtures/models/"
#define TEMP "test_tree_models.tmp"
#define MAX_VALUES 3

static char *read_text(const char *name)
{
	char path[256], *text;
	size_t length;
	ml_error err;
	snprintf(path, sizeof path, FIXTURES "%s.model", name);
	ck_assert_msg(ml_file_read_all(path, ML_MAX_TEXT_FILE, &text, &length, &err) == 0, "%s",
		      err.message);
	return text;
}

static ml_model *read_fixture(const char *name)
{
	char path[256];
	ml_error err;
	snprintf(path, sizeof path, FIXTURES "%s.model", name);
	ml_model *model = ml_model_read(path, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	return model;
}

static const char *const fixtures[] = { "tree-iris", "tree-diabetes", "forest-penguins",
					"forest-diabetes", "gbdt-diabetes", "gbdt-breast_cancer",
					"gbdt-penguins" };
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])

START_TEST(fixtures_write_back_the_same_bytes)
{
	for (size_t i = 0; i < N_FIXTURES; i++) {
		char *text = read_text(fixtures[i]);
		ml_model *model = read_fixture(fixtures[i]);
		ml_buf written;
		ml_buf_init(&written);
		ml_model_write(model, &written);
		ck_assert(!written.failed);
		ck_assert_msg(strcmp(written.data, text) == 0, "%s differs", fixtures[i]);
		ml_buf_free(&written);
		ml_model_free(model);
		free(text);
	}
}
END_TEST

/* One fixture's rows (its features, NaN for missing) and their expected values. */
typedef struct expectation {
	const char *name;
	const char *kind;
	size_t n_classes; /* 0: regression */
	size_t n_rows;
	double features[4][30];
	double values[4][MAX_VALUES]; /* probabilities, or the prediction */
} expectation;

#define X NAN
/* From tests/unit/tree_reference.py (its ROWS are these rows). */
static const expectation expectations[] = {
	{ "tree-iris", "tree", 3, 4,
	  { { 5.1, 3.5, 1.4, 0.2 }, { 6.3, 2.5, 4.9, 1.5 }, { 6.5, 3.0, X, 2.0 }, { X, X, X, X } },
	  { { 1.0, 0.0, 0.0 }, { 0.0, 0.9791666666666666, 0.020833333333333332 },
	    { 0.0, 0.0, 1.0 }, { 0.0, 0.9791666666666666, 0.020833333333333332 } } },
	{ "tree-diabetes", "tree", 0, 3,
	  { { 59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87 },
	    { 48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69 },
	    { 60, 2, X, 100.0, 200, 120.0, 50.0, 4.0, X, 90 } },
	  { { 208.57142857142858 }, { 83.36904761904765 }, { 176.86486486486487 } } },
	{ "forest-penguins", "forest", 3, 4,
	  { { 0, 0, 1, 39.1, 18.7, 181, 3750, 0, 1, 2007 },
	    { 1, 0, 0, 46.1, 13.2, 211, 4500, 1, 0, 2007 },
	    { 0, 1, 0, 46.5, 17.9, 192, 3500, 1, 0, 2007 },
	    { 0, 0, 1, X, X, X, X, X, X, 2007 } },
	  { { 1.0, 0.0, 0.0 }, { 0.01730769230769231, 0.009345794392523364, 0.9733465132997843 },
	    { 0.19738557238557236, 0.7994092994092994, 0.003205128205128205 },
	    { 0.75, 0.009345794392523364, 0.24065420560747663 } } },
	{ "forest-diabetes", "forest", 0, 2,
	  { { 59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87 },
	    { 48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69 } },
	  { { 160.56669858855776 }, { 107.03971756398944 } } },
	{ "gbdt-diabetes", "gbdt", 0, 3,
	  { { 59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87 },
	    { 48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69 },
	    { X, X, X, X, X, X, X, X, X, X } },
	  { { 201.95912291432813 }, { 118.25589268429165 }, { 150.50992565518163 } } },
	{ "gbdt-breast_cancer", "gbdt", 2, 2,
	  { { 17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871,
	      1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003,
	      0.006193, 25.38, 17.33, 184.6, 2019.0, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601,
	      0.1189 },
	    { 13.54, 14.36, 87.46, 566.3, 0.09779, 0.08129, 0.06664, 0.04781, 0.1885, 0.05766,
	      0.2699, 0.7886, 2.058, 23.56, 0.008462, 0.0146, 0.02387, 0.01315, 0.0198, 0.0023,
	      15.11, 19.26, 99.7, 711.2, 0.144, 0.1773, 0.239, 0.1288, 0.2977, 0.07259 } },
	  { { 0.47865790051301593, 0.5213420994869841 },
	    { 0.746009808606368, 0.25399019139363194 } } },
	{ "gbdt-penguins", "gbdt", 3, 4,
	  { { 0, 0, 1, 39.1, 18.7, 181, 3750, 0, 1, 2007 },
	    { 1, 0, 0, 46.1, 13.2, 211, 4500, 1, 0, 2007 },
	    { 0, 1, 0, 46.5, 17.9, 192, 3500, 1, 0, 2007 },
	    { 0, 0, 1, X, X, X, X, X, X, 2007 } },
	  { { 0.6672285585780755, 0.12308958149203274, 0.2096818599298918 },
	    { 0.25411096816197, 0.12437940478890427, 0.6215096270491257 },
	    { 0.27465418935220054, 0.49633770394099863, 0.22900810670680088 },
	    { 0.57603703311668, 0.14344398201726827, 0.28051898486605165 } } },
};
#undef X

static void assert_close(double got, double want, const char *name)
{
	ck_assert_msg(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
		      name, got, want);
}

START_TEST(fixtures_predict_what_their_trees_say)
{
	for (size_t e = 0; e < sizeof expectations / sizeof expectations[0]; e++) {
		const expectation *x = &expectations[e];
		ml_model *model = read_fixture(x->name);
		ck_assert_str_eq(ml_model_kind(model), x->kind);
		ck_assert_int_eq(ml_model_task(model), x->n_classes ? ML_TASK_CLASSIFICATION
							       : ML_TASK_REGRESSION);
		ck_assert_uint_eq(ml_model_n_classes(model), x->n_classes);
		const ml_columns *columns = ml_model_columns(model);
		size_t width = columns->count, n_classes = x->n_classes;
		double rows[4 * 32], predictions[4], probabilities[4 * MAX_VALUES];
		for (size_t r = 0; r < x->n_rows; r++)
			for (size_t c = 0, f = 0; c < width; c++)
				rows[r * width + c] = c == columns->target ? NAN : x->features[r][f++];
		ml_error err;
		ck_assert_int_eq(ml_model_predict(model, rows, x->n_rows, predictions,
						  n_classes ? probabilities : NULL, NULL, &err), 0);
		for (size_t r = 0; r < x->n_rows; r++) {
			if (!n_classes) {
				assert_close(predictions[r], x->values[r][0], x->name);
				continue;
			}
			size_t best = 0;
			for (size_t k = 0; k < n_classes; k++) {
				assert_close(probabilities[r * n_classes + k], x->values[r][k], x->name);
				best = x->values[r][k] > x->values[r][best] ? k : best;
			}
			ck_assert_msg(predictions[r] == (double)best, "%s row %zu", x->name, r);
		}
		ml_model_free(model);
	}
}
END_TEST

START_TEST(descriptions_rank_the_importances)
{
	ml_model *model = read_fixture("tree-iris");
	ml_buf text;
	ml_buf_init(&text);
	ml_model_describe(model, &text);
	ck_assert(!text.failed);
	const char *petal_length = strstr(text.data, "\n  petal_length ");
	const char *petal_width = strstr(text.data, "\n  petal_width ");
	const char *sepal_width = strstr(text.data, "\n  sepal_width ");
	ck_assert_msg(petal_length && petal_width && sepal_width, "%s", text.data);
	ck_assert(petal_length < petal_width && petal_width < sepal_width);
	ck_assert_msg(strstr(text.data, "training accuracy: 0.973333\n"), "%s", text.data);
	ml_buf_free(&text);
	ml_model_free(model);
	model = read_fixture("forest-penguins");
	ml_buf_init(&text);
	ml_model_describe(model, &text);
	ck_assert_msg(strstr(text.data, "out-of-bag accuracy: 0.971831\n"), "%s", text.data);
	ml_buf_free(&text);
	ml_model_free(model);
	model = read_fixture("gbdt-diabetes");
	ml_buf_init(&text);
	ml_model_describe(model, &text);
	ck_assert_msg(strstr(text.data, "rounds: 8 kept of 8 run\n") &&
		      strstr(text.data, "validation loss: 3689.41033 on 111 rows\n"), "%s",
		      text.data);
	ml_buf_free(&text);
	ml_model_free(model);
}
END_TEST

/*
 * The fixture with the first line starting with `line` replaced by
 * `replacement` (or, when replacement is NULL, by `extra` lines inserted
 * before it) must be refused with message, at line `at` of the file.
 */
static void expect_refused(const char *name, const char *line, const char *replacement,
			   const char *message, size_t at)
{
	char *text = read_text(name);
	char *found = strstr(text, line);
	ck_assert_msg(found && (found == text || found[-1] == '\n'), "%s: no line '%s'", name,
		      line);
	char *end = strchr(found, '\n');
	FILE *f = fopen(TEMP, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%.*s%s%s", (int)(found - text), text, replacement, end);
	fclose(f);
	free(text);
	ml_error err;
	ml_model *model = ml_model_read(TEMP, &err);
	ck_assert_msg(!model, "%s: '%s' was accepted", name, replacement);
	char place[64];
	snprintf(place, sizeof place, TEMP ":%zu: ", at);
	ck_assert_msg(strncmp(err.message, place, strlen(place)) == 0 &&
		      strstr(err.message, message), "%s: '%s': %s", name, replacement, err.message);
	remove(TEMP);
}

/* The line number of the first line starting with `line` in the fixture. */
static size_t line_of(const char *name, const char *line)
{
	char *text = read_text(name);
	char *found = strstr(text, line);
	ck_assert_ptr_nonnull(found);
	size_t number = 1;
	for (const char *p = text; p < found; p++)
		number += *p == '\n';
	free(text);
	return number;
}

START_TEST(what_is_not_a_tree_is_refused_with_its_line)
{
	const char *iris = "tree-iris";
	size_t split3 = line_of(iris, "split 3 "), split6 = line_of(iris, "split 6 ");
	expect_refused(iris, "split 3 ", "split 3 2 4.95 2 5 left 2.2 54 54",
		       "child 2 is not after its parent (a cycle)", split3);
	expect_refused(iris, "split 6 ", "split 6 2 4.85 7 9 right 0.3 46 46",
		       "child 9 is not in the tree", split6);
	expect_refused(iris, "split 0 ", "split 0 2 nan 1 2 right 25 150 150",
		       "the threshold is NaN", line_of(iris, "split 0 "));
	expect_refused(iris, "split 0 ", "split 0 7 2.45 1 2 right 25 150 150",
		       "feature 7 is not below the feature count 4", line_of(iris, "split 0 "));
	expect_refused(iris, "tree 0 nodes", "tree 0 nodes 10", "expected 'split', found"
		       " 'importances'",
		       line_of(iris, "importances"));
	expect_refused(iris, "ensemble", "ensemble forest", "a forest ensemble in a tree model",
		       line_of(iris, "ensemble"));
	expect_refused(iris, "features 4", "features 5", "the trees have 5 features",
		       line_of(iris, "ensemble"));
	expect_refused(iris, "importance petal_width", "importance petal_width 19.5 1",
		       "is not what its splits in the trees add up to",
		       line_of(iris, "importance petal_width"));
	expect_refused(iris, "importance petal_width", "importance sepal_width 0 0",
		       "expected the importance of feature 'petal_width'",
		       line_of(iris, "importance petal_width"));
	const char *gbdt = "gbdt-breast_cancer";
	expect_refused(gbdt, "rounds 4", "rounds 3", "3 rounds of 1 trees, but 4 trees",
		       line_of(gbdt, "rounds 4"));
	expect_refused(gbdt, "rounds-run 4", "rounds-run 5", "not between the 4 kept and the 4",
		       line_of(gbdt, "rounds-run"));
	const char *forest = "forest-penguins";
	expect_refused(forest, "trees 4\n", "trees 5", "4 trees but 'trees' says 5",
		       line_of(forest, "ensemble"));
	expect_refused(forest, "trees 4\ntree 0", "trees 5", "expected 'tree', found 'importances'",
		       line_of(forest, "importances"));
	expect_refused(forest, "trees 4\ntree 0", "trees 3", "3 trees but 'trees' says 4",
		       line_of(forest, "ensemble"));
}
END_TEST

/* A chain of 130 splits, each with a leaf on its left: deeper than 128 levels. */
START_TEST(a_deep_tree_is_refused)
{
	ml_buf deep;
	ml_buf_init(&deep);
	size_t n_splits = 130, n_nodes = 2 * n_splits + 1;
	ml_buf_printf(&deep, "tree 0 nodes %zu\n", n_nodes);
	for (size_t i = 0; i < n_splits; i++) {
		ml_buf_printf(&deep, "split %zu 0 1 %zu %zu left 1 1 1\n", 2 * i, 2 * i + 1,
			      2 * i + 2);
		ml_buf_printf(&deep, "leaf %zu 1 0 0 1 1\n", 2 * i + 1);
	}
	ml_buf_printf(&deep, "leaf %zu 0 1 0 1 1", n_nodes - 1);
	char *text = read_text("tree-iris");
	char *first = strstr(text, "tree 0 nodes"), *after = strstr(text, "importances");
	FILE *f = fopen(TEMP, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%.*s%s\n%s", (int)(first - text), text, deep.data, after);
	fclose(f);
	ml_error err;
	ck_assert_ptr_null(ml_model_read(TEMP, &err));
	ck_assert_msg(strstr(err.message, "deeper than 128 levels"), "%s", err.message);
	remove(TEMP);
	free(text);
	ml_buf_free(&deep);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tree models");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, fixtures_write_back_the_same_bytes);
	tcase_add_test(tc, fixtures_predict_what_their_trees_say);
	tcase_add_test(tc, descriptions_rank_the_importances);
	tcase_add_test(tc, what_is_not_a_tree_is_refused_with_its_line);
	tcase_add_test(tc, a_deep_tree_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

ML_CHECK_MAIN(suite)
