/*
 * ml_kmeans_impl: what the k-means files share and nothing else includes.
 *
 * ml_kmeans.c holds the options, the fitted clustering and prediction,
 * ml_kmeans_data.c the rows' preparation and the block kernel,
 * ml_kmeans_seed.c k-means++, ml_kmeans_lloyd.c Lloyd's iterations and
 * ml_minibatch.c the mini-batch variant.  They share the block kernel
 * (rows shifted into a buffer, one dgemm against the centres, argmin per
 * row), the fixed split of rows into pieces that keeps results independent
 * of the thread count, and the fitted clustering itself.
 */
#ifndef ML_KMEANS_IMPL_H
#define ML_KMEANS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "core/ml_random.h"
#include "models/ml_kmeans.h"

/*
 * Rows per block: the block's shifted rows (256 x features) and its
 * distances (256 x k) stay in cache between the dgemm and the argmin.
 */
#define ML_KMEANS_BLOCK_ROWS 256

/* Rows in the block that starts at start, of rows [.., end). */
static inline size_t ml_kmeans_block_length(size_t start, size_t end)
{
	return end - start < ML_KMEANS_BLOCK_ROWS ? end - start : ML_KMEANS_BLOCK_ROWS;
}

/*
 * Distance terms (rows x k x features) each thread should have before a
 * pass over blocks starts threads: below, starting and joining them costs
 * more than it saves (mini-batch steps of 1024 rows with k = 64 and 20
 * features ran ten times slower on two threads of a busy machine).
 */
#define ML_KMEANS_THREAD_WORK ((size_t)1 << 22)

/* Threads for a pass over n_rows rows in blocks: 1 up to ml_parallel_threads(). */
size_t ml_kmeans_block_threads(size_t n_rows, size_t n_clusters, size_t n_features);

struct ml_kmeans {
	size_t n_clusters;
	size_t n_features;
	double *centres;          /* n_clusters x n_features */
	/* For predict: centres minus their mean (the dgemm's operand), and norms. */
	double *shift;            /* n_features */
	double *shifted_centres;  /* n_clusters x n_features */
	double *centre_norms;     /* n_clusters */
	size_t n_distinct;
	double inertia;
	size_t n_iter;
	bool converged;
};

/* Allocates a clustering whose centres the caller fills, then finishes. */
ml_kmeans *ml_kmeans_alloc(size_t n_clusters, size_t n_features, ml_error *err);
/* Derives the predict operands and the distinct count from the centres. */
int ml_kmeans_finish(ml_kmeans *kmeans, ml_error *err);

/*
 * Rows prepared for the passes of a fit: shifted by their column means,
 * with their squared norms, split into pieces of piece_rows rows (a
 * multiple of the block) that depend on the row count and the size of
 * the per-piece sums only.  Passes run pieces in parallel and combine
 * their results in piece order.
 */
typedef struct ml_kmeans_data {
	const double *values;
	size_t n_rows;
	size_t n_features;
	size_t stride;
	double *shift;            /* n_features: the column means */
	double *row_norms;        /* n_rows: ||x - shift||^2 */
	double mean_variance;     /* the mean of the per-feature variances */
	size_t piece_rows;
	size_t n_pieces;
	size_t n_threads;         /* threads the passes use (at most n_pieces) */
} ml_kmeans_data;

/*
 * Checks every value is finite and prepares data over input.  piece_values
 * is how many doubles each piece accumulates (k x features for Lloyd):
 * large ones get fewer, longer pieces so that their sums fit in memory.
 */
int ml_kmeans_data_prepare(ml_kmeans_data *data, const ml_kmeans_input *input,
			   size_t piece_values, ml_error *err);
void ml_kmeans_data_release(ml_kmeans_data *data);
/* Rows [first, end) of a piece. */
void ml_kmeans_piece_rows(const ml_kmeans_data *data, size_t piece, size_t *first,
			  size_t *end);

/*
 * Copies count rows (row r at rows + r * stride) minus shift into block
 * (count x n_features), and their squared norms into norms when not NULL.
 */
void ml_kmeans_load_block(const double *rows, size_t stride, size_t count, size_t n_features,
			  const double *shift, double *block, double *norms);
/* distances (count x k) = ||c||^2 - 2 x.c for the rows of block: one dgemm. */
void ml_kmeans_block_cross(const double *block, size_t count, size_t n_features,
			   const double *centres, const double *centre_norms, size_t n_clusters,
			   double *distances);
/* The index of the smallest of k values, the first on ties. */
size_t ml_kmeans_argmin(const double *values, size_t n_clusters);
/* norms[j] = ||centres[j]||^2. */
void ml_kmeans_centre_norms(const double *centres, size_t n_clusters, size_t n_features,
			    double *norms);
/* Scratch doubles per thread for ml_kmeans_predict_block. */
size_t ml_kmeans_predict_scratch(const ml_kmeans *kmeans);
/*
 * Nearest centres of count rows (at most a block) and, when squared is
 * not NULL, the squared distances to them computed directly.
 */
void ml_kmeans_predict_block(const ml_kmeans *kmeans, const double *rows, size_t stride,
			     size_t count, double *scratch, size_t *labels, double *squared);

/* Squared distance between two points, computed directly. */
double ml_kmeans_distance2(const double *a, const double *b, size_t n_features);
/* "row 3, feature 2 is NaN" for the first value that is not finite; 0 when all are. */
int ml_kmeans_check_finite(const double *rows, size_t n_rows, size_t n_features,
			   size_t stride, size_t row_offset, ml_error *err);

/*
 * Greedy k-means++ on data: the indices of the chosen rows, and the
 * centres shifted as data's rows are (n_clusters x n_features).
 */
int ml_kmeans_seed(const ml_kmeans_data *data, size_t n_clusters, ml_random *random,
		   size_t *indices, double *centres, ml_error *err);

/* Formats a progress line and hands it to options->progress, if any. */
void ml_kmeans_report(const ml_kmeans_options *options, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

#endif
