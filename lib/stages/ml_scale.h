/*
 * ml_scale: the scale stage, per-column scaling and filling of missing
 * values, fitted on a whole dataset and then applied row by row.
 *
 * A touched column maps x to (x - center) / scale + offset, where a missing
 * x is first replaced by the column's fill value when the stage imputes.
 * Fitting follows scikit-learn, so that results agree with it: the fill is
 * SimpleImputer's (mean, median, most frequent with the smallest value on
 * ties, or a constant), and the scaler is then fitted on the filled data
 * the way StandardScaler (population deviation), MinMaxScaler,
 * MaxAbsScaler or RobustScaler (median, 25-75 quantile range with numpy's
 * linear interpolation) is, ignoring values still missing; missing values
 * stay missing unless filled.  A scale that is zero, or so small that it
 * is rounding noise (scikit-learn's test), becomes 1, so a constant column
 * comes out centred instead of NaN.  The target and the columns not
 * chosen pass through unchanged.
 */
#ifndef ML_SCALE_H
#define ML_SCALE_H

#include <stdbool.h>
#include <stddef.h>

#include "stages/ml_dataset.h"
#include "stages/ml_stage.h"

typedef enum ml_scale_method {
	ML_SCALE_STANDARD, /* (x - mean) / standard deviation */
	ML_SCALE_MINMAX,   /* [min, max] onto [range_low, range_high] */
	ML_SCALE_MAXABS,   /* x / max |x| */
	ML_SCALE_ROBUST,   /* (x - median) / (75th - 25th percentile) */
	ML_SCALE_NONE      /* no scaling: imputation only */
} ml_scale_method;

typedef enum ml_impute {
	ML_IMPUTE_NONE,
	ML_IMPUTE_MEAN,
	ML_IMPUTE_MEDIAN,
	ML_IMPUTE_MOST_FREQUENT,
	ML_IMPUTE_CONSTANT /* fill_value */
} ml_impute;

typedef struct ml_scale_options {
	ml_scale_method method;
	double range_low, range_high; /* minmax's target range: [0, 1] */
	ml_impute impute;
	double fill_value;            /* for ML_IMPUTE_CONSTANT */
	const char *columns;          /* columns to touch (ml_columns_select list); NULL: all */
	const char *exclude;          /* columns to leave alone, or NULL */
} ml_scale_options;

void ml_scale_options_init(ml_scale_options *options);
/* Says why the options cannot work together (a range with low >= high, ...). */
int ml_scale_options_check(const ml_scale_options *options, ml_error *err);

/* "standard", "minmax", "maxabs", "robust", "none": false for other names. */
bool ml_scale_method_from_name(const char *name, ml_scale_method *method);
const char *ml_scale_method_name(ml_scale_method method);
/* "mean", "median", "most-frequent": false for other names (and numbers). */
bool ml_impute_from_name(const char *name, ml_impute *impute);
const char *ml_impute_name(ml_impute impute);

/* What a fit did, for a command's summary line. */
typedef struct ml_scale_summary {
	size_t n_touched;  /* columns scaled or filled */
	size_t n_constant; /* of those, columns whose scale was zero and became 1 */
	size_t n_missing;  /* missing cells in the touched columns of the fit data */
} ml_scale_summary;

/*
 * Fits a scale stage on dataset, whose columns become the stage's inputs
 * (and outputs).  Fails on an infinite value in a touched column, on a
 * column left with no values to impute from and on statistics that
 * overflow.  summary may be NULL.  Apply the stage with ml_dataset_apply.
 */
ml_stage *ml_scale_fit(const ml_dataset *dataset, const ml_scale_options *options,
		       ml_scale_summary *summary, ml_error *err);

#endif
