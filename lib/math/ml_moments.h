/*
 * ml_moments: the count, column means and centred cross-product matrix of
 * rows that arrive block by block: what least squares needs.
 *
 * Rows are first taken relative to the first row (so values far from zero
 * keep their low digits in the means), each block is centred on its own
 * mean, its cross-products come from one dsyrk, and blocks merge with the
 * exact update of Chan, Golub and LeVeque (1979), so data far from the
 * origin (large offsets) lose no precision.
 *
 * The moments do not depend on the thread count: the blocks' length
 * depends on the width only (ml_moments_block_rows), they run in parallel
 * (OpenMP, BLAS on one thread inside), and merge in row order.  A block
 * holds at most ML_BLOCK_BYTES (core/ml_util), so wide rows make short
 * blocks; the cross-products still take width x width values.
 */
#ifndef ML_MOMENTS_H
#define ML_MOMENTS_H

#include <stddef.h>

#include "core/ml_error.h"

/* Rows per block at most, for narrow rows. */
#define ML_MOMENTS_MAX_BLOCK_ROWS 4096

typedef struct ml_moments ml_moments;

/* Moments of rows of width values. */
ml_moments *ml_moments_create(size_t width, ml_error *err);
void ml_moments_free(ml_moments *moments);
/*
 * Adds n_rows rows (row-major); overwrites them (they are centred in
 * place).  The moments of the same rows are the same bytes however they
 * are split into calls, as long as every call but the last passes a
 * multiple of ml_moments_block_rows rows.
 */
void ml_moments_add(ml_moments *moments, double *rows, size_t n_rows);
/* Rows per block: each call to add cuts its rows into blocks from its first row. */
size_t ml_moments_block_rows(const ml_moments *moments);
/* Rows an add works on in parallel: calls of this many keep every thread busy. */
size_t ml_moments_chunk_rows(const ml_moments *moments);

/* Reads up to max_rows rows (row-major) into rows; *n_read 0 at the end. */
typedef int (*ml_moments_read_fn)(void *context, double *rows, size_t max_rows, size_t *n_read,
				  ml_error *err);
/*
 * Adds every row read through read, until it gives none: one thread reads
 * the next chunk of rows while the others work on the last one.  The same
 * rows give the same bytes as adding them in chunks of
 * ml_moments_chunk_rows, however read splits them.  -1 when read fails.
 */
int ml_moments_add_all(ml_moments *moments, ml_moments_read_fn read, void *context,
		       ml_error *err);
size_t ml_moments_width(const ml_moments *moments);
size_t ml_moments_count(const ml_moments *moments);
const double *ml_moments_mean(const ml_moments *moments);
/* Centred cross-products, width x width, row-major, upper triangle valid. */
const double *ml_moments_scatter(const ml_moments *moments);

#endif
