#include "models/ml_elbow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_random.h"
#include "math/ml_metrics.h"
#include "models/ml_model_impl.h"

/* The random stream of the sample, apart from the runs' streams 0, 1, ... */
#define SAMPLE_STREAM UINT64_MAX

/* Where the labels of one fit go, block by block. */
typedef struct label_sink {
	size_t *labels;
	size_t next;
	size_t n_rows;
} label_sink;

static int keep_labels(void *context, const double *rows, const size_t *labels, size_t n_rows,
		       ml_error *err)
{
	label_sink *sink = context;
	(void)rows;
	if (n_rows > sink->n_rows - sink->next) {
		ml_error_set(err, "more labels than rows");
		return -1;
	}
	memcpy(sink->labels + sink->next, labels, n_rows * sizeof *labels);
	sink->next += n_rows;
	return 0;
}

static int compare_sizes(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/*
 * The first n_sample rows of a seeded shuffle (a partial Fisher-Yates),
 * in row order; every row when there are no more.
 */
static size_t *draw_sample(size_t n_rows, size_t n_sample, uint64_t seed, ml_error *err)
{
	size_t *rows = ml_alloc_array(n_rows, sizeof *rows, err);
	if (!rows)
		return NULL;
	for (size_t r = 0; r < n_rows; r++)
		rows[r] = r;
	if (n_sample < n_rows) {
		ml_random random;
		ml_random_init_stream(&random, seed, SAMPLE_STREAM);
		for (size_t i = 0; i < n_sample; i++) {
			size_t j = i + (size_t)ml_random_below(&random, n_rows - i), swap = rows[i];
			rows[i] = rows[j];
			rows[j] = swap;
		}
		qsort(rows, n_sample, sizeof *rows, compare_sizes);
	}
	return rows;
}

/* The sampled rows' features, in the model's order (n_sample x n_features). */
static double *sample_features(const ml_model *model, const ml_training_data *data,
			       const size_t *sample, size_t n_sample, ml_error *err)
{
	size_t d = model->n_features, width = data->columns->count;
	double *features = ml_alloc_array(n_sample, d * sizeof(double), err);
	for (size_t i = 0; features && i < n_sample; i++) {
		size_t row = data->row_index ? data->row_index[sample[i]] : sample[i];
		for (size_t f = 0; f < d; f++)
			features[i * d + f] = data->values[row * width + model->feature_column[f]];
	}
	return features;
}

/* One fit and its measures; *model stays for the caller to free. */
static int measure(const ml_fit_options *options, const ml_training_data *data,
		   label_sink *sink, const size_t *sample, size_t n_sample, double **features,
		   int64_t *sample_labels, ml_elbow_point *point, ml_error *err)
{
	sink->next = 0;
	ml_model *model = ml_model_fit(options, data, err);
	if (!model)
		return -1;
	ml_clustering clustering;
	int status = ml_model_clustering(model, &clustering, err);
	if (status == 0 && sink->next != data->n_rows) {
		ml_error_set(err, "%s: %zu labels for %zu rows", data->name, sink->next, data->n_rows);
		status = -1;
	}
	if (status == 0 && !*features &&
	    !(*features = sample_features(model, data, sample, n_sample, err)))
		status = -1;
	if (status == 0) {
		point->inertia = clustering.inertia;
		point->n_distinct = clustering.n_distinct;
		for (size_t i = 0; i < n_sample; i++)
			sample_labels[i] = (int64_t)sink->labels[sample[i]];
		unsigned warnings = 0;
		status = ml_silhouette_score(*features, n_sample, model->n_features,
					     model->n_features, sample_labels, &point->silhouette,
					     &warnings, err);
	}
	ml_model_free(model);
	return status;
}

int ml_elbow(const ml_fit_options *options, const ml_training_data *data, size_t first,
	     size_t last, size_t sample_size, ml_elbow_point *points, size_t *sampled,
	     ml_error *err)
{
	const ml_estimator *kind = options->kind;
	size_t clusters = ml_estimator_find_param(kind, "clusters");
	if (data->read || clusters == ML_NO_PARAM || !(kind->flags & ML_ESTIMATOR_CLUSTERING) ||
	    first < 1 || last < first) {
		ml_error_set(err, "the elbow wants a clustering kind, rows in memory and a range"
			     " of k");
		return -1;
	}
	if (last > data->n_rows) {
		ml_error_set(err, "%s: k up to %zu wanted but only %zu rows to cluster", data->name,
			     last, data->n_rows);
		return -1;
	}
	size_t n_sample = sample_size < data->n_rows ? sample_size : data->n_rows;
	label_sink sink = { .n_rows = data->n_rows };
	ml_fit_options fit = *options;
	fit.labels = keep_labels;
	fit.labels_context = &sink;
	double *features = NULL;
	size_t *sample = draw_sample(data->n_rows, n_sample, options->seed, err);
	int64_t *sample_labels = ml_alloc_array(n_sample ? n_sample : 1, sizeof(int64_t), err);
	int status = sample && sample_labels &&
		     (sink.labels = ml_alloc_array(data->n_rows, sizeof(size_t), err)) ? 0 : -1;
	for (size_t k = first; status == 0 && k <= last; k++) {
		ml_elbow_point *point = &points[k - first];
		point->n_clusters = k;
		fit.params[clusters] = (double)k;
		ml_fit_report(&fit, "k = %zu", k);
		status = measure(&fit, data, &sink, sample, n_sample, &features, sample_labels,
				 point, err);
	}
	*sampled = n_sample;
	free(features);
	free(sample);
	free(sample_labels);
	free(sink.labels);
	return status;
}
