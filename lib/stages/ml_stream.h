/*
 * ml_stream: reading an input block by block while replaying the stages it
 * still needs.
 *
 * Given the chain a model or stage file wants, a stream works out where
 * its input stands: raw CSV goes through every stage (the load stage
 * matches columns by name); binary input whose chain is a prefix of the
 * wanted one goes through the rest; anything else is refused, naming the
 * first stage that differs.  Memory stays constant whatever the input size.
 */
#ifndef ML_STREAM_H
#define ML_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "io/ml_csv.h"
#include "stages/ml_io.h"
#include "stages/ml_stage.h"

typedef struct ml_stream ml_stream;

/*
 * wanted may be NULL: binary input then passes through as it is (CSV needs
 * a load stage).  wanted_name names its file in messages.
 */
ml_stream *ml_stream_open(const char *path, const ml_csv_options *csv, const ml_chain *wanted,
			  const char *wanted_name, ml_error *err);
/* The same on an input already open; the stream owns it from here on. */
ml_stream *ml_stream_from_input(ml_input *input, const ml_chain *wanted,
				const char *wanted_name, ml_error *err);
void ml_stream_close(ml_stream *stream);
const char *ml_stream_name(const ml_stream *stream);
/* The columns rows come out with: the wanted chain's output. */
const ml_columns *ml_stream_columns(const ml_stream *stream);
/* The chain the rows have been through (wanted, or the input's own). */
const ml_chain *ml_stream_chain(const ml_stream *stream);
bool ml_stream_is_csv(const ml_stream *stream);
/* Rows the binary input declares, or ML_ROWS_UNKNOWN. */
uint64_t ml_stream_declared_rows(const ml_stream *stream);

/*
 * Reads up to max_rows rows, transformed; *n_read 0 at the end.  On a
 * failure confined to one row (a bad CSV record), *n_read counts the good
 * rows before it and ml_stream_row_failed() is true: reading may go on.
 * Returns 0, -1, or ML_STREAM_WOKEN (see ml_stream_set_wake_fd).
 */
int ml_stream_read(ml_stream *stream, double *rows, size_t max_rows, size_t *n_read,
		   ml_error *err);
bool ml_stream_row_failed(const ml_stream *stream);
/* CSV: the line row `row` of the last read starts on, for messages; 0 for binary input. */
size_t ml_stream_row_line(const ml_stream *stream, size_t row);
/*
 * Writes every row to writer (created with ml_stream_columns), block by
 * block; *n_rows (may be NULL) counts them.  Does not finish the writer.
 */
int ml_stream_copy(ml_stream *stream, ml_writer *writer, uint64_t *n_rows, ml_error *err);
/* Category values the load stage did not know, and the column with most. */
size_t ml_stream_unknown_total(const ml_stream *stream, const char **worst_column);

/*
 * Service mode (ml-predict --line-buffered): from now on a read returns as
 * soon as it has a row and no other is already buffered, instead of
 * waiting to fill max_rows, so every request line can be answered at
 * once.  Open the stream with csv->recover_lines as well, so that even a
 * record with malformed quoting is a failure of its row only.
 */
void ml_stream_serve(ml_stream *stream);
/*
 * A wait for CSV input also ends when wake_fd is readable (a signal
 * handler's self-pipe): ml_stream_read then returns ML_STREAM_WOKEN with
 * *n_read rows (maybe 0) read and transformed; the caller drains wake_fd,
 * does what the signal asked and reads on.  Binary input is read whole
 * rows at a time and is not woken.  -1 turns it off.
 */
#define ML_STREAM_WOKEN 1
void ml_stream_set_wake_fd(ml_stream *stream, int wake_fd);
/* When (ml_clock_now seconds) the input of the last rows read arrived. */
double ml_stream_arrival_time(const ml_stream *stream);

/*
 * Keeps, for every row read from now on, its input as the text of one CSV
 * line without the newline (ml-predict --append): a CSV record's fields as
 * they were read, quoted where needed; a binary row's values as numbers,
 * NaN as an empty field, the target's class indices as the input chain's
 * class names.
 */
void ml_stream_keep_input(ml_stream *stream);
/* The columns of that text: the CSV header, or the binary input's own columns. */
const ml_columns *ml_stream_input_columns(const ml_stream *stream);
/* Row `row` of the last ml_stream_read's rows, as kept (length in *length). */
const char *ml_stream_input_text(const ml_stream *stream, size_t row, size_t *length);

#endif
