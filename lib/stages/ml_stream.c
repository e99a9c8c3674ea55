#include "stages/ml_stream.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_clock.h"
#include "core/ml_number.h"
#include "io/ml_binary.h"
#include "math/ml_parallel.h"
#include "stages/ml_io.h"
#include "stages/ml_load.h"

/* Stages run on blocks of up to this many rows, and this many bytes at most. */
#define BLOCK_ROWS 1024
#define BLOCK_BYTES ((size_t)8 << 20)

struct ml_stream {
	ml_input *input;
	const ml_chain *chain;   /* what the output rows have been through */
	size_t first_stage;      /* first stage of chain still to apply */
	ml_load_applier *applier;
	const ml_columns *columns;
	size_t widest;           /* widest row along the way */
	size_t block_rows;       /* rows per block: wide rows make smaller blocks */
	double *scratch[2];      /* block_rows x widest each */
	bool row_failed;

	bool serving;            /* return rows as soon as no more are buffered */
	double arrival;          /* binary input: when the last rows were read */
	/* ml_stream_keep_input: the input text of the last read's rows. */
	bool keeping;
	ml_buf kept;
	size_t *kept_ends;       /* where each row's text ends in kept */
	size_t kept_capacity;
	/* CSV: the line each row of the last read starts on. */
	size_t *lines;
	size_t lines_capacity;
};

/*
 * CSV without a header: its fields are the load stage's inputs in their
 * order, the target included or left out.
 */
static int name_by_position(const ml_stage *load, const ml_columns *csv, ml_columns *named,
			    const char *source, const char *wanted_name, ml_error *err)
{
	const ml_columns *inputs = ml_stage_inputs(load);
	bool without_target = inputs->target != ML_NO_COLUMN && csv->count == inputs->count - 1;
	if (csv->count != inputs->count && !without_target) {
		if (inputs->target != ML_NO_COLUMN)
			ml_error_set(err, "%s: the rows have %zu fields; without a header they must be"
				     " the %zu input columns of '%s' (%zu without the target '%s'),"
				     " in order: ml-info %s lists them", source, csv->count,
				     inputs->count, wanted_name, inputs->count - 1,
				     inputs->names[inputs->target], wanted_name);
		else
			ml_error_set(err, "%s: the rows have %zu fields; without a header they must be"
				     " the %zu input columns of '%s', in order: ml-info %s lists"
				     " them", source, csv->count, inputs->count, wanted_name,
				     wanted_name);
		return -1;
	}
	if (ml_columns_init(named, csv->count, err) < 0)
		return -1;
	for (size_t i = 0, c = 0; i < inputs->count; i++) {
		if (without_target && i == inputs->target)
			continue;
		if (!(named->names[c++] = ml_strdup(inputs->names[i], err)))
			return -1;
	}
	return 0;
}

static int locate(ml_stream *stream, const ml_chain *wanted, const char *wanted_name,
		  ml_error *err)
{
	ml_input *input = stream->input;
	if (ml_input_binary(input)) {
		const ml_chain *done = ml_input_chain(input);
		const ml_columns *columns = ml_binary_reader_columns(ml_input_binary(input));
		stream->chain = wanted ? wanted : done;
		stream->columns = columns;
		if (!wanted) {
			stream->first_stage = ml_chain_length(done); /* all done already */
			return 0;
		}
		if (ml_chain_locate(wanted, done, wanted_name, &stream->first_stage, err) < 0) {
			ml_error_prefix(err, "%s", ml_input_name(input));
			return -1;
		}
		if (stream->first_stage == 0 && ml_chain_length(wanted) > 0 &&
		    ml_stage_is_load(ml_chain_stage(wanted, 0))) {
			ml_error_set(err, "%s: binary input without a load stage; '%s' starts from"
				     " CSV: give it the CSV file", ml_input_name(input), wanted_name);
			return -1;
		}
		/* Stages apply by position: the columns must be the ones they expect. */
		if (stream->first_stage < ml_chain_length(wanted) &&
		    !ml_columns_same_names(columns,
					   ml_stage_inputs(ml_chain_stage(wanted, stream->first_stage)))) {
			ml_error_set(err, "%s: its columns are not the ones stage %zu of '%s' takes",
				     ml_input_name(input), stream->first_stage + 1, wanted_name);
			return -1;
		}
		return 0;
	}
	if (!wanted || ml_chain_length(wanted) == 0 ||
	    !ml_stage_is_load(ml_chain_stage(wanted, 0))) {
		ml_error_set(err, "%s: CSV input needs a load stage to read it", ml_input_name(input));
		return -1;
	}
	stream->chain = wanted;
	stream->first_stage = 1;
	ml_columns named = { 0 };
	const ml_columns *columns = ml_csv_reader_columns(ml_input_csv(input));
	if (!ml_csv_reader_has_header(ml_input_csv(input))) {
		if (name_by_position(ml_chain_stage(wanted, 0), columns, &named, ml_input_name(input),
				     wanted_name, err) < 0) {
			ml_columns_free(&named);
			return -1;
		}
		columns = &named;
	}
	stream->applier = ml_load_applier_create(ml_chain_stage(wanted, 0), columns,
						 ml_input_name(input), err);
	ml_columns_free(&named);
	if (!stream->applier) {
		size_t used = strlen(err->message);
		snprintf(err->message + used, sizeof err->message - used, " (needed by '%s')",
			 wanted_name);
		return -1;
	}
	return 0;
}

ml_stream *ml_stream_open(const char *path, const ml_csv_options *csv, const ml_chain *wanted,
			  const char *wanted_name, ml_error *err)
{
	ml_csv_options dialect = *csv;
	if (ml_chain_length(wanted) > 0 && ml_stage_is_load(ml_chain_stage(wanted, 0)))
		ml_load_fill_dialect(ml_chain_stage(wanted, 0), &dialect);
	/*
	 * A stream converts its records in the reading thread: on two cores,
	 * chunk threads ahead of it only add CPU time (ml-predict, 1M x 20:
	 * 1.1 s sequential, 2.1 s in chunks, the same wall time).
	 */
	if (dialect.n_threads == 0 && ml_parallel_threads() <= 2)
		dialect.n_threads = 1;
	ml_input *input = ml_input_open(path, &dialect, err);
	return input ? ml_stream_from_input(input, wanted, wanted_name, err) : NULL;
}

ml_stream *ml_stream_from_input(ml_input *input, const ml_chain *wanted,
				const char *wanted_name, ml_error *err)
{
	ml_stream *stream = calloc(1, sizeof *stream);
	if (!stream) {
		ml_input_close(input);
		ml_error_nomem(err);
		return NULL;
	}
	stream->input = input;
	if (locate(stream, wanted, wanted_name, err) < 0)
		goto fail;
	size_t n_stages = ml_chain_length(stream->chain);
	size_t start_width = stream->applier
		? ml_stage_outputs(ml_chain_stage(stream->chain, 0))->count
		: stream->columns->count;
	if (n_stages > 0)
		stream->columns = ml_stage_outputs(ml_chain_stage(stream->chain, n_stages - 1));
	stream->widest = ml_chain_widest(stream->chain, stream->first_stage, start_width);
	stream->block_rows = BLOCK_BYTES / sizeof(double) / (stream->widest ? stream->widest : 1);
	if (stream->block_rows > BLOCK_ROWS)
		stream->block_rows = BLOCK_ROWS;
	if (stream->block_rows == 0)
		stream->block_rows = 1;
	for (int i = 0; i < 2; i++) {
		size_t cells;
		if (!ml_size_mul(stream->widest, stream->block_rows, &cells) ||
		    !(stream->scratch[i] = ml_alloc_array(cells, sizeof(double), err)))
			goto fail;
	}
	return stream;
fail:
	ml_stream_close(stream);
	return NULL;
}

void ml_stream_close(ml_stream *stream)
{
	if (!stream)
		return;
	ml_load_applier_free(stream->applier);
	ml_input_close(stream->input);
	free(stream->scratch[0]);
	free(stream->scratch[1]);
	ml_buf_free(&stream->kept);
	free(stream->kept_ends);
	free(stream->lines);
	free(stream);
}

const char *ml_stream_name(const ml_stream *stream)
{
	return ml_input_name(stream->input);
}

const ml_columns *ml_stream_columns(const ml_stream *stream)
{
	return stream->columns;
}

const ml_chain *ml_stream_chain(const ml_stream *stream)
{
	return stream->chain;
}

bool ml_stream_is_csv(const ml_stream *stream)
{
	return stream->applier != NULL;
}

uint64_t ml_stream_declared_rows(const ml_stream *stream)
{
	/* Stages map rows one to one: the input's count is the output's. */
	ml_binary_reader *binary = ml_input_binary(stream->input);
	return binary ? ml_binary_reader_rows(binary) : ML_ROWS_UNKNOWN;
}

bool ml_stream_row_failed(const ml_stream *stream)
{
	return stream->row_failed;
}

size_t ml_stream_unknown_total(const ml_stream *stream, const char **worst_column)
{
	*worst_column = NULL;
	return stream->applier ? ml_load_unknown_total(stream->applier, worst_column) : 0;
}

void ml_stream_serve(ml_stream *stream)
{
	stream->serving = true;
}

void ml_stream_set_wake_fd(ml_stream *stream, int wake_fd)
{
	if (stream->applier)
		ml_csv_reader_set_wake_fd(ml_input_csv(stream->input), wake_fd);
}

double ml_stream_arrival_time(const ml_stream *stream)
{
	return stream->applier ? ml_csv_arrival_time(ml_input_csv(stream->input))
			       : stream->arrival;
}

void ml_stream_keep_input(ml_stream *stream)
{
	stream->keeping = true;
}

const ml_columns *ml_stream_input_columns(const ml_stream *stream)
{
	ml_input *input = stream->input;
	return ml_input_csv(input) ? ml_csv_reader_columns(ml_input_csv(input))
				   : ml_binary_reader_columns(ml_input_binary(input));
}

const char *ml_stream_input_text(const ml_stream *stream, size_t row, size_t *length)
{
	size_t start = row ? stream->kept_ends[row - 1] : 0;
	*length = stream->kept_ends[row] - start;
	return stream->kept.data + start;
}

/* Marks the end of row's kept text. */
static int end_kept_row(ml_stream *stream, size_t row, ml_error *err)
{
	if (row >= stream->kept_capacity) {
		size_t capacity = stream->kept_capacity ? stream->kept_capacity : 1024;
		while (capacity <= row)
			capacity *= 2;
		size_t *ends = ml_realloc_array(stream->kept_ends, capacity, sizeof *ends, err);
		if (!ends)
			return -1;
		stream->kept_ends = ends;
		stream->kept_capacity = capacity;
	}
	if (stream->kept.failed)
		return ml_error_nomem(err);
	stream->kept_ends[row] = stream->kept.length;
	return 0;
}

static int keep_record(ml_stream *stream, const ml_record *record, size_t row, ml_error *err)
{
	for (size_t i = 0; i < record->n_fields; i++) {
		if (i)
			ml_buf_putc(&stream->kept, ',');
		ml_csv_quote(&stream->kept, record->fields[i].text, ',');
	}
	return end_kept_row(stream, row, err);
}

static int keep_binary_rows(ml_stream *stream, const double *rows, size_t n_rows,
			    ml_error *err)
{
	ml_binary_reader *binary = ml_input_binary(stream->input);
	const ml_columns *columns = ml_binary_reader_columns(binary);
	size_t n_classes;
	char *const *classes = ml_chain_class_names(ml_input_chain(stream->input), &n_classes);
	char digits[ML_DOUBLE_BUFSIZE];
	for (size_t r = 0; r < n_rows; r++) {
		const double *row = rows + r * columns->count;
		for (size_t c = 0; c < columns->count; c++) {
			double value = row[c];
			if (c)
				ml_buf_putc(&stream->kept, ',');
			if (c == columns->target && classes && value >= 0 &&
			    value < (double)n_classes && value == floor(value))
				ml_csv_quote(&stream->kept, classes[(size_t)value], ',');
			else if (!isnan(value))
				ml_buf_append(&stream->kept, digits, ml_format_double(value, digits));
		}
		if (end_kept_row(stream, r, err) < 0)
			return -1;
	}
	return 0;
}

static int read_binary(ml_stream *stream, double *rows, size_t max_rows, size_t *n_read,
		       ml_error *err)
{
	/* A service answers each row as it comes: never wait for a second one. */
	if (stream->serving && max_rows > 1)
		max_rows = 1;
	int status = ml_binary_read_rows(ml_input_binary(stream->input), rows, max_rows, n_read,
					 err);
	stream->arrival = ml_clock_now();
	if (status == 0 && stream->keeping)
		status = keep_binary_rows(stream, rows, *n_read, err);
	return status;
}

static int note_line(ml_stream *stream, size_t row, size_t line, ml_error *err)
{
	if (row >= stream->lines_capacity) {
		size_t capacity = stream->lines_capacity ? stream->lines_capacity * 2 : 256;
		size_t *lines = ml_realloc_array(stream->lines, capacity, sizeof *lines, err);
		if (!lines)
			return -1;
		stream->lines = lines;
		stream->lines_capacity = capacity;
	}
	stream->lines[row] = line;
	return 0;
}

size_t ml_stream_row_line(const ml_stream *stream, size_t row)
{
	return stream->applier && row < stream->lines_capacity ? stream->lines[row] : 0;
}

/* Reads up to max_rows raw rows (load stage applied for CSV) into rows. */
static int read_raw(ml_stream *stream, double *rows, size_t max_rows, size_t *n_read,
		    ml_error *err)
{
	*n_read = 0;
	ml_buf_reset(&stream->kept);
	if (!stream->applier)
		return read_binary(stream, rows, max_rows, n_read, err);
	size_t width = ml_stage_outputs(ml_chain_stage(stream->chain, 0))->count;
	ml_csv_reader *csv = ml_input_csv(stream->input);
	while (*n_read < max_rows) {
		if (stream->serving && *n_read > 0 && !ml_csv_has_buffered(csv))
			break;
		ml_record record;
		int got = ml_csv_next(csv, &record, err);
		if (got == 0)
			break;
		if (got == ML_CSV_WOKEN)
			return ML_STREAM_WOKEN;
		/* A ragged or unparsable record spoils itself only. */
		if (got < 0 || ml_load_apply_record(stream->applier, &record,
						    rows + *n_read * width, err) < 0) {
			stream->row_failed = got != -1;
			return -1;
		}
		if (stream->keeping && keep_record(stream, &record, *n_read, err) < 0)
			return -1;
		if (note_line(stream, *n_read, record.line, err) < 0)
			return -1;
		(*n_read)++;
	}
	return 0;
}

int ml_stream_read(ml_stream *stream, double *rows, size_t max_rows, size_t *n_read,
		   ml_error *err)
{
	size_t n_stages = ml_chain_length(stream->chain);
	stream->row_failed = false;
	*n_read = 0;
	if (stream->first_stage >= n_stages)
		return read_raw(stream, rows, max_rows, n_read, err);
	size_t want = max_rows < stream->block_rows ? max_rows : stream->block_rows;
	int status = read_raw(stream, stream->scratch[0], want, n_read, err);
	ml_chain_apply(stream->chain, stream->first_stage, stream->scratch[0], stream->scratch[1],
		       *n_read, rows);
	return status;
}

int ml_stream_copy(ml_stream *stream, ml_writer *writer, uint64_t *n_rows, ml_error *err)
{
	size_t width = stream->columns->count, got;
	size_t block = BLOCK_BYTES / sizeof(double) / (width ? width : 1);
	block = block == 0 ? 1 : block > BLOCK_ROWS ? BLOCK_ROWS : block;
	double *rows = ml_alloc_array(block, (width ? width : 1) * sizeof *rows, err);
	uint64_t total = 0;
	int status = rows ? 0 : -1;
	while (status == 0) {
		status = ml_stream_read(stream, rows, block, &got, err);
		if (status == 0 && got == 0)
			break;
		if (status == 0)
			status = ml_writer_write(writer, rows, got, err);
		total += got;
	}
	free(rows);
	if (n_rows)
		*n_rows = total;
	return status;
}
