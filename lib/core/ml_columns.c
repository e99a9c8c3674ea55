#include "core/ml_columns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"

int ml_columns_init(ml_columns *columns, size_t count, ml_error *err)
{
	columns->count = count;
	columns->target = ML_NO_COLUMN;
	columns->names = ml_calloc_array(count, sizeof *columns->names, err);
	if (!columns->names) {
		columns->count = 0;
		return -1;
	}
	return 0;
}

void ml_columns_free(ml_columns *columns)
{
	if (!columns)
		return;
	if (columns->names)
		for (size_t i = 0; i < columns->count; i++)
			free(columns->names[i]);
	free(columns->names);
	columns->names = NULL;
	columns->count = 0;
	columns->target = ML_NO_COLUMN;
}

int ml_columns_copy(ml_columns *copy, const ml_columns *columns, ml_error *err)
{
	if (ml_columns_init(copy, columns->count, err) < 0)
		return -1;
	copy->target = columns->target;
	for (size_t i = 0; i < columns->count; i++)
		if (!(copy->names[i] = ml_strdup(columns->names[i], err))) {
			ml_columns_free(copy);
			return -1;
		}
	return 0;
}

size_t ml_columns_find(const ml_columns *columns, const char *name)
{
	for (size_t i = 0; i < columns->count; i++)
		if (strcmp(columns->names[i], name) == 0)
			return i;
	return ML_NO_COLUMN;
}

int ml_columns_same_names(const ml_columns *a, const ml_columns *b)
{
	if (a->count != b->count)
		return 0;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->names[i], b->names[i]) != 0)
			return 0;
	return 1;
}

static int compare_name_refs(const void *a, const void *b)
{
	return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

size_t ml_columns_find_duplicate(const ml_columns *columns)
{
	if (columns->count < 2)
		return ML_NO_COLUMN;
	char ***refs = malloc(columns->count * sizeof *refs);
	if (!refs) {
		/* Quadratic fallback keeps the answer right without memory. */
		for (size_t i = 0; i < columns->count; i++)
			for (size_t j = i + 1; j < columns->count; j++)
				if (strcmp(columns->names[i], columns->names[j]) == 0)
					return j;
		return ML_NO_COLUMN;
	}
	for (size_t i = 0; i < columns->count; i++)
		refs[i] = &columns->names[i];
	qsort(refs, columns->count, sizeof *refs, compare_name_refs);
	size_t duplicate = ML_NO_COLUMN;
	for (size_t i = 1; i < columns->count; i++)
		if (strcmp(*refs[i - 1], *refs[i]) == 0) {
			size_t a = (size_t)(refs[i - 1] - columns->names);
			size_t b = (size_t)(refs[i] - columns->names);
			size_t later = a > b ? a : b;
			if (duplicate == ML_NO_COLUMN || later < duplicate)
				duplicate = later;
		}
	free(refs);
	return duplicate;
}

size_t ml_columns_n_features(const ml_columns *columns)
{
	return columns->count - (columns->target != ML_NO_COLUMN ? 1 : 0);
}

/* "N", "N-M" or "N-" as 1-based positions; false when item is not a range. */
static bool parse_range(const char *item, size_t length, size_t count, size_t *first,
			size_t *last)
{
	const char *dash = memchr(item, '-', length);
	int64_t low, high = (int64_t)count;
	size_t low_length = dash ? (size_t)(dash - item) : length;
	if (!ml_parse_int64(item, low_length, 1, INT64_MAX, &low))
		return false;
	if (!dash)
		high = low;
	else if (dash + 1 < item + length &&
		 !ml_parse_int64(dash + 1, length - low_length - 1, 1, INT64_MAX, &high))
		return false;
	*first = (size_t)low;
	*last = (size_t)high;
	return true;
}

int ml_columns_select(const ml_columns *columns, const char *list, bool *selected,
		      ml_error *err)
{
	const char *item = list;
	for (;;) {
		const char *comma = strchr(item, ',');
		size_t length = comma ? (size_t)(comma - item) : strlen(item);
		char name[ML_MAX_NAME_LENGTH + 1];
		size_t first, last;
		if (length > ML_MAX_NAME_LENGTH) {
			ml_error_set(err, "column name too long in '%s'", list);
			return -1;
		}
		memcpy(name, item, length);
		name[length] = '\0';
		size_t index = ml_columns_find(columns, name);
		if (index != ML_NO_COLUMN) {
			selected[index] = true;
		} else if (length > 0 && parse_range(item, length, columns->count, &first, &last)) {
			if (first > last || last > columns->count) {
				ml_error_set(err, "column range '%s' is outside 1-%zu", name,
					     columns->count);
				return -1;
			}
			for (size_t i = first; i <= last; i++)
				selected[i - 1] = true;
		} else {
			ml_error_set(err, "no column '%s' (columns: %s%s%s%s)", name,
				     columns->count > 0 ? columns->names[0] : "",
				     columns->count > 1 ? ", " : "",
				     columns->count > 1 ? columns->names[1] : "",
				     columns->count > 2 ? ", ..." : "");
			return -1;
		}
		if (!comma)
			return 0;
		item = comma + 1;
	}
}

void ml_columns_write(ml_buf *out, const char *key, const ml_columns *columns)
{
	ml_text_write_list(out, key, columns->count, columns->names);
}

void ml_columns_write_target(ml_buf *out, const ml_columns *columns)
{
	ml_text_key(out, "target");
	if (columns->target == ML_NO_COLUMN) {
		ml_text_string(out, "none");
	} else {
		ml_text_size(out, columns->target);
		ml_text_string(out, columns->names[columns->target]);
	}
	ml_text_newline(out);
}

int ml_columns_read(ml_text_reader *reader, const char *key, size_t min_count,
		    ml_columns *columns, ml_error *err)
{
	ml_text_line line;
	size_t count;
	char *const *names;
	memset(columns, 0, sizeof *columns);
	columns->target = ML_NO_COLUMN;
	if (ml_text_read_list(reader, key, ML_MAX_COLUMNS, &line, &count, &names, err) < 0)
		return -1;
	if (count < min_count)
		return ml_text_fail(reader, &line, err, "'%s' needs at least %zu column%s", key,
				    min_count, min_count == 1 ? "" : "s");
	if (ml_columns_init(columns, count, err) < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (!(columns->names[i] = ml_strdup(names[i], err)))
			return -1;
	size_t duplicate = ml_columns_find_duplicate(columns);
	if (duplicate != ML_NO_COLUMN)
		return ml_text_fail(reader, &line, err, "column '%s' is listed twice",
				    columns->names[duplicate]);
	return 0;
}

int ml_columns_read_target(ml_text_reader *reader, ml_columns *columns, bool allow_none,
			   ml_error *err)
{
	ml_text_line line;
	if (ml_text_read_key(reader, "target", ML_TEXT_LIST, &line, err) < 0)
		return -1;
	if (allow_none && line.n_tokens == 2 && strcmp(line.tokens[1], "none") == 0) {
		columns->target = ML_NO_COLUMN;
		return 0;
	}
	size_t target;
	if (ml_text_expect(reader, &line, "target", 2, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, columns->count - 1, &target, err) < 0)
		return -1;
	if (strcmp(line.tokens[2], columns->names[target]) != 0)
		return ml_text_fail(reader, &line, err, "target '%s' is not input %zu",
				    line.tokens[2], target);
	columns->target = target;
	return 0;
}

/* Column lists in messages stop after this many bytes. */
#define LIST_LIMIT 600

/* One column named "a;b;c" is a header read with the wrong delimiter. */
static void hint_delimiter(ml_buf *out, const ml_columns *columns)
{
	static const char *const guesses[][2] = { { ";", "';'" }, { "\t", "'\\t'" },
						   { "|", "'|'" } };
	if (columns->count != 1)
		return;
	for (size_t i = 0; i < sizeof guesses / sizeof guesses[0]; i++)
		if (strchr(columns->names[0], guesses[i][0][0])) {
			ml_buf_printf(out, "; one column only: is the delimiter %s? try -d %s",
				      guesses[i][1], guesses[i][1]);
			return;
		}
}

void ml_columns_list(ml_buf *out, const ml_columns *columns)
{
	size_t start = out->length;
	for (size_t i = 0; i < columns->count; i++) {
		if (out->length - start > LIST_LIMIT) {
			ml_buf_printf(out, ", ... (%zu in all)", columns->count);
			return;
		}
		ml_buf_printf(out, "%s'%s'", i ? ", " : "", columns->names[i]);
	}
	hint_delimiter(out, columns);
}

int ml_columns_resolve_target(const ml_columns *columns, const char *name, const char *source,
			      size_t *target, ml_error *err)
{
	*target = columns->target;
	if (!name)
		return 0;
	size_t named = ml_columns_find(columns, name);
	if (named == ML_NO_COLUMN) {
		ml_buf list;
		ml_buf_init(&list);
		ml_columns_list(&list, columns);
		ml_error_set(err, "%s: no target column '%s' (the columns are %s)", source, name,
			     list.data ? list.data : "none");
		ml_buf_free(&list);
		return -1;
	}
	if (columns->target != ML_NO_COLUMN && named != columns->target) {
		ml_error_set(err, "%s: the target is '%s' already, not '%s'", source,
			     columns->names[columns->target], name);
		return -1;
	}
	*target = named;
	return 0;
}
