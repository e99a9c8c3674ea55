/*
 * The clustering kinds, k-means as a model: "kmeans" (Lloyd's iterations,
 * ml_kmeans_fit) and "minibatch-kmeans" (ml_minibatch), what ml-cluster
 * fits, ml-predict applies (each row's nearest centre) and ml-info shows.
 *
 * Lloyd reads every training row into memory.  Mini-batch streams, in two
 * passes: the first feeds the rows to ml_minibatch block by block (once it
 * stops improving, as scikit-learn stops, the rest are only read, for the
 * row count and the hash), the second (ml_training_rows_rewind) labels
 * every row and measures the inertia and the cluster sizes, as
 * MiniBatchKMeans.fit ends with a pass over the data.  Either way the
 * labels callback gets every row with its cluster.
 *
 * The kinds' lines in a model file, after the hyperparameters:
 *
 *     features N
 *     centre J V1 ... VN      one per cluster, J = 0 .. k-1, the features in order
 *     sizes K N0 ... NK-1     the training rows of each cluster
 *     inertia VALUE           the sum of their squared distances to their centres
 *     iterations N            Lloyd: iterations of the run kept; mini-batch: "steps N"
 *     converged true|false    mini-batch: stopped improving before the end
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_clock.h"
#include "core/ml_number.h"
#include "models/ml_kmeans.h"
#include "models/ml_model_impl.h"

/* The hyperparameters, in table order; both kinds start with these two. */
enum { CLUSTERS, N_INIT };
enum { MAX_ITER = 2, TOL };
enum { BATCH_SIZE = 2, INIT_SIZE, REASSIGNMENT_RATIO, MAX_NO_IMPROVEMENT };

/* A model file says k; its centres are read before they are allocated in full. */
#define MAX_CLUSTERS 1048576
/* Memory a block of streamed rows may take (doubles), and its rows. */
#define BLOCK_VALUES ((size_t)1 << 20)
#define MIN_BLOCK_ROWS ((size_t)256)
#define MAX_BLOCK_ROWS ((size_t)1 << 16)

#define CLUSTERS_PARAM                                                                  \
	{ .name = "clusters", .type = ML_PARAM_COUNT, .arg = "K", .default_text = "8",   \
	  .min = 1, .max = MAX_CLUSTERS, .help = "the number of clusters, k" }
#define N_INIT_PARAM(help_text)                                                         \
	{ .name = "n-init", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "1",     \
	  .min = 1, .max = 1000, .help = help_text }

static const ml_param kmeans_params[] = {
	CLUSTERS_PARAM,
	N_INIT_PARAM("runs from different k-means++ seedings; the lowest inertia is kept"),
	{ .name = "max-iter", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "300",
	  .min = 1, .max = 100000000, .help = "Lloyd iterations per run at most" },
	{ .name = "tol", .type = ML_PARAM_REAL, .arg = "T", .default_text = "0.0001",
	  .min = 0, .max = INFINITY,
	  .help = "stop when the centres move less than T x the mean feature variance" },
};

static const ml_param_word auto_word[] = { { "auto", 0 }, { NULL, 0 } };
static const ml_param_word none_word[] = { { "none", 0 }, { NULL, 0 } };

static const ml_param minibatch_params[] = {
	CLUSTERS_PARAM,
	N_INIT_PARAM("k-means++ seedings of the first rows; the lowest inertia is kept"),
	{ .name = "batch-size", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "1024",
	  .min = 1, .max = 67108864, .help = "rows per mini-batch step" },
	{ .name = "init-size", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "auto",
	  .min = 1, .max = 67108864, .words = auto_word,
	  .help = "first rows the seeding sees ('auto': 3 x batch-size, at least 3 x k)" },
	{ .name = "reassignment-ratio", .type = ML_PARAM_REAL, .arg = "R", .default_text = "0.01",
	  .min = 0, .max = INFINITY,
	  .help = "centres with fewer rows than R x the largest count move to random rows" },
	{ .name = "max-no-improvement", .type = ML_PARAM_COUNT, .arg = "N", .default_text = "10",
	  .min = 1, .max = 100000000, .words = none_word,
	  .help = "steps without a better smoothed inertia before the fit stops ('none')" },
};

/* What a fit learns. */
typedef struct kmeans_state {
	ml_kmeans *kmeans;
	size_t *sizes;       /* k */
	double inertia;
	size_t n_iter;
	bool converged;
} kmeans_state;

static bool is_minibatch(const ml_model *model)
{
	return model->kind == &ml_minibatch_kmeans_estimator;
}

static size_t n_clusters_of(const ml_model *model)
{
	return (size_t)model->hyper[CLUSTERS];
}

static void free_kmeans_state(void *opaque)
{
	kmeans_state *state = opaque;
	if (!state)
		return;
	ml_kmeans_free(state->kmeans);
	free(state->sizes);
	free(state);
}

/* A state holding kmeans (taken over, freed on failure) and room for the sizes. */
static kmeans_state *new_state(ml_kmeans *kmeans, size_t n_clusters, ml_error *err)
{
	kmeans_state *state = calloc(1, sizeof *state);
	if (!state || !(state->sizes = ml_calloc_array(n_clusters, sizeof(size_t), err))) {
		free(state);
		ml_kmeans_free(kmeans);
		ml_error_nomem(err);
		return NULL;
	}
	state->kmeans = kmeans;
	return state;
}

static void kmeans_options_of(const ml_model *model, const ml_fit_options *fit,
			      ml_kmeans_options *options)
{
	const double *hyper = model->hyper;
	ml_kmeans_options_init(options);
	options->n_clusters = (size_t)hyper[CLUSTERS];
	options->n_init = (size_t)hyper[N_INIT];
	options->seed = fit->seed;
	options->progress = fit->progress;
	options->progress_context = fit->progress_context;
	if (is_minibatch(model)) {
		options->batch_size = (size_t)hyper[BATCH_SIZE];
		options->init_size = (size_t)hyper[INIT_SIZE];
		options->reassignment_ratio = hyper[REASSIGNMENT_RATIO];
		options->max_no_improvement = (size_t)hyper[MAX_NO_IMPROVEMENT];
	} else {
		options->max_iter = (size_t)hyper[MAX_ITER];
		options->tol = hyper[TOL];
	}
}

/* k more than the rows: said with the input's name. */
static int too_few_rows(const ml_training_rows *rows, size_t n_clusters, size_t n_rows,
			ml_error *err)
{
	ml_error_set(err, "%s: %zu clusters wanted but only %zu rows to cluster",
		     ml_training_rows_name(rows), n_clusters, n_rows);
	return -1;
}

/* Rows per block of a streaming pass: a few MiB whatever the width. */
static size_t block_rows(size_t width)
{
	size_t rows = BLOCK_VALUES / width;
	return rows < MIN_BLOCK_ROWS ? MIN_BLOCK_ROWS : rows > MAX_BLOCK_ROWS ? MAX_BLOCK_ROWS : rows;
}

/* ---- fitting ---------------------------------------------------------- */

static int fit_lloyd(ml_model *model, const ml_fit_options *fit, ml_training_rows *rows,
		     ml_error *err)
{
	size_t d = model->n_features, n_rows;
	double *all = NULL;
	if (ml_training_rows_all(rows, &all, &n_rows, err) < 0)
		return -1;
	if (n_rows == 0) { /* ml_model_fit says so */
		free(all);
		return 0;
	}
	ml_kmeans_options options;
	kmeans_options_of(model, fit, &options);
	if (n_rows < options.n_clusters) {
		free(all);
		return too_few_rows(rows, options.n_clusters, n_rows, err);
	}
	ml_kmeans_input input = { all, n_rows, d, d + 1 };
	size_t *labels = ml_alloc_array(n_rows, sizeof *labels, err);
	double started = ml_clock_now();
	ml_kmeans *kmeans = labels ? ml_kmeans_fit(&options, &input, labels, err) : NULL;
	kmeans_state *state = kmeans ? new_state(kmeans, options.n_clusters, err) : NULL;
	int status = -1;
	if (state) {
		ml_fit_report(fit, "clustering took %.3f s (%zu rows, %zu run%s)",
			      ml_clock_now() - started, n_rows, options.n_init,
			      options.n_init == 1 ? "" : "s");
		for (size_t r = 0; r < n_rows; r++)
			state->sizes[labels[r]]++;
		state->inertia = ml_kmeans_inertia(kmeans);
		state->n_iter = ml_kmeans_n_iter(kmeans);
		state->converged = ml_kmeans_converged(kmeans);
		model->state = state;
		status = ml_training_rows_label(rows, fit, all, labels, n_rows, err);
	}
	free(labels);
	free(all);
	return status;
}

/* The first pass: every row read, fed to the fit until it stops improving. */
static int feed_minibatch(ml_minibatch *minibatch, const ml_fit_options *fit,
			  ml_training_rows *rows, double *block, size_t max_rows, size_t *n_rows,
			  ml_error *err)
{
	size_t width = ml_training_rows_width(rows), got;
	*n_rows = 0;
	for (;;) {
		if (ml_training_rows_next(rows, block, max_rows, &got, err) < 0)
			return -1;
		if (got == 0)
			return 0;
		bool feeding = !ml_minibatch_converged(minibatch);
		if (feeding && ml_minibatch_add(minibatch, block, got, width, err) < 0)
			return -1;
		*n_rows += got;
		if (feeding && ml_minibatch_converged(minibatch))
			ml_fit_report(fit, "the fit stopped improving within the first %zu rows: the"
				      " rest are labelled, not fitted", *n_rows);
	}
}

/* The second pass: labels, sizes and inertia of every row. */
static int measure_minibatch(ml_model *model, const ml_fit_options *fit, ml_training_rows *rows,
			     double *block, size_t max_rows, ml_error *err)
{
	kmeans_state *state = model->state;
	size_t width = ml_training_rows_width(rows), got, done = 0;
	size_t *labels = ml_alloc_array(max_rows, sizeof *labels, err);
	double *distances = ml_alloc_array(max_rows, sizeof *distances, err);
	int status = labels && distances ? ml_training_rows_rewind(rows, err) : -1;
	state->inertia = 0;
	while (status == 0) {
		status = ml_training_rows_next(rows, block, max_rows, &got, err);
		if (status < 0 || got == 0)
			break;
		status = ml_kmeans_predict(state->kmeans, block, got, width, done, labels,
					   distances, err);
		for (size_t r = 0; status == 0 && r < got; r++) {
			state->sizes[labels[r]]++;
			state->inertia += distances[r] * distances[r];
		}
		if (status == 0)
			status = ml_training_rows_label(rows, fit, block, labels, got, err);
		done += got;
	}
	free(labels);
	free(distances);
	return status;
}

static int fit_minibatch(ml_model *model, const ml_fit_options *fit, ml_training_rows *rows,
			 ml_error *err)
{
	size_t width = ml_training_rows_width(rows), max_rows = block_rows(width), n_rows;
	ml_kmeans_options options;
	kmeans_options_of(model, fit, &options);
	double started = ml_clock_now();
	ml_minibatch *minibatch = ml_minibatch_create(&options, model->n_features, err);
	double *block = minibatch ? ml_alloc_array(max_rows, width * sizeof(double), err) : NULL;
	int status = block ? feed_minibatch(minibatch, fit, rows, block, max_rows, &n_rows, err) : -1;
	if (status == 0 && n_rows > 0 && n_rows < options.n_clusters)
		status = too_few_rows(rows, options.n_clusters, n_rows, err);
	if (status == 0 && n_rows > 0) { /* none: ml_model_fit says so */
		ml_kmeans *kmeans = ml_minibatch_finish(minibatch, err);
		kmeans_state *state = kmeans ? new_state(kmeans, options.n_clusters, err) : NULL;
		status = state ? 0 : -1;
		if (state) {
			state->n_iter = ml_kmeans_n_iter(kmeans);
			state->converged = ml_kmeans_converged(kmeans);
			model->state = state;
			ml_fit_report(fit, "clustering took %.3f s (%zu rows, %zu steps)",
				      ml_clock_now() - started, n_rows, state->n_iter);
			status = measure_minibatch(model, fit, rows, block, max_rows, err);
		}
	}
	free(block);
	ml_minibatch_free(minibatch);
	return status;
}

static int fit_kmeans(ml_model *model, const ml_fit_options *options, ml_training_rows *rows,
		      ml_error *err)
{
	return is_minibatch(model) ? fit_minibatch(model, options, rows, err)
				   : fit_lloyd(model, options, rows, err);
}

/* ---- the file --------------------------------------------------------- */

static const char *iterations_key(const ml_model *model)
{
	return is_minibatch(model) ? "steps" : "iterations";
}

static void write_kmeans(const ml_model *model, ml_buf *out)
{
	const kmeans_state *state = model->state;
	size_t k = n_clusters_of(model), d = model->n_features;
	const double *centres = ml_kmeans_centres(state->kmeans);
	ml_text_write_size(out, "features", d);
	for (size_t j = 0; j < k; j++) {
		ml_text_key(out, "centre");
		ml_text_size(out, j);
		for (size_t f = 0; f < d; f++)
			ml_text_double(out, centres[j * d + f]);
		ml_text_newline(out);
	}
	ml_text_key(out, "sizes");
	ml_text_size(out, k);
	for (size_t j = 0; j < k; j++)
		ml_text_size(out, state->sizes[j]);
	ml_text_newline(out);
	ml_text_write_double(out, "inertia", state->inertia);
	ml_text_write_size(out, iterations_key(model), state->n_iter);
	ml_text_write_bool(out, "converged", state->converged);
}

/*
 * The centre lines, into k x d values grown as lines arrive: a file that
 * claims many clusters must hold their numbers before memory is taken.
 */
static double *parse_centres(const ml_model *model, ml_text_reader *reader, size_t k,
			     ml_error *err)
{
	size_t d = model->n_features, capacity = 0;
	double *centres = NULL;
	for (size_t j = 0; j < k; j++) {
		ml_text_line line;
		size_t index, cells;
		if (ml_text_read_key(reader, "centre", d + 1, &line, err) < 0 ||
		    ml_text_get_size(reader, &line, 1, MAX_CLUSTERS, &index, err) < 0)
			goto fail;
		if (index != j) {
			ml_text_fail(reader, &line, err, "expected centre %zu, found centre %zu", j,
				     index);
			goto fail;
		}
		if (j == capacity) {
			capacity = 2 * capacity < 16 ? 16 : 2 * capacity;
			capacity = capacity < k ? capacity : k;
			double *grown;
			if (!ml_size_mul(capacity, d, &cells) ||
			    !(grown = ml_realloc_array(centres, cells, sizeof *grown, err)))
				goto fail;
			centres = grown;
		}
		for (size_t f = 0; f < d; f++)
			if (ml_text_get_number(reader, &line, 2 + f, ML_TEXT_FINITE,
					       &centres[j * d + f], err) < 0)
				goto fail;
	}
	return centres;
fail:
	free(centres);
	return NULL;
}

static int parse_sizes(const ml_model *model, ml_text_reader *reader, kmeans_state *state,
		       ml_error *err)
{
	size_t k = n_clusters_of(model), count;
	ml_text_line line;
	char *const *values;
	if (ml_text_read_list(reader, "sizes", MAX_CLUSTERS, &line, &count, &values, err) < 0)
		return -1;
	if (count != k)
		return ml_text_fail(reader, &line, err, "'sizes' lists %zu clusters, not the %zu"
				    " of 'clusters'", count, k);
	for (size_t j = 0; j < k; j++)
		if (ml_text_get_size(reader, &line, 2 + j, SIZE_MAX, &state->sizes[j], err) < 0)
			return -1;
	return 0;
}

static int parse_kmeans(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	size_t k = n_clusters_of(model);
	if (ml_model_read_features(model, reader, err) < 0)
		return -1;
	double *centres = parse_centres(model, reader, k, err);
	if (!centres)
		return -1;
	ml_kmeans *kmeans = ml_kmeans_create(centres, k, model->n_features, err);
	free(centres);
	kmeans_state *state = kmeans ? new_state(kmeans, k, err) : NULL;
	if (!state)
		return -1;
	model->state = state;
	if (parse_sizes(model, reader, state, err) < 0 ||
	    ml_text_read_double(reader, "inertia", ML_TEXT_NONNEGATIVE, &state->inertia, err) < 0 ||
	    ml_text_read_size(reader, iterations_key(model), SIZE_MAX, &state->n_iter, err) < 0 ||
	    ml_text_read_bool(reader, "converged", &state->converged, err) < 0)
		return -1;
	return ml_text_read_end(reader, "a k-means model", err);
}

/* ---- predicting and describing ---------------------------------------- */

static int predict_kmeans(const ml_model *model, const double *features, size_t n_rows,
			  double *predictions, double *probabilities, ml_error *err)
{
	const kmeans_state *state = model->state;
	(void)probabilities;
	size_t *labels = ml_alloc_array(n_rows ? n_rows : 1, sizeof *labels, err);
	if (!labels)
		return -1;
	int status = ml_kmeans_predict(state->kmeans, features, n_rows, model->n_features, 0,
				       labels, NULL, err);
	for (size_t r = 0; status == 0 && r < n_rows; r++)
		predictions[r] = (double)labels[r];
	free(labels);
	return status;
}

static void clustering_of(const ml_model *model, ml_clustering *clustering)
{
	const kmeans_state *state = model->state;
	*clustering = (ml_clustering){
		.n_clusters = ml_kmeans_n_clusters(state->kmeans),
		.n_features = ml_kmeans_n_features(state->kmeans),
		.centres = ml_kmeans_centres(state->kmeans),
		.sizes = state->sizes,
		.inertia = state->inertia,
		.n_distinct = ml_kmeans_n_distinct(state->kmeans),
		.n_iter = state->n_iter,
		.converged = state->converged,
	};
}

/* The centres as a table: a column per cluster, a row per feature. */
static void describe_kmeans(const ml_model *model, ml_buf *out)
{
	const kmeans_state *state = model->state;
	size_t k = n_clusters_of(model), d = model->n_features;
	const double *centres = ml_kmeans_centres(state->kmeans);
	ml_buf_printf(out, "training: %zu %s (%s), inertia %.10g\n", state->n_iter,
		      is_minibatch(model) ? "steps" : "iterations",
		      state->converged ? "converged" : is_minibatch(model) ? "every row used"
									 : "NOT converged",
		      state->inertia);
	ml_buf_printf(out, "centres: %zu, %zu distinct\n  %-28s", k,
		      ml_kmeans_n_distinct(state->kmeans), "cluster");
	for (size_t j = 0; j < k; j++)
		ml_buf_printf(out, " %14zu", j);
	ml_buf_printf(out, "\n  %-28s", "(rows)");
	for (size_t j = 0; j < k; j++)
		ml_buf_printf(out, " %14zu", state->sizes[j]);
	ml_buf_putc(out, '\n');
	for (size_t f = 0; f < d; f++) {
		ml_buf_printf(out, "  %-28s", ml_model_feature_name(model, f));
		for (size_t j = 0; j < k; j++)
			ml_buf_printf(out, " %14.7g", centres[j * d + f]);
		ml_buf_putc(out, '\n');
	}
}

const ml_estimator ml_kmeans_estimator = {
	.name = "kmeans",
	.summary = "k-means: greedy k-means++ seeding, then Lloyd's iterations (ml-cluster)",
	.flags = ML_ESTIMATOR_CLUSTERING | ML_ESTIMATOR_RANDOM,
	.params = kmeans_params,
	.n_params = sizeof kmeans_params / sizeof kmeans_params[0],
	.fit = fit_kmeans,
	.write = write_kmeans,
	.parse = parse_kmeans,
	.predict = predict_kmeans,
	.describe = describe_kmeans,
	.free_state = free_kmeans_state,
	.clustering = clustering_of,
};

const ml_estimator ml_minibatch_kmeans_estimator = {
	.name = "minibatch-kmeans",
	.summary = "mini-batch k-means over a stream of rows (ml-cluster --batch-size)",
	.flags = ML_ESTIMATOR_CLUSTERING | ML_ESTIMATOR_RANDOM,
	.params = minibatch_params,
	.n_params = sizeof minibatch_params / sizeof minibatch_params[0],
	.fit = fit_kmeans,
	.write = write_kmeans,
	.parse = parse_kmeans,
	.predict = predict_kmeans,
	.describe = describe_kmeans,
	.free_state = free_kmeans_state,
	.clustering = clustering_of,
};
