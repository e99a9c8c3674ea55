/*
 * ml_load: fitting the load stage (numeric or categorical columns, sorted
 * vocabularies, one-hot and ordinal codes, class indices for a target,
 * missing values, -c/-x/--categorical) and applying a saved one (columns
 * by name in any order, a missing target, unknown categories, bad cells).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "stages/ml_load.h"

static ml_csv_reader *csv_from(const char *text, const ml_csv_options *options, int *fd)
{
	char path[] = "/tmp/test_load.XXXXXX";
	*fd = mkstemp(path);
	ck_assert_int_ge(*fd, 0);
	unlink(path);
	size_t length = strlen(text);
	ck_assert_int_eq(write(*fd, text, length), (ssize_t)length);
	ck_assert_int_eq(lseek(*fd, 0, SEEK_SET), 0);
	ml_csv_options defaults;
	ml_csv_options_init(&defaults);
	ml_error err;
	ml_csv_reader *csv = ml_csv_reader_create_fd(*fd, "d.csv", options ? options : &defaults,
						     &err);
	ck_assert_msg(csv != NULL, "%s", err.message);
	return csv;
}

/* Fits text with options; 0 or -1, with err filled. */
static int fit(const char *text, const ml_load_options *options, ml_dataset *data,
	       ml_error *err)
{
	int fd;
	ml_csv_reader *csv = csv_from(text, options ? &options->csv : NULL, &fd);
	ml_load_options defaults;
	ml_load_options_init(&defaults);
	int status = ml_load_fit(csv, options ? options : &defaults, data, err);
	ml_csv_reader_free(csv);
	close(fd);
	return status;
}

static void fit_ok(const char *text, const ml_load_options *options, ml_dataset *data)
{
	ml_error err;
	ck_assert_msg(fit(text, options, data, &err) == 0, "%s", err.message);
}

static const char *fit_error(const char *text, const ml_load_options *options)
{
	static ml_error err;
	ml_dataset data;
	ck_assert_int_eq(fit(text, options, &data, &err), -1);
	ck_assert_ptr_null(data.values);
	ck_assert_ptr_null(data.chain);
	return err.message;
}

/* The columns as "a|b|c" with the target starred. */
static const char *names_of(const ml_columns *columns)
{
	static char text[1024];
	size_t used = 0;
	text[0] = '\0';
	for (size_t i = 0; i < columns->count; i++)
		used += (size_t)snprintf(text + used, sizeof text - used, "%s%s%s", i ? "|" : "",
					 columns->names[i], i == columns->target ? "*" : "");
	return text;
}

/* The values as "1 0 _ ..." (NaN as _), rows separated by "/". */
static const char *values_of(const ml_dataset *data)
{
	static char text[4096];
	size_t used = 0, width = data->columns.count;
	text[0] = '\0';
	for (size_t r = 0; r < data->n_rows; r++)
		for (size_t c = 0; c < width; c++) {
			double v = data->values[r * width + c];
			used += (size_t)snprintf(text + used, sizeof text - used, "%s", c ? " " : r ? "/" : "");
			if (isnan(v))
				used += (size_t)snprintf(text + used, sizeof text - used, "_");
			else
				used += (size_t)snprintf(text + used, sizeof text - used, "%.17g", v);
		}
	return text;
}

static const char penguins[] =
	"island,mass,sex,species\n"
	"Dream,3750,male,Adelie\n"
	"Biscoe,,female,Gentoo\n"
	"Dream,4250.5,NA,Chinstrap\n"
	"Torgersen,0,female,Adelie\n";

START_TEST(test_fit_detects_and_encodes)
{
	ml_dataset data;
	ml_load_options options;
	ml_load_options_init(&options);
	options.target = "species";
	fit_ok(penguins, &options, &data);
	ck_assert_str_eq(names_of(&data.columns),
			 "island=Biscoe|island=Dream|island=Torgersen|mass|sex=female|sex=male|species*");
	ck_assert_str_eq(values_of(&data), "0 1 0 3750 0 1 0/1 0 0 _ 1 0 2/0 1 0 4250.5 _ _ 1/"
					   "0 0 1 0 1 0 0");
	ck_assert_uint_eq(ml_chain_length(data.chain), 1);
	size_t n_classes;
	char *const *classes = ml_chain_class_names(data.chain, &n_classes);
	ck_assert_uint_eq(n_classes, 3);
	ck_assert_str_eq(classes[0], "Adelie");
	ck_assert_str_eq(classes[2], "Gentoo");
	ml_dataset_free(&data);

	/* Ordinal codes, in byte order; no target: species is one-hot too. */
	ml_load_options_init(&options);
	options.ordinal = true;
	fit_ok(penguins, &options, &data);
	ck_assert_str_eq(names_of(&data.columns), "island|mass|sex|species");
	ck_assert_str_eq(values_of(&data), "1 3750 1 0/0 _ 0 2/1 4250.5 _ 1/2 0 0 0");
	ck_assert_ptr_null(ml_chain_class_names(data.chain, &n_classes));
	ml_dataset_free(&data);
}
END_TEST

/* Numbers in a categorical column are keyed by their shortest form. */
START_TEST(test_numbers_as_categories)
{
	ml_dataset data;
	fit_ok("c,v\n1,a\n1.0,b\n2,a\nx,b\n1e0,b\n", NULL, &data);
	ck_assert_str_eq(names_of(&data.columns), "c=1|c=2|c=x|v=a|v=b");
	ck_assert_str_eq(values_of(&data), "1 0 0 1 0/1 0 0 0 1/0 1 0 1 0/0 0 1 0 1/1 0 0 0 1");
	ml_dataset_free(&data);
	/* --categorical forces it on numbers; missing stays missing. */
	ml_load_options options;
	ml_load_options_init(&options);
	options.categorical = "n";
	fit_ok("n,m\n3,1\n10,2\n,3\n3.0,4\n", &options, &data);
	ck_assert_str_eq(names_of(&data.columns), "n=10|n=3|m");
	ck_assert_str_eq(values_of(&data), "0 1 1/1 0 2/_ _ 3/0 1 4");
	ml_dataset_free(&data);
	/* Forced, but nothing but missing values: left numeric (all NaN). */
	options.categorical = "1";
	fit_ok("n,m\nNA,1\n,2\n", &options, &data);
	ck_assert_str_eq(names_of(&data.columns), "n|m");
	ck_assert_str_eq(values_of(&data), "_ 1/_ 2");
	ml_dataset_free(&data);
	/* A numeric target stays numeric, with no class names. */
	ml_load_options_init(&options);
	options.target = "y";
	fit_ok("x,y\n1,0.5\n2,7\n", &options, &data);
	ck_assert_str_eq(names_of(&data.columns), "x|y*");
	ck_assert_str_eq(values_of(&data), "1 0.5/2 7");
	size_t n_classes;
	ck_assert_ptr_null(ml_chain_class_names(data.chain, &n_classes));
	ml_dataset_free(&data);
}
END_TEST

START_TEST(test_missing_values)
{
	ml_dataset data;
	ml_load_options options;
	ml_load_options_init(&options);
	fit_ok("a,b\n,1\nNA,2\nNaN,3\nnan,4\n?,5\n0,6\n-0,7\n", &options, &data);
	ck_assert_str_eq(values_of(&data), "_ 1/_ 2/_ 3/_ 4/_ 5/0 6/-0 7");
	ck_assert(!signbit(data.values[10]) && signbit(data.values[12]));
	ml_dataset_free(&data);
	/* --na replaces the list: "NA" becomes a category, "-" is missing. */
	char list[] = "-";
	ck_assert_int_eq(ml_csv_options_set_na(&options.csv, list, NULL), 0);
	fit_ok("a,b\n-,1\nNA,2\n3,3\n,4\n", &options, &data);
	ck_assert_str_eq(names_of(&data.columns), "a=3|a=NA|b");
	ck_assert_str_eq(values_of(&data), "_ _ 1/0 1 2/1 0 3/_ _ 4");
	ml_dataset_free(&data);
}
END_TEST

START_TEST(test_columns_chosen)
{
	ml_dataset data;
	ml_load_options options;
	ml_load_options_init(&options);
	options.target = "species";
	options.keep = "mass,1";
	fit_ok(penguins, &options, &data);
	/* The target is always kept. */
	ck_assert_str_eq(names_of(&data.columns),
			 "island=Biscoe|island=Dream|island=Torgersen|mass|species*");
	ml_dataset_free(&data);
	options.keep = NULL;
	options.drop = "island,2-3";
	fit_ok(penguins, &options, &data);
	ck_assert_str_eq(names_of(&data.columns), "species*");
	ml_dataset_free(&data);
	options.drop = "4";
	ck_assert_str_eq(fit_error(penguins, &options),
			 "the target column 'species' cannot be dropped");
	options.target = NULL;
	options.drop = "1-4";
	ck_assert_str_eq(fit_error(penguins, &options), "d.csv: no columns left to load");
	options.drop = "5";
	ck_assert_str_eq(fit_error(penguins, &options), "column range '5' is outside 1-4");
	options.drop = NULL;
	options.target = "Species";
	ck_assert_str_eq(fit_error(penguins, &options), "d.csv: no target column 'Species' (the columns are 'island', 'mass', 'sex', 'species')");
	options.target = NULL;
	options.categorical = "nope";
	ck_assert_str_eq(fit_error(penguins, &options),
			 "no column 'nope' (columns: island, mass, ...)");
}
END_TEST

START_TEST(test_fit_errors)
{
	ml_dataset data_ordinal;
	ml_load_options options;
	ml_load_options_init(&options);
	ck_assert_str_eq(fit_error("a,b\n1,2\n3\n", NULL), "d.csv:3: row has 1 field, header has 2");
	ck_assert_str_eq(fit_error("a,b\n1,2\n3,\xff\n", NULL),
			 "d.csv:3: column 'b': value is not UTF-8 text (is this a CSV file?)");
	options.max_categories = 2;
	ck_assert_str_eq(fit_error("a\nx\ny\nz\n", &options),
			 "d.csv: column 'a' has more than 2 distinct values; one-hot encoding would"
			 " make as many columns: use --ordinal, drop it with -x, or raise"
			 " --max-categories");
	ml_load_options_init(&options);
	ck_assert_str_eq(fit_error("a;b;c\n1;2;3\n", &options),
			 "d.csv: only one column, named 'a;b;c'; is the delimiter wrong? try -d ';'"
			 " or -d '\\t'");
	/* One-hot names must not collide with another column's name. */
	ck_assert_str_eq(fit_error("a,a=x\nx,1\n", &options), "encoding makes column 'a=x' twice");
	/* A category too long to be part of a column name (which binary files limit). */
	char long_category[ML_MAX_NAME_LENGTH + 16] = "a,b\n1,";
	memset(long_category + 6, 'x', ML_MAX_NAME_LENGTH - 1);
	long_category[6 + ML_MAX_NAME_LENGTH - 1] = '\n';
	long_category[6 + ML_MAX_NAME_LENGTH] = '\0';
	ck_assert_str_eq(fit_error(long_category, NULL),
			 "column 'b': a category of 4095 bytes makes a one-hot column name longer"
			 " than 4096 bytes; use --ordinal or drop the column with -x");
	ml_load_options_init(&options);
	options.ordinal = true;
	fit_ok(long_category, &options, &data_ordinal);
	ml_dataset_free(&data_ordinal);
	/* Header only: no rows, valid. */
	ml_dataset data;
	fit_ok("a,b\n", NULL, &data);
	ck_assert_uint_eq(data.n_rows, 0);
	ck_assert_str_eq(names_of(&data.columns), "a|b");
	ml_dataset_free(&data);
}
END_TEST

/* Writes the fitted stage as text and parses it back: the same stage. */
static ml_chain *saved_and_parsed(const ml_chain *chain)
{
	ml_buf text;
	ml_error err;
	ml_buf_init(&text);
	ml_chain_write(chain, &text);
	ml_chain *back = ml_chain_parse_text(text.data, text.length, "saved", &err);
	ck_assert_msg(back != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_stage_digest(ml_chain_stage(back, 0)),
			  ml_stage_digest(ml_chain_stage(chain, 0)));
	ml_buf_free(&text);
	return back;
}

/* Applies stage to text: each record's row, "|" between rows, or the error. */
static const char *apply(const ml_stage *stage, const char *text, size_t *unknown,
			 const char **worst)
{
	static char result[2048];
	int fd;
	ml_csv_reader *csv = csv_from(text, NULL, &fd);
	ml_error err;
	ml_load_applier *applier = ml_load_applier_create(stage, ml_csv_reader_columns(csv),
							  "new.csv", &err);
	size_t used = 0;
	result[0] = '\0';
	if (!applier) {
		snprintf(result, sizeof result, "%s", err.message);
	} else {
		ml_record record;
		double row[16];
		size_t width = ml_stage_outputs(stage)->count;
		int got;
		while ((got = ml_csv_next(csv, &record, &err)) == 1) {
			if (ml_load_apply_record(applier, &record, row, &err) < 0) {
				got = -1;
				break;
			}
			for (size_t c = 0; c < width; c++) {
				used += (size_t)snprintf(result + used, sizeof result - used, "%s",
							 c ? " " : used ? "/" : "");
				used += isnan(row[c])
					? (size_t)snprintf(result + used, sizeof result - used, "_")
					: (size_t)snprintf(result + used, sizeof result - used, "%g",
							   row[c]);
			}
		}
		if (got < 0)
			snprintf(result + used, sizeof result - used, "%serror: %s", used ? "/" : "",
				 err.message);
		*unknown = ml_load_unknown_total(applier, worst);
	}
	ml_load_applier_free(applier);
	ml_csv_reader_free(csv);
	close(fd);
	return result;
}

START_TEST(test_apply_saved)
{
	ml_dataset data;
	ml_load_options options;
	ml_load_options_init(&options);
	options.target = "species";
	fit_ok(penguins, &options, &data);
	ml_chain *chain = saved_and_parsed(data.chain);
	const ml_stage *stage = ml_chain_stage(chain, 0);
	ck_assert(ml_columns_same_names(ml_stage_outputs(stage), &data.columns));
	size_t unknown;
	const char *worst;
	/* Columns by name in another order, an extra column ignored. */
	ck_assert_str_eq(apply(stage, "species,extra,sex,mass,island\n"
				      "Gentoo,z,male,1.5,Torgersen\nAdelie,z,,2,Dream\n",
			       &unknown, &worst),
			 "0 0 1 1.5 0 1 2/0 1 0 2 _ _ 0");
	ck_assert_uint_eq(unknown, 0);
	ck_assert_ptr_null(worst);
	/* No target column: the target reads as missing. */
	ck_assert_str_eq(apply(stage, "island,mass,sex\nDream,1,male\n", &unknown, &worst),
			 "0 1 0 1 0 1 _");
	/* Unknown categories: all-zero one-hot, missing ordinal, counted. */
	ck_assert_str_eq(apply(stage, "island,mass,sex,species\nMars,1,male,Emperor\n"
				      "Mars,2,other,Adelie\n",
			       &unknown, &worst),
			 "0 0 0 1 0 1 _/0 0 0 2 0 0 0");
	ck_assert_uint_eq(unknown, 4);
	ck_assert_str_eq(worst, "island");
	/* A missing column other than the target is an error naming it. */
	ck_assert_str_eq(apply(stage, "island,sex,species\nDream,male,Adelie\n", &unknown, &worst),
			 "new.csv: no column 'mass'");
	/* A number that is not one, with its line and column. */
	ck_assert_str_eq(apply(stage, "island,mass,sex\nDream,1,male\nDream,heavy,male\n",
			       &unknown, &worst),
			 "0 1 0 1 0 1 _/error: new.csv:3: column 'mass': 'heavy' is not a number");
	/* A ragged row. */
	ck_assert_str_eq(apply(stage, "island,mass,sex\nDream,1\n", &unknown, &worst),
			 "error: d.csv:2: row has 2 fields, header has 3");
	ml_chain_free(chain);
	ml_dataset_free(&data);
}
END_TEST

START_TEST(test_saved_missing_strings)
{
	/* The stage keeps its own missing-value strings, whatever the reader's. */
	ml_dataset data;
	ml_load_options options;
	ml_load_options_init(&options);
	char list[] = "-,n/a";
	ck_assert_int_eq(ml_csv_options_set_na(&options.csv, list, NULL), 0);
	fit_ok("a,b\n1,x\n-,y\n", &options, &data);
	ml_chain *chain = saved_and_parsed(data.chain);
	size_t unknown;
	const char *worst;
	ck_assert_str_eq(apply(ml_chain_stage(chain, 0), "a,b\nn/a,n/a\nNA,y\n", &unknown, &worst),
			 "_ _ _/error: new.csv:3: column 'a': 'NA' is not a number");
	ml_chain_free(chain);
	ml_dataset_free(&data);
}
END_TEST

static Suite *load_suite(void)
{
	Suite *suite = suite_create("ml_load");
	TCase *fitting = tcase_create("fit");
	tcase_add_test(fitting, test_fit_detects_and_encodes);
	tcase_add_test(fitting, test_numbers_as_categories);
	tcase_add_test(fitting, test_missing_values);
	tcase_add_test(fitting, test_columns_chosen);
	tcase_add_test(fitting, test_fit_errors);
	suite_add_tcase(suite, fitting);
	TCase *applying = tcase_create("apply");
	tcase_add_test(applying, test_apply_saved);
	tcase_add_test(applying, test_saved_missing_strings);
	suite_add_tcase(suite, applying);
	return suite;
}

ML_CHECK_MAIN(load_suite)
