#include "stages/ml_scale.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "math/ml_colstats.h"
#include "math/ml_quantile.h"
#include "stages/ml_stage_impl.h"

/* Indexed by ml_scale_method and ml_impute: the names the stage text uses. */
static const char *const method_names[] = { "standard", "minmax", "maxabs", "robust", "none",
					    NULL };
static const char *const impute_names[] = { "none", "mean", "median", "most-frequent",
					    "constant", NULL };

/*
 * scikit-learn's _handle_zeros_in_scale: a scale below this is rounding
 * noise around zero, and dividing by it would blow noise up into values.
 */
#define TINY_SCALE (10 * DBL_EPSILON)

/*
 * Per input column, what apply computes: (x - center) / scale + offset,
 * a missing x replaced by fill first.  A column left alone has center 0,
 * scale 1, offset -0.0 and fill NaN, which give back every number bit for
 * bit (adding -0.0, unlike +0.0, keeps the sign of a zero) and NaN as NaN;
 * so apply runs one loop over whole rows, with no test of which columns
 * it touches.
 */
typedef struct scale_params {
	ml_scale_method method;
	double range_low, range_high; /* minmax only */
	ml_impute impute;
	size_t n_columns;
	bool *touched;
	double *center, *scale, *offset, *fill;
} scale_params;

static void free_params(void *opaque)
{
	scale_params *params = opaque;
	if (!params)
		return;
	free(params->touched);
	free(params->center); /* the four arrays share one block */
	free(params);
}

/* Params for n_columns inputs, none touched. */
static scale_params *new_params(size_t n_columns, ml_error *err)
{
	scale_params *params = calloc(1, sizeof *params);
	size_t cells;
	if (!params || !ml_size_mul(n_columns ? n_columns : 1, 4, &cells)) {
		free(params);
		ml_error_nomem(err);
		return NULL;
	}
	params->n_columns = n_columns;
	params->touched = ml_calloc_array(n_columns, sizeof *params->touched, err);
	params->center = ml_alloc_array(cells, sizeof(double), err);
	if (!params->touched || !params->center) {
		free_params(params);
		return NULL;
	}
	params->scale = params->center + n_columns;
	params->offset = params->scale + n_columns;
	params->fill = params->offset + n_columns;
	for (size_t c = 0; c < n_columns; c++) {
		params->center[c] = 0.0;
		params->scale[c] = 1.0;
		params->offset[c] = -0.0;
		params->fill[c] = NAN;
	}
	return params;
}

static scale_params *params_of(const ml_stage *stage)
{
	return stage->params;
}

static int derive_outputs(ml_stage *stage, ml_error *err)
{
	return ml_columns_copy(&stage->outputs, &stage->inputs, err);
}

/*
 * The hot path: one pass over whole rows, the same arithmetic for every
 * cell; the only branch, on a missing value, is rare and well predicted.
 */
static void apply_rows(const ml_stage *stage, const double *in, size_t n_rows, double *out)
{
	const scale_params *params = params_of(stage);
	const double *center = params->center, *scale = params->scale;
	const double *offset = params->offset, *fill = params->fill;
	size_t width = stage->inputs.count;
	for (size_t r = 0; r < n_rows; r++, in += width, out += width)
		for (size_t c = 0; c < width; c++) {
			double x = isnan(in[c]) ? fill[c] : in[c];
			out[c] = (x - center[c]) / scale[c] + offset[c];
		}
}

static void write_params(const ml_stage *stage, ml_buf *out)
{
	const scale_params *params = params_of(stage);
	ml_text_write_word(out, "method", method_names[params->method]);
	if (params->method == ML_SCALE_MINMAX) {
		ml_text_key(out, "range");
		ml_text_double(out, params->range_low);
		ml_text_double(out, params->range_high);
		ml_text_newline(out);
	}
	ml_text_write_word(out, "impute", impute_names[params->impute]);
	size_t n_touched = 0;
	for (size_t c = 0; c < params->n_columns; c++)
		n_touched += params->touched[c];
	ml_text_write_size(out, "columns", n_touched);
	for (size_t c = 0; c < params->n_columns; c++) {
		if (!params->touched[c])
			continue;
		ml_text_key(out, "column");
		ml_text_string(out, stage->inputs.names[c]);
		ml_text_double(out, params->center[c]);
		ml_text_double(out, params->scale[c]);
		if (params->impute != ML_IMPUTE_NONE)
			ml_text_double(out, params->fill[c]);
		ml_text_newline(out);
	}
}

/* A finite number, what it is named in the message. */
static int get_finite(ml_text_reader *reader, const ml_text_line *line, size_t index,
		      const char *what, double *value, ml_error *err)
{
	if (ml_text_get_double(reader, line, index, value, err) < 0)
		return -1;
	if (!isfinite(*value))
		return ml_text_fail(reader, line, err, "%s must be a finite number, not '%s'",
				    what, line->tokens[index]);
	return 0;
}

static int parse_range(ml_text_reader *reader, scale_params *params, ml_error *err)
{
	ml_text_line line;
	if (ml_text_read_key(reader, "range", 2, &line, err) < 0 ||
	    get_finite(reader, &line, 1, "the range", &params->range_low, err) < 0 ||
	    get_finite(reader, &line, 2, "the range", &params->range_high, err) < 0)
		return -1;
	if (!(params->range_low < params->range_high))
		return ml_text_fail(reader, &line, err, "the range must go upwards");
	return 0;
}

/* "column NAME CENTER SCALE [FILL]"; line keeps the line read, for messages. */
static int parse_column(ml_text_reader *reader, ml_stage *stage, ml_text_line *line,
			ml_error *err)
{
	scale_params *params = params_of(stage);
	bool fills = params->impute != ML_IMPUTE_NONE;
	double center, scale, fill = NAN;
	if (ml_text_read_key(reader, "column", fills ? 4 : 3, line, err) < 0)
		return -1;
	const char *name = line->tokens[1];
	size_t c = ml_columns_find(&stage->inputs, name);
	if (c == ML_NO_COLUMN)
		return ml_text_fail(reader, line, err, "'%s' is not an input column", name);
	if (c == stage->inputs.target)
		return ml_text_fail(reader, line, err, "'%s' is the target, never scaled", name);
	if (params->touched[c])
		return ml_text_fail(reader, line, err, "column '%s' is described twice", name);
	if (get_finite(reader, line, 2, "a center", &center, err) < 0 ||
	    get_finite(reader, line, 3, "a scale", &scale, err) < 0 ||
	    (fills && get_finite(reader, line, 4, "a fill value", &fill, err) < 0))
		return -1;
	if (!(scale > 0))
		return ml_text_fail(reader, line, err, "column '%s': the scale must be positive",
				    name);
	if ((params->method == ML_SCALE_NONE && (center != 0 || scale != 1)) ||
	    (params->method == ML_SCALE_MAXABS && center != 0))
		return ml_text_fail(reader, line, err, "column '%s': method %s does not %s", name,
				    method_names[params->method],
				    params->method == ML_SCALE_NONE ? "scale" : "centre");
	params->touched[c] = true;
	params->center[c] = center;
	params->scale[c] = scale;
	params->offset[c] = params->method == ML_SCALE_MINMAX ? params->range_low : -0.0;
	params->fill[c] = fill;
	return 0;
}

static int parse_params(ml_stage *stage, ml_text_reader *reader, ml_error *err)
{
	scale_params *params = new_params(stage->inputs.count, err);
	ml_text_line line = { 0 };
	size_t choice, n_touched;
	if (!params)
		return -1;
	stage->params = params;
	if (ml_text_read_choice(reader, "method", method_names, &choice, err) < 0)
		return -1;
	params->method = (ml_scale_method)choice;
	if (params->method == ML_SCALE_MINMAX && parse_range(reader, params, err) < 0)
		return -1;
	if (ml_text_read_choice(reader, "impute", impute_names, &choice, err) < 0)
		return -1;
	params->impute = (ml_impute)choice;
	if (ml_text_read_key(reader, "columns", 1, &line, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, stage->inputs.count, &n_touched, err) < 0)
		return -1;
	size_t columns_line = line.number;
	for (size_t i = 0; i < n_touched; i++) {
		line.n_tokens = 0;
		if (parse_column(reader, stage, &line, err) < 0) {
			if (ml_text_is(&line, "end"))
				ml_text_fail(reader, &line, err, "'columns' on line %zu says %zu,"
					     " found %zu", columns_line, n_touched, i);
			return -1;
		}
	}
	if (ml_text_next_required(reader, &line, "end", err) < 0)
		return -1;
	if (ml_text_is(&line, "column"))
		return ml_text_fail(reader, &line, err, "'columns' on line %zu says %zu, found more",
				    columns_line, n_touched);
	return ml_text_expect_end(reader, &line, "a scale stage", err);
}

const ml_stage_kind ml_scale_stage_kind = {
	.name = "scale",
	.derive_outputs = derive_outputs,
	.apply = apply_rows,
	.write = write_params,
	.parse = parse_params,
	.free_params = free_params,
};

void ml_scale_options_init(ml_scale_options *options)
{
	memset(options, 0, sizeof *options);
	options->method = ML_SCALE_STANDARD;
	options->range_low = 0.0;
	options->range_high = 1.0;
	options->impute = ML_IMPUTE_NONE;
}

int ml_scale_options_check(const ml_scale_options *options, ml_error *err)
{
	if ((unsigned)options->method > ML_SCALE_NONE ||
	    (unsigned)options->impute > ML_IMPUTE_CONSTANT) {
		ml_error_set(err, "unknown scaling method or imputation");
		return -1;
	}
	if (!isfinite(options->range_low) || !isfinite(options->range_high) ||
	    !(options->range_low < options->range_high)) {
		ml_error_set(err, "the range must be two finite numbers, the first smaller");
		return -1;
	}
	if (options->impute == ML_IMPUTE_CONSTANT && !isfinite(options->fill_value)) {
		ml_error_set(err, "the fill value must be a finite number");
		return -1;
	}
	return 0;
}

static bool find_name(const char *const *names, const char *name, size_t *index)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0) {
			*index = i;
			return true;
		}
	return false;
}

bool ml_scale_method_from_name(const char *name, ml_scale_method *method)
{
	size_t index;
	if (!find_name(method_names, name, &index))
		return false;
	*method = (ml_scale_method)index;
	return true;
}

const char *ml_scale_method_name(ml_scale_method method)
{
	return method_names[method];
}

bool ml_impute_from_name(const char *name, ml_impute *impute)
{
	size_t index;
	/* "none" and "constant" are how the stage text says it, not choices. */
	if (!find_name(impute_names, name, &index) || index == ML_IMPUTE_NONE ||
	    index == ML_IMPUTE_CONSTANT)
		return false;
	*impute = (ml_impute)index;
	return true;
}

const char *ml_impute_name(ml_impute impute)
{
	return impute_names[impute];
}

/*
 * Fitting.  Statistics that need every value of a column (medians,
 * quantiles, modes) gather it into one buffer; the others accumulate all
 * columns at once, one pass over the rows each, which reads the row-major
 * values in order.  Missing cells read as the column's fill, which is NaN
 * until the imputation is fitted, and are skipped while still NaN.
 */
typedef struct fit_state {
	ml_colstats_input data; /* the values, read through the fills */
	const ml_columns *columns;
	size_t n_rows, width;
	scale_params *params;
	double *buffer;      /* n_rows values of one column */
	uint64_t *keys;      /* 2 x n_rows for most_frequent, else NULL */
	double *results;     /* 3 x width: the statistics asked for */
	size_t *counts;      /* width */
	ml_scale_summary *summary;
} fit_state;

static int fit_fill(fit_state *s, const ml_scale_options *options, ml_error *err)
{
	scale_params *params = s->params;
	double *sum = s->results;
	if (options->impute == ML_IMPUTE_MEAN && ml_colstats_sums(&s->data, s->counts, sum, err) < 0)
		return -1;
	for (size_t c = 0; c < s->width; c++) {
		if (!params->touched[c] || options->impute == ML_IMPUTE_NONE)
			continue;
		if (options->impute == ML_IMPUTE_CONSTANT) {
			params->fill[c] = options->fill_value;
			continue;
		}
		size_t count = options->impute == ML_IMPUTE_MEAN
				       ? s->counts[c] : ml_colstats_gather(&s->data, c, s->buffer);
		if (count == 0) {
			ml_error_set(err, "column '%s' has no values to take a %s from; leave it"
				     " out with -x or give a fill value", s->columns->names[c],
				     impute_names[options->impute]);
			return -1;
		}
		if (options->impute == ML_IMPUTE_MEAN)
			params->fill[c] = sum[c] / (double)count;
		else if (options->impute == ML_IMPUTE_MEDIAN)
			params->fill[c] = ml_quantile_median(s->buffer, count);
		else
			params->fill[c] = ml_quantile_mode(s->buffer, count, s->keys,
							s->keys + s->n_rows);
	}
	return 0;
}

/* A scale that is zero or rounding noise becomes 1 (and is counted). */
static double usable_scale(fit_state *s, double scale, bool is_noise)
{
	if (!is_noise)
		return scale;
	s->summary->n_constant++;
	return 1.0;
}

static int fit_standard(fit_state *s, ml_error *err)
{
	double *mean = s->results, *variances = s->results + s->width;
	if (ml_colstats_moments(&s->data, s->counts, mean, variances, err) < 0)
		return -1;
	for (size_t c = 0; c < s->width; c++) {
		if (!s->params->touched[c] || s->counts[c] == 0)
			continue;
		double n = (double)s->counts[c], variance = variances[c];
		/* scikit-learn's _is_constant_feature: the variance is within error of 0 */
		double bound = n * DBL_EPSILON * variance + pow(n * mean[c] * DBL_EPSILON, 2);
		/* an overflowed variance is not constant: it stays inf for check_fitted */
		bool constant = variance <= bound && isfinite(variance);
		s->params->center[c] = mean[c];
		s->params->scale[c] = usable_scale(s, sqrt(variance), constant);
	}
	return 0;
}

static void fit_extremes(fit_state *s, ml_scale_method method, double low_to, double high_to)
{
	double *low = s->results, *high = s->results + s->width;
	ml_colstats_extremes(&s->data, low, high);
	for (size_t c = 0; c < s->width; c++) {
		if (!s->params->touched[c] || low[c] > high[c])
			continue;
		if (method == ML_SCALE_MAXABS) {
			double largest = fmax(-low[c], high[c]);
			s->params->scale[c] = usable_scale(s, largest, largest < TINY_SCALE);
			continue;
		}
		double range = high[c] - low[c];
		/* The data's range over the wanted range's width; fit_scale sets the offset. */
		s->params->center[c] = low[c];
		s->params->scale[c] =
			usable_scale(s, range, range < TINY_SCALE) / (high_to - low_to);
	}
}

static void fit_robust(fit_state *s)
{
	for (size_t c = 0; c < s->width; c++) {
		size_t count;
		if (!s->params->touched[c] || (count = ml_colstats_gather(&s->data, c, s->buffer)) == 0)
			continue;
		double spread = ml_quantile_percentile(s->buffer, count, 0.75) -
				ml_quantile_percentile(s->buffer, count, 0.25);
		s->params->center[c] = ml_quantile_median(s->buffer, count);
		s->params->scale[c] = usable_scale(s, spread, spread < TINY_SCALE);
	}
}

static int fit_scale(fit_state *s, const ml_scale_options *options, ml_error *err)
{
	switch (options->method) {
	case ML_SCALE_STANDARD:
		if (fit_standard(s, err) < 0)
			return -1;
		break;
	case ML_SCALE_MINMAX:
	case ML_SCALE_MAXABS:
		fit_extremes(s, options->method, options->range_low, options->range_high);
		break;
	case ML_SCALE_ROBUST: fit_robust(s); break;
	case ML_SCALE_NONE: break;
	}
	/* minmax adds the range's low end to every touched column, as the parser does */
	for (size_t c = 0; c < s->width; c++)
		if (s->params->touched[c] && options->method == ML_SCALE_MINMAX)
			s->params->offset[c] = options->range_low;
	return 0;
}

/* Marks the columns to touch: -c (or all), less -x, never the target. */
static int choose_columns(fit_state *s, const ml_scale_options *options, ml_error *err)
{
	bool *touched = s->params->touched;
	bool *excluded = ml_calloc_array(s->width, sizeof *excluded, err);
	int status = -1;
	if (!excluded)
		return -1;
	for (size_t c = 0; c < s->width && !options->columns; c++)
		touched[c] = true;
	if ((options->columns &&
	     ml_columns_select(s->columns, options->columns, touched, err) < 0) ||
	    (options->exclude &&
	     ml_columns_select(s->columns, options->exclude, excluded, err) < 0))
		goto done;
	for (size_t c = 0; c < s->width; c++) {
		touched[c] = touched[c] && !excluded[c] && c != s->columns->target;
		s->summary->n_touched += touched[c];
	}
	if (s->summary->n_touched == 0) {
		if (s->columns->target != ML_NO_COLUMN)
			ml_error_set(err, "no columns to scale (the target '%s' never is)",
				     s->columns->names[s->columns->target]);
		else
			ml_error_set(err, "no columns to scale");
		goto done;
	}
	status = 0;
done:
	free(excluded);
	return status;
}

/* Infinite values cannot be scaled (scikit-learn refuses them too); counts missing ones. */
static int check_values(fit_state *s, ml_error *err)
{
	bool *infinite = ml_calloc_array(s->width, sizeof *infinite, err);
	if (!infinite)
		return -1;
	memset(s->counts, 0, s->width * sizeof *s->counts);
	for (size_t r = 0; r < s->n_rows; r++) {
		const double *row = s->data.values + r * s->width;
		for (size_t c = 0; c < s->width; c++) {
			infinite[c] |= fabs(row[c]) == INFINITY;
			s->counts[c] += isnan(row[c]);
		}
	}
	int status = 0;
	for (size_t c = 0; c < s->width && status == 0; c++) {
		if (!s->params->touched[c])
			continue;
		s->summary->n_missing += s->counts[c];
		if (infinite[c]) {
			ml_error_set(err, "column '%s' holds an infinite value; scaling needs"
				     " finite numbers", s->columns->names[c]);
			status = -1;
		}
	}
	free(infinite);
	return status;
}

/* Finite data can still overflow a sum, a square or a range. */
static int check_fitted(const fit_state *s, ml_error *err)
{
	const scale_params *params = s->params;
	for (size_t c = 0; c < s->width; c++) {
		if (!params->touched[c])
			continue;
		if (!isfinite(params->center[c]) || !isfinite(params->scale[c]) ||
		    !(params->scale[c] > 0) ||
		    (params->impute != ML_IMPUTE_NONE && !isfinite(params->fill[c]))) {
			ml_error_set(err, "column '%s': its values are too large to scale (the"
				     " statistics overflow)", s->columns->names[c]);
			return -1;
		}
	}
	return 0;
}

static void free_state(fit_state *s)
{
	free(s->buffer);
	free(s->keys);
	free(s->results);
	free(s->counts);
	free_params(s->params);
}

ml_stage *ml_scale_fit(const ml_dataset *dataset, const ml_scale_options *options,
		       ml_scale_summary *summary, ml_error *err)
{
	ml_scale_summary ignored;
	fit_state s = { .n_rows = dataset->n_rows, .width = dataset->columns.count,
			.columns = &dataset->columns, .summary = summary ? summary : &ignored };
	size_t cells;
	memset(s.summary, 0, sizeof *s.summary);
	if (ml_scale_options_check(options, err) < 0)
		return NULL;
	if (s.n_rows == 0) {
		/* Statistics of nothing would be a made-up stage (scikit-learn refuses too). */
		ml_error_set(err, "no rows to fit a scale stage on");
		return NULL;
	}
	if (!(s.params = new_params(s.width, err)))
		return NULL;
	s.params->method = options->method;
	s.params->impute = options->impute;
	if (options->method == ML_SCALE_MINMAX) {
		s.params->range_low = options->range_low;
		s.params->range_high = options->range_high;
	}
	s.data = (ml_colstats_input){ dataset->values, s.n_rows, s.width, s.params->fill };
	if (!ml_size_mul(s.width, 3, &cells) ||
	    !(s.results = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(s.counts = ml_alloc_array(s.width, sizeof *s.counts, err)) ||
	    !(s.buffer = ml_alloc_array(s.n_rows, sizeof *s.buffer, err)) ||
	    (options->impute == ML_IMPUTE_MOST_FREQUENT &&
	     !(s.keys = ml_alloc_array(s.n_rows, 2 * sizeof *s.keys, err)))) {
		free_state(&s);
		return NULL;
	}
	if (choose_columns(&s, options, err) < 0 || check_values(&s, err) < 0 ||
	    fit_fill(&s, options, err) < 0 || fit_scale(&s, options, err) < 0 ||
	    check_fitted(&s, err) < 0) {
		free_state(&s);
		return NULL;
	}
	scale_params *params = s.params;
	s.params = NULL; /* the stage owns them now, or freed them */
	free_state(&s);
	return ml_stage_finish(ml_stage_new(&ml_scale_stage_kind, &dataset->columns, params, err),
			       err);
}
