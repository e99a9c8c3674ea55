/*
 * The fast reader of JSON prediction bodies: jsmn (Debian's libjsmn-dev, a
 * tokenizer that allocates nothing) splits the body into tokens in one
 * array, which are checked against the JSON grammar and read into rows in
 * place, numbers converted by ml_parse_double (correctly rounded, the same
 * doubles as cJSON's strtod).  cJSON builds a node, a key string and a
 * strtod call per value, which cost most of a large request.
 *
 * jsmn is a tokenizer, not a validator: it accepts "[1 2]" and "{"a":1,}".
 * So every token is checked to start where the grammar puts the next value
 * and what lies between tokens is blanks and exactly the punctuation JSON
 * wants there.  The tokens answer only bodies that cJSON reads and reads to
 * the same values: anything else (a body with an escaped string, a number
 * cJSON would read differently, bytes after the value, any request error)
 * is left to cJSON's tree, which answers as it always did, message for
 * message.
 */
#include "serve/ml_request_impl.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"

#define JSMN_STATIC
#define JSMN_STRICT       /* primitives are numbers, true, false and null only */
#define JSMN_PARENT_LINKS /* a closing bracket finds its opener at once */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include <jsmn.h>
#pragma GCC diagnostic pop

enum { ANSWERED = 0, DECLINED = 1 };

/* cJSON copies a number into 64 bytes before strtod: longer ones it reads otherwise. */
#define LONGEST_NUMBER 63
/* Deeper nesting is left to cJSON's reader, which refuses it past the request's limit. */
#define DEEPEST 64

typedef struct tokens {
	const char *body;
	size_t length;
	size_t deepest;    /* containers in containers: the request's limit */
	jsmntok_t *list;
	size_t count;
	char *texts;       /* strings copied NUL-terminated, as ml_load_value wants them */
	size_t texts_used;
	size_t *key_input; /* "rows": the input of each key position in the previous row, + 1 */
	size_t n_key_inputs;
} tokens;

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_blanks(const tokens *t, size_t at)
{
	while (at < t->length && blank(t->body[at]))
		at++;
	return at;
}

/* The token's text: a string's quotes excluded. */
static const char *text_of(const tokens *t, const jsmntok_t *token)
{
	return t->body + token->start;
}

static size_t length_of(const jsmntok_t *token)
{
	return (size_t)(token->end - token->start);
}

/* Where the token's JSON begins and ends in the body: a string's quotes included. */
static size_t begin_of(const jsmntok_t *token)
{
	return (size_t)token->start - (token->type == JSMN_STRING);
}

static size_t finish_of(const jsmntok_t *token)
{
	return (size_t)token->end + (token->type == JSMN_STRING);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t skip_digits(const char *text, size_t at, size_t length)
{
	while (at < length && is_digit(text[at]))
		at++;
	return at;
}

/* RFC 8259's number, which cJSON reads whole, short enough for cJSON's buffer. */
static bool is_json_number(const char *text, size_t length)
{
	size_t at = 0;
	if (length == 0 || length > LONGEST_NUMBER)
		return false;
	if (text[at] == '-')
		at++;
	if (at < length && text[at] == '0')
		at++;
	else if (at < length && is_digit(text[at]))
		at = skip_digits(text, at, length);
	else
		return false;
	if (at < length && text[at] == '.') {
		size_t digits = at + 1;
		if ((at = skip_digits(text, digits, length)) == digits)
			return false;
	}
	if (at < length && (text[at] == 'e' || text[at] == 'E')) {
		size_t digits = at + 1 + (at + 1 < length && (text[at + 1] == '+' ||
							      text[at + 1] == '-'));
		if ((at = skip_digits(text, digits, length)) == digits)
			return false;
	}
	return at == length;
}

static bool is_word(const char *text, size_t length, const char *word)
{
	return length == strlen(word) && memcmp(text, word, length) == 0;
}

static bool is_primitive(const char *text, size_t length)
{
	switch (text[0]) {
	case 't':
		return is_word(text, length, "true");
	case 'f':
		return is_word(text, length, "false");
	case 'n':
		return is_word(text, length, "null");
	default:
		return is_json_number(text, length);
	}
}


/* Expects punctuation (after blanks) at *at, and moves past it and the blanks after. */
static bool expect(const tokens *t, size_t *at, char punctuation)
{
	size_t where = skip_blanks(t, *at);
	if (where >= t->length || t->body[where] != punctuation)
		return false;
	*at = skip_blanks(t, where + 1);
	return true;
}

/*
 * Checks the value whose token is *index, inside depth containers, against
 * the grammar, its JSON beginning at *at; moves both past it.
 */
static bool check_value(const tokens *t, size_t *index, size_t *at, size_t depth)
{
	if (*index >= t->count)
		return false;
	const jsmntok_t *token = &t->list[(*index)++];
	if (token->start < 0 || token->end < token->start || begin_of(token) != *at)
		return false;
	if (token->type == JSMN_PRIMITIVE)
		return token->size == 0 && is_primitive(text_of(t, token), length_of(token)) &&
		       (*at = finish_of(token), true);
	if (token->type == JSMN_STRING)
		return token->size == 0 && (*at = finish_of(token), true);
	if ((token->type != JSMN_ARRAY && token->type != JSMN_OBJECT) || depth + 1 > t->deepest)
		return false;
	size_t inside = skip_blanks(t, *at + 1);
	for (int k = 0; k < token->size; k++) {
		if (k > 0 && !expect(t, &inside, ','))
			return false;
		if (token->type == JSMN_OBJECT) {
			const jsmntok_t *key = *index < t->count ? &t->list[(*index)++] : NULL;
			if (!key || key->type != JSMN_STRING || key->size != 1 ||
			    begin_of(key) != inside)
				return false;
			inside = finish_of(key);
			if (!expect(t, &inside, ':'))
				return false;
		}
		if (!check_value(t, index, &inside, depth + 1))
			return false;
	}
	inside = skip_blanks(t, inside);
	if (token->end < 1 || inside != (size_t)token->end - 1)
		return false;
	*at = (size_t)token->end;
	return true;
}

/* Splits the body into tokens, the array grown as jsmn asks; false when it is not JSON. */
static bool tokenize(tokens *t)
{
	jsmn_parser parser;
	jsmn_init(&parser);
	size_t capacity = t->length / 8 + 16;
	for (;;) {
		jsmntok_t *grown = ml_realloc_array(t->list, capacity, sizeof *grown, NULL);
		if (!grown)
			return false;
		t->list = grown;
		int got = jsmn_parse(&parser, t->body, t->length, t->list, (unsigned)capacity);
		if (got >= 0)
			break;
		if (got != JSMN_ERROR_NOMEM || capacity > UINT_MAX / 2)
			return false;
		capacity *= 2;
	}
	t->count = parser.toknext;
	size_t index = 0, at = skip_blanks(t, 0);
	return t->count > 0 && t->list[0].type == JSMN_OBJECT && check_value(t, &index, &at, 0) &&
	       index == t->count && skip_blanks(t, at) == t->length;
}

/*
 * The token after the value at index and all it holds: the first to start
 * past its end, found by bisection (tokens are in the order they start).
 */
static size_t next_value(const tokens *t, size_t index)
{
	const jsmntok_t *token = &t->list[index];
	size_t low = index + 1, high = t->count;
	if (token->type != JSMN_ARRAY && token->type != JSMN_OBJECT)
		return low;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (t->list[middle].start < token->end)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

/* Sets input's value from its token; DECLINED for what cJSON reads differently or refuses. */
static int take_value(ml_request_state *r, tokens *t, size_t input, const jsmntok_t *token)
{
	ml_load_value *value = &r->values[input];
	const char *text = text_of(t, token);
	size_t length = length_of(token);
	if (token->type == JSMN_PRIMITIVE && text[0] == 'n') {
		*value = (ml_load_value){ .kind = ML_LOAD_MISSING };
	} else if (token->type == JSMN_PRIMITIVE && text[0] != 't' && text[0] != 'f') {
		*value = (ml_load_value){ .kind = ML_LOAD_NUMBER };
		if (!ml_parse_double(text, length, &value->number))
			return DECLINED;
	} else if (token->type == JSMN_STRING) {
		/* Strings, NULs included, take fewer bytes than their quoted text. */
		if (!t->texts && !(t->texts = malloc(t->length + 1)))
			return DECLINED;
		char *copy = t->texts + t->texts_used;
		memcpy(copy, text, length);
		copy[length] = '\0';
		t->texts_used += length + 1;
		*value = (ml_load_value){ .kind = ML_LOAD_TEXT, .text = copy, .length = length };
	} else {
		return DECLINED;
	}
	return ANSWERED;
}

/* Names are short: eight bytes at a time, inline, beat memcmp's call. */
static bool same_name(const char *name, const char *key, size_t length)
{
	size_t i = 0;
	for (; i + 8 <= length; i += 8) {
		uint64_t a, b;
		memcpy(&a, name + i, 8);
		memcpy(&b, key + i, 8);
		if (a != b)
			return false;
	}
	for (; i < length; i++)
		if (name[i] != key[i])
			return false;
	return true;
}

/*
 * The input a key of a "rows" object names, or ML_NO_COLUMN: the input of
 * the same position in the previous row when the name matches, as it does
 * when every row lists its columns in one order; else looked up.
 */
static size_t key_input(ml_request_state *r, tokens *t, size_t position, const jsmntok_t *key)
{
	const ml_request_schema *schema = r->schema;
	const char *name = text_of(t, key);
	size_t length = length_of(key);
	if (position < t->n_key_inputs && t->key_input[position]) {
		size_t guess = t->key_input[position] - 1;
		if (schema->name_lengths[guess] == length &&
		    same_name(schema->all_inputs->names[guess], name, length))
			return guess;
	}
	size_t input = ml_request_find_input(schema, name, length);
	if (position < t->n_key_inputs)
		t->key_input[position] = input == ML_NO_COLUMN ? 0 : input + 1;
	return input;
}

static int read_rows(ml_request_state *r, tokens *t, size_t rows, ml_error *err)
{
	t->n_key_inputs = r->schema->all_inputs->count;
	if (!(t->key_input = ml_calloc_array(t->n_key_inputs + 1, sizeof(size_t), NULL)))
		return DECLINED;
	size_t index = rows + 1;
	for (int row = 0; row < t->list[rows].size; row++) {
		const jsmntok_t *object = &t->list[index++];
		if (object->type != JSMN_OBJECT)
			return DECLINED;
		ml_request_clear_values(r);
		t->texts_used = 0;
		for (int k = 0; k < object->size; k++) {
			const jsmntok_t *key = &t->list[index];
			size_t input = key_input(r, t, (size_t)k, key);
			const jsmntok_t *value = &t->list[index + 1];
			index = next_value(t, index + 1);
			if (input == ML_NO_COLUMN)
				continue; /* extra columns are ignored, as in CSV */
			if (r->seen[input])
				return DECLINED;
			r->seen[input] = true;
			if (take_value(r, t, input, value) != ANSWERED)
				return DECLINED;
		}
		if (ml_request_check_given(r, NULL, (size_t)row + 1, err) < 0 ||
		    ml_request_add_values(r, err) < 0)
			return DECLINED;
	}
	return ANSWERED;
}

/* Which input each name of "columns" is, into column_input; DECLINED on any error. */
static int read_columns(ml_request_state *r, tokens *t, size_t columns, size_t *column_input,
			ml_error *err)
{
	ml_request_clear_values(r);
	for (int c = 0; c < t->list[columns].size; c++) {
		const jsmntok_t *name = &t->list[columns + 1 + (size_t)c];
		if (name->type != JSMN_STRING)
			return DECLINED;
		size_t input = ml_request_find_input(r->schema, text_of(t, name), length_of(name));
		column_input[c] = input;
		if (input != ML_NO_COLUMN && r->seen[input])
			return DECLINED;
		if (input != ML_NO_COLUMN)
			r->seen[input] = true;
	}
	return ml_request_check_given(r, "\"columns\"", 0, err) < 0 ? DECLINED : ANSWERED;
}

static int read_table(ml_request_state *r, tokens *t, size_t columns, size_t data,
		      ml_error *err)
{
	int n_columns = t->list[columns].size;
	size_t *column_input = ml_alloc_array((size_t)n_columns + 1, sizeof *column_input, NULL);
	int status = column_input ? read_columns(r, t, columns, column_input, err) : DECLINED;
	size_t index = data + 1;
	for (int row = 0; status == ANSWERED && row < t->list[data].size; row++) {
		const jsmntok_t *values = &t->list[index++];
		if (values->type != JSMN_ARRAY || values->size != n_columns) {
			status = DECLINED;
			break;
		}
		t->texts_used = 0;
		for (int c = 0; status == ANSWERED && c < n_columns; c++) {
			size_t input = column_input[c];
			if (input != ML_NO_COLUMN)
				status = take_value(r, t, input, &t->list[index]);
			index = next_value(t, index);
		}
		if (status == ANSWERED && ml_request_add_values(r, err) < 0)
			status = DECLINED;
	}
	free(column_input);
	return status;
}

/* The first member of the root object called name, as cJSON finds it; 0 when none. */
static size_t member(const tokens *t, const char *name)
{
	size_t index = 1;
	for (int k = 0; k < t->list[0].size; k++) {
		const jsmntok_t *key = &t->list[index];
		if (is_word(text_of(t, key), length_of(key), name))
			return index + 1;
		index = next_value(t, index + 1);
	}
	return 0;
}

/* "rows", or "columns" and "data": the forms of many rows ("features" is left to cJSON). */
static int answer(ml_request_state *r, tokens *t, ml_error *err)
{
	size_t rows = member(t, "rows"), columns = member(t, "columns"), data = member(t, "data");
	if (member(t, "features"))
		return DECLINED;
	size_t listed = rows ? rows : data;
	if (!rows && !(columns && data && t->list[columns].type == JSMN_ARRAY))
		return DECLINED;
	if (!listed || t->list[listed].type != JSMN_ARRAY)
		return DECLINED;
	size_t n_rows = (size_t)t->list[listed].size;
	if (ml_request_check_row_count(r, n_rows, err) < 0 ||
	    ml_request_prepare(r, n_rows, err) < 0)
		return DECLINED;
	int status = rows ? read_rows(r, t, rows, err) : read_table(r, t, columns, data, err);
	if (status == ANSWERED && ml_request_flush_block(r, err) < 0)
		return DECLINED;
	return status;
}

int ml_request_answer_tokens(ml_request_state *r, const char *body, size_t length,
			     ml_error *err)
{
	/* jsmn counts in int. */
	if (length > INT_MAX / 2)
		return DECLINED;
	/*
	 * A backslash is an escape in a string (or not JSON at all): such a body
	 * is left to cJSON's unescaping; without one, every string is its bytes.
	 */
	if (memchr(body, '\\', length))
		return DECLINED;
	tokens t = { .body = body, .length = length, .deepest = r->options->max_depth };
	if (t.deepest > DEEPEST)
		t.deepest = DEEPEST;
	int status = tokenize(&t) ? answer(r, &t, err) : DECLINED;
	free(t.list);
	free(t.texts);
	free(t.key_input);
	return status;
}
