/*
 * Model files: the fixtures under tests/fixtures/models/ (which every later
 * release must still read) parse, write back to the same bytes and give
 * the recorded predictions; ml_model_predict's checks.  The recorded values
 * were computed from the fixtures' coefficients by numpy, independently.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_file.h"
#include "models/ml_model.h"
#include "models/ml_model_impl.h"
#include "stages/ml_pipefile.h"

#define FIXTURES "tests/fixtures/models/"

static ml_model *read_fixture(const char *name)
{
	char path[256];
	ml_error err;
	snprintf(path, sizeof path, FIXTURES "%s.model", name);
	ml_model *model = ml_model_read(path, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	return model;
}

/* One row in the model's layout: the features given, NaN for the target. */
static void make_row(const ml_model *model, const double *features, double *row)
{
	const ml_columns *columns = ml_model_columns(model);
	for (size_t c = 0, f = 0; c < columns->count; c++)
		row[c] = c == columns->target ? NAN : features[f++];
}

static void assert_close(double got, double want, double tolerance)
{
	ck_assert_msg(fabs(got - want) <= tolerance * fmax(1.0, fabs(want)),
		      "got %.17g, want %.17g", got, want);
}

START_TEST(fixtures_write_back_the_same_bytes)
{
	const char *names[] = { "linear", "ridge", "logistic-binary", "logistic-multinomial" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[256], *text;
		size_t length;
		ml_error err;
		snprintf(path, sizeof path, FIXTURES "%s.model", names[i]);
		ck_assert_int_eq(ml_file_read_all(path, ML_MAX_TEXT_FILE, &text, &length, &err), 0);
		ml_model *model = read_fixture(names[i]);
		ml_buf written;
		ml_buf_init(&written);
		ml_model_write(model, &written);
		ck_assert(!written.failed);
		/* Format 1 fixtures come back in format 2: only the version line differs. */
		const char *old_rest = strchr(text, '\n'), *new_rest = strchr(written.data, '\n');
		ck_assert(strncmp(text, "mlpipe 1\n", 9) == 0);
		ck_assert(strncmp(written.data, "mlpipe 2\n", 9) == 0);
		ck_assert_uint_eq(written.length - (size_t)(new_rest - written.data),
				  length - (size_t)(old_rest - text));
		ck_assert_msg(strcmp(new_rest, old_rest) == 0, "%s differs", names[i]);
		ml_buf_free(&written);
		ml_model_free(model);
		free(text);
	}
}
END_TEST

START_TEST(linear_fixtures_predict_the_recorded_values)
{
	static const double features[2][10] = {
		{ 59, 2, 32.1, 101.0, 157, 93.2, 38.0, 4.0, 4.8598, 87 },
		{ 48, 1, 21.6, 87.0, 183, 103.2, 70.0, 3.0, 3.8918, 69 },
	};
	static const double linear[2] = { 206.11667724510562, 68.071032973068668 };
	static const double ridge[2] = { 205.84118620597098, 68.473130962022765 };
	const char *names[] = { "linear", "ridge" };
	const double *expected[] = { linear, ridge };
	for (size_t m = 0; m < 2; m++) {
		ml_model *model = read_fixture(names[m]);
		ck_assert_str_eq(ml_model_kind(model), names[m]);
		ck_assert_int_eq(ml_model_task(model), ML_TASK_REGRESSION);
		ck_assert_uint_eq(ml_model_n_features(model), 10);
		double rows[2 * 11], predictions[2];
		ml_error err;
		make_row(model, features[0], rows);
		make_row(model, features[1], rows + 11);
		ck_assert_int_eq(ml_model_predict(model, rows, 2, predictions, NULL, NULL, &err), 0);
		for (size_t r = 0; r < 2; r++)
			assert_close(predictions[r], expected[m][r], 1e-12);
		ml_model_free(model);
	}
}
END_TEST

START_TEST(multinomial_fixture_predicts_classes_and_probabilities)
{
	static const double features[3][4] = {
		{ 5.1, 3.5, 1.4, 0.2 }, { 7.0, 3.2, 4.7, 1.4 }, { 6.3, 3.3, 6.0, 2.5 },
	};
	static const double expected[3][3] = {
		{ 0.98158309914007802, 0.01841688636065927, 1.4499262684260434e-08 },
		{ 0.0021267712789312344, 0.87395271132682628, 0.1239205173942426 },
		{ 9.0525085941840641e-07, 0.0039127497604738706, 0.99608634498866666 },
	};
	ml_model *model = read_fixture("logistic-multinomial");
	ck_assert_int_eq(ml_model_task(model), ML_TASK_CLASSIFICATION);
	ck_assert_uint_eq(ml_model_n_classes(model), 3);
	ck_assert_str_eq(ml_model_class_name(model, 2), "virginica");
	double rows[3 * 5], predictions[3], probabilities[9];
	ml_error err;
	for (size_t r = 0; r < 3; r++)
		make_row(model, features[r], rows + r * 5);
	ck_assert_int_eq(ml_model_predict(model, rows, 3, predictions, probabilities, NULL, &err), 0);
	for (size_t r = 0; r < 3; r++) {
		ck_assert(predictions[r] == (double)r);
		for (size_t k = 0; k < 3; k++)
			ck_assert(fabs(probabilities[r * 3 + k] - expected[r][k]) <= 1e-12);
	}
	/* Without probabilities, the same classes. */
	ck_assert_int_eq(ml_model_predict(model, rows, 3, predictions, NULL, NULL, &err), 0);
	ck_assert(predictions[2] == 2);
	ml_model_free(model);
}
END_TEST

START_TEST(binary_fixture_predicts_classes_and_probabilities)
{
	static const double expected[2][2] = {
		{ 1.7763568394002505e-15, 0.99999999999999822 },
		{ 0.96498815941587957, 0.035011840584120463 },
	};
	static const double features[2][30] = {
		{ 17.99, 10.38, 122.8, 1001.0, 0.1184, 0.2776, 0.3001, 0.1471, 0.2419, 0.07871,
		  1.095, 0.9053, 8.589, 153.4, 0.006399, 0.04904, 0.05373, 0.01587, 0.03003,
		  0.006193, 25.38, 17.33, 184.6, 2019.0, 0.1622, 0.6656, 0.7119, 0.2654, 0.4601,
		  0.1189 },
		{ 0 },
	};
	ml_model *model = read_fixture("logistic-binary");
	ck_assert_str_eq(ml_model_class_name(model, 0), "benign");
	ck_assert_str_eq(ml_model_class_name(model, 1), "malignant");
	ck_assert_ptr_null(ml_model_class_name(model, 2));
	/* Row 20 of breast_cancer.csv, read from the data file. */
	FILE *data = fopen("tests/data/breast_cancer.csv", "r");
	char line[4096];
	ck_assert_ptr_nonnull(data);
	for (int i = 0; i <= 20; i++)
		ck_assert_ptr_nonnull(fgets(line, sizeof line, data));
	fclose(data);
	double second[30];
	char *p = line;
	for (size_t f = 0; f < 30; f++) {
		second[f] = strtod(p, &p);
		p++;
	}
	double rows[2 * 31], predictions[2], probabilities[4];
	ml_error err;
	make_row(model, features[0], rows);
	make_row(model, second, rows + 31);
	ck_assert_int_eq(ml_model_predict(model, rows, 2, predictions, probabilities, NULL, &err), 0);
	ck_assert(predictions[0] == 1 && predictions[1] == 0);
	for (size_t r = 0; r < 2; r++)
		for (size_t k = 0; k < 2; k++)
			ck_assert(fabs(probabilities[r * 2 + k] - expected[r][k]) <= 1e-12);
	ml_model_free(model);
}
END_TEST

START_TEST(missing_feature_names_row_and_column)
{
	ml_model *model = read_fixture("linear");
	double rows[3 * 11] = { 0 }, predictions[3];
	ml_error err;
	rows[2 * 11 + 2] = NAN; /* row 3, column 3 = bmi */
	size_t bad_row = 99;
	ck_assert_int_eq(ml_model_predict(model, rows, 3, predictions, NULL, &bad_row, &err), -1);
	ck_assert_uint_eq(bad_row, 2);
	ck_assert_msg(strncmp(err.message, "column 'bmi' is missing", 23) == 0, "%s", err.message);
	/* A missing target is fine: it is not a feature. */
	rows[2 * 11 + 2] = 0;
	rows[10] = NAN;
	ck_assert_int_eq(ml_model_predict(model, rows, 3, predictions, NULL, NULL, &err), 0);
	ml_model_free(model);
}
END_TEST

START_TEST(stage_file_is_not_a_model)
{
	const char *path = "test_model_stage.tmp";
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("mlpipe 1\ncreated-by mlpipe 0.1.0\n", f);
	fclose(f);
	ml_error err;
	ck_assert_ptr_null(ml_model_read(path, &err));
	ck_assert_msg(strstr(err.message, "a stage file, not a model") != NULL, "%s", err.message);
	remove(path);
}
END_TEST

/* Each row's class index, against a plain count of the smaller distinct values. */
static void check_classes(const double *targets, size_t stride, size_t n, size_t max_classes)
{
	ml_error err;
	ml_model *model = ml_model_new(NULL, ML_TASK_CLASSIFICATION, &err);
	size_t *class_of_row = malloc(n * sizeof *class_of_row);
	ck_assert_ptr_nonnull(model);
	ck_assert_int_eq(ml_model_set_classes(model, targets, stride, n, NULL, 0, max_classes,
					      class_of_row, &err), 0);
	for (size_t r = 0; r < n; r++) {
		size_t below = 0;
		for (size_t k = 0; k < model->n_classes; k++)
			below += strtod(model->class_names[k], NULL) < targets[r * stride];
		ck_assert_uint_eq(class_of_row[r], below);
		ck_assert_double_eq(strtod(model->class_names[below], NULL), targets[r * stride]);
	}
	for (size_t k = 1; k < model->n_classes; k++)
		ck_assert(strtod(model->class_names[k - 1], NULL) <
			  strtod(model->class_names[k], NULL));
	free(class_of_row);
	ml_model_free(model);
}

START_TEST(classes_are_the_sorted_distinct_targets)
{
	/* Few classes (the sorted set), then 600 (past it: the sort), strided. */
	double few[] = { 3, 9, 1, 9, 3, 3, 2, 9, -4, 1, 2, 2 };
	check_classes(few, 1, 12, 1000);
	check_classes(few, 2, 6, 1000);
	double *many = malloc(2400 * sizeof *many);
	for (size_t r = 0; r < 2400; r++)
		many[r] = (double)((r * 7919) % 600) - 300;
	check_classes(many, 1, 2400, 1000);
	free(many);
}
END_TEST

START_TEST(classes_refuse_too_many_and_missing_targets)
{
	ml_error err;
	ml_model *model = ml_model_new(NULL, ML_TASK_CLASSIFICATION, &err);
	size_t class_of_row[400];
	double targets[400];
	for (size_t r = 0; r < 400; r++)
		targets[r] = (double)(r % 300);
	ck_assert_int_eq(ml_model_set_classes(model, targets, 1, 400, NULL, 0, 3, class_of_row,
					      &err), -1);
	ck_assert_msg(strstr(err.message, "more than 3 distinct") != NULL, "%s", err.message);
	ck_assert_int_eq(ml_model_set_classes(model, targets, 1, 400, NULL, 0, 299, class_of_row,
					      &err), -1);
	ck_assert_msg(strstr(err.message, "more than 299 distinct") != NULL, "%s", err.message);
	targets[5] = NAN;
	ck_assert_int_eq(ml_model_set_classes(model, targets, 1, 400, NULL, 0, 1000, class_of_row,
					      &err), -1);
	ck_assert_msg(strstr(err.message, "row 6") != NULL, "%s", err.message);
	ml_model_free(model);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *suite = suite_create("model");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, fixtures_write_back_the_same_bytes);
	tcase_add_test(tc, linear_fixtures_predict_the_recorded_values);
	tcase_add_test(tc, multinomial_fixture_predicts_classes_and_probabilities);
	tcase_add_test(tc, binary_fixture_predicts_classes_and_probabilities);
	tcase_add_test(tc, missing_feature_names_row_and_column);
	tcase_add_test(tc, stage_file_is_not_a_model);
	tcase_add_test(tc, classes_are_the_sorted_distinct_targets);
	tcase_add_test(tc, classes_refuse_too_many_and_missing_targets);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(model_suite)
