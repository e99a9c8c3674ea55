/*
 * ml_npy: reading numpy's .npy files (numpy.save) as a stream of rows.
 *
 * A 2-D (or 1-D: one column) array of little-endian float64 ('<f8') or
 * float32 ('<f4'), in C or Fortran order, format versions 1 to 3.  The
 * header is a Python dict literal; only its three keys, in any order, and
 * only these values are read: anything else (another dtype, big-endian,
 * object arrays, a malformed or overlong header) is refused with a message.
 * Columns are named c1..cN, as CSV without a header; there is no target.
 * C order streams; Fortran order (columns one after another) is read whole
 * first, memory growing with the bytes that actually arrive, never with
 * what the header claims.
 *
 * The writer makes what numpy.save makes of a 2-D float64 array, byte for
 * byte: version 1.0, '<f8', C order, the header padded to 64 bytes with
 * numpy's room for the row count to grow.  The header comes first and holds
 * the row count: when it is not known in advance, a regular file gets its
 * header rewritten at the end, and anything else (a pipe) gets the rows
 * held in an unlinked temporary file ($TMPDIR or /tmp) until then.
 */
#ifndef ML_NPY_H
#define ML_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ml_columns.h"
#include "core/ml_util.h"
#include "core/ml_error.h"
#include "io/ml_source.h"

#define ML_NPY_MAGIC "\x93NUMPY"
#define ML_NPY_MAGIC_LENGTH 6
/* The longest header read (numpy's own are a few hundred bytes). */
#define ML_NPY_MAX_HEADER ((size_t)1 << 16)

typedef struct ml_npy_reader ml_npy_reader;

/* Reads and checks the header from source (which the caller keeps). */
ml_npy_reader *ml_npy_reader_create(ml_source *source, const char *name, ml_error *err);
void ml_npy_reader_free(ml_npy_reader *reader);
const ml_columns *ml_npy_reader_columns(const ml_npy_reader *reader);
uint64_t ml_npy_reader_rows(const ml_npy_reader *reader);
/* Reads up to max_rows rows as doubles; *n_read 0 at the end.  Short data is an error. */
int ml_npy_read_rows(ml_npy_reader *reader, double *rows, size_t max_rows, size_t *n_read,
		     ml_error *err);

/* numpy's version 1.0 header for a rows x columns C-order float64 array. */
int ml_npy_header(ml_buf *header, uint64_t n_rows, size_t n_columns);

typedef struct ml_npy_writer ml_npy_writer;

/* Starts an .npy file on out; n_rows UINT64_MAX (ML_ROWS_UNKNOWN) when not known yet. */
ml_npy_writer *ml_npy_writer_create(FILE *out, const char *name, size_t n_columns,
				    uint64_t n_rows, ml_error *err);
int ml_npy_write_rows(ml_npy_writer *writer, const double *rows, size_t n_rows, ml_error *err);
/* Checks a declared count, or puts the count in the header (and the held rows after it). */
int ml_npy_writer_finish(ml_npy_writer *writer, ml_error *err);
void ml_npy_writer_free(ml_npy_writer *writer);

#endif
