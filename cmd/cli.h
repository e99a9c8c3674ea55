/*
 * cli: what every ml-* program shares: the option table that drives both
 * getopt_long and --help, the one message style, exit statuses (0 fine,
 * 1 bad data or failure, 2 bad usage), strict option numbers, and outputs
 * that are checked on close and, for -o FILE, written atomically.
 */
#ifndef ML_CLI_H
#define ML_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h> /* optind */

#include "core/ml_error.h"
#include "stages/ml_io.h"
#include "stages/ml_stream.h"

#define CLI_EXIT_FAILURE 1
#define CLI_EXIT_USAGE 2

/* One option: code is the short letter, or a value >= 256 for long-only ones. */
typedef struct cli_option {
	int code;
	const char *long_name;
	const char *arg_name; /* NULL: takes no argument */
	const char *help;
} cli_option;

typedef struct cli_command {
	const char *name;     /* "ml-load" */
	const char *synopsis; /* "[OPTION]... [FILE]..." */
	const char *summary;  /* one line saying what it does */
	const cli_option *options; /* ends with { 0 } */
	const char *footer;   /* examples and notes for --help, or NULL */
} cli_command;

/*
 * Program name, C numeric locale, fatal signals that remove the temporary
 * files (cli_on_fatal_signal), the exit-time stdout check and commit;
 * keeps the command line as typed (getopt_long permutes argv).
 */
void cli_init(const cli_command *command, int argc, char **argv);
/*
 * OpenMP's threads spin for milliseconds at every barrier and after every
 * parallel loop unless OMP_WAIT_POLICY says passive.  On a machine whose
 * cores are shared (the usual case), the spinning thread takes the core
 * the working one waits for: tree fitting at -j2 took twice the time and
 * the CPU.  libgomp reads the variable before main, so when the user set
 * neither it nor GOMP_SPINCOUNT, this sets it and runs the program again
 * (same argv, /proc/self/exe); when that fails, it carries on spinning.
 * Call first thing in main.
 */
void cli_wait_passively(char **argv);
/*
 * A model file read into memory takes about twice its size (a 20 MB forest
 * 45 MB), and on the virtual machines we run on a page fault costs some
 * 10 us: a quarter of ml-predict's CPU time with that forest went to
 * first touches of 4 KiB pages.  glibc's malloc asks for transparent huge
 * pages (2 MiB, where the kernel allows them: "madvise" or "always") when
 * GLIBC_TUNABLES holds glibc.malloc.hugetlb=1, read at start only, for
 * memory it takes from the heap; a block of 128 KiB or more (a large
 * tree's nodes) is mapped on its own, on small pages, unless the mmap
 * threshold is raised too (the bench's 175 MB forest: 91,000 -> 930
 * faults, 4.1 -> 3.2 s CPU).  So
 * when path is a regular file of at least CLI_HUGE_PAGES_BYTES and the
 * user set no GLIBC_TUNABLES, this sets it and runs the program again
 * (the command line as typed, the path /proc/self/exe names); when that
 * fails, it carries on with small pages.  Below that size the second
 * start costs more than the faults it saves.
 */
#define CLI_HUGE_PAGES_BYTES ((long long)4 << 20)
void cli_huge_pages_for(const char *path);
/* The tunables when cli_huge_pages_for set them, for -v; else NULL. */
const char *cli_huge_pages(void);
/* The wait policy of OpenMP's threads, for -v: "OMP_WAIT_POLICY=..." or the default. */
const char *cli_wait_policy(void);
/* The command line as typed, for stage and model files to record. */
char *const *cli_typed_argv(int *argc);
/*
 * The next option's code, -1 when options end (optind is then the first
 * operand).  --help and --version are handled here; bad usage exits 2.
 */
int cli_next_option(int argc, char **argv);
extern char *cli_arg;
/* A copy of cli_arg to cut up, leaving argv (recorded in stage files) whole. */
char *cli_copy_arg(void);

_Noreturn void cli_usage_error(const char *format, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void cli_fail(const ml_error *err);
_Noreturn void cli_die(const char *format, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *format, ...) __attribute__((format(printf, 1, 2)));

/*
 * The options of every command that reads CSV: -d, --no-header, --na,
 * --quotes.  `prefix` starts their help ("" or "CSV input: ").  Commands
 * that replay a load stage (ml-predict, --load) read CSV in the dialect
 * the stage recorded unless these say otherwise, and take --header too.
 */
enum { CLI_OPT_NO_HEADER = 900, CLI_OPT_NA, CLI_OPT_QUOTES, CLI_OPT_HEADER, CLI_OPT_DELIMITER };
#define CLI_CSV_DIALECT_OPTIONS(prefix)                                                   \
	{ CLI_OPT_NO_HEADER, "no-header", NULL,                                          \
	  prefix "the first line is data; columns are c1..cN" },                         \
	{ CLI_OPT_NA, "na", "LIST",                                                      \
	  prefix "missing-value strings (default NA,NaN,nan,?; empty always)" },         \
	{ CLI_OPT_QUOTES, "quotes", "MODE",                                              \
	  prefix "strict (default) or lenient: a quote inside an unquoted field is text" }
#define CLI_CSV_OPTIONS(prefix)                                                          \
	{ 'd', "delimiter", "C", prefix "field delimiter (default ',', '\\t' for tab)" },  \
	CLI_CSV_DIALECT_OPTIONS(prefix)
/* For ml-poly, whose -d is the degree: --delimiter only. */
#define CLI_CSV_LONG_OPTIONS(prefix)                                                     \
	{ CLI_OPT_DELIMITER, "delimiter", "C",                                           \
	  prefix "field delimiter (default ',', '\\t' for tab)" },                       \
	CLI_CSV_DIALECT_OPTIONS(prefix)
/* --header: the first line names the columns, against a stage recorded without one. */
#define CLI_CSV_HEADER_OPTION(prefix)                                                    \
	{ CLI_OPT_HEADER, "header", NULL,                                                \
	  prefix "the first line names the columns (when the model says otherwise)" }
/* Applies one of those options to csv; false when code is not one of them. */
bool cli_csv_option(int code, ml_csv_options *csv);

/* Strict option values: the whole argument, in range, or exit 2. */
size_t cli_size(const char *option, const char *arg, size_t min, size_t max);
double cli_double(const char *option, const char *arg);
char cli_delimiter(const char *arg);

/*
 * The skeleton of the stage commands (ml-load, ml-scale, ml-poly): the
 * options they share, one input, --load to replay saved stages instead of
 * fitting, and the fit-apply-save-write path.
 */
enum { CLI_OPT_CSV = 920, CLI_OPT_BIN, CLI_OPT_SAVE, CLI_OPT_LOAD, CLI_OPT_PRECISION,
       CLI_OPT_NPY };
/* --npy: every command that writes a matrix takes it (mlpipe(7), Formats). */
#define CLI_NPY_OPTION                                                                   \
	{ CLI_OPT_NPY, "npy", NULL,                                                      \
	  "write numpy .npy (2-D float64: numbers only, no names, target or stages)" }
#define CLI_PRECISION_OPTION                                                             \
	{ CLI_OPT_PRECISION, "precision", "N",                                           \
	  "CSV output: N significant digits (default: exact, shortest)" }
#define CLI_STAGE_OPTIONS(csv_help, bin_help, save_help, load_help, verbose_help)         \
	{ CLI_OPT_CSV, "csv", NULL, csv_help }, { CLI_OPT_BIN, "bin", NULL, bin_help },  \
	CLI_NPY_OPTION, CLI_PRECISION_OPTION,                                            \
	{ 'o', "output", "FILE", "write to FILE (atomically) instead of stdout" },        \
	{ CLI_OPT_SAVE, "save", "FILE", save_help },                                     \
	{ CLI_OPT_LOAD, "load", "FILE", load_help },                                     \
	{ 'v', "verbose", NULL, verbose_help }

typedef struct cli_stage_io {
	bool csv, bin, npy, verbose;
	const char *output, *save, *load_file, *input;
} cli_stage_io;

/* Applies one of those options to io; false when code is not one of them. */
bool cli_stage_option(int code, cli_stage_io *io);
/* --precision N: the significant digits of CSV numbers written from now on (1 to 16). */
int cli_precision(const char *arg);
/*
 * After the options: the input (at most one operand), and --load refused
 * with the options a saved stage decides (fitting_options names them, NULL
 * when none was given) or with --save.
 */
void cli_stage_finish_arguments(int argc, char **argv, cli_stage_io *io,
				const char *fitting_options);

/* Fits a stage on a whole dataset (its chain so far); NULL and err on failure. */
typedef ml_stage *(*cli_fit_stage_fn)(const ml_dataset *data, void *context, ml_error *err);

/*
 * The fitting path: reads input whole (the implicit load stage for CSV),
 * fits a stage with fit (none: the load stage is the new one) and applies
 * it, saves the chain to io->save, writes the result (CSV for CSV input
 * when csv_follows_input, else binary, unless --csv / --bin say) and
 * leaves it in data for the command's report.  Closes input.
 */
void cli_stage_fit(const cli_stage_io *io, ml_input *input, const ml_load_options *load,
		   bool csv_follows_input, cli_fit_stage_fn fit, void *context, ml_dataset *data);

/*
 * The output: stdout for NULL or "-", else an atomic temporary file.  Two
 * may be open at once (ml-split's parts): cli_output_close finishes both.
 * Every file output (these, cli_output_replace, cli_save_chain) is renamed
 * into place only when the run succeeds: at exit, after stdout was flushed
 * without error, in the order the files were finished (side outputs first,
 * the main output last; mlpipe(7)).  A failure (cli_die) or a signal
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE) removes them all instead.
 */
FILE *cli_output_open(const char *path);
const char *cli_output_name(void);
/*
 * Where the last output opened (not stdout) is being written: its
 * temporary file, or the target itself for a device; for another program
 * (gnuplot) to write.  Nothing may then be written to the stream.
 */
const char *cli_output_path(void);
/* Refuses binary or .npy output to a terminal (exit 2). */
void cli_refuse_terminal(FILE *out, ml_format format);
void cli_output_close(void);
/*
 * A whole file output: data for path, renamed into place with the others;
 * true when path holds data already (it is then not rewritten).
 */
bool cli_output_replace(const char *path, const void *data, size_t length);

/*
 * The handler of the fatal signals (cli_init installs it): removes the
 * temporary files and ends the run by the signal; for a command's own
 * handler to pass a signal on.  cli_die_by_signal does the same outside a
 * handler, after a command that caught the signal has done its part.
 */
void cli_on_fatal_signal(int signal_number);
_Noreturn void cli_die_by_signal(int signal_number);

/* Which format to write: --csv / --bin / --npy win (one at most), else what came in. */
ml_format cli_output_format(bool want_csv, bool want_bin, bool want_npy, bool input_is_csv);

/*
 * Writes a stage file (mlpipe-model(5) without an estimator) holding chain,
 * with the command line as typed recorded in it; exits 1 on failure.
 */
void cli_save_chain(const char *path, const ml_chain *chain);

/*
 * The --load path of ml-load, ml-scale and ml-poly: replays the stage file's
 * chain on io->input (all of it on CSV, the missing part on binary), streaming,
 * and writes the result to io->output (stdout when NULL) in the format --csv /
 * --bin / --npy ask for, else binary or, when csv_follows_input, the input's format;
 * reports unknown categories on stderr; closes the output.  The file must
 * hold a stage of kind `kind`.  Returns the number of rows.
 */
uint64_t cli_apply_saved(const char *stage_file, const char *kind, const ml_csv_options *csv,
			 const cli_stage_io *io, bool csv_follows_input);

/*
 * Streams every row of stream to output (stdout when NULL) in format and
 * closes it; returns the number of rows.
 */
uint64_t cli_copy_stream(ml_stream *stream, ml_format format, const char *output);

/* Says on stderr how many category values the stream's load stage did not know. */
void cli_warn_unknown(const ml_stream *stream);

/* Writes a whole dataset to output (stdout when NULL) in format and closes it. */
void cli_write_dataset(const ml_dataset *data, ml_format format, const char *output);

/* The BLAS library and the kernels it runs, for --version and -v. */
const char *cli_blas_description(void);
/*
 * For -v: says which BLAS kernels run, and warns when they are older than
 * the CPU (OPENBLAS_CORETYPE fixes that).
 */
void cli_report_blas(void);
/* -j N: the threads of the data-parallel loops and of OpenBLAS. */
void cli_set_threads(size_t n_threads);

#endif
