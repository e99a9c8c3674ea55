/*
 * ml_pipefile: the mlpipe text file that holds a stage chain and, in a
 * model file, the estimator after it (mlpipe-model(5)).  Stage files
 * (--save) and model files share its first lines: the version, the
 * metadata ("created-by", "command", ...) and the chain.
 */
#ifndef ML_PIPEFILE_H
#define ML_PIPEFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "core/ml_text.h"
#include "core/ml_util.h"
#include "stages/ml_stage.h"

/*
 * The version stage and model files are written in.  Version 1 wrote a
 * poly stage's flags as yes / no and named the training data's hash
 * FNV-1a implicitly; readers take both versions.
 */
#define ML_FILE_FORMAT_VERSION 2
#define ML_FILE_FORMAT_OLDEST 1
/*
 * Bounds of stage and model files, checked as they are read: the whole
 * file, and each line (a load stage lists its columns and categories on
 * one line; binary headers, which embed stages, have the same bound).
 * The version line must come within the first ML_PIPEFILE_SNIFF bytes.
 */
#define ML_MAX_TEXT_FILE ((size_t)1 << 30)
#define ML_MAX_TEXT_LINE ((size_t)64 << 20)
#define ML_PIPEFILE_SNIFF ((size_t)4096)

/*
 * True when bytes, the start of a file, begin as a stage or model file
 * does: with "mlpipe" and a blank (after blank and comment lines).
 */
bool ml_pipefile_sniff(const char *bytes, size_t length);

/* Writes the first lines of a stage or model file: version, creator, command. */
void ml_pipefile_begin(ml_buf *out, int argc, char *const *argv);

typedef struct ml_pipefile ml_pipefile;

/*
 * Reads a stage or model file: checks the version line before reading
 * further, keeps the metadata lines, parses the stage chain as it reads
 * and stops at what follows it (an estimator section, or the end).
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
