/*
 * ml_csv: the reader (records, line numbers, blank lines, BOM, CRLF,
 * ragged rows, records that cross read blocks) and the writer (quoting,
 * NaN as an empty field, class names).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "io/ml_csv.h"

/* A file descriptor that reads text[0..length) from a regular temp file. */
static int fd_with(const char *text, size_t length)
{
	char path[] = "/tmp/test_csv.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

typedef struct opened {
	int fd;
	ml_source *source;
	ml_csv_reader *reader;
	ml_error err;
} opened;

/* Opens text as CSV, its first prefix_length bytes peeked at first, as sniffing does. */
static void open_csv(opened *o, const char *text, size_t length, size_t prefix_length,
		     const ml_csv_options *options)
{
	ml_csv_options defaults;
	ml_csv_options_init(&defaults);
	const unsigned char *bytes;
	o->fd = fd_with(text, length);
	o->err.message[0] = '\0';
	o->reader = NULL;
	o->source = ml_source_create(o->fd, "t.csv", &o->err);
	ck_assert_msg(o->source != NULL, "%s", o->err.message);
	ck_assert_int_ge(ml_source_peek(o->source, prefix_length, &bytes, &o->err), 0);
	o->reader = ml_csv_reader_create(o->source, "t.csv", options ? options : &defaults,
					 &o->err);
}

static void close_csv(opened *o)
{
	ml_csv_reader_free(o->reader);
	ml_source_free(o->source);
	close(o->fd);
}

static void expect_record(ml_csv_reader *reader, size_t line, size_t n_fields,
			  const char *const *fields)
{
	ml_record record;
	ml_error err;
	int got = ml_csv_next(reader, &record, &err);
	ck_assert_msg(got == 1, "got %d: %s", got, got < 0 ? err.message : "");
	ck_assert_uint_eq(record.line, line);
	ck_assert_uint_eq(record.n_fields, n_fields);
	for (size_t i = 0; i < n_fields; i++) {
		ck_assert_uint_eq(record.fields[i].length, strlen(fields[i]));
		ck_assert_str_eq(record.fields[i].text, fields[i]);
	}
}

static void expect_end(ml_csv_reader *reader)
{
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), 0);
}

/* The format sniffer reads up to 8 bytes: they may end inside a record. */
START_TEST(test_prefix_ends_inside_a_record)
{
	static const char text[] = "a,b,c\n1,2,3\n4,5,6\n";
	for (size_t prefix = 0; prefix <= 8; prefix++) {
		opened o;
		open_csv(&o, text, strlen(text), prefix, NULL);
		ck_assert_msg(o.reader != NULL, "prefix %zu: %s", prefix, o.err.message);
		const ml_columns *columns = ml_csv_reader_columns(o.reader);
		ck_assert_uint_eq(columns->count, 3);
		ck_assert_str_eq(columns->names[2], "c");
		expect_record(o.reader, 2, 3, (const char *[]){ "1", "2", "3" });
		expect_record(o.reader, 3, 3, (const char *[]){ "4", "5", "6" });
		expect_end(o.reader);
		close_csv(&o);
	}
}
END_TEST

/* Reads go 256 KiB at a time: a record may start in one block and end in the next. */
START_TEST(test_record_across_blocks)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, "ab,b\n"); /* 5 bytes, then 4-byte rows: a block ends after "1," */
	size_t n_rows = 200000;
	for (size_t i = 0; i < n_rows; i++)
		ml_buf_printf(&text, "%zu,%zu\n", i % 10, (i + 3) % 10);
	ck_assert(!text.failed);
	opened o;
	open_csv(&o, text.data, text.length, 0, NULL);
	ck_assert_msg(o.reader != NULL, "%s", o.err.message);
	size_t wrong = 0, i;
	ml_record record;
	for (i = 0; ml_csv_next(o.reader, &record, &o.err) == 1; i++)
		wrong += record.line != i + 2 || record.n_fields != 2 ||
			 record.fields[0].length != 1 || record.fields[1].length != 1 ||
			 record.fields[0].text[0] != (char)('0' + i % 10) ||
			 record.fields[1].text[0] != (char)('0' + (i + 3) % 10);
	ck_assert_uint_eq(i, n_rows);
	ck_assert_uint_eq(wrong, 0);
	close_csv(&o);
	ml_buf_free(&text);
}
END_TEST

/* The byte order mark is dropped even when it comes in pieces (a slow pipe). */
START_TEST(test_bom_split)
{
	static const char text[] = "\xef\xbb\xbf" "a,b\n1,2\n";
	for (size_t prefix = 0; prefix <= 4; prefix++) {
		opened o;
		open_csv(&o, text, strlen(text), prefix, NULL);
		ck_assert_msg(o.reader != NULL, "prefix %zu: %s", prefix, o.err.message);
		ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[0], "a");
		expect_record(o.reader, 2, 2, (const char *[]){ "1", "2" });
		expect_end(o.reader);
		close_csv(&o);
	}
}
END_TEST

/* Bytes that start like a BOM but are not one are text. */
START_TEST(test_bom_lookalike)
{
	static const char text[] = "\xef\xbb" "x,b\n1,2\n";
	opened o;
	open_csv(&o, text, strlen(text), 1, NULL);
	ck_assert(o.reader == NULL);
	ck_assert_str_eq(o.err.message, "t.csv:1: column 1: name is not UTF-8 text (is this a CSV file?)");
	close_csv(&o);
	static const char two[] = "\xef\xbb";
	open_csv(&o, two, 2, 1, NULL);
	ck_assert(o.reader == NULL);
	ck_assert_str_eq(o.err.message, "t.csv:1: column 1: name is not UTF-8 text (is this a CSV file?)");
	close_csv(&o);
}
END_TEST

static void expect_bad(ml_csv_reader *reader, const char *message)
{
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), ML_CSV_BAD_RECORD);
	ck_assert_str_eq(err.message, message);
}

static void expect_error(ml_csv_reader *reader, const char *message)
{
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), -1);
	ck_assert_str_eq(err.message, message);
}

/* Opens text with the default options (prefix 0), expecting success. */
static void open_ok(opened *o, const char *text, const ml_csv_options *options)
{
	open_csv(o, text, strlen(text), 0, options);
	ck_assert_msg(o->reader != NULL, "%s", o->err.message);
}

/* Opens text, expecting the header itself to be refused with message. */
static void open_refused(const char *text, size_t length, const ml_csv_options *options,
			 const char *message)
{
	opened o;
	open_csv(&o, text, length, 0, options);
	ck_assert_ptr_null(o.reader);
	ck_assert_str_eq(o.err.message, message);
	close_csv(&o);
}

/*
 * Reading text must end with message, from ml_csv_reader_create or from a
 * later ml_csv_next: the reader parses a whole block before handing out
 * its first record, so an error may show before the records that precede it.
 */
static void expect_failure(const char *text, size_t length, const char *message)
{
	opened o;
	open_csv(&o, text, length, 0, NULL);
	if (o.reader) {
		ml_record record;
		int got;
		while ((got = ml_csv_next(o.reader, &record, &o.err)) == 1)
			;
		ck_assert_int_eq(got, -1);
	}
	ck_assert_str_eq(o.err.message, message);
	close_csv(&o);
}

START_TEST(test_records_and_lines)
{
	/* Quoted commas, quotes and newlines (LF and CRLF), blank lines, CRLF ends. */
	static const char text[] =
		"name,note\r\n"
		"\"a,b\",\"say \"\"hi\"\"\"\r\n"
		"\r\n"
		"\"two\nlines\",x\n"
		"\n\n"
		"\"crlf\r\ninside\",\"\"\n"
		"last,\"\"\"\"";
	opened o;
	open_ok(&o, text, NULL);
	const ml_columns *columns = ml_csv_reader_columns(o.reader);
	ck_assert_uint_eq(columns->count, 2);
	ck_assert_str_eq(columns->names[1], "note");
	ck_assert_uint_eq(columns->target, ML_NO_COLUMN);
	ck_assert_str_eq(ml_csv_reader_name(o.reader), "t.csv");
	expect_record(o.reader, 2, 2, (const char *[]){ "a,b", "say \"hi\"" });
	expect_record(o.reader, 4, 2, (const char *[]){ "two\nlines", "x" });
	expect_record(o.reader, 8, 2, (const char *[]){ "crlf\r\ninside", "" });
	expect_record(o.reader, 10, 2, (const char *[]){ "last", "\"" });
	expect_end(o.reader);
	expect_end(o.reader);
	close_csv(&o);
}
END_TEST

/* Old Mac files end lines with CR alone; CR and LF mix. */
START_TEST(test_bare_cr_lines)
{
	opened o;
	open_ok(&o, "a,b\r\r1,2\r\n\n\"x\ry\",4\r5,6", NULL);
	expect_record(o.reader, 3, 2, (const char *[]){ "1", "2" });
	expect_record(o.reader, 5, 2, (const char *[]){ "x\ry", "4" });
	expect_record(o.reader, 6, 2, (const char *[]){ "5", "6" });
	expect_end(o.reader);
	close_csv(&o);
}
END_TEST

/* A wrong field count spoils its record only: reading goes on. */
START_TEST(test_ragged_rows)
{
	opened o;
	open_ok(&o, "a,b,c\n1,2,3\n4,5\n\"x\ny\",6,7,8\n9,10,11\n", NULL);
	expect_record(o.reader, 2, 3, (const char *[]){ "1", "2", "3" });
	expect_bad(o.reader, "t.csv:3: row has 2 fields, header has 3");
	expect_bad(o.reader, "t.csv:4: row has 4 fields, header has 3");
	expect_record(o.reader, 6, 3, (const char *[]){ "9", "10", "11" });
	expect_end(o.reader);
	close_csv(&o);
	/* A header of one field and rows of many: the message guesses the delimiter. */
	open_ok(&o, "a;b;c\n1;2;3\n1,2\n", NULL);
	expect_record(o.reader, 2, 1, (const char *[]){ "1;2;3" });
	expect_bad(o.reader, "t.csv:3: row has 2 fields, header has 1; is the delimiter ';'?"
			     " try -d ';'");
	close_csv(&o);
	open_ok(&o, "a\tb\n1,2\n", NULL);
	expect_bad(o.reader, "t.csv:2: row has 2 fields, header has 1; is the delimiter '\\t'?"
			     " try -d '\\t'");
	close_csv(&o);
	open_ok(&o, "a|b\n1,2,3\n", NULL);
	expect_bad(o.reader, "t.csv:2: row has 3 fields, header has 1; is the delimiter '|'?"
			     " try -d '|'");
	close_csv(&o);
	/* No guess when the user chose the delimiter, or nothing looks like one. */
	ml_csv_options options;
	ml_csv_options_init(&options);
	options.delimiter_given = true;
	open_ok(&o, "a;b\n1,2\n", &options);
	expect_bad(o.reader, "t.csv:2: row has 2 fields, header has 1");
	close_csv(&o);
	open_ok(&o, "ab\n1,2\n", NULL);
	expect_bad(o.reader, "t.csv:2: row has 2 fields, header has 1");
	close_csv(&o);
}
END_TEST

START_TEST(test_quoting_errors)
{
	opened o;
	open_ok(&o, "a,b\n1,2\n3,\"4\n5,6\n", NULL);
	expect_record(o.reader, 2, 2, (const char *[]){ "1", "2" });
	expect_error(o.reader, "t.csv:3: unterminated quoted field (the input ends inside quotes)");
	close_csv(&o);
	static const char *const malformed[] = {
		"a,b\n1,x\"y\n", "a,b\n1,\"x\"y\n", "a,b\n1,\"x\" y\n",
	};
	for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
		expect_failure(malformed[i], strlen(malformed[i]),
			       "t.csv:2: malformed quoting (a quote inside an unquoted field,"
			       " or text after a closing quote; --quotes lenient reads a quote"
			       " inside an unquoted field as text)");
	/* Blanks around a field, quoted or not, are not part of it (libcsv trims them). */
	open_ok(&o, " a ,\tb\n \"x\" , 2\t\n", NULL);
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[0], "a");
	expect_record(o.reader, 2, 2, (const char *[]){ "x", "2" });
	close_csv(&o);
	open_refused("a,\"b\n", 5, NULL,
		     "t.csv:1: unterminated quoted field (the input ends inside quotes)");
	/* Opened at the start of a record: the message names the record's line, not the last one's. */
	open_ok(&o, "a,b\n1,2\n\n\"3,4\n", NULL);
	expect_record(o.reader, 2, 2, (const char *[]){ "1", "2" });
	expect_error(o.reader, "t.csv:4: unterminated quoted field (the input ends inside quotes)");
	close_csv(&o);
}
END_TEST

START_TEST(test_headers)
{
	opened o;
	open_refused("", 0, NULL, "t.csv: empty input (no header line)");
	open_refused("\n\r\n\n", 4, NULL, "t.csv: empty input (no header line)");
	open_refused("\xef\xbb\xbf", 3, NULL, "t.csv: empty input (no header line)");
	open_refused("a,b,a\n1,2,3\n", 12, NULL, "t.csv:1: column name 'a' appears twice");
	open_refused("\n\nx,\xff\n", 6, NULL,
		     "t.csv:3: column 2: name is not UTF-8 text (is this a CSV file?)");
	/* Header only: no rows, which is fine. */
	open_ok(&o, "a,b\n", NULL);
	expect_end(o.reader);
	close_csv(&o);
	open_ok(&o, "a,b", NULL);
	ck_assert_uint_eq(ml_csv_reader_columns(o.reader)->count, 2);
	expect_end(o.reader);
	close_csv(&o);
	/* An empty name becomes its position, c1..cN. */
	open_ok(&o, ",b,\n1,2,3\n", NULL);
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[0], "c1");
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[2], "c3");
	close_csv(&o);
	/* Names keep their spaces and quotes as written. */
	open_ok(&o, "\" a \",\"b\"\"\"\n1,2\n", NULL);
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[0], " a ");
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[1], "b\"");
	close_csv(&o);
	/* Without a header the first row is data. */
	ml_csv_options options;
	ml_csv_options_init(&options);
	options.header = false;
	open_ok(&o, "\n1,2\n3,4\n", &options);
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[0], "c1");
	ck_assert_str_eq(ml_csv_reader_columns(o.reader)->names[1], "c2");
	expect_record(o.reader, 2, 2, (const char *[]){ "1", "2" });
	expect_record(o.reader, 3, 2, (const char *[]){ "3", "4" });
	expect_end(o.reader);
	close_csv(&o);
	/* Another delimiter; the comma is then plain text. */
	ml_csv_options_init(&options);
	options.delimiter = ';';
	open_ok(&o, "a;b\n1,5;\"x;y\"\n", &options);
	expect_record(o.reader, 2, 2, (const char *[]){ "1,5", "x;y" });
	close_csv(&o);
	options.delimiter = '\t';
	open_ok(&o, "a\tb\n1\t\n", &options);
	expect_record(o.reader, 2, 2, (const char *[]){ "1", "" });
	close_csv(&o);
}
END_TEST

static void append_repeated(ml_buf *text, char c, size_t count)
{
	ck_assert(ml_buf_reserve(text, count));
	memset(text->data + text->length, c, count);
	text->length += count;
	text->data[text->length] = '\0';
}

START_TEST(test_limits)
{
	ml_buf text;
	ml_buf_init(&text);
	/* A field of exactly 1 MiB is fine; one byte more is not. */
	ml_buf_puts(&text, "a,b\n1,");
	append_repeated(&text, 'x', ML_MAX_FIELD_LENGTH);
	ml_buf_puts(&text, "\n2,");
	append_repeated(&text, 'y', ML_MAX_FIELD_LENGTH + 1);
	ml_buf_puts(&text, "\n");
	ck_assert(!text.failed);
	opened o;
	open_ok(&o, text.data, NULL);
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(o.reader, &record, &err), 1);
	ck_assert_uint_eq(record.fields[1].length, ML_MAX_FIELD_LENGTH);
	expect_error(o.reader, "t.csv:3: field longer than 1 MiB");
	close_csv(&o);
	/* A name longer than 4096 bytes. */
	ml_buf_reset(&text);
	append_repeated(&text, 'n', ML_MAX_NAME_LENGTH + 1);
	ml_buf_puts(&text, "\n1\n");
	open_refused(text.data, text.length, NULL,
		     "t.csv:1: column 1: name longer than 4096 bytes");
	/* NUL bytes, wherever they are. */
	open_refused("a,b\0\n", 6, NULL, "t.csv:1: NUL byte (is this a text file?)");
	static const char nul_row[] = "a,b\n1,2\n\"3\n\0";
	expect_failure(nul_row, sizeof nul_row - 1, "t.csv:3: NUL byte (is this a text file?)");
	ml_buf_free(&text);
}
END_TEST

START_TEST(test_missing_values)
{
	ml_csv_options options;
	ml_error err;
	ml_csv_options_init(&options);
	ck_assert_int_eq(options.delimiter, ',');
	ck_assert(options.header);
	static const char *const missing[] = { "", "NA", "NaN", "nan", "?" };
	for (size_t i = 0; i < 5; i++)
		ck_assert(ml_csv_is_missing(&options, missing[i], strlen(missing[i])));
	static const char *const present[] = { "0", "na", "N", "NAN", "??", " ", "-", "NA " };
	for (size_t i = 0; i < 8; i++)
		ck_assert_msg(!ml_csv_is_missing(&options, present[i], strlen(present[i])),
			      "'%s' read as missing", present[i]);
	char list[] = "-,,n/a,NA";
	ck_assert_int_eq(ml_csv_options_set_na(&options, list, &err), 0);
	ck_assert_uint_eq(options.n_na_values, 3);
	ck_assert(ml_csv_is_missing(&options, "-", 1));
	ck_assert(ml_csv_is_missing(&options, "n/a", 3));
	ck_assert(ml_csv_is_missing(&options, "", 0)); /* always */
	ck_assert(!ml_csv_is_missing(&options, "?", 1)); /* replaced */
	ck_assert(!ml_csv_is_missing(&options, "n", 1));
	char none[] = "";
	ck_assert_int_eq(ml_csv_options_set_na(&options, none, &err), 0);
	ck_assert_uint_eq(options.n_na_values, 0);
	ck_assert(!ml_csv_is_missing(&options, "NA", 2));
	char too_many[ML_MAX_NA_VALUES * 3 + 8];
	size_t used = 0;
	for (int i = 0; i <= ML_MAX_NA_VALUES; i++)
		used += (size_t)snprintf(too_many + used, sizeof too_many - used, "%s%c",
					 i ? "," : "", 'A' + i % 26);
	ck_assert_int_eq(ml_csv_options_set_na(&options, too_many, &err), -1);
	ck_assert_str_eq(err.message, "at most 64 missing-value strings");
}
END_TEST

/* Writes rows through a CSV writer into a string. */
static char *write_csv(const ml_columns *columns, char *const *classes, size_t n_classes,
		       const double *rows, size_t n_rows, char delimiter)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	ml_error err;
	ml_csv_writer *writer = ml_csv_writer_create(out, "out", columns, classes, n_classes,
						     delimiter, &err);
	ck_assert_msg(writer != NULL, "%s", err.message);
	ck_assert_int_eq(ml_csv_write_rows(writer, rows, n_rows, &err), 0);
	ck_assert_int_eq(ml_csv_writer_finish(writer, &err), 0);
	ml_csv_writer_free(writer);
	fclose(out);
	return text;
}

START_TEST(test_writer)
{
	ml_columns columns;
	ml_error err;
	ck_assert_int_eq(ml_columns_init(&columns, 3, &err), 0);
	columns.names[0] = ml_strdup("a,b", &err);
	columns.names[1] = ml_strdup(" pad", &err);
	columns.names[2] = ml_strdup("class", &err);
	const double rows[] = { 1.5, NAN, 0, -0.0, 1e300, 1, 0.1, INFINITY, 2, 7, -1, 0.5, 3, 4, NAN };
	char *text = write_csv(&columns, NULL, 0, rows, 5, ',');
	ck_assert_str_eq(text, "\"a,b\",\" pad\",class\n1.5,,0\n-0,1e+300,1\n0.1,inf,2\n"
			       "7,-1,0.5\n3,4,\n");
	free(text);
	/* Class names for the target: quoted as needed; other values as numbers. */
	columns.target = 2;
	char *classes[] = { "setosa", "two words", "a \"q\"", "x,y" };
	text = write_csv(&columns, classes, 4, rows, 5, ',');
	ck_assert_str_eq(text, "\"a,b\",\" pad\",class\n1.5,,setosa\n-0,1e+300,two words\n"
			       "0.1,inf,\"a \"\"q\"\"\"\n7,-1,0.5\n3,4,\n");
	free(text);
	/* Without a target the class names are not used. */
	columns.target = ML_NO_COLUMN;
	text = write_csv(&columns, classes, 4, rows, 1, ';');
	ck_assert_str_eq(text, "a,b;\" pad\";class\n1.5;;0\n");
	free(text);
	ml_columns_free(&columns);
}
END_TEST

START_TEST(test_quote)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" }, { "", "" }, { "a,b", "\"a,b\"" }, { "a;b", "a;b" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" }, { "two\nlines", "\"two\nlines\"" },
		{ "cr\r", "\"cr\r\"" }, { " lead", "\" lead\"" }, { "trail ", "\"trail \"" },
		{ "in side", "in side" }, { "caf\xc3\xa9", "caf\xc3\xa9" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ml_buf out;
		ml_buf_init(&out);
		ml_csv_quote(&out, cases[i].in, ',');
		ck_assert_str_eq(out.data ? out.data : "", cases[i].out);
		ml_buf_free(&out);
	}
	ml_buf out;
	ml_buf_init(&out);
	ml_csv_quote(&out, "a;b", ';');
	ck_assert_str_eq(out.data, "\"a;b\"");
	ml_buf_free(&out);
}
END_TEST

/* What the writer quotes, the reader reads back as it was. */
START_TEST(test_write_read_round_trip)
{
	static const char *const names[] = {
		"plain", "a,b", "say \"hi\"", "two\nlines", "crlf\r\n", " lead", "trail ", "#",
		"\xc3\xa9t\xc3\xa9",
	};
	size_t n = sizeof names / sizeof names[0];
	ml_columns columns;
	ml_error err;
	ck_assert_int_eq(ml_columns_init(&columns, n, &err), 0);
	for (size_t i = 0; i < n; i++)
		columns.names[i] = ml_strdup(names[i], &err);
	char *text = write_csv(&columns, NULL, 0, NULL, 0, ',');
	opened o;
	open_ok(&o, text, NULL);
	const ml_columns *back = ml_csv_reader_columns(o.reader);
	ck_assert_uint_eq(back->count, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(back->names[i], names[i]);
	close_csv(&o);
	free(text);
	ml_columns_free(&columns);
}
END_TEST

static Suite *csv_suite(void)
{
	Suite *suite = suite_create("ml_csv");
	TCase *reader = tcase_create("reader");
	tcase_add_test(reader, test_prefix_ends_inside_a_record);
	tcase_add_test(reader, test_record_across_blocks);
	tcase_add_test(reader, test_bom_split);
	tcase_add_test(reader, test_bom_lookalike);
	tcase_add_test(reader, test_records_and_lines);
	tcase_add_test(reader, test_bare_cr_lines);
	tcase_add_test(reader, test_ragged_rows);
	tcase_add_test(reader, test_quoting_errors);
	tcase_add_test(reader, test_headers);
	tcase_add_test(reader, test_missing_values);
	suite_add_tcase(suite, reader);
	/* libcsv grows a field 128 bytes at a time: slow under AddressSanitizer. */
	TCase *limits = tcase_create("limits");
	tcase_set_timeout(limits, 120);
	tcase_add_test(limits, test_limits);
	suite_add_tcase(suite, limits);
	TCase *writer = tcase_create("writer");
	tcase_add_test(writer, test_writer);
	tcase_add_test(writer, test_quote);
	tcase_add_test(writer, test_write_read_round_trip);
	suite_add_tcase(suite, writer);
	return suite;
}

ML_CHECK_MAIN(csv_suite)
