/*
 * ml_bins: features cut into at most 255 bins each, as the histogram tree
 * learner (models/ml_grow.h) sees them.
 *
 * Fitting sorts every row's value (xgboost's hist cuts the whole column
 * too), or a seeded random sample of sample_rows rows when asked.  Edges
 * from a sample of 200000 rows (scikit-learn's) move by about a fifth of
 * a bin with the seed, and on data whose interactions greedy trees find
 * by luck that moved gbdt's test accuracy by up to a point from seed to
 * seed; a radix sort of the whole column costs a fraction of one round.
 * A feature with at most max_bins distinct values gets one bin per value,
 * the edges at the midpoints between neighbours; any other feature gets
 * edges at max_bins quantiles of its values (equal edges merged).  Edges are real
 * thresholds, strictly increasing: a value x goes to bin b when
 * edge[b-1] < x <= edge[b], so a split "bin <= b" is the split
 * "x <= edge[b]" on the raw values.  Infinite values land in the end bins.
 * A missing value (NaN) gets a bin of its own after the value bins: code
 * n_bins(feature).
 *
 * Codes are stored column by column (feature-major): feature f's codes for
 * n_rows rows are codes[f * n_rows .. f * n_rows + n_rows).
 */
#ifndef ML_BINS_H
#define ML_BINS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"

/* Value bins per feature: the codes and the missing code fit in a byte. */
#define ML_BINS_MAX 255

typedef struct ml_bins_options {
	size_t max_bins;    /* value bins per feature, 2..ML_BINS_MAX (255) */
	size_t sample_rows; /* rows the edges are found from; 0: every row (0) */
	uint64_t seed;      /* which rows, when there are more */
} ml_bins_options;

void ml_bins_options_init(ml_bins_options *options);
int ml_bins_options_check(const ml_bins_options *options, ml_error *err);

typedef struct ml_bins ml_bins;

/*
 * Finds the edges of n_features features from n_rows rows of row_stride
 * doubles (feature j at column j).  Parallel over features.
 */
ml_bins *ml_bins_fit(const double *rows, size_t n_rows, size_t n_features, size_t row_stride,
		     const ml_bins_options *options, ml_error *err);
void ml_bins_free(ml_bins *bins);

size_t ml_bins_n_features(const ml_bins *bins);
/* Value bins of feature (1..max_bins); also the feature's missing code. */
size_t ml_bins_count(const ml_bins *bins, size_t feature);
/* The feature's ml_bins_count - 1 edges, strictly increasing. */
const double *ml_bins_edges(const ml_bins *bins, size_t feature);
/*
 * The feature's ml_bins_count bin values: when it had at most max_bins
 * distinct values in the sample, each bin's value (a threshold can then
 * fall midway between two values, as scikit-learn's trees put it); NaN
 * for a feature binned by quantiles.
 */
const double *ml_bins_values(const ml_bins *bins, size_t feature);
/* The code of one value of feature. */
uint8_t ml_bins_code(const ml_bins *bins, size_t feature, double value);

/*
 * Codes n_rows rows (as ml_bins_fit reads them) into codes, feature-major
 * (n_features x n_rows bytes).  Parallel over blocks of rows.
 */
void ml_bins_apply(const ml_bins *bins, const double *rows, size_t n_rows, size_t row_stride,
		   uint8_t *codes);

#endif
