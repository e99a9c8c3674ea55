#include "stages/ml_load.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"
#include "core/ml_string_map.h"
#include "math/ml_parallel.h"
#include "stages/ml_stage_impl.h"

/* How a column's text becomes numbers. */
typedef enum { ENCODE_NUMERIC, ENCODE_ONEHOT, ENCODE_ORDINAL } encoding;
/* "ordered" is ordinal in the order the user gave, not sorted: see load_column. */
static const char *const encoding_names[] = { "numeric", "onehot", "ordinal", "ordered", NULL };
enum { ENCODE_ORDERED_NAME = 3 };

typedef struct load_column {
	encoding encoding;
	ml_string_map vocabulary; /* sorted keys once fitted or parsed, unless ordered */
	bool ordered;             /* ordinal codes in the order the user gave (--order) */
} load_column;

typedef struct load_params {
	load_column *columns; /* one per stage input */
	size_t n_columns;
	bool drop_first;      /* one-hot: no output for each column's first category */
	size_t n_na_values;
	char **na_values;
	ml_csv_options csv; /* na_values pointing into the above, for ml_csv_is_missing */
} load_params;

static int set_na_values(load_params *params, const char *const *values, size_t count,
			 ml_error *err);

static void free_params(void *opaque)
{
	load_params *params = opaque;
	if (!params)
		return;
	if (params->columns)
		for (size_t i = 0; i < params->n_columns; i++)
			ml_string_map_free(&params->columns[i].vocabulary);
	free(params->columns);
	for (size_t i = 0; i < params->n_na_values; i++)
		free(params->na_values[i]);
	free(params->na_values);
	free(params);
}

/* Params for n_columns inputs, all numeric, with the given missing strings. */
static load_params *new_params(size_t n_columns, const char *const *na_values,
			       size_t n_na_values, ml_error *err)
{
	load_params *params = calloc(1, sizeof *params);
	if (!params) {
		ml_error_nomem(err);
		return NULL;
	}
	params->columns = ml_calloc_array(n_columns ? n_columns : 1, sizeof *params->columns, err);
	if (!params->columns || set_na_values(params, na_values, n_na_values, err) < 0) {
		free_params(params);
		return NULL;
	}
	params->n_columns = n_columns;
	return params;
}

static load_params *params_of(const ml_stage *stage)
{
	return stage->params;
}

static int set_na_values(load_params *params, const char *const *values, size_t count,
			 ml_error *err)
{
	if (count > ML_MAX_NA_VALUES) {
		ml_error_set(err, "at most %d missing-value strings", ML_MAX_NA_VALUES);
		return -1;
	}
	if (!(params->na_values = ml_calloc_array(count ? count : 1, sizeof(char *), err)))
		return -1;
	ml_csv_options_init(&params->csv);
	for (size_t i = 0; i < count; i++) {
		if (!(params->na_values[i] = ml_strdup(values[i], err)))
			return -1;
		params->n_na_values = i + 1;
		params->csv.na_values[i] = params->na_values[i];
	}
	params->csv.n_na_values = count;
	return 0;
}

/* One-hot outputs start at this category (1 with drop-first). */
static size_t first_onehot(const load_params *params)
{
	return params->drop_first ? 1 : 0;
}

static size_t output_width(const ml_stage *stage, size_t input)
{
	const load_params *params = params_of(stage);
	const load_column *column = &params->columns[input];
	if (column->encoding != ENCODE_ONEHOT)
		return 1;
	return column->vocabulary.count - first_onehot(params);
}

static int derive_outputs(ml_stage *stage, ml_error *err)
{
	size_t total = 0;
	for (size_t i = 0; i < stage->inputs.count; i++)
		total += output_width(stage, i);
	if (total > ML_MAX_COLUMNS) {
		ml_error_set(err, "the load stage would make %zu columns (at most %zu)", total,
			     ML_MAX_COLUMNS);
		return -1;
	}
	if (ml_columns_init(&stage->outputs, total, err) < 0)
		return -1;
	size_t out = 0;
	for (size_t i = 0; i < stage->inputs.count; i++) {
		const load_column *column = &params_of(stage)->columns[i];
		const char *name = stage->inputs.names[i];
		if (i == stage->inputs.target)
			stage->outputs.target = out;
		if (column->encoding != ENCODE_ONEHOT) {
			if (!(stage->outputs.names[out++] = ml_strdup(name, err)))
				return -1;
			continue;
		}
		for (size_t k = first_onehot(params_of(stage)); k < column->vocabulary.count; k++) {
			ml_buf joined;
			ml_buf_init(&joined);
			ml_buf_printf(&joined, "%s=%s", name, column->vocabulary.keys[k]);
			if (joined.failed)
				return ml_error_nomem(err);
			stage->outputs.names[out++] = joined.data;
			if (joined.length > ML_MAX_NAME_LENGTH) {
				/* Binary matrices could not name the column: refuse it here. */
				ml_error_set(err, "column '%s': a category of %zu bytes makes a one-hot"
					     " column name longer than %zu bytes; use --ordinal or drop"
					     " the column with -x", name,
					     strlen(column->vocabulary.keys[k]), ML_MAX_NAME_LENGTH);
				return -1;
			}
		}
	}
	size_t duplicate = ml_columns_find_duplicate(&stage->outputs);
	if (duplicate != ML_NO_COLUMN) {
		ml_error_set(err, "encoding makes column '%s' twice", stage->outputs.names[duplicate]);
		return -1;
	}
	return 0;
}

static void write_params(const ml_stage *stage, ml_buf *out)
{
	const load_params *params = params_of(stage);
	ml_text_write_list(out, "missing", params->n_na_values, params->na_values);
	/* The rest of the dialect, when it is not the default (which format 1 implied). */
	if (params->csv.delimiter != ',') {
		char delimiter[2] = { params->csv.delimiter, '\0' };
		ml_text_write_word(out, "delimiter", delimiter);
	}
	if (!params->csv.header)
		ml_text_write_bool(out, "header", false);
	if (params->csv.lenient_quotes)
		ml_text_write_word(out, "quotes", "lenient");
	if (params->drop_first)
		ml_text_write_bool(out, "drop-first", true);
	for (size_t i = 0; i < stage->inputs.count; i++) {
		const load_column *column = &params->columns[i];
		if (column->encoding == ENCODE_NUMERIC)
			continue;
		ml_text_key(out, "column");
		ml_text_string(out, stage->inputs.names[i]);
		ml_text_string(out, column->ordered ? "ordered" : encoding_names[column->encoding]);
		ml_text_size(out, column->vocabulary.count);
		for (size_t k = 0; k < column->vocabulary.count; k++)
			ml_text_string(out, column->vocabulary.keys[k]);
		ml_text_newline(out);
	}
}

static int parse_column(ml_stage *stage, ml_text_reader *reader, const ml_text_line *line,
			ml_error *err)
{
	load_params *params = params_of(stage);
	size_t choice, count;
	char *const *keys;
	if (line->n_tokens < 4)
		return ml_text_fail(reader, line, err, "expected 'column NAME ENCODING COUNT ...'");
	size_t index = ml_columns_find(&stage->inputs, line->tokens[1]);
	if (index == ML_NO_COLUMN)
		return ml_text_fail(reader, line, err, "'%s' is not an input column",
				    line->tokens[1]);
	load_column *column = &params->columns[index];
	if (column->encoding != ENCODE_NUMERIC || column->vocabulary.count)
		return ml_text_fail(reader, line, err, "column '%s' is described twice",
				    line->tokens[1]);
	if (ml_text_get_choice(reader, line, 2, encoding_names, &choice, err) < 0 ||
	    ml_text_get_list(reader, line, 3, ML_MAX_COLUMNS, &count, &keys, err) < 0)
		return -1;
	if (choice == ENCODE_NUMERIC || count == 0)
		return ml_text_fail(reader, line, err, "column '%s': bad encoding or category count",
				    line->tokens[1]);
	column->ordered = choice == ENCODE_ORDERED_NAME;
	column->encoding = column->ordered ? ENCODE_ORDINAL : (encoding)choice;
	if (index == stage->inputs.target && column->encoding != ENCODE_ORDINAL)
		return ml_text_fail(reader, line, err, "the target can only be ordinal");
	for (size_t k = 0; k < count; k++) {
		const char *key = keys[k];
		if (k > 0 && !column->ordered && strcmp(keys[k - 1], key) >= 0)
			return ml_text_fail(reader, line, err,
					    "column '%s': categories must be sorted and distinct",
					    line->tokens[1]);
		size_t before = column->vocabulary.count;
		if (ml_string_map_intern(&column->vocabulary, key, strlen(key), err) ==
		    ML_STRING_NOT_FOUND)
			return -1;
		if (column->vocabulary.count == before)
			return ml_text_fail(reader, line, err, "column '%s': category '%s' twice",
					    line->tokens[1], key);
	}
	return 0;
}

/*
 * The optional dialect lines after "missing", in this order; line gets the
 * first line after them.
 */
static int parse_dialect(ml_text_reader *reader, ml_csv_options *csv, ml_text_line *line,
			 ml_error *err)
{
	static const char *const quotes[] = { "strict", "lenient", NULL };
	size_t choice;
	if (ml_text_next_required(reader, line, "end", err) < 0)
		return -1;
	if (ml_text_is(line, "delimiter")) {
		const char *text;
		if (ml_text_expect(reader, line, "delimiter", 1, err) < 0)
			return -1;
		text = line->tokens[1];
		if (strlen(text) != 1 || strchr("\"\r\n", text[0]))
			return ml_text_fail(reader, line, err, "'delimiter' must be one character,"
					    " not a quote or a line end");
		csv->delimiter = text[0];
		if (ml_text_next_required(reader, line, "end", err) < 0)
			return -1;
	}
	if (ml_text_is(line, "header")) {
		static const char *const booleans[] = { "false", "true", NULL };
		if (ml_text_expect(reader, line, "header", 1, err) < 0 ||
		    ml_text_get_choice(reader, line, 1, booleans, &choice, err) < 0)
			return -1;
		csv->header = choice == 1;
		if (ml_text_next_required(reader, line, "end", err) < 0)
			return -1;
	}
	if (ml_text_is(line, "quotes")) {
		if (ml_text_expect(reader, line, "quotes", 1, err) < 0 ||
		    ml_text_get_choice(reader, line, 1, quotes, &choice, err) < 0)
			return -1;
		csv->lenient_quotes = choice == 1;
		if (ml_text_next_required(reader, line, "end", err) < 0)
			return -1;
	}
	return 0;
}

/* "drop-first true", optional, before the columns. */
static int parse_drop_first(ml_text_reader *reader, load_params *params, ml_text_line *line,
			    ml_error *err)
{
	if (!ml_text_is(line, "drop-first"))
		return 0;
	static const char *const booleans[] = { "false", "true", NULL };
	size_t choice;
	if (ml_text_expect(reader, line, "drop-first", 1, err) < 0 ||
	    ml_text_get_choice(reader, line, 1, booleans, &choice, err) < 0)
		return -1;
	params->drop_first = choice == 1;
	return ml_text_next_required(reader, line, "end", err);
}

static int parse_params(ml_stage *stage, ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	size_t count;
	char *const *values;
	if (ml_text_read_list(reader, "missing", ML_MAX_NA_VALUES, &line, &count, &values,
			      err) < 0)
		return -1;
	stage->params = new_params(stage->inputs.count, (const char *const *)values, count, err);
	if (!stage->params)
		return -1;
	if (parse_dialect(reader, &params_of(stage)->csv, &line, err) < 0 ||
	    parse_drop_first(reader, params_of(stage), &line, err) < 0)
		return -1;
	for (;;) {
		if (!ml_text_is(&line, "column"))
			return ml_text_expect_end(reader, &line, "a load stage", err);
		if (parse_column(stage, reader, &line, err) < 0 ||
		    ml_text_next_required(reader, &line, "end", err) < 0)
			return -1;
	}
}

size_t ml_load_number_cell(const ml_stage *stage, size_t input)
{
	const load_params *params = params_of(stage);
	if (params->columns[input].encoding != ENCODE_NUMERIC)
		return ML_NO_COLUMN;
	size_t cell = 0;
	for (size_t i = 0; i < input; i++)
		cell += output_width(stage, i);
	return cell;
}

void ml_load_fill_dialect(const ml_stage *stage, ml_csv_options *csv)
{
	const ml_csv_options *recorded = &params_of(stage)->csv;
	if (!csv->delimiter_given)
		csv->delimiter = recorded->delimiter;
	if (!csv->header_given)
		csv->header = recorded->header;
	if (!csv->quotes_given)
		csv->lenient_quotes = recorded->lenient_quotes;
	if (!csv->na_given) {
		csv->n_na_values = recorded->n_na_values;
		memcpy(csv->na_values, recorded->na_values,
		       recorded->n_na_values * sizeof *csv->na_values);
	}
}

bool ml_stage_is_load(const ml_stage *stage)
{
	return stage->kind == &ml_load_stage_kind;
}

char *const *ml_load_class_names(const ml_stage *stage, size_t *count)
{
	*count = 0;
	if (!ml_stage_is_load(stage) || stage->inputs.target == ML_NO_COLUMN)
		return NULL;
	const load_column *column = &params_of(stage)->columns[stage->inputs.target];
	if (column->encoding != ENCODE_ORDINAL)
		return NULL;
	*count = column->vocabulary.count;
	return column->vocabulary.keys;
}

const ml_stage_kind ml_load_stage_kind = {
	.name = "load",
	.derive_outputs = derive_outputs,
	.apply = NULL, /* its input is text: see ml_load_apply_record */
	.write = write_params,
	.parse = parse_params,
	.free_params = free_params,
	.class_names = ml_load_class_names,
};

void ml_load_options_init(ml_load_options *options)
{
	memset(options, 0, sizeof *options);
	ml_csv_options_init(&options->csv);
	options->max_categories = ML_DEFAULT_MAX_CATEGORIES;
}

/*
 * The vocabulary key of a non-missing field: numbers by their shortest
 * exact form, so that "1.0" and "1" are the same category.
 */
static const char *category_key(const ml_field *field, char *digits, size_t *length)
{
	double value;
	if (ml_parse_double(field->text, field->length, &value)) {
		*length = ml_format_double(value, digits);
		return digits;
	}
	*length = field->length;
	return field->text;
}

/*
 * What a cell's text turned out to be, found ahead (convert_ahead): text is
 * valid UTF-8 and numbered in its chunk's own vocabulary of the column.
 */
enum { CELL_NUMBER, CELL_MISSING, CELL_TEXT, CELL_OTHER };

/*
 * The cells of one chunk's records, converted in the thread that parsed
 * the chunk (parallel reading): the reading thread then only copies the
 * numbers, and takes the sequential path (fit_cell) for anything else.
 * In place (fit_state.in_place), the numbers go straight into the rows.
 */
typedef struct converted {
	double *values;       /* records x n_used (not in place) */
	size_t *lines;        /* the line of each record (not in place) */
	unsigned char *kinds; /* CELL_* */
	size_t capacity;      /* cells */
	bool valid;           /* this slot's chunk was converted */
	bool in_place;        /* its numbers are in the rows from first_row on */
	bool clean;           /* every record a row, every cell a number or missing */
	/*
	 * Every record a row, every cell a number, missing or text: the
	 * reading thread takes the chunk whole (merge_chunk), numbering the
	 * chunk's categories anew instead of reading every text cell.
	 */
	bool mergeable;
	ml_string_map *local; /* per used column: the chunk's text values, numbered */
	size_t first_row, n_records;
} converted;

typedef struct fit_state {
	const ml_load_options *options;
	const char *source;
	const ml_columns *csv_columns;
	size_t n_used;
	size_t *csv_index;  /* used column -> CSV column */
	load_params *params;
	double *values;     /* rows x n_used: numbers, or category codes */
	size_t *lines;      /* the line each row starts on */
	size_t n_rows, row_capacity;
	size_t target;      /* the target among the used columns, or ML_NO_COLUMN */
	size_t n_dropped;   /* rows left out for a missing target */
	converted *ahead;   /* per slot of the parallel reader, or NULL */
	size_t n_ahead;
	/*
	 * A file parsed in chunks, its lines counted: values holds a row for
	 * each line from the start, and the chunk threads write each chunk's
	 * numbers (and lines) in place, at rows no earlier chunk reaches (see
	 * ml_csv_chunk_line), touching the new memory on their own threads.
	 * The reading thread moves them down when lines held no row (a header,
	 * blank lines, line ends in quotes) and fills in what is not a number.
	 */
	bool in_place;
	bool whole_chunks;     /* chunks may be taken whole, in place or not (take_whole_chunk) */
	size_t header_records; /* records before the first row: the header */
	bool na_is_number;     /* a missing-value string reads as a number (--na -999) */
} fit_state;

static int make_categorical(fit_state *state, size_t column, ml_error *err)
{
	load_column *target = &state->params->columns[column];
	target->encoding = ENCODE_ONEHOT;
	char digits[ML_DOUBLE_BUFSIZE];
	for (size_t r = 0; r < state->n_rows; r++) {
		double *cell = &state->values[r * state->n_used + column];
		if (isnan(*cell))
			continue;
		size_t length = ml_format_double(*cell, digits);
		size_t code = ml_string_map_intern(&target->vocabulary, digits, length, err);
		if (code == ML_STRING_NOT_FOUND)
			return -1;
		*cell = (double)code;
	}
	return 0;
}

static int too_many_categories(const fit_state *state, size_t column, ml_error *err)
{
	ml_error_set(err, "%s: column '%s' has more than %zu distinct values; one-hot encoding"
		     " would make as many columns: use --ordinal, drop it with -x, or raise"
		     " --max-categories", state->source,
		     state->csv_columns->names[state->csv_index[column]],
		     state->options->max_categories);
	return -1;
}

/* A category of a column not ordered by the user: its code, counted against the limit. */
static int fit_key(fit_state *state, size_t column, const char *key, size_t length,
		   double *cell, ml_error *err)
{
	ml_string_map *vocabulary = &state->params->columns[column].vocabulary;
	size_t code = ml_string_map_intern(vocabulary, key, length, err);
	if (code == ML_STRING_NOT_FOUND)
		return -1;
	*cell = (double)code;
	/* A one-hot column stops counting at the limit (10M distinct values cost gigabytes). */
	if (vocabulary->count > state->options->max_categories &&
	    column != state->target && !state->options->ordinal)
		return too_many_categories(state, column, err);
	return 0;
}

static int fit_cell(fit_state *state, const ml_record *record, size_t column, double *cell,
		    ml_error *err)
{
	const ml_field *field = &record->fields[state->csv_index[column]];
	load_column *encoded = &state->params->columns[column];
	if (ml_csv_is_missing(&state->params->csv, field->text, field->length)) {
		*cell = NAN;
		return 0;
	}
	if (encoded->encoding == ENCODE_NUMERIC) {
		if (ml_parse_double(field->text, field->length, cell))
			return 0;
		if (make_categorical(state, column, err) < 0)
			return -1;
	}
	if (!ml_utf8_valid(field->text, field->length)) {
		ml_error_set(err, "%s:%zu: column '%s': value is not UTF-8 text (is this a CSV"
			     " file?)", state->source, record->line,
			     state->csv_columns->names[state->csv_index[column]]);
		return -1;
	}
	char digits[ML_DOUBLE_BUFSIZE];
	size_t length;
	const char *key = category_key(field, digits, &length);
	if (encoded->ordered) {
		size_t code = ml_string_map_find(&encoded->vocabulary, key, length);
		if (code == ML_STRING_NOT_FOUND) {
			ml_error_set(err, "%s:%zu: column '%s': '%.40s' is not one of the categories"
				     " --order lists", state->source, record->line,
				     state->csv_columns->names[state->csv_index[column]], field->text);
			return -1;
		}
		*cell = (double)code;
		return 0;
	}
	return fit_key(state, column, key, length, cell, err);
}

/*
 * --order COLUMN=a,b,c: the column is ordinal, its categories those, in
 * that order (numbers keyed by their shortest form, as in the data).
 */
static int apply_order(fit_state *state, const char *spec, ml_error *err)
{
	const char *equals = strchr(spec, '=');
	if (!equals || equals == spec || !equals[1]) {
		ml_error_set(err, "--order: expected COLUMN=a,b,c, not '%s'", spec);
		return -1;
	}
	size_t name_length = (size_t)(equals - spec), column = ML_NO_COLUMN;
	for (size_t c = 0; c < state->n_used; c++) {
		const char *name = state->csv_columns->names[state->csv_index[c]];
		if (strlen(name) == name_length && memcmp(name, spec, name_length) == 0)
			column = c;
	}
	if (column == ML_NO_COLUMN) {
		ml_error_set(err, "%s: --order: no column '%.*s'", state->source, (int)name_length,
			     spec);
		return -1;
	}
	load_column *encoded = &state->params->columns[column];
	if (encoded->ordered) {
		ml_error_set(err, "--order: column '%.*s' is ordered twice", (int)name_length, spec);
		return -1;
	}
	encoded->ordered = true;
	encoded->encoding = ENCODE_ORDINAL;
	for (const char *item = equals + 1;;) {
		size_t length = strcspn(item, ",");
		char digits[ML_DOUBLE_BUFSIZE];
		ml_field field = { item, length };
		size_t key_length, before = encoded->vocabulary.count;
		const char *key = category_key(&field, digits, &key_length);
		if (length == 0 || ml_string_map_intern(&encoded->vocabulary, key, key_length,
							err) == ML_STRING_NOT_FOUND) {
			if (length == 0)
				ml_error_set(err, "--order: an empty category in '%s'", spec);
			return -1;
		}
		if (encoded->vocabulary.count == before) {
			ml_error_set(err, "--order: '%.*s' twice in '%s'", (int)length, item, spec);
			return -1;
		}
		if (!item[length])
			return 0;
		item += length + 1;
	}
}

/*
 * An array of count elements holding the first `kept` of old (freed), in
 * memory advised for huge pages before the copy touches it: realloc copied
 * 160 MB of rows into fresh 4 KiB pages here, 40,000 page faults.
 */
static void *regrow(void *old, size_t kept, size_t count, size_t size, ml_error *err)
{
	unsigned char *grown = ml_alloc_array(count, size, err);
	if (!grown)
		return NULL;
	ml_advise_huge_pages(grown, count * size);
	if (kept)
		memcpy(grown, old, kept * size);
	free(old);
	return grown;
}

/* Room for more rows; out of memory names the input and the line that needed it. */
static int grow_rows(fit_state *state, size_t line, ml_error *err)
{
	if (state->in_place) {
		/* Never: a line holds at most one row.  The chunk threads write into values. */
		ml_error_set(err, "%s:%zu: more rows than lines", state->source, line);
		return -1;
	}
	size_t capacity = state->row_capacity ? state->row_capacity * 2
					      : ml_block_rows(state->n_used, 1024);
	size_t cells = SIZE_MAX;
	double *values = NULL;
	size_t *lines = NULL;
	if (ml_size_mul(capacity, state->n_used ? state->n_used : 1, &cells) &&
	    (values = regrow(state->values, state->n_rows * state->n_used, cells, sizeof *values,
			     err)))
		state->values = values;
	if (values && (lines = regrow(state->lines, state->n_rows, capacity, sizeof *lines, err)))
		state->lines = lines;
	if (!lines) {
		ml_error_set(err, "%s:%zu: out of memory keeping %zu rows of %zu columns",
			     state->source, line, capacity, state->n_used);
		return -1;
	}
	state->row_capacity = capacity;
	return 0;
}

/*
 * A chunk function (ml_csv_reader_set_chunk_fn), run on the parser's
 * thread: it only reads the state, which does not change while rows are
 * read, and writes its own slot.
 */
/*
 * Where a chunk's rows go in place: after every row that the records
 * before it can make (fewer than its first line, the header not a row).
 * False for the chunk that holds the header, and without room.
 */
static bool place_of(const fit_state *state, const ml_csv_chunk *chunk, size_t *first_row)
{
	size_t n_records = ml_csv_chunk_records(chunk);
	if (!state->in_place || n_records == 0)
		return false;
	size_t lines_before = ml_csv_chunk_line(chunk, 0) - 1;
	if (lines_before < state->header_records)
		return false;
	*first_row = lines_before - state->header_records;
	return *first_row <= state->row_capacity &&
	       n_records <= state->row_capacity - *first_row;
}

/*
 * Room for a chunk's cells in its slot: the kinds, and the values and
 * lines unless in place (n_used cells a record).
 */
static bool reserve_cells(converted *into, size_t cells, size_t n_used, bool in_place)
{
	if (cells <= into->capacity && (in_place || into->values))
		return true;
	free(into->values);
	free(into->lines);
	free(into->kinds);
	into->values = in_place ? NULL : malloc(cells * sizeof *into->values);
	into->lines = in_place ? NULL : malloc((cells / n_used + 1) * sizeof *into->lines);
	into->kinds = malloc(cells ? cells : 1);
	into->capacity = (in_place || (into->values && into->lines)) && into->kinds ? cells : 0;
	return into->capacity == cells;
}

/* How a record converted ahead can be taken (convert_record). */
enum { RECORD_CLEAN = 1, RECORD_MERGEABLE = 2 };

/*
 * A cell that is neither a number nor missing: valid UTF-8 text gets its
 * number in the chunk's vocabulary of the column (CELL_TEXT), anything
 * else is left to the reading thread (CELL_OTHER).
 */
static unsigned char convert_text(ml_string_map *local, ml_field field, double *value)
{
	ml_error ignored;
	if (!local || !ml_utf8_valid(field.text, field.length))
		return CELL_OTHER;
	size_t code = ml_string_map_intern(local, field.text, field.length, &ignored);
	if (code == ML_STRING_NOT_FOUND)
		return CELL_OTHER;
	*value = (double)code;
	return CELL_TEXT;
}

/*
 * Converts one record's cells: numbers into values, text numbered in
 * local (one map per used column, or NULL), kinds per cell.  RECORD_*
 * flags: whether the record will be a row holding only numbers and
 * missing values, or one that merge_chunk can take.
 */
static int convert_record(const fit_state *state, const ml_csv_chunk *chunk, size_t record,
			  double *values, unsigned char *kinds, ml_string_map *local)
{
	size_t n_used = state->n_used;
	if (ml_csv_chunk_fields(chunk, record) != state->csv_columns->count) {
		memset(kinds, CELL_OTHER, n_used); /* a ragged row: ml_csv_next refuses it */
		return 0;
	}
	int flags = RECORD_CLEAN | RECORD_MERGEABLE;
	for (size_t c = 0; c < n_used; c++) {
		ml_field field = ml_csv_chunk_field(chunk, record, state->csv_index[c]);
		/* A number is no missing value unless one of them reads as a number. */
		if (!state->na_is_number && ml_parse_double(field.text, field.length, &values[c])) {
			kinds[c] = CELL_NUMBER;
		} else if (ml_csv_is_missing(&state->params->csv, field.text, field.length)) {
			kinds[c] = CELL_MISSING;
			values[c] = NAN;
			/* A dropped row (a missing target) is no row: the records go one by one. */
			if (c == state->target && state->options->drop_missing_target)
				flags = 0;
		} else if (ml_parse_double(field.text, field.length, &values[c])) {
			kinds[c] = CELL_NUMBER;
		} else {
			kinds[c] = convert_text(local ? &local[c] : NULL, field, &values[c]);
			flags &= kinds[c] == CELL_TEXT ? RECORD_MERGEABLE : 0;
		}
	}
	return flags;
}

/* The slot's vocabularies emptied for a new chunk, made at the first; NULL without memory. */
static ml_string_map *reset_local(converted *into, size_t n_used)
{
	if (!into->local)
		into->local = calloc(n_used, sizeof *into->local);
	else
		for (size_t c = 0; c < n_used; c++)
			ml_string_map_free(&into->local[c]);
	return into->local;
}

static void convert_ahead(void *context, size_t slot, const ml_csv_chunk *chunk)
{
	const fit_state *state = context;
	converted *into = &state->ahead[slot];
	size_t n_records = ml_csv_chunk_records(chunk), n_used = state->n_used, cells;
	into->valid = false;
	into->in_place = place_of(state, chunk, &into->first_row);
	if (!ml_size_mul(n_records, n_used, &cells) ||
	    !reserve_cells(into, cells, n_used, into->in_place))
		return; /* the reading thread does it all */
	/* Text is numbered ahead only where merge_chunk can take it. */
	bool whole = into->in_place || state->whole_chunks;
	ml_string_map *local = whole ? reset_local(into, n_used) : NULL;
	double *rows = into->in_place ? state->values + into->first_row * n_used : into->values;
	size_t *lines = into->in_place ? state->lines + into->first_row : into->lines;
	int flags = RECORD_CLEAN | RECORD_MERGEABLE;
	for (size_t r = 0; r < n_records; r++) {
		flags &= convert_record(state, chunk, r, rows + r * n_used,
					into->kinds + r * n_used, local);
		lines[r] = ml_csv_chunk_line(chunk, r);
	}
	into->clean = flags & RECORD_CLEAN;
	into->mergeable = local && (flags & RECORD_MERGEABLE);
	into->n_records = n_records;
	into->valid = true;
}

static void stop_converting_ahead(fit_state *state, ml_csv_reader *csv)
{
	if (state->ahead)
		ml_csv_reader_set_chunk_fn(csv, NULL, NULL);
	for (size_t i = 0; i < state->n_ahead; i++) {
		converted *slot = &state->ahead[i];
		free(slot->values);
		free(slot->lines);
		free(slot->kinds);
		for (size_t c = 0; slot->local && c < state->n_used; c++)
			ml_string_map_free(&slot->local[c]);
		free(slot->local);
	}
	free(state->ahead);
	state->ahead = NULL;
	state->n_ahead = 0;
}

/* With a parallel reader, the numbers are converted on its threads. */
static void start_converting_ahead(fit_state *state, ml_csv_reader *csv)
{
	size_t n_slots = ml_csv_reader_slots(csv);
	const ml_csv_options *csv_options = &state->params->csv;
	for (size_t i = 0; i < csv_options->n_na_values; i++) {
		const char *na = csv_options->na_values[i];
		double ignored;
		state->na_is_number |= ml_parse_double(na, strlen(na), &ignored);
	}
	if (!n_slots || !(state->ahead = calloc(n_slots, sizeof *state->ahead)))
		return;
	state->whole_chunks = ml_csv_reader_parallel(csv);
	state->n_ahead = n_slots;
	ml_csv_reader_set_chunk_fn(csv, convert_ahead, state);
}

/* The row's cells that were converted ahead; the others by fit_cell. */
static int fit_row(fit_state *state, ml_csv_reader *csv, const ml_record *record, double *row,
		   ml_error *err)
{
	const converted *ahead = NULL;
	size_t slot, index;
	if (state->ahead) {
		ml_csv_reader_chunk_position(csv, &slot, &index);
		if (state->ahead[slot].valid)
			ahead = &state->ahead[slot];
	}
	const unsigned char *kinds = ahead ? ahead->kinds + index * state->n_used : NULL;
	const double *values = !ahead ? NULL
			       : ahead->in_place ? state->values + (ahead->first_row + index) * state->n_used
						 : ahead->values + index * state->n_used;
	for (size_t c = 0; c < state->n_used; c++) {
		if (kinds && kinds[c] == CELL_MISSING) {
			row[c] = NAN;
			continue;
		}
		if (kinds && kinds[c] == CELL_NUMBER &&
		    state->params->columns[c].encoding == ENCODE_NUMERIC) {
			row[c] = values[c];
			continue;
		}
		if (fit_cell(state, record, c, &row[c], err) < 0)
			return -1;
	}
	return 0;
}

/*
 * With the lines of the input counted (a file in chunks), room for a row
 * per line at once, for the chunk threads to write in place.  Untouched
 * memory costs nothing; without it (allocation refused) rows grow.
 */
static void reserve_in_place(fit_state *state, ml_csv_reader *csv)
{
	size_t lines = ml_csv_reader_line_bound(csv), cells;
	ml_error ignored;
	if (!lines || !ml_csv_reader_parallel(csv) || !ml_size_mul(lines, state->n_used, &cells))
		return;
	double *values = ml_alloc_array(cells, sizeof *values, &ignored);
	size_t *line_of = values ? ml_alloc_array(lines, sizeof *line_of, &ignored) : NULL;
	if (!line_of) {
		free(values);
		return;
	}
	ml_advise_huge_pages(values, cells * sizeof *values);
	ml_advise_huge_pages(line_of, lines * sizeof *line_of);
	state->values = values;
	state->lines = line_of;
	state->row_capacity = lines;
	state->header_records = ml_csv_reader_has_header(csv) ? 1 : 0;
	state->in_place = true;
}

/* Whether every column still reads numbers (no category met, none asked for). */
static bool all_numeric(const fit_state *state)
{
	for (size_t c = 0; c < state->n_used; c++)
		if (state->params->columns[c].encoding != ENCODE_NUMERIC)
			return false;
	return true;
}

/* Whether any column is ordered by the user (--order): merge_chunk leaves those alone. */
static bool any_ordered(const fit_state *state)
{
	for (size_t c = 0; c < state->n_used; c++)
		if (state->params->columns[c].ordered)
			return true;
	return false;
}

/*
 * Puts a chunk's rows after the rows before: moved down when converted in
 * place, else copied from the slot (rows growing for them).
 */
static int place_rows(fit_state *state, const converted *ahead, ml_error *err)
{
	size_t n_used = state->n_used, n = ahead->n_records;
	if (!ahead->in_place) {
		while (state->row_capacity - state->n_rows < n)
			if (grow_rows(state, ahead->lines[0], err) < 0)
				return -1;
		memcpy(state->values + state->n_rows * n_used, ahead->values,
		       n * n_used * sizeof *state->values);
		memcpy(state->lines + state->n_rows, ahead->lines, n * sizeof *state->lines);
		return 0;
	}
	if (ahead->first_row == state->n_rows)
		return 0;
	memmove(state->values + state->n_rows * n_used, state->values + ahead->first_row * n_used,
		n * n_used * sizeof *state->values);
	memmove(state->lines + state->n_rows, state->lines + ahead->first_row,
		n * sizeof *state->lines);
	return 0;
}

/*
 * One cell of a merged row that is not a number of a numeric column, as
 * fit_cell would fit it: remap[c] gives each text value's code once its
 * chunk-local number was met.
 */
static int merge_cell(fit_state *state, const converted *ahead, size_t column,
		      unsigned char kind, double *cell, size_t *remap, ml_error *err)
{
	load_column *encoded = &state->params->columns[column];
	if (kind == CELL_MISSING || (kind == CELL_NUMBER && encoded->encoding == ENCODE_NUMERIC))
		return 0;
	if (kind == CELL_NUMBER) {
		char digits[ML_DOUBLE_BUFSIZE];
		size_t length = ml_format_double(*cell, digits);
		return fit_key(state, column, digits, length, cell, err);
	}
	size_t local = (size_t)*cell;
	if (remap[local] != ML_STRING_NOT_FOUND) {
		*cell = (double)remap[local];
		return 0;
	}
	if (encoded->encoding == ENCODE_NUMERIC && make_categorical(state, column, err) < 0)
		return -1;
	const char *key = ahead->local[column].keys[local];
	if (fit_key(state, column, key, strlen(key), cell, err) < 0)
		return -1;
	remap[local] = (size_t)*cell;
	return 0;
}

/*
 * Takes a mergeable chunk's rows whole: its text values are fitted once
 * per distinct value, at their first row, and every cell in row order, so
 * that codes, the column turning categorical (make_categorical sees the
 * rows before) and the first error are those of record by record.
 */
static int merge_chunk(fit_state *state, const converted *ahead, ml_error *err)
{
	size_t n_used = state->n_used, base = state->n_rows, n_remap = 0;
	if (place_rows(state, ahead, err) < 0)
		return -1;
	size_t *columns = ml_alloc_array(n_used, sizeof *columns, err), n_columns = 0;
	size_t *offsets = ml_alloc_array(n_used, sizeof *offsets, err);
	for (size_t c = 0; columns && offsets && c < n_used; c++) {
		offsets[c] = n_remap;
		n_remap += ahead->local[c].count;
		if (ahead->local[c].count || state->params->columns[c].encoding != ENCODE_NUMERIC)
			columns[n_columns++] = c;
	}
	size_t *remap = columns && offsets ? ml_alloc_array(n_remap + 1, sizeof *remap, err) : NULL;
	int status = remap ? 0 : -1;
	for (size_t i = 0; remap && i < n_remap; i++)
		remap[i] = ML_STRING_NOT_FOUND;
	for (size_t r = 0; status == 0 && r < ahead->n_records; r++) {
		state->n_rows = base + r;
		double *row = state->values + (base + r) * n_used;
		const unsigned char *kinds = ahead->kinds + r * n_used;
		for (size_t i = 0; status == 0 && i < n_columns; i++) {
			size_t c = columns[i];
			status = merge_cell(state, ahead, c, kinds[c], &row[c], remap + offsets[c], err);
		}
	}
	state->n_rows = base + (status == 0 ? ahead->n_records : 0);
	free(columns);
	free(offsets);
	free(remap);
	return status;
}

/*
 * At the first record of a chunk converted in place, clean or mergeable:
 * its rows are final once moved down to follow the rows before (and, with
 * text or categories, merged); its records are skipped.  0 when the
 * records must go one by one, 1 when taken, -1 on an error.
 */
static int take_whole_chunk(fit_state *state, ml_csv_reader *csv, ml_error *err)
{
	size_t slot, index;
	ml_csv_reader_chunk_position(csv, &slot, &index);
	const converted *ahead = &state->ahead[slot];
	if (index != 0 || !ahead->valid || !(ahead->in_place || state->whole_chunks) ||
	    ahead->n_records == 0)
		return 0;
	if (ahead->clean && all_numeric(state)) {
		if (place_rows(state, ahead, err) < 0)
			return -1;
		state->n_rows += ahead->n_records;
	} else if (ahead->mergeable && !any_ordered(state)) {
		if (merge_chunk(state, ahead, err) < 0)
			return -1;
	} else {
		return 0;
	}
	ml_csv_reader_skip_chunk(csv);
	return 1;
}

/* Gives back the room of the lines that held no row. */
static void trim_in_place(fit_state *state)
{
	if (!state->in_place || state->n_rows == state->row_capacity)
		return;
	size_t rows = state->n_rows ? state->n_rows : 1;
	double *values = realloc(state->values, rows * state->n_used * sizeof *values);
	if (values)
		state->values = values;
	size_t *lines = realloc(state->lines, rows * sizeof *lines);
	if (lines)
		state->lines = lines;
}

static int fit_rows(fit_state *state, ml_csv_reader *csv, ml_error *err)
{
	ml_record record;
	int got;
	reserve_in_place(state, csv);
	start_converting_ahead(state, csv);
	while ((got = ml_csv_next(csv, &record, err)) > 0) {
		int taken = state->ahead ? take_whole_chunk(state, csv, err) : 0;
		if (taken < 0)
			return -1;
		if (taken)
			continue;
		if (state->options->drop_missing_target && state->target != ML_NO_COLUMN) {
			/* Before the other cells: its categories must not count. */
			const ml_field *field = &record.fields[state->csv_index[state->target]];
			if (ml_csv_is_missing(&state->params->csv, field->text, field->length)) {
				state->n_dropped++;
				continue;
			}
		}
		if (state->n_rows == state->row_capacity && grow_rows(state, record.line, err) < 0)
			return -1;
		double *row = state->values + state->n_rows * state->n_used;
		if (fit_row(state, csv, &record, row, err) < 0)
			return -1;
		state->lines[state->n_rows++] = record.line;
	}
	return got;
}

/* Sorts a fitted column's vocabulary by bytes and renumbers its codes. */
static int sort_vocabulary(fit_state *state, size_t column, ml_error *err)
{
	ml_string_map *map = &state->params->columns[column].vocabulary;
	size_t *renumber = ml_alloc_array(map->count + 1, sizeof *renumber, err);
	if (!renumber || ml_string_map_sort(map, NULL, renumber, err) < 0) {
		free(renumber);
		return -1;
	}
	for (size_t r = 0; r < state->n_rows; r++) {
		double *cell = &state->values[r * state->n_used + column];
		if (!isnan(*cell))
			*cell = (double)renumber[(size_t)*cell];
	}
	free(renumber);
	return 0;
}

/* Which CSV columns the stage reads: -c/-x, with the target always kept. */
static int choose_columns(fit_state *state, const ml_columns *csv, size_t *target,
			  ml_error *err)
{
	const ml_load_options *options = state->options;
	bool *keep = ml_calloc_array(csv->count, sizeof *keep, err);
	bool *drop = ml_calloc_array(csv->count, sizeof *drop, err);
	int status = -1;
	if (!keep || !drop)
		goto done;
	if (ml_columns_resolve_target(csv, options->target, state->source, target, err) < 0)
		goto done;
	if (options->keep && ml_columns_select(csv, options->keep, keep, err) < 0)
		goto done;
	if (options->drop && ml_columns_select(csv, options->drop, drop, err) < 0)
		goto done;
	if (*target != ML_NO_COLUMN && drop[*target]) {
		ml_error_set(err, "the target column '%s' cannot be dropped", options->target);
		goto done;
	}
	if (!(state->csv_index = ml_alloc_array(csv->count, sizeof *state->csv_index, err)))
		goto done;
	for (size_t i = 0; i < csv->count; i++)
		if ((!options->keep || keep[i] || i == *target) && !drop[i])
			state->csv_index[state->n_used++] = i;
	if (state->n_used == 0) {
		ml_error_set(err, "%s: no columns left to load", state->source);
		goto done;
	}
	status = 0;
done:
	free(keep);
	free(drop);
	return status;
}

static int build_inputs(fit_state *state, const ml_columns *csv, size_t csv_target,
			ml_columns *inputs, ml_error *err)
{
	if (ml_columns_init(inputs, state->n_used, err) < 0)
		return -1;
	for (size_t c = 0; c < state->n_used; c++) {
		size_t index = state->csv_index[c];
		if (index == csv_target)
			inputs->target = c;
		if (!(inputs->names[c] = ml_strdup(csv->names[index], err)))
			return -1;
	}
	return 0;
}

/* --categorical names CSV columns, like -c and -x. */
static int force_categorical(fit_state *state, ml_error *err)
{
	if (!state->options->categorical)
		return 0;
	const ml_columns *csv = state->csv_columns;
	bool *chosen = ml_calloc_array(csv->count, sizeof *chosen, err);
	if (!chosen || ml_columns_select(csv, state->options->categorical, chosen, err) < 0) {
		free(chosen);
		return -1;
	}
	for (size_t c = 0; c < state->n_used; c++)
		if (chosen[state->csv_index[c]])
			state->params->columns[c].encoding = ENCODE_ONEHOT;
	free(chosen);
	return 0;
}

/* Sorts vocabularies, picks each categorical column's encoding and checks limits. */
static int settle_encodings(fit_state *state, const ml_columns *inputs, ml_error *err)
{
	for (size_t c = 0; c < state->n_used; c++) {
		load_column *column = &state->params->columns[c];
		if (column->encoding == ENCODE_NUMERIC)
			continue;
		if (!column->ordered && sort_vocabulary(state, c, err) < 0)
			return -1;
		if (c == inputs->target || state->options->ordinal)
			column->encoding = ENCODE_ORDINAL;
		if (column->vocabulary.count == 0) {
			/* Forced categorical but only missing values: nothing to encode. */
			column->encoding = ENCODE_NUMERIC;
		} else if (column->encoding == ENCODE_ONEHOT &&
			   column->vocabulary.count > state->options->max_categories) {
			return too_many_categories(state, c, err);
		}
	}
	if (state->n_used == 1 && !state->options->csv.delimiter_given &&
	    state->params->columns[0].encoding != ENCODE_NUMERIC &&
	    strpbrk(inputs->names[0], ";\t|")) {
		ml_error_set(err, "%s: only one column, named '%s'; is the delimiter wrong?"
			     " try -d ';' or -d '\\t'", state->source, inputs->names[0]);
		return -1;
	}
	return 0;
}

/* One row of codes and numbers (the used columns), one-hot expanded into out. */
static void encode_row(const ml_stage *stage, const double *in, double *out)
{
	const load_params *params = params_of(stage);
	size_t first = first_onehot(params);
	for (size_t c = 0; c < params->n_columns; c++) {
		const load_column *column = &params->columns[c];
		if (column->encoding != ENCODE_ONEHOT) {
			*out++ = in[c];
			continue;
		}
		size_t k = column->vocabulary.count - first;
		for (size_t i = 0; i < k; i++)
			out[i] = isnan(in[c]) ? NAN : (double)(i + first == (size_t)in[c]);
		out += k;
	}
}

/* Writes the encoded rows (one-hot expanded) into dataset->values. */
static int encode_rows(fit_state *state, const ml_stage *stage, ml_dataset *dataset,
		       ml_error *err)
{
	size_t width = stage->outputs.count, cells;
	bool any_onehot = false;
	for (size_t c = 0; c < state->n_used; c++)
		any_onehot |= params_of(stage)->columns[c].encoding == ENCODE_ONEHOT;
	if (!any_onehot || state->options->encode_on_write) {
		/* Nothing to expand, or not now: the parsed rows are the rows. */
		dataset->values = state->values;
		state->values = NULL;
		dataset->n_rows = state->n_rows;
		dataset->encoder = any_onehot ? stage : NULL;
		return 0;
	}
	if (!ml_size_mul(state->n_rows, width, &cells) ||
	    !(dataset->values = ml_alloc_array(cells ? cells : 1, sizeof(double), err))) {
		ml_error_set(err, "%s: out of memory one-hot encoding %zu rows into %zu columns",
			     state->source, state->n_rows, width);
		return -1;
	}
	ml_advise_huge_pages(dataset->values, cells * sizeof(double));
	/*
	 * On all threads: the output is the largest memory ml-load touches
	 * (456 MB for 237 MB of CSV with two text columns), and zeroing its
	 * new pages cost as much as the loop.
	 */
	size_t n_rows = state->n_rows;
	#pragma omp parallel for schedule(static) num_threads(ml_parallel_threads())
	for (size_t r = 0; r < n_rows; r++)
		encode_row(stage, state->values + r * state->n_used, dataset->values + r * width);
	dataset->n_rows = n_rows;
	return 0;
}

void ml_load_encode_rows(const ml_stage *stage, const double *coded, size_t count, double *out)
{
	size_t n_inputs = stage->inputs.count, width = stage->outputs.count;
	for (size_t r = 0; r < count; r++)
		encode_row(stage, coded + r * n_inputs, out + r * width);
}

int ml_load_fit(ml_csv_reader *csv, const ml_load_options *options, ml_dataset *dataset,
		ml_error *err)
{
	const ml_columns *csv_columns = ml_csv_reader_columns(csv);
	fit_state state = { .options = options, .source = ml_csv_reader_name(csv),
			    .csv_columns = csv_columns };
	ml_columns inputs = { 0 };
	ml_stage *stage = NULL;
	size_t csv_target;
	int status = -1;
	memset(dataset, 0, sizeof *dataset);
	if (choose_columns(&state, csv_columns, &csv_target, err) < 0 ||
	    build_inputs(&state, csv_columns, csv_target, &inputs, err) < 0)
		goto done;
	state.params = new_params(state.n_used, options->csv.na_values, options->csv.n_na_values,
				  err);
	if (!state.params)
		goto done;
	state.params->csv.delimiter = options->csv.delimiter;
	state.params->csv.header = options->csv.header;
	state.params->csv.lenient_quotes = options->csv.lenient_quotes;
	state.params->drop_first = options->drop_first;
	state.target = inputs.target;
	if (force_categorical(&state, err) < 0)
		goto done;
	for (size_t i = 0; i < options->n_orders; i++)
		if (apply_order(&state, options->orders[i], err) < 0)
			goto done;
	int fitted = fit_rows(&state, csv, err);
	stop_converting_ahead(&state, csv);
	trim_in_place(&state);
	if (fitted < 0 || settle_encodings(&state, &inputs, err) < 0)
		goto done;
	stage = ml_stage_finish(ml_stage_new(&ml_load_stage_kind, &inputs, state.params, err), err);
	state.params = NULL; /* the stage owns them now, or freed them */
	if (!stage)
		goto done;
	if (encode_rows(&state, stage, dataset, err) < 0 ||
	    ml_columns_copy(&dataset->columns, &stage->outputs, err) < 0 ||
	    !(dataset->chain = ml_chain_create(err)))
		goto done;
	if (ml_chain_append(dataset->chain, stage, err) == 0)
		status = 0;
	stage = NULL;
	dataset->lines = state.lines;
	state.lines = NULL;
	dataset->n_dropped = state.n_dropped;
done:
	/* On failure after ml_stage_new the stage owns params; before, we do. */
	if (state.params)
		free_params(state.params);
	ml_stage_free(stage);
	ml_columns_free(&inputs);
	free(state.csv_index);
	free(state.values);
	free(state.lines);
	if (status < 0)
		ml_dataset_free(dataset);
	return status;
}

struct ml_load_applier {
	const ml_stage *stage;
	char *source;
	size_t *csv_index; /* per stage input: CSV column, or ML_NO_COLUMN */
	size_t *unknown;   /* per stage input */
};

ml_load_applier *ml_load_applier_create(const ml_stage *stage, const ml_columns *csv_columns,
					const char *source, ml_error *err)
{
	ml_load_applier *applier = calloc(1, sizeof *applier);
	if (!applier) {
		ml_error_nomem(err);
		return NULL;
	}
	size_t n = stage->inputs.count;
	applier->stage = stage;
	if (!(applier->source = ml_strdup(source, err)) ||
	    !(applier->csv_index = ml_alloc_array(n + 1, sizeof *applier->csv_index, err)) ||
	    !(applier->unknown = ml_calloc_array(n + 1, sizeof *applier->unknown, err)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		applier->csv_index[i] = ml_columns_find(csv_columns, stage->inputs.names[i]);
		if (applier->csv_index[i] == ML_NO_COLUMN && i != stage->inputs.target) {
			ml_error_set(err, "%s: no column '%s'", source,
				     stage->inputs.names[i]);
			goto fail;
		}
	}
	return applier;
fail:
	ml_load_applier_free(applier);
	return NULL;
}

void ml_load_applier_free(ml_load_applier *applier)
{
	if (!applier)
		return;
	free(applier->source);
	free(applier->csv_index);
	free(applier->unknown);
	free(applier);
}

/*
 * Encodes one value of input `input` (already known not to be missing)
 * into cells; *unknown is set when it is a category the column never saw.
 * -1 when text in a numeric column is not a number.
 */
static int encode_text(const ml_stage *stage, size_t input, const char *text, size_t length,
		       double *cells, bool *unknown)
{
	const load_params *params = params_of(stage);
	const load_column *column = &params->columns[input];
	if (column->encoding == ENCODE_NUMERIC)
		return ml_parse_double(text, length, cells) ? 0 : -1;
	char digits[ML_DOUBLE_BUFSIZE];
	size_t key_length;
	const ml_field field = { text, length };
	const char *key = category_key(&field, digits, &key_length);
	size_t code = ml_string_map_find(&column->vocabulary, key, key_length);
	*unknown = code == ML_STRING_NOT_FOUND;
	if (column->encoding == ENCODE_ORDINAL) {
		cells[0] = code == ML_STRING_NOT_FOUND ? NAN : (double)code;
		return 0;
	}
	/* An unknown category is all zeros, as the dropped first one is. */
	size_t first = first_onehot(params);
	size_t width = output_width(stage, input);
	for (size_t i = 0; i < width; i++)
		cells[i] = (double)(i + first == code);
	return 0;
}

static void encode_missing(double *cells, size_t width)
{
	for (size_t i = 0; i < width; i++)
		cells[i] = NAN;
}

static void not_a_number(const ml_stage *stage, size_t input, const char *text, ml_error *err)
{
	ml_error_set(err, "column '%s': '%.40s' is not a number", stage->inputs.names[input], text);
}

static int apply_cell(ml_load_applier *applier, const ml_record *record, size_t input,
		      double **out, ml_error *err)
{
	const ml_stage *stage = applier->stage;
	size_t width = output_width(stage, input);
	size_t index = applier->csv_index[input];
	const ml_field *field = index == ML_NO_COLUMN ? NULL : &record->fields[index];
	double *cells = *out;
	*out += width;
	if (!field || ml_csv_is_missing(&params_of(stage)->csv, field->text, field->length)) {
		encode_missing(cells, width);
		return 0;
	}
	bool unknown = false;
	if (encode_text(stage, input, field->text, field->length, cells, &unknown) < 0) {
		not_a_number(stage, input, field->text, err);
		ml_error_prefix(err, "%s:%zu", applier->source, record->line);
		return -1;
	}
	applier->unknown[input] += unknown;
	return 0;
}

int ml_load_apply_values(const ml_stage *stage, const ml_load_value *values, double *row,
			 size_t *n_unknown, ml_error *err)
{
	const load_params *params = params_of(stage);
	for (size_t i = 0; i < stage->inputs.count; i++) {
		const ml_load_value *value = &values[i];
		const load_column *column = &params->columns[i];
		size_t width = output_width(stage, i);
		bool unknown = false;
		if (value->kind == ML_LOAD_MISSING ||
		    (value->kind == ML_LOAD_NUMBER && isnan(value->number)) ||
		    (value->kind == ML_LOAD_TEXT &&
		     ml_csv_is_missing(&params->csv, value->text, value->length))) {
			encode_missing(row, width);
		} else if (value->kind == ML_LOAD_TEXT) {
			if (encode_text(stage, i, value->text, value->length, row, &unknown) < 0) {
				not_a_number(stage, i, value->text, err);
				return -1;
			}
		} else if (column->encoding == ENCODE_NUMERIC) {
			row[0] = value->number;
		} else {
			/* The category a CSV field holding this number would name. */
			char digits[ML_DOUBLE_BUFSIZE];
			size_t length = ml_format_double(value->number, digits);
			encode_text(stage, i, digits, length, row, &unknown);
		}
		*n_unknown += unknown;
		row += width;
	}
	return 0;
}

int ml_load_apply_record(ml_load_applier *applier, const ml_record *record, double *row,
			 ml_error *err)
{
	for (size_t i = 0; i < applier->stage->inputs.count; i++)
		if (apply_cell(applier, record, i, &row, err) < 0)
			return -1;
	return 0;
}

size_t ml_load_unknown_total(const ml_load_applier *applier, const char **worst_column)
{
	size_t total = 0, worst = 0;
	*worst_column = NULL;
	for (size_t i = 0; i < applier->stage->inputs.count; i++) {
		total += applier->unknown[i];
		if (applier->unknown[i] > worst) {
			worst = applier->unknown[i];
			*worst_column = applier->stage->inputs.names[i];
		}
	}
	return total;
}
