/*
 * ml-load: CSV in, binary matrix out, fitting (or re-applying) the load
 * stage that records how text became numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/ml_file.h"
#include "io/ml_libsvm.h"
#include "stages/ml_io.h"
#include "stages/ml_stream.h"

enum { OPT_CATEGORICAL = 256, OPT_ORDINAL, OPT_MAX_CATEGORIES, OPT_ORDER, OPT_DROP_FIRST,
       OPT_DROP_MISSING_TARGET, OPT_FORMAT, OPT_FEATURES };

/* LIBSVM rows are densified and written this many at a time. */
#define LIBSVM_BLOCK_CELLS ((size_t)1 << 20)

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
	{ OPT_FORMAT, "format", "FMT", "read FMT: 'csv' (default: CSV, binary or .npy by the first"
				       " bytes) or 'libsvm' (label idx:val ...)" },
	{ OPT_FEATURES, "features", "N", "LIBSVM input: columns c1..cN (default: the largest index;"
					 " at most 100000)" },
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
		  "  ml-load --csv iris.bin | head\n"
		  "  ml-load --format libsvm heart_scale > heart.bin\n",
};

typedef struct settings {
	ml_load_options load;
	cli_stage_io io;
	bool na_given, max_categories_given, libsvm, csv_options_given;
	int precision; /* --precision, for the LIBSVM path's own writer */
	ml_libsvm_options libsvm_options;
	const char *orders[MAX_ORDERS];
} settings;

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_load_options_init(&s->load);
	ml_libsvm_options_init(&s->libsvm_options);
	bool features_given = false;
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		s->na_given |= code == CLI_OPT_NA;
		s->csv_options_given |= code == 'd' || code == CLI_OPT_NO_HEADER ||
					code == CLI_OPT_NA || code == CLI_OPT_QUOTES;
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
		case CLI_OPT_PRECISION: s->precision = cli_precision(cli_arg); break;
		case OPT_FORMAT:
			if (strcmp(cli_arg, "libsvm") != 0 && strcmp(cli_arg, "csv") != 0)
				cli_usage_error("--format: '%s' is not 'csv' or 'libsvm'", cli_arg);
			s->libsvm = strcmp(cli_arg, "libsvm") == 0;
			break;
		case OPT_FEATURES:
			s->libsvm_options.n_columns = cli_size("--features", cli_arg, 1,
							       ML_LIBSVM_MAX_COLUMNS);
			features_given = true;
			break;
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
	if (features_given && !s->libsvm)
		cli_usage_error("--features goes with --format libsvm");
	if (s->libsvm && (s->io.save || s->io.load_file || s->csv_options_given ||
			  (fitting && (!s->load.target || strcmp(s->load.target, "label") != 0 ||
				       s->load.keep || s->load.drop || s->load.categorical ||
				       s->load.ordinal || s->load.n_orders || s->load.drop_first ||
				       s->load.drop_missing_target || s->max_categories_given))))
		cli_usage_error("--format libsvm: its columns are label and c1..cN, the target label;"
				" no load stage is fitted: no --save, --load, CSV or column options");
}

/* --format libsvm: read whole (sparse), then written dense a block at a time. */
static void load_libsvm(const settings *s)
{
	ml_error err;
	const char *name = s->io.input && strcmp(s->io.input, "-") != 0 ? s->io.input : "stdin";
	int fd = name == s->io.input ? open(name, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0)
		cli_die("%s: %s", name, strerror(errno));
	/* Refused before reading, which may take long or wait on a terminal. */
	ml_format format = cli_output_format(s->io.csv, s->io.bin, s->io.npy, false);
	FILE *out = cli_output_open(s->io.output);
	cli_refuse_terminal(out, format);
	ml_source *source = ml_source_create(fd, name, &err);
	ml_libsvm *data = source ? ml_libsvm_read(source, name, &s->libsvm_options, &err) : NULL;
	if (!data)
		cli_fail(&err);
	ml_source_free(source);
	if (fd != STDIN_FILENO)
		close(fd);
	const ml_columns *columns = ml_libsvm_columns(data);
	size_t n_rows = ml_libsvm_rows(data);
	size_t block = LIBSVM_BLOCK_CELLS / columns->count ? LIBSVM_BLOCK_CELLS / columns->count : 1;
	double *rows = ml_alloc_array(block, columns->count * sizeof *rows, &err);
	ml_writer *writer = rows ? ml_writer_create(out, cli_output_name(), format, columns, NULL,
						    n_rows, &err) : NULL;
	if (!writer)
		cli_fail(&err);
	ml_writer_set_precision(writer, s->precision);
	for (size_t first = 0; first < n_rows; first += block) {
		size_t count = n_rows - first < block ? n_rows - first : block;
		ml_libsvm_dense(data, first, count, rows);
		if (ml_writer_write(writer, rows, count, &err) < 0)
			cli_fail(&err);
	}
	if (ml_writer_finish(writer, &err) < 0)
		cli_fail(&err);
	ml_writer_free(writer);
	cli_output_close();
	if (s->io.verbose)
		cli_warn("%zu rows, %zu columns, target label", n_rows, columns->count);
	free(rows);
	ml_libsvm_free(data);
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
	if (s.libsvm) {
		load_libsvm(&s);
		return 0;
	}
	if (s.io.load_file) {
		cli_apply_saved(s.io.load_file, "load", &s.load.csv, &s.io, false);
		return 0;
	}
	/* Fitting reads it all before writing a row: a pipe may be read ahead in chunks. */
	s.load.csv.whole_input = true;
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
	/* Written, never transformed here: one-hot columns need not be held expanded. */
	s.load.encode_on_write = true;
	cli_stage_fit(&s.io, input, &s.load, false, NULL, NULL, &data);
	if (s.io.verbose)
		report(&data);
	ml_dataset_free(&data);
	return 0;
}
