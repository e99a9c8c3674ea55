/*
 * ml_quantile: order statistics of an array of doubles (no NaN), as numpy
 * and scikit-learn compute them: the k-th smallest, the median, a
 * percentile with linear interpolation, and the most frequent value.
 * Each reorders the array it is given (quickselect, expected linear time,
 * n log n at worst).
 */
#ifndef ML_QUANTILE_H
#define ML_QUANTILE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Moves the k-th smallest of v[0..n) to v[k], with nothing larger before it
 * and nothing smaller after; returns it.
 */
double ml_quantile_select(double *v, size_t n, size_t k);
/* numpy's median: the middle value, or the mean of the middle two. */
double ml_quantile_median(double *v, size_t n);
/* numpy's percentile with linear interpolation (its _lerp), fraction in [0, 1]. */
double ml_quantile_percentile(double *v, size_t n, double fraction);
/*
 * SimpleImputer's most_frequent of v[0..n) (n > 0): the commonest value,
 * the smallest on ties.  keys and spare hold n values each (scratch for a
 * radix sort: linear time, where qsort of a million rows takes a good part
 * of a second).
 */
double ml_quantile_mode(const double *v, size_t n, uint64_t *keys, uint64_t *spare);

#endif
