/*
 * ml-cluster: k-means (greedy k-means++ seeding, then Lloyd's iterations
 * on OpenBLAS) on CSV or binary rows: each row's cluster on standard
 * output, the model for ml-predict (-o), the centres as CSV (--centroids),
 * or, to choose k, inertia and silhouette against k (--elbow, --plot).
 *
 * The clustering is a model kind (lib/models/ml_kmeans_model.c: kmeans,
 * or minibatch-kmeans with --batch-size) fitted by ml_model_fit, which
 * hands back every row with its cluster; the labels are written as they
 * come.  CSV goes through the implicit load stage, in memory.  Binary
 * input is read into memory for Lloyd and streamed for mini-batch, which
 * reads it twice: a file from its start again, standard input from a copy
 * in an unlinked temporary file.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "core/ml_clock.h"
#include "core/ml_file.h"
#include "core/ml_number.h"
#include "models/ml_elbow.h"
#include "models/ml_model.h"
#include "plot.h"
#include "stages/ml_io.h"

enum { OPT_N_INIT = 256, OPT_MAX_ITER, OPT_TOL, OPT_BATCH_SIZE, OPT_INIT_SIZE,
       OPT_REASSIGNMENT, OPT_NO_IMPROVEMENT, OPT_CSV, OPT_BIN, OPT_CENTROIDS, OPT_ELBOW,
       OPT_SAMPLE, OPT_PLOT };

/* The elbow's range: a curve, not a search. */
#define MAX_ELBOW_POINTS 1000

/* Which kind an option's hyperparameter belongs to. */
typedef enum { BOTH_KINDS, LLOYD_ONLY, MINIBATCH_ONLY } param_kind;

/* The options that set a hyperparameter (their help comes from its table). */
static const struct {
	int code;
	const char *param;
	param_kind kind;
} param_options[] = {
	{ 'k', "clusters", BOTH_KINDS },
	{ OPT_N_INIT, "n-init", BOTH_KINDS },
	{ OPT_MAX_ITER, "max-iter", LLOYD_ONLY },
	{ OPT_TOL, "tol", LLOYD_ONLY },
	{ OPT_BATCH_SIZE, "batch-size", MINIBATCH_ONLY },
	{ OPT_INIT_SIZE, "init-size", MINIBATCH_ONLY },
	{ OPT_REASSIGNMENT, "reassignment-ratio", MINIBATCH_ONLY },
	{ OPT_NO_IMPROVEMENT, "max-no-improvement", MINIBATCH_ONLY },
};
#define N_PARAM_OPTIONS (sizeof param_options / sizeof param_options[0])
enum { CLUSTERS_OPTION, BATCH_SIZE_OPTION = 4 };

static cli_option options[] = {
	{ 'k', "clusters", "K", NULL },
	{ 's', "seed", "SEED", "seed of the k-means++ seeding, recorded in the model (0)" },
	{ OPT_N_INIT, "n-init", "N", NULL },
	{ OPT_MAX_ITER, "max-iter", "N", NULL },
	{ OPT_TOL, "tol", "T", NULL },
	{ OPT_BATCH_SIZE, "batch-size", "N", NULL },
	{ OPT_INIT_SIZE, "init-size", "N", NULL },
	{ OPT_REASSIGNMENT, "reassignment-ratio", "R", NULL },
	{ OPT_NO_IMPROVEMENT, "max-no-improvement", "N", NULL },
	{ 't', "target", "NAME", "the target column, which is not a feature" },
	{ 'x', "exclude", "COLS", "CSV input: drop these columns" },
	{ 'a', "append", NULL, "write the input's columns first, then the cluster" },
	{ OPT_CSV, "csv", NULL, "write CSV (the default for CSV input)" },
	{ OPT_BIN, "bin", NULL, "write a binary matrix (the default for binary input)" },
	CLI_NPY_OPTION,
	{ 'o', "output", "MODEL", "write the model file (atomically), for ml-predict and ml-info" },
	{ OPT_CENTROIDS, "centroids", "FILE", "write the centres as CSV, one row per cluster" },
	{ OPT_ELBOW, "elbow", "K1-K2", "fit each k from K1 to K2 and print inertia and silhouette" },
	{ OPT_SAMPLE, "silhouette-sample", "N", "--elbow: the rows the silhouette is computed on,"
						" a seeded sample (10000)" },
	{ OPT_PLOT, "plot", "FILE.png", "--elbow: draw both against k (gnuplot)" },
	{ 'j', "threads", "N", "use N threads (default: the number of processors)" },
	CLI_CSV_OPTIONS("CSV input: "),
	{ 'v', "verbose", NULL, "report iterations, time and BLAS on stderr; the last line is"
				" 'inertia VALUE'" },
	{ 0 },
};

static const cli_command command = {
	.name = "ml-cluster",
	.synopsis = "-k K [OPTION]... [FILE]",
	.summary = "Cluster the rows of FILE with k-means (k-means++ seeding, Lloyd's iterations)\n"
		   "and write each row's cluster; -o keeps the model for ml-predict.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-cluster -k 3 -t species iris.csv > clusters.csv\n"
		  "  ml-load -t species iris.csv | ml-scale | ml-cluster -k 3 -o iris.model > /dev/null\n"
		  "  ml-cluster -k 3 --append -o iris.model --centroids centres.csv iris.csv\n"
		  "  ml-cluster --elbow 1-10 --plot elbow.png -t species iris.csv\n"
		  "  ml-cluster -k 64 --batch-size 4096 big.bin > clusters.bin\n",
};

typedef struct settings {
	const char *param_text[N_PARAM_OPTIONS]; /* as typed, or NULL */
	uint64_t seed;
	ml_load_options load;
	bool append, csv, bin, npy, verbose;
	const char *model, *centroids, *plot, *input, *name;
	size_t elbow_first, elbow_last; /* 0: no --elbow */
	size_t sample;
	bool sample_given;
} settings;

/* ---- options ---------------------------------------------------------- */

/* The help of the options that set hyperparameters: the table's, with the default. */
static void fill_param_help(void)
{
	for (size_t i = 0; i < N_PARAM_OPTIONS; i++) {
		const ml_estimator *kind = ml_estimator_find(
			param_options[i].kind == MINIBATCH_ONLY ? "minibatch-kmeans" : "kmeans");
		const ml_param *param = ml_estimator_param(kind,
			ml_estimator_find_param(kind, param_options[i].param));
		ml_buf text;
		ml_buf_init(&text);
		ml_buf_printf(&text, "%s%s (%s)", param_options[i].kind == MINIBATCH_ONLY
				     ? "mini-batch: " : "", param->help,
			      i == CLUSTERS_OPTION ? "required, unless --elbow"
						   : param->default_text);
		if (text.failed)
			cli_die("out of memory");
		for (cli_option *o = options; o->code; o++)
			if (o->code == param_options[i].code)
				o->help = text.data;
	}
}

static void parse_elbow(settings *s, const char *arg)
{
	const char *dash = strchr(arg, '-');
	int64_t first, last;
	if (!dash || !ml_parse_int64(arg, (size_t)(dash - arg), 1, INT64_MAX, &first) ||
	    !ml_parse_int64(dash + 1, strlen(dash + 1), 1, INT64_MAX, &last) || last < first)
		cli_usage_error("--elbow: '%s' is not a range K1-K2 of cluster counts (1 <= K1 <="
				" K2)", arg);
	if (last - first >= MAX_ELBOW_POINTS)
		cli_usage_error("--elbow: '%s' is more than %d values of k", arg, MAX_ELBOW_POINTS);
	s->elbow_first = (size_t)first;
	s->elbow_last = (size_t)last;
}

static bool parse_param_option(settings *s, int code)
{
	for (size_t i = 0; i < N_PARAM_OPTIONS; i++)
		if (param_options[i].code == code) {
			s->param_text[i] = cli_arg;
			return true;
		}
	return false;
}

static void parse_option(settings *s, int code)
{
	switch (code) {
	case 's': s->seed = cli_size("--seed", cli_arg, 0, (size_t)INT64_MAX); break;
	case 't': s->load.target = cli_arg; break;
	case 'x': s->load.drop = cli_arg; break;
	case 'a': s->append = true; break;
	case OPT_CSV: s->csv = true; break;
	case OPT_BIN: s->bin = true; break;
	case CLI_OPT_NPY: s->npy = true; break;
	case 'o': s->model = cli_arg; break;
	case OPT_CENTROIDS: s->centroids = cli_arg; break;
	case OPT_ELBOW: parse_elbow(s, cli_arg); break;
	case OPT_SAMPLE:
		s->sample = cli_size("--silhouette-sample", cli_arg, 2, (size_t)INT64_MAX);
		s->sample_given = true;
		break;
	case OPT_PLOT: s->plot = cli_arg; break;
	case 'j': cli_set_threads(cli_size("--threads", cli_arg, 1, 4096)); break;
	case 'v': s->verbose = true; break;
	default:
		if (!parse_param_option(s, code) && !cli_csv_option(code, &s->load.csv))
			cli_usage_error("unhandled option");
	}
}

/* The combinations that make no sense, refused before any work. */
static void check_arguments(const settings *s)
{
	bool elbow = s->elbow_first > 0;
	if (elbow && s->param_text[CLUSTERS_OPTION])
		cli_usage_error("--elbow tries every k of its range: no -k with it");
	if (!elbow && !s->param_text[CLUSTERS_OPTION])
		cli_usage_error("-k K is required: the number of clusters (--elbow K1-K2 helps"
				" choose it)");
	if (elbow && (s->model || s->centroids || s->append || s->csv || s->bin || s->npy))
		cli_usage_error("--elbow prints a table: no -o, --centroids, --append, --csv,"
				" --bin or --npy with it");
	if (!elbow && (s->plot || s->sample_given))
		cli_usage_error("--%s goes with --elbow", s->plot ? "plot" : "silhouette-sample");
	cli_output_format(s->csv, s->bin, s->npy, false); /* refuses two of them */
	const char *files[] = { s->model, s->centroids, s->plot };
	const char *option[] = { "-o", "--centroids", "--plot" };
	for (size_t i = 0; i < 3; i++) {
		if (files[i] && strcmp(files[i], "-") == 0)
			cli_usage_error("%s writes a file: the labels (or the table) go to standard"
					" output", option[i]);
		for (size_t j = 0; j < i; j++)
			if (files[i] && files[j] && strcmp(files[i], files[j]) == 0)
				cli_usage_error("%s and %s name the same file '%s'", option[j],
						option[i], files[i]);
	}
}

/* The kind (mini-batch with --batch-size) and its hyperparameters from the options. */
static void build_fit_options(const settings *s, ml_fit_options *fit)
{
	bool minibatch = s->param_text[BATCH_SIZE_OPTION] != NULL;
	ml_fit_options_init(fit, ml_estimator_find(minibatch ? "minibatch-kmeans" : "kmeans"));
	for (size_t i = 0; i < N_PARAM_OPTIONS; i++) {
		ml_error err;
		if (!s->param_text[i])
			continue;
		if (param_options[i].kind == (minibatch ? LLOYD_ONLY : MINIBATCH_ONLY))
			cli_usage_error(minibatch ? "--%s is for Lloyd's k-means, not mini-batch"
						    " (--batch-size)"
						  : "--%s is for mini-batch k-means: give --batch-size",
					param_options[i].param);
		if (ml_fit_options_set(fit, param_options[i].param, s->param_text[i], &err) < 0)
			cli_usage_error("%s", err.message);
	}
	fit->seed = s->seed;
	fit->target = s->load.target;
}

static void parse_arguments(int argc, char **argv, settings *s)
{
	fill_param_help();
	cli_init(&command, argc, argv);
	ml_load_options_init(&s->load);
	s->sample = ML_ELBOW_SAMPLE;
	int code;
	while ((code = cli_next_option(argc, argv)) != -1)
		parse_option(s, code);
	if (argc - optind > 1)
		cli_usage_error("one input file at a time (got %d)", argc - optind);
	s->input = optind < argc ? argv[optind] : NULL;
	s->name = !s->input || strcmp(s->input, "-") == 0 ? "stdin" : s->input;
	check_arguments(s);
}

static void print_progress(void *context, const char *message)
{
	(void)context;
	cli_warn("%s", message);
}

/* ---- the input -------------------------------------------------------- */

/* An input that mini-batch may read twice: a file, or a copy of standard input. */
typedef struct source {
	const char *name;
	ml_csv_options csv;
	int fd;                /* rereadable, or -1 */
	ml_input *input;
	ml_columns columns;    /* the binary header's, kept across a second opening */
	char *stage_text;      /* the same for its stages */
} source;

static void open_source(source *src, const settings *s, bool twice)
{
	ml_error err;
	src->name = s->name;
	src->csv = s->load.csv;
	src->fd = -1;
	if (twice && (src->fd = ml_file_open_rereadable(s->input, s->name, &err)) < 0)
		cli_fail(&err);
	src->input = twice ? ml_input_open_fd(src->fd, s->name, &src->csv, &err)
			   : ml_input_open(s->input, &src->csv, &err);
	if (!src->input)
		cli_fail(&err);
	ml_binary_reader *binary = ml_input_binary(src->input);
	if (!binary)
		return;
	size_t length = 0;
	const char *stages = ml_binary_reader_stage_text(binary, &length);
	if (ml_columns_copy(&src->columns, ml_binary_reader_columns(binary), &err) < 0 ||
	    !(src->stage_text = ml_strndup(stages ? stages : "", length, &err)))
		cli_fail(&err);
}

static void close_source(source *src)
{
	ml_input_close(src->input);
	if (src->fd >= 0)
		close(src->fd);
	ml_columns_free(&src->columns);
	free(src->stage_text);
}

static int read_binary(void *context, double *rows, size_t max_rows, size_t *n_read,
		       ml_error *err)
{
	source *src = context;
	return ml_binary_read_rows(ml_input_binary(src->input), rows, max_rows, n_read, err);
}

/* Mini-batch's second pass: the same file from its start, with the same header. */
static int rewind_binary(void *context, ml_error *err)
{
	source *src = context;
	ml_input_close(src->input);
	src->input = NULL;
	if (lseek(src->fd, 0, SEEK_SET) != 0) {
		ml_error_set(err, "%s: cannot read it again: %s", src->name, strerror(errno));
		return -1;
	}
	if (!(src->input = ml_input_open_fd(src->fd, src->name, &src->csv, err)))
		return -1;
	ml_binary_reader *binary = ml_input_binary(src->input);
	size_t length = 0;
	const char *stages = binary ? ml_binary_reader_stage_text(binary, &length) : NULL;
	if (!binary || !ml_columns_same_names(ml_binary_reader_columns(binary), &src->columns) ||
	    length != strlen(src->stage_text) || (length && memcmp(stages, src->stage_text, length))) {
		ml_error_set(err, "%s: the input changed between two passes over it", src->name);
		return -1;
	}
	return 0;
}

/* ---- the labels ------------------------------------------------------- */

/* Where the clusters go as they come: standard output, CSV, binary or .npy. */
typedef struct label_output {
	ml_format format;
	bool append;
	size_t input_width;
	ml_columns columns;     /* the input's and "cluster", or "cluster" alone */
	const ml_chain *chain;  /* CSV: names the target's classes */
	uint64_t declared_rows;
	ml_writer *writer;
	double *block;
	size_t capacity;        /* rows */
	size_t n_rows;
} label_output;

static void prepare_labels(label_output *out, const ml_columns *input, const ml_chain *chain,
			   uint64_t declared_rows)
{
	ml_error err;
	size_t count = out->append ? input->count + 1 : 1;
	if (ml_columns_init(&out->columns, count, &err) < 0)
		cli_fail(&err);
	for (size_t c = 0; c + 1 < count; c++)
		if (!(out->columns.names[c] = ml_strdup(input->names[c], &err)))
			cli_fail(&err);
	if (!(out->columns.names[count - 1] = ml_strdup("cluster", &err)))
		cli_fail(&err);
	out->columns.target = out->append ? input->target : ML_NO_COLUMN;
	out->input_width = input->count;
	/* Binary output has no stages: they do not make these columns. */
	out->chain = out->format == ML_FORMAT_CSV ? chain : NULL;
	out->declared_rows = declared_rows;
}

static int write_labels(void *context, const double *rows, const size_t *labels, size_t n_rows,
			ml_error *err)
{
	label_output *out = context;
	size_t width = out->columns.count;
	if (!out->writer &&
	    !(out->writer = ml_writer_create(stdout, "stdout", out->format, &out->columns,
					     out->chain, out->declared_rows, err)))
		return -1;
	if (n_rows > out->capacity) {
		double *grown = ml_realloc_array(out->block, n_rows, width * sizeof(double), err);
		if (!grown)
			return -1;
		out->block = grown;
		out->capacity = n_rows;
	}
	for (size_t r = 0; r < n_rows; r++) {
		double *row = out->block + r * width;
		if (out->append)
			memcpy(row, rows + r * out->input_width, out->input_width * sizeof *row);
		row[width - 1] = (double)labels[r];
	}
	out->n_rows += n_rows;
	return ml_writer_write(out->writer, out->block, n_rows, err);
}

static void finish_labels(label_output *out)
{
	ml_error err;
	if (out->writer && ml_writer_finish(out->writer, &err) < 0)
		cli_fail(&err);
	ml_writer_free(out->writer);
	ml_columns_free(&out->columns);
	free(out->block);
}

/* ---- the model and the centres ---------------------------------------- */

static void write_model(const ml_model *model, const char *path)
{
	ml_error err;
	int typed_argc;
	char *const *typed = cli_typed_argv(&typed_argc);
	ml_buf text;
	ml_buf_init(&text);
	if (ml_model_set_command((ml_model *)model, typed_argc, typed, &err) < 0)
		cli_fail(&err);
	ml_model_write(model, &text);
	if (text.failed)
		cli_die("out of memory");
	FILE *out = cli_output_open(path);
	if (fwrite(text.data, 1, text.length, out) != text.length)
		cli_die("%s: write error: %s", path, strerror(errno));
	ml_buf_free(&text);
}

/* The centres as CSV: a header of the feature names, a row per cluster. */
static void write_centroids(const ml_model *model, const ml_clustering *clustering,
			    const char *path)
{
	ml_error err;
	ml_columns features;
	if (ml_columns_init(&features, clustering->n_features, &err) < 0)
		cli_fail(&err);
	for (size_t f = 0; f < clustering->n_features; f++)
		if (!(features.names[f] = ml_strdup(ml_model_feature_name(model, f), &err)))
			cli_fail(&err);
	FILE *out = cli_output_open(path);
	ml_csv_writer *writer = ml_csv_writer_create(out, path, &features, NULL, 0, ',', &err);
	if (!writer ||
	    ml_csv_write_rows(writer, clustering->centres, clustering->n_clusters, &err) < 0 ||
	    ml_csv_writer_finish(writer, &err) < 0)
		cli_fail(&err);
	ml_csv_writer_free(writer);
	ml_columns_free(&features);
}

/* ---- clustering ------------------------------------------------------- */

static void report_end(const settings *s, const ml_model *model, const ml_clustering *c,
		       size_t n_rows, double started)
{
	if (c->n_distinct < c->n_clusters)
		cli_warn("warning: %s: only %zu of the %zu centres %s distinct: the data have fewer"
			 " distinct rows than clusters", s->name, c->n_distinct, c->n_clusters,
			 c->n_distinct == 1 ? "is" : "are");
	if (!s->verbose)
		return;
	struct rusage usage;
	getrusage(RUSAGE_SELF, &usage);
	ml_buf sizes;
	ml_buf_init(&sizes);
	for (size_t j = 0; j < c->n_clusters; j++)
		ml_buf_printf(&sizes, "%s%zu", j ? " " : "", c->sizes[j]);
	cli_warn("%s: %zu rows, %zu features, %zu clusters of %s rows: %.3f s in all, peak"
		 " memory %.1f MiB", ml_model_kind(model), n_rows, c->n_features, c->n_clusters,
		 sizes.failed ? "?" : sizes.data, ml_clock_now() - started,
		 (double)usage.ru_maxrss / 1024.0);
	ml_buf_free(&sizes);
	char digits[ML_DOUBLE_BUFSIZE];
	ml_format_double(c->inertia, digits);
	cli_warn("inertia %s", digits);
}

static void cluster(const settings *s, ml_fit_options *fit)
{
	ml_error err;
	bool minibatch = s->param_text[BATCH_SIZE_OPTION] != NULL;
	double started = ml_clock_now();
	source src = { 0 };
	open_source(&src, s, minibatch);
	label_output labels = { .append = s->append };
	labels.format = cli_output_format(s->csv, s->bin, s->npy, ml_input_csv(src.input) != NULL);
	cli_refuse_terminal(stdout, labels.format);
	ml_dataset dataset = { 0 };
	ml_training_data data = { .name = s->name };
	uint64_t declared_rows;
	if (ml_input_csv(src.input)) {
		if (ml_load_fit(ml_input_csv(src.input), &s->load, &dataset, &err) < 0)
			cli_fail(&err);
		data = (ml_training_data){ .name = s->name, .columns = &dataset.columns,
					   .chain = dataset.chain, .values = dataset.values,
					   .n_rows = dataset.n_rows, .lines = dataset.lines };
		declared_rows = dataset.n_rows;
	} else {
		if (s->load.drop)
			cli_usage_error("-x applies to CSV input (%s is a binary matrix)", s->name);
		if (!(dataset.chain = ml_chain_copy(ml_input_chain(src.input), &err)))
			cli_fail(&err);
		data = (ml_training_data){ .name = s->name, .columns = &src.columns,
					   .chain = dataset.chain, .read = read_binary,
					   .source = &src, .rewind = minibatch ? rewind_binary : NULL };
		declared_rows = ml_binary_reader_rows(ml_input_binary(src.input));
	}
	prepare_labels(&labels, data.columns, data.chain, declared_rows);
	fit->labels = write_labels;
	fit->labels_context = &labels;
	ml_model *model = ml_model_fit(fit, &data, &err);
	if (!model)
		cli_fail(&err);
	size_t n_rows = labels.n_rows;
	finish_labels(&labels);
	ml_clustering clustering;
	if (ml_model_clustering(model, &clustering, &err) < 0)
		cli_fail(&err);
	if (s->model)
		write_model(model, s->model);
	if (s->centroids)
		write_centroids(model, &clustering, s->centroids);
	cli_output_close(); /* both files at once */
	report_end(s, model, &clustering, n_rows, started);
	ml_model_free(model);
	ml_dataset_free(&dataset);
	close_source(&src);
}

/* ---- the elbow -------------------------------------------------------- */

static void plot_elbow(const char *path, const ml_elbow_point *points, size_t count,
		       size_t sampled, size_t n_rows)
{
	double *k = calloc(count, 3 * sizeof *k);
	if (!k)
		cli_die("out of memory");
	double *inertia = k + count, *silhouette = k + 2 * count;
	for (size_t i = 0; i < count; i++) {
		k[i] = (double)points[i].n_clusters;
		inertia[i] = points[i].inertia;
		silhouette[i] = points[i].silhouette;
	}
	char y2[96];
	if (sampled < n_rows)
		snprintf(y2, sizeof y2, "silhouette score (a sample of %zu rows)", sampled);
	else
		snprintf(y2, sizeof y2, "silhouette score (all %zu rows)", n_rows);
	plot_frame frame = { .title = "Choosing k: inertia and silhouette", .x_label = "k (clusters)",
			     .y_label = "inertia (sum of squared distances to the centres)",
			     .y2_label = y2, .x_step = 1 };
	plot_series series[2] = {
		{ "inertia (left axis)", k, inertia, count, PLOT_LINES_POINTS, false },
		{ "silhouette (right axis)", k, silhouette, count, PLOT_LINES_POINTS, true },
	};
	plot_series_png(path, &frame, series, 2);
	free(k);
}

static void elbow(const settings *s, const ml_fit_options *fit)
{
	ml_error err;
	ml_dataset dataset;
	if (s->plot)
		plot_require();
	if (ml_dataset_read(s->input, &s->load, &dataset, &err) < 0)
		cli_fail(&err);
	ml_training_data data = { .name = s->name, .columns = &dataset.columns,
				  .chain = dataset.chain, .values = dataset.values,
				  .n_rows = dataset.n_rows, .lines = dataset.lines };
	size_t count = s->elbow_last - s->elbow_first + 1, sampled;
	ml_elbow_point *points = calloc(count, sizeof *points);
	if (!points)
		cli_die("out of memory");
	if (ml_elbow(fit, &data, s->elbow_first, s->elbow_last, s->sample, points, &sampled,
		     &err) < 0)
		cli_fail(&err);
	printf("%-6s %24s %24s\n", "k", "inertia", "silhouette");
	for (size_t i = 0; i < count; i++) {
		char inertia[ML_DOUBLE_BUFSIZE], silhouette[ML_DOUBLE_BUFSIZE];
		ml_format_double(points[i].inertia, inertia);
		ml_format_double(points[i].silhouette, silhouette);
		printf("%-6zu %24s %24s\n", points[i].n_clusters, inertia, silhouette);
	}
	if (s->verbose)
		cli_warn("silhouette on %s%zu rows", sampled < dataset.n_rows ? "a sample of " : "all ",
			 sampled);
	if (s->plot)
		plot_elbow(s->plot, points, count, sampled, dataset.n_rows);
	free(points);
	ml_dataset_free(&dataset);
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	parse_arguments(argc, argv, &s);
	ml_fit_options fit;
	build_fit_options(&s, &fit);
	if (s.verbose) {
		fit.progress = print_progress;
		cli_report_blas();
	}
	fit.warning = print_progress;
	if (s.elbow_first)
		elbow(&s, &fit);
	else
		cluster(&s, &fit);
	return 0;
}
