/*
 * ml-fit: trains a model on CSV or binary rows and writes a model file that
 * carries the input's stages and the estimator (mlpipe-model(5)).
 *
 * Binary input streams block by block (the linear kinds need memory for
 * X'X only); CSV input goes through the implicit load stage, which reads
 * the whole file into memory: `ml-load ... | ml-fit` streams instead.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "core/ml_clock.h"
#include "core/ml_file.h"
#include "models/ml_model.h"
#include "stages/ml_io.h"

enum { OPT_ALPHA = 256, OPT_C, OPT_TOL, OPT_FTOL, OPT_MAX_ITER, OPT_CLASS_WEIGHT, OPT_NO_INTERCEPT };

static const cli_option options[] = {
	{ 't', "target", "NAME", "the target column (default: the input's own)" },
	{ 'o', "output", "FILE", "write the model to FILE, atomically ('-': stdout); required" },
	{ OPT_ALPHA, "alpha", "A", "ridge: L2 penalty strength (1.0)" },
	{ OPT_C, "C", "C", "logistic: inverse L2 penalty strength (1.0)" },
	{ OPT_TOL, "tol", "T", "logistic: stop when max |gradient| <= T (1e-4)" },
	{ OPT_FTOL, "ftol", "F", "logistic: or when an iteration lowers the loss by <= F (2.2e-9)" },
	{ OPT_MAX_ITER, "max-iter", "N", "logistic: at most N L-BFGS iterations (100)" },
	{ OPT_CLASS_WEIGHT, "class-weight", "W", "logistic: 'none' (default) or 'balanced'" },
	{ OPT_NO_INTERCEPT, "no-intercept", NULL, "fit no intercept (it is 0)" },
	{ 's', "seed", "SEED", "seed for random choices, recorded in the model (0)" },
	{ 'x', "exclude", "COLS", "for CSV input: drop these columns" },
	CLI_CSV_OPTIONS("CSV input: "),
	{ 'v', "verbose", NULL, "report iterations, loss, fit quality, time and BLAS on stderr" },
	{ 0 },
};

static const cli_command command = {
	.name = "ml-fit",
	.synopsis = "MODEL [OPTION]... [FILE]",
	.summary = "Train a model (linear, ridge or logistic) and write a model file.",
	.options = options,
	.footer = "Models:\n"
		  "  linear     least squares with intercept (normal equations, Cholesky)\n"
		  "  ridge      least squares + alpha ||w||^2 (intercept not penalised)\n"
		  "  logistic   binary or multinomial log-loss + ||W||^2 / (2C), L-BFGS\n"
		  "\nExamples:\n"
		  "  ml-fit linear -t progression diabetes.csv -o diabetes.model\n"
		  "  ml-load -t species iris.csv | ml-fit logistic -o iris.model\n"
		  "  ml-fit ridge --alpha 0.5 -t y train.bin -o ridge.model\n",
};

typedef struct settings {
	ml_fit_options fit;
	ml_load_options load;
	const char *output, *input;
	bool verbose;
	/* Which kind-specific options were given, to refuse them for other kinds. */
	bool gave_alpha, gave_logistic;
} settings;

static void parse_class_weight(settings *s, const char *arg)
{
	if (strcmp(arg, "balanced") == 0)
		s->fit.balanced = true;
	else if (strcmp(arg, "none") == 0)
		s->fit.balanced = false;
	else
		cli_usage_error("--class-weight: '%s' is neither 'none' nor 'balanced'", arg);
}

static void parse_option(settings *s, int code)
{
	switch (code) {
	case 't': s->fit.target = s->load.target = cli_arg; break;
	case 'o': s->output = cli_arg; break;
	case OPT_ALPHA: s->fit.alpha = cli_double("--alpha", cli_arg); s->gave_alpha = true; break;
	case OPT_C: s->fit.C = cli_double("--C", cli_arg); s->gave_logistic = true; break;
	case OPT_TOL: s->fit.tol = cli_double("--tol", cli_arg); s->gave_logistic = true; break;
	case OPT_FTOL: s->fit.ftol = cli_double("--ftol", cli_arg); s->gave_logistic = true; break;
	case OPT_MAX_ITER:
		s->fit.max_iter = cli_size("--max-iter", cli_arg, 1, 100000000);
		s->gave_logistic = true;
		break;
	case OPT_CLASS_WEIGHT: parse_class_weight(s, cli_arg); s->gave_logistic = true; break;
	case OPT_NO_INTERCEPT: s->fit.fit_intercept = false; break;
	case 's': s->fit.seed = cli_size("--seed", cli_arg, 0, (size_t)INT64_MAX); break;
	case 'x': s->load.drop = cli_arg; break;
	case 'v': s->verbose = true; break;
	default:
		if (!cli_csv_option(code, &s->load.csv))
			cli_usage_error("unhandled option");
	}
}

static void parse_arguments(int argc, char **argv, settings *s)
{
	int code;
	ml_error err;
	ml_fit_options_init(&s->fit);
	ml_load_options_init(&s->load);
	while ((code = cli_next_option(argc, argv)) != -1)
		parse_option(s, code);
	if (optind >= argc)
		cli_usage_error("which model? linear, ridge or logistic");
	s->fit.kind = argv[optind++];
	if (argc - optind > 1)
		cli_usage_error("one input file at a time (got %d)", argc - optind);
	s->input = optind < argc ? argv[optind] : NULL;
	if (!s->output)
		cli_usage_error("-o FILE is required (the model file; '-o -' writes to stdout)");
	bool ridge = strcmp(s->fit.kind, "ridge") == 0;
	bool logistic = strcmp(s->fit.kind, "logistic") == 0;
	if (s->gave_alpha && !ridge)
		cli_usage_error("--alpha is for ridge, not '%s'", s->fit.kind);
	if (s->gave_logistic && !logistic)
		cli_usage_error("--C, --tol, --ftol, --max-iter and --class-weight are for logistic, not '%s'",
				s->fit.kind);
	if (ml_fit_options_check(&s->fit, &err) < 0)
		cli_usage_error("%s", err.message);
}

static void print_progress(void *context, const char *message)
{
	(void)context;
	cli_warn("%s", message);
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

/* Reads binary rows for ml_model_fit, block by block. */
static int read_binary(void *source, double *rows, size_t max_rows, size_t *n_read,
		       ml_error *err)
{
	return ml_binary_read_rows(source, rows, max_rows, n_read, err);
}

static ml_model *fit(settings *s)
{
	ml_error err;
	ml_dataset dataset = { 0 };
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
	}
	ml_model *model = ml_model_fit(&s->fit, &data, &err);
	if (!model)
		cli_fail(&err);
	ml_dataset_free(&dataset);
	ml_input_close(input);
	return model;
}

static void write_model(const ml_model *model, const char *output, bool verbose)
{
	ml_error err;
	if (strcmp(output, "-") == 0) {
		ml_buf text;
		ml_buf_init(&text);
		ml_model_write(model, &text);
		if (text.failed)
			cli_die("out of memory");
		fwrite(text.data, 1, text.length, stdout);
		ml_buf_free(&text);
		return;
	}
	bool unchanged;
	if (ml_model_save(model, output, &unchanged, &err) < 0)
		cli_fail(&err);
	if (verbose)
		cli_warn("%s: %s", output, unchanged ? "unchanged (same model as before)" : "written");
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	if (s.verbose) {
		s.fit.progress = print_progress;
		cli_warn("BLAS: %s", cli_blas_description());
		warn_generic_kernels();
	}
	s.fit.warning = print_progress;
	double start = ml_clock_now();
	ml_model *model = fit(&s);
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
