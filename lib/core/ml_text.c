#include "core/ml_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"

/* Bounds a line's token count: the widest line lists every column. */
#define MAX_TOKENS (ML_MAX_COLUMNS + 16)

static bool needs_quotes(const char *value)
{
	if (!*value)
		return true;
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '\\' || *p == '#' || *p == 0x7f)
			return true;
	return false;
}

void ml_text_key(ml_buf *out, const char *key)
{
	ml_buf_puts(out, key);
}

void ml_text_string(ml_buf *out, const char *value)
{
	ml_buf_putc(out, ' ');
	if (!needs_quotes(value)) {
		ml_buf_puts(out, value);
		return;
	}
	ml_buf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		switch (*p) {
		case '"': ml_buf_puts(out, "\\\""); break;
		case '\\': ml_buf_puts(out, "\\\\"); break;
		case '\n': ml_buf_puts(out, "\\n"); break;
		case '\t': ml_buf_puts(out, "\\t"); break;
		case '\r': ml_buf_puts(out, "\\r"); break;
		default:
			if (*p < ' ' || *p == 0x7f)
				ml_buf_printf(out, "\\x%02x", *p);
			else
				ml_buf_putc(out, (char)*p);
		}
	}
	ml_buf_putc(out, '"');
}

void ml_text_double(ml_buf *out, double value)
{
	char digits[ML_DOUBLE_BUFSIZE];
	size_t length = ml_format_double(value, digits);
	ml_buf_putc(out, ' ');
	ml_buf_append(out, digits, length);
}

void ml_text_size(ml_buf *out, size_t value)
{
	ml_buf_printf(out, " %zu", value);
}

void ml_text_newline(ml_buf *out)
{
	ml_buf_putc(out, '\n');
}

struct ml_text_reader {
	const char *text;
	size_t length;
	size_t offset;
	size_t line_number; /* of the next line to read */
	char *source;
	ml_buf scratch;     /* unescaped tokens of the current line */
	size_t *starts;     /* token start offsets into scratch */
	char **tokens;
	size_t token_capacity;
};

ml_text_reader *ml_text_reader_create(const char *text, size_t length,
				      const char *source, size_t first_line,
				      ml_error *err)
{
	ml_text_reader *reader = calloc(1, sizeof *reader);
	if (!reader || !(reader->source = ml_strdup(source, err))) {
		free(reader);
		ml_error_nomem(err);
		return NULL;
	}
	reader->text = text;
	reader->length = length;
	reader->line_number = first_line;
	ml_buf_init(&reader->scratch);
	return reader;
}

void ml_text_reader_free(ml_text_reader *reader)
{
	if (!reader)
		return;
	free(reader->source);
	ml_buf_free(&reader->scratch);
	free(reader->starts);
	free(reader->tokens);
	free(reader);
}

size_t ml_text_offset(const ml_text_reader *reader)
{
	return reader->offset;
}

size_t ml_text_last_line(const ml_text_reader *reader)
{
	return reader->line_number - 1;
}

const char *ml_text_source(const ml_text_reader *reader)
{
	return reader->source;
}

int ml_text_fail(const ml_text_reader *reader, const ml_text_line *line,
		 ml_error *err, const char *format, ...)
{
	char message[ML_ERROR_SIZE];
	va_list args;
	va_start(args, format);
	vsnprintf(message, sizeof message, format, args);
	va_end(args);
	if (line)
		ml_error_set(err, "%s:%zu: %s", reader->source, line->number, message);
	else
		ml_error_set(err, "%s: %s", reader->source, message);
	return -1;
}

static int push_token_start(ml_text_reader *reader, size_t n_tokens, ml_error *err)
{
	if (n_tokens >= MAX_TOKENS)
		return -1;
	if (n_tokens == reader->token_capacity) {
		size_t capacity = reader->token_capacity ? reader->token_capacity * 2 : 64;
		size_t *starts = ml_realloc_array(reader->starts, capacity, sizeof *starts, err);
		if (!starts)
			return -1;
		reader->starts = starts;
		char **tokens = ml_realloc_array(reader->tokens, capacity, sizeof *tokens, err);
		if (!tokens)
			return -1;
		reader->tokens = tokens;
		reader->token_capacity = capacity;
	}
	reader->starts[n_tokens] = reader->scratch.length;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes the quoted string at p (after the opening quote) into scratch. */
static const char *read_quoted(ml_text_reader *reader, const char *p, const char *end,
			       const char **problem)
{
	while (p < end && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			if (p == end)
				break;
			char e = *p++;
			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case 'x': {
				int high = p < end ? hex_value(p[0]) : -1;
				int low = p + 1 < end ? hex_value(p[1]) : -1;
				if (high < 0 || low < 0 || (high == 0 && low == 0)) {
					*problem = "bad \\x escape in quoted string";
					return NULL;
				}
				c = (char)(high * 16 + low);
				p += 2;
				break;
			}
			default:
				*problem = "unknown escape in quoted string";
				return NULL;
			}
		}
		ml_buf_putc(&reader->scratch, c);
	}
	if (p == end) {
		*problem = "unterminated quoted string";
		return NULL;
	}
	return p + 1;
}

static int tokenize(ml_text_reader *reader, const char *p, const char *end,
		    ml_text_line *line, ml_error *err)
{
	size_t n_tokens = 0;
	ml_buf_reset(&reader->scratch);
	while (p < end) {
		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (push_token_start(reader, n_tokens, err) < 0)
			return ml_text_fail(reader, line, err, "too many values on one line");
		if (*p == '"') {
			const char *problem = NULL;
			p = read_quoted(reader, p + 1, end, &problem);
			if (!p)
				return ml_text_fail(reader, line, err, "%s", problem);
			/* The line was UTF-8, but \x escapes can spell any byte. */
			size_t start = reader->starts[n_tokens];
			if (reader->scratch.length > start && !reader->scratch.failed &&
			    !ml_utf8_valid(reader->scratch.data + start, reader->scratch.length - start))
				return ml_text_fail(reader, line, err, "quoted string is not UTF-8 text"
						    " (see its \\x escapes)");
			if (p < end && *p != ' ' && *p != '\t')
				return ml_text_fail(reader, line, err, "no space after quoted string");
		} else {
			const char *start = p;
			while (p < end && *p != ' ' && *p != '\t')
				p++;
			ml_buf_append(&reader->scratch, start, (size_t)(p - start));
		}
		ml_buf_putc(&reader->scratch, '\0');
		n_tokens++;
	}
	if (reader->scratch.failed)
		return ml_error_nomem(err);
	for (size_t i = 0; i < n_tokens; i++)
		reader->tokens[i] = reader->scratch.data + reader->starts[i];
	line->tokens = reader->tokens;
	line->n_tokens = n_tokens;
	return 0;
}

int ml_text_next(ml_text_reader *reader, ml_text_line *line, ml_error *err)
{
	while (reader->offset < reader->length) {
		const char *start = reader->text + reader->offset;
		const char *newline = memchr(start, '\n', reader->length - reader->offset);
		const char *end = newline ? newline : reader->text + reader->length;
		reader->offset = (size_t)(end - reader->text) + (newline ? 1 : 0);
		line->number = reader->line_number++;
		if (end > start && end[-1] == '\r')
			end--;
		if (!ml_utf8_valid(start, (size_t)(end - start)))
			return ml_text_fail(reader, line, err, "not UTF-8 text");
		const char *p = start;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p == '#')
			continue;
		return tokenize(reader, p, end, line, err) < 0 ? -1 : 1;
	}
	return 0;
}

int ml_text_next_required(ml_text_reader *reader, ml_text_line *line,
			  const char *expected, ml_error *err)
{
	int got = ml_text_next(reader, line, err);
	if (got == 0) {
		/* Name the line after the last one: where the missing one belongs. */
		line->number = reader->line_number;
		return ml_text_fail(reader, line, err, "unexpected end of text, expected '%s'",
				    expected);
	}
	return got;
}

bool ml_text_is(const ml_text_line *line, const char *key)
{
	return line->n_tokens > 0 && strcmp(line->tokens[0], key) == 0;
}

int ml_text_expect(const ml_text_reader *reader, const ml_text_line *line,
		   const char *key, size_t n_values, ml_error *err)
{
	if (!ml_text_is(line, key))
		return ml_text_fail(reader, line, err, "expected '%s', found '%s'", key,
				    line->tokens[0]);
	if (line->n_tokens != n_values + 1)
		return ml_text_fail(reader, line, err, "'%s' takes %zu value%s, found %zu", key,
				    n_values, n_values == 1 ? "" : "s", line->n_tokens - 1);
	return 0;
}

int ml_text_get_double(const ml_text_reader *reader, const ml_text_line *line,
		       size_t index, double *value, ml_error *err)
{
	const char *token = line->tokens[index];
	if (strcmp(token, "nan") == 0) {
		*value = NAN;
		return 0;
	}
	if (!ml_parse_double(token, strlen(token), value))
		return ml_text_fail(reader, line, err, "'%s': '%s' is not a number",
				    line->tokens[0], token);
	return 0;
}

int ml_text_get_size(const ml_text_reader *reader, const ml_text_line *line,
		     size_t index, size_t max, size_t *value, ml_error *err)
{
	const char *token = line->tokens[index];
	int64_t parsed;
	if (!ml_parse_int64(token, strlen(token), 0, (int64_t)(max > INT64_MAX ? INT64_MAX : max),
			    &parsed))
		return ml_text_fail(reader, line, err,
				    "'%s': '%s' is not a whole number from 0 to %zu",
				    line->tokens[0], token, max);
	*value = (size_t)parsed;
	return 0;
}

int ml_text_get_choice(const ml_text_reader *reader, const ml_text_line *line,
		       size_t index, const char *const *choices, size_t *choice,
		       ml_error *err)
{
	const char *token = line->tokens[index];
	for (size_t i = 0; choices[i]; i++)
		if (strcmp(token, choices[i]) == 0) {
			*choice = i;
			return 0;
		}
	return ml_text_fail(reader, line, err, "'%s': unknown value '%s'", line->tokens[0],
			    token);
}

int ml_text_get_list(const ml_text_reader *reader, const ml_text_line *line, size_t index,
		     size_t max, size_t *count, char *const **names, ml_error *err)
{
	if (line->n_tokens <= index)
		return ml_text_fail(reader, line, err, "expected '%s COUNT NAME...'",
				    line->tokens[0]);
	if (ml_text_get_size(reader, line, index, max, count, err) < 0)
		return -1;
	if (line->n_tokens - index - 1 != *count)
		return ml_text_fail(reader, line, err, "'%s' says %zu but lists %zu",
				    line->tokens[0], *count, line->n_tokens - index - 1);
	*names = line->tokens + index + 1;
	return 0;
}

void ml_text_write_bool(ml_buf *out, const char *key, bool value)
{
	ml_text_write_word(out, key, value ? "true" : "false");
}

void ml_text_write_double(ml_buf *out, const char *key, double value)
{
	ml_text_key(out, key);
	ml_text_double(out, value);
	ml_text_newline(out);
}

void ml_text_write_size(ml_buf *out, const char *key, size_t value)
{
	ml_text_key(out, key);
	ml_text_size(out, value);
	ml_text_newline(out);
}

void ml_text_write_word(ml_buf *out, const char *key, const char *value)
{
	ml_text_key(out, key);
	ml_text_string(out, value);
	ml_text_newline(out);
}

void ml_text_write_list(ml_buf *out, const char *key, size_t count, char *const *names)
{
	ml_text_key(out, key);
	ml_text_size(out, count);
	for (size_t i = 0; i < count; i++)
		ml_text_string(out, names[i]);
	ml_text_newline(out);
}

void ml_text_write_end(ml_buf *out)
{
	ml_text_key(out, "end");
	ml_text_newline(out);
}

int ml_text_read_key(ml_text_reader *reader, const char *key, size_t n_values,
		     ml_text_line *line, ml_error *err)
{
	if (ml_text_next_required(reader, line, key, err) < 0)
		return -1;
	if (!ml_text_is(line, key))
		return ml_text_fail(reader, line, err, "expected '%s', found '%s'", key,
				    line->tokens[0]);
	if (n_values == ML_TEXT_LIST)
		return line->n_tokens >= 2 ? 0
					   : ml_text_fail(reader, line, err,
							  "expected '%s COUNT NAME...'", key);
	return ml_text_expect(reader, line, key, n_values, err);
}

int ml_text_read_bool(ml_text_reader *reader, const char *key, bool *value, ml_error *err)
{
	static const char *const words[] = { "false", "true", "no", "yes", NULL };
	size_t choice;
	if (ml_text_read_choice(reader, key, words, &choice, err) < 0)
		return -1;
	*value = choice % 2 == 1;
	return 0;
}

int ml_text_get_number(const ml_text_reader *reader, const ml_text_line *line, size_t index,
		       ml_text_number kind, double *value_out, ml_error *err)
{
	if (ml_text_get_double(reader, line, index, value_out, err) < 0)
		return -1;
	double value = *value_out;
	const char *wanted = NULL;
	if (kind == ML_TEXT_POSITIVE && !(isfinite(value) && value > 0))
		wanted = "a finite number > 0";
	else if (kind == ML_TEXT_NONNEGATIVE && !(isfinite(value) && value >= 0))
		wanted = "a finite number >= 0";
	else if (kind == ML_TEXT_FINITE && !isfinite(value))
		wanted = "a finite number";
	if (!wanted)
		return 0;
	return ml_text_fail(reader, line, err, "'%s' must be %s, not '%s'", line->tokens[0],
			    wanted, line->tokens[index]);
}

int ml_text_read_double(ml_text_reader *reader, const char *key, ml_text_number kind,
			double *value, ml_error *err)
{
	ml_text_line line;
	if (ml_text_read_key(reader, key, 1, &line, err) < 0)
		return -1;
	return ml_text_get_number(reader, &line, 1, kind, value, err);
}

int ml_text_read_size(ml_text_reader *reader, const char *key, size_t max, size_t *value,
		      ml_error *err)
{
	ml_text_line line;
	if (ml_text_read_key(reader, key, 1, &line, err) < 0)
		return -1;
	return ml_text_get_size(reader, &line, 1, max, value, err);
}

int ml_text_read_choice(ml_text_reader *reader, const char *key, const char *const *choices,
			size_t *choice, ml_error *err)
{
	ml_text_line line;
	if (ml_text_read_key(reader, key, 1, &line, err) < 0)
		return -1;
	return ml_text_get_choice(reader, &line, 1, choices, choice, err);
}

int ml_text_read_list(ml_text_reader *reader, const char *key, size_t max, ml_text_line *line,
		      size_t *count, char *const **names, ml_error *err)
{
	if (ml_text_read_key(reader, key, ML_TEXT_LIST, line, err) < 0)
		return -1;
	return ml_text_get_list(reader, line, 1, max, count, names, err);
}

int ml_text_expect_end(const ml_text_reader *reader, const ml_text_line *line,
		       const char *what, ml_error *err)
{
	if (!ml_text_is(line, "end"))
		return ml_text_fail(reader, line, err, "unknown or misplaced key '%s' in %s"
				    " (expected 'end')", line->tokens[0], what);
	return ml_text_expect(reader, line, "end", 0, err);
}

int ml_text_read_end(ml_text_reader *reader, const char *what, ml_error *err)
{
	ml_text_line line;
	if (ml_text_next_required(reader, &line, "end", err) < 0)
		return -1;
	return ml_text_expect_end(reader, &line, what, err);
}
