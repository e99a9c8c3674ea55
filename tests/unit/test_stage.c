/*
 * ml_stage: stage sections and chains: parsing and writing, digests,
 * appending, copying, ml_chain_locate (where an input's chain stands
 * relative to a wanted one) and ml_dataset_apply.  A test-only kind,
 * "twice", stands in for the kinds other modules define.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "stages/ml_dataset.h"
#include "stages/ml_load.h"
#include "stages/ml_stage_impl.h"

/* "twice": doubles every column, keeping the names. */
static int twice_outputs(ml_stage *stage, ml_error *err)
{
	return ml_columns_copy(&stage->outputs, &stage->inputs, err);
}

static void twice_apply(const ml_stage *stage, const double *in, size_t n_rows, double *out)
{
	for (size_t i = 0; i < n_rows * stage->inputs.count; i++)
		out[i] = 2 * in[i];
}

static void twice_write(const ml_stage *stage, ml_buf *out)
{
	(void)stage;
	(void)out;
}

static int twice_parse(ml_stage *stage, ml_text_reader *reader, ml_error *err)
{
	(void)stage;
	ml_text_line line;
	if (ml_text_next_required(reader, &line, "end", err) < 0)
		return -1;
	return ml_text_expect(reader, &line, "end", 0, err);
}

static void twice_free(void *params)
{
	free(params);
}

static const ml_stage_kind twice_kind = {
	.name = "twice",
	.derive_outputs = twice_outputs,
	.apply = twice_apply,
	.write = twice_write,
	.parse = twice_parse,
	.free_params = twice_free,
};

static ml_stage *twice_stage(const ml_columns *inputs)
{
	ml_error err;
	ml_stage *stage = ml_stage_finish(ml_stage_new(&twice_kind, inputs, NULL, &err), &err);
	ck_assert_msg(stage != NULL, "%s", err.message);
	return stage;
}

/* A load stage section over columns a and b, numeric, with one missing string. */
static const char load_ab[] = "stage load\ninputs 2 a b\ntarget none\nmissing 1 NA\nend\n";
static const char load_ab_other[] = "stage load\ninputs 2 a b\ntarget none\nmissing 1 ?\nend\n";

static ml_chain *parse_chain(const char *text)
{
	ml_error err;
	ml_chain *chain = ml_chain_parse_text(text, strlen(text), "s", &err);
	ck_assert_msg(chain != NULL, "%s", err.message);
	return chain;
}

static const char *parse_error(const char *text)
{
	static ml_error err;
	ml_chain *chain = ml_chain_parse_text(text, strlen(text), "s", &err);
	ck_assert_msg(chain == NULL, "accepted: %s", text);
	return err.message;
}

START_TEST(test_parse_and_write)
{
	static const char text[] =
		"stage load\ninputs 3 id colour y\ntarget 2 y\nmissing 2 NA \"\"\n"
		"column colour onehot 2 \"dark red\" green\ncolumn y ordinal 2 no yes\nend\n";
	ml_chain *chain = parse_chain(text);
	ck_assert_uint_eq(ml_chain_length(chain), 1);
	const ml_stage *stage = ml_chain_stage(chain, 0);
	ck_assert_str_eq(ml_stage_kind_name(stage), "load");
	ck_assert(ml_stage_is_load(stage));
	const ml_columns *outputs = ml_stage_outputs(stage);
	ck_assert_uint_eq(outputs->count, 4);
	ck_assert_str_eq(outputs->names[0], "id");
	ck_assert_str_eq(outputs->names[1], "colour=dark red");
	ck_assert_str_eq(outputs->names[2], "colour=green");
	ck_assert_str_eq(outputs->names[3], "y");
	ck_assert_uint_eq(outputs->target, 3);
	ck_assert_uint_eq(ml_stage_inputs(stage)->target, 2);
	size_t n_classes;
	char *const *classes = ml_chain_class_names(chain, &n_classes);
	ck_assert_uint_eq(n_classes, 2);
	ck_assert_str_eq(classes[0], "no");
	ck_assert_str_eq(classes[1], "yes");
	/* It writes back exactly as read, and its digest is that text's. */
	ml_buf out;
	ml_buf_init(&out);
	ml_chain_write(chain, &out);
	ck_assert_str_eq(out.data, text);
	ck_assert_uint_eq(ml_stage_digest(stage), ml_hash_bytes(ML_HASH_INIT, text, strlen(text)));
	ml_buf_free(&out);
	/* A copy is the same stage. */
	ml_error err;
	ml_chain *copy = ml_chain_copy(chain, &err);
	ck_assert_uint_eq(ml_stage_digest(ml_chain_stage(copy, 0)), ml_stage_digest(stage));
	ml_chain_free(copy);
	ml_chain_free(chain);
	ml_chain_free(NULL);
	/* An empty chain: no stages, no classes. */
	chain = parse_chain("# nothing\n\n");
	ck_assert_uint_eq(ml_chain_length(chain), 0);
	ck_assert_ptr_null(ml_chain_class_names(chain, &n_classes));
	ck_assert_uint_eq(n_classes, 0);
	copy = ml_chain_copy(chain, &err);
	ck_assert_uint_eq(ml_chain_length(copy), 0);
	ml_chain_free(copy);
	ml_chain_free(chain);
	ck_assert_uint_eq(ml_chain_length(NULL), 0);
}
END_TEST

START_TEST(test_parse_errors)
{
	ck_assert_str_eq(parse_error("inputs 2 a b\n"), "s:1: expected 'stage', found 'inputs'");
	ck_assert_str_eq(parse_error("stage\n"), "s:1: expected 'stage KIND'");
	ck_assert_str_eq(parse_error("stage load extra\n"), "s:1: expected 'stage KIND'");
	ck_assert_str_eq(parse_error("stage bogus\n"), "s:1: unknown stage kind 'bogus'");
	ck_assert_str_eq(parse_error("stage load\n"), "s:2: unexpected end of text, expected 'inputs'");
	ck_assert_str_eq(parse_error("stage load\ninputs 3 a b\n"),
			 "s:2: 'inputs' says 3 but lists 2");
	ck_assert_str_eq(parse_error("stage load\ninputs x a\n"),
			 "s:2: 'inputs': 'x' is not a whole number from 0 to 1048576");
	ck_assert_str_eq(parse_error("stage load\ninputs 0\ntarget none\nmissing 0\nend\n"),
			 "s:2: 'inputs' needs at least 1 column");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a a\n"),
			 "s:2: column 'a' is listed twice");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget 2 b\n"),
			 "s:3: 'target': '2' is not a whole number from 0 to 1");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget 1 a\n"),
			 "s:3: target 'a' is not input 1");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget b\n"),
			 "s:3: 'target' takes 2 values, found 1");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\nmissing 0\nend\n"),
			 "s:3: expected 'target', found 'missing'");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nend\n"),
			 "s:4: expected 'missing', found 'end'");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 2 NA\nend\n"),
			 "s:4: 'missing' says 2 but lists 1");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 65\nend\n"),
			 "s:4: 'missing': '65' is not a whole number from 0 to 64");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 0\n"),
			 "s:5: unexpected end of text, expected 'end'");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 0\nend 1\n"),
			 "s:5: 'end' takes 0 values, found 1");
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 0\nscale 1\n"),
			 "s:5: unknown or misplaced key 'scale' in a load stage (expected 'end')");
	static const char head[] = "stage load\ninputs 2 a b\ntarget 1 b\nmissing 0\n";
	static const struct {
		const char *line, *message;
	} columns[] = {
		{ "column a", "s:5: expected 'column NAME ENCODING COUNT ...'" },
		{ "column c onehot 1 x", "s:5: 'c' is not an input column" },
		{ "column a fancy 1 x", "s:5: 'column': unknown value 'fancy'" },
		{ "column a numeric 1 x", "s:5: column 'a': bad encoding or category count" },
		{ "column a onehot 0", "s:5: column 'a': bad encoding or category count" },
		{ "column a onehot 2 x", "s:5: 'column' says 2 but lists 1" },
		{ "column a onehot 1 x y", "s:5: 'column' says 1 but lists 2" },
		{ "column a onehot 2 y x", "s:5: column 'a': categories must be sorted and distinct" },
		{ "column a onehot 2 x x", "s:5: column 'a': categories must be sorted and distinct" },
		{ "column a onehot -1 x", "s:5: 'column': '-1' is not a whole number from 0 to 1048576" },
		{ "column b onehot 1 x", "s:5: the target can only be ordinal" },
		{ "column a onehot 1 x\ncolumn a onehot 1 x", "s:6: column 'a' is described twice" },
	};
	for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "%s%s\nend\n", head, columns[i].line);
		ck_assert_str_eq(parse_error(text), columns[i].message);
	}
	/* One-hot names that collide with another column's name. */
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a=x a\ntarget none\nmissing 0\n"
				     "column a onehot 1 x\nend\n"),
			 "s:1: stage 'load': encoding makes column 'a=x' twice");
	/* A load stage reads text: it cannot follow another stage. */
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 0\nend\n"
				     "stage load\ninputs 2 a b\ntarget none\nmissing 0\nend\n"),
			 "s:6: stage 'load' can only come first (it reads CSV text)");
	/* That comes before whether it takes the first one's outputs (see
	 * test_chain_append_mismatch for a stage that does not). */
	ck_assert_str_eq(parse_error("stage load\ninputs 2 a b\ntarget none\nmissing 0\n"
				     "column a onehot 1 x\nend\n"
				     "stage load\ninputs 2 a b\ntarget none\nmissing 0\nend\n"),
			 "s:7: stage 'load' can only come first (it reads CSV text)");
}
END_TEST

/* wanted = [load, twice]; where does each input chain stand? */
START_TEST(test_chain_locate)
{
	ml_error err;
	ml_chain *wanted = parse_chain(load_ab);
	const ml_columns *columns = ml_stage_outputs(ml_chain_stage(wanted, 0));
	ck_assert_int_eq(ml_chain_append(wanted, twice_stage(columns), &err), 0);
	size_t next = 99;

	ml_chain *done = ml_chain_create(&err);
	ck_assert_int_eq(ml_chain_locate(wanted, done, "m.model", &next, &err), 0);
	ck_assert_uint_eq(next, 0);
	ck_assert_int_eq(ml_chain_locate(wanted, NULL, "m.model", &next, &err), 0);
	ck_assert_uint_eq(next, 0);

	ml_chain_free(done);
	done = parse_chain(load_ab);
	ck_assert_int_eq(ml_chain_locate(wanted, done, "m.model", &next, &err), 0);
	ck_assert_uint_eq(next, 1);

	ck_assert_int_eq(ml_chain_append(done, twice_stage(columns), &err), 0);
	ck_assert_int_eq(ml_chain_locate(wanted, done, "m.model", &next, &err), 0);
	ck_assert_uint_eq(next, 2);

	/* The input went further than the model. */
	ck_assert_int_eq(ml_chain_append(done, twice_stage(columns), &err), 0);
	next = 99;
	ck_assert_int_eq(ml_chain_locate(wanted, done, "m.model", &next, &err), -1);
	ck_assert_str_eq(err.message, "the input went through 3 stages but 'm.model' has only 2;"
				      " stage 3 ('twice') is not part of it");
	ck_assert_uint_eq(next, 99);
	ck_assert_int_eq(ml_chain_locate(NULL, done, "m.model", &next, &err), -1);

	/* The same kind fitted differently. */
	ml_chain_free(done);
	done = parse_chain(load_ab_other);
	ck_assert_int_eq(ml_chain_locate(wanted, done, "m.model", &next, &err), -1);
	ck_assert_str_eq(err.message, "stage 1 ('load') of the input was fitted differently from the"
				      " one in 'm.model'; apply that one with --load instead of"
				      " fitting a new one");

	/* Another kind where the model has a load stage. */
	ml_chain_free(done);
	done = ml_chain_create(&err);
	ck_assert_int_eq(ml_chain_append(done, twice_stage(columns), &err), 0);
	ck_assert_int_eq(ml_chain_locate(wanted, done, "m.model", &next, &err), -1);
	ck_assert_str_eq(err.message, "stage 1 of the input is 'twice' where 'm.model' has 'load'");

	ml_chain_free(done);
	ml_chain_free(wanted);
}
END_TEST

START_TEST(test_chain_append_mismatch)
{
	ml_error err;
	ml_chain *chain = parse_chain(load_ab);
	ml_columns other;
	ck_assert_int_eq(ml_columns_init(&other, 2, &err), 0);
	other.names[0] = ml_strdup("b", &err);
	other.names[1] = ml_strdup("a", &err);
	/* Same names, other order: refused, and the stage is freed (ASan checks). */
	ck_assert_int_eq(ml_chain_append(chain, twice_stage(&other), &err), -1);
	ck_assert_str_eq(err.message, "stage 'twice' does not take the columns stage 'load' gives");
	ck_assert_uint_eq(ml_chain_length(chain), 1);
	ml_columns_free(&other);
	ml_chain_free(chain);
}
END_TEST

START_TEST(test_dataset_apply)
{
	ml_error err;
	ml_dataset dataset = { 0 };
	ck_assert_int_eq(ml_columns_init(&dataset.columns, 2, &err), 0);
	dataset.columns.names[0] = ml_strdup("a", &err);
	dataset.columns.names[1] = ml_strdup("b", &err);
	dataset.n_rows = 3;
	dataset.values = malloc(6 * sizeof(double));
	for (int i = 0; i < 6; i++)
		dataset.values[i] = i;
	dataset.values[5] = NAN;
	ck_assert_int_eq(ml_dataset_apply(&dataset, twice_stage(&dataset.columns), &err), 0);
	ck_assert_uint_eq(ml_chain_length(dataset.chain), 1);
	for (int i = 0; i < 5; i++)
		ck_assert(dataset.values[i] == 2 * i);
	ck_assert(isnan(dataset.values[5]));
	ck_assert_str_eq(dataset.columns.names[1], "b");
	ml_dataset_free(&dataset);
	ml_dataset_free(&dataset); /* cleared: twice is fine */
	ml_dataset_free(NULL);
}
END_TEST

static Suite *stage_suite(void)
{
	Suite *suite = suite_create("ml_stage");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_parse_and_write);
	tcase_add_test(core, test_parse_errors);
	tcase_add_test(core, test_chain_locate);
	tcase_add_test(core, test_chain_append_mismatch);
	tcase_add_test(core, test_dataset_apply);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(stage_suite)
