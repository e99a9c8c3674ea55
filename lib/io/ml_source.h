/*
 * ml_source: the bytes of an input, read from a file descriptor and
 * decompressed on the way when they are gzip (zlib) or zstd (libzstd).
 *
 * The first bytes decide, not the file name: a .csv.gz on stdin is
 * decompressed as well as a file.  The CSV and binary readers read through
 * a source; they see plain bytes either way.  A compressed input that
 * ends early or is corrupt is an error naming the input, never a short
 * read that could pass for the end of the data.
 */
#ifndef ML_SOURCE_H
#define ML_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/ml_error.h"

typedef struct ml_source ml_source;

/*
 * Reads from fd (which stays the caller's to close); name is used in
 * messages.  Detecting compression reads a few bytes, stopping as soon as
 * they cannot be a compressed stream's magic (a co-process's short first
 * line is not held up).
 */
ml_source *ml_source_create(int fd, const char *name, ml_error *err);
void ml_source_free(ml_source *source);

/* "gzip", "zstd", or NULL for plain bytes. */
const char *ml_source_compression(const ml_source *source);

/*
 * Makes at least `length` bytes (fewer at the end of the input) available
 * without consuming them; *bytes points to them until the next call.
 * Returns how many there are, or -1 on error.
 */
long ml_source_peek(ml_source *source, size_t length, const unsigned char **bytes,
		    ml_error *err);
/* What is available now, up to length: 0 at the end, -1 on error. */
long ml_source_read(ml_source *source, void *buffer, size_t length, ml_error *err);
/* Reads until length bytes or the end: how many, or -1 on error. */
long ml_source_read_full(ml_source *source, void *buffer, size_t length, ml_error *err);

/*
 * The descriptor to poll before a read would wait, or -1 when bytes may
 * be waiting inside the decompressor (then read without polling).
 */
int ml_source_poll_fd(const ml_source *source);
/* True when a read would return bytes without reading the descriptor. */
bool ml_source_has_buffered(const ml_source *source);

/*
 * For plain bytes from a regular file (which may then be mapped and read
 * in parallel instead): the descriptor, with *offset the position in the
 * file of the next byte a read would return and *size the file's size.
 * -1 for anything else (a pipe, a terminal, compressed input).
 */
int ml_source_regular_file(const ml_source *source, off_t *offset, off_t *size);

#endif
