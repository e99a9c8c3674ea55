/* ml_request: request bodies into rows and answers, against ml-predict's numbers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "serve/ml_request.h"
#include "serve/ml_request_impl.h"

#define MODEL_PATH "tests/fixtures/models/logistic-multinomial.model"

static ml_model *model;
static ml_request_schema *schema;

static void setup(void)
{
	ml_error err;
	model = ml_model_read(MODEL_PATH, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	schema = ml_request_schema_create(model, &err);
	ck_assert_msg(schema != NULL, "%s", err.message);
}

static void teardown(void)
{
	ml_request_schema_free(schema);
	ml_model_free(model);
}

/* The answer to body, or NULL with *status and the message in err. */
static char *answer(const char *body, ml_body_format format, bool proba, int *status,
		    ml_error *err)
{
	ml_request_options options;
	ml_request_options_init(&options);
	options.format = format;
	options.probabilities = proba;
	options.max_rows = 3;
	ml_buf out;
	ml_buf_init(&out);
	size_t n_rows;
	*status = 200;
	if (ml_request_answer(schema, &options, body, strlen(body), &out, &n_rows, status, err) < 0) {
		ml_buf_free(&out);
		return NULL;
	}
	return out.data;
}

static void expect_answer(const char *body, ml_body_format format, bool proba,
			  const char *expected)
{
	ml_error err;
	int status;
	char *got = answer(body, format, proba, &status, &err);
	ck_assert_msg(got != NULL, "%s: %d %s", body, status, err.message);
	ck_assert_str_eq(got, expected);
	free(got);
}

static void expect_error(const char *body, ml_body_format format, int status,
			 const char *message)
{
	ml_error err;
	int got_status;
	char *got = answer(body, format, false, &got_status, &err);
	ck_assert_msg(got == NULL, "%s answered %s", body, got);
	ck_assert_int_eq(got_status, status);
	ck_assert_msg(strstr(err.message, message), "%s: '%s' lacks '%s'", body, err.message,
		      message);
}

START_TEST(inputs_are_the_load_stage_columns_without_the_target)
{
	const ml_columns *inputs = ml_request_schema_inputs(schema);
	ck_assert_uint_eq(inputs->count, 4);
	ck_assert_str_eq(inputs->names[0], "sepal_length");
	ck_assert_str_eq(inputs->names[3], "petal_width");
}
END_TEST

/*
 * Every shape of body, numbers as JSON numbers or as strings, columns in
 * any order, extra ones ignored, gives the CSV body's answer to the digit.
 * (tests/cli/cases/serve_same_as_predict.sh compares answers with
 * ml-predict's, byte for byte, on the bundled data.)
 */
START_TEST(every_shape_gives_the_same_answer)
{
	char expected[512];
	ml_error err;
	int status;
	char *csv = answer("sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n",
			   ML_BODY_CSV, true, &status, &err);
	ck_assert_msg(csv != NULL, "%s", err.message);
	ck_assert_msg(strncmp(csv, "{\"predictions\":[\"setosa\"],\"classes\":[\"setosa\","
			      "\"versicolor\",\"virginica\"],\"probabilities\":[[0.9", 89) == 0,
		      "%s", csv);
	snprintf(expected, sizeof expected, "%s", csv);
	free(csv);
	expect_answer("{\"rows\": [{\"petal_width\": 0.2, \"petal_length\": 1.4, \"x\": {},"
		      " \"sepal_width\": \"3.5\", \"sepal_length\": 5.1, \"species\": null}]}",
		      ML_BODY_JSON, true, expected);
	expect_answer("{\"columns\": [\"sepal_width\", \"sepal_length\", \"petal_length\","
		      " \"petal_width\"], \"data\": [[3.5, 51e-1, 1.4, 0.2]]}",
		      ML_BODY_JSON, true, expected);
}
END_TEST

START_TEST(features_get_one_prediction_and_its_confidence)
{
	ml_error err;
	int status;
	char *got = answer("{\"features\": [5.1, 3.5, 1.4, 0.2]}", ML_BODY_JSON, false, &status,
			   &err);
	ck_assert_msg(got != NULL, "%s", err.message);
	ck_assert_msg(strncmp(got, "{\"prediction\":\"setosa\",\"confidence\":0.9", 39) == 0, "%s",
		      got);
	free(got);
	expect_answer("{\"rows\": []}", ML_BODY_JSON, false, "{\"predictions\":[]}\n");
}
END_TEST

START_TEST(bad_requests_name_the_row_and_the_column)
{
	expect_error("{\"rows\": [{}]", ML_BODY_JSON, 400, "bad JSON at byte");
	expect_error("{\"rows\": [{\"sepal_length\": 1}]}", ML_BODY_JSON, 400,
		     "row 1: no column 'sepal_width'");
	expect_error("{\"features\": [1, 2, \"NA\", 4]}", ML_BODY_JSON, 400,
		     "row 1: column 'petal_length' is missing");
	expect_error("{\"features\": [1, 2, [3], 4]}", ML_BODY_JSON, 400,
		     "row 1: column 'petal_length': an array is not a number");
	expect_error("{\"columns\": [\"sepal_length\", \"sepal_width\", \"petal_length\","
		     " \"petal_width\"], \"data\": [[1, 2, 3, 4], [1, 2, 3]]}", ML_BODY_JSON, 400,
		     "row 2: 3 values, \"columns\" names 4");
	expect_error("{\"rows\": [1]}", ML_BODY_JSON, 400, "row 1: a value, not an object");
	expect_error("{\"rows\": {}}", ML_BODY_JSON, 400, "\"rows\" must be an array");
	expect_error("[[[[[[[[[]]]]]]]]]", ML_BODY_JSON, 400, "nested deeper than 8");
	expect_error("{\"rows\": [{}, {}, {}, {}]}", ML_BODY_JSON, 413, "4 rows; at most 3");
	expect_error("sepal_length,sepal_width,petal_length,petal_width\n1,2,3,4\n1,2,3\n",
		     ML_BODY_CSV, 400, "request:3: row has 3 fields, header has 4");
	expect_error("sepal_length,petal_length\n1,2\n", ML_BODY_CSV, 400,
		     "request: no column 'sepal_width'");
	expect_error("", ML_BODY_CSV, 400, "empty input");
}
END_TEST

/* The outcome of body through one JSON reader: the answer, or the status and message. */
static char *outcome(const char *body, bool tree_only)
{
	ml_request_options options;
	ml_request_options_init(&options);
	options.probabilities = true;
	options.max_rows = 3;
	options.tree_only = tree_only;
	ml_buf out;
	ml_buf_init(&out);
	ml_error err;
	size_t n_rows;
	int status = 200;
	if (ml_request_answer(schema, &options, body, strlen(body), &out, &n_rows, &status,
			      &err) < 0) {
		ml_buf_reset(&out);
		ml_buf_printf(&out, "%d %s", status, err.message);
	}
	return out.data;
}

/*
 * The one-pass scanner answers what it can read exactly as cJSON's tree
 * reads it and leaves the rest to the tree: either way, the same bytes.
 * (The fuzz harness checks the same on every input.)
 */
START_TEST(scanner_and_tree_agree)
{
	static const char *const bodies[] = {
		"{\"rows\": [{\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4,"
		" \"petal_width\": 0.2}, {\"petal_width\": 1.8, \"petal_length\": 5.1,"
		" \"sepal_width\": 3, \"sepal_length\": 6.3, \"x\": [{}]}]}",
		"{\"columns\": [\"petal_width\", \"sepal_length\", \"petal_length\","
		" \"sepal_width\"], \"data\": [[0.2, 5.1, 1.4, \"3.5\"], [1e400, -0, 4.9e-324, 1]]}",
		/* what a tokenizer alone would take, and cJSON does not, or reads otherwise */
		"{\"rows\": [{\"sepal_length\": 5.1} {\"sepal_length\": 5.1}]}",
		"{\"rows\": [{\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4,"
		" \"petal_width\": 0.2},]}",
		"{\"rows\": [{\"sepal_length\": 01, \"sepal_width\": 1., \"petal_length\": -.5,"
		" \"petal_width\": 0.2}]}",
		"{\"r\\u006fws\": [{\"sepal_length\": 5.1, \"sepal_width\": 3.5,"
		" \"petal_length\": 1.4, \"petal_width\": \"0\\u002e2\"}]}",
		"{\"rows\": [{\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4,"
		" \"petal_width\": 0.2}]} trailing",
		"{\"rows\": [{\"sepal_length\": 5.1, \"sepal_width\": 3.5, \"petal_length\": 1.4,"
		" \"petal_width\": 0.2, \"x\": 1:2}]}",
		"{\"rows\": [{\"sepal_length\": true}], \"features\": 1}",
		"{\"rows\": [{}, {}, {}, {}]}",
		"[[[[[[[[[]]]]]]]]]",
		/* members in every order: cJSON takes the first of each name, "rows" first */
		"{\"data\": [[0.2, 5.1, 1.4, 3.5]], \"columns\": [\"petal_width\", \"sepal_length\","
		" \"petal_length\", \"sepal_width\"]}",
		"{\"columns\": [\"sepal_length\"], \"rows\": [{\"sepal_length\": 1, \"sepal_width\": 2,"
		" \"petal_length\": 3, \"petal_width\": 4}], \"data\": 7}",
		"{\"columns\": [\"petal_width\", \"sepal_length\", \"petal_length\", \"sepal_width\"],"
		" \"data\": [[0.2, 5.1, 1.4, 3.5]], \"rows\": []}",
		"{\"rows\": [], \"rows\": [{\"sepal_length\": 1}]}",
		"{\"features\": [1, 2, 3, 4], \"rows\": []}",
		"{\"columns\": [\"petal_width\"], \"data\": []}",
		/* keys in another order than the row before, or nearly a column's name */
		"{\"rows\": [{\"sepal_length\": 1, \"sepal_width\": 2, \"petal_length\": 3,"
		" \"petal_width\": 4}, {\"sepal_lengt\": 9, \"sepal_length\": 1, \"sepal_width\": 2,"
		" \"petal_width\": 4, \"petal_length\": 3, \"sepal_length2\": 0}]}",
		"{\"rows\": [{\"sepal_length\": 1, \"sepal_width\": 2, \"petal_length\": 3,"
		" \"petal_width\": 4}, {\"sepal_length\": 1, \"sepal_length\": 1}]}",
		/* rows in the order of the row before, then not quite: each read again in full */
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4},{\"sepal_length\":5,\"sepal_width\":6,\"petal_length\":7,"
		"\"petal_width\":\"8\"},{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4 }]}",
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4},{\"sepal_length\":1,\"sepal_width\":null,\"petal_length\":3,"
		"\"petal_width\":4}]}",
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4},{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4,\"x\":5},{\"sepal_length\":1,\"sepal_width\":2,"
		"\"petal_length\":3}]}",
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4},{\"petal_length\":3,\"sepal_length\":1,\"sepal_width\":2,"
		"\"petal_width\":4},{\"petal_length\":3,\"sepal_length\":1,\"petal_length\":2,"
		"\"petal_width\":4}]}",
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4},{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4.5e1},{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":1.}]}",
		/* blanks, control bytes, numbers at the edges of the grammar */
		" \t\r\n{ \"rows\" :\n[ { \"sepal_length\" : -0 , \"sepal_width\":1E+2,"
		"\"petal_length\":\t1e-2,\"petal_width\":0.0 } ] }\n",
		"\x0c{\"rows\": []}",
		"{\"rows\": [{\"sepal_length\": \"5\x01\", \"sepal_width\": 2, \"petal_length\": 3,"
		" \"petal_width\": 4}]}",
		"{\"rows\": [{\"sepal_length\": 1.00000000000000000000000000000000000000000000000000"
		"00000000001, \"sepal_width\": 2, \"petal_length\": 3, \"petal_width\": 4}]}",
		"{\"rows\": [{\"sepal_length\": null, \"sepal_width\": \"2\", \"petal_length\": 3,"
		" \"petal_width\": 4, \"x\": [[[[[[[[1]]]]]]]]}]}",
		/* more rows than the limit of 3 */
		"{\"rows\": [{}, {}, {}, {}, {}]}",
		/*
		 * Direct rows: a key repeated at a place a longer row before left it
		 * (row 3's fifth key is row 1's fifth, already given in row 3), a
		 * number for the categorical target, a row missing a column.
		 */
		"{\"rows\":[{\"species\":\"setosa\",\"sepal_length\":1,\"sepal_width\":2,"
		"\"petal_length\":3,\"petal_width\":4},{\"sepal_length\":1,\"sepal_width\":2,"
		"\"petal_length\":3,\"petal_width\":4},{\"sepal_length\":1,\"sepal_width\":2,"
		"\"petal_length\":3,\"petal_width\":4,\"petal_width\":5}]}",
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4,\"species\":1},{\"sepal_length\":1,\"sepal_width\":2,"
		"\"petal_length\":3,\"petal_width\":4,\"species\":2}]}",
		"{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3,"
		"\"petal_width\":4},{\"sepal_length\":1,\"sepal_width\":2,\"petal_length\":3}]}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		char *scanned = outcome(bodies[i], false), *tree = outcome(bodies[i], true);
		ck_assert_msg(scanned && tree && strcmp(scanned, tree) == 0, "%s: '%s' but '%s'",
			      bodies[i], scanned, tree);
		free(scanned);
		free(tree);
	}
}
END_TEST

/*
 * The scanner itself answers the plain shapes of many rows, whatever the
 * order of the keys, rather than leaving them to cJSON's slower tree (the
 * agreement above would hold either way).
 */
START_TEST(scanner_answers_plain_bodies)
{
	static const char *const bodies[] = {
		"{\"rows\":[{\"sepal_length\":5.1,\"sepal_width\":3.5,\"petal_length\":1.4,"
		"\"petal_width\":0.2},{\"petal_width\":1.8,\"petal_length\":5.1,\"sepal_width\":3,"
		"\"sepal_length\":6.3,\"species\":\"x\",\"extra\":[{\"a\":[true,false,null]}]}]}",
		"{\"columns\": [\"petal_width\", \"sepal_length\", \"petal_length\","
		" \"sepal_width\"], \"data\": [[0.2, 5.1, 1.4, \"3.5\"], [1e2, -0, 4.9e-324, 1]]}",
		" {\"model\": \"iris\", \"rows\": [ ] } ",
	};
	ml_request_options options;
	ml_request_options_init(&options);
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		int status = 200;
		ml_error err;
		ml_request_state state = { .schema = schema, .options = &options, .status = &status };
		ck_assert_msg(ml_request_answer_scan(&state, bodies[i], strlen(bodies[i]), &err) == 0,
			      "declined: %s", bodies[i]);
		ml_request_release(&state);
	}
}
END_TEST

/*
 * The scanner takes a key for the previous row's name at its place by
 * comparing eight bytes at a time, the last eight overlapping: a key that
 * differs in any one byte, or is one byte shorter or longer, is not taken
 * for the name (the row then lacks that column: 400).
 */
START_TEST(keys_differing_in_one_byte_are_other_columns)
{
	const ml_columns *inputs = ml_request_schema_inputs(schema);
	for (size_t f = 0; f < inputs->count; f++) {
		const char *name = inputs->names[f];
		size_t length = strlen(name);
		for (size_t at = 0; at <= length + 1; at++) {
			char key[64], row[512], body[1200];
			snprintf(key, sizeof key, "%s", name);
			if (at < length)
				key[at] ^= 0x20;
			else if (at == length)
				key[length - 1] = '\0';
			else
				snprintf(key, sizeof key, "%sx", name);
			int used = 0;
			for (size_t g = 0; g < inputs->count; g++)
				used += snprintf(row + used, sizeof row - (size_t)used, "%s\"%s\":1",
						 g ? "," : "", g == f ? key : inputs->names[g]);
			snprintf(body, sizeof body, "{\"rows\":[{\"sepal_length\":1,\"sepal_width\":2,"
				 "\"petal_length\":3,\"petal_width\":4},{%s}]}", row);
			char *scanned = outcome(body, false), *tree = outcome(body, true);
			ck_assert_msg(strncmp(scanned, "400 row 2: no column", 20) == 0, "%s: %s", body,
				      scanned);
			ck_assert_str_eq(scanned, tree);
			free(scanned);
			free(tree);
		}
	}
}
END_TEST

/*
 * The scanner's answer to body, which it must not decline, and the value
 * of the first input that the general path left (read from the last row it read).
 */
static char *scan_only(const char *body, double *first_value_left)
{
	ml_request_options options;
	ml_request_options_init(&options);
	int status = 200;
	ml_error err;
	ml_request_state state = { .schema = schema, .options = &options, .status = &status };
	ck_assert_msg(ml_request_answer_scan(&state, body, strlen(body), &err) == 0, "declined: %s",
		      body);
	*first_value_left = state.values[0].number;
	char *answer = strndup(state.answers.data, state.answers.length);
	ml_request_release(&state);
	return answer;
}

/* The fixture's model replaced by the model file at path. */
static void use_model(const char *path)
{
	teardown();
	ml_error err;
	model = ml_model_read(path, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	schema = ml_request_schema_create(model, &err);
	ck_assert_msg(schema != NULL, "%s", err.message);
}

/*
 * A model whose load stage takes every column but the target as a number
 * has rows of numbers written straight into the block, once the first row
 * (read by the general path) has set the order of the keys: the general
 * path's values keep the first row's.  The answers are cJSON's tree's;
 * given or not, a numeric target is the same to the model.
 */
START_TEST(rows_of_numbers_go_straight_into_the_block)
{
	use_model("tests/fixtures/models/linear.model");
	ck_assert(schema->numbers_direct);
	ck_assert_uint_eq(schema->number_cell[10], 10);
	static const char *const bodies[] = {
		"{\"rows\":[{\"age\":0.03,\"sex\":0.05,\"bmi\":0.06,\"bp\":0.02,\"s1\":-0.04,"
		"\"s2\":-0.03,\"s3\":-0.04,\"s4\":-0.002,\"s5\":0.019,\"s6\":-0.017},"
		"{\"age\":-0.001,\"sex\":-0.04,\"bmi\":-0.05,\"bp\":-0.026,\"s1\":-0.008,"
		"\"s2\":-0.019,\"s3\":0.074,\"s4\":-0.039,\"s5\":-0.068,\"s6\":-0.092}]}",
		"{\"rows\":[{\"age\":0.03,\"sex\":0.05,\"bmi\":0.06,\"bp\":0.02,\"s1\":-0.04,"
		"\"s2\":-0.03,\"s3\":-0.04,\"s4\":-0.002,\"s5\":0.019,\"s6\":-0.017,"
		"\"progression\":151},{\"age\":-0.001,\"sex\":-0.04,\"bmi\":-0.05,\"bp\":-0.026,"
		"\"s1\":-0.008,\"s2\":-0.019,\"s3\":0.074,\"s4\":-0.039,\"s5\":-0.068,"
		"\"s6\":-0.092,\"progression\":75}]}",
	};
	char *answers[2];
	for (size_t i = 0; i < 2; i++) {
		double first_value_left;
		answers[i] = scan_only(bodies[i], &first_value_left);
		ck_assert_msg(first_value_left == 0.03, "row 2 not read directly: %s", bodies[i]);
		char *scanned = outcome(bodies[i], false), *tree = outcome(bodies[i], true);
		ck_assert_msg(scanned[0] == '{' && strcmp(scanned, tree) == 0,
			      "%s: '%s' but the tree '%s'", bodies[i], scanned, tree);
		free(scanned);
		free(tree);
	}
	ck_assert_str_eq(answers[0], answers[1]);
	free(answers[0]);
	free(answers[1]);
}
END_TEST

/*
 * One-hot and ordinal columns are never written directly: their numbers
 * name categories.  The numeric columns after them are placed past their
 * cells, and every body is answered as cJSON's tree answers it.
 */
START_TEST(categorical_columns_take_the_general_path)
{
	use_model("tests/fixtures/models/forest-penguins.model");
	ck_assert(!schema->numbers_direct);
	ck_assert_uint_eq(schema->number_cell[1], ML_NO_COLUMN); /* island, one-hot */
	ck_assert_uint_eq(schema->number_cell[2], 4); /* after species and island's 3 */
	ck_assert_uint_eq(schema->number_cell[7], 10); /* year, after sex's 2 */
	static const char *const bodies[] = {
		"{\"rows\":[{\"island\":\"Biscoe\",\"bill_length_mm\":39.1,\"bill_depth_mm\":18.7,"
		"\"flipper_length_mm\":181,\"body_mass_g\":3750,\"sex\":\"male\",\"year\":2007},"
		"{\"island\":\"Dream\",\"bill_length_mm\":46.5,\"bill_depth_mm\":17.9,"
		"\"flipper_length_mm\":192,\"body_mass_g\":3500,\"sex\":\"female\",\"year\":2007}]}",
		"{\"rows\":[{\"island\":1,\"bill_length_mm\":39.1,\"bill_depth_mm\":18.7,"
		"\"flipper_length_mm\":181,\"body_mass_g\":3750,\"sex\":2,\"year\":2007},"
		"{\"island\":null,\"bill_length_mm\":46.5,\"bill_depth_mm\":17.9,"
		"\"flipper_length_mm\":230,\"body_mass_g\":5500,\"sex\":\"male\",\"year\":2009}]}",
	};
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		char *scanned = outcome(bodies[i], false), *tree = outcome(bodies[i], true);
		ck_assert_msg(strcmp(scanned, tree) == 0, "%s: '%s' but '%s'", bodies[i], scanned,
			      tree);
		free(scanned);
		free(tree);
	}
}
END_TEST

/* Rows added one by one to a block prepared for a guess of `guess` rows. */
static ml_request_state *add_rows(const ml_request_options *options, size_t guess, size_t n_rows)
{
	static int status;
	ml_error err;
	ml_request_state *r = calloc(1, sizeof *r);
	*r = (ml_request_state){ .schema = schema, .options = options, .status = &status };
	ck_assert(ml_request_prepare(r, guess, &err) == 0);
	const ml_columns *inputs = ml_request_schema_inputs(schema);
	for (size_t row = 0; row < n_rows; row++) {
		ml_request_clear_values(r);
		for (size_t f = 0; f < inputs->count; f++) {
			size_t input = ml_request_find_input(schema, inputs->names[f],
							     strlen(inputs->names[f]));
			r->values[input] = (ml_load_value){ .kind = ML_LOAD_NUMBER,
							    .number = (double)((row * 7 + f * 3) % 23) / 3 };
		}
		ck_assert_msg(ml_request_add_values(r, &err) == 0, "%s", err.message);
	}
	ck_assert(ml_request_flush_block(r, &err) == 0);
	return r;
}

/* A block prepared for fewer rows than come grows, the rows already in it kept. */
START_TEST(the_block_grows_from_a_guess)
{
	ml_request_options options;
	ml_request_options_init(&options);
	options.probabilities = true;
	ml_request_state *grown = add_rows(&options, 1, 300), *sized = add_rows(&options, 300, 300);
	ck_assert_uint_eq(grown->done, 300);
	ck_assert_uint_eq(grown->answers.length, sized->answers.length);
	ck_assert(memcmp(grown->answers.data, sized->answers.data, sized->answers.length) == 0);
	ck_assert(strstr(sized->answers.data, "setosa") && strstr(sized->answers.data, "virginica"));
	ck_assert_uint_eq(grown->answer_probabilities.length, sized->answer_probabilities.length);
	ck_assert(memcmp(grown->answer_probabilities.data, sized->answer_probabilities.data,
			 sized->answer_probabilities.length) == 0);
	ml_request_release(grown);
	ml_request_release(sized);
	free(grown);
	free(sized);
}
END_TEST

START_TEST(json_strings_are_escaped)
{
	ml_buf out;
	ml_buf_init(&out);
	ml_json_put_string(&out, "a\"b\\c\n\x01");
	ml_buf_putc(&out, ' ');
	ml_json_put_number(&out, INFINITY);
	ml_buf_putc(&out, ' ');
	ml_json_put_number(&out, 0.1);
	ck_assert_str_eq(out.data, "\"a\\\"b\\\\c\\u000a\\u0001\" null 0.1");
	ml_buf_free(&out);
}
END_TEST

static Suite *request_suite(void)
{
	Suite *suite = suite_create("ml_request");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, inputs_are_the_load_stage_columns_without_the_target);
	tcase_add_test(tc, every_shape_gives_the_same_answer);
	tcase_add_test(tc, features_get_one_prediction_and_its_confidence);
	tcase_add_test(tc, bad_requests_name_the_row_and_the_column);
	tcase_add_test(tc, scanner_and_tree_agree);
	tcase_add_test(tc, scanner_answers_plain_bodies);
	tcase_add_test(tc, keys_differing_in_one_byte_are_other_columns);
	tcase_add_test(tc, rows_of_numbers_go_straight_into_the_block);
	tcase_add_test(tc, categorical_columns_take_the_general_path);
	tcase_add_test(tc, the_block_grows_from_a_guess);
	tcase_add_test(tc, json_strings_are_escaped);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(request_suite)
