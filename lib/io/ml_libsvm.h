/*
 * ml_libsvm: reading LIBSVM / svmlight sparse text (ml-load --format libsvm).
 *
 * One row a line: a numeric label, then `index:value` pairs with 1-based
 * indices in increasing order, separated by spaces or tabs; what is absent
 * is 0.  As in svmlight and scikit-learn's load_svmlight_file, a `qid:N`
 * right after the label is accepted and ignored, `#` starts a comment, and
 * blank lines are skipped.  The rows are kept sparse as read (memory grows
 * with the bytes that arrive, never with an index) and handed out dense:
 * columns label, c1..cN, the target label, N the largest index seen (or
 * the count asked for).  An index above the column limit is refused at
 * its line before anything of its size is allocated; so are indices that
 * are zero, negative, not increasing or repeated, labels and values that
 * are not finite numbers, and lines longer than the line limit.
 */
#ifndef ML_LIBSVM_H
#define ML_LIBSVM_H

#include <stddef.h>

#include "core/ml_columns.h"
#include "core/ml_error.h"
#include "io/ml_source.h"

/* The most feature columns a file may have, unless options say otherwise. */
#define ML_LIBSVM_MAX_COLUMNS ((size_t)100000)
/* The longest line, newline excluded. */
#define ML_LIBSVM_MAX_LINE ((size_t)16 << 20)

typedef struct ml_libsvm_options {
	size_t n_columns;   /* c1..cN with N this; 0: the largest index in the file */
	size_t max_columns; /* the limit on indices (ML_LIBSVM_MAX_COLUMNS) */
	size_t max_line;    /* bytes in a line (ML_LIBSVM_MAX_LINE) */
} ml_libsvm_options;

void ml_libsvm_options_init(ml_libsvm_options *options);
/* Says why the options do not go together (n_columns above max_columns). */
int ml_libsvm_options_check(const ml_libsvm_options *options, ml_error *err);

typedef struct ml_libsvm ml_libsvm;

/* Reads all of source (which the caller keeps); messages name name and the line. */
ml_libsvm *ml_libsvm_read(ml_source *source, const char *name, const ml_libsvm_options *options,
			  ml_error *err);
void ml_libsvm_free(ml_libsvm *data);
/* label, c1..cN; the target is label. */
const ml_columns *ml_libsvm_columns(const ml_libsvm *data);
size_t ml_libsvm_rows(const ml_libsvm *data);
/* Rows first..first+n_rows-1, dense (1 + N values each, absent ones 0), into rows. */
void ml_libsvm_dense(const ml_libsvm *data, size_t first, size_t n_rows, double *rows);

#endif
