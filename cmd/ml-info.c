/*
 * ml-info: what is in a data file (binary or CSV) or a stage/model file;
 * for a model, the estimator, its coefficients by feature (and class) and
 * the training summary, after the checks ml-predict makes when reading it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core/ml_escape.h"
#include "core/ml_text.h"
#include "stages/ml_load.h"
#include "math/ml_colstats.h"
#include "core/ml_file.h"
#include "core/ml_number.h"
#include "models/ml_model.h"
#include "stages/ml_io.h"
#include "stages/ml_pipefile.h"

enum { OPT_STAGES = 256 };

static const cli_option options[] = {
	{ 't', "target", "NAME", "for CSV input: the target column" },
	CLI_CSV_OPTIONS("CSV input: "),
	{ OPT_STAGES, "stages", NULL, "print the stages in full (their file text)" },
	{ 0 },
};

static const cli_command command = {
	.name = "ml-info",
	.synopsis = "[OPTION]... [FILE]",
	.summary = "Describe a data file (binary or CSV), a stage file or a model file.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-info iris.bin\n"
		  "  ml-info -t species iris.csv\n"
		  "  ml-info --stages iris.load\n"
		  "  ml-info iris.model\n",
};

static bool full_stages;

/*
 * All of ml-info's output goes through here: names and meta lines come
 * from the files described and are escaped (ml_escape), lines kept.
 */
static void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *format, ...)
{
	ml_buf text, shown;
	ml_buf_init(&text);
	ml_buf_init(&shown);
	va_list args;
	va_start(args, format);
	ml_buf_vprintf(&text, format, args);
	va_end(args);
	ml_escape_append(&shown, text.data ? text.data : "", text.length, ML_ESCAPE_KEEP_LINES);
	if (text.failed || shown.failed)
		cli_die("out of memory");
	fwrite(shown.data ? shown.data : "", 1, shown.length, stdout);
	ml_buf_free(&text);
	ml_buf_free(&shown);
}

static void print_number(double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	if (isnan(value)) {
		say(" %12s", "-");
		return;
	}
	/* Summaries need not be exact: 6 significant digits read well. */
	snprintf(digits, sizeof digits, "%.6g", value);
	say(" %12s", digits);
}

static void print_chain(const ml_chain *chain)
{
	size_t n = ml_chain_length(chain);
	say("stages: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const ml_stage *stage = ml_chain_stage(chain, i);
		say("  %zu. %-6s %zu -> %zu columns  digest %016llx\n", i + 1,
		       ml_stage_kind_name(stage), ml_stage_inputs(stage)->count,
		       ml_stage_outputs(stage)->count, (unsigned long long)ml_stage_digest(stage));
		if (full_stages) {
			ml_buf text;
			ml_buf_init(&text);
			ml_stage_write(stage, &text);
			if (text.data)
				say("%s", text.data);
			ml_buf_free(&text);
		}
	}
}

/* Names, quoted where a space or a quote would make the line ambiguous. */
static void print_names(char *const *names, size_t count)
{
	ml_buf text;
	ml_buf_init(&text);
	for (size_t i = 0; i < count; i++)
		ml_text_string(&text, names[i]);
	if (text.failed)
		cli_die("out of memory");
	say("%s", text.data ? text.data : "");
	ml_buf_free(&text);
}

/*
 * What a chain that starts with a load stage reads: its CSV columns, in
 * the order CSV without a header must give them, and the dialect.
 */
static void print_csv_input(const ml_chain *chain)
{
	if (ml_chain_length(chain) == 0 || !ml_stage_is_load(ml_chain_stage(chain, 0)))
		return;
	const ml_stage *load = ml_chain_stage(chain, 0);
	const ml_columns *inputs = ml_stage_inputs(load);
	say("csv columns: %zu:", inputs->count);
	print_names(inputs->names, inputs->count);
	if (inputs->target != ML_NO_COLUMN)
		say(" (target %s, may be left out)", inputs->names[inputs->target]);
	ml_csv_options csv;
	ml_csv_options_init(&csv);
	ml_load_fill_dialect(load, &csv);
	char delimiter[8];
	snprintf(delimiter, sizeof delimiter, csv.delimiter == '\t' ? "tab" : "'%c'", csv.delimiter);
	say("\ncsv dialect: delimiter %s, %s, quotes %s, missing:", delimiter,
	       csv.header ? "header" : "no header", csv.lenient_quotes ? "lenient" : "strict");
	print_names((char *const *)csv.na_values, csv.n_na_values);
	say(" (and empty)\n");
}

static void print_column_stats(const ml_dataset *data)
{
	size_t width = data->columns.count;
	ml_colstats_input in = { data->values, data->n_rows, width, NULL };
	size_t *count = calloc(width, sizeof *count);
	double *stats = calloc(width, 4 * sizeof *stats);
	double *mean = stats, *variance = stats + width, *low = stats + 2 * width,
	       *high = stats + 3 * width;
	ml_error err;
	if (!count || !stats)
		cli_die("out of memory");
	if (ml_colstats_moments(&in, count, mean, variance, &err) < 0)
		cli_fail(&err);
	ml_colstats_extremes(&in, low, high);
	/* Names as the text of stage files writes them: quoted when they hold a space. */
	char **shown = calloc(width ? width : 1, sizeof *shown);
	int name_width = 24;
	if (!shown)
		cli_die("out of memory");
	for (size_t c = 0; c < width; c++) {
		ml_buf name;
		ml_buf_init(&name);
		ml_text_string(&name, data->columns.names[c]);
		if (name.failed)
			cli_die("out of memory");
		shown[c] = name.data;
		int length = (int)strlen(name.data + 1);
		name_width = length > name_width && length <= 64 ? length : name_width;
	}
	say("%-*s %7s %12s %7s %12s %12s %12s %12s\n", name_width, "column", "role", "count",
	       "missing", "mean", "std", "min", "max");
	for (size_t c = 0; c < width; c++) {
		say("%-*s %7s %12zu %7zu", name_width, shown[c] + 1,
		       c == data->columns.target ? "target" : "feature", count[c],
		       data->n_rows - count[c]);
		free(shown[c]);
		print_number(count[c] ? mean[c] : NAN);
		print_number(count[c] ? sqrt(variance[c]) : NAN);
		print_number(count[c] ? low[c] : NAN);
		print_number(count[c] ? high[c] : NAN);
		say("\n");
	}
	free(shown);
	free(count);
	free(stats);
}

static void describe_data(const char *path, const ml_load_options *load)
{
	ml_dataset data;
	ml_error err;
	if (ml_dataset_read(path, load, &data, &err) < 0)
		cli_fail(&err);
	const ml_columns *c = &data.columns;
	say("file: %s\nrows: %zu\ncolumns: %zu\ntarget: %s\n", path ? path : "stdin",
	       data.n_rows, c->count, c->target != ML_NO_COLUMN ? c->names[c->target] : "(none)");
	size_t n_classes;
	char *const *classes = ml_chain_class_names(data.chain, &n_classes);
	if (classes) {
		say("classes: %zu:", n_classes);
		print_names(classes, n_classes);
		say("\n");
	}
	print_chain(data.chain);
	print_column_stats(&data);
	ml_dataset_free(&data);
}

/* A model file: what ml_model_read checks, then what the model holds. */
static void describe_model(const char *path, const char *shown)
{
	ml_error err;
	ml_model *model = ml_model_read(path, &err);
	if (!model)
		cli_fail(&err);
	say("file: %s\nkind: model\n", shown);
	for (size_t i = 0; i < ml_model_n_meta(model); i++)
		say("%s\n", ml_model_meta(model, i));
	print_chain(ml_model_chain(model));
	print_csv_input(ml_model_chain(model));
	ml_buf text;
	ml_buf_init(&text);
	ml_model_describe(model, &text);
	if (text.failed)
		cli_die("out of memory");
	say("%s", text.data);
	ml_buf_free(&text);
	ml_model_free(model);
}

/* shown: the name for the reader (path is /dev/stdin for standard input). */
static void describe_pipefile(const char *path, const char *shown)
{
	ml_error err;
	ml_pipefile *file = ml_pipefile_open(path, &err);
	if (!file)
		cli_fail(&err);
	const ml_text_line *next = ml_pipefile_next_line(file);
	if (next->n_tokens) {
		ml_pipefile_close(file);
		describe_model(path, shown);
		return;
	}
	say("file: %s\nkind: stages\n", shown);
	for (size_t i = 0; i < ml_pipefile_n_meta(file); i++)
		say("%s\n", ml_pipefile_meta(file, i));
	print_chain(ml_pipefile_chain(file));
	print_csv_input(ml_pipefile_chain(file));
	ml_pipefile_close(file);
}

/*
 * A pipe on standard input is copied into an unlinked temporary file first: its
 * first bytes decide what it is, and a model or stage file is then read
 * from its start like a named one.  (ml-info reads all of a data file into
 * memory anyway, so the copy costs no more than that.)
 */
static void spool_stdin(void)
{
	struct stat info;
	if (fstat(STDIN_FILENO, &info) == 0 && S_ISREG(info.st_mode))
		return;
	FILE *copy = tmpfile();
	int fd = copy ? fileno(copy) : -1;
	if (fd < 0)
		cli_die("standard input: cannot make a copy: %s", strerror(errno));
	char buffer[1 << 16];
	for (;;) {
		ssize_t got = read(STDIN_FILENO, buffer, sizeof buffer);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			cli_die("standard input: %s", strerror(errno));
		if (got == 0)
			break;
		for (ssize_t done = 0; done < got;) {
			ssize_t put = write(fd, buffer + done, (size_t)(got - done));
			if (put < 0 && errno != EINTR)
				cli_die("standard input: cannot make a copy: %s", strerror(errno));
			done += put > 0 ? put : 0;
		}
	}
	if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, STDIN_FILENO) < 0)
		cli_die("standard input: cannot make a copy: %s", strerror(errno));
	fclose(copy);
}

/*
 * Stage and model files start with their version line ("mlpipe 2", or
 * with a tab); everything else is data.  A named file is peeked at only
 * when it is regular: opening a named pipe twice would lose its bytes.
 */
static bool is_pipefile(const char *path)
{
	struct stat info;
	if (path && (stat(path, &info) != 0 || !S_ISREG(info.st_mode)))
		return false;
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	char start[ML_PIPEFILE_SNIFF];
	if (fd < 0)
		return false;
	ssize_t got = pread(fd, start, sizeof start, 0);
	if (path)
		close(fd);
	return got > 0 && ml_pipefile_sniff(start, (size_t)got);
}

int main(int argc, char **argv)
{
	ml_load_options load;
	int code;
	cli_init(&command, argc, argv);
	ml_load_options_init(&load);
	while ((code = cli_next_option(argc, argv)) != -1) {
		switch (code) {
		case 't': load.target = cli_arg; break;
		case OPT_STAGES: full_stages = true; break;
		default:
			if (!cli_csv_option(code, &load.csv))
				cli_usage_error("unhandled option");
		}
	}
	if (argc - optind > 1)
		cli_usage_error("one file at a time");
	const char *path = optind < argc ? argv[optind] : NULL;
	if (path && strcmp(path, "-") == 0)
		path = NULL;
	if (!path)
		spool_stdin();
	if (is_pipefile(path))
		describe_pipefile(path ? path : "/dev/stdin", path ? path : "stdin");
	else
		describe_data(path, &load);
	return 0;
}
