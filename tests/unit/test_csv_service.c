/*
 * ml_csv in service mode: wake-ups, line recovery, buffered records; and
 * records cut by a block boundary (or by format sniffing) kept whole.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "io/ml_csv.h"

/* A pipe already holding text, its write end left open unless closed. */
static int pipe_with(const char *text, bool close_writer, int *writer)
{
	int fds[2];
	ck_assert(pipe(fds) == 0);
	ck_assert(write(fds[1], text, strlen(text)) == (ssize_t)strlen(text));
	if (close_writer) {
		close(fds[1]);
		fds[1] = -1;
	}
	if (writer)
		*writer = fds[1];
	return fds[0];
}

/* Service mode, as ml-predict --line-buffered reads: line at a time, recovering lines. */
#define SERVICE true
#define BATCH false

static ml_csv_reader *reader_on(int fd, bool service)
{
	ml_csv_options options;
	ml_csv_options_init(&options);
	options.recover_lines = service;
	options.line_at_a_time = service;
	ml_error err;
	ml_csv_reader *reader = ml_csv_reader_create_fd(fd, "req", &options, &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	return reader;
}

/* The next record, which must be good, as "f1|f2|...@line". */
static char *next_text(ml_csv_reader *reader)
{
	static char text[256];
	ml_record record;
	ml_error err;
	int got = ml_csv_next(reader, &record, &err);
	ck_assert_msg(got == 1, "got %d: %s", got, got < 0 ? err.message : "");
	text[0] = '\0';
	for (size_t i = 0; i < record.n_fields; i++) {
		if (i)
			strcat(text, "|");
		strcat(text, record.fields[i].text);
	}
	snprintf(text + strlen(text), sizeof text - strlen(text), "@%zu", record.line);
	return text;
}

static void expect_bad(ml_csv_reader *reader, const char *message)
{
	ml_record record;
	ml_error err;
	int got = ml_csv_next(reader, &record, &err);
	ck_assert_msg(got == ML_CSV_BAD_RECORD, "got %d", got);
	ck_assert_msg(strstr(err.message, message) != NULL, "'%s' lacks '%s'", err.message,
		      message);
}

START_TEST(sniffed_prefix_holding_whole_fields_is_kept)
{
	/* Format sniffing peeked at "a,b,c,d,": four complete header fields. */
	int fd = pipe_with("a,b,c,d,e\n1,2,3,4,5\n", true, NULL);
	ml_error err;
	const unsigned char *bytes;
	ml_source *source = ml_source_create(fd, "req", &err);
	ck_assert_int_eq(ml_source_peek(source, 8, &bytes, &err), 8);
	ml_csv_options options;
	ml_csv_options_init(&options);
	ml_csv_reader *reader = ml_csv_reader_create(source, "req", &options, &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	const ml_columns *columns = ml_csv_reader_columns(reader);
	ck_assert_uint_eq(columns->count, 5);
	ck_assert_str_eq(columns->names[0], "a");
	ck_assert_str_eq(columns->names[4], "e");
	ck_assert_str_eq(next_text(reader), "1|2|3|4|5@2");
	ml_csv_reader_free(reader);
	ml_source_free(source);
	close(fd);
}
END_TEST

/* Both ways: _i 1 reads line at a time, refilling one batch in place. */
START_TEST(records_spanning_read_blocks_are_whole)
{
	/* Far more than one 256 KiB read, with a field cut at every boundary. */
	char path[] = "/tmp/test_csv_service.XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	FILE *file = fdopen(fd, "w");
	fputs("x,y,label\n", file);
	for (int i = 0; i < 100000; i++)
		fprintf(file, "%d,%d.25,name%d\n", i, i * 3, i % 7);
	fclose(file);
	fd = open(path, O_RDONLY);
	ml_csv_reader *reader = reader_on(fd, _i);
	for (int i = 0; i < 100000; i++) {
		char want[64];
		snprintf(want, sizeof want, "%d|%d.25|name%d@%d", i, i * 3, i % 7, i + 2);
		ck_assert_str_eq(next_text(reader), want);
	}
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), 0);
	ml_csv_reader_free(reader);
	close(fd);
	unlink(path);
}
END_TEST

/* Recovery works with the parser thread too: _i runs it both ways. */
START_TEST(recovering_reader_confines_bad_lines)
{
	bool line_at_a_time = _i;
	int fd = pipe_with("a,b\n"
			   "1,2\n"
			   "1,\"2\"x,junk\"\n"      /* text after a closing quote */
			   "3,4\n"
			   "5\n"                     /* ragged */
			   "x\"y,6\n"                /* quote inside an unquoted field */
			   "\"multi\nline\"z,7\n"  /* malformed, over two lines */
			   "8,\"quoted\nnewline\"\n"
			   "9,10\n", true, NULL);
	ml_csv_options options;
	ml_csv_options_init(&options);
	options.recover_lines = true;
	options.line_at_a_time = line_at_a_time;
	ml_error err;
	ml_csv_reader *reader = ml_csv_reader_create_fd(fd, "req", &options, &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	ck_assert_str_eq(next_text(reader), "1|2@2");
	expect_bad(reader, "req:3: malformed quoting");
	ck_assert_str_eq(next_text(reader), "3|4@4");
	expect_bad(reader, "req:5: row has 1 field, header has 2");
	expect_bad(reader, "req:6: malformed quoting");
	expect_bad(reader, "req:7: malformed quoting");
	ck_assert_str_eq(next_text(reader), "8|quoted\nnewline@9");
	ck_assert_str_eq(next_text(reader), "9|10@11");
	ml_record record;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), 0);
	ml_csv_reader_free(reader);
	close(fd);
}
END_TEST

START_TEST(recovering_reader_confines_nul_bytes)
{
	int fds[2];
	ck_assert(pipe(fds) == 0);
	static const char text[] = "a,b\n1,x\0y\n2,3\n";
	ck_assert(write(fds[1], text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
	close(fds[1]);
	ml_csv_reader *reader = reader_on(fds[0], SERVICE);
	expect_bad(reader, "req:2: NUL byte");
	ck_assert_str_eq(next_text(reader), "2|3@3");
	ml_csv_reader_free(reader);
	close(fds[0]);
}
END_TEST

START_TEST(without_recovery_malformed_quoting_ends_reading)
{
	/* The header comes alone, as from a client, so the reader can be made. */
	int writer;
	int fd = pipe_with("a,b\n", false, &writer);
	ml_csv_reader *reader = reader_on(fd, BATCH);
	ck_assert(write(writer, "1,2\nx\"y,6\n3,4\n", 13) == 13);
	close(writer);
	ml_record record;
	ml_error err;
	int got;
	while ((got = ml_csv_next(reader, &record, &err)) == 1)
		continue;
	ck_assert_int_eq(got, -1);
	ck_assert_msg(strstr(err.message, "req:3: malformed quoting") != NULL, "%s", err.message);
	ml_csv_reader_free(reader);
	close(fd);
}
END_TEST

START_TEST(wake_fd_interrupts_a_wait_and_reading_goes_on)
{
	int writer;
	int fd = pipe_with("a,b\n1,2\n3,", false, &writer);
	int wake[2];
	ck_assert(pipe(wake) == 0);
	ml_csv_reader *reader = reader_on(fd, SERVICE);
	ml_csv_reader_set_wake_fd(reader, wake[0]);
	ck_assert(ml_csv_has_buffered(reader));
	ck_assert_str_eq(next_text(reader), "1|2@2");
	ck_assert(!ml_csv_has_buffered(reader));
	ck_assert(ml_csv_arrival_time(reader) > 0);
	/* Half a record is pending and the client is quiet: a wake-up returns. */
	ck_assert(write(wake[1], "", 1) == 1);
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), ML_CSV_WOKEN);
	char drained;
	ck_assert(read(wake[0], &drained, 1) == 1);
	ck_assert(write(writer, "4\n", 2) == 2);
	ck_assert_str_eq(next_text(reader), "3|4@3");
	close(writer);
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), 0);
	ck_assert(ml_csv_has_buffered(reader));
	ml_csv_reader_free(reader);
	close(fd);
	close(wake[0]);
	close(wake[1]);
}
END_TEST

static ml_csv_reader *line_reader_on(int fd)
{
	ml_csv_options options;
	ml_csv_options_init(&options);
	options.line_at_a_time = true;
	options.line_protocol = true;
	ml_error err;
	ml_csv_reader *reader = ml_csv_reader_create_fd(fd, "req", &options, &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	return reader;
}

/* Every line is one record, good or bad, whatever its quotes: the service protocol. */
START_TEST(line_protocol_answers_every_line)
{
	int fd = pipe_with("a,b\n"
			   "1,2\n"
			   "\n"                     /* blank */
			   "3,\"4\n"                /* a quote left open */
			   "5,6\n"
			   "7,8\r9,10\n"            /* a bare CR */
			   "\"11\",12\r\n"          /* CRLF */
			   "x\"y,13\n"              /* malformed quoting */
			   "14\n"                   /* ragged */
			   "15,16", true, NULL);    /* the last line lacks its LF */
	ml_csv_reader *reader = line_reader_on(fd);
	ck_assert_str_eq(next_text(reader), "1|2@2");
	expect_bad(reader, "req:3: blank line");
	expect_bad(reader, "req:4: unterminated quoted field");
	ck_assert_str_eq(next_text(reader), "5|6@5");
	expect_bad(reader, "req:6: CR inside a line");
	ck_assert_str_eq(next_text(reader), "11|12@7");
	expect_bad(reader, "req:8: malformed quoting");
	expect_bad(reader, "req:9: row has 1 field, header has 2");
	ck_assert_str_eq(next_text(reader), "15|16@10");
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), 0);
	ml_csv_reader_free(reader);
	close(fd);
}
END_TEST

/* A CR at the end of one read is a CRLF or a bare CR: the next read says which. */
START_TEST(line_protocol_cr_across_reads)
{
	int writer;
	int fd = pipe_with("a,b\n1,2\r", false, &writer);
	ml_csv_reader *reader = line_reader_on(fd);
	ck_assert(write(writer, "\n3,4\r", 5) == 5);
	ck_assert_str_eq(next_text(reader), "1|2@2");
	ck_assert(write(writer, "5\n6,7\n", 6) == 6);
	close(writer);
	expect_bad(reader, "req:3: CR inside a line");
	ck_assert_str_eq(next_text(reader), "6|7@4");
	ml_csv_reader_free(reader);
	close(fd);
}
END_TEST

/* count copies of c, written a block at a time. */
static void put_repeated(FILE *file, char c, size_t count)
{
	static char block[1 << 16];
	memset(block, c, sizeof block);
	for (size_t done = 0; done < count;) {
		size_t part = count - done < sizeof block ? count - done : sizeof block;
		ck_assert(fwrite(block, 1, part, file) == part);
		done += part;
	}
}

/* Overlong fields and lines are bad records, read past in bounded memory. */
START_TEST(line_protocol_bounds_fields_and_lines)
{
	char path[] = "/tmp/test_csv_service.XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	FILE *file = fdopen(fd, "w");
	fputs("a,b\n1,2\n3,", file);
	put_repeated(file, '9', 2 * ML_MAX_FIELD_LENGTH);
	fputs("\n4,\"", file);
	put_repeated(file, '9', 2 * ML_MAX_FIELD_LENGTH);
	fputs("\"\n5,6\n", file);
	/* Fields of half a MiB, so that only the line is too long. */
	for (size_t length = 0; length <= ML_MAX_LINE_LENGTH; length += ML_MAX_FIELD_LENGTH / 2) {
		put_repeated(file, '7', ML_MAX_FIELD_LENGTH / 2 - 1);
		fputc(',', file);
	}
	fputs("\n8,9\n", file);
	fclose(file);
	fd = open(path, O_RDONLY);
	ml_csv_reader *reader = line_reader_on(fd);
	ck_assert_str_eq(next_text(reader), "1|2@2");
	expect_bad(reader, "req:3: field longer than 1 MiB");
	expect_bad(reader, "req:4: field longer than 1 MiB");
	ck_assert_str_eq(next_text(reader), "5|6@5");
	expect_bad(reader, "req:6: line longer than 16 MiB");
	ck_assert_str_eq(next_text(reader), "8|9@7");
	ml_record record;
	ml_error err;
	ck_assert_int_eq(ml_csv_next(reader, &record, &err), 0);
	ml_csv_reader_free(reader);
	close(fd);
	unlink(path);
}
END_TEST

static Suite *csv_service_suite(void)
{
	Suite *suite = suite_create("ml_csv service mode");
	TCase *tc = tcase_create("csv");
	tcase_add_test(tc, sniffed_prefix_holding_whole_fields_is_kept);
	tcase_add_loop_test(tc, records_spanning_read_blocks_are_whole, 0, 2);
	tcase_add_loop_test(tc, recovering_reader_confines_bad_lines, 0, 2);
	tcase_add_test(tc, recovering_reader_confines_nul_bytes);
	tcase_add_test(tc, without_recovery_malformed_quoting_ends_reading);
	tcase_add_test(tc, wake_fd_interrupts_a_wait_and_reading_goes_on);
	tcase_add_test(tc, line_protocol_answers_every_line);
	tcase_add_test(tc, line_protocol_cr_across_reads);
	tcase_add_test(tc, line_protocol_bounds_fields_and_lines);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(csv_service_suite)
