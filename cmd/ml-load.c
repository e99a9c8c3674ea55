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

enum { OPT_CATEGORICAL = 256, OPT_ORDINAL, OPT_MAX_CATEGORIES, OPT_ORDER, OPT_DROP_FIRST,
       OPT_DROP_MISSING_TARGET };

/* --order may be given once per column. */
#define MAX_ORDERS 64

static const cli_option options[] = {
	{ 't', "target", "NAME", "mark column NAME as the target" },
	{ 'c', "columns", "COLS", "keep only these columns (names or 1-based ranges: a,3,5-7)" },
	{ 'x', "exclude", "COLS", "drop these columns" },
	{ OPT_CATEGORICAL, "categorical", "COLS", "treat these columns as categorical" },
	{ OPT_ORDINAL, "ordinal", NULL, "encode categories as integer codes, not one-hot" },
	{ OPT_MAX_CATEGORIES, "max-categories", "N", "one-hot at most N values per column (1000)" },
	{ OPT_ORDER, "order", "COL=a,b,c", "ordinal codes for COL in this order (repeatable)" },
	{ OPT_DROP_FIRST, "drop-first", NULL, "one-hot without each column's first category" },
	{ OPT_DROP_MISSING_TARGET, "drop-missing-target", NULL,
	  "leave out rows whose target is missing (counted with -v)" },
	{ 'j', "threads", "N", "parse a CSV file on N threads (default: all, if more than 2)" },
	CLI_CSV_OPTIONS(""),
	CLI_STAGE_OPTIONS("write CSV instead of binary", "write binary (the default)",
			  "save the fitted load stage to FILE",
			  "apply the load stage saved in FILE instead of fitting",
			  "report what was loaded on stderr"),
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
	cli_stage_io io;
	bool na_given, max_categories_given;
	const char *orders[MAX_ORDERS];
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
		case OPT_ORDER:
			if (s->load.n_orders == MAX_ORDERS)
				cli_usage_error("--order: at most %d columns", MAX_ORDERS);
			s->orders[s->load.n_orders++] = cli_arg;
			break;
		case OPT_DROP_FIRST: s->load.drop_first = true; break;
		case 'j':
			s->load.csv.n_threads = cli_size("--threads", cli_arg, 1, 4096);
			cli_set_threads(s->load.csv.n_threads);
			break;
		case OPT_DROP_MISSING_TARGET: s->load.drop_missing_target = true; break;
		case OPT_MAX_CATEGORIES:
			s->load.max_categories = cli_size("--max-categories", cli_arg, 1, ML_MAX_COLUMNS);
			s->max_categories_given = true;
			break;
		default:
			if (!cli_csv_option(code, &s->load.csv) && !cli_stage_option(code, &s->io))
				cli_usage_error("unhandled option");
		}
	}
	s->load.orders = s->orders;
	bool fitting = s->load.target || s->load.keep || s->load.drop || s->load.categorical ||
		       s->load.ordinal || s->na_given || s->max_categories_given ||
		       s->load.n_orders || s->load.drop_first || s->load.drop_missing_target;
	cli_stage_finish_arguments(argc, argv, &s->io,
				   fitting ? "-t, -c, -x, --categorical, --ordinal, --order,"
					     " --drop-first, --drop-missing-target, --na,"
					     " --max-categories" : NULL);
	if (s->load.drop_missing_target && !s->load.target)
		cli_usage_error("--drop-missing-target needs the target: name it with -t");
}

static void report(const ml_dataset *data)
{
	const ml_columns *c = &data->columns;
	cli_warn("%zu rows, %zu columns%s%s", data->n_rows, c->count,
		 c->target != ML_NO_COLUMN ? ", target " : "",
		 c->target != ML_NO_COLUMN ? c->names[c->target] : "");
	if (data->n_dropped)
		cli_warn("%zu row%s left out: the target was missing", data->n_dropped,
			 data->n_dropped == 1 ? "" : "s");
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	if (s.io.load_file) {
		cli_apply_saved(s.io.load_file, "load", &s.load.csv, &s.io, false);
		return 0;
	}
	ml_input *input = ml_input_open(s.io.input, &s.load.csv, &err);
	if (!input)
		cli_fail(&err);
	bool loading_options = s.load.keep || s.load.drop || s.load.categorical || s.load.ordinal ||
			       s.load.n_orders || s.load.drop_first || s.load.drop_missing_target;
	if (ml_input_binary(input) && !s.io.save && !s.load.target && !loading_options) {
		/* Binary in: a format conversion, streamed. */
		ml_stream *stream = ml_stream_from_input(input, NULL, NULL, &err);
		if (!stream)
			cli_fail(&err);
		cli_copy_stream(stream, cli_output_format(s.io.csv, s.io.bin, s.io.npy, false), s.io.output);
		ml_stream_close(stream);
		return 0;
	}
	ml_dataset data;
	cli_stage_fit(&s.io, input, &s.load, false, NULL, NULL, &data);
	if (s.io.verbose)
		report(&data);
	ml_dataset_free(&data);
	return 0;
}
