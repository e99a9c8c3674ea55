/*
 * The scale stage: fitting each method and imputation, applying, and the
 * stage text, written and read back bit for bit, with its parser refusing
 * what it must.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "stages/ml_scale.h"

/* A dataset of n_rows x n_columns values, columns a, b, c, ..., target or ML_NO_COLUMN. */
static ml_dataset make_dataset(size_t n_rows, size_t n_columns, const double *values,
			       size_t target)
{
	ml_dataset data = { 0 };
	ml_error err;
	ck_assert_int_eq(ml_columns_init(&data.columns, n_columns, &err), 0);
	for (size_t c = 0; c < n_columns; c++) {
		char name[2] = { (char)('a' + c), '\0' };
		data.columns.names[c] = ml_strdup(name, &err);
	}
	data.columns.target = target;
	data.n_rows = n_rows;
	data.values = malloc(n_rows * n_columns * sizeof(double) + 1);
	memcpy(data.values, values, n_rows * n_columns * sizeof(double));
	return data;
}

static ml_stage *fit(const ml_dataset *data, const ml_scale_options *options)
{
	ml_error err;
	ml_stage *stage = ml_scale_fit(data, options, NULL, &err);
	ck_assert_msg(stage != NULL, "fit failed: %s", err.message);
	return stage;
}

/* Applies stage to the dataset's rows into a new array. */
static double *apply(const ml_stage *stage, const ml_dataset *data)
{
	double *out = malloc(data->n_rows * data->columns.count * sizeof(double) + 1);
	ml_stage_apply(stage, data->values, data->n_rows, out);
	return out;
}

static char *stage_text(const ml_stage *stage)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_stage_write(stage, &text);
	ck_assert(!text.failed);
	return text.data;
}

static bool same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void assert_close(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= 1e-14 * fmax(1.0, fabs(want)), "got %.17g, want %.17g",
		      got, want);
}

START_TEST(standard_matches_population_formula)
{
	/* b is the target: never touched, NaN and -0 included. */
	const double values[] = { 1, 10, 2, -0.0, 3, NAN, 4, 7 };
	ml_dataset data = make_dataset(4, 2, values, 1);
	ml_scale_options options;
	ml_scale_options_init(&options);
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	double mean = 2.5, sd = sqrt(1.25);
	for (size_t r = 0; r < 4; r++) {
		assert_close(out[r * 2], (values[r * 2] - mean) / sd);
		ck_assert(same_bits(out[r * 2 + 1], values[r * 2 + 1]));
	}
	ck_assert_str_eq(ml_stage_kind_name(stage), "scale");
	ck_assert_int_eq(ml_stage_outputs(stage)->target, 1);
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
}
END_TEST

START_TEST(constant_column_is_centred_not_nan)
{
	const double values[] = { 5, 1, 5, 2, 5, 3 };
	ml_dataset data = make_dataset(3, 2, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	for (int method = ML_SCALE_STANDARD; method <= ML_SCALE_ROBUST; method++) {
		options.method = (ml_scale_method)method;
		ml_scale_summary summary;
		ml_error err;
		ml_stage *stage = ml_scale_fit(&data, &options, &summary, &err);
		ck_assert_ptr_nonnull(stage);
		ck_assert_int_eq(summary.n_touched, 2);
		/* maxabs scales the constant 5 by itself: nothing is zero */
		ck_assert_int_eq(summary.n_constant, method == ML_SCALE_MAXABS ? 0 : 1);
		double *out = apply(stage, &data);
		for (size_t r = 0; r < 3; r++)
			ck_assert_msg(isfinite(out[r * 2]), "method %d row %zu", method, r);
		/* maxabs divides by 5 (no centring); the others centre to 0 */
		ck_assert(out[0] == (method == ML_SCALE_MAXABS ? 1.0 : 0.0));
		free(out);
		ml_stage_free(stage);
	}
	ml_dataset_free(&data);
}
END_TEST

START_TEST(minmax_maps_onto_the_range)
{
	const double values[] = { 2, 4, 6, 10 };
	ml_dataset data = make_dataset(4, 1, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.method = ML_SCALE_MINMAX;
	options.range_low = -1;
	options.range_high = 3;
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	ck_assert(out[0] == -1 && out[1] == 0 && out[2] == 1 && out[3] == 3);
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
}
END_TEST

START_TEST(maxabs_divides_by_largest_magnitude)
{
	const double values[] = { -8, 2, 4, NAN };
	ml_dataset data = make_dataset(4, 1, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.method = ML_SCALE_MAXABS;
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	ck_assert(out[0] == -1 && out[1] == 0.25 && out[2] == 0.5 && isnan(out[3]));
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
}
END_TEST

START_TEST(robust_uses_median_and_interpolated_quartiles)
{
	/* numpy: median 3.5, percentile 25 = 2.25, 75 = 5.5 (linear), NaN ignored */
	const double values[] = { 10, 1, NAN, 3, 2, 4, 6 };
	ml_dataset data = make_dataset(7, 1, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.method = ML_SCALE_ROBUST;
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	assert_close(out[0], (10 - 3.5) / (5.5 - 2.25));
	ck_assert(isnan(out[2]));
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
}
END_TEST

/* Percentile by sorting, as numpy computes it, to check the quickselect. */
static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double sorted_percentile(const double *sorted, size_t n, double fraction)
{
	double position = (double)(n - 1) * fraction, below = floor(position);
	if (position >= (double)(n - 1))
		return sorted[n - 1];
	double a = sorted[(size_t)below], b = sorted[(size_t)below + 1], t = position - below;
	return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

START_TEST(robust_agrees_with_sorting_on_many_ties)
{
	size_t n = 1000 + (size_t)_i * 7;
	double *values = malloc(n * sizeof *values), *sorted = malloc(n * sizeof *sorted);
	uint64_t state = 12345 + (uint64_t)_i;
	for (size_t i = 0; i < n; i++) {
		state = state * 6364136223846793005u + 1442695040888963407u;
		/* few distinct values, and runs that defeat naive pivots */
		if (_i % 2)
			values[i] = (double)((state >> 33) % 7);
		else
			values[i] = (double)(i % 50 < 25 ? i : n - i);
	}
	memcpy(sorted, values, n * sizeof *values);
	qsort(sorted, n, sizeof *sorted, compare);
	double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	double spread = sorted_percentile(sorted, n, 0.75) - sorted_percentile(sorted, n, 0.25);
	ml_dataset data = make_dataset(n, 1, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.method = ML_SCALE_ROBUST;
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	for (size_t i = 0; i < n; i++)
		ck_assert(same_bits(out[i], (values[i] - median) / (spread > 0 ? spread : 1)));
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
	free(values);
	free(sorted);
}
END_TEST

static double fitted_fill(ml_impute impute, double constant)
{
	/* 3 and 1 tie as most frequent: the smaller wins */
	const double values[] = { 3, NAN, 1, 3, 1, 8 };
	ml_dataset data = make_dataset(6, 1, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.method = ML_SCALE_NONE;
	options.impute = impute;
	options.fill_value = constant;
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	double fill = out[1];
	ck_assert(same_bits(out[5], 8.0) && same_bits(out[0], 3.0));
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
	return fill;
}

START_TEST(imputation_strategies)
{
	ck_assert(fitted_fill(ML_IMPUTE_MEAN, 0) == 16.0 / 5);
	ck_assert(fitted_fill(ML_IMPUTE_MEDIAN, 0) == 3);
	ck_assert(fitted_fill(ML_IMPUTE_MOST_FREQUENT, 0) == 1);
	ck_assert(fitted_fill(ML_IMPUTE_CONSTANT, -7.5) == -7.5);
}
END_TEST

START_TEST(imputed_values_are_then_scaled)
{
	/* a pipeline: fill with the mean (2), then standardise the filled column */
	const double values[] = { 1, NAN, 3 };
	ml_dataset data = make_dataset(3, 1, values, ML_NO_COLUMN);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.impute = ML_IMPUTE_MEAN;
	ml_stage *stage = fit(&data, &options);
	double *out = apply(stage, &data);
	double sd = sqrt(2.0 / 3);
	assert_close(out[0], -1 / sd);
	ck_assert(out[1] == 0);
	assert_close(out[2], 1 / sd);
	free(out);
	ml_stage_free(stage);
	ml_dataset_free(&data);
}
END_TEST

START_TEST(columns_chosen_and_excluded)
{
	const double values[] = { 1, 1, 1, 1, 3, 3, 3, 3 };
	ml_dataset data = make_dataset(2, 4, values, 3);
	ml_scale_options options;
	ml_scale_options_init(&options);
	options.columns = "a,b,d"; /* d is the target: left alone all the same */
	options.exclude = "2";
	ml_scale_summary summary;
	ml_error err;
	ml_stage *stage = ml_scale_fit(&data, &options, &summary, &err);
	ck_assert_ptr_nonnull(stage);
	ck_assert_int_eq(summary.n_touched, 1);
	double *out = apply(stage, &data);
	ck_assert(out[0] == -1 && out[1] == 1 && out[2] == 1 && out[3] == 1);
	free(out);
	ml_stage_free(stage);

	options.columns = "d";
	options.exclude = NULL;
	ck_assert_ptr_null(ml_scale_fit(&data, &options, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "no columns to scale"));
	options.columns = "nosuch";
	ck_assert_ptr_null(ml_scale_fit(&data, &options, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "nosuch"));
	ml_dataset_free(&data);
}
END_TEST

START_TEST(fit_refuses_what_it_cannot_scale)
{
	ml_scale_options options;
	ml_error err;
	ml_scale_options_init(&options);
	const double infinite[] = { 1, INFINITY };
	ml_dataset data = make_dataset(2, 1, infinite, ML_NO_COLUMN);
	ck_assert_ptr_null(ml_scale_fit(&data, &options, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "infinite"));
	ml_dataset_free(&data);

	const double huge[] = { 1e308, -1e308 };
	data = make_dataset(2, 1, huge, ML_NO_COLUMN);
	ck_assert_ptr_null(ml_scale_fit(&data, &options, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "too large"));
	ml_dataset_free(&data);

	/* nothing to take a mean from; without imputation the column passes through */
	const double missing[] = { NAN, NAN };
	data = make_dataset(2, 1, missing, ML_NO_COLUMN);
	options.impute = ML_IMPUTE_MEAN;
	ck_assert_ptr_null(ml_scale_fit(&data, &options, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "no values"));
	options.impute = ML_IMPUTE_NONE;
	ml_stage *stage = fit(&data, &options);
	ml_stage_free(stage);
	ml_dataset_free(&data);

	options.range_low = 1;
	options.range_high = 1;
	ck_assert_int_eq(ml_scale_options_check(&options, &err), -1);
}
END_TEST

/* Parses the text of one stage section; NULL (and err) on failure. */
static ml_chain *parse(const char *text, ml_error *err)
{
	return ml_chain_parse_text(text, strlen(text), "t.scale", err);
}

START_TEST(text_round_trips_bit_exactly)
{
	/* awkward values: thirds, tiny and huge magnitudes, -0 */
	const double values[] = { 1.0 / 3, 1e-300, -0.0, 7, 2.0 / 3, 3e-300, 1e100, NAN,
				  0.1, NAN, -1e100, 5, 0.7, 2e-300, 3, 9 };
	ml_dataset data = make_dataset(4, 4, values, 3);
	for (int method = ML_SCALE_STANDARD; method <= ML_SCALE_NONE; method++) {
		for (int impute = ML_IMPUTE_NONE; impute <= ML_IMPUTE_CONSTANT; impute++) {
			ml_scale_options options;
			ml_error err;
			ml_scale_options_init(&options);
			options.method = (ml_scale_method)method;
			options.impute = (ml_impute)impute;
			options.fill_value = 0.25;
			options.range_low = -0.3;
			ml_stage *stage = fit(&data, &options);
			char *text = stage_text(stage);
			ml_chain *chain = parse(text, &err);
			ck_assert_msg(chain != NULL, "%s\n%s", err.message, text);
			const ml_stage *parsed = ml_chain_stage(chain, 0);
			char *again = stage_text(parsed);
			ck_assert_str_eq(again, text);
			ck_assert(ml_stage_digest(parsed) == ml_stage_digest(stage));
			double *fitted = apply(stage, &data), *loaded = apply(parsed, &data);
			ck_assert(memcmp(fitted, loaded, sizeof values) == 0);
			free(fitted);
			free(loaded);
			free(again);
			free(text);
			ml_chain_free(chain);
			ml_stage_free(stage);
		}
	}
	ml_dataset_free(&data);
}
END_TEST

#define HEAD "stage scale\ninputs 3 a b y\ntarget 2 y\n"

/* Each bad text and the line its error must name. */
static const struct {
	const char *text;
	const char *message;
} bad_texts[] = {
	{ HEAD "method standard\nimpute none\ncolumns 2\ncolumn a 1 2\n",
	  "t.scale:8: unexpected end of text, expected 'column'" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a 1 2\n",
	  "t.scale:8: unexpected end of text, expected 'end'" },
	{ HEAD "method standard\nimpute none\ncolumns 2\ncolumn a 1 2\nend\n",
	  "t.scale:8: 'columns' on line 6 says 2, found 1" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a 1 2\ncolumn b 1 2\nend\n",
	  "t.scale:8: 'columns' on line 6 says 1, found more" },
	{ HEAD "method standard\nimpute none\ncolumns 4\n", "t.scale:6: 'columns': '4'" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn z 1 2\nend\n",
	  "t.scale:7: 'z' is not an input column" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn y 1 2\nend\n",
	  "t.scale:7: 'y' is the target" },
	{ HEAD "method standard\nimpute none\ncolumns 2\ncolumn a 1 2\ncolumn a 1 2\nend\n",
	  "t.scale:8: column 'a' is described twice" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a nan 2\nend\n",
	  "t.scale:7: a center must be a finite number" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a 1 inf\nend\n",
	  "t.scale:7: a scale must be a finite number" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a 1 0\nend\n",
	  "t.scale:7: column 'a': the scale must be positive" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a 1 -2\nend\n",
	  "t.scale:7: column 'a': the scale must be positive" },
	{ HEAD "method standard\nimpute mean\ncolumns 1\ncolumn a 1 2 nan\nend\n",
	  "t.scale:7: a fill value must be a finite number" },
	{ HEAD "method standard\nimpute mean\ncolumns 1\ncolumn a 1 2\nend\n",
	  "t.scale:7: 'column' takes 4 values, found 3" },
	{ HEAD "method standard\nimpute none\ncolumns 1\ncolumn a 1 x\nend\n",
	  "t.scale:7: 'column': 'x' is not a number" },
	{ HEAD "method sideways\n", "t.scale:4: 'method': unknown value 'sideways'" },
	{ HEAD "method minmax\nimpute none\n", "t.scale:5: expected 'range', found 'impute'" },
	{ HEAD "method minmax\nrange 1 0\n", "t.scale:5: the range must go upwards" },
	{ HEAD "method standard\nscale 2\n", "t.scale:5: expected 'impute', found 'scale'" },
	{ HEAD "method standard\nimpute none\ncolumns 0\ncolour red\n",
	  "t.scale:7: unknown or misplaced key 'colour' in a scale stage (expected 'end')" },
	{ HEAD "method none\nimpute none\ncolumns 1\ncolumn a 0 2\nend\n",
	  "t.scale:7: column 'a': method none does not scale" },
	{ HEAD "method maxabs\nimpute none\ncolumns 1\ncolumn a 1 2\nend\n",
	  "t.scale:7: column 'a': method maxabs does not centre" },
	{ HEAD "missing 4 NA NaN nan ?\n", "t.scale:4: expected 'method', found 'missing'" },
};

START_TEST(parser_refuses_bad_text)
{
	ml_error err;
	ml_chain *chain = parse(bad_texts[_i].text, &err);
	ck_assert_msg(chain == NULL, "accepted:\n%s", bad_texts[_i].text);
	ck_assert_msg(strstr(err.message, bad_texts[_i].message) != NULL, "got '%s', want '%s'",
		      err.message, bad_texts[_i].message);
}
END_TEST

START_TEST(parser_accepts_columns_in_any_order)
{
	ml_error err;
	ml_chain *chain = parse(HEAD "method minmax\nrange -1 1\nimpute constant\ncolumns 2\n"
				"column b 0 0.5 4\ncolumn a -1 2 0\nend\n", &err);
	ck_assert_msg(chain != NULL, "%s", err.message);
	const double in[] = { NAN, NAN, -0.0, 1, 0.5, NAN };
	double out[6];
	ml_stage_apply(ml_chain_stage(chain, 0), in, 2, out);
	/* a: (0 - -1)/2 - 1; b: (4 - 0)/0.5 - 1; the target passes through */
	ck_assert(out[0] == -0.5 && out[1] == 7 && same_bits(out[2], -0.0));
	ck_assert(out[3] == 0 && out[4] == 0 && same_bits(out[5], in[5]));
	ml_chain_free(chain);
}
END_TEST

START_TEST(names_of_methods_and_imputations)
{
	ml_scale_method method;
	ml_impute impute;
	ck_assert(ml_scale_method_from_name("robust", &method) && method == ML_SCALE_ROBUST);
	ck_assert(!ml_scale_method_from_name("zscore", &method));
	ck_assert_str_eq(ml_scale_method_name(ML_SCALE_MINMAX), "minmax");
	ck_assert(ml_impute_from_name("most-frequent", &impute) &&
		  impute == ML_IMPUTE_MOST_FREQUENT);
	ck_assert(!ml_impute_from_name("constant", &impute));
	ck_assert(!ml_impute_from_name("none", &impute));
	ck_assert_str_eq(ml_impute_name(ML_IMPUTE_MEDIAN), "median");
}
END_TEST

static Suite *scale_suite(void)
{
	Suite *suite = suite_create("scale");
	TCase *fitting = tcase_create("fit");
	tcase_add_test(fitting, standard_matches_population_formula);
	tcase_add_test(fitting, constant_column_is_centred_not_nan);
	tcase_add_test(fitting, minmax_maps_onto_the_range);
	tcase_add_test(fitting, maxabs_divides_by_largest_magnitude);
	tcase_add_test(fitting, robust_uses_median_and_interpolated_quartiles);
	tcase_add_loop_test(fitting, robust_agrees_with_sorting_on_many_ties, 0, 8);
	tcase_add_test(fitting, imputation_strategies);
	tcase_add_test(fitting, imputed_values_are_then_scaled);
	tcase_add_test(fitting, columns_chosen_and_excluded);
	tcase_add_test(fitting, fit_refuses_what_it_cannot_scale);
	tcase_add_test(fitting, names_of_methods_and_imputations);
	suite_add_tcase(suite, fitting);
	TCase *text = tcase_create("text");
	tcase_add_test(text, text_round_trips_bit_exactly);
	tcase_add_loop_test(text, parser_refuses_bad_text, 0,
			    (int)(sizeof bad_texts / sizeof bad_texts[0]));
	tcase_add_test(text, parser_accepts_columns_in_any_order);
	suite_add_tcase(suite, text);
	return suite;
}

ML_CHECK_MAIN(scale_suite)
