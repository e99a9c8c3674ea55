/*
 * ml_split_source: the input of a split, read twice: once to count the
 * rows and number each row's stratum, once to write every row to its part.
 *
 * A regular file is read twice from the start; anything else (stdin, a
 * pipe) is copied once into an unlinked temporary file, so memory holds
 * the strata (one number a row, when stratifying), never the rows.  The
 * parts keep the input's format: CSV rows are copied as the bytes they
 * were (quoting, number spelling, CRLF), after the header line; binary
 * parts get the input's header (columns, target, stages) with their own
 * row count.  A file that changes between the passes is an error.
 */
#ifndef ML_SPLIT_SOURCE_H
#define ML_SPLIT_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "io/ml_csv.h"

typedef struct ml_split_source ml_split_source;

/* path NULL or "-" is stdin. */
ml_split_source *ml_split_source_open(const char *path, const ml_csv_options *csv,
				      ml_error *err);
void ml_split_source_close(ml_split_source *source);
const char *ml_split_source_name(const ml_split_source *source);
/* After the scan: true when the input is CSV (the parts are then CSV too). */
bool ml_split_source_is_csv(const ml_split_source *source);

/* What to stratify by: nothing, a column by name, or the target. */
typedef struct ml_split_by {
	const char *column; /* a column name, or NULL */
	bool target;        /* the target: column names it, else the binary header's */
} ml_split_by;

/*
 * The first pass: *n_rows, and with by->column or by->target each row's
 * stratum in *strata (allocated here, n_rows entries; the caller frees
 * it), numbered in the order of the values' first appearance, n_strata of
 * them.  Missing values are one stratum.
 */
int ml_split_source_scan(ml_split_source *source, const ml_split_by *by, size_t *n_rows,
			 size_t **strata, size_t *n_strata, ml_error *err);

/*
 * The second pass: row r goes to parts[is_test[r]] (0 training, 1 test),
 * each part an output stream named names[i] in messages.  The header goes
 * to both.  The caller flushes and closes the streams.
 */
int ml_split_source_write(ml_split_source *source, const unsigned char *is_test, size_t n_rows,
			  FILE *const parts[2], const char *const names[2], ml_error *err);

#endif
