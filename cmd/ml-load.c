/*
 * ml-load: CSV in, binary matrix out, fitting (or re-applying) the load
 * stage that records how text became numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/ml_file.h"
#include "stages/ml_io.h"
#include "stages/ml_stream.h"

enum { OPT_CATEGORICAL = 256, OPT_ORDINAL, OPT_MAX_CATEGORIES,
       OPT_CSV, OPT_BIN, OPT_SAVE, OPT_LOAD };

static const cli_option options[] = {
	{ 't', "target", "NAME", "mark column NAME as the target" },
	{ 'c', "columns", "COLS", "keep only these columns (names or 1-based ranges: a,3,5-7)" },
	{ 'x', "exclude", "COLS", "drop these columns" },
	{ OPT_CATEGORICAL, "categorical", "COLS", "treat these columns as categorical" },
	{ OPT_ORDINAL, "ordinal", NULL, "encode categories as integer codes, not one-hot" },
	{ OPT_MAX_CATEGORIES, "max-categories", "N", "one-hot at most N values per column (1000)" },
	CLI_CSV_OPTIONS(""),
	{ OPT_CSV, "csv", NULL, "write CSV instead of binary" },
	{ OPT_BIN, "bin", NULL, "write binary (the default)" },
	{ 'o', "output", "FILE", "write to FILE (atomically) instead of stdout" },
	{ OPT_SAVE, "save", "FILE", "save the fitted load stage to FILE" },
	{ OPT_LOAD, "load", "FILE", "apply the load stage saved in FILE instead of fitting" },
	{ 'v', "verbose", NULL, "report what was loaded on stderr" },
	{ 0 },
};

static const cli_command command = {
	.name = "ml-load",
	.synopsis = "[OPTION]... [FILE]",
	.summary = "Read CSV (or an mlpipe binary matrix) and write an mlpipe binary matrix.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-load -t species iris.csv > iris.bin\n"
		  "  ml-load -t species --save iris.load train.csv > train.bin\n"
		  "  ml-load --load iris.load test.csv > test.bin\n"
		  "  ml-load --csv iris.bin | head\n",
};

typedef struct settings {
	ml_load_options load;
	bool csv, bin, verbose, na_given, max_categories_given;
	ml_format format;
	const char *output, *save, *load_file, *input;
} settings;

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_load_options_init(&s->load);
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		s->na_given |= code == CLI_OPT_NA;
		switch (code) {
		case 't': s->load.target = cli_arg; break;
		case 'c': s->load.keep = cli_arg; break;
		case 'x': s->load.drop = cli_arg; break;
		case OPT_CATEGORICAL: s->load.categorical = cli_arg; break;
		case OPT_ORDINAL: s->load.ordinal = true; break;
		case OPT_MAX_CATEGORIES:
			s->load.max_categories = cli_size("--max-categories", cli_arg, 1, ML_MAX_COLUMNS);
			s->max_categories_given = true;
			break;
		case OPT_CSV: s->csv = true; break;
		case OPT_BIN: s->bin = true; break;
		case 'o': s->output = cli_arg; break;
		case OPT_SAVE: s->save = cli_arg; break;
		case OPT_LOAD: s->load_file = cli_arg; break;
		case 'v': s->verbose = true; break;
		default:
			if (!cli_csv_option(code, &s->load.csv))
				cli_usage_error("unhandled option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one input file at a time (got %d)", argc - optind);
	s->input = optind < argc ? argv[optind] : NULL;
	/* Usage errors come before any input is read. */
	s->format = cli_output_format(s->csv, s->bin, false);
	if (s->load_file && (s->load.target || s->load.keep || s->load.drop ||
			     s->load.categorical || s->load.ordinal || s->na_given ||
			     s->max_categories_given || s->save))
		cli_usage_error("--load applies a saved stage: -t, -c, -x, --categorical,"
				" --ordinal, --na, --max-categories come from it, and --save has"
				" nothing new to save");
}

static void report(const ml_dataset *data)
{
	const ml_columns *c = &data->columns;
	cli_warn("%zu rows, %zu columns%s%s", data->n_rows, c->count,
		 c->target != ML_NO_COLUMN ? ", target " : "",
		 c->target != ML_NO_COLUMN ? c->names[c->target] : "");
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	if (s.load_file) {
		cli_apply_saved(s.load_file, "load", s.input, &s.load.csv, s.csv, s.bin, false, s.output);
		return 0;
	}
	ml_input *input = ml_input_open(s.input, &s.load.csv, &err);
	if (!input)
		cli_fail(&err);
	bool loading_options = s.load.keep || s.load.drop || s.load.categorical || s.load.ordinal;
	if (ml_input_binary(input) && !s.save && !s.load.target && !loading_options) {
		/* Binary in: a format conversion, streamed. */
		ml_stream *stream = ml_stream_from_input(input, NULL, NULL, &err);
		if (!stream)
			cli_fail(&err);
		cli_copy_stream(stream, s.format, s.output);
		ml_stream_close(stream);
		return 0;
	}
	ml_dataset data;
	if (ml_dataset_read_input(input, &s.load, &data, &err) < 0)
		cli_fail(&err);
	if (s.save) {
		if (ml_chain_length(data.chain) == 0)
			cli_die("--save: the input has no load stage to save (it is binary without one)");
		cli_save_chain(s.save, data.chain);
	}
	cli_write_dataset(&data, s.format, s.output);
	if (s.verbose)
		report(&data);
	ml_dataset_free(&data);
	return 0;
}
