#include "serve/ml_request.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"
#include "serve/ml_request_impl.h"
#include "stages/ml_stage.h"

/*
 * Rows encoded, transformed and predicted at a time: a request of any size
 * needs scratch memory for this many rows only, however wide the chain
 * makes them.
 */
#define BLOCK_ROWS 256

void ml_request_options_init(ml_request_options *options)
{
	memset(options, 0, sizeof *options);
	options->format = ML_BODY_JSON;
	options->max_rows = ML_REQUEST_MAX_ROWS;
	options->max_depth = ML_REQUEST_MAX_DEPTH;
}

static size_t hash_name(const char *name, size_t length)
{
	return (size_t)ml_hash_bytes(ML_HASH_INIT, name, length);
}

size_t ml_request_find_input(const ml_request_schema *schema, const char *name, size_t length)
{
	size_t mask = schema->n_slots - 1;
	for (size_t slot = hash_name(name, length) & mask;; slot = (slot + 1) & mask) {
		size_t entry = schema->slots[slot];
		if (entry == 0)
			return ML_NO_COLUMN;
		if (schema->name_lengths[entry - 1] == length &&
		    memcmp(schema->all_inputs->names[entry - 1], name, length) == 0)
			return entry - 1;
	}
}

/* Index of the input called name, or ML_NO_COLUMN. */
static size_t find_input(const ml_request_schema *schema, const char *name)
{
	return ml_request_find_input(schema, name, strlen(name));
}

/* A name that a JSON string holds byte for byte, unescaped. */
static bool is_plain_name(const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c == '"' || *c == '\\' || *c < 0x20)
			return false;
	return true;
}

static int index_names(ml_request_schema *schema, ml_error *err)
{
	size_t count = schema->all_inputs->count, n_slots = 16;
	while (n_slots < 2 * count)
		n_slots *= 2;
	if (!(schema->slots = ml_calloc_array(n_slots, sizeof *schema->slots, err)) ||
	    !(schema->name_lengths = ml_alloc_array(count + 1, sizeof(size_t), err)) ||
	    !(schema->plain_names = ml_calloc_array(count + 1, sizeof(bool), err)))
		return -1;
	schema->n_slots = n_slots;
	for (size_t i = 0; i < count; i++) {
		const char *name = schema->all_inputs->names[i];
		schema->name_lengths[i] = strlen(name);
		schema->plain_names[i] = is_plain_name(name);
		size_t slot = hash_name(name, schema->name_lengths[i]) & (n_slots - 1);
		while (schema->slots[slot])
			slot = (slot + 1) & (n_slots - 1);
		schema->slots[slot] = i + 1;
	}
	return 0;
}

static int list_features(ml_request_schema *schema, ml_error *err)
{
	const ml_columns *all = schema->all_inputs;
	size_t n_features = ml_columns_n_features(all);
	if (ml_columns_init(&schema->inputs, n_features, err) < 0 ||
	    !(schema->feature_input = ml_alloc_array(n_features + 1, sizeof(size_t), err)))
		return -1;
	for (size_t i = 0, f = 0; i < all->count; i++) {
		if (i == all->target)
			continue;
		schema->feature_input[f] = i;
		if (!(schema->inputs.names[f++] = ml_strdup(all->names[i], err)))
			return -1;
	}
	return 0;
}

/* Each plain name as the scanner meets it before a value, "name":, compared at once. */
static int quote_member_keys(ml_request_schema *schema, ml_error *err)
{
	const ml_columns *all = schema->all_inputs;
	ml_buf_init(&schema->member_keys);
	if (!(schema->member_key_at = ml_alloc_array(all->count + 1, sizeof(size_t), err)))
		return -1;
	for (size_t i = 0; i < all->count; i++) {
		schema->member_key_at[i] = schema->member_keys.length;
		if (schema->plain_names[i]) {
			ml_buf_putc(&schema->member_keys, '"');
			ml_buf_puts(&schema->member_keys, all->names[i]);
			ml_buf_puts(&schema->member_keys, "\":");
		}
	}
	schema->member_key_at[all->count] = schema->member_keys.length;
	if (schema->member_keys.failed) {
		ml_error_nomem(err);
		return -1;
	}
	return 0;
}

/*
 * Where a number given for each input lands in an encoded row, when it is
 * copied there as is: with such a cell for every input but the target, a
 * row of numbers is written straight into the block (the scanner's direct
 * rows), with the same doubles ml_load_apply_values would write.
 */
static int place_numbers(ml_request_schema *schema, ml_error *err)
{
	const ml_columns *all = schema->all_inputs;
	if (!(schema->number_cell = ml_alloc_array(all->count + 1, sizeof(size_t), err)) ||
	    !(schema->missing_row = ml_alloc_array(schema->start_width + 1, sizeof(double), err)))
		return -1;
	schema->numbers_direct = true;
	for (size_t i = 0; i < all->count; i++) {
		schema->number_cell[i] = schema->load ? ml_load_number_cell(schema->load, i) : i;
		if (schema->number_cell[i] == ML_NO_COLUMN && i != all->target)
			schema->numbers_direct = false;
	}
	for (size_t i = 0; i < schema->start_width; i++)
		schema->missing_row[i] = NAN;
	return quote_member_keys(schema, err);
}

/* Class names written once as JSON strings: an answer copies them. */
static int quote_classes(ml_request_schema *schema, ml_error *err)
{
	ml_buf_init(&schema->class_json);
	if (!(schema->class_json_at = ml_alloc_array(schema->n_classes + 1, sizeof(size_t), err)))
		return -1;
	for (size_t k = 0; k < schema->n_classes; k++) {
		schema->class_json_at[k] = schema->class_json.length;
		ml_json_put_string(&schema->class_json, ml_model_class_name(schema->model, k));
	}
	schema->class_json_at[schema->n_classes] = schema->class_json.length;
	if (schema->class_json.failed) {
		ml_error_nomem(err);
		return -1;
	}
	return 0;
}

ml_request_schema *ml_request_schema_create(const ml_model *model, ml_error *err)
{
	ml_request_schema *schema = calloc(1, sizeof *schema);
	if (!schema) {
		ml_error_nomem(err);
		return NULL;
	}
	schema->model = model;
	schema->chain = ml_model_chain(model);
	schema->width = ml_model_columns(model)->count;
	schema->classifier = ml_model_task(model) == ML_TASK_CLASSIFICATION;
	schema->n_classes = schema->classifier ? ml_model_n_classes(model) : 0;
	schema->inputs.target = ML_NO_COLUMN;
	ml_csv_options_init(&schema->csv);
	size_t n_stages = ml_chain_length(schema->chain);
	if (n_stages > 0 && ml_stage_is_load(ml_chain_stage(schema->chain, 0))) {
		schema->load = ml_chain_stage(schema->chain, 0);
		schema->first_stage = 1;
		schema->all_inputs = ml_stage_inputs(schema->load);
		schema->start_width = ml_stage_outputs(schema->load)->count;
		ml_load_fill_dialect(schema->load, &schema->csv);
	} else {
		/* Numbers in the layout of the first stage, or of the model itself. */
		schema->all_inputs = n_stages ? ml_stage_inputs(ml_chain_stage(schema->chain, 0))
					      : ml_model_columns(model);
		schema->start_width = schema->all_inputs->count;
	}
	/* Request bodies name their columns, whatever the training data did. */
	schema->csv.header = true;
	schema->csv.line_at_a_time = true;
	schema->widest = ml_chain_widest(schema->chain, schema->first_stage, schema->start_width);
	if (schema->widest < schema->width)
		schema->widest = schema->width;
	/* place_numbers after index_names: it quotes the plain names. */
	if (list_features(schema, err) < 0 || index_names(schema, err) < 0 ||
	    place_numbers(schema, err) < 0 || quote_classes(schema, err) < 0) {
		ml_request_schema_free(schema);
		return NULL;
	}
	return schema;
}

void ml_request_schema_free(ml_request_schema *schema)
{
	if (!schema)
		return;
	ml_columns_free(&schema->inputs);
	free(schema->feature_input);
	free(schema->slots);
	free(schema->name_lengths);
	free(schema->plain_names);
	free(schema->number_cell);
	free(schema->missing_row);
	ml_buf_free(&schema->member_keys);
	free(schema->member_key_at);
	ml_buf_free(&schema->class_json);
	free(schema->class_json_at);
	free(schema);
}

const ml_columns *ml_request_schema_inputs(const ml_request_schema *schema)
{
	return &schema->inputs;
}

void ml_json_put_string(ml_buf *out, const char *text)
{
	static const char hex[] = "0123456789abcdef";
	ml_buf_putc(out, '"');
	for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
		if (*c == '"' || *c == '\\') {
			ml_buf_putc(out, '\\');
			ml_buf_putc(out, (char)*c);
		} else if (*c < 0x20) {
			char escaped[7] = { '\\', 'u', '0', '0', hex[*c >> 4], hex[*c & 15], 0 };
			ml_buf_puts(out, escaped);
		} else {
			ml_buf_putc(out, (char)*c);
		}
	}
	ml_buf_putc(out, '"');
}

void ml_json_put_number(ml_buf *out, double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	if (isfinite(value))
		ml_buf_append(out, digits, ml_format_double(value, digits));
	else
		ml_buf_puts(out, "null");
}

typedef ml_request_state request;

static int fail(request *r, int status)
{
	*r->status = status;
	return -1;
}

static int out_of_memory(request *r, ml_error *err)
{
	ml_error_nomem(err);
	return fail(r, 500);
}

/* *array resized to block rows of width + 1 doubles, its rows kept; false when out of memory. */
static bool resize_rows(double **array, size_t block, size_t width, ml_error *err)
{
	double *grown = ml_realloc_array(*array, block, (width + 1) * sizeof(double), err);
	if (grown)
		*array = grown;
	return grown != NULL;
}

/* The block's arrays for `block` rows; those encoded so far are kept. */
static int size_block(request *r, size_t block, ml_error *err)
{
	const ml_request_schema *schema = r->schema;
	bool want_probabilities = schema->classifier && (r->options->probabilities || r->single);
	size_t *lines = ml_realloc_array(r->lines, block, sizeof(size_t), err);
	if (lines)
		r->lines = lines;
	if (!lines || !resize_rows(&r->encoded, block, schema->start_width, err) ||
	    !resize_rows(&r->spare, block, schema->widest, err) ||
	    !resize_rows(&r->rows, block, schema->width, err) ||
	    !resize_rows(&r->predictions, block, 0, err) ||
	    (want_probabilities && !resize_rows(&r->probabilities, block, schema->n_classes, err)))
		return fail(r, 500);
	r->block = block;
	return 0;
}

int ml_request_prepare(request *r, size_t n_rows, ml_error *err)
{
	const ml_request_schema *schema = r->schema;
	size_t block = n_rows < BLOCK_ROWS ? (n_rows ? n_rows : 1) : BLOCK_ROWS;
	size_t inputs = schema->all_inputs->count ? schema->all_inputs->count : 1;
	ml_buf_init(&r->answers);
	ml_buf_init(&r->answer_probabilities);
	if (!(r->values = ml_calloc_array(inputs, sizeof *r->values, err)) ||
	    !(r->seen = ml_calloc_array(inputs, sizeof *r->seen, err)))
		return fail(r, 500);
	return size_block(r, block, err);
}

void ml_request_release(request *r)
{
	free(r->values);
	free(r->seen);
	free(r->encoded);
	free(r->spare);
	free(r->rows);
	free(r->predictions);
	free(r->probabilities);
	free(r->lines);
	ml_buf_free(&r->answers);
	ml_buf_free(&r->answer_probabilities);
}

/* Where the block's rows are encoded: straight into the model's rows when no stage follows. */
static double *encode_target(const request *r)
{
	bool no_stage_left = r->schema->first_stage >= ml_chain_length(r->schema->chain);
	return (no_stage_left ? r->rows : r->encoded) + r->in_block * r->schema->start_width;
}

/* Names the row (or, for CSV, the line) of row `index` of the block in front of err. */
static void locate(const request *r, size_t index, ml_error *err)
{
	if (r->options->format == ML_BODY_CSV)
		ml_error_prefix(err, "request:%zu", r->lines[index]);
	else
		ml_error_prefix(err, "row %zu", r->done + index + 1);
}

static void put_class_or_value(request *r, double prediction)
{
	const ml_request_schema *schema = r->schema;
	if (!schema->classifier) {
		ml_json_put_number(&r->answers, prediction);
	} else if (prediction >= 0 && prediction < (double)schema->n_classes) {
		size_t k = (size_t)prediction, at = schema->class_json_at[k];
		ml_buf_append(&r->answers, schema->class_json.data + at,
			      schema->class_json_at[k + 1] - at);
	} else
		ml_buf_puts(&r->answers, "null");
}

static void put_probabilities(ml_buf *out, const double *probabilities, size_t n_classes)
{
	ml_buf_putc(out, '[');
	for (size_t k = 0; k < n_classes; k++) {
		if (k)
			ml_buf_putc(out, ',');
		ml_json_put_number(out, probabilities[k]);
	}
	ml_buf_putc(out, ']');
}

/* The longest answer of one row of put_class_names: a comma and a class name, or null. */
static size_t longest_class_answer(const ml_request_schema *schema)
{
	size_t longest = 4; /* null */
	for (size_t k = 0; k < schema->n_classes; k++) {
		size_t length = schema->class_json_at[k + 1] - schema->class_json_at[k];
		longest = length > longest ? length : longest;
	}
	return longest + 1;
}

static char *put_bytes(char *out, const char *bytes, size_t length)
{
	for (size_t i = 0; i < length; i++) /* a short class name: no call to memcpy */
		out[i] = bytes[i];
	return out + length;
}

/*
 * The class names of the block's n rows, when nothing else is answered:
 * room for them all made once, each copied in place (not a buffer call or
 * two per row, which cost more than the copying).
 */
static void put_class_names(request *r, size_t n)
{
	const ml_request_schema *schema = r->schema;
	size_t room;
	if (!ml_size_mul(n, longest_class_answer(schema), &room) || !ml_buf_reserve(&r->answers, room))
		return; /* failed: out of memory */
	char *out = r->answers.data + r->answers.length;
	for (size_t i = 0; i < n; i++) {
		double prediction = r->predictions[i];
		if (r->done + i)
			*out++ = ',';
		if (prediction >= 0 && prediction < (double)schema->n_classes) {
			size_t k = (size_t)prediction, at = schema->class_json_at[k];
			out = put_bytes(out, schema->class_json.data + at,
					schema->class_json_at[k + 1] - at);
		} else {
			out = put_bytes(out, "null", 4);
		}
	}
	r->answers.length = (size_t)(out - r->answers.data);
	r->answers.data[r->answers.length] = '\0';
}

/* Transforms, predicts and answers the rows of the block. */
int ml_request_flush_block(request *r, ml_error *err)
{
	const ml_request_schema *schema = r->schema;
	size_t n = r->in_block, bad_row = 0, n_classes = schema->n_classes;
	if (n == 0)
		return 0;
	if (schema->first_stage < ml_chain_length(schema->chain))
		ml_chain_apply(schema->chain, schema->first_stage, r->encoded, r->spare, n, r->rows);
	if (ml_model_predict(schema->model, r->rows, n, r->predictions, r->probabilities, &bad_row,
			     err) < 0) {
		locate(r, bad_row, err);
		return fail(r, 400);
	}
	bool names_only = schema->classifier && !r->single && !r->options->probabilities;
	if (names_only)
		put_class_names(r, n);
	for (size_t i = 0; i < n && !names_only; i++) {
		const double *probabilities = r->probabilities ? r->probabilities + i * n_classes
							       : NULL;
		if (r->done + i)
			ml_buf_putc(&r->answers, ',');
		put_class_or_value(r, r->predictions[i]);
		if (r->single && probabilities) {
			double top = 0;
			for (size_t k = 0; k < n_classes; k++)
				top = probabilities[k] > top ? probabilities[k] : top;
			ml_buf_puts(&r->answers, ",\"confidence\":");
			ml_json_put_number(&r->answers, top);
		}
		if (r->options->probabilities && probabilities) {
			if (r->done + i)
				ml_buf_putc(&r->answer_probabilities, ',');
			put_probabilities(&r->answer_probabilities, probabilities, n_classes);
		}
	}
	r->done += n;
	r->in_block = 0;
	if (r->answers.failed || r->answer_probabilities.failed)
		return out_of_memory(r, err);
	return 0;
}

double *ml_request_next_row(request *r, ml_error *err)
{
	/* A block sized on a guess of the row count doubles when it is full. */
	if (r->in_block == r->block &&
	    size_block(r, r->block * 2 < BLOCK_ROWS ? r->block * 2 : BLOCK_ROWS, err) < 0)
		return NULL;
	return encode_target(r);
}

int ml_request_end_row(request *r, ml_error *err)
{
	if (++r->in_block == BLOCK_ROWS)
		return ml_request_flush_block(r, err);
	return 0;
}

/* Encodes the values gathered for the next row (JSON) and predicts when the block is full. */
int ml_request_add_values(request *r, ml_error *err)
{
	const ml_request_schema *schema = r->schema;
	double *row = ml_request_next_row(r, err);
	if (!row)
		return -1;
	if (schema->load) {
		if (ml_load_apply_values(schema->load, r->values, row, &r->n_unknown, err) < 0) {
			ml_error_prefix(err, "row %zu", r->done + r->in_block + 1);
			return fail(r, 400);
		}
	} else {
		for (size_t i = 0; i < schema->all_inputs->count; i++) {
			const ml_load_value *value = &r->values[i];
			row[i] = value->kind == ML_LOAD_NUMBER ? value->number : NAN;
			if (value->kind == ML_LOAD_TEXT &&
			    !ml_csv_is_missing(&schema->csv, value->text, value->length) &&
			    !ml_parse_double(value->text, value->length, &row[i])) {
				ml_error_set(err, "row %zu: column '%s': '%.40s' is not a number",
					     r->done + r->in_block + 1, schema->all_inputs->names[i],
					     value->text);
				return fail(r, 400);
			}
		}
	}
	return ml_request_end_row(r, err);
}

static const char *kind_of(const cJSON *item)
{
	if (cJSON_IsBool(item))
		return cJSON_IsTrue(item) ? "true" : "false";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	return "not a value";
}

/* Sets input's value from a JSON item of row `row` (1-based). */
static int take_value(request *r, size_t input, const cJSON *item, size_t row, ml_error *err)
{
	ml_load_value *value = &r->values[input];
	if (cJSON_IsNumber(item)) {
		*value = (ml_load_value){ .kind = ML_LOAD_NUMBER, .number = item->valuedouble };
	} else if (cJSON_IsString(item)) {
		*value = (ml_load_value){ .kind = ML_LOAD_TEXT, .text = item->valuestring,
					  .length = strlen(item->valuestring) };
	} else if (cJSON_IsNull(item)) {
		*value = (ml_load_value){ .kind = ML_LOAD_MISSING };
	} else {
		ml_error_set(err, "row %zu: column '%s': %s is not a number, a string or null", row,
			     r->schema->all_inputs->names[input], kind_of(item));
		return fail(r, 400);
	}
	return 0;
}

void ml_request_clear_values(request *r)
{
	size_t count = r->schema->all_inputs->count;
	for (size_t i = 0; i < count; i++) {
		r->values[i] = (ml_load_value){ .kind = ML_LOAD_MISSING };
		r->seen[i] = false;
	}
}

/* Every input but the target must be given; err names the first that is not. */
int ml_request_check_given(request *r, const char *where, size_t row, ml_error *err)
{
	const ml_columns *all = r->schema->all_inputs;
	for (size_t i = 0; i < all->count; i++)
		if (!r->seen[i] && i != all->target) {
			if (row)
				ml_error_set(err, "row %zu: no column '%s'", row, all->names[i]);
			else
				ml_error_set(err, "%s: no column '%s'", where, all->names[i]);
			return fail(r, 400);
		}
	return 0;
}

int ml_request_check_row_count(request *r, size_t n_rows, ml_error *err)
{
	if (n_rows <= r->options->max_rows)
		return 0;
	ml_error_set(err, "%zu rows; at most %zu in one request", n_rows, r->options->max_rows);
	return fail(r, 413);
}

static int answer_rows(request *r, const cJSON *rows, ml_error *err)
{
	size_t row = 0;
	const cJSON *object;
	cJSON_ArrayForEach(object, rows) {
		row++;
		if (!cJSON_IsObject(object)) {
			ml_error_set(err, "row %zu: %s, not an object of columns", row,
				     cJSON_IsString(object) || cJSON_IsNumber(object) ? "a value"
										  : kind_of(object));
			return fail(r, 400);
		}
		ml_request_clear_values(r);
		const cJSON *item;
		cJSON_ArrayForEach(item, object) {
			size_t input = find_input(r->schema, item->string);
			if (input == ML_NO_COLUMN)
				continue; /* extra columns are ignored, as in CSV */
			if (r->seen[input]) {
				ml_error_set(err, "row %zu: column '%s' given twice", row, item->string);
				return fail(r, 400);
			}
			r->seen[input] = true;
			if (take_value(r, input, item, row, err) < 0)
				return -1;
		}
		if (ml_request_check_given(r, NULL, row, err) < 0 ||
		    ml_request_add_values(r, err) < 0)
			return -1;
	}
	return 0;
}

static int answer_table(request *r, const cJSON *columns, const cJSON *data, ml_error *err)
{
	size_t n_columns = (size_t)cJSON_GetArraySize(columns), c = 0;
	size_t *column_input = ml_alloc_array(n_columns + 1, sizeof *column_input, err);
	if (!column_input)
		return fail(r, 500);
	ml_request_clear_values(r);
	const cJSON *name;
	int status = 0;
	cJSON_ArrayForEach(name, columns) {
		if (!cJSON_IsString(name)) {
			ml_error_set(err, "\"columns\": item %zu is %s, not a name", c + 1,
				     cJSON_IsNumber(name) ? "a number" : kind_of(name));
			status = fail(r, 400);
			goto done;
		}
		size_t input = column_input[c++] = find_input(r->schema, name->valuestring);
		if (input != ML_NO_COLUMN && r->seen[input]) {
			ml_error_set(err, "\"columns\": '%s' given twice", name->valuestring);
			status = fail(r, 400);
			goto done;
		}
		if (input != ML_NO_COLUMN)
			r->seen[input] = true;
	}
	if ((status = ml_request_check_given(r, "\"columns\"", 0, err)) < 0)
		goto done;
	size_t row = 0;
	const cJSON *values;
	cJSON_ArrayForEach(values, data) {
		row++;
		size_t n_values = cJSON_IsArray(values) ? (size_t)cJSON_GetArraySize(values) : 0;
		if (!cJSON_IsArray(values) || n_values != n_columns) {
			ml_error_set(err, "row %zu: %zu values, \"columns\" names %zu", row, n_values,
				     n_columns);
			if (!cJSON_IsArray(values))
				ml_error_set(err, "row %zu: not an array of values", row);
			status = fail(r, 400);
			goto done;
		}
		const cJSON *item;
		c = 0;
		cJSON_ArrayForEach(item, values) {
			size_t input = column_input[c++];
			if (input != ML_NO_COLUMN && (status = take_value(r, input, item, row, err)) < 0)
				goto done;
		}
		if ((status = ml_request_add_values(r, err)) < 0)
			goto done;
	}
done:
	free(column_input);
	return status;
}

static int answer_features(request *r, const cJSON *features, ml_error *err)
{
	const ml_request_schema *schema = r->schema;
	size_t n_values = (size_t)cJSON_GetArraySize(features), f = 0;
	if (n_values != schema->inputs.count) {
		ml_error_set(err, "\"features\": %zu values; the model takes %zu, in this order: ",
			     n_values, schema->inputs.count);
		ml_buf list;
		ml_buf_init(&list);
		ml_columns_list(&list, &schema->inputs);
		size_t used = strlen(err->message);
		snprintf(err->message + used, sizeof err->message - used, "%s",
			 list.data ? list.data : "");
		ml_buf_free(&list);
		return fail(r, 400);
	}
	ml_request_clear_values(r);
	const cJSON *item;
	cJSON_ArrayForEach(item, features)
		if (take_value(r, schema->feature_input[f++], item, 1, err) < 0)
			return -1;
	return ml_request_add_values(r, err);
}

/*
 * Refuses nesting deeper than max_depth before a parser recurses into it:
 * brackets outside strings are counted, in one pass.
 */
static int check_depth(request *r, const char *body, size_t length, ml_error *err)
{
	size_t depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < length; i++) {
		char c = body[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > r->options->max_depth) {
				ml_error_set(err, "JSON nested deeper than %zu levels", r->options->max_depth);
				return fail(r, 400);
			}
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return 0;
}

static const cJSON *member(const cJSON *root, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(root, name);
}

static int answer_json(request *r, const char *body, size_t length, ml_error *err)
{
	/* The scanner refuses nesting deeper than max_depth itself, before recursing. */
	if (!r->options->tree_only) {
		if (ml_request_answer_scan(r, body, length, err) == 0)
			return 0;
		/* Left to cJSON: from the start, with nothing kept. */
		request fresh = { .schema = r->schema, .options = r->options, .status = r->status };
		ml_request_release(r);
		*r = fresh;
	}
	if (check_depth(r, body, length, err) < 0)
		return -1;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, length, &end, false);
	if (!root) {
		size_t at = end && end >= body && end <= body + length ? (size_t)(end - body) : 0;
		ml_error_set(err, "bad JSON at byte %zu", at + 1);
		return fail(r, 400);
	}
	int status = -1;
	const cJSON *rows = member(root, "rows"), *columns = member(root, "columns"),
		    *data = member(root, "data"), *features = member(root, "features");
	size_t n_rows = 0;
	if (!cJSON_IsObject(root) || (!rows && !features && !(columns && data))) {
		ml_error_set(err, "expected an object with \"rows\", with \"columns\" and \"data\","
			     " or with \"features\"");
		fail(r, 400);
	} else if ((rows && !cJSON_IsArray(rows)) || (features && !cJSON_IsArray(features)) ||
		   (!rows && !features && (!cJSON_IsArray(columns) || !cJSON_IsArray(data)))) {
		ml_error_set(err, "\"%s\" must be an array",
			     rows ? "rows" : features ? "features"
				   : !cJSON_IsArray(columns) ? "columns" : "data");
		fail(r, 400);
	} else {
		r->single = !rows && features;
		n_rows = r->single ? 1 : (size_t)cJSON_GetArraySize(rows ? rows : data);
		if (ml_request_check_row_count(r, n_rows, err) == 0 &&
		    ml_request_prepare(r, n_rows, err) == 0) {
			if (rows)
				status = answer_rows(r, rows, err);
			else if (features)
				status = answer_features(r, features, err);
			else
				status = answer_table(r, columns, data, err);
		}
	}
	cJSON_Delete(root);
	return status;
}

static int answer_csv(request *r, const char *body, size_t length, ml_error *err)
{
	const ml_request_schema *schema = r->schema;
	if (!schema->load) {
		ml_error_set(err, "this model has no load stage to read CSV: send JSON");
		return fail(r, 400);
	}
	ml_csv_reader *csv = ml_csv_reader_from_memory(body, length, "request", &schema->csv, err);
	if (!csv)
		return fail(r, 400);
	ml_load_applier *applier = ml_load_applier_create(schema->load, ml_csv_reader_columns(csv),
							  "request", err);
	int status = applier ? ml_request_prepare(r, BLOCK_ROWS, err) : fail(r, 400);
	size_t n_rows = 0;
	ml_record record;
	int got;
	while (status == 0 && (got = ml_csv_next(csv, &record, err)) != 0) {
		if (got < 0 || ml_load_apply_record(applier, &record, encode_target(r), err) < 0) {
			status = fail(r, 400);
			break;
		}
		if ((status = ml_request_check_row_count(r, ++n_rows, err)) < 0)
			break;
		r->lines[r->in_block] = record.line;
		if (++r->in_block == BLOCK_ROWS)
			status = ml_request_flush_block(r, err);
	}
	ml_load_applier_free(applier);
	ml_csv_reader_free(csv);
	return status;
}

int ml_request_answer(const ml_request_schema *schema, const ml_request_options *options,
		      const char *body, size_t length, ml_buf *answer, size_t *n_rows,
		      int *status, ml_error *err)
{
	request r = { .schema = schema, .options = options, .status = status };
	*n_rows = 0;
	int result = options->format == ML_BODY_CSV ? answer_csv(&r, body, length, err)
						    : answer_json(&r, body, length, err);
	if (result == 0 && ml_request_flush_block(&r, err) == 0) {
		bool probabilities = options->probabilities && schema->classifier;
		ml_buf_puts(answer, r.single ? "{\"prediction\":" : "{\"predictions\":[");
		ml_buf_append(answer, r.answers.data ? r.answers.data : "", r.answers.length);
		ml_buf_puts(answer, r.single ? "" : "]");
		if (probabilities) {
			ml_buf_puts(answer, ",\"classes\":[");
			for (size_t k = 0; k < schema->n_classes; k++) {
				if (k)
					ml_buf_putc(answer, ',');
				ml_json_put_string(answer, ml_model_class_name(schema->model, k));
			}
			ml_buf_puts(answer, r.single ? "],\"probabilities\":" : "],\"probabilities\":[");
			ml_buf_append(answer, r.answer_probabilities.data ? r.answer_probabilities.data
									  : "",
				      r.answer_probabilities.length);
			ml_buf_puts(answer, r.single ? "" : "]");
		}
		ml_buf_puts(answer, "}\n");
		*n_rows = r.done;
		if (answer->failed)
			result = out_of_memory(&r, err);
	} else {
		result = -1;
	}
	ml_request_release(&r);
	return result;
}
