#include "math/ml_moments.h"

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"

struct ml_moments {
	size_t width;
	size_t count;
	double *mean;
	double *scatter;    /* width x width, upper triangle */
	double *block_mean; /* and, after it, width values of scratch */
	double *delta;
	double *shift;      /* the first row: every row is taken relative to it */
	double *shifted_mean; /* the mean of the shifted rows; mean = shift + this */
};

ml_moments *ml_moments_create(size_t width, ml_error *err)
{
	size_t cells;
	ml_moments *moments = calloc(1, sizeof *moments);
	if (!moments || !ml_size_mul(width, width, &cells)) {
		free(moments);
		ml_error_nomem(err);
		return NULL;
	}
	moments->width = width;
	if (!(moments->mean = ml_calloc_array(width, sizeof(double), err)) ||
	    !(moments->scatter = ml_calloc_array(cells, sizeof(double), err)) ||
	    !(moments->block_mean = ml_calloc_array(2 * width, sizeof(double), err)) ||
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
	free(moments->block_mean);
	free(moments->delta);
	free(moments->shift);
	free(moments->shifted_mean);
	free(moments);
}

size_t ml_moments_width(const ml_moments *moments)
{
	return moments->width;
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
 * returned in mean[0..width); mean[width..) is scratch.  Two passes: the
 * second removes what rounding left of the first.
 */
static void centre_block(double *rows, size_t n_rows, size_t width, const double *origin,
			 double *mean)
{
	for (int pass = 0; pass < 2; pass++) {
		double *shift = mean + (pass ? width : 0);
		memset(shift, 0, width * sizeof *shift);
		for (size_t r = 0; r < n_rows; r++)
			for (size_t j = 0; j < width; j++) {
				if (pass == 0)
					rows[r * width + j] -= origin[j];
				shift[j] += rows[r * width + j];
			}
		for (size_t j = 0; j < width; j++)
			shift[j] /= (double)n_rows;
		for (size_t r = 0; r < n_rows; r++)
			for (size_t j = 0; j < width; j++)
				rows[r * width + j] -= shift[j];
		if (pass)
			for (size_t j = 0; j < width; j++)
				mean[j] += shift[j];
	}
}

void ml_moments_add(ml_moments *moments, double *rows, size_t n_rows)
{
	size_t width = moments->width;
	if (n_rows == 0)
		return;
	double *block_mean = moments->block_mean;
	if (moments->count == 0)
		memcpy(moments->shift, rows, width * sizeof *rows);
	centre_block(rows, n_rows, width, moments->shift, block_mean);
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)width, (int)n_rows, 1.0, rows,
		    (int)width, 1.0, moments->scatter, (int)width);
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
