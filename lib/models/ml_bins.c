#include "models/ml_bins.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_random.h"
#include "core/ml_util.h"
#include "math/ml_parallel.h"

/* Features whose edges are found at once: bounds the scratch edge table. */
#define FEATURE_CHUNK 1024
/* The sample columns of a chunk of features: at most this many bytes. */
#define SAMPLE_BYTES ((size_t)64 << 20)
/* Rows per block when coding: a block of rows stays in cache for every feature. */
#define APPLY_BLOCK 2048

struct ml_bins {
	size_t n_features;
	size_t *offset; /* feature f's edges are edges[offset[f] .. offset[f + 1]) */
	double *edges;
	double *values; /* feature f's bin values: values[offset[f] + f ..], one per bin */
};

void ml_bins_options_init(ml_bins_options *options)
{
	options->max_bins = ML_BINS_MAX;
	options->sample_rows = 0;
	options->seed = 0;
}

int ml_bins_options_check(const ml_bins_options *options, ml_error *err)
{
	if (options->max_bins < 2 || options->max_bins > ML_BINS_MAX) {
		ml_error_set(err, "max_bins must be between 2 and %d, not %zu", ML_BINS_MAX,
			     options->max_bins);
		return -1;
	}
	if (options->sample_rows == 1) {
		ml_error_set(err, "the bin sample needs at least 2 rows (or 0: every row)");
		return -1;
	}
	return 0;
}

void ml_bins_free(ml_bins *bins)
{
	if (!bins)
		return;
	free(bins->offset);
	free(bins->edges);
	free(bins->values);
	free(bins);
}

size_t ml_bins_n_features(const ml_bins *bins)
{
	return bins->n_features;
}

size_t ml_bins_count(const ml_bins *bins, size_t feature)
{
	return bins->offset[feature + 1] - bins->offset[feature] + 1;
}

const double *ml_bins_edges(const ml_bins *bins, size_t feature)
{
	return bins->edges + bins->offset[feature];
}

/* The number of edges below x: its bin (x not NaN). */
static uint8_t value_code(const double *edges, size_t n_edges, double x)
{
	size_t low = 0, length = n_edges;
	while (length > 0) {
		size_t half = length / 2;
		if (edges[low + half] < x) {
			low += half + 1;
			length -= half + 1;
		} else {
			length = half;
		}
	}
	return (uint8_t)low;
}

const double *ml_bins_values(const ml_bins *bins, size_t feature)
{
	return bins->values + bins->offset[feature] + feature;
}

uint8_t ml_bins_code(const ml_bins *bins, size_t feature, double value)
{
	size_t n_edges = bins->offset[feature + 1] - bins->offset[feature];
	if (isnan(value))
		return (uint8_t)(n_edges + 1);
	return value_code(ml_bins_edges(bins, feature), n_edges, value);
}

/*
 * The edges padded with +inf to 2^k - 1 entries (k as small as fits): a
 * search of k steps without branches then counts the edges below x.  +inf
 * padding is never below a value, +inf included.
 */
static unsigned pad_edges(const double *edges, size_t n_edges, double *padded)
{
	unsigned steps = 0;
	while (((size_t)1 << steps) - 1 < n_edges)
		steps++;
	memcpy(padded, edges, n_edges * sizeof *edges);
	for (size_t i = n_edges; i < ((size_t)1 << steps) - 1; i++)
		padded[i] = INFINITY;
	return steps;
}

static uint8_t padded_code(const double *padded, unsigned steps, double x)
{
	size_t position = 0;
	for (unsigned step = steps; step-- > 0;) {
		size_t half = (size_t)1 << step;
		position += padded[position + half - 1] < x ? half : 0;
	}
	return (uint8_t)position;
}

void ml_bins_apply(const ml_bins *bins, const double *rows, size_t n_rows, size_t row_stride,
		   uint8_t *codes)
{
	size_t n_blocks = (n_rows + APPLY_BLOCK - 1) / APPLY_BLOCK;
	#pragma omp parallel for schedule(static) if (n_blocks > 1)
	for (size_t block = 0; block < n_blocks; block++) {
		double padded[ML_BINS_MAX];
		size_t begin = block * APPLY_BLOCK;
		size_t end = begin + APPLY_BLOCK < n_rows ? begin + APPLY_BLOCK : n_rows;
		for (size_t f = 0; f < bins->n_features; f++) {
			size_t n_edges = bins->offset[f + 1] - bins->offset[f];
			unsigned steps = pad_edges(ml_bins_edges(bins, f), n_edges, padded);
			uint8_t missing = (uint8_t)(n_edges + 1);
			uint8_t *out = codes + f * n_rows;
			for (size_t r = begin; r < end; r++) {
				double x = rows[r * row_stride + f];
				uint8_t code = padded_code(padded, steps, x);
				out[r] = isnan(x) ? missing : code;
			}
		}
	}
}

/* ---- fitting ---------------------------------------------------------- */

/* Bits of a double that sort as unsigned integers in the order of the doubles. */
static uint64_t sort_key(double value)
{
	uint64_t bits;
	value += 0.0; /* -0 becomes +0: equal doubles, equal keys */
	memcpy(&bits, &value, sizeof bits);
	return bits >> 63 ? ~bits : bits | (uint64_t)1 << 63;
}

static double key_value(uint64_t key)
{
	uint64_t bits = key >> 63 ? key & ~((uint64_t)1 << 63) : ~key;
	double value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

#define RADIX_BITS 11
#define RADIX_SIZE (1 << RADIX_BITS)
#define RADIX_PASSES ((64 + RADIX_BITS - 1) / RADIX_BITS)

/*
 * Sorts keys[0..n) by least-significant-digit radix sort; work holds n
 * more; the result is in *sorted (keys or work).  Passes whose digit is
 * the same for every key are skipped.  Many times faster than qsort.
 */
static uint64_t *radix_sort(uint64_t *keys, size_t n, uint64_t *work)
{
	uint32_t counts[RADIX_PASSES][RADIX_SIZE];
	memset(counts, 0, sizeof counts);
	for (size_t i = 0; i < n; i++)
		for (int pass = 0; pass < RADIX_PASSES; pass++)
			counts[pass][keys[i] >> (pass * RADIX_BITS) & (RADIX_SIZE - 1)]++;
	for (int pass = 0; pass < RADIX_PASSES; pass++) {
		int shift = pass * RADIX_BITS;
		if (n == 0 || counts[pass][keys[0] >> shift & (RADIX_SIZE - 1)] == n)
			continue;
		uint32_t position = 0;
		for (int digit = 0; digit < RADIX_SIZE; digit++) {
			uint32_t count = counts[pass][digit];
			counts[pass][digit] = position;
			position += count;
		}
		for (size_t i = 0; i < n; i++)
			work[counts[pass][keys[i] >> shift & (RADIX_SIZE - 1)]++] = keys[i];
		uint64_t *swap = keys;
		keys = work;
		work = swap;
	}
	return keys;
}

/*
 * A threshold between neighbours low < high that keeps low on the left and
 * high on the right: the midpoint, or low when the midpoint is not strictly
 * below high (an infinite neighbour, or neighbours one ulp apart).
 */
static double midpoint(double low, double high)
{
	double middle = 0.5 * low + 0.5 * high;
	if (!(middle >= low && middle < high))
		middle = low;
	return middle;
}

/*
 * The edges of one feature from the sort keys of its non-missing values,
 * increasing: midpoints between distinct values when there are at most
 * max_bins of them (bin_values then gets each bin's value), else numpy's
 * "midpoint" percentiles at 100 i / max_bins, equal edges merged (bin
 * values NaN).  An edge at +inf would leave an empty bin: dropped.  Keys
 * are equal exactly when their values are (sort_key folds -0 into +0).
 */
static size_t sorted_edges(const uint64_t *keys, size_t n_values, size_t max_bins,
			   double *edges, double *bin_values)
{
	size_t n_distinct = n_values ? 1 : 0;
	for (size_t i = 1; i < n_values && n_distinct <= max_bins; i++)
		n_distinct += keys[i] != keys[i - 1];
	size_t n_edges = 0;
	if (n_distinct <= max_bins) {
		bin_values[0] = n_values ? key_value(keys[0]) : NAN;
		for (size_t i = 1; i < n_values; i++)
			if (keys[i] != keys[i - 1]) {
				edges[n_edges++] = midpoint(key_value(keys[i - 1]),
							    key_value(keys[i]));
				bin_values[n_edges] = key_value(keys[i]);
			}
	} else {
		for (size_t i = 1; i < max_bins; i++) {
			size_t scaled = i * (n_values - 1);
			size_t low = scaled / max_bins, high = low + (scaled % max_bins != 0);
			double below = key_value(keys[low]), above = key_value(keys[high]);
			double edge = below == above ? below : midpoint(below, above);
			if (n_edges == 0 || edge > edges[n_edges - 1])
				edges[n_edges++] = edge;
		}
	}
	while (n_edges > 0 && edges[n_edges - 1] == INFINITY)
		n_edges--;
	if (n_distinct > max_bins)
		for (size_t b = 0; b <= n_edges; b++)
			bin_values[b] = NAN;
	return n_edges;
}

/* Knuth's selection sampling: sample_size of n_rows rows, in increasing order. */
static void sample_rows(size_t n_rows, size_t sample_size, uint64_t seed, size_t *sample)
{
	ml_random random;
	ml_random_init(&random, seed);
	size_t chosen = 0;
	for (size_t r = 0; r < n_rows && chosen < sample_size; r++) {
		double wanted = (double)(sample_size - chosen);
		if ((double)(n_rows - r) * ml_random_uniform(&random) < wanted)
			sample[chosen++] = r;
	}
}

/* One thread's buffers for a feature's sample: keys and radix work. */
typedef struct sample_buffers {
	uint64_t *keys;
	uint64_t *work;
} sample_buffers;

/*
 * Copies features [first, first + count) of the sample rows into columns
 * (count x n_sample): one pass over the rows instead of one per feature.
 */
static void transpose_sample(const double *rows, size_t row_stride, const size_t *sample,
			     size_t n_sample, size_t first, size_t count, double *columns)
{
	size_t n_blocks = (n_sample + APPLY_BLOCK - 1) / APPLY_BLOCK;
	#pragma omp parallel for schedule(static) if (n_blocks > 1)
	for (size_t block = 0; block < n_blocks; block++) {
		size_t end = (block + 1) * APPLY_BLOCK < n_sample ? (block + 1) * APPLY_BLOCK
			: n_sample;
		for (size_t s = block * APPLY_BLOCK; s < end; s++) {
			const double *row = rows + (sample ? sample[s] : s) * row_stride + first;
			for (size_t j = 0; j < count; j++)
				columns[j * n_sample + s] = row[j];
		}
	}
}

/* Finds the edges of features [first, first + count) from their sample columns. */
static void chunk_edges(const double *columns, size_t n_sample, size_t count, size_t max_bins,
			sample_buffers *buffers, size_t n_threads, double *table,
			double *value_table, size_t *n_edges)
{
	(void)n_threads; /* read by the pragma only: unused without OpenMP */
	#pragma omp parallel for schedule(dynamic) num_threads(n_threads) if (count > 1)
	for (size_t i = 0; i < count; i++) {
		sample_buffers *own = &buffers[ml_parallel_thread_index()];
		const double *column = columns + i * n_sample;
		size_t n_values = 0;
		for (size_t s = 0; s < n_sample; s++)
			if (!isnan(column[s]))
				own->keys[n_values++] = sort_key(column[s]);
		const uint64_t *sorted = radix_sort(own->keys, n_values, own->work);
		n_edges[i] = sorted_edges(sorted, n_values, max_bins,
					  table + i * (max_bins - 1), value_table + i * max_bins);
	}
}

static void free_buffers(sample_buffers *buffers, size_t n_threads)
{
	for (size_t t = 0; buffers && t < n_threads; t++) {
		free(buffers[t].keys);
		free(buffers[t].work);
	}
	free(buffers);
}

ml_bins *ml_bins_fit(const double *rows, size_t n_rows, size_t n_features, size_t row_stride,
		     const ml_bins_options *options, ml_error *err)
{
	if (ml_bins_options_check(options, err) < 0)
		return NULL;
	if (row_stride < n_features) {
		ml_error_set(err, "rows of %zu values cannot hold %zu features", row_stride,
			     n_features);
		return NULL;
	}
	size_t n_sample = options->sample_rows && n_rows > options->sample_rows
		? options->sample_rows : n_rows;
	size_t n_threads = ml_parallel_threads();
	/* A chunk of features' sample columns stays within SAMPLE_BYTES. */
	size_t chunk = SAMPLE_BYTES / sizeof(double) / (n_sample ? n_sample : 1);
	chunk = chunk < 1 ? 1 : chunk > FEATURE_CHUNK ? FEATURE_CHUNK : chunk;
	chunk = n_features < chunk ? n_features : chunk;
	size_t table_size = 0;
	size_t max_edges = options->max_bins - 1;
	ml_bins *bins = calloc(1, sizeof *bins);
	size_t *sample = NULL, *n_edges = NULL;
	double *table = NULL, *value_table = NULL, *columns = NULL;
	sample_buffers *buffers = NULL;
	if (!bins || !ml_size_mul(chunk, max_edges, &table_size)) {
		if (bins)
			ml_error_set(err, "too many features to bin: %zu", n_features);
		else
			ml_error_nomem(err);
		free(bins);
		return NULL;
	}
	bins->n_features = n_features;
	bins->offset = ml_calloc_array(n_features + 1, sizeof *bins->offset, err);
	n_edges = ml_alloc_array(chunk ? chunk : 1, sizeof *n_edges, err);
	table = ml_alloc_array(table_size ? table_size : 1, sizeof *table, err);
	value_table = ml_alloc_array(chunk ? chunk : 1, options->max_bins * sizeof *value_table,
				     err);
	buffers = ml_calloc_array(n_threads, sizeof *buffers, err);
	columns = ml_alloc_array(chunk ? chunk : 1, (n_sample ? n_sample : 1) * sizeof *columns,
				 err);
	if (n_sample < n_rows)
		sample = ml_alloc_array(n_sample, sizeof *sample, err);
	if (!bins->offset || !n_edges || !table || !value_table || !buffers || !columns ||
	    (n_sample < n_rows && !sample))
		goto fail;
	for (size_t t = 0; t < n_threads; t++) {
		size_t size = n_sample ? n_sample : 1;
		buffers[t].keys = ml_alloc_array(size, sizeof *buffers[t].keys, err);
		buffers[t].work = ml_alloc_array(size, sizeof *buffers[t].work, err);
		if (!buffers[t].keys || !buffers[t].work)
			goto fail;
	}
	if (sample)
		sample_rows(n_rows, n_sample, options->seed, sample);
	size_t total = 0;
	for (size_t first = 0; first < n_features; first += chunk) {
		size_t count = n_features - first < chunk ? n_features - first : chunk;
		transpose_sample(rows, row_stride, sample, n_sample, first, count, columns);
		chunk_edges(columns, n_sample, count, options->max_bins, buffers, n_threads, table,
			    value_table, n_edges);
		size_t grown = total;
		for (size_t i = 0; i < count; i++)
			grown += n_edges[i];
		double *edges = ml_realloc_array(bins->edges, grown ? grown : 1, sizeof *edges,
						 err);
		if (!edges)
			goto fail;
		bins->edges = edges;
		double *values = ml_realloc_array(bins->values, grown + first + count,
						  sizeof *values, err);
		if (!values)
			goto fail;
		bins->values = values;
		for (size_t i = 0; i < count; i++) {
			memcpy(edges + total, table + i * max_edges, n_edges[i] * sizeof *edges);
			memcpy(values + total + first + i, value_table + i * options->max_bins,
			       (n_edges[i] + 1) * sizeof *values);
			total += n_edges[i];
			bins->offset[first + i + 1] = total;
		}
	}
	if ((!bins->edges && !(bins->edges = malloc(sizeof *bins->edges))) ||
	    (!bins->values && !(bins->values = malloc(sizeof *bins->values)))) {
		ml_error_nomem(err);
		goto fail;
	}
	free_buffers(buffers, n_threads);
	free(columns);
	free(sample);
	free(n_edges);
	free(table);
	free(value_table);
	return bins;
fail:
	free_buffers(buffers, n_threads);
	free(columns);
	free(sample);
	free(n_edges);
	free(table);
	free(value_table);
	ml_bins_free(bins);
	return NULL;
}
