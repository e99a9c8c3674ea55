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

#include "ml_csv.h"
#include "ml_io.h"
#include "ml_stage.h"

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
 */
int ml_stream_read(ml_stream *stream, double *rows, size_t max_rows, size_t *n_read,
		   ml_error *err);
bool ml_stream_row_failed(const ml_stream *stream);
/* Category values the load stage did not know, and the column with most. */
size_t ml_stream_unknown_total(const ml_stream *stream, const char **worst_column);

#endif
