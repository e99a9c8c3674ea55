/*
 * The fast reader of JSON prediction bodies: one pass over the bytes that
 * checks the JSON grammar and reads the rows as it goes, numbers converted
 * by ml_parse_double (correctly rounded, the same doubles as cJSON's
 * strtod), nothing allocated per value.  cJSON builds a node, a key string
 * and a strtod call per value, which cost most of a large request; a
 * tokenizer (jsmn, before) gave a token per value and still needed a
 * second pass to check what it does not (it takes "[1 2]" and "{"a":1,}").
 *
 * It reads the two shapes of many rows, "rows" and "columns" with "data",
 * and only bodies that cJSON reads and reads to the same values: anything
 * else (an escaped string, a control byte in a string, a number in a form
 * JSON does not allow, blanks other than JSON's four, bytes after the
 * value, "features", members in an order that needs looking ahead, any
 * request error) is declined, and cJSON's tree answers it from the start,
 * message for message.  Declining is always safe; the fuzz harness checks
 * that what is answered here is byte for byte what the tree answers.
 */
#include "serve/ml_request_impl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"

enum { ANSWERED = 0, DECLINED = 1 };

/* cJSON copies a number into 64 bytes before strtod: longer ones it reads otherwise. */
#define LONGEST_NUMBER 63
/* Deeper nesting is left to cJSON's reader, which refuses it past the request's limit. */
#define DEEPEST 64

typedef struct scanner {
	const char *body;
	size_t length;
	size_t at;         /* the next byte to read */
	size_t deepest;    /* containers in containers: the request's limit */
	char *texts;       /* strings copied NUL-terminated, as ml_load_value wants them */
	size_t texts_used;
	size_t *key_input; /* "rows": the input of each key position in the previous row, + 1 */
	size_t n_key_inputs;
	size_t *column_input; /* "columns": the input of each, or ML_NO_COLUMN */
	size_t n_columns;
	size_t *given_in;     /* direct rows: the last row (1-based) that gave each input */
} scanner;

/* JSON's four blanks; every other byte of a body is above ' ', and one test rules it out. */
static inline bool blank(char c)
{
	return (unsigned char)c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

static void skip_blanks(scanner *s)
{
	while (s->at < s->length && blank(s->body[s->at]))
		s->at++;
}

/* The next byte after blanks, or 0 at the end (a NUL in the body is never JSON here). */
static inline char peek(scanner *s)
{
	if (s->at < s->length && !blank(s->body[s->at]))
		return s->body[s->at]; /* bodies from programs have few blanks */
	skip_blanks(s);
	return s->at < s->length ? s->body[s->at] : '\0';
}

/* Expects punctuation (after blanks) and moves past it. */
static bool expect(scanner *s, char punctuation)
{
	if (peek(s) != punctuation)
		return false;
	s->at++;
	return true;
}

static bool next_is(const scanner *s, char c)
{
	return s->at < s->length && s->body[s->at] == c;
}

/* A string at s->at, its text between the quotes; false for escapes and control bytes. */
static bool scan_string(scanner *s, const char **text, size_t *length)
{
	if (!next_is(s, '"'))
		return false;
	size_t start = ++s->at;
	for (; s->at < s->length; s->at++) {
		unsigned char c = (unsigned char)s->body[s->at];
		if (c == '"') {
			*text = s->body + start;
			*length = s->at++ - start;
			return true;
		}
		if (c == '\\' || c < 0x20)
			return false;
	}
	return false;
}

/* A JSON number at s->at, short enough for cJSON's buffer, read as ml_parse_double reads it. */
static bool scan_number(scanner *s, double *value)
{
	size_t used = ml_parse_json_number(s->body + s->at, s->length - s->at, value);
	s->at += used;
	return used > 0 && used <= LONGEST_NUMBER;
}

static bool scan_word(scanner *s, const char *word)
{
	size_t length = strlen(word);
	if (s->length - s->at < length || memcmp(s->body + s->at, word, length) != 0)
		return false;
	s->at += length;
	return true;
}

/* A key and its colon: the key's text. */
static bool scan_key(scanner *s, const char **name, size_t *length)
{
	skip_blanks(s);
	return scan_string(s, name, length) && expect(s, ':');
}

/*
 * The elements of the container whose opening bracket was just read, each by
 * one_element (which reads its value, and a key first in an object);
 * false when the grammar is broken or an element declines.
 */
#define FOR_EACH_ELEMENT(s, closing, one_element)                                    \
	do {                                                                         \
		if (peek(s) == (closing)) {                                          \
			(s)->at++;                                                   \
			break;                                                       \
		}                                                                    \
		do {                                                                 \
			if (!(one_element))                                          \
				return false;                                        \
		} while (expect((s), ','));                                          \
		if (!expect((s), (closing)))                                         \
			return false;                                                \
	} while (0)

static bool skip_value(scanner *s, size_t depth);

static bool skip_member(scanner *s, size_t depth)
{
	const char *name;
	size_t length;
	return scan_key(s, &name, &length) && skip_value(s, depth);
}

/* Moves past the opening bracket of a container inside depth others, if it may be there. */
static bool open_container(scanner *s, size_t depth)
{
	if (depth + 1 > s->deepest)
		return false;
	s->at++;
	return true;
}

/* The members of an object, its opening bracket read, inside depth containers. */
static bool skip_members(scanner *s, size_t depth)
{
	FOR_EACH_ELEMENT(s, '}', skip_member(s, depth));
	return true;
}

/* The values of an array, its opening bracket read, inside depth containers. */
static bool skip_values(scanner *s, size_t depth)
{
	FOR_EACH_ELEMENT(s, ']', skip_value(s, depth));
	return true;
}

/* Checks any value against the grammar, inside depth containers, and moves past it. */
static bool skip_value(scanner *s, size_t depth)
{
	const char *text;
	size_t length;
	double number;
	switch (peek(s)) {
	case '{':
		return open_container(s, depth) && skip_members(s, depth + 1);
	case '[':
		return open_container(s, depth) && skip_values(s, depth + 1);
	case '"':
		return scan_string(s, &text, &length);
	case 't':
		return scan_word(s, "true");
	case 'f':
		return scan_word(s, "false");
	case 'n':
		return scan_word(s, "null");
	default:
		return scan_number(s, &number);
	}
}

/* Reads input's value (a number, a string or null); false for anything else. */
static bool read_value(ml_request_state *r, scanner *s, size_t input)
{
	ml_load_value *value = &r->values[input];
	const char *text;
	size_t length;
	switch (peek(s)) {
	case 'n':
		*value = (ml_load_value){ .kind = ML_LOAD_MISSING };
		return scan_word(s, "null");
	case '"':
		if (!scan_string(s, &text, &length))
			return false;
		/* Strings take fewer bytes than their quoted text. */
		if (!s->texts && !(s->texts = malloc(s->length + 1)))
			return false;
		char *copy = s->texts + s->texts_used;
		memcpy(copy, text, length);
		copy[length] = '\0';
		s->texts_used += length + 1;
		*value = (ml_load_value){ .kind = ML_LOAD_TEXT, .text = copy, .length = length };
		return true;
	default:
		*value = (ml_load_value){ .kind = ML_LOAD_NUMBER };
		return scan_number(s, &value->number);
	}
}

static inline bool same_eight_bytes(const char *a, const char *b)
{
	uint64_t x, y;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x == y;
}

/*
 * Names are short: eight bytes at a time, inline, beat memcmp's call; the
 * last eight overlap the ones before, so a name of 8 to 16 bytes takes two.
 */
static bool same_name(const char *name, const char *key, size_t length)
{
	if (length < 8) {
		for (size_t i = 0; i < length; i++)
			if (name[i] != key[i])
				return false;
		return true;
	}
	for (size_t i = 0; i + 8 < length; i += 8)
		if (!same_eight_bytes(name + i, key + i))
			return false;
	return same_eight_bytes(name + length - 8, key + length - 8);
}

/*
 * The input of the key at s->at when it is, quotes included, the name of
 * the input at the same position in the previous row, as it is when every
 * row lists its columns in one order: moved past it.  Else ML_NO_COLUMN,
 * nothing read.  A name with a quote, a backslash or a control byte is
 * never matched so: the key's own text differs from it.
 */
static size_t same_key_as_before(ml_request_state *r, scanner *s, size_t position)
{
	const ml_request_schema *schema = r->schema;
	if (position >= s->n_key_inputs || !s->key_input[position])
		return ML_NO_COLUMN;
	size_t guess = s->key_input[position] - 1, length = schema->name_lengths[guess];
	const char *key = s->body + s->at;
	if (!schema->plain_names[guess] || s->length - s->at < length + 2 || key[0] != '"' ||
	    key[length + 1] != '"' || !same_name(schema->all_inputs->names[guess], key + 1, length))
		return ML_NO_COLUMN;
	s->at += length + 2;
	return guess;
}

/* The input a key of a "rows" object names, or ML_NO_COLUMN; the key read, and its colon. */
static bool read_key(ml_request_state *r, scanner *s, size_t position, size_t *input)
{
	skip_blanks(s);
	if ((*input = same_key_as_before(r, s, position)) != ML_NO_COLUMN)
		return expect(s, ':');
	const char *name;
	size_t length;
	if (!scan_key(s, &name, &length))
		return false;
	*input = ml_request_find_input(r->schema, name, length);
	if (position < s->n_key_inputs)
		s->key_input[position] = *input == ML_NO_COLUMN ? 0 : *input + 1;
	return true;
}

/* One member of a "rows" object, the position-th: its value read, or checked when extra. */
static bool read_row_member(ml_request_state *r, scanner *s, size_t position, size_t depth)
{
	size_t input;
	if (!read_key(r, s, position, &input))
		return false;
	if (input == ML_NO_COLUMN)
		return skip_value(s, depth); /* extra columns are ignored, as in CSV */
	if (r->seen[input])
		return false;
	r->seen[input] = true;
	return read_value(r, s, input);
}

/*
 * The members of a "rows" object, its brace read, when they are what
 * programs send: each key the name at its place in the row before, no
 * blank, each value a number; read in one tight loop.  False at anything
 * else, the row then to be read again from its brace by read_row_member,
 * which reads these the same way.
 */
static bool read_members_in_known_order(ml_request_state *r, scanner *s)
{
	for (size_t position = 0;; position++) {
		size_t input = same_key_as_before(r, s, position);
		if (input == ML_NO_COLUMN || r->seen[input] || !next_is(s, ':'))
			return false;
		s->at++;
		ml_load_value *value = &r->values[input];
		*value = (ml_load_value){ .kind = ML_LOAD_NUMBER };
		if (!scan_number(s, &value->number))
			return false;
		r->seen[input] = true;
		if (next_is(s, '}')) {
			s->at++;
			return true;
		}
		if (!next_is(s, ','))
			return false;
		s->at++;
	}
}

/*
 * The input at `position` in the row before when the bytes at s->at are
 * its name as a key with its colon, "name":, as every row of a program's
 * body has them: moved past the colon.  Else ML_NO_COLUMN, nothing read.
 */
static size_t same_member_as_before(ml_request_state *r, scanner *s, size_t position)
{
	const ml_request_schema *schema = r->schema;
	if (position >= s->n_key_inputs || !s->key_input[position])
		return ML_NO_COLUMN;
	size_t input = s->key_input[position] - 1, at = schema->member_key_at[input];
	size_t length = schema->member_key_at[input + 1] - at;
	if (length == 0 || s->length - s->at < length ||
	    !same_name(schema->member_keys.data + at, s->body + s->at, length))
		return ML_NO_COLUMN;
	s->at += length;
	return input;
}

/*
 * The members of a "rows" object, its brace read, written straight into
 * the block when the model takes every number as is (numbers_direct): the
 * keys in the order of the row before, no blank, each value a number for
 * an input with a number cell, each input once, every input but the target
 * given.  The row starts as missing_row, so the target, when not given,
 * is NaN as ml_load_apply_values makes it.  False at anything else, the
 * row not counted: read again from its brace by the general path.
 */
static bool read_direct_row(ml_request_state *r, scanner *s, size_t row_number)
{
	const ml_request_schema *schema = r->schema;
	ml_error ignored;
	double *row = ml_request_next_row(r, &ignored);
	if (!row)
		return false;
	memcpy(row, schema->missing_row, schema->start_width * sizeof *row);
	size_t target = schema->all_inputs->target, features_given = 0;
	for (size_t position = 0;; position++) {
		size_t input = same_member_as_before(r, s, position);
		if (input == ML_NO_COLUMN || s->given_in[input] == row_number ||
		    schema->number_cell[input] == ML_NO_COLUMN)
			return false;
		if (!scan_number(s, &row[schema->number_cell[input]]))
			return false;
		s->given_in[input] = row_number;
		features_given += input != target;
		if (next_is(s, '}'))
			break;
		if (!next_is(s, ','))
			return false;
		s->at++;
	}
	s->at++;
	return features_given == schema->inputs.count && ml_request_end_row(r, &ignored) == 0;
}

/* One object of "rows" (the row-th, 1-based), inside depth containers, encoded. */
static bool read_row(ml_request_state *r, scanner *s, size_t row, size_t depth)
{
	if (depth + 1 > s->deepest || !expect(s, '{'))
		return false;
	size_t members = s->at;
	/* The first row (no key order known yet) goes the general way at once. */
	if (s->given_in && s->key_input[0] && read_direct_row(r, s, row))
		return true;
	s->at = members;
	ml_request_clear_values(r);
	s->texts_used = 0;
	if (!read_members_in_known_order(r, s)) {
		s->at = members;
		ml_request_clear_values(r);
		size_t position = 0;
		FOR_EACH_ELEMENT(s, '}', read_row_member(r, s, position++, depth + 1));
	}
	ml_error ignored;
	return ml_request_check_given(r, NULL, row, &ignored) == 0 &&
	       ml_request_add_values(r, &ignored) == 0;
}

/* Counts one more row against the request's limit (413 is left to cJSON's reader). */
static bool count_row(ml_request_state *r, size_t *n_rows)
{
	return ++*n_rows <= r->options->max_rows;
}

/* "rows": an array of objects, at depth 1. */
static bool read_rows(ml_request_state *r, scanner *s)
{
	s->n_key_inputs = r->schema->all_inputs->count;
	if (!(s->key_input = ml_calloc_array(s->n_key_inputs + 1, sizeof(size_t), NULL)) ||
	    (r->schema->numbers_direct &&
	     !(s->given_in = ml_calloc_array(s->n_key_inputs + 1, sizeof(size_t), NULL))) ||
	    s->deepest < 2 || !expect(s, '['))
		return false;
	size_t n_rows = 0;
	FOR_EACH_ELEMENT(s, ']', count_row(r, &n_rows) && read_row(r, s, n_rows, 2));
	return true;
}

/* One name of "columns": which input it is, each at most once. */
static bool read_column_name(ml_request_state *r, scanner *s)
{
	const char *name;
	size_t length;
	skip_blanks(s);
	if (!scan_string(s, &name, &length))
		return false;
	size_t input = ml_request_find_input(r->schema, name, length);
	size_t *grown = ml_realloc_array(s->column_input, s->n_columns + 1, sizeof *grown, NULL);
	if (!grown)
		return false;
	s->column_input = grown;
	s->column_input[s->n_columns++] = input;
	if (input == ML_NO_COLUMN)
		return true;
	if (r->seen[input])
		return false;
	return r->seen[input] = true;
}

/* "columns": an array of names, at depth 1, every input but the target among them. */
static bool read_columns(ml_request_state *r, scanner *s)
{
	ml_error ignored;
	ml_request_clear_values(r);
	if (s->deepest < 2 || !expect(s, '['))
		return false;
	FOR_EACH_ELEMENT(s, ']', read_column_name(r, s));
	return ml_request_check_given(r, "\"columns\"", 0, &ignored) == 0;
}

/* One value of a "data" row, the column-th; false past the last column. */
static bool read_cell(ml_request_state *r, scanner *s, size_t column)
{
	if (column >= s->n_columns)
		return false;
	size_t input = s->column_input[column];
	return input == ML_NO_COLUMN ? skip_value(s, 3) : read_value(r, s, input);
}

/* One array of "data", as many values as "columns" names, encoded. */
static bool read_data_row(ml_request_state *r, scanner *s)
{
	ml_error ignored;
	size_t column = 0;
	if (s->deepest < 3 || !expect(s, '['))
		return false;
	s->texts_used = 0;
	FOR_EACH_ELEMENT(s, ']', read_cell(r, s, column++));
	return column == s->n_columns && ml_request_add_values(r, &ignored) == 0;
}

/* "data": an array of arrays, at depth 1, after "columns". */
static bool read_data(ml_request_state *r, scanner *s)
{
	size_t n_rows = 0;
	if (s->deepest < 2 || !expect(s, '['))
		return false;
	FOR_EACH_ELEMENT(s, ']', count_row(r, &n_rows) && read_data_row(r, s));
	return true;
}

/* Which members of the root object were read, and so which shape the body has. */
typedef struct members {
	bool rows, columns, data;
} members;

/*
 * One member of the root object.  cJSON's reader takes the first member of
 * each name and prefers "rows" to "columns" and "data": a member read here
 * is the first of its name, and a body whose members come in an order that
 * would need looking ahead ("data" before "columns", "rows" after "data",
 * any "features") is declined.
 */
static bool read_root_member(ml_request_state *r, scanner *s, members *seen)
{
	const char *name;
	size_t length;
	if (!scan_key(s, &name, &length))
		return false;
#define IS(word) (length == strlen(word) && memcmp(name, word, length) == 0)
	if (IS("features"))
		return false;
	if (IS("rows") && !seen->rows) {
		if (seen->data)
			return false;
		return (seen->rows = true) && read_rows(r, s);
	}
	if (IS("columns") && !seen->columns && !seen->rows)
		return (seen->columns = true) && read_columns(r, s);
	if (IS("data") && !seen->data && !seen->rows)
		return seen->columns && (seen->data = true) && read_data(r, s);
#undef IS
	return skip_value(s, 1);
}

/* The root object and nothing after it but blanks. */
static int read_body(ml_request_state *r, scanner *s, ml_error *err)
{
	members seen = { 0 };
	if (s->deepest < 1 || !expect(s, '{'))
		return DECLINED;
	if (peek(s) == '}')
		return DECLINED; /* no rows: cJSON's reader says what is missing */
	do {
		if (!read_root_member(r, s, &seen))
			return DECLINED;
	} while (expect(s, ','));
	if (!expect(s, '}') || (skip_blanks(s), s->at != s->length))
		return DECLINED;
	if (!seen.rows && !seen.data)
		return DECLINED;
	return ml_request_flush_block(r, err) < 0 ? DECLINED : ANSWERED;
}

int ml_request_answer_scan(ml_request_state *r, const char *body, size_t length,
			   ml_error *err)
{
	scanner s = { .body = body, .length = length, .deepest = r->options->max_depth };
	if (s.deepest > DEEPEST)
		s.deepest = DEEPEST;
	/* A row takes some 16 bytes at least: the block is sized on that, and grows. */
	size_t guess = length / 16 + 1;
	int status = ml_request_prepare(r, guess < r->options->max_rows ? guess
									: r->options->max_rows, err) < 0
		? DECLINED : read_body(r, &s, err);
	free(s.texts);
	free(s.key_input);
	free(s.column_input);
	free(s.given_in);
	return status;
}
