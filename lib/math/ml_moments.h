/*
 * ml_moments: the count, column means and centred cross-product matrix of
 * rows that arrive block by block: what least squares needs.
 *
 * Rows are first taken relative to the first row (so values far from zero
 * keep their low digits in the means), each block is centred on its own
 * mean, its cross-products come from one dsyrk, and blocks merge with the
 * exact update of Chan, Golub and LeVeque (1979), so data far from the
 * origin (large offsets) lose no precision.
 */
#ifndef ML_MOMENTS_H
#define ML_MOMENTS_H

#include <stddef.h>

#include "core/ml_error.h"

typedef struct ml_moments ml_moments;

/* Moments of rows of width values. */
ml_moments *ml_moments_create(size_t width, ml_error *err);
void ml_moments_free(ml_moments *moments);
/* Adds n_rows rows (row-major); overwrites them (they are centred in place). */
void ml_moments_add(ml_moments *moments, double *rows, size_t n_rows);
size_t ml_moments_width(const ml_moments *moments);
size_t ml_moments_count(const ml_moments *moments);
const double *ml_moments_mean(const ml_moments *moments);
/* Centred cross-products, width x width, row-major, upper triangle valid. */
const double *ml_moments_scatter(const ml_moments *moments);

#endif
