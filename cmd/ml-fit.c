/*
 * ml-fit: trains a model on CSV or binary rows and writes a model file that
 * carries the input's stages and the estimator (mlpipe-model(5)).
 *
 * The kind comes first (`ml-fit ridge ...`, as git takes its command), so
 * the options can be the kind's own: they are built from its parameter
 * table (lib/models/ml_estimator.h), and `ml-fit KIND --help` lists them
 * with their defaults.  Binary input streams block by block (the linear
 * kinds need memory for X'X only); CSV input goes through the implicit load
 * stage, which reads the whole file into memory.  With --cv K the rows are
 * read into memory once and cross-validated (lib/models/ml_cv.h); a model
 * is written only when -o asks for one too.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "core/ml_clock.h"
#include "core/ml_file.h"
#include "math/ml_metrics.h"
#include "math/ml_parallel.h"
#include "models/ml_cv.h"
#include "models/ml_model.h"
#include "stages/ml_io.h"

enum { OPT_TASK = 256, OPT_VALID, OPT_CV, OPT_JSON, OPT_PARAM = 2000 };

static const cli_option common_options[] = {
	{ 't', "target", "NAME", "the target column (default: the input's own)" },
	{ 'o', "output", "FILE", "write the model to FILE, atomically ('-': stdout); required"
				 " without --cv" },
	{ 's', "seed", "SEED", "seed for random choices, recorded in the model (0)" },
	{ 'j', "threads", "N", "use N threads (default: the number of processors)" },
	{ 'x', "exclude", "COLS", "for CSV input: drop these columns" },
	{ OPT_CV, "cv", "K", "K-fold cross-validation (stratified for classes): a line per fold,"
			     " mean and std" },
	{ OPT_JSON, "json", NULL, "with --cv: the scores as one JSON object" },
	CLI_CSV_OPTIONS("CSV input: "),
	{ 'v', "verbose", NULL, "report iterations, loss, fit quality, time and BLAS on stderr" },
};

static const cli_option task_option = {
	OPT_TASK, "task", "TASK",
	"classification or regression (default: classification when the target is text)"
};

static const cli_option valid_option = {
	OPT_VALID, "valid", "FILE",
	"score every round on FILE's rows (through the same stages), for -v and --early-stop"
};

/* Stands for --valid's rows until they are read (the checks need to know they come). */
static const ml_training_data valid_to_come = { .name = "--valid" };
/* -v lines of long fits when stderr is not a terminal: at most one per this many seconds. */
#define PROGRESS_INTERVAL 5.0

#define N_COMMON (sizeof common_options / sizeof common_options[0])

typedef struct settings {
	ml_fit_options fit;
	ml_load_options load;
	ml_cv_options cv;
	const char *output, *input, *valid;
	bool verbose, json;
} settings;

/* Clustering kinds are ml-cluster's: it writes the labels, and draws the elbow. */
static bool fits(const ml_estimator *kind)
{
	return kind && !(ml_estimator_flags(kind) & ML_ESTIMATOR_CLUSTERING);
}

/* The kinds and what they are, for the help of ml-fit without a kind. */
static char *kinds_footer(void)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, "Models:\n");
	for (size_t i = 0; i < ml_estimator_count(); i++) {
		const ml_estimator *kind = ml_estimator_at(i);
		if (!fits(kind))
			continue;
		ml_buf_printf(&text, "  %-10s %s\n", ml_estimator_name(kind),
			      ml_estimator_summary(kind));
	}
	ml_buf_puts(&text, "\n'ml-fit KIND --help' lists a kind's own options, with their defaults.\n"
			   "\nExamples:\n"
			   "  ml-fit linear -t progression diabetes.csv -o diabetes.model\n"
			   "  ml-load -t species iris.csv | ml-fit logistic -o iris.model\n"
			   "  ml-fit ridge --alpha 0.5 -t y train.bin -o ridge.model\n"
			   "  ml-fit logistic --cv 5 -s 1 -t species iris.csv\n");
	if (text.failed)
		cli_die("out of memory");
	return text.data;
}

/* "HELP (default D)" for a parameter's row in --help. */
static const char *param_help(const ml_param *param)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, param->help);
	if (param->type != ML_PARAM_BOOL)
		ml_buf_printf(&text, " (%s)", param->default_text);
	if (text.failed)
		cli_die("out of memory");
	return text.data;
}

/* The common options, the task for kinds that do both, then the kind's own. */
static cli_option *build_options(const ml_estimator *kind)
{
	size_t n_params = kind ? ml_estimator_n_params(kind) : 0;
	cli_option *options = calloc(N_COMMON + n_params + 3, sizeof *options);
	if (!options)
		cli_die("out of memory");
	memcpy(options, common_options, sizeof common_options);
	size_t count = N_COMMON;
	unsigned both = ML_ESTIMATOR_REGRESSION | ML_ESTIMATOR_CLASSIFICATION;
	if (kind && (ml_estimator_flags(kind) & both) == both)
		options[count++] = task_option;
	if (kind && (ml_estimator_flags(kind) & ML_ESTIMATOR_VALIDATION))
		options[count++] = valid_option;
	for (size_t i = 0; i < n_params; i++) {
		const ml_param *param = ml_estimator_param(kind, i);
		bool flag = param->type == ML_PARAM_BOOL;
		options[count++] = (cli_option){ OPT_PARAM + (int)i, flag ? param->flag : param->name,
						 flag ? NULL : param->arg, param_help(param) };
	}
	return options;
}

/* An option of another kind is a mistake worth naming, not "unknown option". */
static void refuse_other_kinds_options(int argc, char **argv, const ml_estimator *kind)
{
	for (int a = 2; a < argc && strcmp(argv[a], "--") != 0; a++) {
		if (strncmp(argv[a], "--", 2) != 0)
			continue;
		const char *name = argv[a] + 2;
		size_t length = strcspn(name, "=");
		for (size_t k = 0; k < ml_estimator_count(); k++) {
			const ml_estimator *other = ml_estimator_at(k);
			for (size_t i = 0; other != kind && fits(other) &&
					   i < ml_estimator_n_params(other); i++) {
				const ml_param *param = ml_estimator_param(other, i);
				const char *option = param->type == ML_PARAM_BOOL ? param->flag
										  : param->name;
				if (strlen(option) != length || strncmp(option, name, length) != 0 ||
				    ml_estimator_find_param(kind, param->name) != ML_NO_PARAM)
					continue;
				cli_usage_error("--%s is for %s, not '%s'", option,
						ml_estimator_name(other), ml_estimator_name(kind));
			}
		}
	}
}

/* "linear, ridge or logistic", for messages (kept until exit). */
static const char *known_kinds(void)
{
	static ml_buf kinds;
	size_t total = 0, listed = 0;
	if (kinds.data)
		return kinds.data;
	for (size_t i = 0; i < ml_estimator_count(); i++)
		total += fits(ml_estimator_at(i));
	for (size_t i = 0; i < ml_estimator_count(); i++) {
		if (!fits(ml_estimator_at(i)))
			continue;
		if (listed++ > 0)
			ml_buf_puts(&kinds, listed == total ? " or " : ", ");
		ml_buf_puts(&kinds, ml_estimator_name(ml_estimator_at(i)));
	}
	return kinds.data ? kinds.data : "";
}

/*
 * The kind named first, as `ml-fit KIND [OPTION]... [FILE]` has it; NULL
 * when argv[1] is not a kind (the reason is given once options are read,
 * so that --help and --version still work).
 */
static const ml_estimator *kind_from_arguments(int argc, char **argv)
{
	const ml_estimator *kind = argc >= 2 ? ml_estimator_find(argv[1]) : NULL;
	return fits(kind) ? kind : NULL;
}

/* Why there is no kind: nothing, a kind out of place, or a word that is none. */
static void refuse_missing_kind(int argc, char **argv)
{
	const ml_estimator *named = argc >= 2 ? ml_estimator_find(argv[1]) : NULL;
	for (int a = 2; named && !fits(named) && a < argc; a++)
		if (strcmp(argv[a], "--cv") == 0 || strncmp(argv[a], "--cv=", 5) == 0)
			cli_usage_error("'%s' is a clustering: --cv scores predictions of a target,"
					" and a clustering has none", argv[1]);
	if (named && !fits(named))
		cli_usage_error("'%s' is a clustering: ml-cluster fits it (and writes the labels)",
				argv[1]);
	if (argc >= 2 && argv[1][0] != '-')
		cli_usage_error("unknown model kind '%s' (known: %s)", argv[1], known_kinds());
	for (int a = 2; a < argc; a++)
		if (fits(ml_estimator_find(argv[a])))
			cli_usage_error("the model kind comes first: ml-fit %s [OPTION]... [FILE]",
					argv[a]);
	cli_usage_error("which model? %s (ml-fit KIND [OPTION]... [FILE])", known_kinds());
}

static void parse_task(settings *s, const char *arg)
{
	s->fit.task_given = true;
	if (strcmp(arg, "classification") == 0)
		s->fit.task = ML_TASK_CLASSIFICATION;
	else if (strcmp(arg, "regression") == 0)
		s->fit.task = ML_TASK_REGRESSION;
	else
		cli_usage_error("--task: '%s' is neither 'classification' nor 'regression'", arg);
}

static void parse_param(settings *s, size_t index)
{
	ml_error err;
	const ml_param *param = ml_estimator_param(s->fit.kind, index);
	if (param->type == ML_PARAM_BOOL) {
		/* The flag sets the opposite of the default. */
		s->fit.params[index] = strcmp(param->default_text, "true") == 0 ? 0 : 1;
		return;
	}
	if (ml_fit_options_set(&s->fit, param->name, cli_arg, &err) < 0)
		cli_usage_error("%s", err.message);
}

static void parse_option(settings *s, int code)
{
	switch (code) {
	case 't': s->fit.target = s->load.target = cli_arg; break;
	case 'o': s->output = cli_arg; break;
	case 's': s->fit.seed = cli_size("--seed", cli_arg, 0, (size_t)INT64_MAX); break;
	case 'j': cli_set_threads(cli_size("--threads", cli_arg, 1, 4096)); break;
	case 'x': s->load.drop = cli_arg; break;
	case 'v': s->verbose = true; break;
	case OPT_CV: s->cv.n_folds = cli_size("--cv", cli_arg, 2, ML_CV_MAX_FOLDS); break;
	case OPT_JSON: s->json = true; break;
	case OPT_TASK: parse_task(s, cli_arg); break;
	case OPT_VALID:
		s->valid = cli_arg;
		s->fit.valid = &valid_to_come;
		break;
	default:
		if (code >= OPT_PARAM)
			parse_param(s, (size_t)(code - OPT_PARAM));
		else if (!cli_csv_option(code, &s->load.csv))
			cli_usage_error("unhandled option");
	}
}

static void parse_arguments(int argc, char **argv, settings *s)
{
	static cli_command command = {
		.name = "ml-fit",
		.synopsis = "KIND [OPTION]... [FILE]",
		.summary = "Train a model and write a model file.",
	};
	ml_error err;
	const ml_estimator *kind = kind_from_arguments(argc, argv);
	command.options = build_options(kind);
	if (kind) {
		static char synopsis[64];
		snprintf(synopsis, sizeof synopsis, "%s [OPTION]... [FILE]", ml_estimator_name(kind));
		command.synopsis = synopsis;
		command.summary = ml_estimator_summary(kind);
	} else {
		command.footer = kinds_footer();
	}
	cli_init(&command, argc, argv);
	ml_load_options_init(&s->load);
	if (kind)
		refuse_other_kinds_options(argc, argv, kind);
	int code;
	if (!kind) {
		/* Only --help and --version make sense without a kind. */
		while (argc >= 2 && argv[1][0] == '-' && cli_next_option(argc, argv) != -1)
			;
		refuse_missing_kind(argc, argv);
	}
	/* The kind is argv[1]: options and the file come after it. */
	while ((code = cli_next_option(argc - 1, argv + 1)) != -1)
		parse_option(s, code);
	int operands = argc - 1 - optind;
	if (operands > 1)
		cli_usage_error("one input file at a time (got %d)", operands);
	s->input = operands == 1 ? argv[1 + optind] : NULL;
	if (s->json && !s->cv.n_folds)
		cli_usage_error("--json is for the scores of --cv");
	if (!s->output && !s->cv.n_folds)
		cli_usage_error("-o FILE is required (the model file; '-o -' writes to stdout)");
	if (s->output && s->cv.n_folds && strcmp(s->output, "-") == 0)
		cli_usage_error("--cv writes the scores to stdout: give -o a file for the model");
	if (ml_fit_options_check(&s->fit, &err) < 0)
		cli_usage_error("%s", err.message);
}

static void print_progress(void *context, const char *message)
{
	(void)context;
	cli_warn("%s", message);
}

/* Reads binary rows for ml_model_fit, block by block. */
static int read_binary(void *source, double *rows, size_t max_rows, size_t *n_read,
		       ml_error *err)
{
	return ml_binary_read_rows(source, rows, max_rows, n_read, err);
}

/* Reads validation rows through the training chain, block by block. */
static int read_stream(void *source, double *rows, size_t max_rows, size_t *n_read,
		       ml_error *err)
{
	return ml_stream_read(source, rows, max_rows, n_read, err) < 0 ? -1 : 0;
}

/* --valid FILE: its rows go through the stages of the training rows, as ml-predict's do. */
static ml_stream *open_valid(settings *s, const ml_training_data *train,
			     ml_training_data *valid)
{
	ml_error err;
	ml_stream *stream = ml_stream_open(s->valid, &s->load.csv, train->chain, train->name,
					   &err);
	if (!stream)
		cli_fail(&err);
	*valid = (ml_training_data){ .name = ml_stream_name(stream),
				     .columns = ml_stream_columns(stream),
				     .chain = ml_stream_chain(stream), .read = read_stream,
				     .source = stream };
	s->fit.valid = valid;
	return stream;
}

static ml_model *fit(settings *s)
{
	ml_error err;
	ml_dataset dataset = { 0 };
	/* Fitting reads it all first: a pipe may be read ahead in chunks. */
	s->load.csv.whole_input = true;
	ml_input *input = ml_input_open(s->input, &s->load.csv, &err);
	if (!input)
		cli_fail(&err);
	ml_training_data data = { .name = ml_input_name(input) };
	ml_binary_reader *binary = ml_input_binary(input);
	if (binary) {
		data.columns = ml_binary_reader_columns(binary);
		data.chain = ml_input_chain(input);
		data.read = read_binary;
		data.source = binary;
	} else {
		if (ml_load_fit(ml_input_csv(input), &s->load, &dataset, &err) < 0)
			cli_fail(&err);
		data.columns = &dataset.columns;
		data.chain = dataset.chain;
		data.values = dataset.values;
		data.n_rows = dataset.n_rows;
		data.lines = dataset.lines;
	}
	ml_training_data valid;
	ml_stream *valid_stream = s->valid ? open_valid(s, &data, &valid) : NULL;
	ml_model *model = ml_model_fit(&s->fit, &data, &err);
	if (!model)
		cli_fail(&err);
	ml_stream_close(valid_stream);
	ml_dataset_free(&dataset);
	ml_input_close(input);
	return model;
}

/* --cv: every row in memory (binary ones too), scored fold by fold. */
static ml_model *cross_validate(settings *s)
{
	ml_error err;
	ml_dataset dataset = { 0 };
	/* Fitting reads it all first: a pipe may be read ahead in chunks. */
	s->load.csv.whole_input = true;
	ml_input *input = ml_input_open(s->input, &s->load.csv, &err);
	char *name = input ? ml_strdup(ml_input_name(input), &err) : NULL;
	if (!name || ml_dataset_read_input(input, &s->load, &dataset, &err) < 0)
		cli_fail(&err);
	ml_training_data data = { .name = name, .columns = &dataset.columns,
				  .chain = dataset.chain, .values = dataset.values,
				  .n_rows = dataset.n_rows, .lines = dataset.lines };
	ml_cv *cv = ml_cross_validate(&s->cv, &s->fit, &data, &err);
	if (!cv)
		cli_fail(&err);
	ml_buf report;
	ml_buf_init(&report);
	ml_cv_format(cv, s->json, &report);
	if (report.failed)
		cli_die("out of memory");
	fwrite(report.data, 1, report.length, stdout);
	ml_buf_free(&report);
	unsigned warnings = ml_cv_warnings(cv);
	for (unsigned bit = 1; bit && bit <= warnings; bit <<= 1)
		if (warnings & bit)
			cli_warn("%s", ml_metric_warning_text(bit));
	ml_cv_free(cv);
	/* The model of -o is fitted on all the rows, as without --cv. */
	ml_model *model = NULL;
	if (s->output && !(model = ml_model_fit(&s->fit, &data, &err)))
		cli_fail(&err);
	ml_dataset_free(&dataset);
	free(name);
	return model;
}

/* The model goes into place at exit, when the whole run went well (cli_output_replace). */
static void write_model(const ml_model *model, const char *output, bool verbose)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_model_write(model, &text);
	if (text.failed)
		cli_die("out of memory");
	bool unchanged = false;
	if (strcmp(output, "-") == 0)
		fwrite(text.data, 1, text.length, stdout);
	else
		unchanged = cli_output_replace(output, text.data, text.length);
	ml_buf_free(&text);
	if (verbose && strcmp(output, "-") != 0)
		cli_warn("%s: %s", output, unchanged ? "unchanged (same model as before)" : "written");
}

int main(int argc, char **argv)
{
	cli_wait_passively(argv);
	settings s = { 0 };
	ml_error err;
	const ml_estimator *kind = kind_from_arguments(argc, argv);
	if (kind)
		ml_fit_options_init(&s.fit, kind);
	parse_arguments(argc, argv, &s);
	if (s.verbose) {
		s.fit.progress = print_progress;
		cli_report_blas();
		cli_warn("threads: %zu, waiting: %s", ml_parallel_threads(), cli_wait_policy());
	}
	s.fit.warning = print_progress;
	s.fit.progress_interval = isatty(STDERR_FILENO) ? 0 : PROGRESS_INTERVAL;
	double start = ml_clock_now();
	if (s.cv.n_folds && s.verbose)
		s.cv.progress = print_progress;
	ml_model *model = s.cv.n_folds ? cross_validate(&s) : fit(&s);
	if (!model) {
		if (s.verbose)
			cli_warn("cross-validation, %zu folds: %.3f s", s.cv.n_folds,
				 ml_clock_now() - start);
		return 0;
	}
	int typed_argc;
	char *const *typed = cli_typed_argv(&typed_argc);
	if (ml_model_set_command(model, typed_argc, typed, &err) < 0)
		cli_fail(&err);
	write_model(model, s.output, s.verbose);
	if (s.verbose) {
		struct rusage usage;
		getrusage(RUSAGE_SELF, &usage);
		cli_warn("%s model, %zu features: %.3f s, peak memory %.1f MiB", ml_model_kind(model),
			 ml_model_n_features(model), ml_clock_now() - start,
			 (double)usage.ru_maxrss / 1024.0);
	}
	ml_model_free(model);
	return 0;
}
