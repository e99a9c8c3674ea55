/*
 * ml_columns: the names of a matrix's columns and which one is the target.
 * A plain value: every reader, writer and stage describes its columns so.
 */
#ifndef ML_COLUMNS_H
#define ML_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "core/ml_text.h"
#include "core/ml_util.h"

#define ML_NO_COLUMN ((size_t)-1)

typedef struct ml_columns {
	size_t count;
	char **names;
	size_t target; /* index of the target column, or ML_NO_COLUMN */
} ml_columns;

/* count names, all NULL, no target; names filled in by the caller. */
int ml_columns_init(ml_columns *columns, size_t count, ml_error *err);
void ml_columns_free(ml_columns *columns);
int ml_columns_copy(ml_columns *copy, const ml_columns *columns, ml_error *err);
/* Index of the column called name, or ML_NO_COLUMN. */
size_t ml_columns_find(const ml_columns *columns, const char *name);
/* True when both have the same names in the same order (targets aside). */
int ml_columns_same_names(const ml_columns *a, const ml_columns *b);
/* Index of the first name that appears twice, or ML_NO_COLUMN. */
size_t ml_columns_find_duplicate(const ml_columns *columns);
/* Number of columns other than the target. */
size_t ml_columns_n_features(const ml_columns *columns);

/*
 * Marks in selected[] (columns->count flags, set to true, never cleared)
 * the columns a user's list names: comma-separated names or 1-based
 * positions and ranges ("age,3,5-7,10-").  A name wins over a number.
 */
int ml_columns_select(const ml_columns *columns, const char *list, bool *selected,
		      ml_error *err);

/*
 * The target column: `name` (NULL: none asked for) must be a column, and
 * agree with the target the columns mark already, if any.  *target gets
 * its index, or the marked one, or ML_NO_COLUMN when there is neither.
 * Messages start with source and list the columns.
 */
int ml_columns_resolve_target(const ml_columns *columns, const char *name, const char *source,
			      size_t *target, ml_error *err);
/* Appends "'a', 'b', 'c'" (cut short with "... (N in all)" when long). */
void ml_columns_list(ml_buf *out, const ml_columns *columns);

/*
 * The lines stage and model sections describe their columns with:
 * "KEY COUNT NAME..." (names, none twice) and "target INDEX NAME" or
 * "target none".
 */
void ml_columns_write(ml_buf *out, const char *key, const ml_columns *columns);
void ml_columns_write_target(ml_buf *out, const ml_columns *columns);
/* Reads the names (at least min_count) into columns (initialised here); no target. */
int ml_columns_read(ml_text_reader *reader, const char *key, size_t min_count,
		    ml_columns *columns, ml_error *err);
/* Reads the target line into columns->target; "none" only when allow_none. */
int ml_columns_read_target(ml_text_reader *reader, ml_columns *columns, bool allow_none,
			   ml_error *err);

#endif
