/*
 * ml_binary: the binary matrix format of mlpipe-binary(5).
 *
 * A self-describing header (magic, version, header length, column count,
 * dtype, row count or "unknown", target, column names, the stage chain)
 * followed by little-endian row-major float64 rows.  The stage chain is
 * text here, written and read as it is: the stages layer (ml_io) parses it
 * and checks it against the columns.  Both sides stream:
 * the writer fills in the row count at the end when its output can seek,
 * and the reader checks every header field against limits before it
 * allocates anything.  The reader also takes numpy's .npy files
 * (io/ml_npy.h), told apart by their magic: columns c1..cN, no stages.
 */
#ifndef ML_BINARY_H
#define ML_BINARY_H

#include <stdint.h>
#include <stdio.h>

#include "core/ml_columns.h"
#include "core/ml_error.h"
#include "io/ml_source.h"

#define ML_BINARY_MAGIC "\x89MLPIPE\n"
#define ML_BINARY_MAGIC_LENGTH 8
#define ML_BINARY_VERSION 1
#define ML_BINARY_FIXED_LENGTH 48
#define ML_BINARY_DTYPE_FLOAT64 1
#define ML_ROWS_UNKNOWN UINT64_MAX
#define ML_MAX_HEADER_LENGTH ((size_t)64 << 20)

typedef struct ml_binary_reader ml_binary_reader;

/* Reads the header from source (which the caller keeps, and frees after the reader). */
ml_binary_reader *ml_binary_reader_create(ml_source *source, const char *name, ml_error *err);
/* The same on a descriptor (not closed here), through a source of its own. */
ml_binary_reader *ml_binary_reader_create_fd(int fd, const char *name, ml_error *err);
void ml_binary_reader_free(ml_binary_reader *reader);
const ml_columns *ml_binary_reader_columns(const ml_binary_reader *reader);
/* The header's stage section (mlpipe-model(5) text, maybe empty), NUL-terminated. */
const char *ml_binary_reader_stage_text(const ml_binary_reader *reader, size_t *length);
/* The row count the header declares, or ML_ROWS_UNKNOWN. */
uint64_t ml_binary_reader_rows(const ml_binary_reader *reader);
/* Reads up to max_rows rows; *n_read 0 at the end.  A partial row is an error. */
int ml_binary_read_rows(ml_binary_reader *reader, double *rows, size_t max_rows,
			size_t *n_read, ml_error *err);

typedef struct ml_binary_writer ml_binary_writer;

/*
 * Writes the header at once, with stage_text (stage_length bytes, may be 0)
 * as its stage section; n_rows may be ML_ROWS_UNKNOWN.
 */
ml_binary_writer *ml_binary_writer_create(FILE *out, const char *name,
					  const ml_columns *columns, const char *stage_text,
					  size_t stage_length, uint64_t n_rows, ml_error *err);
int ml_binary_write_rows(ml_binary_writer *writer, const double *rows, size_t n_rows,
			 ml_error *err);
/* Records the row count in the header when the output can seek. */
int ml_binary_writer_finish(ml_binary_writer *writer, ml_error *err);
void ml_binary_writer_free(ml_binary_writer *writer);

#endif
