#include "stages/ml_split_source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ml_file.h"
#include "core/ml_number.h"
#include "core/ml_string_map.h"
#include "core/ml_util.h"
#include "io/ml_source.h"
#include "stages/ml_io.h"

/* Bytes read at a time (copying CSV) and values of binary rows at most. */
#define BLOCK_BYTES ((size_t)1 << 16)
#define BLOCK_CELLS ((size_t)1 << 16)

struct ml_split_source {
	int fd; /* a regular file: each pass reads it from the start */
	char *name;
	ml_csv_options csv;
	bool scanned, is_csv;
	size_t n_rows;
};

ml_split_source *ml_split_source_open(const char *path, const ml_csv_options *csv,
				      ml_error *err)
{
	ml_split_source *source = calloc(1, sizeof *source);
	if (!source) {
		ml_error_nomem(err);
		return NULL;
	}
	source->fd = -1;
	source->csv = *csv;
	bool is_stdin = !path || strcmp(path, "-") == 0;
	if (!(source->name = ml_strdup(is_stdin ? "stdin" : path, err)) ||
	    (source->fd = ml_file_open_rereadable(path, source->name, err)) < 0) {
		ml_split_source_close(source);
		return NULL;
	}
	return source;
}

void ml_split_source_close(ml_split_source *source)
{
	if (!source)
		return;
	if (source->fd >= 0)
		close(source->fd);
	free(source->name);
	free(source);
}

const char *ml_split_source_name(const ml_split_source *source)
{
	return source->name;
}

bool ml_split_source_is_csv(const ml_split_source *source)
{
	return source->is_csv;
}

static ml_input *rewind_input(ml_split_source *source, ml_error *err)
{
	if (lseek(source->fd, 0, SEEK_SET) != 0) {
		ml_error_set(err, "%s: cannot read it again: %s", source->name, strerror(errno));
		return NULL;
	}
	return ml_input_open_fd(source->fd, source->name, &source->csv, err);
}

/* The first pass's state: the strata so far. */
typedef struct scan_state {
	size_t column; /* the column to stratify by, or ML_NO_COLUMN */
	ml_string_map values;
	size_t *strata;
	size_t n_rows, capacity;
} scan_state;

static int add_row(scan_state *state, const char *key, size_t length, ml_error *err)
{
	if (state->column != ML_NO_COLUMN) {
		size_t code = ml_string_map_intern(&state->values, key, length, err);
		if (code == ML_STRING_NOT_FOUND)
			return -1;
		if (state->n_rows == state->capacity) {
			size_t capacity = state->capacity ? state->capacity * 2 : 1024;
			size_t *strata = ml_realloc_array(state->strata, capacity, sizeof *strata,
							  err);
			if (!strata)
				return -1;
			state->strata = strata;
			state->capacity = capacity;
		}
		state->strata[state->n_rows] = code;
	}
	state->n_rows++;
	return 0;
}

static int find_column(const ml_columns *columns, const ml_split_by *by, bool is_csv,
		       const char *source, size_t *column, ml_error *err)
{
	*column = ML_NO_COLUMN;
	if (by->target && is_csv && !by->column) {
		ml_error_set(err, "%s: CSV input does not mark its target: name the column to"
			     " stratify by", source);
		return -1;
	}
	if (by->target && !is_csv) {
		if (ml_columns_resolve_target(columns, by->column, source, column, err) < 0)
			return -1;
		if (*column == ML_NO_COLUMN) {
			ml_error_set(err, "%s: the header marks no target: name the column to"
				     " stratify by", source);
			return -1;
		}
		return 0;
	}
	if (!by->column)
		return 0;
	if ((*column = ml_columns_find(columns, by->column)) == ML_NO_COLUMN) {
		ml_buf list;
		ml_buf_init(&list);
		ml_columns_list(&list, columns);
		ml_error_set(err, "%s: no column '%s' to stratify by (the columns: %s)", source,
			     by->column, list.failed ? "..." : list.data);
		ml_buf_free(&list);
		return -1;
	}
	return 0;
}

static int scan_csv(ml_csv_reader *reader, const ml_csv_options *csv, scan_state *state,
		    ml_error *err)
{
	ml_record record;
	int status;
	while ((status = ml_csv_next(reader, &record, err)) == 1) {
		const ml_field *field = state->column == ML_NO_COLUMN ? NULL
								: &record.fields[state->column];
		bool missing = !field || ml_csv_is_missing(csv, field->text, field->length);
		if (add_row(state, missing ? "" : field->text, missing ? 0 : field->length, err) < 0)
			return -1;
	}
	return status < 0 ? -1 : 0;
}

static int scan_binary(ml_binary_reader *reader, scan_state *state, ml_error *err)
{
	size_t width = ml_binary_reader_columns(reader)->count;
	size_t block = width < BLOCK_CELLS ? BLOCK_CELLS / width : 1;
	double *rows = ml_alloc_array(block, width * sizeof *rows, err);
	if (!rows)
		return -1;
	size_t got;
	int status;
	while ((status = ml_binary_read_rows(reader, rows, block, &got, err)) == 0 && got > 0)
		for (size_t r = 0; r < got && status == 0; r++) {
			char key[ML_DOUBLE_BUFSIZE] = "";
			size_t length = 0;
			double value = state->column == ML_NO_COLUMN ? 0 : rows[r * width + state->column];
			if (value == value)
				length = ml_format_double(value, key);
			status = add_row(state, key, length, err);
		}
	free(rows);
	return status;
}

int ml_split_source_scan(ml_split_source *source, const ml_split_by *by, size_t *n_rows,
			 size_t **strata, size_t *n_strata, ml_error *err)
{
	*strata = NULL;
	*n_rows = *n_strata = 0;
	ml_input *input = rewind_input(source, err);
	if (!input)
		return -1;
	ml_csv_reader *csv = ml_input_csv(input);
	const ml_columns *columns = csv ? ml_csv_reader_columns(csv)
					: ml_binary_reader_columns(ml_input_binary(input));
	scan_state state = { .column = ML_NO_COLUMN };
	int status = find_column(columns, by, csv != NULL, source->name, &state.column, err);
	if (status == 0)
		status = csv ? scan_csv(csv, &source->csv, &state, err)
			     : scan_binary(ml_input_binary(input), &state, err);
	source->is_csv = csv != NULL;
	ml_input_close(input);
	if (status == 0) {
		source->scanned = true;
		source->n_rows = *n_rows = state.n_rows;
		*strata = state.strata;
		*n_strata = state.values.count;
	} else {
		free(state.strata);
	}
	ml_string_map_free(&state.values);
	return status;
}

/* The second pass over CSV: each record's bytes, as they are, to its part. */
typedef struct copier {
	FILE *const *parts;
	const char *const *names;
	const unsigned char *is_test;
	size_t n_rows, row;
	char delimiter;
	bool header_pending, in_quotes, after_cr, started;
	/*
	 * A quote opens a quoted field only at its start (blanks aside), so a
	 * quote inside an unquoted field (--quotes lenient) is text; one right
	 * after a closing quote is an escaped quote ("").
	 */
	bool field_start, just_closed;
	char newline[3]; /* the first record's line end: for a last line without one */
	ml_buf record;
} copier;

static int put(copier *copy, size_t part, const char *bytes, size_t length, ml_error *err)
{
	if (length && fwrite(bytes, 1, length, copy->parts[part]) != length) {
		ml_error_set(err, "%s: write error: %s", copy->names[part], strerror(errno));
		return -1;
	}
	return 0;
}

/* Only blanks before the line end: libcsv sees no record there, nor do we. */
static bool blank(const copier *copy, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		char c = copy->record.data[i];
		if ((c != ' ' && c != '\t') || c == copy->delimiter)
			return false;
	}
	return true;
}

static int end_record(copier *copy, const char *source, ml_error *err)
{
	ml_buf *record = &copy->record;
	size_t content = record->length;
	while (content > 0 && (record->data[content - 1] == '\n' || record->data[content - 1] == '\r'))
		content--;
	int status = 0;
	if (blank(copy, content)) {
		ml_buf_reset(record);
		return 0;
	}
	if (!copy->newline[0])
		memcpy(copy->newline, content < record->length ? record->data + content : "\n",
		       content < record->length ? record->length - content : 1);
	if (content == record->length)
		ml_buf_puts(record, copy->newline);
	if (record->failed)
		return ml_error_nomem(err);
	if (copy->header_pending) {
		copy->header_pending = false;
		status = put(copy, 0, record->data, record->length, err);
		if (status == 0)
			status = put(copy, 1, record->data, record->length, err);
	} else if (copy->row == copy->n_rows) {
		ml_error_set(err, "%s: changed while it was being split (more than %zu rows now)",
			     source, copy->n_rows);
		status = -1;
	} else {
		status = put(copy, copy->is_test[copy->row++], record->data, record->length, err);
	}
	ml_buf_reset(record);
	return status;
}

static int copy_bytes(copier *copy, const char *bytes, size_t length, const char *source,
		      ml_error *err)
{
	for (size_t i = 0; i < length; i++) {
		char c = bytes[i];
		if (copy->after_cr) {
			copy->after_cr = false;
			if (c == '\n')
				ml_buf_putc(&copy->record, c);
			if (end_record(copy, source, err) < 0)
				return -1;
			if (c == '\n')
				continue;
		}
		ml_buf_putc(&copy->record, c);
		if (copy->in_quotes) {
			copy->in_quotes = c != '"';
			copy->just_closed = c == '"';
			continue;
		}
		bool blank = c == ' ' || c == '\t';
		if (c == '"' && (copy->field_start || copy->just_closed))
			copy->in_quotes = true;
		copy->just_closed = false;
		if (c == copy->delimiter || c == '\r' || c == '\n')
			copy->field_start = true;
		else if (!blank)
			copy->field_start = false;
		if (c == '\r')
			copy->after_cr = true;
		else if (c == '\n' && end_record(copy, source, err) < 0)
			return -1;
	}
	return copy->record.failed ? ml_error_nomem(err) : 0;
}

static const char utf8_bom[3] = { '\xef', '\xbb', '\xbf' };

static int write_csv(ml_split_source *source, copier *copy, ml_error *err)
{
	if (lseek(source->fd, 0, SEEK_SET) != 0) {
		ml_error_set(err, "%s: cannot read it again: %s", source->name, strerror(errno));
		return -1;
	}
	/* Through a source: a compressed input's parts are its text, decompressed. */
	ml_source *bytes = ml_source_create(source->fd, source->name, err);
	char *block = bytes ? malloc(BLOCK_BYTES) : NULL;
	if (!block) {
		ml_source_free(bytes);
		return bytes ? ml_error_nomem(err) : -1;
	}
	int status = 0;
	long got;
	bool first = true;
	while (status == 0 && (got = ml_source_read_full(bytes, block, BLOCK_BYTES, err)) > 0) {
		size_t skip = 0;
		/* A byte order mark starts both parts, whatever the first record is. */
		if (first && got >= 3 && memcmp(block, utf8_bom, 3) == 0) {
			skip = 3;
			status = put(copy, 0, utf8_bom, 3, err);
			if (status == 0)
				status = put(copy, 1, utf8_bom, 3, err);
		}
		first = false;
		if (status == 0)
			status = copy_bytes(copy, block + skip, (size_t)got - skip, source->name, err);
	}
	if (status == 0 && got < 0)
		status = -1;
	if (status == 0 && (copy->after_cr || copy->record.length > 0))
		status = end_record(copy, source->name, err);
	if (status == 0 && copy->row != copy->n_rows) {
		ml_error_set(err, "%s: changed while it was being split (%zu rows, then %zu)",
			     source->name, copy->n_rows, copy->row);
		status = -1;
	}
	free(block);
	ml_source_free(bytes);
	return status;
}

static int write_binary(ml_split_source *source, const unsigned char *is_test,
			FILE *const parts[2], const char *const names[2], ml_error *err)
{
	ml_input *input = rewind_input(source, err);
	if (!input)
		return -1;
	ml_binary_reader *reader = ml_input_binary(input);
	if (!reader) {
		ml_input_close(input);
		ml_error_set(err, "%s: changed while it was being split", source->name);
		return -1;
	}
	const ml_columns *columns = ml_binary_reader_columns(reader);
	size_t width = columns->count, stage_length, n_test = 0;
	const char *stages = ml_binary_reader_stage_text(reader, &stage_length);
	for (size_t r = 0; r < source->n_rows; r++)
		n_test += is_test[r];
	uint64_t counts[2] = { source->n_rows - n_test, n_test };
	ml_binary_writer *writers[2] = { NULL, NULL };
	size_t block = width < BLOCK_CELLS ? BLOCK_CELLS / width : 1, row = 0, got;
	double *rows = ml_alloc_array(block, width * sizeof *rows, err);
	int status = rows ? 0 : -1;
	for (size_t i = 0; i < 2 && status == 0; i++)
		if (!(writers[i] = ml_binary_writer_create(parts[i], names[i], columns, stages,
							   stage_length, counts[i], err)))
			status = -1;
	while (status == 0 && (status = ml_binary_read_rows(reader, rows, block, &got, err)) == 0 &&
	       got > 0)
		for (size_t r = 0; r < got && status == 0; r++, row++)
			status = row < source->n_rows
					 ? ml_binary_write_rows(writers[is_test[row]], rows + r * width,
								1, err)
					 : (ml_error_set(err, "%s: changed while it was being split",
							 source->name), -1);
	if (status == 0 && row != source->n_rows) {
		ml_error_set(err, "%s: changed while it was being split", source->name);
		status = -1;
	}
	for (size_t i = 0; i < 2 && status == 0; i++)
		status = ml_binary_writer_finish(writers[i], err);
	ml_binary_writer_free(writers[0]);
	ml_binary_writer_free(writers[1]);
	free(rows);
	ml_input_close(input);
	return status;
}

int ml_split_source_write(ml_split_source *source, const unsigned char *is_test, size_t n_rows,
			  FILE *const parts[2], const char *const names[2], ml_error *err)
{
	if (!source->scanned || n_rows != source->n_rows) {
		ml_error_set(err, "%s: the rows were not counted before the split", source->name);
		return -1;
	}
	if (!source->is_csv)
		return write_binary(source, is_test, parts, names, err);
	copier copy = { .parts = parts, .names = names, .is_test = is_test, .n_rows = n_rows,
			.delimiter = source->csv.delimiter, .header_pending = source->csv.header,
			.field_start = true };
	ml_buf_init(&copy.record);
	int status = write_csv(source, &copy, err);
	ml_buf_free(&copy.record);
	return status;
}
