#include "math/ml_moments.h"

#include <cblas.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"

/* Blocks an add works on at once, per thread: a late thread holds up fewer rounds. */
#define BLOCKS_PER_THREAD 1
/* The rows and cross-products of the blocks worked on at once take at most this much memory. */
#define MAX_CHUNK_BYTES ((size_t)256 << 20)

struct ml_moments {
	size_t width;
	size_t block_rows;  /* ml_block_rows of the width: the summation order */
	size_t count;
	double *mean;
	double *scatter;    /* width x width, upper triangle */
	double *delta;
	double *shift;      /* the first row: every row is taken relative to it */
	double *shifted_mean; /* the mean of the shifted rows; mean = shift + this */
	size_t n_slots;     /* blocks worked on at once, each in its own slot: */
	double *slot_scatter; /* n_slots x width x width, a block's cross-products */
	double *slot_mean;  /* n_slots x 2 width: a block's mean, then scratch */
};

/* Slots that keep every thread busy, within MAX_CHUNK_BYTES with their rows. */
static size_t choose_slots(size_t width, size_t block_rows)
{
	size_t slots = BLOCKS_PER_THREAD * ml_parallel_threads(), per_slot, affordable = 1;
	if (ml_size_add(width, block_rows + 2, &per_slot) &&
	    ml_size_mul(width, per_slot, &per_slot) &&
	    ml_size_mul(per_slot, sizeof(double), &per_slot) && per_slot < MAX_CHUNK_BYTES)
		affordable = MAX_CHUNK_BYTES / per_slot;
	return slots < affordable ? slots : affordable;
}

ml_moments *ml_moments_create(size_t width, ml_error *err)
{
	size_t cells, slot_cells, slot_means;
	ml_moments *moments = calloc(1, sizeof *moments);
	size_t block_rows = ml_block_rows(width, ML_MOMENTS_MAX_BLOCK_ROWS);
	size_t n_slots = choose_slots(width, block_rows);
	if (!moments || !ml_size_mul(width, width, &cells) ||
	    !ml_size_mul(n_slots, cells, &slot_cells) ||
	    !ml_size_mul(n_slots, 2 * width, &slot_means)) {
		free(moments);
		ml_error_nomem(err);
		return NULL;
	}
	moments->width = width;
	moments->block_rows = block_rows;
	moments->n_slots = n_slots;
	if (!(moments->mean = ml_calloc_array(width, sizeof(double), err)) ||
	    !(moments->scatter = ml_calloc_array(cells, sizeof(double), err)) ||
	    !(moments->slot_scatter = ml_alloc_array(slot_cells, sizeof(double), err)) ||
	    !(moments->slot_mean = ml_alloc_array(slot_means, sizeof(double), err)) ||
	    !(moments->delta = ml_calloc_array(width, sizeof(double), err)) ||
	    !(moments->shift = ml_calloc_array(width, sizeof(double), err)) ||
	    !(moments->shifted_mean = ml_calloc_array(width, sizeof(double), err))) {
		ml_moments_free(moments);
		return NULL;
	}
	return moments;
}

void ml_moments_free(ml_moments *moments)
{
	if (!moments)
		return;
	free(moments->mean);
	free(moments->scatter);
	free(moments->slot_scatter);
	free(moments->slot_mean);
	free(moments->delta);
	free(moments->shift);
	free(moments->shifted_mean);
	free(moments);
}

size_t ml_moments_width(const ml_moments *moments)
{
	return moments->width;
}

size_t ml_moments_block_rows(const ml_moments *moments)
{
	return moments->block_rows;
}

size_t ml_moments_chunk_rows(const ml_moments *moments)
{
	return moments->n_slots * moments->block_rows;
}

size_t ml_moments_count(const ml_moments *moments)
{
	return moments->count;
}

const double *ml_moments_mean(const ml_moments *moments)
{
	return moments->mean;
}

const double *ml_moments_scatter(const ml_moments *moments)
{
	return moments->scatter;
}

/*
 * Takes the block relative to origin (the first row seen: values far from
 * zero keep their low digits that way), then centres it on its mean,
 * returned in mean[0..width); mean[width..) is scratch.  The mean is
 * taken twice: the second removes what rounding left of the first (three
 * sweeps over the rows: each subtracts and sums what the next needs).
 */
static void centre_block(double *rows, size_t n_rows, size_t width, const double *origin,
			 double *mean)
{
	double *residual = mean + width;
	memset(mean, 0, width * sizeof *mean);
	memset(residual, 0, width * sizeof *residual);
	for (size_t r = 0; r < n_rows; r++)
#pragma omp simd
		for (size_t j = 0; j < width; j++) {
			rows[r * width + j] -= origin[j];
			mean[j] += rows[r * width + j];
		}
	for (size_t j = 0; j < width; j++)
		mean[j] /= (double)n_rows;
	for (size_t r = 0; r < n_rows; r++)
#pragma omp simd
		for (size_t j = 0; j < width; j++) {
			rows[r * width + j] -= mean[j];
			residual[j] += rows[r * width + j];
		}
	for (size_t j = 0; j < width; j++)
		residual[j] /= (double)n_rows;
	for (size_t r = 0; r < n_rows; r++)
#pragma omp simd
		for (size_t j = 0; j < width; j++)
			rows[r * width + j] -= residual[j];
	for (size_t j = 0; j < width; j++)
		mean[j] += residual[j];
}

/* Centres the block's rows and takes their mean and cross-products into a slot. */
static void measure_block(ml_moments *moments, double *rows, size_t n_rows, size_t slot)
{
	size_t width = moments->width;
	double *mean = moments->slot_mean + slot * 2 * width;
	double *scatter = moments->slot_scatter + slot * width * width;
	centre_block(rows, n_rows, width, moments->shift, mean);
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)width, (int)n_rows, 1.0, rows,
		    (int)width, 0.0, scatter, (int)width);
}

/* Merges the block in a slot into the moments (Chan, Golub and LeVeque). */
static void merge_block(ml_moments *moments, size_t n_rows, size_t slot)
{
	size_t width = moments->width;
	const double *block_mean = moments->slot_mean + slot * 2 * width;
	const double *block_scatter = moments->slot_scatter + slot * width * width;
	for (size_t i = 0; i < width; i++)
		for (size_t j = i; j < width; j++)
			moments->scatter[i * width + j] += block_scatter[i * width + j];
	double total = (double)moments->count + (double)n_rows;
	for (size_t j = 0; j < width; j++)
		moments->delta[j] = block_mean[j] - moments->shifted_mean[j];
	if (moments->count > 0)
		cblas_dsyr(CblasRowMajor, CblasUpper, (int)width,
			   (double)moments->count * (double)n_rows / total, moments->delta, 1,
			   moments->scatter, (int)width);
	for (size_t j = 0; j < width; j++) {
		moments->shifted_mean[j] += moments->delta[j] * (double)n_rows / total;
		moments->mean[j] = moments->shift[j] + moments->shifted_mean[j];
	}
	moments->count += n_rows;
}

static size_t block_length(const ml_moments *moments, size_t block, size_t n_rows)
{
	size_t start = block * moments->block_rows;
	return n_rows - start < moments->block_rows ? n_rows - start : moments->block_rows;
}

static size_t count_blocks(const ml_moments *moments, size_t n_rows)
{
	return n_rows / moments->block_rows + (n_rows % moments->block_rows != 0);
}

void ml_moments_add(ml_moments *moments, double *rows, size_t n_rows)
{
	size_t width = moments->width, threads = ml_parallel_threads();
	size_t n_blocks = count_blocks(moments, n_rows);
	if (n_rows == 0)
		return;
	if (moments->count == 0)
		memcpy(moments->shift, rows, width * sizeof *rows);
	/* One BLAS thread even for one block: a threaded dsyrk may sum in another order. */
	int blas_threads = ml_blas_threads_set(1);
	for (size_t first = 0; first < n_blocks; first += moments->n_slots) {
		size_t round = n_blocks - first < moments->n_slots ? n_blocks - first
								      : moments->n_slots;
		size_t round_threads = threads < round ? threads : round;
#pragma omp parallel for num_threads(round_threads) schedule(dynamic, 1) if (round_threads > 1)
		for (size_t slot = 0; slot < round; slot++)
			measure_block(moments, rows + (first + slot) * moments->block_rows * width,
				      block_length(moments, first + slot, n_rows), slot);
		for (size_t slot = 0; slot < round; slot++)
			merge_block(moments, block_length(moments, first + slot, n_rows), slot);
	}
	ml_blas_threads_set(blas_threads);
}

/*
 * Reads up to max_rows rows into rows, one block at a time (the reader's
 * own buffer stays small); *ended when the reader gave no more.
 */
static int fill_chunk(const ml_moments *moments, ml_moments_read_fn read, void *context,
		      double *rows, size_t max_rows, size_t *filled, bool *ended, ml_error *err)
{
	*filled = 0;
	while (*filled < max_rows) {
		size_t want = max_rows - *filled, got;
		want = want < moments->block_rows ? want : moments->block_rows;
		if (read(context, rows + *filled * moments->width, want, &got, err) < 0)
			return -1;
		*filled += got;
		if (got == 0) {
			*ended = true;
			break;
		}
	}
	return 0;
}

/*
 * The pipeline: one thread reads the next chunk while the others measure
 * the blocks of the current one (OpenMP tasks); the thread that read then
 * helps, and the blocks merge in order once all are measured.
 */
static int add_chunks(ml_moments *moments, ml_moments_read_fn read, void *context,
		      double *buffers[2], ml_error *err)
{
	size_t width = moments->width, chunk = ml_moments_chunk_rows(moments);
	int status = 0;
#pragma omp parallel num_threads(ml_parallel_threads())
#pragma omp single
	{
		size_t filled = 0, next_filled = 0;
		bool ended = false;
		status = fill_chunk(moments, read, context, buffers[0], chunk, &filled, &ended, err);
		for (int current = 0; status == 0 && filled > 0; current ^= 1) {
			double *rows = buffers[current];
			size_t n_blocks = count_blocks(moments, filled);
			if (moments->count == 0)
				memcpy(moments->shift, rows, width * sizeof *rows);
			for (size_t block = 0; block < n_blocks; block++) {
#pragma omp task
				measure_block(moments, rows + block * moments->block_rows * width,
					      block_length(moments, block, filled), block);
			}
			next_filled = 0;
			if (!ended)
				status = fill_chunk(moments, read, context, buffers[current ^ 1], chunk,
						    &next_filled, &ended, err);
#pragma omp taskwait
			for (size_t block = 0; block < n_blocks; block++)
				merge_block(moments, block_length(moments, block, filled), block);
			filled = next_filled;
		}
	}
	return status;
}

int ml_moments_add_all(ml_moments *moments, ml_moments_read_fn read, void *context,
		       ml_error *err)
{
	size_t cells;
	double *buffers[2] = { NULL, NULL };
	if (!ml_size_mul(ml_moments_chunk_rows(moments), moments->width, &cells))
		return ml_error_nomem(err);
	if (!(buffers[0] = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(buffers[1] = ml_alloc_array(cells, sizeof(double), err))) {
		free(buffers[0]);
		return -1;
	}
	int blas_threads = ml_blas_threads_set(1);
	int status = add_chunks(moments, read, context, buffers, err);
	ml_blas_threads_set(blas_threads);
	free(buffers[0]);
	free(buffers[1]);
	return status;
}
