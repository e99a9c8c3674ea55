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
#include "ml_csv.h"

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
	ml_csv_reader *reader;
	ml_error err;
} opened;

/* Opens text as CSV, handing its first prefix_length bytes as the sniffed prefix. */
static void open_csv(opened *o, const char *text, size_t length, size_t prefix_length,
		     const ml_csv_options *options)
{
	ml_csv_options defaults;
	ml_csv_options_init(&defaults);
	o->fd = fd_with(text + prefix_length, length - prefix_length);
	o->err.message[0] = '\0';
	o->reader = ml_csv_reader_create(o->fd, "t.csv", options ? options : &defaults, text,
					 prefix_length, &o->err);
}

static void close_csv(opened *o)
{
	ml_csv_reader_free(o->reader);
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
	for (size_t i = 0; i < n_rows; i++) {
		char a[2] = { (char)('0' + i % 10), 0 }, b[2] = { (char)('0' + (i + 3) % 10), 0 };
		expect_record(o.reader, i + 2, 2, (const char *[]){ a, b });
	}
	expect_end(o.reader);
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

static Suite *csv_suite(void)
{
	Suite *suite = suite_create("ml_csv");
	TCase *reader = tcase_create("reader");
	tcase_add_test(reader, test_prefix_ends_inside_a_record);
	tcase_add_test(reader, test_record_across_blocks);
	tcase_add_test(reader, test_bom_split);
	tcase_add_test(reader, test_bom_lookalike);
	suite_add_tcase(suite, reader);
	return suite;
}

ML_CHECK_MAIN(csv_suite)
