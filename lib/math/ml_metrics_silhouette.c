/*
 * The silhouette of a clustering, with Euclidean distances, as
 * sklearn.metrics.silhouette_samples computes it, and the renumbering of
 * labels that every clustering score starts from.
 *
 * The points are copied once, sorted by cluster (stably: within a cluster
 * in row order, the order np.bincount adds their distances in) and centred
 * on their mean (distances do not move, and ||x||^2 - 2x.y + ||y||^2 loses
 * fewer digits near the origin).  Distances are then computed a block of
 * rows at a time: the cross products of the block with every point as one
 * cblas_dgemm, then sqrt(max(-2x.y + ||x||^2 + ||y||^2, 0)), the distance
 * of a point to itself set to 0, and summed per cluster over the cluster's
 * contiguous range.  Blocks are the unit of parallel work; their size
 * depends only on the row count, each row's result only on its block, so
 * the result does not depend on the thread count.
 */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_metrics_impl.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"

/* A block's distances: at most this many doubles (8 MiB), and at most 256 rows. */
#define BLOCK_CELLS ((size_t)1 << 20)
#define MAX_BLOCK_ROWS ((size_t)256)

static int compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

size_t ml_metrics_renumber(const int64_t *labels, size_t n_rows, size_t *codes,
			   uint64_t *sizes, ml_error *err)
{
	int64_t *distinct = ml_alloc_array(n_rows, sizeof *distinct, err);
	if (!distinct)
		return 0;
	memcpy(distinct, labels, n_rows * sizeof *labels);
	qsort(distinct, n_rows, sizeof *distinct, compare_int64);
	size_t n_distinct = 1;
	for (size_t i = 1; i < n_rows; i++)
		if (distinct[i] != distinct[n_distinct - 1])
			distinct[n_distinct++] = distinct[i];
	memset(sizes, 0, n_distinct * sizeof *sizes);
	for (size_t r = 0; r < n_rows; r++) {
		const int64_t *found = bsearch(&labels[r], distinct, n_distinct, sizeof *distinct,
					       compare_int64);
		codes[r] = (size_t)(found - distinct);
		sizes[codes[r]]++;
	}
	free(distinct);
	return n_distinct;
}

/* The points sorted by cluster and centred, and what the blocks share. */
typedef struct silhouette {
	size_t n_rows, n_columns, n_clusters;
	size_t block_rows;
	double *points;   /* n_rows x n_columns, sorted by cluster, centred */
	double *norms;    /* ||point||^2 */
	size_t *origin;   /* origin[i]: the input row of sorted point i */
	size_t *cluster;  /* cluster[i]: the cluster of sorted point i */
	size_t *starts;   /* n_clusters + 1: cluster c is points starts[c]..starts[c+1] */
	double *cross;    /* per thread: block_rows x n_rows cross products */
	size_t cross_per_thread;
} silhouette;

static void silhouette_free(silhouette *s)
{
	free(s->points);
	free(s->norms);
	free(s->origin);
	free(s->cluster);
	free(s->starts);
	free(s->cross);
}

/* Stable counting sort of the rows by cluster code. */
static void sort_by_cluster(silhouette *s, const size_t *codes, const uint64_t *sizes)
{
	s->starts[0] = 0;
	for (size_t c = 0; c < s->n_clusters; c++)
		s->starts[c + 1] = s->starts[c] + (size_t)sizes[c];
	size_t *next = s->cluster; /* borrowed as the fill positions, then overwritten */
	memcpy(next, s->starts, s->n_clusters * sizeof *next);
	for (size_t r = 0; r < s->n_rows; r++)
		s->origin[next[codes[r]]++] = r;
	for (size_t c = 0; c < s->n_clusters; c++)
		for (size_t i = s->starts[c]; i < s->starts[c + 1]; i++)
			s->cluster[i] = c;
}

/* Copies the points in sorted order, centred on their (compensated) mean. */
static void centre_points(silhouette *s, const double *rows, size_t row_stride)
{
	size_t width = s->n_columns;
	for (size_t j = 0; j < width; j++) {
		ml_sum sum = { 0, 0 };
		for (size_t r = 0; r < s->n_rows; r++)
			ml_sum_add(&sum, rows[r * row_stride + j]);
		double mean = ml_sum_value(&sum) / (double)s->n_rows;
		for (size_t i = 0; i < s->n_rows; i++)
			s->points[i * width + j] = rows[s->origin[i] * row_stride + j] - mean;
	}
	for (size_t i = 0; i < s->n_rows; i++) {
		double norm = 0;
		for (size_t j = 0; j < width; j++)
			norm += s->points[i * width + j] * s->points[i * width + j];
		s->norms[i] = norm;
	}
}

static int silhouette_init(silhouette *s, const double *rows, size_t row_stride,
			   const size_t *codes, const uint64_t *sizes, size_t n_threads,
			   ml_error *err)
{
	size_t cells, cross_cells;
	s->block_rows = BLOCK_CELLS / s->n_rows;
	s->block_rows = s->block_rows < 1 ? 1 : s->block_rows;
	s->block_rows = s->block_rows > MAX_BLOCK_ROWS ? MAX_BLOCK_ROWS : s->block_rows;
	if (!ml_size_mul(s->n_rows, s->n_columns, &cells) ||
	    !ml_size_mul(s->block_rows, s->n_rows, &s->cross_per_thread) ||
	    !ml_size_mul(s->cross_per_thread, n_threads, &cross_cells))
		return ml_error_nomem(err);
	if (!(s->points = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(s->norms = ml_alloc_array(s->n_rows, sizeof(double), err)) ||
	    !(s->origin = ml_alloc_array(s->n_rows, sizeof(size_t), err)) ||
	    !(s->cluster = ml_alloc_array(s->n_rows, sizeof(size_t), err)) ||
	    !(s->starts = ml_alloc_array(s->n_clusters + 1, sizeof(size_t), err)) ||
	    !(s->cross = ml_alloc_array(cross_cells, sizeof(double), err)))
		return -1;
	sort_by_cluster(s, codes, sizes);
	centre_points(s, rows, row_stride);
	return 0;
}

/*
 * Sum of the distances from sorted point i to the points of cluster c,
 * given i's cross products with every point times -2: the distance to
 * itself is 0, whatever rounding makes of it.
 */
static double cluster_distance_sum(const silhouette *s, size_t i, size_t c,
				   const double *cross)
{
	double norm = s->norms[i], sum = 0;
	for (size_t j = s->starts[c]; j < s->starts[c + 1]; j++) {
		double squared = cross[j] + norm + s->norms[j];
		sum += j == i ? 0.0 : sqrt(squared > 0 ? squared : 0);
	}
	return sum;
}

/* (b - a) / max(a, b) for sorted point i, from its cross products with every point. */
static double point_silhouette(const silhouette *s, size_t i, const double *cross)
{
	size_t own = s->cluster[i];
	double own_size = (double)(s->starts[own + 1] - s->starts[own]);
	if (own_size == 1)
		return 0.0; /* scikit-learn's 0/0, turned to 0 */
	double intra = cluster_distance_sum(s, i, own, cross) / (own_size - 1), inter = INFINITY;
	for (size_t c = 0; c < s->n_clusters; c++)
		if (c != own) {
			double size = (double)(s->starts[c + 1] - s->starts[c]);
			double mean = cluster_distance_sum(s, i, c, cross) / size;
			inter = mean < inter ? mean : inter;
		}
	double larger = intra > inter ? intra : inter;
	return larger == 0 ? 0.0 : (inter - intra) / larger;
}

/* The silhouettes of the points of block (sorted order) into samples (input order). */
static void silhouette_block(const silhouette *s, size_t block, double *cross,
			     double *samples)
{
	size_t first = block * s->block_rows, n_rows = s->n_rows;
	size_t count = n_rows - first < s->block_rows ? n_rows - first : s->block_rows;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count, (int)n_rows,
		    (int)s->n_columns, -2.0, s->points + first * s->n_columns,
		    (int)s->n_columns, s->points, (int)s->n_columns, 0.0, cross, (int)n_rows);
	for (size_t b = 0; b < count; b++)
		samples[s->origin[first + b]] = point_silhouette(s, first + b, cross + b * n_rows);
}

static int check_points(const double *rows, size_t n_rows, size_t n_columns, size_t row_stride,
			ml_error *err)
{
	if (n_rows == 0 || n_columns == 0) {
		ml_error_set(err, "no points to score (%zu rows, %zu columns)", n_rows, n_columns);
		return -1;
	}
	if (n_rows > INT_MAX || n_columns > INT_MAX || row_stride < n_columns) {
		ml_error_set(err, "%zu rows of %zu columns (stride %zu): too many or inconsistent",
			     n_rows, n_columns, row_stride);
		return -1;
	}
	for (size_t r = 0; r < n_rows; r++)
		for (size_t j = 0; j < n_columns; j++)
			if (!isfinite(rows[r * row_stride + j])) {
				ml_error_set(err, "row %zu: column %zu is %g, not a finite number",
					     r + 1, j + 1, rows[r * row_stride + j]);
				return -1;
			}
	return 0;
}

/* Every block, in parallel; OpenBLAS kept to one thread meanwhile. */
static void silhouette_run(const silhouette *s, size_t n_threads, double *samples)
{
	long n_blocks = (long)((s->n_rows + s->block_rows - 1) / s->block_rows);
	int blas_threads = ml_blas_threads_set(1);
#pragma omp parallel for num_threads((int)n_threads) schedule(dynamic)
	for (long block = 0; block < n_blocks; block++)
		silhouette_block(s, (size_t)block,
				 s->cross + ml_parallel_thread_index() * s->cross_per_thread,
				 samples);
	ml_blas_threads_set(blas_threads);
}

int ml_silhouette_samples(const double *rows, size_t n_rows, size_t n_columns,
			  size_t row_stride, const int64_t *labels, double *samples,
			  unsigned *warnings, ml_error *err)
{
	if (check_points(rows, n_rows, n_columns, row_stride, err) < 0)
		return -1;
	silhouette s = { .n_rows = n_rows, .n_columns = n_columns };
	size_t *codes = ml_alloc_array(n_rows, sizeof *codes, err);
	uint64_t *sizes = ml_alloc_array(n_rows, sizeof *sizes, err);
	int status = -1;
	if (!codes || !sizes ||
	    (s.n_clusters = ml_metrics_renumber(labels, n_rows, codes, sizes, err)) == 0)
		goto done;
	if (s.n_clusters < 2 || s.n_clusters + 1 > n_rows) {
		/* scikit-learn raises "Valid values are 2 to n_samples - 1 (inclusive)". */
		if (warnings)
			*warnings |= ML_METRIC_WARN_CLUSTER_COUNT;
		for (size_t r = 0; r < n_rows; r++)
			samples[r] = NAN;
		status = 0;
		goto done;
	}
	size_t n_threads = ml_parallel_threads();
	if (silhouette_init(&s, rows, row_stride, codes, sizes, n_threads, err) < 0)
		goto done;
	silhouette_run(&s, n_threads, samples);
	status = 0;
done:
	free(codes);
	free(sizes);
	silhouette_free(&s);
	return status;
}

int ml_silhouette_score(const double *rows, size_t n_rows, size_t n_columns, size_t row_stride,
			const int64_t *labels, double *score, unsigned *warnings, ml_error *err)
{
	double *samples = n_rows ? ml_alloc_array(n_rows, sizeof *samples, err) : NULL;
	if (n_rows && !samples)
		return -1;
	if (ml_silhouette_samples(rows, n_rows, n_columns, row_stride, labels, samples, warnings,
				  err) < 0) {
		free(samples);
		return -1;
	}
	ml_sum sum = { 0, 0 };
	for (size_t r = 0; r < n_rows; r++)
		ml_sum_add(&sum, samples[r]);
	*score = ml_sum_value(&sum) / (double)n_rows;
	free(samples);
	return 0;
}
