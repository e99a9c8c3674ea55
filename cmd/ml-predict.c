/*
 * ml-predict: applies a model file to new rows, in batch or as a service
 * answering one line at a time (a co-process, or behind socat or inetd).
 *
 * SIGUSR1 asks for the counters, like dd.  Its handler only sets a flag
 * and writes a byte into a pipe that the CSV reader polls together with
 * its input, so a service waiting on a quiet client reports at once; it is
 * installed with SA_RESTART so that a signal never breaks off a write.
 * SIGTERM and SIGINT take the same road: the counters so far go to
 * --stats-file, then the run ends by the signal (a second one ends it at
 * once).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/ml_clock.h"
#include "math/ml_parallel.h"
#include "models/ml_model.h"
#include "serve/ml_predict.h"
#include "serve/ml_telemetry.h"
#include "stages/ml_stream.h"

enum { OPT_PROBA = 256, OPT_CSV, OPT_BIN, OPT_STATS, OPT_STATS_FILE, OPT_ON_ERROR };

static const cli_option options[] = {
	{ OPT_PROBA, "proba", NULL, "add a p_CLASS probability column per class" },
	{ 'a', "append", NULL, "write the input's columns first, then the predictions" },
	{ OPT_CSV, "csv", NULL, "write CSV (the default)" },
	{ OPT_BIN, "bin", NULL, "write a binary matrix: prediction (class index), p_* columns" },
	{ CLI_OPT_NPY, "npy", NULL, "write numpy .npy: the columns of --bin, without names" },
	{ 'o', "output", "FILE", "write to FILE (atomically) instead of stdout" },
	{ 'l', "line-buffered", NULL, "serve: answer each line at once; a bad one gets 'error: ...'" },
	{ OPT_ON_ERROR, "on-error", "WHAT", "batch: a bad row 'fail's the run (default), or is"
					    " 'skip'ped or answered 'nan' (empty), and named" },
	{ 'j', "threads", "N", "predict on N threads when the work pays (default: the number"
			       " of processors); the answers are the same" },
	{ 'v', "verbose", NULL, "say on stderr how long reading the model, predicting (the"
				" model alone) and the whole run took" },
	{ OPT_STATS, "stats", NULL, "print rows, errors, rows/s and latency on stderr at the end" },
	{ OPT_STATS_FILE, "stats-file", "FILE", "write those counters for Prometheus to FILE"
						" at exit and on SIGUSR1" },
	CLI_PRECISION_OPTION,
	CLI_CSV_OPTIONS("CSV input, against the model's dialect: "),
	CLI_CSV_HEADER_OPTION("CSV input: "),
	{ 0 },
};

static const cli_command command = {
	.name = "ml-predict",
	.synopsis = "[OPTION]... MODEL [FILE]...",
	.summary = "Apply MODEL (from ml-fit) to CSV or binary rows and write the predictions.\n"
		   "The model's stages are replayed on the input; CSV columns match by name.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-predict iris.model test.csv\n"
		  "  ml-predict --proba --append iris.model test.csv > scored.csv\n"
		  "  ml-predict -l iris.model             # a co-process: a header, then rows\n"
		  "  socat TCP-LISTEN:7070,reuseaddr,fork EXEC:'ml-predict -l iris.model'\n"
		  "  kill -USR1 PID                       # counters on stderr, like dd\n",
};

typedef struct settings {
	ml_predict_options predict;
	ml_csv_options dialect; /* what the user chose: the rest is the model's */
	bool csv, bin, npy, stats, verbose;
	const char *model, *output, *stats_file;
	char **inputs;
	int n_inputs;
} settings;

/* What the exit handler and the signal need; main sets them once. */
static ml_telemetry *stats;
static const char *stats_file;
static ml_telemetry_metrics metrics = { "mlpipe_predict", "model", NULL };
static bool finished;
static int wake_pipe[2] = { -1, -1 };
static volatile sig_atomic_t report_asked, stop_signal;
/* Set while the reading loop runs: only there does anyone look at stop_signal. */
static volatile sig_atomic_t stop_deferred;

static void parse_on_error(const char *arg, ml_predict_options *predict)
{
	static const char *const names[] = { "fail", "skip", "nan" };
	for (size_t i = 0; i < 3; i++)
		if (strcmp(arg, names[i]) == 0) {
			predict->on_error = (ml_on_error)i;
			return;
		}
	cli_usage_error("--on-error: '%s' is not 'fail', 'skip' or 'nan'", arg);
}

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_predict_options_init(&s->predict);
	ml_csv_options_init(&s->dialect);
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		switch (code) {
		case OPT_PROBA: s->predict.probabilities = true; break;
		case 'a': s->predict.append = true; break;
		case OPT_CSV: s->csv = true; break;
		case OPT_BIN: s->bin = true; break;
		case CLI_OPT_NPY: s->npy = true; break;
		case 'o': s->output = cli_arg; break;
		case 'l': s->predict.service = true; break;
		case OPT_STATS: s->stats = true; break;
		case 'v': s->verbose = true; break;
		case 'j': cli_set_threads(cli_size("--threads", cli_arg, 1, 4096)); break;
		case OPT_STATS_FILE: s->stats_file = cli_arg; break;
		case OPT_ON_ERROR: parse_on_error(cli_arg, &s->predict); break;
		case CLI_OPT_PRECISION: s->predict.precision = cli_precision(cli_arg); break;
		default:
			if (!cli_csv_option(code, &s->dialect))
				cli_usage_error("unhandled option");
		}
	}
	if (optind >= argc)
		cli_usage_error("no model file given");
	s->model = argv[optind];
	s->inputs = argv + optind + 1;
	s->n_inputs = argc - optind - 1;
	s->predict.format = cli_output_format(s->csv, s->bin, s->npy, true);
}

static void on_report_signal(int signal_number)
{
	(void)signal_number;
	int saved = errno;
	report_asked = 1;
	(void)!write(wake_pipe[1], "", 1);
	errno = saved;
}

static void on_stop_signal(int signal_number)
{
	/*
	 * Outside the loop (reading the model, or a process stuck at exit)
	 * nobody would act on the flag: the signal ends the run at once.
	 */
	if (stop_signal || !stop_deferred) {
		cli_on_fatal_signal(signal_number);
		return;
	}
	int saved = errno;
	stop_signal = signal_number;
	(void)!write(wake_pipe[1], "", 1);
	errno = saved;
}

/* SIGUSR1, SIGTERM and SIGINT wake the reader through a non-blocking self-pipe. */
static void catch_report_signal(void)
{
	if (pipe(wake_pipe) != 0)
		cli_die("cannot make a pipe for SIGUSR1: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(wake_pipe[i], F_SETFL, fcntl(wake_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(wake_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	struct sigaction action = { .sa_handler = on_report_signal, .sa_flags = SA_RESTART };
	sigemptyset(&action.sa_mask);
	sigaction(SIGUSR1, &action, NULL);
	action.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
}

/* A failure to write the file ends a finished run with status 1; else it is a warning. */
static void write_stats_file(bool fatal)
{
	ml_error err;
	if (!stats_file || ml_telemetry_write_prometheus(stats, &metrics, stats_file, &err) == 0)
		return;
	if (fatal)
		cli_fail(&err);
	cli_warn("%s", err.message);
}

static void print_summary(void)
{
	ml_buf line;
	ml_buf_init(&line);
	ml_telemetry_format_summary(stats, &line);
	cli_warn("%s", line.failed ? "out of memory" : line.data);
	ml_buf_free(&line);
}

/* A run stopped by SIGTERM or SIGINT leaves the counters so far, then ends by the signal. */
static void stop_if_asked(void)
{
	if (!stop_signal)
		return;
	write_stats_file(false);
	cli_die_by_signal(stop_signal);
}

static void report_now(void)
{
	char drained[64];
	while (read(wake_pipe[0], drained, sizeof drained) > 0)
		continue;
	stop_if_asked();
	if (!report_asked)
		return;
	report_asked = 0;
	/* The file first: when the line appears, the file holds the same numbers. */
	write_stats_file(false);
	print_summary();
}

/* A run that fails still leaves its numbers, one more error among them. */
static void stats_at_exit(void)
{
	if (finished || !stats)
		return;
	ml_telemetry_add_errors(stats, 1);
	write_stats_file(false);
}

static void log_request_error(const char *message, void *context)
{
	(void)context;
	cli_warn("%s", message);
}

static void predict_input(ml_predictor *predictor, const ml_model *model, const settings *s,
			  const char *input)
{
	ml_error err;
	ml_csv_options csv = s->dialect;
	/* A service parses in this thread, where a signal's wake-up reaches it. */
	csv.line_at_a_time = s->predict.service;
	/* Its protocol: one answer line per request line, whatever the line holds. */
	csv.line_protocol = s->predict.service;
	/* A bad record spoils itself only, when bad rows are answered rather than fatal. */
	csv.recover_lines = s->predict.service || s->predict.on_error != ML_ON_ERROR_FAIL;
	ml_stream *stream = ml_stream_open(input, &csv, ml_model_chain(model), s->model, &err);
	if (!stream || ml_predictor_begin(predictor, stream, &err) < 0) {
		ml_error ignored; /* stdout may be gone: stderr has the message anyway */
		ml_predictor_refuse(predictor, err.message, &ignored);
		cli_fail(&err);
	}
	int status;
	stop_deferred = 1;
	while ((status = ml_predictor_run(predictor, stream, &err)) == ML_PREDICT_WOKEN)
		report_now();
	stop_deferred = 0;
	if (status < 0)
		cli_fail(&err);
	report_now(); /* a signal that came with the end of the input */
	cli_warn_unknown(stream);
	ml_stream_close(stream);
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	cli_huge_pages_for(s.model);
	/* Before anything slow: SIGUSR1's default action would end the run. */
	catch_report_signal();
	/* Counting starts now, so that a missing or broken model is counted too. */
	if (!(stats = ml_telemetry_create(&err)))
		cli_fail(&err);
	stats_file = s.stats_file;
	metrics.label_value = s.model;
	atexit(stats_at_exit);
	double started = ml_clock_now();
	ml_model *model = ml_model_read(s.model, &err);
	if (!model)
		cli_fail(&err);
	double model_seconds = ml_clock_now() - started;
	if (ml_predict_options_check(&s.predict, model, s.model, &err) < 0)
		cli_usage_error("%s", err.message);
	FILE *out = cli_output_open(s.output);
	cli_refuse_terminal(out, s.predict.format);
	s.predict.wake_fd = wake_pipe[0];
	s.predict.on_request_error = log_request_error;

	ml_predictor *predictor = ml_predictor_create(model, &s.predict, out, cli_output_name(),
						      stats, &err);
	if (!predictor)
		cli_fail(&err);
	if (s.n_inputs == 0)
		predict_input(predictor, model, &s, NULL);
	for (int i = 0; i < s.n_inputs; i++)
		predict_input(predictor, model, &s, s.inputs[i]);
	if (ml_predictor_finish(predictor, &err) < 0)
		cli_fail(&err);
	stop_if_asked();
	cli_output_close();

	finished = true;
	if (s.stats)
		print_summary();
	if (s.verbose)
		cli_warn("%llu rows; model read in %.6f s, predicting took %.6f s (the model alone),"
			 " %.6f s in all", (unsigned long long)ml_telemetry_rows(stats), model_seconds,
			 ml_predictor_predict_seconds(predictor), ml_clock_now() - started);
	if (s.verbose && cli_huge_pages())
		cli_warn("a model this large is read onto huge pages: GLIBC_TUNABLES=%s",
			 cli_huge_pages());
	write_stats_file(true);
	ml_predictor_free(predictor);
	ml_model_free(model);
	ml_telemetry_free(stats);
	stats = NULL;
	return 0;
}
