/*
 * ml_text: the keyword-value lines of stage and model files.  Quoting
 * round-trips every string a column name can be; numbers round-trip
 * bit-exactly; malformed lines are refused with their line number.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/ml_text.h"

/* Writes "key VALUE" and reads it back: the one value must come out equal. */
static void round_trip_string(const char *value)
{
	ml_buf out;
	ml_error err;
	ml_buf_init(&out);
	ml_text_key(&out, "name");
	ml_text_string(&out, value);
	ml_text_newline(&out);
	ck_assert(!out.failed);
	ml_text_reader *reader = ml_text_reader_create(out.data, out.length, "t", 1, &err);
	ml_text_line line;
	int got = ml_text_next(reader, &line, &err);
	ck_assert_msg(got == 1, "'%s' written as '%s': %s", value, out.data,
		      got < 0 ? err.message : "no line");
	ck_assert_uint_eq(line.n_tokens, 2);
	ck_assert_str_eq(line.tokens[0], "name");
	ck_assert_msg(strcmp(line.tokens[1], value) == 0, "'%s' came back as '%s' (from '%s')",
		      value, line.tokens[1], out.data);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 0);
	ml_text_reader_free(reader);
	ml_buf_free(&out);
}

START_TEST(test_string_round_trip)
{
	static const char *const values[] = {
		"plain", "", " ", "two words", " leading", "trailing ", "tab\there",
		"say \"hi\"", "\"", "\"\"", "back\\slash", "\\", "\\n", "\\x41", "new\nline",
		"cr\rlf\n", "#comment", "a#b", "=", "island=Dream", "caf\xc3\xa9",
		"\xe2\x82\xac \xf0\x9f\x98\x80", "\x7f", "\x01\x02\x1f", "\x1b[31mred\x1b[0m",
		"end\\", "x\"", "nan", "-0", "1e308", "stage", "end",
	};
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		round_trip_string(values[i]);
	/* Every ASCII character but NUL, alone and inside text. */
	for (int c = 1; c < 128; c++) {
		char alone[2] = { (char)c, 0 }, inside[6] = { 'a', (char)c, 'b', (char)c, 0 };
		round_trip_string(alone);
		round_trip_string(inside);
	}
}
END_TEST

/* Reads text and returns every line's tokens as "tok|tok|...;" or the error. */
static const char *read_all(const char *text)
{
	static char result[4 * ML_ERROR_SIZE];
	ml_error err;
	ml_text_reader *reader = ml_text_reader_create(text, strlen(text), "src", 10, &err);
	ml_text_line line;
	size_t used = 0;
	int got;
	result[0] = '\0';
	while ((got = ml_text_next(reader, &line, &err)) == 1) {
		used += (size_t)snprintf(result + used, sizeof result - used, "%zu:", line.number);
		for (size_t i = 0; i < line.n_tokens; i++)
			used += (size_t)snprintf(result + used, sizeof result - used, "%s%s",
						 i ? "|" : "", line.tokens[i]);
		used += (size_t)snprintf(result + used, sizeof result - used, ";");
	}
	if (got < 0)
		snprintf(result + used, sizeof result - used, "error: %s", err.message);
	ml_text_reader_free(reader);
	return result;
}

START_TEST(test_lines)
{
	ck_assert_str_eq(read_all(""), "");
	ck_assert_str_eq(read_all("a b c"), "10:a|b|c;");
	ck_assert_str_eq(read_all("a  b\t c \n"), "10:a|b|c;");
	ck_assert_str_eq(read_all("\n\n# comment\n  # indented comment\nk v\n"), "14:k|v;");
	ck_assert_str_eq(read_all("k a#b\n"), "10:k|a#b;");
	ck_assert_str_eq(read_all("k 1\r\nk 2\r\n"), "10:k|1;11:k|2;");
	ck_assert_str_eq(read_all("k \"a b\" \"\" c\n"), "10:k|a b||c;");
	ck_assert_str_eq(read_all("k \"\\x41\\x7f\\t\"\n"), "10:k|A\x7f\t;");
	ck_assert_str_eq(read_all("   \t \n"), "");
	ck_assert_str_eq(read_all("k v\n\n\nk2\n"), "10:k|v;13:k2;");
}
END_TEST

START_TEST(test_malformed_lines)
{
	ck_assert_str_eq(read_all("ok 1\nk \"open\n"),
			 "10:ok|1;error: src:11: unterminated quoted string");
	ck_assert_str_eq(read_all("k \"a\\\"\n"), "error: src:10: unterminated quoted string");
	ck_assert_str_eq(read_all("k \"ends with \\"),
			 "error: src:10: unterminated quoted string");
	ck_assert_str_eq(read_all("k \"\\q\"\n"), "error: src:10: unknown escape in quoted string");
	ck_assert_str_eq(read_all("k \"\\x4\"\n"), "error: src:10: bad \\x escape in quoted string");
	ck_assert_str_eq(read_all("k \"\\x\""), "error: src:10: bad \\x escape in quoted string");
	ck_assert_str_eq(read_all("k \"\\xg1\"\n"), "error: src:10: bad \\x escape in quoted string");
	ck_assert_str_eq(read_all("k \"\\x00\"\n"), "error: src:10: bad \\x escape in quoted string");
	ck_assert_str_eq(read_all("k \"a\"b\n"), "error: src:10: no space after quoted string");
	/* Escapes may spell UTF-8, never bytes that are not (found by fuzz_pipefile). */
	ck_assert_str_eq(read_all("k \"caf\\xc3\\xa9\"\n"), "10:k|caf\xc3\xa9;");
	ck_assert_str_eq(read_all("k \"\\xc1\\x7f\"\n"),
			 "error: src:10: quoted string is not UTF-8 text (see its \\x escapes)");
	ck_assert_str_eq(read_all("k \"\\xff\"\n"),
			 "error: src:10: quoted string is not UTF-8 text (see its \\x escapes)");
	ck_assert_str_eq(read_all("\"\" \"\"\n"), "10:|;");
	ck_assert_str_eq(read_all("k \"\\xc3\"\n"),
			 "error: src:10: quoted string is not UTF-8 text (see its \\x escapes)");
	ck_assert_str_eq(read_all("k v\nk \xff\n"), "10:k|v;error: src:11: not UTF-8 text");
	ck_assert_str_eq(read_all("# \xc3\n"), "error: src:10: not UTF-8 text");
	static const char with_nul[] = "k a\0b\n";
	ml_error err;
	ml_text_reader *reader = ml_text_reader_create(with_nul, sizeof with_nul - 1, "src", 1,
						       &err);
	ml_text_line line;
	ck_assert_int_eq(ml_text_next(reader, &line, &err), -1);
	ck_assert_str_eq(err.message, "src:1: not UTF-8 text");
	ml_text_reader_free(reader);
}
END_TEST

/* Parses "key VALUES" and hands the line to check. */
typedef struct parsed {
	ml_text_reader *reader;
	ml_text_line line;
	ml_error err;
} parsed;

static void parse_line(parsed *p, const char *text)
{
	p->reader = ml_text_reader_create(text, strlen(text), "m", 3, &p->err);
	ck_assert_int_eq(ml_text_next(p->reader, &p->line, &p->err), 1);
}

START_TEST(test_values)
{
	parsed p;
	parse_line(&p, "k 12 nan -inf 0.1 x 1.5e3 007 -1 18446744073709551616 red");
	double value;
	size_t size, choice;
	ck_assert(ml_text_is(&p.line, "k"));
	ck_assert(!ml_text_is(&p.line, "K"));
	ck_assert_int_eq(ml_text_expect(p.reader, &p.line, "k", 10, &p.err), 0);
	ck_assert_int_eq(ml_text_expect(p.reader, &p.line, "k", 2, &p.err), -1);
	ck_assert_str_eq(p.err.message, "m:3: 'k' takes 2 values, found 10");
	ck_assert_int_eq(ml_text_expect(p.reader, &p.line, "key", 10, &p.err), -1);
	ck_assert_str_eq(p.err.message, "m:3: expected 'key', found 'k'");
	ck_assert_int_eq(ml_text_get_double(p.reader, &p.line, 1, &value, &p.err), 0);
	ck_assert(value == 12);
	ck_assert_int_eq(ml_text_get_double(p.reader, &p.line, 2, &value, &p.err), 0);
	ck_assert(isnan(value));
	ck_assert_int_eq(ml_text_get_double(p.reader, &p.line, 3, &value, &p.err), 0);
	ck_assert(isinf(value) && value < 0);
	ck_assert_int_eq(ml_text_get_double(p.reader, &p.line, 4, &value, &p.err), 0);
	ck_assert(value == 0.1);
	ck_assert_int_eq(ml_text_get_double(p.reader, &p.line, 5, &value, &p.err), -1);
	ck_assert_str_eq(p.err.message, "m:3: 'k': 'x' is not a number");
	ck_assert_int_eq(ml_text_get_size(p.reader, &p.line, 1, 12, &size, &p.err), 0);
	ck_assert_uint_eq(size, 12);
	ck_assert_int_eq(ml_text_get_size(p.reader, &p.line, 1, 11, &size, &p.err), -1);
	ck_assert_str_eq(p.err.message, "m:3: 'k': '12' is not a whole number from 0 to 11");
	ck_assert_int_eq(ml_text_get_size(p.reader, &p.line, 6, 10000, &size, &p.err), -1);
	ck_assert_int_eq(ml_text_get_size(p.reader, &p.line, 7, 10, &size, &p.err), 0);
	ck_assert_uint_eq(size, 7);
	ck_assert_int_eq(ml_text_get_size(p.reader, &p.line, 8, 10, &size, &p.err), -1);
	ck_assert_int_eq(ml_text_get_size(p.reader, &p.line, 9, SIZE_MAX, &size, &p.err), -1);
	static const char *const colours[] = { "green", "red", NULL };
	ck_assert_int_eq(ml_text_get_choice(p.reader, &p.line, 10, colours, &choice, &p.err), 0);
	ck_assert_uint_eq(choice, 1);
	ck_assert_int_eq(ml_text_get_choice(p.reader, &p.line, 5, colours, &choice, &p.err), -1);
	ck_assert_str_eq(p.err.message, "m:3: 'k': unknown value 'x'");
	ck_assert_int_eq(ml_text_next_required(p.reader, &p.line, "end", &p.err), -1);
	ck_assert_str_eq(p.err.message, "m:4: unexpected end of text, expected 'end'");
	ck_assert_str_eq(ml_text_source(p.reader), "m");
	ml_text_reader_free(p.reader);
	ml_text_reader_free(NULL);
}
END_TEST

/* Whole numbers: the short digits' quick path and the general one agree at their borders. */
START_TEST(test_sizes)
{
	static const struct {
		const char *text;
		size_t max;
		int status;
		size_t value;
	} cases[] = {
		{ "0", 0, 0, 0 }, { "007", 7, 0, 7 }, { "8", 7, -1, 0 },
		{ "-0", 5, 0, 0 }, { "-1", 5, -1, 0 }, { "+1", 5, -1, 0 }, { "1x", 5, -1, 0 },
		{ "999999999999999999", SIZE_MAX, 0, 999999999999999999u },
		{ "999999999999999999", 999999999999999998u, -1, 0 },
		{ "9223372036854775807", SIZE_MAX, 0, 9223372036854775807u },
		{ "9223372036854775808", SIZE_MAX, -1, 0 },
		{ "000000000000000000000001", 1, 0, 1 },
		{ "99999999999999999999999", SIZE_MAX, -1, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "k %s\n", cases[i].text);
		parsed p;
		parse_line(&p, text);
		size_t value = 12345;
		int status = ml_text_get_size(p.reader, &p.line, 1, cases[i].max, &value, &p.err);
		ck_assert_msg(status == cases[i].status, "'%s' (max %zu): status %d", cases[i].text,
			      cases[i].max, status);
		if (status == 0)
			ck_assert_msg(value == cases[i].value, "'%s': %zu", cases[i].text, value);
		else
			ck_assert_msg(strstr(p.err.message, "is not a whole number from 0 to"),
				      "'%s': %s", cases[i].text, p.err.message);
		ml_text_reader_free(p.reader);
	}
}
END_TEST

START_TEST(test_double_round_trip)
{
	static const double values[] = {
		0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 1e-310, 4.9406564584124654e-324,
		1.7976931348623157e308, 2.2250738585072014e-308, 9007199254740993.0, 123456789012.0,
		INFINITY, -INFINITY, NAN,
	};
	ml_buf out;
	ml_error err;
	ml_buf_init(&out);
	ml_text_key(&out, "v");
	for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
		ml_text_double(&out, values[i]);
	ml_text_size(&out, SIZE_MAX);
	ml_text_newline(&out);
	ml_text_reader *reader = ml_text_reader_create(out.data, out.length, "d", 1, &err);
	ml_text_line line;
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
	size_t n = sizeof values / sizeof values[0];
	ck_assert_uint_eq(line.n_tokens, n + 2);
	for (size_t i = 0; i < n; i++) {
		double back;
		ck_assert_int_eq(ml_text_get_double(reader, &line, i + 1, &back, &err), 0);
		if (isnan(values[i])) {
			ck_assert(isnan(back));
			continue;
		}
		ck_assert_msg(memcmp(&back, &values[i], sizeof back) == 0, "%.17g came back as %.17g",
			      values[i], back);
	}
	char expected[32];
	snprintf(expected, sizeof expected, "%zu", (size_t)SIZE_MAX);
	ck_assert_str_eq(line.tokens[n + 1], expected);
	ck_assert_uint_eq(ml_text_offset(reader), out.length);
	ml_text_reader_free(reader);
	ml_buf_free(&out);
}
END_TEST

/* A line with a million and more tokens is refused, not grown without bound. */
START_TEST(test_too_many_tokens)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_text_key(&text, "k");
	for (size_t i = 0; i < ML_MAX_COLUMNS + 20; i++)
		ml_buf_puts(&text, " x");
	ck_assert(!text.failed);
	ml_error err;
	ml_text_reader *reader = ml_text_reader_create(text.data, text.length, "big", 1, &err);
	ml_text_line line;
	ck_assert_int_eq(ml_text_next(reader, &line, &err), -1);
	ck_assert_str_eq(err.message, "big:1: too many values on one line");
	ml_text_reader_free(reader);
	ml_buf_free(&text);
}
END_TEST

/* mlpipe-model(5): a bare word holds no control character; quoted strings spell them. */
START_TEST(test_control_characters)
{
	ck_assert_str_eq(read_all("k a\x1b[2Jb\n"), "error: src:10: control character \\x1b in a"
			 " bare word (quote it and write \\x1b)");
	ck_assert_str_eq(read_all("ok 1\nk a\rb\n"), "10:ok|1;error: src:11: control character"
			 " \\x0d in a bare word (quote it and write \\x0d)");
	ck_assert_str_eq(read_all("\x7f\n"), "error: src:10: control character \\x7f in a bare"
			 " word (quote it and write \\x7f)");
	ck_assert_str_eq(read_all("k \x01\n"), "error: src:10: control character \\x01 in a bare"
			 " word (quote it and write \\x01)");
	/* Tabs separate words, a CR before the LF ends the line: neither is in a word. */
	ck_assert_str_eq(read_all("k\ta\tb\r\n"), "10:k|a|b;");
	ck_assert_str_eq(read_all("k \"\\x1b[2J\" \"\\n\\t\\r\\\\\\\"\"\n"), "10:k|\x1b[2J|\n\t\r\\\";");
}
END_TEST

/*
 * Plain lines (printable ASCII, no quote) take a shorter path that checks
 * eight bytes at a time: a control character, DEL or a byte >= 0x80 at any
 * position of a long line is still found, and words split as before.
 */
START_TEST(test_plain_lines)
{
	ck_assert_str_eq(read_all("  key   1.5  -2   nan  \n"), "10:key|1.5|-2|nan;");
	ck_assert_str_eq(read_all("split 0 5 -1.209061605013539 1 456 right 267.8 20000 12637\n"),
			 "10:split|0|5|-1.209061605013539|1|456|right|267.8|20000|12637;");
	static const unsigned char bad[] = { 0x01, 0x09, 0x1f, 0x7f, 0x80, 0xc3, 0xff };
	for (size_t b = 0; b < sizeof bad; b++)
		for (size_t at = 2; at < 40; at++) {
			char text[64];
			memset(text, 'a', sizeof text);
			memcpy(text, "k ", 2);
			text[at] = (char)bad[b];
			text[48] = '\n';
			text[49] = '\0';
			const char *got = read_all(text);
			if (bad[b] == 0x09) /* a tab separates words */
				ck_assert_msg(strncmp(got, "10:k|", 5) == 0 &&
					      (at == 2 || strchr(got + 5, '|')),
					      "tab at %zu: %s", at, got);
			else
				ck_assert_msg(strncmp(got, "error: src:10: ", 15) == 0,
					      "byte %02x at %zu: %s", bad[b], at, got);
		}
	/* More words than the first token array holds. */
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, "k");
	for (int i = 0; i < 300; i++)
		ml_buf_printf(&text, " %d", i);
	ck_assert(!text.failed);
	ml_error err;
	ml_text_reader *reader = ml_text_reader_create(text.data, text.length, "w", 1, &err);
	ml_text_line line;
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
	ck_assert_uint_eq(line.n_tokens, 301);
	ck_assert_str_eq(line.tokens[0], "k");
	ck_assert_str_eq(line.tokens[1], "0");
	ck_assert_str_eq(line.tokens[300], "299");
	ml_text_reader_free(reader);
	ml_buf_free(&text);
}
END_TEST

/* text in a temporary file, at offset 0. */
static int file_holding(const char *text, size_t length)
{
	FILE *file = tmpfile();
	ck_assert(file != NULL);
	ck_assert_uint_eq(fwrite(text, 1, length, file), length);
	ck_assert_int_eq(fflush(file), 0);
	int fd = dup(fileno(file));
	fclose(file);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* A descriptor reader gives the lines a memory reader gives, across many blocks. */
START_TEST(test_stream_same_lines)
{
	ml_buf text;
	ml_buf_init(&text);
	for (size_t i = 0; i < 20000; i++) {
		ml_text_key(&text, i % 7 == 3 ? "# comment" : "key");
		ml_text_size(&text, i);
		ml_text_string(&text, i % 3 ? "two words" : "w");
		ml_buf_puts(&text, i % 5 ? "\n" : "\r\n\n");
	}
	ml_buf_puts(&text, "last line");
	ck_assert(!text.failed);
	ml_error err;
	int fd = file_holding(text.data, text.length);
	ml_text_reader *memory = ml_text_reader_create(text.data, text.length, "m", 1, &err);
	ml_text_reader *stream = ml_text_reader_open_fd(fd, "s", 64, text.length, &err);
	ck_assert(memory && stream);
	const char *bytes;
	size_t got;
	ck_assert_int_eq(ml_text_peek(stream, 5, &bytes, &got, &err), 0);
	ck_assert_uint_eq(got, 5);
	ck_assert(memcmp(bytes, "key 0", 5) == 0);
	ml_text_line a, b;
	int status;
	size_t n_lines = 0;
	while ((status = ml_text_next(memory, &a, &err)) == 1) {
		ck_assert_int_eq(ml_text_next(stream, &b, &err), 1);
		ck_assert_uint_eq(a.number, b.number);
		ck_assert_uint_eq(a.n_tokens, b.n_tokens);
		for (size_t i = 0; i < a.n_tokens; i++)
			ck_assert_str_eq(a.tokens[i], b.tokens[i]);
		ck_assert_uint_eq(ml_text_offset(memory), ml_text_offset(stream));
		if (n_lines++ == 1000) {
			/* The line just read comes again, then the reader goes on. */
			ml_text_unread(stream);
			ck_assert_int_eq(ml_text_next(stream, &b, &err), 1);
			ck_assert_uint_eq(a.number, b.number);
			ck_assert_str_eq(a.tokens[2], b.tokens[2]);
		}
	}
	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(ml_text_next(stream, &b, &err), 0);
	ck_assert_str_eq(a.tokens[1], "line");
	ml_text_reader_free(memory);
	ml_text_reader_free(stream);
	close(fd);
	ml_buf_free(&text);
}
END_TEST

/*
 * ml_text_next_bytes hands out each line as it is, numbered as ml_text_next
 * numbers it; after ml_text_unread the same line comes again, from either
 * call, on memory and descriptor readers alike; a line replayed by
 * ml_text_unread after ml_text_next is left to ml_text_next (NULL bytes).
 */
START_TEST(test_line_bytes)
{
	ml_buf text;
	ml_buf_init(&text);
	for (size_t i = 0; i < 5000; i++)
		ml_buf_printf(&text, i % 9 == 4 ? "# note %zu\r\n" : "key %zu  v\n", i);
	ck_assert(!text.failed);
	ml_error err;
	int fd = file_holding(text.data, text.length);
	ml_text_reader *readers[2] = {
		ml_text_reader_create(text.data, text.length, "m", 1, &err),
		ml_text_reader_open_fd(fd, "s", 64, text.length, &err),
	};
	for (int r = 0; r < 2; r++) {
		ml_text_reader *reader = readers[r];
		ck_assert_ptr_nonnull(reader);
		const char *bytes;
		size_t length, number;
		ml_text_line line;
		for (size_t i = 0; i < 5000; i++) {
			char expected[64];
			int n = snprintf(expected, sizeof expected,
					 i % 9 == 4 ? "# note %zu\r" : "key %zu  v", i);
			ck_assert_int_eq(ml_text_next_bytes(reader, &bytes, &length, &number, &err), 1);
			ck_assert_uint_eq(number, i + 1);
			ck_assert_uint_eq(length, (size_t)n);
			ck_assert(memcmp(bytes, expected, length) == 0);
			if (i % 9 == 4 || i % 3)
				continue;
			/* Read again: as bytes, then as tokens, then replayed. */
			ml_text_unread(reader);
			ck_assert_int_eq(ml_text_next_bytes(reader, &bytes, &length, &number, &err), 1);
			ck_assert_uint_eq(number, i + 1);
			ck_assert(memcmp(bytes, expected, length) == 0);
			ml_text_unread(reader);
			ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
			ck_assert_uint_eq(line.number, i + 1);
			ck_assert_uint_eq(line.n_tokens, 3);
			ck_assert_uint_eq(strtoul(line.tokens[1], NULL, 10), i);
			ml_text_unread(reader);
			ck_assert_int_eq(ml_text_next_bytes(reader, &bytes, &length, &number, &err), 1);
			ck_assert_ptr_null(bytes);
			ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
			ck_assert_uint_eq(line.number, i + 1);
		}
		ck_assert_int_eq(ml_text_next_bytes(reader, &bytes, &length, &number, &err), 0);
		ml_text_reader_free(reader);
	}
	close(fd);
	ml_buf_free(&text);
}
END_TEST

/* A line past the bound, or a file past its total, is refused as soon as it passes. */
START_TEST(test_stream_bounds)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, "short line\n\"");
	for (size_t i = 0; i < 300000; i++)
		ml_buf_putc(&text, 'a');
	ml_buf_puts(&text, "\"\nafter\n");
	ck_assert(!text.failed);
	ml_error err;
	ml_text_line line;
	int fd = file_holding(text.data, text.length);
	ml_text_reader *reader = ml_text_reader_open_fd(fd, "long", 100000, SIZE_MAX, &err);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), -1);
	ck_assert_str_eq(err.message, "long:2: line longer than 100000 bytes");
	/* It stopped reading within a block of the bound. */
	ck_assert_int_lt(lseek(fd, 0, SEEK_CUR), 100000 + 2 * 65536);
	ml_text_reader_free(reader);

	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	reader = ml_text_reader_open_fd(fd, "long", 400000, 1000, &err);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), -1);
	ck_assert_str_eq(err.message, "long: larger than 1000 bytes");
	ml_text_reader_free(reader);

	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	reader = ml_text_reader_open_fd(fd, "long", 400000, text.length, &err);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
	ck_assert_uint_eq(strlen(line.tokens[0]), 300000);
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 1);
	ck_assert_str_eq(line.tokens[0], "after");
	ck_assert_int_eq(ml_text_next(reader, &line, &err), 0);
	ml_text_reader_free(reader);
	close(fd);
	ml_buf_free(&text);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *suite = suite_create("ml_text");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_string_round_trip);
	tcase_add_test(core, test_lines);
	tcase_add_test(core, test_malformed_lines);
	tcase_add_test(core, test_values);
	tcase_add_test(core, test_sizes);
	tcase_add_test(core, test_double_round_trip);
	tcase_add_test(core, test_too_many_tokens);
	tcase_add_test(core, test_control_characters);
	tcase_add_test(core, test_plain_lines);
	suite_add_tcase(suite, core);
	/* Files of a few megabytes: slow on a loaded machine under the sanitizers. */
	TCase *stream = tcase_create("stream");
	tcase_add_test(stream, test_stream_same_lines);
	tcase_add_test(stream, test_stream_bounds);
	tcase_add_test(stream, test_line_bytes);
	tcase_set_timeout(stream, 120);
	suite_add_tcase(suite, stream);
	return suite;
}

ML_CHECK_MAIN(text_suite)
