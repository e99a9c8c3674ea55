#include "stages/ml_poly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stages/ml_stage_impl.h"

/*
 * Term indices are stored as uint32_t to halve the tables the hot loop
 * walks; every column count is bounded by ML_MAX_COLUMNS.
 */
_Static_assert(ML_MAX_COLUMNS <= UINT32_MAX, "column indices must fit in uint32_t");

typedef struct poly_params {
	/* What the stage text records. */
	size_t degree;
	bool interaction_only;
	bool bias;
	size_t n_expanded;
	size_t *expanded; /* input indices of the expanded columns, increasing */

	/*
	 * The layout derive_outputs works out.  Output columns are: the
	 * constant (with bias), n_terms monomials, n_passed copied inputs.
	 * Term k is input term_factor[k] times output term_parent[k] (its
	 * lower-degree term, already computed), or input term_factor[k]
	 * alone for the n_expanded terms of degree 1.
	 */
	size_t n_terms;
	uint32_t *term_factor;
	uint32_t *term_parent;
	size_t n_passed;
	uint32_t *passed; /* input indices */
} poly_params;

static poly_params *params_of(const ml_stage *stage)
{
	return stage->params;
}

/* The layout's tables, which derive_outputs rebuilds from the rest. */
static void free_layout(poly_params *params)
{
	free(params->term_factor);
	free(params->term_parent);
	free(params->passed);
	params->term_factor = params->term_parent = params->passed = NULL;
	params->n_terms = params->n_passed = 0;
}

static void free_params(void *opaque)
{
	poly_params *params = opaque;
	if (!params)
		return;
	free_layout(params);
	free(params->expanded);
	free(params);
}

static size_t greatest_common_divisor(size_t a, size_t b)
{
	while (b) {
		size_t rest = a % b;
		a = b;
		b = rest;
	}
	return a;
}

/* C(n, k) exactly; false when it does not fit in a size_t. */
static bool binomial(size_t n, size_t k, size_t *result)
{
	*result = 0;
	if (k > n)
		return true;
	if (k > n - k)
		k = n - k;
	size_t value = 1; /* C(n - k + i, i) after step i */
	for (size_t i = 1; i <= k; i++) {
		/*
		 * value * (n - k + i) / i is a whole number.  Dividing value and
		 * i by their gcd first leaves a divisor of (n - k + i), so no
		 * intermediate product exceeds the result.
		 */
		size_t gcd = greatest_common_divisor(value, i);
		size_t factor = (n - k + i) / (i / gcd);
		if (!ml_size_mul(value / gcd, factor, &value))
			return false;
	}
	*result = value;
	return true;
}

bool ml_poly_count_terms(size_t n_expanded, size_t degree, bool interaction_only,
			 size_t *count)
{
	*count = 0;
	if (!interaction_only) {
		/* Monomials of degree 0..d in n variables: C(n + d, d). */
		size_t n_plus_degree, with_constant;
		if (!ml_size_add(n_expanded, degree, &n_plus_degree) ||
		    !binomial(n_plus_degree, degree, &with_constant))
			return false;
		*count = with_constant - 1;
		return true;
	}
	for (size_t k = 1; k <= degree && k <= n_expanded; k++) {
		size_t of_degree;
		if (!binomial(n_expanded, k, &of_degree) || !ml_size_add(*count, of_degree, count))
			return false;
	}
	return true;
}

/* Output columns of the layout params gives n_inputs columns; SIZE_MAX on overflow. */
static size_t layout_width(const poly_params *params, size_t n_inputs)
{
	size_t n_terms, width;
	if (!ml_poly_count_terms(params->n_expanded, params->degree, params->interaction_only,
				 &n_terms) ||
	    !ml_size_add(n_terms, n_inputs - params->n_expanded, &width) ||
	    !ml_size_add(width, params->bias ? 1 : 0, &width))
		return SIZE_MAX;
	return width;
}

void ml_poly_options_init(ml_poly_options *options)
{
	memset(options, 0, sizeof *options);
	options->degree = ML_POLY_DEFAULT_DEGREE;
	options->max_columns = ML_POLY_DEFAULT_MAX_COLUMNS;
}

int ml_poly_options_check(const ml_poly_options *options, ml_error *err)
{
	if (options->degree < 1 || options->degree > ML_POLY_MAX_DEGREE) {
		ml_error_set(err, "the degree must be from 1 to %d, not %zu", ML_POLY_MAX_DEGREE,
			     options->degree);
		return -1;
	}
	if (options->max_columns < 1 || options->max_columns > ML_MAX_COLUMNS) {
		ml_error_set(err, "the column limit must be from 1 to %zu, not %zu", ML_MAX_COLUMNS,
			     options->max_columns);
		return -1;
	}
	return 0;
}

/* Fills params->expanded from options->columns (the target left out). */
static int choose_expanded(poly_params *params, const ml_columns *inputs, const char *list,
			   ml_error *err)
{
	bool *chosen = ml_calloc_array(inputs->count ? inputs->count : 1, sizeof *chosen, err);
	if (!chosen)
		return -1;
	if (list && ml_columns_select(inputs, list, chosen, err) < 0) {
		free(chosen);
		return -1;
	}
	if (!(params->expanded = ml_alloc_array(inputs->count ? inputs->count : 1,
						sizeof *params->expanded, err))) {
		free(chosen);
		return -1;
	}
	for (size_t i = 0; i < inputs->count; i++)
		if ((!list || chosen[i]) && i != inputs->target)
			params->expanded[params->n_expanded++] = i;
	free(chosen);
	if (params->n_expanded > 0)
		return 0;
	if (list && inputs->target != ML_NO_COLUMN)
		ml_error_set(err, "'%s' leaves no column to expand (the target '%s' is never"
			     " expanded)", list, inputs->names[inputs->target]);
	else
		ml_error_set(err, "%s", list ? "no column to expand"
						: "no feature column to expand");
	return -1;
}

static poly_params *params_from_options(const ml_columns *inputs,
					const ml_poly_options *options, ml_error *err)
{
	poly_params *params = calloc(1, sizeof *params);
	if (!params) {
		ml_error_nomem(err);
		return NULL;
	}
	params->degree = options->degree;
	params->interaction_only = options->interaction_only;
	params->bias = options->bias;
	if (choose_expanded(params, inputs, options->columns, err) < 0) {
		free_params(params);
		return NULL;
	}
	return params;
}

int ml_poly_width(const ml_columns *inputs, const ml_poly_options *options, size_t *width,
		  ml_error *err)
{
	if (ml_poly_options_check(options, err) < 0)
		return -1;
	poly_params *params = params_from_options(inputs, options, err);
	if (!params)
		return -1;
	*width = layout_width(params, inputs->count);
	free_params(params);
	return 0;
}

/*
 * The too-wide message, shared by the fit (limit: its max_columns) and the
 * stage-file parser (limit: ML_MAX_COLUMNS).  It says how wide, and whether
 * raising the limit can help.
 */
static void describe_too_wide(const poly_params *params, size_t width, size_t limit,
			      ml_error *err)
{
	char count[48];
	if (width == SIZE_MAX)
		snprintf(count, sizeof count, "more than %zu", (size_t)SIZE_MAX);
	else
		snprintf(count, sizeof count, "%zu", width);
	char advice[64] = "";
	if (limit < ML_MAX_COLUMNS && width <= ML_MAX_COLUMNS)
		snprintf(advice, sizeof advice, "; --max-columns raises the limit");
	else if (limit < ML_MAX_COLUMNS)
		snprintf(advice, sizeof advice, "; no limit allows more than %zu", ML_MAX_COLUMNS);
	ml_error_set(err, "a degree %zu%s expansion of %zu column%s would make %s columns"
		     " (limit %zu%s)", params->degree,
		     params->interaction_only ? " interaction-only" : "", params->n_expanded,
		     params->n_expanded == 1 ? "" : "s", count, limit, advice);
}

ml_stage *ml_poly_stage_create(const ml_columns *inputs, const ml_poly_options *options,
			       ml_error *err)
{
	if (ml_poly_options_check(options, err) < 0)
		return NULL;
	poly_params *params = params_from_options(inputs, options, err);
	if (!params)
		return NULL;
	size_t width = layout_width(params, inputs->count);
	if (width > options->max_columns) {
		describe_too_wide(params, width, options->max_columns, err);
		free_params(params);
		return NULL;
	}
	return ml_stage_finish(ml_stage_new(&ml_poly_stage_kind, inputs, params, err), err);
}

bool ml_stage_is_poly(const ml_stage *stage)
{
	return stage->kind == &ml_poly_stage_kind;
}

/*
 * Enumerates the terms in scikit-learn's order.  The terms of degree d
 * that start with column i are column i times each term of degree d - 1
 * whose first column is i or later (later only, with interaction_only);
 * within a degree, terms are sorted by their first column, so those form a
 * contiguous tail of the previous degree's block.  A term's first column is
 * its factor.  Makes exactly the ml_poly_count_terms() terms.
 */
static void enumerate_terms(poly_params *params, size_t first_output)
{
	size_t n_terms = 0;
	for (size_t i = 0; i < params->n_expanded; i++) {
		params->term_factor[n_terms] = (uint32_t)params->expanded[i];
		params->term_parent[n_terms++] = UINT32_MAX;
	}
	size_t block_begin = 0, block_end = n_terms;
	for (size_t d = 2; d <= params->degree; d++) {
		size_t tail = block_begin;
		for (size_t i = 0; i < params->n_expanded; i++) {
			uint32_t column = (uint32_t)params->expanded[i];
			/* expanded is increasing, so input indices order terms like positions. */
			while (tail < block_end &&
			       (params->term_factor[tail] < column ||
				(params->interaction_only && params->term_factor[tail] == column)))
				tail++;
			for (size_t parent = tail; parent < block_end; parent++) {
				params->term_factor[n_terms] = column;
				params->term_parent[n_terms++] = (uint32_t)(first_output + parent);
			}
		}
		block_begin = block_end;
		block_end = n_terms;
	}
}

/* The input columns of term k, first factor first (non-decreasing). */
static size_t term_columns(const poly_params *params, size_t first_output, size_t k,
			   size_t columns[ML_POLY_MAX_DEGREE])
{
	size_t count = 0;
	for (;;) {
		columns[count++] = params->term_factor[k];
		if (params->term_parent[k] == UINT32_MAX)
			return count;
		k = params->term_parent[k] - first_output;
	}
}

/* "a", "a^2", "a^2*b": each column once, with its power when above 1. */
static char *term_name(const poly_params *params, const ml_columns *inputs,
		       size_t first_output, size_t k, ml_error *err)
{
	size_t columns[ML_POLY_MAX_DEGREE];
	size_t count = term_columns(params, first_output, k, columns);
	ml_buf name;
	ml_buf_init(&name);
	for (size_t i = 0; i < count;) {
		size_t power = 1;
		while (i + power < count && columns[i + power] == columns[i])
			power++;
		if (i > 0)
			ml_buf_putc(&name, '*');
		ml_buf_puts(&name, inputs->names[columns[i]]);
		if (power > 1)
			ml_buf_printf(&name, "^%zu", power);
		i += power;
	}
	if (name.failed) {
		ml_buf_free(&name);
		ml_error_nomem(err);
		return NULL;
	}
	if (name.length > ML_MAX_NAME_LENGTH) {
		ml_error_set(err, "the name of term '%.60s...' would be longer than %zu bytes",
			     name.data, ML_MAX_NAME_LENGTH);
		ml_buf_free(&name);
		return NULL;
	}
	return name.data;
}

static int allocate_layout(poly_params *params, size_t n_inputs, ml_error *err)
{
	if (!ml_poly_count_terms(params->n_expanded, params->degree, params->interaction_only,
				 &params->n_terms))
		return ml_error_nomem(err);
	params->n_passed = n_inputs - params->n_expanded;
	size_t n_terms = params->n_terms ? params->n_terms : 1;
	if (!(params->term_factor = ml_alloc_array(n_terms, sizeof(uint32_t), err)) ||
	    !(params->term_parent = ml_alloc_array(n_terms, sizeof(uint32_t), err)) ||
	    !(params->passed = ml_alloc_array(params->n_passed ? params->n_passed : 1,
					      sizeof(uint32_t), err)))
		return -1;
	return 0;
}

/* Inputs not expanded, in input order; marks where the target lands. */
static void list_passed(poly_params *params, const ml_stage *stage, ml_columns *outputs)
{
	size_t next_expanded = 0, n_passed = 0;
	size_t first_passed = (params->bias ? 1 : 0) + params->n_terms;
	for (size_t i = 0; i < stage->inputs.count; i++) {
		if (next_expanded < params->n_expanded && params->expanded[next_expanded] == i) {
			next_expanded++;
			continue;
		}
		if (i == stage->inputs.target)
			outputs->target = first_passed + n_passed;
		params->passed[n_passed++] = (uint32_t)i;
	}
}

static int name_outputs(const ml_stage *stage, ml_columns *outputs, ml_error *err)
{
	const poly_params *params = params_of(stage);
	size_t out = 0;
	if (params->bias && !(outputs->names[out++] = ml_strdup("1", err)))
		return -1;
	size_t first_output = out;
	for (size_t k = 0; k < params->n_terms; k++)
		if (!(outputs->names[out++] = term_name(params, &stage->inputs, first_output, k,
							err)))
			return -1;
	for (size_t j = 0; j < params->n_passed; j++) {
		const char *name = stage->inputs.names[params->passed[j]];
		if (!(outputs->names[out++] = ml_strdup(name, err)))
			return -1;
	}
	size_t duplicate = ml_columns_find_duplicate(outputs);
	if (duplicate != ML_NO_COLUMN) {
		ml_error_set(err, "the expansion makes column '%s' twice (an input column has"
			     " the name of a term: rename it)", outputs->names[duplicate]);
		return -1;
	}
	return 0;
}

static int derive_outputs(ml_stage *stage, ml_error *err)
{
	poly_params *params = params_of(stage);
	free_layout(params);
	size_t width = layout_width(params, stage->inputs.count);
	if (width > ML_MAX_COLUMNS) {
		describe_too_wide(params, width, ML_MAX_COLUMNS, err);
		return -1;
	}
	if (allocate_layout(params, stage->inputs.count, err) < 0 ||
	    ml_columns_init(&stage->outputs, width, err) < 0)
		return -1;
	size_t first_output = params->bias ? 1 : 0;
	enumerate_terms(params, first_output);
	list_passed(params, stage, &stage->outputs);
	return name_outputs(stage, &stage->outputs, err);
}

/*
 * The hot path.  Term by term in output order, each from a term already
 * written into the same output row: parent * factor, as scikit-learn's
 * np.multiply(XP[:, parents], X[:, [factor]]) does, so the products are
 * rounded at the same steps and come out bit-identical.
 */
static void apply(const ml_stage *stage, const double *in, size_t n_rows, double *out)
{
	const poly_params *params = params_of(stage);
	const uint32_t *factor = params->term_factor, *parent = params->term_parent;
	const uint32_t *passed = params->passed;
	size_t n_inputs = stage->inputs.count, width = stage->outputs.count;
	size_t first = params->bias ? 1 : 0, n_linear = params->n_expanded;
	size_t n_terms = params->n_terms, n_passed = params->n_passed;
	for (size_t r = 0; r < n_rows; r++) {
		const double *x = in + r * n_inputs;
		double *row = out + r * width;
		double *terms = row + first;
		if (params->bias)
			row[0] = 1.0;
		for (size_t k = 0; k < n_linear; k++)
			terms[k] = x[factor[k]];
		for (size_t k = n_linear; k < n_terms; k++)
			terms[k] = row[parent[k]] * x[factor[k]];
		for (size_t j = 0; j < n_passed; j++)
			terms[n_terms + j] = x[passed[j]];
	}
}

static void write_params(const ml_stage *stage, ml_buf *out)
{
	const poly_params *params = params_of(stage);
	ml_text_write_size(out, "degree", params->degree);
	ml_text_write_bool(out, "interaction-only", params->interaction_only);
	ml_text_write_bool(out, "bias", params->bias);
	ml_text_key(out, "expand");
	ml_text_size(out, params->n_expanded);
	for (size_t i = 0; i < params->n_expanded; i++)
		ml_text_string(out, stage->inputs.names[params->expanded[i]]);
	ml_text_newline(out);
}

/* "expand COUNT NAME...": input columns, not the target, in input order. */
static int parse_expand(const ml_stage *stage, ml_text_reader *reader, poly_params *params,
			ml_error *err)
{
	ml_text_line line;
	size_t count;
	char *const *names;
	if (ml_text_read_list(reader, "expand", stage->inputs.count, &line, &count, &names,
			      err) < 0)
		return -1;
	if (count == 0)
		return ml_text_fail(reader, &line, err, "'expand' needs at least 1 column");
	if (!(params->expanded = ml_alloc_array(count, sizeof *params->expanded, err)))
		return -1;
	for (size_t i = 0; i < count; i++) {
		size_t index = ml_columns_find(&stage->inputs, names[i]);
		if (index == ML_NO_COLUMN)
			return ml_text_fail(reader, &line, err, "'%s' is not an input column",
					    names[i]);
		if (index == stage->inputs.target)
			return ml_text_fail(reader, &line, err,
					    "the target '%s' cannot be expanded", names[i]);
		if (i > 0 && index <= params->expanded[i - 1])
			return ml_text_fail(reader, &line, err, "expanded columns must be distinct"
					    " and in input order ('%s')", names[i]);
		params->expanded[params->n_expanded++] = index;
	}
	size_t width = layout_width(params, stage->inputs.count);
	if (width > ML_MAX_COLUMNS) {
		ml_error too_wide;
		describe_too_wide(params, width, ML_MAX_COLUMNS, &too_wide);
		return ml_text_fail(reader, &line, err, "%s", too_wide.message);
	}
	return 0;
}

static int parse_params(ml_stage *stage, ml_text_reader *reader, ml_error *err)
{
	poly_params *params = calloc(1, sizeof *params);
	if (!params)
		return ml_error_nomem(err);
	stage->params = params;
	ml_text_line line;
	if (ml_text_read_key(reader, "degree", 1, &line, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, ML_POLY_MAX_DEGREE, &params->degree, err) < 0)
		return -1;
	if (params->degree == 0)
		return ml_text_fail(reader, &line, err, "'degree': must be from 1 to %d",
				    ML_POLY_MAX_DEGREE);
	if (ml_text_read_bool(reader, "interaction-only", &params->interaction_only, err) < 0 ||
	    ml_text_read_bool(reader, "bias", &params->bias, err) < 0 ||
	    parse_expand(stage, reader, params, err) < 0)
		return -1;
	return ml_text_read_end(reader, "a poly stage", err);
}

const ml_stage_kind ml_poly_stage_kind = {
	.name = "poly",
	.derive_outputs = derive_outputs,
	.apply = apply,
	.write = write_params,
	.parse = parse_params,
	.free_params = free_params,
};
