/*
 * ml_file: files that are written whole or not at all, whole files read
 * with a bound, and inputs read twice.
 *
 * Outputs go to a temporary file beside the target and are renamed over it
 * only after a clean close, so an interrupted or failed run never leaves a
 * half-written file (devices and FIFOs are written in place).  A file
 * replaced by identical bytes is left untouched, so make does not rebuild
 * what depends on it.  A replaced file keeps its mode and group (a new one
 * gets 0666 less the umask, as open(2) would make it); a symbolic link is
 * written through: its target is replaced, the link stays.
 *
 * Every temporary file is listed, from its creation to its rename or
 * removal, in one table that a signal handler can empty with
 * ml_file_remove_temporaries (async-signal-safe).
 */
#ifndef ML_FILE_H
#define ML_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/ml_error.h"

typedef struct ml_atomic_file ml_atomic_file;

/*
 * A temporary file beside the target (the file a symbolic link leads to),
 * or, for a device or a pipe (/dev/null, a fifo), the path itself written
 * in place.
 */
ml_atomic_file *ml_atomic_open(const char *path, ml_error *err);
FILE *ml_atomic_stream(ml_atomic_file *file);
/* The temporary file's name, for a signal handler to unlink (NULL in place). */
const char *ml_atomic_temp_path(const ml_atomic_file *file);
/*
 * Flushes, syncs and closes the stream: all of the work but the rename.  On
 * failure the caller still owns file (ml_atomic_abort).
 */
int ml_atomic_close(ml_atomic_file *file, ml_error *err);
/* Closes (unless ml_atomic_close did), renames over the target; frees file, also on failure. */
int ml_atomic_commit(ml_atomic_file *file, ml_error *err);
/* Removes the temporary file; frees file.  NULL is fine. */
void ml_atomic_abort(ml_atomic_file *file);

/*
 * Unlinks every temporary file open now, and nothing else: for a signal
 * handler (it only reads a fixed table and calls unlink).
 */
void ml_file_remove_temporaries(void);

/*
 * Writes data to a temporary file beside path, closed and ready for
 * ml_atomic_commit, in *file; or *file NULL when path holds exactly data
 * already (then nothing is written).
 */
int ml_file_prepare(const char *path, const void *data, size_t length, ml_atomic_file **file,
		    ml_error *err);
/*
 * Replaces path with data atomically, unless it holds exactly data already
 * (*unchanged is then true and the file is not touched).
 */
int ml_file_replace(const char *path, const void *data, size_t length, bool *unchanged,
		    ml_error *err);
/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. */
int ml_file_read_all(const char *path, size_t max, char **data, size_t *length,
		     ml_error *err);

/*
 * A descriptor (close it) that reads path from its start again after
 * lseek(fd, 0, SEEK_SET), for programs that pass over their input twice:
 * the file itself when path names a regular file, else (NULL or "-" for
 * standard input, a pipe) an unlinked temporary file in $TMPDIR or /tmp
 * holding a copy of all it gave.  name is what messages call it.  -1 on
 * failure.
 */
int ml_file_open_rereadable(const char *path, const char *name, ml_error *err);

#endif
