/*
 * ml_quantile: numpy's median and percentile (linear interpolation, its
 * default) of values in memory, by quickselect: linear time on average and
 * n log n at worst, where sorting would always cost n log n.  Both reorder
 * the values they are given; neither accepts NaN.
 */
#ifndef ML_QUANTILE_H
#define ML_QUANTILE_H

#include <stddef.h>

/* The middle of values[0..count), or the mean of the middle two; count > 0. */
double ml_median(double *values, size_t count);
/* numpy.percentile(values, 100 * fraction); fraction in [0, 1], count > 0. */
double ml_percentile(double *values, size_t count, double fraction);

#endif
