#include "io/ml_libsvm.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"
#include "core/ml_util.h"

/* Bytes asked of the source at a time. */
#define READ_BLOCK ((size_t)1 << 16)

struct ml_libsvm {
	ml_columns columns;
	size_t n_rows, rows_capacity;
	double *labels;
	size_t *row_end;     /* row r's entries are [row_end[r-1], row_end[r]) */
	size_t n_entries, entries_capacity;
	uint32_t *indices;   /* 1-based, increasing within a row */
	double *values;
};

/* The state of one read: where the bytes are and which line is parsed. */
typedef struct parser {
	ml_libsvm *data;
	const ml_libsvm_options *options;
	const char *name;
	size_t line_number;
	size_t limit;        /* the largest index allowed */
	size_t largest;      /* the largest index seen */
	ml_error *err;
} parser;

void ml_libsvm_options_init(ml_libsvm_options *options)
{
	options->n_columns = 0;
	options->max_columns = ML_LIBSVM_MAX_COLUMNS;
	options->max_line = ML_LIBSVM_MAX_LINE;
}

int ml_libsvm_options_check(const ml_libsvm_options *options, ml_error *err)
{
	if (options->max_columns == 0 || options->max_columns >= ML_MAX_COLUMNS) {
		ml_error_set(err, "libsvm: the column limit must be 1 to %zu", ML_MAX_COLUMNS - 1);
		return -1;
	}
	if (options->n_columns > options->max_columns) {
		ml_error_set(err, "libsvm: %zu columns asked for, above the limit of %zu",
			     options->n_columns, options->max_columns);
		return -1;
	}
	return 0;
}

/* "FILE:LINE: " then the message. */
static int fail_at(parser *p, const char *format, const char *token, size_t length)
{
	char shown[64];
	/* A hostile token is shown cut short and without its control bytes. */
	size_t shown_length = length < 40 ? length : 40;
	for (size_t i = 0; i < shown_length; i++)
		shown[i] = (unsigned char)token[i] < 0x20 || token[i] == 0x7f ? '?' : token[i];
	memcpy(shown + shown_length, length > 40 ? "..." : "", length > 40 ? 4 : 1);
	char message[ML_ERROR_SIZE / 2];
	snprintf(message, sizeof message, format, shown);
	ml_error_set(p->err, "%s:%zu: %s", p->name, p->line_number, message);
	return -1;
}

static int grow_rows(ml_libsvm *data, ml_error *err)
{
	if (data->n_rows < data->rows_capacity)
		return 0;
	size_t capacity = data->rows_capacity ? data->rows_capacity * 2 : 1024;
	double *labels = ml_realloc_array(data->labels, capacity, sizeof *labels, err);
	if (!labels)
		return -1;
	data->labels = labels;
	size_t *row_end = ml_realloc_array(data->row_end, capacity, sizeof *row_end, err);
	if (!row_end)
		return -1;
	data->row_end = row_end;
	data->rows_capacity = capacity;
	return 0;
}

static int add_entry(ml_libsvm *data, uint32_t index, double value, ml_error *err)
{
	if (data->n_entries == data->entries_capacity) {
		size_t capacity = data->entries_capacity ? data->entries_capacity * 2 : 4096;
		uint32_t *indices = ml_realloc_array(data->indices, capacity, sizeof *indices, err);
		if (!indices)
			return -1;
		data->indices = indices;
		double *values = ml_realloc_array(data->values, capacity, sizeof *values, err);
		if (!values)
			return -1;
		data->values = values;
		data->entries_capacity = capacity;
	}
	data->indices[data->n_entries] = index;
	data->values[data->n_entries++] = value;
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool finite_number(const char *text, size_t length, double *value)
{
	return ml_parse_double(text, length, value) && isfinite(*value);
}

/* A whole number of digits only, at most limit: *value; false when it is not one. */
static bool parse_count(const char *text, size_t length, uint64_t limit, uint64_t *value)
{
	*value = 0;
	if (length == 0)
		return false;
	for (size_t i = 0; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		if (*value > limit) /* stays above the limit, without overflowing */
			continue;
		*value = *value * 10 + (uint64_t)(text[i] - '0');
	}
	return true;
}

/* One `index:value` token, after the index `previous` (0 for the first). */
static int parse_pair(parser *p, const char *token, size_t length, uint64_t *previous)
{
	const char *colon = memchr(token, ':', length);
	if (!colon)
		return fail_at(p, "'%s' is not index:value", token, length);
	size_t index_length = (size_t)(colon - token);
	uint64_t index;
	if (!parse_count(token, index_length, UINT32_MAX, &index))
		return fail_at(p, "index '%s' is not a whole number from 1", token, index_length);
	if (index == 0)
		return fail_at(p, "index 0 in '%s': LIBSVM indices start at 1", token, length);
	if (index > p->limit) {
		char limit[64];
		snprintf(limit, sizeof limit, "%zu", p->limit);
		ml_error_set(p->err, "%s:%zu: index %.*s is above the limit of %s columns%s",
			     p->name, p->line_number, index_length > 40 ? 40 : (int)index_length,
			     token, limit, p->options->n_columns ? " (--features)" : "");
		return -1;
	}
	if (index <= *previous) {
		char message[96];
		snprintf(message, sizeof message, index == *previous ? "index %llu repeated"
			 : "index %llu after %llu: indices must increase",
			 (unsigned long long)index, (unsigned long long)*previous);
		ml_error_set(p->err, "%s:%zu: %s", p->name, p->line_number, message);
		return -1;
	}
	double value;
	const char *value_text = colon + 1;
	size_t value_length = length - index_length - 1;
	if (!finite_number(value_text, value_length, &value))
		return fail_at(p, "value '%s' is not a finite number", value_text, value_length);
	*previous = index;
	if (index > p->largest)
		p->largest = (size_t)index;
	/* Zeros are what absence means: not kept. */
	return value != 0 ? add_entry(p->data, (uint32_t)index, value, p->err) : 0;
}

/* One line, its newline (and a CR before it) removed. */
static int parse_line(parser *p, const char *line, size_t length)
{
	const char *comment = memchr(line, '#', length);
	if (comment)
		length = (size_t)(comment - line);
	size_t at = 0, token_number = 0;
	uint64_t previous = 0;
	while (at < length) {
		while (at < length && is_blank(line[at]))
			at++;
		if (at == length)
			break;
		size_t start = at;
		while (at < length && !is_blank(line[at]))
			at++;
		const char *token = line + start;
		size_t token_length = at - start;
		if (token_number++ == 0) {
			if (grow_rows(p->data, p->err) < 0)
				return -1;
			double label;
			if (!finite_number(token, token_length, &label))
				return fail_at(p, "label '%s' is not a finite number", token,
					       token_length);
			p->data->labels[p->data->n_rows] = label;
		} else if (token_number == 2 && token_length >= 4 && memcmp(token, "qid:", 4) == 0) {
			uint64_t qid;
			if (!parse_count(token + 4, token_length - 4, UINT64_MAX / 10, &qid))
				return fail_at(p, "'%s' is not qid:N", token, token_length);
		} else if (token_length >= 4 && memcmp(token, "qid:", 4) == 0) {
			return fail_at(p, "'%s': a qid comes right after the label", token,
				       token_length);
		} else if (parse_pair(p, token, token_length, &previous) < 0) {
			return -1;
		}
	}
	if (token_number > 0)
		p->data->row_end[p->data->n_rows++] = p->data->n_entries;
	return 0;
}

/* Parses the line held in line (a CR before its newline removed), then empties it. */
static int end_line(parser *p, ml_buf *line)
{
	if (line->failed)
		return ml_error_nomem(p->err);
	size_t length = line->length;
	if (length > 0 && line->data[length - 1] == '\r')
		length--;
	p->line_number++;
	int status;
	if (length > p->options->max_line) {
		ml_error_set(p->err, "%s:%zu: line longer than %zu bytes", p->name, p->line_number,
			     p->options->max_line);
		status = -1;
	} else {
		status = length ? parse_line(p, line->data, length) : 0;
	}
	ml_buf_reset(line);
	return status;
}

/* Splits the source into lines of at most max_line bytes and parses each. */
static int parse_source(parser *p, ml_source *source)
{
	char *block = malloc(READ_BLOCK);
	ml_buf line;
	ml_buf_init(&line);
	int status = block ? 0 : ml_error_nomem(p->err);
	while (status == 0) {
		long got = ml_source_read(source, block, READ_BLOCK, p->err);
		if (got <= 0) {
			status = got < 0 ? -1 : line.length ? end_line(p, &line) : 0;
			break;
		}
		const char *at = block, *end = block + got;
		while (status == 0 && at < end) {
			const char *newline = memchr(at, '\n', (size_t)(end - at));
			size_t piece = (size_t)((newline ? newline : end) - at);
			/* Never held longer than the limit (and a CR). */
			if (line.length + piece > p->options->max_line + 1) {
				ml_error_set(p->err, "%s:%zu: line longer than %zu bytes", p->name,
					     p->line_number + 1, p->options->max_line);
				status = -1;
				break;
			}
			ml_buf_append(&line, at, piece);
			at += piece;
			if (!newline)
				break;
			at++;
			status = end_line(p, &line);
		}
	}
	free(block);
	ml_buf_free(&line);
	return status;
}

static int name_columns(ml_libsvm *data, size_t n_features, ml_error *err)
{
	if (ml_columns_init(&data->columns, n_features + 1, err) < 0)
		return -1;
	data->columns.target = 0;
	if (!(data->columns.names[0] = ml_strdup("label", err)))
		return -1;
	for (size_t c = 1; c <= n_features; c++) {
		char name[32];
		snprintf(name, sizeof name, "c%zu", c);
		if (!(data->columns.names[c] = ml_strdup(name, err)))
			return -1;
	}
	return 0;
}

ml_libsvm *ml_libsvm_read(ml_source *source, const char *name, const ml_libsvm_options *options,
			  ml_error *err)
{
	if (ml_libsvm_options_check(options, err) < 0)
		return NULL;
	ml_libsvm *data = calloc(1, sizeof *data);
	if (!data) {
		ml_error_nomem(err);
		return NULL;
	}
	data->columns.target = ML_NO_COLUMN;
	parser p = { .data = data, .options = options, .name = name, .err = err,
		     .limit = options->n_columns ? options->n_columns : options->max_columns };
	if (parse_source(&p, source) < 0 ||
	    name_columns(data, options->n_columns ? options->n_columns : p.largest, err) < 0) {
		ml_libsvm_free(data);
		return NULL;
	}
	return data;
}

void ml_libsvm_free(ml_libsvm *data)
{
	if (!data)
		return;
	ml_columns_free(&data->columns);
	free(data->labels);
	free(data->row_end);
	free(data->indices);
	free(data->values);
	free(data);
}

const ml_columns *ml_libsvm_columns(const ml_libsvm *data)
{
	return &data->columns;
}

size_t ml_libsvm_rows(const ml_libsvm *data)
{
	return data->n_rows;
}

void ml_libsvm_dense(const ml_libsvm *data, size_t first, size_t n_rows, double *rows)
{
	size_t width = data->columns.count;
	memset(rows, 0, n_rows * width * sizeof *rows);
	for (size_t r = 0; r < n_rows; r++) {
		size_t row = first + r;
		double *out = rows + r * width;
		out[0] = data->labels[row];
		for (size_t e = row ? data->row_end[row - 1] : 0; e < data->row_end[row]; e++)
			out[data->indices[e]] = data->values[e];
	}
}
