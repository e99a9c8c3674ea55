/*
 * ml-poly: polynomial and interaction features.
 *
 * The poly stage needs only the column layout, so binary input streams
 * through in constant memory.  CSV input first goes through the implicit
 * load stage, which is fitted on the whole file in memory (pipe from
 * ml-load to stream).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/ml_file.h"
#include "stages/ml_io.h"
#include "stages/ml_poly.h"
#include "stages/ml_stream.h"

#define STRINGIFY(x) #x
#define TEXT_OF(macro) STRINGIFY(macro)

enum { OPT_INTERACTION_ONLY = 256, OPT_BIAS, OPT_MAX_COLUMNS };

static const cli_option options[] = {
	{ 'd', "degree", "N", "terms up to degree N (" TEXT_OF(ML_POLY_DEFAULT_DEGREE)
	  "; 1 to " TEXT_OF(ML_POLY_MAX_DEGREE) ")" },
	{ OPT_INTERACTION_ONLY, "interaction-only", NULL,
	  "only products of distinct columns (no a^2)" },
	{ OPT_BIAS, "bias", NULL, "add the constant column '1', first" },
	{ 'c', "columns", "COLS", "expand only these columns (a,3,5-7); pass the rest through" },
	{ 't', "target", "NAME", "the target column (never expanded)" },
	{ OPT_MAX_COLUMNS, "max-columns", "N", "refuse to make more than N columns ("
	  TEXT_OF(ML_POLY_DEFAULT_MAX_COLUMNS) ")" },
	CLI_CSV_LONG_OPTIONS("CSV input: "),
	CLI_STAGE_OPTIONS("write CSV (the default for CSV input)",
			  "write binary (the default for binary input)",
			  "save the stages, the poly stage last, to FILE",
			  "apply the stages saved in FILE instead of new ones",
			  "report the rows and columns on stderr"),
	{ 0 },
};

static const cli_command command = {
	.name = "ml-poly",
	.synopsis = "[OPTION]... [FILE]",
	.summary = "Add polynomial and interaction features (scikit-learn's PolynomialFeatures).",
	.options = options,
	.footer = "Columns out: '1' (--bias), the terms (a, b, a^2, a*b, b^2, ...), then the\n"
		  "columns not expanded, target included, in their input order.\n"
		  "\nExamples:\n"
		  "  ml-load -t species iris.csv | ml-poly -d 3 > iris3.bin\n"
		  "  ml-poly -t progression -c bmi,bp --interaction-only diabetes.csv\n"
		  "  ml-poly --save poly.stages train.bin > train2.bin\n"
		  "  ml-poly --load poly.stages test.csv\n",
};

typedef struct settings {
	ml_poly_options poly;
	ml_load_options load; /* the implicit load of CSV input */
	cli_stage_io io;
	bool fit_options;
} settings;

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_poly_options_init(&s->poly);
	ml_load_options_init(&s->load);
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		s->fit_options |= code == 'd' || code == 'c' || code == 't' ||
				  code == OPT_INTERACTION_ONLY || code == OPT_BIAS ||
				  code == OPT_MAX_COLUMNS;
		switch (code) {
		case 'd':
			s->poly.degree = cli_size("-d", cli_arg, 1, ML_POLY_MAX_DEGREE);
			break;
		case OPT_INTERACTION_ONLY: s->poly.interaction_only = true; break;
		case OPT_BIAS: s->poly.bias = true; break;
		case 'c': s->poly.columns = cli_arg; break;
		case 't': s->load.target = cli_arg; break;
		case OPT_MAX_COLUMNS:
			s->poly.max_columns = cli_size("--max-columns", cli_arg, 1, ML_MAX_COLUMNS);
			break;
		default:
			if (!cli_csv_option(code, &s->load.csv) && !cli_stage_option(code, &s->io))
				cli_usage_error("unhandled option");
		}
	}
	cli_stage_finish_arguments(argc, argv, &s->io,
				   s->fit_options ? "-d, -c, -t, --interaction-only, --bias and"
						    " --max-columns" : NULL);
}

/* The poly stage for inputs; a layout over the column limit is bad usage (exit 2). */
static ml_stage *make_stage(const settings *s, const ml_columns *inputs, const char *source)
{
	ml_error err;
	size_t width;
	if (ml_poly_width(inputs, &s->poly, &width, &err) < 0)
		cli_die("%s: %s", source, err.message);
	ml_stage *stage = ml_poly_stage_create(inputs, &s->poly, &err);
	if (!stage && width > s->poly.max_columns)
		cli_usage_error("%s", err.message);
	if (!stage)
		cli_die("%s: %s", source, err.message);
	return stage;
}

static void report(const char *source, uint64_t n_rows, const ml_stage *stage)
{
	cli_warn("%s: %llu rows, %zu columns in, %zu out", source, (unsigned long long)n_rows,
		 ml_stage_inputs(stage)->count, ml_stage_outputs(stage)->count);
}

/* Binary input: the stage is made from the header, then the rows stream through it. */
static void expand_binary(const settings *s, ml_input *input)
{
	ml_error err;
	ml_binary_reader *reader = ml_input_binary(input);
	const char *source = ml_input_name(input);
	ml_columns inputs;
	if (ml_columns_copy(&inputs, ml_binary_reader_columns(reader), &err) < 0)
		cli_fail(&err);
	if (ml_columns_resolve_target(&inputs, s->load.target, source, &inputs.target, &err) < 0) {
		ml_columns_free(&inputs);
		ml_input_close(input);
		cli_fail(&err);
	}
	ml_stage *stage = make_stage(s, &inputs, source);
	ml_columns_free(&inputs);
	ml_chain *chain = ml_chain_copy(ml_input_chain(input), &err);
	if (!chain || ml_chain_append(chain, stage, &err) < 0)
		cli_fail(&err);
	if (s->io.save)
		cli_save_chain(s->io.save, chain);
	/* The input's own chain is a prefix of this one: the stream applies the rest. */
	const ml_stage *poly = ml_chain_stage(chain, ml_chain_length(chain) - 1);
	char *name = ml_strdup(source, &err);
	ml_stream *stream = name ? ml_stream_from_input(input, chain, "the poly stage", &err) : NULL;
	if (!stream)
		cli_fail(&err);
	uint64_t n_rows = cli_copy_stream(stream, cli_output_format(s->io.csv, s->io.bin, s->io.npy, false),
					  s->io.output);
	if (s->io.verbose)
		report(name, n_rows, poly);
	ml_stream_close(stream);
	ml_chain_free(chain);
	free(name);
}

/* CSV input: the implicit load stage is fitted in memory, then poly applied to it all. */
static ml_stage *fit_poly(const ml_dataset *data, void *context, ml_error *err)
{
	const settings *s = context;
	(void)err;
	return make_stage(s, &data->columns, s->io.input ? s->io.input : "stdin");
}

/* --load: the saved chain replayed on CSV (all of it) or binary (what it still needs). */
static void apply_saved(const settings *s)
{
	const cli_stage_io *io = &s->io;
	uint64_t n_rows = cli_apply_saved(io->load_file, "poly", &s->load.csv, io, true);
	if (io->verbose)
		cli_warn("%s: %llu rows", io->input ? io->input : "stdin", (unsigned long long)n_rows);
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	if (s.io.load_file) {
		apply_saved(&s);
		return 0;
	}
	ml_input *input = ml_input_open(s.io.input, &s.load.csv, &err);
	if (!input)
		cli_fail(&err);
	if (ml_input_binary(input)) {
		expand_binary(&s, input); /* closes input */
		return 0;
	}
	ml_dataset data;
	cli_stage_fit(&s.io, input, &s.load, true, fit_poly, &s, &data);
	if (s.io.verbose)
		report(s.io.input ? s.io.input : "stdin", data.n_rows,
		       ml_chain_stage(data.chain, ml_chain_length(data.chain) - 1));
	ml_dataset_free(&data);
	return 0;
}
