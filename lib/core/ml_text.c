#include "core/ml_text.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
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

/* Bytes read from a descriptor at a time. */
#define READ_BLOCK ((size_t)1 << 16)

struct ml_text_reader {
	const char *text;   /* memory readers: the whole text */
	size_t length;
	size_t offset;      /* bytes consumed: of text, or read from fd */
	size_t line_number; /* of the next line to read */
	char *source;
	ml_buf scratch;     /* unescaped tokens of the current line */
	size_t *starts;     /* token start offsets into scratch */
	char **tokens;
	size_t token_capacity;
	size_t n_tokens;    /* of the line last returned, for ml_text_unread */
	size_t last_number;
	bool replay;
	size_t bytes_consumed; /* by the last ml_text_next_bytes, else 0: what unread gives back */
	/* Descriptor readers: window[begin..end) holds bytes read, not yet consumed. */
	int fd;
	char *window;
	size_t window_capacity, begin, end;
	size_t max_line, max_total, total_read;
	bool at_eof;
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
	reader->fd = -1;
	reader->max_line = SIZE_MAX;
	ml_buf_init(&reader->scratch);
	return reader;
}

ml_text_reader *ml_text_reader_open_fd(int fd, const char *source, size_t max_line,
				       size_t max_total, ml_error *err)
{
	ml_text_reader *reader = ml_text_reader_create(NULL, 0, source, 1, err);
	if (!reader)
		return NULL;
	reader->fd = fd;
	reader->max_line = max_line;
	reader->max_total = max_total;
	return reader;
}

void ml_text_set_max_line(ml_text_reader *reader, size_t max_line)
{
	reader->max_line = max_line;
}

void ml_text_reader_free(ml_text_reader *reader)
{
	if (!reader)
		return;
	free(reader->source);
	ml_buf_free(&reader->scratch);
	free(reader->window);
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
		/* Runs without escapes are copied whole: a command line can be long. */
		const char *plain = p;
		while (p < end && *p != '"' && *p != '\\')
			p++;
		ml_buf_append(&reader->scratch, plain, (size_t)(p - plain));
		if (p == end || *p == '"')
			break;
		char c;
		if (++p == end)
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
			while (p < end && *p != ' ' && *p != '\t') {
				/* mlpipe-model(5): they would reach a terminal unescaped. */
				if ((unsigned char)*p < ' ' || *p == 0x7f)
					return ml_text_fail(reader, line, err, "control character"
							    " \\x%02x in a bare word (quote it and"
							    " write \\x%02x)", (unsigned char)*p,
							    (unsigned char)*p);
				p++;
			}
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

/*
 * True when every byte of the line is printable ASCII (space to '~'): then
 * it is UTF-8 and holds no control character, and neither needs checking
 * again.  Model files are almost all such lines (numbers and keywords), so
 * the check runs eight bytes at a time.
 */
static bool plain_ascii(const char *p, const char *end)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	while (end - p >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		/* A byte >= 0x80, or < 0x20 (v - 0x20.. borrows), or 0x7f (v + 1 reaches 0x80). */
		if ((v | (v - 0x20 * ones) | ((v & ~highs) + ones)) & highs)
			return false;
		p += 8;
	}
	for (; p < end; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p >= 0x7f)
			return false;
	return true;
}

/*
 * tokenize for a plain line (plain_ascii) without quotes: the line is copied
 * once and its spaces become the tokens' ends.
 */
static int tokenize_plain(ml_text_reader *reader, const char *p, const char *end,
			  ml_text_line *line, ml_error *err)
{
	ml_buf_reset(&reader->scratch);
	ml_buf_append(&reader->scratch, p, (size_t)(end - p));
	ml_buf_putc(&reader->scratch, '\0');
	if (reader->scratch.failed)
		return ml_error_nomem(err);
	char *q = reader->scratch.data, *stop = q + (end - p);
	size_t n_tokens = 0;
	while (q < stop) {
		if (*q == ' ') {
			*q++ = '\0';
			continue;
		}
		/* The line is not moved again: tokens can point into it at once. */
		if (n_tokens == reader->token_capacity &&
		    push_token_start(reader, n_tokens, err) < 0)
			return ml_text_fail(reader, line, err, "too many values on one line");
		if (n_tokens >= MAX_TOKENS)
			return ml_text_fail(reader, line, err, "too many values on one line");
		reader->tokens[n_tokens++] = q;
		while (q < stop && *q != ' ')
			q++;
	}
	line->tokens = reader->tokens;
	line->n_tokens = n_tokens;
	return 0;
}

/* A line of a memory reader: 1 and its bytes, 0 at the end. */
static int memory_line(ml_text_reader *reader, const char **start, const char **end)
{
	if (reader->offset >= reader->length)
		return 0;
	*start = reader->text + reader->offset;
	const char *newline = memchr(*start, '\n', reader->length - reader->offset);
	*end = newline ? newline : reader->text + reader->length;
	reader->offset = (size_t)(*end - reader->text) + (newline ? 1 : 0);
	return 1;
}

/* Names the line being read in a message about it. */
static int fail_at_next(ml_text_reader *reader, ml_error *err, const char *format, size_t value)
{
	ml_text_line line = { .number = reader->line_number };
	return ml_text_fail(reader, &line, err, format, value);
}

/*
 * Reads more of the descriptor into the window, which keeps its unconsumed
 * bytes and holds at most one line beyond them: max_line bounds it.
 */
static int read_more(ml_text_reader *reader, ml_error *err)
{
	size_t held = reader->end - reader->begin;
	if (reader->begin > 0) {
		memmove(reader->window, reader->window + reader->begin, held);
		reader->begin = 0;
		reader->end = held;
	}
	if (reader->window_capacity - held < READ_BLOCK) {
		/* Doubling, but never far past the longest line allowed. */
		size_t needed, capacity, limit;
		if (!ml_size_add(held, READ_BLOCK, &needed))
			return ml_error_nomem(err);
		if (!ml_size_mul(reader->window_capacity, 2, &capacity) || capacity < needed)
			capacity = needed;
		if (ml_size_add(reader->max_line, READ_BLOCK, &limit) && capacity > limit &&
		    limit >= needed)
			capacity = limit;
		char *window = realloc(reader->window, capacity);
		if (!window) {
			return ml_text_fail(reader, NULL, err, "out of memory reading line %zu",
					    reader->line_number);
		}
		reader->window = window;
		reader->window_capacity = capacity;
	}
	long got = ml_read_some(reader->fd, reader->window + held,
				reader->window_capacity - held);
	if (got < 0)
		return ml_text_fail(reader, NULL, err, "read error: %s", strerror(errno));
	if (got == 0)
		reader->at_eof = true;
	reader->end += (size_t)got;
	reader->total_read += (size_t)got;
	if (reader->total_read > reader->max_total)
		return ml_text_fail(reader, NULL, err, "larger than %zu bytes", reader->max_total);
	return 0;
}

/* A line of a descriptor reader: 1 and its bytes (valid until the next read), 0 at the end. */
static int stream_line(ml_text_reader *reader, const char **start, const char **end,
		       ml_error *err)
{
	size_t scanned = 0;
	for (;;) {
		/* No window before the first read: nothing held, nothing to point into. */
		char *begin = reader->window ? reader->window + reader->begin : NULL;
		size_t held = reader->end - reader->begin;
		char *newline = held > scanned ? memchr(begin + scanned, '\n', held - scanned) : NULL;
		size_t line_length = newline ? (size_t)(newline - begin) : held;
		if (line_length > reader->max_line)
			return fail_at_next(reader, err, "line longer than %zu bytes", reader->max_line);
		if (newline || (reader->at_eof && held > 0)) {
			*start = begin;
			*end = begin + line_length;
			size_t consumed = line_length + (newline ? 1 : 0);
			reader->begin += consumed;
			reader->offset += consumed;
			return 1;
		}
		if (reader->at_eof)
			return 0;
		scanned = held;
		if (read_more(reader, err) < 0)
			return -1;
	}
}

int ml_text_peek(ml_text_reader *reader, size_t length, const char **bytes, size_t *got,
		 ml_error *err)
{
	if (reader->fd < 0) {
		*bytes = reader->text + reader->offset;
		*got = reader->length - reader->offset;
	} else {
		while (reader->end - reader->begin < length && !reader->at_eof)
			if (read_more(reader, err) < 0)
				return -1;
		*bytes = reader->window ? reader->window + reader->begin : "";
		*got = reader->end - reader->begin;
	}
	if (*got > length)
		*got = length;
	return 0;
}

void ml_text_unread(ml_text_reader *reader)
{
	if (reader->bytes_consumed) {
		/* The bytes are still where they were: the reader moves back over them. */
		reader->offset -= reader->bytes_consumed;
		if (reader->fd >= 0)
			reader->begin -= reader->bytes_consumed;
		reader->line_number--;
		reader->bytes_consumed = 0;
		return;
	}
	reader->replay = true;
}

int ml_text_next_bytes(ml_text_reader *reader, const char **bytes, size_t *length,
		       size_t *number, ml_error *err)
{
	reader->bytes_consumed = 0;
	if (reader->replay) {
		*bytes = NULL;
		*length = 0;
		return 1;
	}
	const char *start = NULL, *end = NULL;
	size_t before = reader->offset;
	int got = reader->fd < 0 ? memory_line(reader, &start, &end)
				 : stream_line(reader, &start, &end, err);
	if (got <= 0)
		return got;
	*bytes = start;
	*length = (size_t)(end - start);
	*number = reader->line_number++;
	reader->bytes_consumed = reader->offset - before;
	return 1;
}

int ml_text_next(ml_text_reader *reader, ml_text_line *line, ml_error *err)
{
	reader->bytes_consumed = 0;
	if (reader->replay) {
		reader->replay = false;
		line->tokens = reader->tokens;
		line->n_tokens = reader->n_tokens;
		line->number = reader->last_number;
		return 1;
	}
	for (;;) {
		const char *start = NULL, *end = NULL;
		int got = reader->fd < 0 ? memory_line(reader, &start, &end)
					 : stream_line(reader, &start, &end, err);
		if (got <= 0)
			return got;
		line->number = reader->line_number++;
		if (end > start && end[-1] == '\r')
			end--;
		bool plain = plain_ascii(start, end);
		if (!plain && !ml_utf8_valid(start, (size_t)(end - start)))
			return ml_text_fail(reader, line, err, "not UTF-8 text");
		const char *p = start;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end || *p == '#')
			continue;
		if ((plain && !memchr(p, '"', (size_t)(end - p))
		     ? tokenize_plain(reader, p, end, line, err)
		     : tokenize(reader, p, end, line, err)) < 0)
			return -1;
		reader->n_tokens = line->n_tokens;
		reader->last_number = line->number;
		return 1;
	}
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
	if (token[0] == 'n' && strcmp(token, "nan") == 0) {
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
	/* Short plain digits (node indices, counts) without the general parser; the rest below. */
	size_t quick = 0, digits = 0;
	while (digits < 18 && token[digits] >= '0' && token[digits] <= '9')
		quick = quick * 10 + (size_t)(token[digits++] - '0');
	if (digits > 0 && token[digits] == '\0' && quick <= max) {
		*value = quick;
		return 0;
	}
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
