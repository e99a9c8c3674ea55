/*
 * ml_binary: the writer and reader round trip (names, target, stage text,
 * values bit for bit), the row count patched into a seekable file and
 * left unknown on a pipe or an append-only file, and declared counts
 * checked on both sides.
 */
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/ml_util.h"
#include "io/ml_binary.h"

static const char chain_text[] =
	"stage load\ninputs 3 x \"a b\" y\ntarget 2 y\nmissing 1 NA\n"
	"column y ordinal 2 no yes\nend\n";

typedef struct fixture {
	ml_columns columns;
	double rows[4 * 3];
} fixture;

static void setup(fixture *f)
{
	ml_error err;
	ck_assert_int_eq(ml_columns_init(&f->columns, 3, &err), 0);
	f->columns.names[0] = ml_strdup("x", &err);
	f->columns.names[1] = ml_strdup("a b", &err);
	f->columns.names[2] = ml_strdup("y", &err);
	f->columns.target = 2;
	const double values[] = { 0.1, -0.0, 1, 1e-310, NAN, 0, INFINITY, -1.5e300, 1,
				  4.9406564584124654e-324, 123456789.125, 0 };
	memcpy(f->rows, values, sizeof values);
}

static void teardown(fixture *f)
{
	ml_columns_free(&f->columns);
}

/* Writes f's 4 rows (in two calls) declaring n_rows; returns finish's status. */
static int write_rows(fixture *f, FILE *out, uint64_t n_rows, ml_error *err)
{
	ml_binary_writer *writer = ml_binary_writer_create(out, "out.bin", &f->columns, chain_text,
							   strlen(chain_text), n_rows, err);
	ck_assert_msg(writer != NULL, "%s", err->message);
	ck_assert_int_eq(ml_binary_write_rows(writer, f->rows, 1, err), 0);
	ck_assert_int_eq(ml_binary_write_rows(writer, f->rows + 3, 3, err), 0);
	ck_assert_int_eq(ml_binary_write_rows(writer, f->rows, 0, err), 0);
	int status = ml_binary_writer_finish(writer, err);
	ml_binary_writer_free(writer);
	return status;
}

static uint64_t declared_in(int fd, off_t header_start)
{
	unsigned char count[8];
	ck_assert_int_eq(pread(fd, count, 8, header_start + 24), 8);
	uint64_t value = 0;
	for (int i = 7; i >= 0; i--)
		value = value << 8 | count[i];
	return value;
}

/* Reads the matrix at fd's offset back and compares it with f. */
static void read_back(fixture *f, int fd, uint64_t expect_declared)
{
	ml_error err;
	ml_binary_reader *reader = ml_binary_reader_create_fd(fd, "in.bin", &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_binary_reader_rows(reader), expect_declared);
	const ml_columns *columns = ml_binary_reader_columns(reader);
	ck_assert(ml_columns_same_names(columns, &f->columns));
	ck_assert_uint_eq(columns->target, 2);
	size_t length;
	const char *stages = ml_binary_reader_stage_text(reader, &length);
	ck_assert_uint_eq(length, strlen(chain_text));
	ck_assert_str_eq(stages, chain_text);
	/* One row at a time, then the end. */
	double row[3];
	for (size_t r = 0; r < 4; r++) {
		size_t got;
		ck_assert_int_eq(ml_binary_read_rows(reader, row, 1, &got, &err), 0);
		ck_assert_uint_eq(got, 1);
		ck_assert_int_eq(memcmp(row, f->rows + 3 * r, sizeof row), 0);
	}
	size_t got = 99;
	ck_assert_msg(ml_binary_read_rows(reader, row, 1, &got, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(got, 0);
	ml_binary_reader_free(reader);
}

static FILE *temp_stream(const char *mode_flags_append)
{
	char path[] = "/tmp/test_binary.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	if (mode_flags_append)
		fcntl(fd, F_SETFL, O_APPEND);
	FILE *out = fdopen(fd, "w+");
	ck_assert_ptr_nonnull(out);
	return out;
}

START_TEST(test_round_trip_declared)
{
	fixture f;
	ml_error err;
	setup(&f);
	FILE *out = temp_stream(NULL);
	ck_assert_int_eq(write_rows(&f, out, 4, &err), 0);
	ck_assert_int_eq(fflush(out), 0);
	ck_assert_uint_eq(declared_in(fileno(out), 0), 4);
	ck_assert_int_eq(lseek(fileno(out), 0, SEEK_SET), 0);
	read_back(&f, fileno(out), 4);
	fclose(out);
	teardown(&f);
}
END_TEST

/* Unknown when written, the count is patched in at the end of a seekable file. */
START_TEST(test_row_count_patched)
{
	fixture f;
	ml_error err;
	setup(&f);
	FILE *out = temp_stream(NULL);
	fputs("junk!", out); /* the header need not start the file */
	ck_assert_int_eq(write_rows(&f, out, ML_ROWS_UNKNOWN, &err), 0);
	ck_assert_int_eq(fflush(out), 0);
	/* The stream stays at the end: more can follow. */
	ck_assert_int_eq(ftell(out), lseek(fileno(out), 0, SEEK_END));
	ck_assert_uint_eq(declared_in(fileno(out), 5), 4);
	ck_assert_int_eq(lseek(fileno(out), 5, SEEK_SET), 5);
	read_back(&f, fileno(out), 4);
	fclose(out);
	teardown(&f);
}
END_TEST

/* An append-only file cannot be patched: the count stays unknown, and reads. */
START_TEST(test_row_count_append)
{
	fixture f;
	ml_error err;
	setup(&f);
	FILE *out = temp_stream("append");
	ck_assert_int_eq(write_rows(&f, out, ML_ROWS_UNKNOWN, &err), 0);
	ck_assert_int_eq(fflush(out), 0);
	ck_assert_uint_eq(declared_in(fileno(out), 0), ML_ROWS_UNKNOWN);
	ck_assert_int_eq(lseek(fileno(out), 0, SEEK_SET), 0);
	read_back(&f, fileno(out), ML_ROWS_UNKNOWN);
	fclose(out);
	teardown(&f);
}
END_TEST

/* A pipe: the count stays unknown and the reader reads to the end. */
START_TEST(test_round_trip_pipe)
{
	fixture f;
	ml_error err;
	setup(&f);
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	FILE *out = fdopen(fds[1], "w");
	ck_assert_int_eq(write_rows(&f, out, ML_ROWS_UNKNOWN, &err), 0);
	ck_assert_int_eq(fclose(out), 0);
	read_back(&f, fds[0], ML_ROWS_UNKNOWN);
	close(fds[0]);
	teardown(&f);
}
END_TEST

START_TEST(test_declared_mismatch)
{
	fixture f;
	ml_error err;
	setup(&f);
	FILE *out = temp_stream(NULL);
	ck_assert_int_eq(write_rows(&f, out, 5, &err), -1);
	ck_assert_str_eq(err.message, "out.bin: 4 rows written, 5 declared");
	fclose(out);

	/* The reader: declared 5, only 4 there. */
	out = temp_stream(NULL);
	ml_binary_writer *writer = ml_binary_writer_create(out, "out.bin", &f.columns, chain_text,
							   strlen(chain_text), 5,
							   &err);
	ck_assert_int_eq(ml_binary_write_rows(writer, f.rows, 4, &err), 0);
	ml_binary_writer_free(writer);
	fflush(out);
	lseek(fileno(out), 0, SEEK_SET);
	ml_binary_reader *reader = ml_binary_reader_create_fd(fileno(out), "in.bin", &err);
	ck_assert_ptr_nonnull(reader);
	double rows[3 * 8];
	size_t got;
	ck_assert_int_eq(ml_binary_read_rows(reader, rows, 8, &got, &err), -1);
	ck_assert_str_eq(err.message, "in.bin: truncated: the header declares 5 rows, found 4");
	ml_binary_reader_free(reader);
	fclose(out);

	/* Declared 3, 4 there: the fourth is data after the declared rows. */
	out = temp_stream(NULL);
	writer = ml_binary_writer_create(out, "out.bin", &f.columns, chain_text, strlen(chain_text), 3,
					 &err);
	ck_assert_int_eq(ml_binary_write_rows(writer, f.rows, 4, &err), 0);
	ml_binary_writer_free(writer);
	fflush(out);
	lseek(fileno(out), 0, SEEK_SET);
	reader = ml_binary_reader_create_fd(fileno(out), "in.bin", &err);
	ck_assert_int_eq(ml_binary_read_rows(reader, rows, 8, &got, &err), 0);
	ck_assert_uint_eq(got, 3);
	ck_assert_int_eq(ml_binary_read_rows(reader, rows, 8, &got, &err), -1);
	ck_assert_str_eq(err.message, "in.bin: data after the 3 rows the header declares");
	ml_binary_reader_free(reader);
	fclose(out);
	teardown(&f);
}
END_TEST

/* Without a chain or a target; and no columns at all is refused. */
START_TEST(test_plain_and_empty)
{
	ml_error err;
	ml_columns columns;
	ck_assert_int_eq(ml_columns_init(&columns, 1, &err), 0);
	columns.names[0] = ml_strdup("only", &err);
	FILE *out = temp_stream(NULL);
	ml_binary_writer *writer = ml_binary_writer_create(out, "o", &columns, NULL, 0, 0, &err);
	ck_assert_msg(writer != NULL, "%s", err.message);
	ck_assert_int_eq(ml_binary_writer_finish(writer, &err), 0);
	ml_binary_writer_free(writer);
	fflush(out);
	ck_assert_int_eq(ftell(out) % 8, 0); /* the header is padded to 8 bytes */
	lseek(fileno(out), 0, SEEK_SET);
	ml_binary_reader *reader = ml_binary_reader_create_fd(fileno(out), "i", &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_binary_reader_columns(reader)->target, ML_NO_COLUMN);
	size_t length;
	ml_binary_reader_stage_text(reader, &length);
	ck_assert_uint_eq(length, 0);
	double row;
	size_t got = 9;
	ck_assert_int_eq(ml_binary_read_rows(reader, &row, 1, &got, &err), 0);
	ck_assert_uint_eq(got, 0);
	ml_binary_reader_free(reader);
	ml_binary_reader_free(NULL);
	ml_binary_writer_free(NULL);
	fclose(out);
	ml_columns_free(&columns);

	/* A name longer than readers accept is not written either. */
	ck_assert_int_eq(ml_columns_init(&columns, 2, &err), 0);
	columns.names[0] = ml_strdup("short", &err);
	columns.names[1] = calloc(ML_MAX_NAME_LENGTH + 2, 1);
	memset(columns.names[1], 'n', ML_MAX_NAME_LENGTH + 1);
	out = temp_stream(NULL);
	ck_assert_ptr_null(ml_binary_writer_create(out, "o", &columns, NULL, 0, 0, &err));
	ck_assert_str_eq(err.message, "column 2: name longer than 4096 bytes");
	fclose(out);
	ml_columns_free(&columns);

	ml_columns none = { 0 };
	none.target = ML_NO_COLUMN;
	out = temp_stream(NULL);
	ck_assert_ptr_null(ml_binary_writer_create(out, "o", &none, NULL, 0, 0, &err));
	ck_assert_str_eq(err.message, "no columns to write");
	fclose(out);
}
END_TEST

/* A failed write is reported with the output's name. */
START_TEST(test_write_error)
{
	fixture f;
	ml_error err;
	setup(&f);
	FILE *full = fopen("/dev/full", "w");
	if (!full) {
		teardown(&f);
		return;
	}
	setvbuf(full, NULL, _IONBF, 0);
	ck_assert_ptr_null(ml_binary_writer_create(full, "full", &f.columns, chain_text,
						   strlen(chain_text), 4, &err));
	ck_assert_str_eq(err.message, "full: write error: No space left on device");
	fclose(full);
	teardown(&f);
}
END_TEST

static Suite *binary_suite(void)
{
	Suite *suite = suite_create("ml_binary");
	TCase *core = tcase_create("core");
	tcase_add_test(core, test_round_trip_declared);
	tcase_add_test(core, test_row_count_patched);
	tcase_add_test(core, test_row_count_append);
	tcase_add_test(core, test_round_trip_pipe);
	tcase_add_test(core, test_declared_mismatch);
	tcase_add_test(core, test_plain_and_empty);
	tcase_add_test(core, test_write_error);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(binary_suite)
