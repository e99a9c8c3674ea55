/*
 * The rows as every k-means pass sees them (column means, norms, pieces)
 * and the block kernel the passes share.
 */
#include <cblas.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans_impl.h"

/* Pieces are at least this long (parallel work worth a thread's start)... */
#define MIN_PIECE_ROWS (64 * ML_KMEANS_BLOCK_ROWS)
/* ...and at most this many, so that their sums stay small next to the data... */
#define MAX_PIECES 256
/* ...and all their sums together take at most this much memory. */
#define MAX_PIECE_BYTES ((size_t)256 << 20)

static double squared_norm(const double *x, size_t n_features)
{
	double sum = 0;
	for (size_t j = 0; j < n_features; j++)
		sum += x[j] * x[j];
	return sum;
}

static size_t divide_up(size_t value, size_t divisor)
{
	return value / divisor + (value % divisor != 0);
}

static void choose_pieces(ml_kmeans_data *data, size_t piece_values)
{
	size_t n_rows = data->n_rows, per_piece_bytes, max_pieces = 1;
	size_t piece_rows = divide_up(n_rows, MAX_PIECES);
	if (piece_rows < MIN_PIECE_ROWS)
		piece_rows = MIN_PIECE_ROWS;
	if (ml_size_add(piece_values, 1, &per_piece_bytes) &&
	    ml_size_mul(per_piece_bytes, sizeof(double), &per_piece_bytes) &&
	    per_piece_bytes < MAX_PIECE_BYTES)
		max_pieces = MAX_PIECE_BYTES / per_piece_bytes;
	if (divide_up(n_rows, piece_rows) > max_pieces)
		piece_rows = divide_up(n_rows, max_pieces);
	data->piece_rows = divide_up(piece_rows, ML_KMEANS_BLOCK_ROWS) * ML_KMEANS_BLOCK_ROWS;
	data->n_pieces = divide_up(n_rows, data->piece_rows);
	size_t threads = ml_parallel_threads();
	data->n_threads = threads < data->n_pieces ? threads : data->n_pieces;
}

size_t ml_kmeans_block_threads(size_t n_rows, size_t n_clusters, size_t n_features)
{
	size_t work, threads = ml_parallel_threads();
	size_t n_blocks = divide_up(n_rows, ML_KMEANS_BLOCK_ROWS);
	if (!ml_size_mul(n_rows, n_clusters, &work) || !ml_size_mul(work, n_features, &work))
		work = SIZE_MAX;
	if (threads > work / ML_KMEANS_THREAD_WORK)
		threads = work / ML_KMEANS_THREAD_WORK;
	if (threads > n_blocks)
		threads = n_blocks;
	return threads ? threads : 1;
}

void ml_kmeans_piece_rows(const ml_kmeans_data *data, size_t piece, size_t *first, size_t *end)
{
	*first = piece * data->piece_rows;
	*end = data->n_rows - *first < data->piece_rows ? data->n_rows : *first + data->piece_rows;
}

/* Column sums of a piece into sums; the first row with a value not finite, or SIZE_MAX. */
static size_t sum_piece(const ml_kmeans_data *data, size_t piece, double *sums)
{
	size_t first, end, d = data->n_features;
	ml_kmeans_piece_rows(data, piece, &first, &end);
	memset(sums, 0, d * sizeof *sums);
	for (size_t r = first; r < end; r++) {
		const double *row = data->values + r * data->stride;
		double finite = 0;
		for (size_t j = 0; j < d; j++) {
			sums[j] += row[j];
			finite += row[j] * 0;  /* NaN when any value is NaN or infinite */
		}
		if (finite != 0)
			return r;
	}
	return SIZE_MAX;
}

/* The squared norms of a piece's shifted rows; returns their sum. */
static double norm_piece(const ml_kmeans_data *data, size_t piece)
{
	size_t first, end, d = data->n_features;
	ml_kmeans_piece_rows(data, piece, &first, &end);
	double total = 0;
	for (size_t r = first; r < end; r++) {
		const double *row = data->values + r * data->stride;
		double sum = 0;
		for (size_t j = 0; j < d; j++) {
			double v = row[j] - data->shift[j];
			sum += v * v;
		}
		data->row_norms[r] = sum;
		total += sum;
	}
	return total;
}

/* Column means (checking every value is finite), then row norms and variance. */
static int measure_rows(ml_kmeans_data *data, ml_error *err)
{
	size_t d = data->n_features, n_pieces = data->n_pieces;
	double *piece_sums = ml_alloc_array(n_pieces, d * sizeof(double), err);
	size_t *bad_row = ml_alloc_array(n_pieces, sizeof(size_t), err);
	if (!piece_sums || !bad_row) {
		free(piece_sums);
		free(bad_row);
		return -1;
	}
#pragma omp parallel for num_threads(data->n_threads) schedule(dynamic, 1)
	for (size_t p = 0; p < n_pieces; p++)
		bad_row[p] = sum_piece(data, p, piece_sums + p * d);
	int status = 0;
	for (size_t p = 0; p < n_pieces && status == 0; p++)
		if (bad_row[p] != SIZE_MAX)
			status = ml_kmeans_check_finite(data->values + bad_row[p] * data->stride, 1,
							d, data->stride, bad_row[p], err);
	if (status == 0) {
		memset(data->shift, 0, d * sizeof *data->shift);
		for (size_t p = 0; p < n_pieces; p++)
			for (size_t j = 0; j < d; j++)
				data->shift[j] += piece_sums[p * d + j];
		for (size_t j = 0; j < d; j++)
			data->shift[j] /= (double)data->n_rows;
		double *piece_norms = piece_sums; /* n_pieces values: d >= 1 */
#pragma omp parallel for num_threads(data->n_threads) schedule(dynamic, 1)
		for (size_t p = 0; p < n_pieces; p++)
			piece_norms[p] = norm_piece(data, p);
		double total = 0;
		for (size_t p = 0; p < n_pieces; p++)
			total += piece_norms[p];
		data->mean_variance = total / ((double)data->n_rows * (double)d);
	}
	free(piece_sums);
	free(bad_row);
	return status;
}

int ml_kmeans_data_prepare(ml_kmeans_data *data, const ml_kmeans_input *input,
			   size_t piece_values, ml_error *err)
{
	memset(data, 0, sizeof *data);
	if (input->n_features == 0) {
		ml_error_set(err, "no features to cluster");
		return -1;
	}
	if (input->n_rows == 0) {
		ml_error_set(err, "no rows to cluster");
		return -1;
	}
	if (input->stride < input->n_features) {
		ml_error_set(err, "row stride %zu is less than the %zu features", input->stride,
			     input->n_features);
		return -1;
	}
	data->values = input->values;
	data->n_rows = input->n_rows;
	data->n_features = input->n_features;
	data->stride = input->stride;
	choose_pieces(data, piece_values);
	if (!(data->shift = ml_alloc_array(data->n_features, sizeof(double), err)) ||
	    !(data->row_norms = ml_alloc_array(data->n_rows, sizeof(double), err)) ||
	    measure_rows(data, err) < 0) {
		ml_kmeans_data_release(data);
		return -1;
	}
	return 0;
}

void ml_kmeans_data_release(ml_kmeans_data *data)
{
	free(data->shift);
	free(data->row_norms);
	memset(data, 0, sizeof *data);
}

int ml_kmeans_check_finite(const double *rows, size_t n_rows, size_t n_features,
			   size_t stride, size_t row_offset, ml_error *err)
{
	for (size_t r = 0; r < n_rows; r++)
		for (size_t j = 0; j < n_features; j++) {
			double value = rows[r * stride + j];
			if (!isfinite(value)) {
				ml_error_set(err, "row %zu, feature %zu: %s (k-means needs finite"
					     " values)", row_offset + r + 1, j + 1,
					     isnan(value) ? "missing value (NaN)" :
					     value > 0 ? "infinite value" : "-infinite value");
				return -1;
			}
		}
	return 0;
}

void ml_kmeans_load_block(const double *rows, size_t stride, size_t count, size_t n_features,
			  const double *shift, double *block, double *norms)
{
	for (size_t r = 0; r < count; r++) {
		const double *row = rows + r * stride;
		double *out = block + r * n_features;
		for (size_t j = 0; j < n_features; j++)
			out[j] = row[j] - shift[j];
	}
	if (norms)
		for (size_t r = 0; r < count; r++)
			norms[r] = squared_norm(block + r * n_features, n_features);
}

void ml_kmeans_block_cross(const double *block, size_t count, size_t n_features,
			   const double *centres, const double *centre_norms, size_t n_clusters,
			   double *distances)
{
	for (size_t r = 0; r < count; r++)
		memcpy(distances + r * n_clusters, centre_norms, n_clusters * sizeof *distances);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count, (int)n_clusters,
		    (int)n_features, -2.0, block, (int)n_features, centres, (int)n_features, 1.0,
		    distances, (int)n_clusters);
}

size_t ml_kmeans_argmin(const double *values, size_t n_clusters)
{
	/*
	 * The smallest value first, with four independent minima the compiler
	 * can keep in one vector register, then its first position: half the
	 * time of a loop that compares each value with the best so far.
	 */
	double low[4] = { INFINITY, INFINITY, INFINITY, INFINITY };
	size_t j = 0;
	for (; j + 4 <= n_clusters; j += 4)
		for (size_t lane = 0; lane < 4; lane++)
			low[lane] = values[j + lane] < low[lane] ? values[j + lane] : low[lane];
	for (; j < n_clusters; j++)
		low[0] = values[j] < low[0] ? values[j] : low[0];
	double smallest = low[0];
	for (size_t lane = 1; lane < 4; lane++)
		smallest = low[lane] < smallest ? low[lane] : smallest;
	for (j = 0; j < n_clusters; j++)
		if (values[j] == smallest)
			return j;
	return 0; /* all NaN (an overflow): any centre */
}

void ml_kmeans_centre_norms(const double *centres, size_t n_clusters, size_t n_features,
			    double *norms)
{
	for (size_t j = 0; j < n_clusters; j++)
		norms[j] = squared_norm(centres + j * n_features, n_features);
}

double ml_kmeans_distance2(const double *a, const double *b, size_t n_features)
{
	double sum = 0;
	for (size_t j = 0; j < n_features; j++) {
		double difference = a[j] - b[j];
		sum += difference * difference;
	}
	return sum;
}

void ml_kmeans_report(const ml_kmeans_options *options, const char *format, ...)
{
	if (!options->progress)
		return;
	char line[256];
	va_list args;
	va_start(args, format);
	vsnprintf(line, sizeof line, format, args);
	va_end(args);
	options->progress(options->progress_context, line);
}
