/*
 * ml_file: files that are written whole or not at all, and the mlpipe text
 * file that holds stage chains and models (mlpipe-model(5)).
 *
 * Outputs go to a temporary file beside the target and are renamed over it
 * only after a clean close, so an interrupted or failed run never leaves a
 * half-written file (devices and FIFOs are written in place); a model identical to the file already there leaves
 * that file untouched, so make does not rebuild what depends on it.
 */
#ifndef ML_FILE_H
#define ML_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ml_error.h"
#include "ml_stage.h"
#include "ml_text.h"

#define ML_VERSION "0.1.0"
#define ML_FILE_FORMAT_VERSION 1
/* Stage and model files larger than this are refused before reading. */
#define ML_MAX_TEXT_FILE ((size_t)1 << 30)

typedef struct ml_atomic_file ml_atomic_file;

/* A path that is a device or a pipe (/dev/null, a fifo) is written in place. */
ml_atomic_file *ml_atomic_open(const char *path, ml_error *err);
FILE *ml_atomic_stream(ml_atomic_file *file);
/* The temporary file's name, for a signal handler to unlink (NULL in place). */
const char *ml_atomic_temp_path(const ml_atomic_file *file);
/* Flushes, syncs, closes and renames over the target; frees file. */
int ml_atomic_commit(ml_atomic_file *file, ml_error *err);
/* Removes the temporary file; frees file.  NULL is fine. */
void ml_atomic_abort(ml_atomic_file *file);

/*
 * Replaces path with data atomically, unless it holds exactly data already
 * (*unchanged is then true and the file is not touched).
 */
int ml_file_replace(const char *path, const void *data, size_t length, bool *unchanged,
		    ml_error *err);
/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. */
int ml_file_read_all(const char *path, size_t max, char **data, size_t *length,
		     ml_error *err);

/* Writes the first lines of a stage or model file: version, creator, command. */
void ml_pipefile_begin(ml_buf *out, int argc, char *const *argv);

typedef struct ml_pipefile ml_pipefile;

/*
 * Reads a stage or model file: checks the version line, keeps the
 * metadata lines, parses the stage chain and stops at what follows it
 * (an estimator section, or the end).
 */
ml_pipefile *ml_pipefile_open(const char *path, ml_error *err);
void ml_pipefile_close(ml_pipefile *file);
const char *ml_pipefile_path(const ml_pipefile *file);
const ml_chain *ml_pipefile_chain(const ml_pipefile *file);
/* Number of metadata lines and line i as "key value...". */
size_t ml_pipefile_n_meta(const ml_pipefile *file);
const char *ml_pipefile_meta(const ml_pipefile *file, size_t index);
/* The line after the chain (n_tokens 0 at the end) and the reader, for models. */
const ml_text_line *ml_pipefile_next_line(ml_pipefile *file);
ml_text_reader *ml_pipefile_reader(ml_pipefile *file);
/* Fails unless the file ends after its chain (a stage file, not a model). */
int ml_pipefile_expect_end(ml_pipefile *file, ml_error *err);

#endif
