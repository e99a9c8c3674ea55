/*
 * ml_cv: the fold loop trains on index subsets exactly as on copies of
 * the rows, deals the rows as ml_split_folds does (stratified by class
 * first appearance for a classification), scores with ml_metrics, and
 * refuses what it cannot cross-validate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "math/ml_metrics.h"
#include "models/ml_cv.h"
#include "models/ml_model.h"
#include "stages/ml_split.h"

/* A deterministic pseudo-random stream in [-1, 1). */
static double noise(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return (double)(*state >> 11) / 4503599627370496.0 - 1.0;
}

static char *regression_names[] = { "x1", "x2", "y" };
static const ml_columns regression_columns = { 3, regression_names, 2 };

/* Rows (x1 x2 y) with y = 3 x1 - 2 x2 + 1 + noise. */
static double *regression_rows(size_t n_rows)
{
	double *values = malloc(n_rows * 3 * sizeof *values);
	unsigned long state = 11;
	for (size_t r = 0; r < n_rows; r++) {
		double x1 = noise(&state), x2 = noise(&state);
		values[r * 3] = x1;
		values[r * 3 + 1] = x2;
		values[r * 3 + 2] = 3 * x1 - 2 * x2 + 1 + 0.5 * noise(&state);
	}
	return values;
}

static ml_cv *validate(const char *kind, size_t n_folds, uint64_t seed,
		       const ml_training_data *data, ml_error *err)
{
	ml_fit_options fit;
	ml_cv_options options;
	ml_fit_options_init(&fit, ml_estimator_find(kind));
	fit.seed = seed;
	ml_cv_options_init(&options);
	options.n_folds = n_folds;
	return ml_cross_validate(&options, &fit, data, err);
}

/*
 * Each fold's scores against a model fitted on a copy of the fold's
 * training rows (dealt by ml_split_folds) and scored by ml_metrics.
 */
START_TEST(folds_score_as_copies_do)
{
	enum { ROWS = 103, FOLDS = 4 };
	double *values = regression_rows(ROWS);
	ml_training_data data = { .name = "t", .columns = &regression_columns, .values = values,
				  .n_rows = ROWS };
	ml_error err;
	ml_cv *cv = validate("ridge", FOLDS, 5, &data, &err);
	ck_assert_msg(cv != NULL, "%s", err.message);
	ck_assert_int_eq(ml_cv_task(cv), ML_TASK_REGRESSION);
	ck_assert(!ml_cv_stratified(cv));
	ck_assert_uint_eq(ml_cv_n_metrics(cv), 3);
	ck_assert_str_eq(ml_cv_metric_name(cv, 0), "r2");
	ck_assert_str_eq(ml_cv_metric_name(cv, 1), "root_mean_squared_error");
	ck_assert_str_eq(ml_cv_metric_name(cv, 2), "mean_absolute_error");

	size_t fold_of[ROWS];
	ck_assert_int_eq(ml_split_folds(5, FOLDS, ROWS, NULL, 0, fold_of, &err), 0);
	double *train = malloc(ROWS * 3 * sizeof *train), *test = malloc(ROWS * 3 * sizeof *test);
	double predicted[ROWS], truth[ROWS], sum = 0;
	for (size_t k = 0; k < FOLDS; k++) {
		size_t n_train = 0, n_test = 0;
		for (size_t r = 0; r < ROWS; r++) {
			double *to = fold_of[r] == k ? test + n_test++ * 3 : train + n_train++ * 3;
			memcpy(to, values + r * 3, 3 * sizeof *to);
		}
		ck_assert_uint_eq(ml_cv_train_rows(cv, k), n_train);
		ck_assert_uint_eq(ml_cv_test_rows(cv, k), n_test);
		ml_training_data copy = { .name = "t", .columns = &regression_columns,
					  .values = train, .n_rows = n_train };
		ml_fit_options fit;
		ml_fit_options_init(&fit, ml_estimator_find("ridge"));
		ml_model *model = ml_model_fit(&fit, &copy, &err);
		ck_assert_msg(model != NULL, "%s", err.message);
		ck_assert_int_eq(ml_model_predict(model, test, n_test, predicted, NULL, NULL, &err), 0);
		for (size_t i = 0; i < n_test; i++)
			truth[i] = test[i * 3 + 2];
		ml_regression_scores scores;
		ck_assert_int_eq(ml_score_regression(truth, predicted, n_test, &scores, &err), 0);
		/* The same rows in the same order: the same bits. */
		ck_assert(ml_cv_score(cv, k, 0) == scores.r2);
		ck_assert(ml_cv_score(cv, k, 1) == scores.root_mean_squared_error);
		ck_assert(ml_cv_score(cv, k, 2) == scores.mean_absolute_error);
		ck_assert(scores.r2 > 0.8);
		sum += scores.r2;
		ml_model_free(model);
	}
	double mean = sum / FOLDS, squares = 0;
	for (size_t k = 0; k < FOLDS; k++)
		squares += (ml_cv_score(cv, k, 0) - mean) * (ml_cv_score(cv, k, 0) - mean);
	ck_assert(fabs(ml_cv_mean(cv, 0) - mean) < 1e-15);
	ck_assert(fabs(ml_cv_std(cv, 0) - sqrt(squares / FOLDS)) < 1e-15);
	ml_cv_free(cv);
	free(train);
	free(test);
	free(values);
}
END_TEST

static char *class_names[] = { "x", "class" };
static const ml_columns class_columns = { 2, class_names, 1 };

static int n_warnings;
static char last_warning[512];

static void keep_warning(void *context, const char *message)
{
	(void)context;
	n_warnings++;
	snprintf(last_warning, sizeof last_warning, "%s", message);
}

/*
 * Classes 7 (first seen), 2 and 5, of 12, 9 and 6 rows, x the class plus
 * noise: stratified folds hold 4, 3 and 2 of them, as ml_split_folds
 * deals the strata 0 (class 7), 1 (class 2), 2 (class 5).
 */
START_TEST(classes_are_stratified_in_first_seen_order)
{
	enum { ROWS = 27, FOLDS = 3 };
	double values[ROWS * 2];
	size_t strata[ROWS];
	unsigned long state = 3;
	for (size_t r = 0; r < ROWS; r++) {
		size_t stratum = r < 12 ? 0 : r < 21 ? 1 : 2;
		static const double class_of[] = { 7, 2, 5 };
		/* Interleaved, so first appearance is not sorted order. */
		size_t row = (r * 10) % ROWS;
		strata[row] = stratum;
		values[row * 2 + 1] = class_of[stratum];
		values[row * 2] = class_of[stratum] + 0.3 * noise(&state);
	}
	size_t renumbered[3] = { 3, 3, 3 }, seen = 0;
	for (size_t r = 0; r < ROWS; r++) { /* the classes in first-seen order */
		if (renumbered[strata[r]] == 3)
			renumbered[strata[r]] = seen++;
		strata[r] = renumbered[strata[r]];
	}
	ml_training_data data = { .name = "t", .columns = &class_columns, .values = values,
				  .n_rows = ROWS };
	ml_error err;
	ml_cv *cv = validate("logistic", FOLDS, 9, &data, &err);
	ck_assert_msg(cv != NULL, "%s", err.message);
	ck_assert_int_eq(ml_cv_task(cv), ML_TASK_CLASSIFICATION);
	ck_assert(ml_cv_stratified(cv));
	ck_assert_str_eq(ml_cv_metric_name(cv, 0), "accuracy");
	ck_assert_str_eq(ml_cv_metric_name(cv, 1), "balanced_accuracy");
	ck_assert_str_eq(ml_cv_metric_name(cv, 2), "f1_macro");
	size_t fold_of[ROWS];
	ck_assert_int_eq(ml_split_folds(9, FOLDS, ROWS, strata, 3, fold_of, &err), 0);
	for (size_t k = 0; k < FOLDS; k++) {
		size_t n_test = 0;
		for (size_t r = 0; r < ROWS; r++)
			n_test += fold_of[r] == k;
		ck_assert_uint_eq(ml_cv_test_rows(cv, k), n_test);
		ck_assert_uint_eq(ml_cv_test_rows(cv, k), 9);
		/* Well separated classes: every prediction right. */
		ck_assert(ml_cv_score(cv, k, 0) == 1);
		ck_assert(ml_cv_score(cv, k, 2) == 1);
	}
	ck_assert(ml_cv_mean(cv, 0) == 1 && ml_cv_std(cv, 0) == 0);
	ck_assert_uint_eq(ml_cv_warnings(cv), 0);
	ml_buf json;
	ml_buf_init(&json);
	ml_cv_format(cv, true, &json);
	ck_assert_ptr_nonnull(strstr(json.data, "\"scores\": [1, 1, 1]"));
	ck_assert_ptr_nonnull(strstr(json.data, "\"stratified\": true"));
	ml_buf_free(&json);
	ml_cv_free(cv);
}
END_TEST

/*
 * A class of one row: a warning as StratifiedKFold's, and the fold whose
 * training part lacks it still scores, its row counted wrong.
 */
START_TEST(a_rare_class_warns_and_scores)
{
	enum { ROWS = 21, FOLDS = 4 };
	double values[ROWS * 2];
	unsigned long state = 5;
	for (size_t r = 0; r < ROWS; r++) {
		double cls = r == 20 ? 2 : (double)(r % 2);
		values[r * 2 + 1] = cls;
		values[r * 2] = 10 * cls + 0.3 * noise(&state);
	}
	ml_training_data data = { .name = "t", .columns = &class_columns, .values = values,
				  .n_rows = ROWS };
	ml_fit_options fit;
	ml_cv_options options;
	ml_error err;
	ml_fit_options_init(&fit, ml_estimator_find("logistic"));
	ck_assert_int_eq(ml_fit_options_set(&fit, "max-iter", "1000", &err), 0);
	fit.warning = keep_warning;
	ml_cv_options_init(&options);
	options.n_folds = FOLDS;
	n_warnings = 0;
	ml_cv *cv = ml_cross_validate(&options, &fit, &data, &err);
	ck_assert_msg(cv != NULL, "%s", err.message);
	ck_assert_int_ge(n_warnings, 1);
	double wrong = 0;
	for (size_t k = 0; k < FOLDS; k++)
		wrong += (1 - ml_cv_score(cv, k, 0)) * (double)ml_cv_test_rows(cv, k);
	ck_assert(fabs(wrong - 1) < 1e-12); /* the lone class 2 row, never seen in training */
	ml_cv_free(cv);

	/* Every class with fewer rows than folds: refused. */
	options.n_folds = 11;
	ck_assert_ptr_null(ml_cross_validate(&options, &fit, &data, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "every class has fewer rows"));
}
END_TEST

START_TEST(refusals)
{
	double *values = regression_rows(10);
	ml_training_data data = { .name = "t", .columns = &regression_columns, .values = values,
				  .n_rows = 10 };
	ml_error err;
	ck_assert_ptr_null(validate("linear", 11, 0, &data, &err));
	ck_assert_str_eq(err.message, "t: 10 rows cannot be dealt into 11 folds");
	ck_assert_ptr_null(validate("linear", 1, 0, &data, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "needs 2 to"));
	ck_assert_ptr_null(validate("kmeans", 3, 0, &data, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "'kmeans' is a clustering"));
	size_t subset[] = { 1, 2, 3 };
	data.row_index = subset;
	ck_assert_ptr_null(validate("linear", 2, 0, &data, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "in memory"));
	data.row_index = NULL;
	values[5 * 3] = NAN; /* a missing feature names its row, through the fold's index */
	ck_assert_ptr_null(validate("linear", 2, 0, &data, &err));
	ck_assert_msg(strstr(err.message, "t: row 6: column 'x1' is missing"), "%s", err.message);
	values[3 * 3 + 2] = NAN; /* a missing target: refused before any fold */
	ck_assert_ptr_null(validate("linear", 2, 0, &data, &err));
	ck_assert_msg(strstr(err.message, "row 4: the target 'y' is missing"), "%s", err.message);
	free(values);
}
END_TEST

static Suite *cv_suite(void)
{
	Suite *suite = suite_create("cv");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, folds_score_as_copies_do);
	tcase_add_test(tc, classes_are_stratified_in_first_seen_order);
	tcase_add_test(tc, a_rare_class_warns_and_scores);
	tcase_add_test(tc, refusals);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(cv_suite)
