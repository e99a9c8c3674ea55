/*
 * ml_estimator: the registry and every kind's parameter table are sound
 * (defaults parse, words cannot be mistaken for numbers, names are unique),
 * values read back as they are written, and the messages list the kinds.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "models/ml_estimator.h"
#include "models/ml_model.h"

START_TEST(every_table_is_sound)
{
	ck_assert_uint_ge(ml_estimator_count(), 3);
	for (size_t k = 0; k < ml_estimator_count(); k++) {
		const ml_estimator *kind = ml_estimator_at(k);
		const char *name = ml_estimator_name(kind);
		ck_assert_ptr_eq(ml_estimator_find(name), kind);
		ck_assert_msg(ml_estimator_summary(kind) && *ml_estimator_summary(kind), "%s", name);
		unsigned tasks = ml_estimator_flags(kind) & (ML_ESTIMATOR_REGRESSION |
							     ML_ESTIMATOR_CLASSIFICATION |
							     ML_ESTIMATOR_CLUSTERING);
		ck_assert_msg(tasks, "%s does no task", name);
		/* A clustering needs no target: it cannot also be supervised. */
		ck_assert_msg(!(tasks & ML_ESTIMATOR_CLUSTERING) || tasks == ML_ESTIMATOR_CLUSTERING,
			      "%s clusters and predicts a target", name);
		ck_assert_uint_le(ml_estimator_n_params(kind), ML_MAX_PARAMS);
		for (size_t i = 0; i < ml_estimator_n_params(kind); i++) {
			const ml_param *param = ml_estimator_param(kind, i);
			double value;
			ml_error err;
			ck_assert_uint_eq(ml_estimator_find_param(kind, param->name), i);
			ck_assert_msg(param->help && *param->help, "%s --%s", name, param->name);
			ck_assert_msg(ml_param_parse(param, param->default_text, &value, &err) == 0,
				      "%s --%s default: %s", name, param->name, err.message);
			if (param->type == ML_PARAM_BOOL)
				ck_assert_msg(param->flag, "%s %s: a flag names the option", name,
					      param->name);
			/* A word's value is never a number the option also takes. */
			for (const ml_param_word *w = param->words; w && w->word; w++) {
				char digits[64];
				snprintf(digits, sizeof digits, "%.17g", w->value);
				ck_assert_msg(param->type == ML_PARAM_CHOICE ||
						      ml_param_parse(param, digits, &value, &err) < 0,
					      "%s --%s: '%s' is also the number %s", name, param->name,
					      w->word, digits);
			}
		}
	}
	ck_assert_ptr_null(ml_estimator_find("nosuch"));
	ck_assert_ptr_null(ml_estimator_at(ml_estimator_count()));
}
END_TEST

START_TEST(values_read_back_as_written)
{
	const ml_estimator *logistic = ml_estimator_find("logistic");
	const char *texts[][2] = { { "C", "0.25" }, { "tol", "1e-07" }, { "max-iter", "250" },
				   { "class-weight", "balanced" }, { "fit-intercept", "false" } };
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		const ml_param *param =
			ml_estimator_param(logistic, ml_estimator_find_param(logistic, texts[i][0]));
		double value;
		ml_error err;
		ck_assert_int_eq(ml_param_parse(param, texts[i][1], &value, &err), 0);
		ml_buf out;
		ml_buf_init(&out);
		ml_param_format(param, value, &out);
		ck_assert_str_eq(out.data, texts[i][1]);
		ml_buf_free(&out);
	}
}
END_TEST

START_TEST(bad_values_say_what_was_expected)
{
	ml_fit_options options;
	ml_error err;
	ml_fit_options_init(&options, ml_estimator_find("logistic"));
	ck_assert_int_eq(ml_fit_options_set(&options, "C", "0", &err), -1);
	ck_assert_str_eq(err.message, "--C: '0' is not a number > 0");
	ck_assert_int_eq(ml_fit_options_set(&options, "max-iter", "2.5", &err), -1);
	ck_assert_str_eq(err.message, "--max-iter: '2.5' is not a whole number from 1 to 100000000");
	ck_assert_int_eq(ml_fit_options_set(&options, "class-weight", "heavy", &err), -1);
	ck_assert_str_eq(err.message, "--class-weight: 'heavy' is not 'none' or 'balanced'");
	ck_assert_int_eq(ml_fit_options_set(&options, "C", "inf", &err), -1);
	ck_assert_int_eq(ml_fit_options_set(&options, "C", "nan", &err), -1);
	ck_assert_int_eq(ml_fit_options_set(&options, "alpha", "1", &err), -1);
	ck_assert_str_eq(err.message, "'logistic' takes no --alpha");
	/* The defaults are the table's. */
	ck_assert(options.params[ml_estimator_find_param(options.kind, "C")] == 1);
	ck_assert(options.params[ml_estimator_find_param(options.kind, "max-iter")] == 100);
	options.task_given = true;
	options.task = ML_TASK_REGRESSION;
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_str_eq(err.message, "'logistic' does classification only");
}
END_TEST

START_TEST(kinds_are_listed_by_what_they_do)
{
	ml_buf all, classifiers;
	ml_buf_init(&all);
	ml_buf_init(&classifiers);
	ml_estimator_list(&all, 0);
	ml_estimator_list(&classifiers, ML_ESTIMATOR_CLASSIFICATION);
	ck_assert_msg(strncmp(all.data, "linear, ridge", 13) == 0, "%s", all.data);
	ck_assert_msg(strstr(all.data, " or ") != NULL, "%s", all.data);
	ck_assert_msg(strstr(classifiers.data, "logistic") && !strstr(classifiers.data, "ridge"),
		      "%s", classifiers.data);
	ml_buf_free(&all);
	ml_buf_free(&classifiers);
}
END_TEST

START_TEST(tree_options_are_checked)
{
	ml_fit_options options;
	ml_error err;
	ml_fit_options_init(&options, ml_estimator_find("forest"));
	ck_assert_int_eq(ml_fit_options_check(&options, &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-features", "sqrt", &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-features", "0.5", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-features", "2.5", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_msg(strstr(err.message, "neither a fraction below 1 nor a whole count"), "%s",
		      err.message);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-features", "0", &err), -1);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-depth", "129", &err), -1);
	ml_fit_options_init(&options, ml_estimator_find("forest"));
	ck_assert_int_eq(ml_fit_options_set(&options, "criterion", "gini", &err), 0);
	options.task_given = true;
	options.task = ML_TASK_REGRESSION;
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_msg(strstr(err.message, "--criterion gini is for classification"), "%s",
		      err.message);

	ml_fit_options_init(&options, ml_estimator_find("gbdt"));
	ck_assert_int_eq(ml_fit_options_set(&options, "max-depth", "none", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_msg(strstr(err.message, "--max-depth or --max-leaves"), "%s", err.message);
	ck_assert_int_eq(ml_fit_options_set(&options, "max-leaves", "31", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), 0);
	/* --early-stop alone holds out 10% of the rows; "none" leaves it without rows. */
	ck_assert_int_eq(ml_fit_options_set(&options, "early-stop", "5", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "valid-fraction", "none", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_msg(strstr(err.message, "--early-stop needs validation rows"), "%s",
		      err.message);
	ml_training_data valid = { .name = "valid.csv" };
	options.valid = &valid;
	ck_assert_int_eq(ml_fit_options_check(&options, &err), 0);
	ck_assert_int_eq(ml_fit_options_set(&options, "valid-fraction", "0.2", &err), 0);
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_msg(strstr(err.message, "one validation set at a time"), "%s", err.message);
	ck_assert_int_eq(ml_fit_options_set(&options, "valid-fraction", "1", &err), 0);
	options.valid = NULL;
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	/* Validation rows are for the kinds that take them. */
	ml_fit_options_init(&options, ml_estimator_find("forest"));
	options.valid = &valid;
	ck_assert_int_eq(ml_fit_options_check(&options, &err), -1);
	ck_assert_str_eq(err.message, "'forest' takes no validation rows (--valid)");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ml_estimator");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, every_table_is_sound);
	tcase_add_test(tc, values_read_back_as_written);
	tcase_add_test(tc, bad_values_say_what_was_expected);
	tcase_add_test(tc, kinds_are_listed_by_what_they_do);
	tcase_add_test(tc, tree_options_are_checked);
	suite_add_tcase(s, tc);
	return s;
}

ML_CHECK_MAIN(suite)
