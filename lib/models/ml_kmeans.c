#include "models/ml_kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans_impl.h"

void ml_kmeans_options_init(ml_kmeans_options *options)
{
	memset(options, 0, sizeof *options);
	options->n_clusters = 8;
	options->n_init = 1;
	options->max_iter = 300;
	options->tol = 1e-4;
	options->batch_size = 1024;
	options->reassignment_ratio = 0.01;
	options->max_no_improvement = 10;
}

int ml_kmeans_options_check(const ml_kmeans_options *options, ml_error *err)
{
	if (options->n_clusters < 1)
		ml_error_set(err, "the number of clusters must be at least 1");
	else if (options->n_init < 1)
		ml_error_set(err, "the number of runs (n_init) must be at least 1");
	else if (options->max_iter < 1)
		ml_error_set(err, "the iteration limit must be at least 1");
	else if (!isfinite(options->tol) || options->tol < 0)
		ml_error_set(err, "the tolerance must be a finite number >= 0, not %g",
			     options->tol);
	else if (options->initial_centres && options->n_init != 1)
		ml_error_set(err, "given initial centres, there is one run only (n_init 1, not"
			     " %zu)", options->n_init);
	else if (options->batch_size < 1)
		ml_error_set(err, "the batch size must be at least 1");
	else if (options->init_size != 0 && options->init_size < options->n_clusters)
		ml_error_set(err, "the seeding rows (init_size %zu) must be at least the %zu"
			     " clusters", options->init_size, options->n_clusters);
	else if (!isfinite(options->reassignment_ratio) || options->reassignment_ratio < 0)
		ml_error_set(err, "the reassignment ratio must be a finite number >= 0, not %g",
			     options->reassignment_ratio);
	else
		return 0;
	return -1;
}

/* ---- the fitted clustering ------------------------------------------ */

ml_kmeans *ml_kmeans_alloc(size_t n_clusters, size_t n_features, ml_error *err)
{
	ml_kmeans *kmeans = calloc(1, sizeof *kmeans);
	if (!kmeans) {
		ml_error_nomem(err);
		return NULL;
	}
	kmeans->n_clusters = n_clusters;
	kmeans->n_features = n_features;
	kmeans->inertia = NAN;
	if (!(kmeans->centres = ml_alloc_array(n_clusters, n_features * sizeof(double), err)) ||
	    !(kmeans->shifted_centres = ml_alloc_array(n_clusters, n_features * sizeof(double),
						       err)) ||
	    !(kmeans->shift = ml_alloc_array(n_features, sizeof(double), err)) ||
	    !(kmeans->centre_norms = ml_alloc_array(n_clusters, sizeof(double), err))) {
		ml_kmeans_free(kmeans);
		return NULL;
	}
	return kmeans;
}

void ml_kmeans_free(ml_kmeans *kmeans)
{
	if (!kmeans)
		return;
	free(kmeans->centres);
	free(kmeans->shifted_centres);
	free(kmeans->shift);
	free(kmeans->centre_norms);
	free(kmeans);
}

typedef struct centre_ref {
	const double *values;
	size_t n_features;
} centre_ref;

static int compare_centres(const void *a, const void *b)
{
	const centre_ref *x = a, *y = b;
	for (size_t j = 0; j < x->n_features; j++)
		if (x->values[j] != y->values[j])
			return x->values[j] < y->values[j] ? -1 : 1;
	return 0;
}

static int count_distinct(ml_kmeans *kmeans, ml_error *err)
{
	size_t k = kmeans->n_clusters, d = kmeans->n_features;
	centre_ref *refs = ml_alloc_array(k, sizeof *refs, err);
	if (!refs)
		return -1;
	for (size_t j = 0; j < k; j++)
		refs[j] = (centre_ref){ kmeans->centres + j * d, d };
	qsort(refs, k, sizeof *refs, compare_centres);
	kmeans->n_distinct = 1;
	for (size_t j = 1; j < k; j++)
		kmeans->n_distinct += compare_centres(&refs[j - 1], &refs[j]) != 0;
	free(refs);
	return 0;
}

int ml_kmeans_finish(ml_kmeans *kmeans, ml_error *err)
{
	size_t k = kmeans->n_clusters, d = kmeans->n_features;
	/* Predict works relative to the centres' mean, close to the data's. */
	memset(kmeans->shift, 0, d * sizeof *kmeans->shift);
	for (size_t j = 0; j < k; j++)
		for (size_t f = 0; f < d; f++)
			kmeans->shift[f] += kmeans->centres[j * d + f];
	for (size_t f = 0; f < d; f++)
		kmeans->shift[f] /= (double)k;
	ml_kmeans_load_block(kmeans->centres, d, k, d, kmeans->shift, kmeans->shifted_centres,
			     kmeans->centre_norms);
	return count_distinct(kmeans, err);
}

ml_kmeans *ml_kmeans_create(const double *centres, size_t n_clusters, size_t n_features,
			    ml_error *err)
{
	if (n_clusters < 1 || n_features < 1) {
		ml_error_set(err, "a clustering needs at least one centre and one feature");
		return NULL;
	}
	if (ml_kmeans_check_finite(centres, n_clusters, n_features, n_features, 0, err) < 0) {
		ml_error_prefix(err, "centre");
		return NULL;
	}
	ml_kmeans *kmeans = ml_kmeans_alloc(n_clusters, n_features, err);
	if (!kmeans)
		return NULL;
	memcpy(kmeans->centres, centres, n_clusters * n_features * sizeof *centres);
	if (ml_kmeans_finish(kmeans, err) < 0) {
		ml_kmeans_free(kmeans);
		return NULL;
	}
	return kmeans;
}

size_t ml_kmeans_n_clusters(const ml_kmeans *kmeans)
{
	return kmeans->n_clusters;
}

size_t ml_kmeans_n_features(const ml_kmeans *kmeans)
{
	return kmeans->n_features;
}

const double *ml_kmeans_centres(const ml_kmeans *kmeans)
{
	return kmeans->centres;
}

size_t ml_kmeans_n_distinct(const ml_kmeans *kmeans)
{
	return kmeans->n_distinct;
}

double ml_kmeans_inertia(const ml_kmeans *kmeans)
{
	return kmeans->inertia;
}

size_t ml_kmeans_n_iter(const ml_kmeans *kmeans)
{
	return kmeans->n_iter;
}

bool ml_kmeans_converged(const ml_kmeans *kmeans)
{
	return kmeans->converged;
}

/* ---- prediction ------------------------------------------------------ */

size_t ml_kmeans_predict_scratch(const ml_kmeans *kmeans)
{
	return ML_KMEANS_BLOCK_ROWS * (kmeans->n_features + kmeans->n_clusters);
}

void ml_kmeans_predict_block(const ml_kmeans *kmeans, const double *rows, size_t stride,
			     size_t count, double *scratch, size_t *labels, double *squared)
{
	size_t k = kmeans->n_clusters, d = kmeans->n_features;
	double *block = scratch, *cross = scratch + ML_KMEANS_BLOCK_ROWS * d;
	ml_kmeans_load_block(rows, stride, count, d, kmeans->shift, block, NULL);
	ml_kmeans_block_cross(block, count, d, kmeans->shifted_centres, kmeans->centre_norms, k,
			      cross);
	for (size_t r = 0; r < count; r++) {
		size_t nearest = ml_kmeans_argmin(cross + r * k, k);
		labels[r] = nearest;
		if (squared)
			squared[r] = ml_kmeans_distance2(rows + r * stride,
							 kmeans->centres + nearest * d, d);
	}
}

int ml_kmeans_predict(const ml_kmeans *kmeans, const double *rows, size_t n_rows,
		      size_t stride, size_t row_offset, size_t *labels, double *distances,
		      ml_error *err)
{
	if (stride < kmeans->n_features) {
		ml_error_set(err, "row stride %zu is less than the %zu features", stride,
			     kmeans->n_features);
		return -1;
	}
	if (ml_kmeans_check_finite(rows, n_rows, kmeans->n_features, stride, row_offset, err) < 0)
		return -1;
	size_t n_blocks = n_rows / ML_KMEANS_BLOCK_ROWS + (n_rows % ML_KMEANS_BLOCK_ROWS != 0);
	size_t scratch_size = ml_kmeans_predict_scratch(kmeans);
	size_t threads = ml_kmeans_block_threads(n_rows, kmeans->n_clusters, kmeans->n_features);
	double *scratch = ml_alloc_array(threads, scratch_size * sizeof(double), err);
	if (!scratch)
		return -1;
	int blas_threads = ml_blas_threads_set(1);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
	for (size_t b = 0; b < n_blocks; b++) {
		size_t start = b * ML_KMEANS_BLOCK_ROWS;
		size_t count = ml_kmeans_block_length(start, n_rows);
		double *squared = distances ? distances + start : NULL;
		ml_kmeans_predict_block(kmeans, rows + start * stride, stride, count,
			      scratch + ml_parallel_thread_index() * scratch_size, labels + start,
			      squared);
		for (size_t r = 0; squared && r < count; r++)
			squared[r] = sqrt(squared[r]);
	}
	ml_blas_threads_set(blas_threads);
	free(scratch);
	return 0;
}
