#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <getopt.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ml_escape.h"
#include "core/ml_file.h"
#include "core/ml_number.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "stages/ml_pipefile.h"
#include "stages/ml_stream.h"

char *cli_arg;

static const cli_command *current;
static struct option *long_options;
static char *short_options;
/* The atomic outputs being written now (ml-split writes two). */
#define MAX_OUTPUTS 2
static ml_atomic_file *output_files[MAX_OUTPUTS];
static size_t n_outputs;
/*
 * Outputs written and closed, waiting for the run to succeed: renamed into
 * place at exit, after stdout, in the order they were finished.
 */
#define MAX_FINISHED 8
static ml_atomic_file *finished_files[MAX_FINISHED];
static size_t n_finished;
static const char *output_name = "stdout";
/* --precision: significant digits of CSV output, 0 for exact. */
static int csv_precision;
/* A message has been printed and the exit status is 1 already. */
static bool failing;
/* While the finished outputs are renamed, a signal waits for the last rename. */
static volatile sig_atomic_t committing, deferred_signal;

#define CODE_HELP 1000
#define CODE_VERSION 1001

/* The signals that end a run: each removes the temporary files, then ends it as it would have. */
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
#define N_FATAL_SIGNALS (sizeof fatal_signals / sizeof fatal_signals[0])

void cli_on_fatal_signal(int signal_number)
{
	if (committing) {
		deferred_signal = signal_number;
		return;
	}
	ml_file_remove_temporaries();
	signal(signal_number, SIG_DFL);
	raise(signal_number); /* delivered when the handler returns */
}

static void catch_fatal_signals(void)
{
	struct sigaction action = { .sa_handler = cli_on_fatal_signal, .sa_flags = SA_RESTART };
	sigemptyset(&action.sa_mask);
	for (size_t i = 0; i < N_FATAL_SIGNALS; i++)
		sigaddset(&action.sa_mask, fatal_signals[i]);
	for (size_t i = 0; i < N_FATAL_SIGNALS; i++) {
		struct sigaction old;
		/* nohup's SIGHUP stays ignored (a script's SIGINT does not: ^C must work). */
		if (fatal_signals[i] == SIGHUP && sigaction(SIGHUP, NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(fatal_signals[i], &action, NULL);
	}
	/* Past `ulimit -f` a write fails with EFBIG and says so, instead of a silent death. */
	signal(SIGXFSZ, SIG_IGN);
}

/*
 * A standard descriptor closed at start is opened on /dev/null the wrong
 * way round: using it fails (EBADF) as it would have, and no file opened
 * later takes its number (an output's temporary file as fd 1 would get
 * whatever is printed to stdout).
 */
static void fill_closed_standard_descriptors(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		int opened = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (opened > fd)
			close(opened);
	}
}

/* Set once an error was reported: the exit-time check adds no second one. */
static bool failure_reported;

/* Removes every temporary output, leaving the targets as they were. */
static void abort_outputs(void)
{
	for (size_t i = 0; i < n_outputs; i++) {
		ml_atomic_abort(output_files[i]);
		output_files[i] = NULL;
	}
	n_outputs = 0;
	for (size_t i = 0; i < n_finished; i++) {
		ml_atomic_abort(finished_files[i]);
		finished_files[i] = NULL;
	}
	n_finished = 0;
}

void cli_die_by_signal(int signal_number)
{
	abort_outputs();
	signal(signal_number, SIG_DFL);
	sigset_t only;
	sigemptyset(&only);
	sigaddset(&only, signal_number);
	pthread_sigmask(SIG_UNBLOCK, &only, NULL);
	raise(signal_number);
	_exit(128 + signal_number);
}

/*
 * Renames the finished outputs into place: side outputs (--save, a model,
 * centres) before the main one, which every command finishes last, so a
 * new main output means a whole run.  A signal meanwhile waits until all
 * are renamed, then ends the run.  In an exit handler: _exit on failure.
 */
static void commit_finished(void)
{
	ml_error err;
	committing = 1;
	for (size_t i = 0; i < n_finished; i++) {
		ml_atomic_file *file = finished_files[i];
		finished_files[i] = NULL;
		if (ml_atomic_commit(file, &err) < 0) {
			committing = 0;
			fprintf(stderr, "%s: %s\n", current->name, err.message);
			for (size_t j = i + 1; j < n_finished; j++)
				ml_atomic_abort(finished_files[j]);
			n_finished = 0;
			_exit(CLI_EXIT_FAILURE);
		}
	}
	n_finished = 0;
	committing = 0;
	if (deferred_signal)
		cli_die_by_signal(deferred_signal);
}

/*
 * At exit, a failed write to stdout must not pass for success, and the
 * files wait for stdout: `--save FILE > /dev/full` leaves FILE as it was.
 */
static void finish_at_exit(void)
{
	if (failing)
		return; /* one message is enough */
	/* An output still open was never finished: it is not committed half-written. */
	for (size_t i = 0; i < n_outputs; i++) {
		ml_atomic_abort(output_files[i]);
		output_files[i] = NULL;
	}
	n_outputs = 0;
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		int saved = errno;
		abort_outputs();
		if (saved == EPIPE)
			_exit(0);
		if (!failure_reported)
			fprintf(stderr, "%s: write error: %s\n", current->name, strerror(saved));
		_exit(CLI_EXIT_FAILURE);
	}
	commit_finished();
}

static void build_getopt_tables(const cli_option *options)
{
	size_t count = 0;
	while (options[count].code)
		count++;
	long_options = calloc(count + 3, sizeof *long_options);
	short_options = calloc(2 * count + 2, 1);
	if (!long_options || !short_options) {
		fprintf(stderr, "%s: out of memory\n", current->name);
		exit(CLI_EXIT_FAILURE);
	}
	char *s = short_options;
	*s++ = ':';
	for (size_t i = 0; i < count; i++) {
		long_options[i] = (struct option){ options[i].long_name,
						   options[i].arg_name ? required_argument : no_argument,
						   NULL, options[i].code };
		if (options[i].code < 256) {
			*s++ = (char)options[i].code;
			if (options[i].arg_name)
				*s++ = ':';
		}
	}
	long_options[count] = (struct option){ "help", no_argument, NULL, CODE_HELP };
	long_options[count + 1] = (struct option){ "version", no_argument, NULL, CODE_VERSION };
	*s++ = 'h';
}

static char **typed_argv;
static int typed_argc;

static void free_typed_argv(void)
{
	free(typed_argv);
}

char *const *cli_typed_argv(int *argc)
{
	*argc = typed_argc;
	return typed_argv;
}

void cli_init(const cli_command *command, int argc, char **argv)
{
	current = command;
	fill_closed_standard_descriptors();
	/* The strings stay where they are; getopt_long only reorders the array. */
	typed_argv = malloc(((size_t)argc + 1) * sizeof *typed_argv);
	if (!typed_argv) {
		fprintf(stderr, "%s: out of memory\n", command->name);
		exit(CLI_EXIT_FAILURE);
	}
	memcpy(typed_argv, argv, ((size_t)argc + 1) * sizeof *typed_argv);
	typed_argc = argc;
	atexit(free_typed_argv);
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	catch_fatal_signals();
	atexit(finish_at_exit);
	build_getopt_tables(command->options);
}

static void print_help(void)
{
	printf("Usage: %s %s\n%s\n\nOptions:\n", current->name, current->synopsis,
	       current->summary);
	for (const cli_option *o = current->options; o->code; o++) {
		char left[64];
		if (o->code < 256)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->code, o->long_name,
				 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->long_name,
				 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
		printf("  %-26s %s\n", left, o->help);
	}
	printf("  %-26s %s\n  %-26s %s\n", "-h, --help", "show this help and exit",
	       "    --version", "show the version and exit");
	if (current->footer)
		printf("\n%s", current->footer);
	printf("\nExit status: 0 success, 1 bad data or failure, 2 bad usage.\n"
	       "See %s(1).\n", current->name);
}

const char *cli_blas_description(void)
{
	static char text[128];
	snprintf(text, sizeof text, "OpenBLAS (%s kernels)", ml_blas_kernels());
	return text;
}

/* OpenBLAS kernels older than AVX2, and the CPU features that make them a waste. */
static void warn_generic_kernels(void)
{
	static const char *const generic[] = { "Prescott", "Core2", "Penryn", "Dunnington",
					       "Nehalem", "Atom", "Opteron", "Barcelona",
					       "Bobcat", "Sandybridge", "Bulldozer", "Piledriver",
					       "Katmai", "Coppermine", "Northwood", "Banias", NULL };
	const char *blas = cli_blas_description();
	__builtin_cpu_init();
	bool avx512 = __builtin_cpu_supports("avx512f"), avx2 = __builtin_cpu_supports("avx2");
	if (!avx2 && !avx512)
		return;
	for (size_t i = 0; generic[i]; i++)
		if (strstr(blas, generic[i])) {
			cli_warn("OpenBLAS runs %s kernels on a CPU with %s: set"
				 " OPENBLAS_CORETYPE=%s for several times faster BLAS",
				 generic[i], avx512 ? "AVX-512" : "AVX2",
				 avx512 ? "SkylakeX" : "Haswell");
			return;
		}
}

/*
 * Runs the program again, the same command line, with name=value in its
 * environment (read at start only, by the runtime or the loader).  By its
 * own path, not /proc/self/exe, which ps, top and pkill would call "exe".
 * Returns when it cannot (no /proc, no exec), with name unset again.
 */
static void run_again_with(const char *name, const char *value, char *const *argv)
{
	char self[4096];
	ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
	if (length <= 0 || (size_t)length >= sizeof self - 1)
		return;
	self[length] = '\0';
	if (setenv(name, value, 1) == 0)
		execv(self, argv);
	unsetenv(name);
}

void cli_wait_passively(char **argv)
{
	if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT"))
		return;
	run_again_with("OMP_WAIT_POLICY", "passive", argv);
}

#define HUGE_PAGES_TUNABLE "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432"

void cli_huge_pages_for(const char *path)
{
	struct stat info;
	if (getenv("GLIBC_TUNABLES") || stat(path, &info) != 0 || !S_ISREG(info.st_mode) ||
	    (long long)info.st_size < CLI_HUGE_PAGES_BYTES)
		return;
	int argc;
	run_again_with("GLIBC_TUNABLES", HUGE_PAGES_TUNABLE, cli_typed_argv(&argc));
}

const char *cli_huge_pages(void)
{
	const char *tunables = getenv("GLIBC_TUNABLES");
	return tunables && strcmp(tunables, HUGE_PAGES_TUNABLE) == 0 ? tunables : NULL;
}

const char *cli_wait_policy(void)
{
	static char text[64];
	const char *policy = getenv("OMP_WAIT_POLICY"), *spin = getenv("GOMP_SPINCOUNT");
	if (!policy && !spin)
		return "OpenMP's default (spinning)";
	snprintf(text, sizeof text, "%s%.20s%s%s%.20s", policy ? "OMP_WAIT_POLICY=" : "",
		 policy ? policy : "", policy && spin ? " " : "", spin ? "GOMP_SPINCOUNT=" : "",
		 spin ? spin : "");
	return text;
}

void cli_report_blas(void)
{
	cli_warn("BLAS: %s", cli_blas_description());
	warn_generic_kernels();
}

void cli_set_threads(size_t n_threads)
{
	ml_parallel_set_threads(n_threads);
	ml_blas_threads_set((int)ml_parallel_threads());
}

int cli_next_option(int argc, char **argv)
{
	int code = getopt_long(argc, argv, short_options, long_options, NULL);
	cli_arg = optarg;
	switch (code) {
	case 'h':
	case CODE_HELP:
		print_help();
		exit(0);
	case CODE_VERSION:
		printf("%s (mlpipe) %s\nBLAS: %s\n", current->name, ML_VERSION,
		       cli_blas_description());
		exit(0);
	case '?':
		if (optopt && optopt < 256)
			cli_usage_error("unknown option '-%c'", optopt);
		cli_usage_error("unknown option '%s'", argv[optind - 1]);
	case ':':
		cli_usage_error("option '%s' needs a value", argv[optind - 1]);
	default:
		return code;
	}
}

/* Copies live as long as the options that point into them: until exit. */
#define MAX_ARG_COPIES 32
static char *arg_copies[MAX_ARG_COPIES];
static size_t n_arg_copies;

static void free_arg_copies(void)
{
	while (n_arg_copies > 0)
		free(arg_copies[--n_arg_copies]);
}

char *cli_copy_arg(void)
{
	if (n_arg_copies == MAX_ARG_COPIES)
		cli_usage_error("too many options");
	char *copy = strdup(cli_arg);
	if (!copy)
		cli_die("out of memory");
	if (n_arg_copies == 0)
		atexit(free_arg_copies);
	arg_copies[n_arg_copies++] = copy;
	return copy;
}

/*
 * Every message goes through here, and its text is escaped on the way
 * (ml_escape): names and fields from a hostile file reach the terminal as
 * \x1b, never as an escape sequence, and the message stays on one line.
 */
static void vmessage(const char *format, va_list args)
{
	ml_buf text, line;
	ml_buf_init(&text);
	ml_buf_init(&line);
	ml_buf_vprintf(&text, format, args);
	ml_buf_printf(&line, "%s: ", current->name);
	ml_escape_append(&line, text.data ? text.data : "", text.length, 0);
	ml_buf_putc(&line, '\n');
	if (text.failed || line.failed)
		fprintf(stderr, "%s: out of memory\n", current->name);
	else
		fwrite(line.data, 1, line.length, stderr);
	ml_buf_free(&text);
	ml_buf_free(&line);
}

void cli_usage_error(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vmessage(format, args);
	va_end(args);
	fprintf(stderr, "Try '%s --help' for more information.\n", current->name);
	abort_outputs();
	exit(CLI_EXIT_USAGE);
}

void cli_die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vmessage(format, args);
	va_end(args);
	failure_reported = true;
	abort_outputs();
	failing = true;
	exit(CLI_EXIT_FAILURE);
}

void cli_fail(const ml_error *err)
{
	cli_die("%s", err->message);
}

void cli_warn(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vmessage(format, args);
	va_end(args);
}

bool cli_csv_option(int code, ml_csv_options *csv)
{
	ml_error err;
	switch (code) {
	case 'd':
	case CLI_OPT_DELIMITER:
		csv->delimiter = cli_delimiter(cli_arg);
		csv->delimiter_given = true;
		return true;
	case CLI_OPT_NO_HEADER:
	case CLI_OPT_HEADER:
		if (csv->header_given && csv->header != (code == CLI_OPT_HEADER))
			cli_usage_error("--header and --no-header contradict each other");
		csv->header = code == CLI_OPT_HEADER;
		csv->header_given = true;
		return true;
	case CLI_OPT_NA:
		/* A copy: the list is cut up, and argv is recorded in stage files whole. */
		if (ml_csv_options_set_na(csv, cli_copy_arg(), &err) < 0)
			cli_usage_error("--na: %s", err.message);
		csv->na_given = true;
		return true;
	case CLI_OPT_QUOTES:
		if (strcmp(cli_arg, "strict") != 0 && strcmp(cli_arg, "lenient") != 0)
			cli_usage_error("--quotes: '%s' is neither 'strict' nor 'lenient'", cli_arg);
		csv->lenient_quotes = strcmp(cli_arg, "lenient") == 0;
		csv->quotes_given = true;
		return true;
	default:
		return false;
	}
}

size_t cli_size(const char *option, const char *arg, size_t min, size_t max)
{
	int64_t value;
	if (!ml_parse_int64(arg, strlen(arg), (int64_t)min, (int64_t)max, &value))
		cli_usage_error("%s: '%s' is not a whole number from %zu to %zu", option, arg, min,
				max);
	return (size_t)value;
}

double cli_double(const char *option, const char *arg)
{
	double value;
	if (!ml_parse_double(arg, strlen(arg), &value))
		cli_usage_error("%s: '%s' is not a number", option, arg);
	return value;
}

char cli_delimiter(const char *arg)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
		return '\t';
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
		cli_usage_error("-d: the delimiter is one character (or '\\t'), not '%s'", arg);
	return arg[0];
}

FILE *cli_output_open(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	ml_error err;
	if (n_outputs == MAX_OUTPUTS)
		cli_die("%s: too many outputs at once", path);
	ml_atomic_file *file = ml_atomic_open(path, &err);
	if (!file)
		cli_fail(&err);
	output_files[n_outputs++] = file;
	output_name = path;
	return ml_atomic_stream(file);
}

const char *cli_output_name(void)
{
	return output_name;
}

const char *cli_output_path(void)
{
	if (n_outputs == 0)
		return NULL;
	const char *temp = ml_atomic_temp_path(output_files[n_outputs - 1]);
	return temp ? temp : output_name;
}

void cli_refuse_terminal(FILE *out, ml_format format)
{
	if (format != ML_FORMAT_CSV && isatty(fileno(out)))
		cli_usage_error("refusing to write %s data to a terminal; use --csv,"
				" -o FILE or a redirect", format == ML_FORMAT_NPY ? ".npy" : "binary");
}

/* Keeps a closed output for the commit at exit. */
static void add_finished(ml_atomic_file *file)
{
	if (n_finished == MAX_FINISHED) {
		ml_atomic_abort(file);
		cli_die("more than %d output files", MAX_FINISHED);
	}
	finished_files[n_finished++] = file;
}

void cli_output_close(void)
{
	ml_error err;
	while (n_outputs > 0) {
		ml_atomic_file *file = output_files[0];
		if (ml_atomic_close(file, &err) < 0)
			cli_fail(&err); /* removes it with the others */
		memmove(output_files, output_files + 1, --n_outputs * sizeof *output_files);
		output_files[n_outputs] = NULL;
		add_finished(file);
	}
}

bool cli_output_replace(const char *path, const void *data, size_t length)
{
	ml_error err;
	ml_atomic_file *file;
	if (ml_file_prepare(path, data, length, &file, &err) < 0)
		cli_fail(&err);
	if (file)
		add_finished(file);
	return !file;
}

ml_format cli_output_format(bool want_csv, bool want_bin, bool want_npy, bool input_is_csv)
{
	if (want_csv + want_bin + want_npy > 1)
		cli_usage_error("%s contradict each other", !want_npy ? "--csv and --bin"
				: want_csv ? "--csv and --npy" : "--bin and --npy");
	if (want_csv)
		return ML_FORMAT_CSV;
	if (want_bin)
		return ML_FORMAT_BINARY;
	if (want_npy)
		return ML_FORMAT_NPY;
	return input_is_csv ? ML_FORMAT_CSV : ML_FORMAT_BINARY;
}

void cli_save_chain(const char *path, const ml_chain *chain)
{
	int argc;
	char *const *argv = cli_typed_argv(&argc);
	ml_buf text;
	ml_buf_init(&text);
	ml_pipefile_begin(&text, argc, argv);
	ml_chain_write(chain, &text);
	if (text.failed)
		cli_die("out of memory");
	cli_output_replace(path, text.data, text.length);
	ml_buf_free(&text);
}

uint64_t cli_copy_stream(ml_stream *stream, ml_format format, const char *output)
{
	FILE *out = cli_output_open(output);
	cli_refuse_terminal(out, format);
	ml_error err;
	uint64_t n_rows;
	ml_writer *writer = ml_writer_create(out, cli_output_name(), format,
					     ml_stream_columns(stream), ml_stream_chain(stream),
					     ml_stream_declared_rows(stream), &err);
	if (writer)
		ml_writer_set_precision(writer, csv_precision);
	if (!writer || ml_stream_copy(stream, writer, &n_rows, &err) < 0 ||
	    ml_writer_finish(writer, &err) < 0)
		cli_fail(&err);
	ml_writer_free(writer);
	cli_output_close();
	return n_rows;
}

void cli_warn_unknown(const ml_stream *stream)
{
	const char *column;
	size_t unknown = ml_stream_unknown_total(stream, &column);
	if (unknown)
		cli_warn("%s: %zu value%s not seen when the stage was fitted (most in column '%s');"
			 " encoded as all-zero one-hot / missing", ml_stream_name(stream), unknown,
			 unknown == 1 ? "" : "s", column);
}

static bool has_stage_kind(const ml_chain *chain, const char *kind)
{
	for (size_t i = 0; i < ml_chain_length(chain); i++)
		if (strcmp(ml_stage_kind_name(ml_chain_stage(chain, i)), kind) == 0)
			return true;
	return false;
}

uint64_t cli_apply_saved(const char *stage_file, const char *kind, const ml_csv_options *csv,
			 const cli_stage_io *io, bool csv_follows_input)
{
	ml_error err;
	ml_pipefile *file = ml_pipefile_open(stage_file, &err);
	if (!file || ml_pipefile_expect_end(file, &err) < 0)
		cli_fail(&err);
	if (!has_stage_kind(ml_pipefile_chain(file), kind))
		cli_die("%s: no %s stage in it (was it saved by ml-%s --save?)", stage_file, kind,
			kind);
	ml_stream *stream = ml_stream_open(io->input, csv, ml_pipefile_chain(file), stage_file,
					   &err);
	if (!stream)
		cli_fail(&err);
	ml_format format = cli_output_format(io->csv, io->bin, io->npy,
					     csv_follows_input && ml_stream_is_csv(stream));
	uint64_t n_rows = cli_copy_stream(stream, format, io->output);
	cli_warn_unknown(stream);
	ml_stream_close(stream);
	ml_pipefile_close(file);
	return n_rows;
}

/* Rows encoded as they are written (data->encoder), a block at a time. */
static int write_rows(ml_writer *writer, const ml_dataset *data, ml_error *err)
{
	if (!data->encoder)
		return ml_writer_write(writer, data->values, data->n_rows, err);
	size_t n_inputs = ml_stage_inputs(data->encoder)->count, width = data->columns.count;
	size_t block = ml_block_rows(width, 4096);
	double *rows = ml_alloc_array(block, width * sizeof *rows, err);
	int status = rows ? 0 : -1;
	for (size_t first = 0; status == 0 && first < data->n_rows; first += block) {
		size_t count = data->n_rows - first < block ? data->n_rows - first : block;
		ml_load_encode_rows(data->encoder, data->values + first * n_inputs, count, rows);
		status = ml_writer_write(writer, rows, count, err);
	}
	free(rows);
	return status;
}

void cli_write_dataset(const ml_dataset *data, ml_format format, const char *output)
{
	ml_error err;
	FILE *out = cli_output_open(output);
	cli_refuse_terminal(out, format);
	ml_writer *writer = ml_writer_create(out, cli_output_name(), format, &data->columns,
					     data->chain, data->n_rows, &err);
	if (writer)
		ml_writer_set_precision(writer, csv_precision);
	if (!writer || write_rows(writer, data, &err) < 0 || ml_writer_finish(writer, &err) < 0)
		cli_fail(&err);
	ml_writer_free(writer);
	cli_output_close();
}

int cli_precision(const char *arg)
{
	return csv_precision = (int)cli_size("--precision", arg, 1, 16);
}

bool cli_stage_option(int code, cli_stage_io *io)
{
	switch (code) {
	case CLI_OPT_PRECISION: cli_precision(cli_arg); return true;
	case CLI_OPT_CSV: io->csv = true; return true;
	case CLI_OPT_BIN: io->bin = true; return true;
	case CLI_OPT_NPY: io->npy = true; return true;
	case 'o': io->output = cli_arg; return true;
	case CLI_OPT_SAVE: io->save = cli_arg; return true;
	case CLI_OPT_LOAD: io->load_file = cli_arg; return true;
	case 'v': io->verbose = true; return true;
	default: return false;
	}
}

void cli_stage_finish_arguments(int argc, char **argv, cli_stage_io *io,
				const char *fitting_options)
{
	if (argc - optind > 1)
		cli_usage_error("one input file at a time (got %d)", argc - optind);
	io->input = optind < argc ? argv[optind] : NULL;
	cli_output_format(io->csv, io->bin, io->npy, false); /* refuses two of them */
	if (io->load_file && fitting_options)
		cli_usage_error("--load applies a saved stage: %s come from it", fitting_options);
	if (io->load_file && io->save)
		cli_usage_error("--load and --save: the stage is saved already");
}

static bool output_is_terminal(const cli_stage_io *io)
{
	return (!io->output || strcmp(io->output, "-") == 0) && isatty(STDOUT_FILENO);
}

/*
 * CSV has no header for stages: a stage fitted here and written as CSV is
 * lost, and a model fitted on that CSV would score raw rows without it.
 * Said once, on stderr, unless the user chose CSV (--csv) or kept the
 * stage (--save); mlpipe(7) has the design.
 */
static void note_stage_not_carried(const ml_chain *chain)
{
	const char *kind = ml_stage_kind_name(ml_chain_stage(chain, ml_chain_length(chain) - 1));
	cli_warn("note: CSV does not carry the %s stage: a model fitted on this output would score"
		 " new data without it; keep the stage with --save FILE, or write binary (--bin);"
		 " --csv silences this note", kind);
}

/*
 * .npy keeps the numbers only: the stages fitted here, the column names and
 * which column is the target are lost.  Said once, on stderr, unless the
 * stages were kept (--save); the target's place is named, for ml-fit -t.
 */
static void note_npy_loses(const ml_dataset *data)
{
	const ml_columns *columns = &data->columns;
	char target[ML_ERROR_SIZE / 2] = "";
	if (columns->target != ML_NO_COLUMN)
		snprintf(target, sizeof target, ", the target '%s' in c%zu (ml-fit -t c%zu)",
			 columns->names[columns->target], columns->target + 1,
			 columns->target + 1);
	cli_warn("note: .npy keeps numbers only: columns c1..c%zu%s; a model fitted on it scores"
		 " new data without the stages fitted here; keep them with --save FILE, or write"
		 " binary (--bin)", columns->count, target);
}

void cli_stage_fit(const cli_stage_io *io, ml_input *input, const ml_load_options *load,
		   bool csv_follows_input, cli_fit_stage_fn fit, void *context, ml_dataset *data)
{
	ml_error err;
	bool input_is_csv = ml_input_csv(input) != NULL;
	ml_format format = cli_output_format(io->csv, io->bin, io->npy,
					     csv_follows_input && input_is_csv);
	char source[ML_ERROR_SIZE / 2];
	snprintf(source, sizeof source, "%s", ml_input_name(input));
	if (ml_dataset_read_input(input, load, data, &err) < 0)
		cli_fail(&err);
	ml_stage *stage = NULL;
	if (fit && (!(stage = fit(data, context, &err)) || ml_dataset_apply(data, stage, &err) < 0)) {
		ml_error_prefix(&err, "%s", source);
		cli_fail(&err);
	}
	if (io->save) {
		if (ml_chain_length(data->chain) == 0)
			cli_die("--save: the input has no stage to save (it is binary without one)");
		cli_save_chain(io->save, data->chain);
	}
	if (fit && format == ML_FORMAT_CSV && !io->csv && !io->save && !output_is_terminal(io))
		note_stage_not_carried(data->chain);
	if ((fit || input_is_csv) && format == ML_FORMAT_NPY && !io->save)
		note_npy_loses(data);
	cli_write_dataset(data, format, io->output);
}
