/*
 * ml_npy's writer: numpy's own header bytes, the values bit for bit
 * through the reader, the row count written at once, rewritten at the end
 * of a seekable file, or the rows held until the end on a pipe (or an
 * append-only file), and declared counts checked.
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
#include "io/ml_npy.h"

static const double values[] = { 0.1, -0.0, 1, 1e-310, NAN, 0, INFINITY, -1.5e300, 1,
				 4.9406564584124654e-324, 123456789.125, 0 };

/*
 * What numpy 1.24 writes for np.save(f, np.zeros((3, 2))) and for a shape
 * of (150, 5): 128 bytes each, the dict padded with spaces to a newline.
 *   python3 -c 'import io, numpy as np; b = io.BytesIO();
 *               np.save(b, np.zeros((3, 2))); print(b.getvalue()[:128])'
 */
static void expect_numpy_header(const ml_buf *header, const char *shape)
{
	ck_assert_uint_eq(header->length, 128);
	ck_assert_int_eq(memcmp(header->data, "\x93NUMPY\x01\x00\x76\x00", 10), 0);
	char dict[200];
	snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }",
		 shape);
	size_t length = strlen(dict);
	ck_assert_int_eq(memcmp(header->data + 10, dict, length), 0);
	for (size_t i = 10 + length; i < 127; i++)
		ck_assert_int_eq(header->data[i], ' ');
	ck_assert_int_eq(header->data[127], '\n');
}

START_TEST(test_header_bytes)
{
	ml_buf header;
	ml_buf_init(&header);
	ck_assert_int_eq(ml_npy_header(&header, 3, 2), 0);
	expect_numpy_header(&header, "(3, 2)");
	ml_buf_reset(&header);
	ck_assert_int_eq(ml_npy_header(&header, 150, 5), 0);
	expect_numpy_header(&header, "(150, 5)");
	/* The row count's digits never change the length: rewritten in place. */
	ml_buf_reset(&header);
	ck_assert_int_eq(ml_npy_header(&header, UINT64_MAX >> 1, 5), 0);
	ck_assert_uint_eq(header.length, 128);
	/* Wide rows: the header grows in steps of 64 bytes. */
	ml_buf_reset(&header);
	ck_assert_int_eq(ml_npy_header(&header, 0, (size_t)1 << 62), 0);
	ck_assert_uint_eq(header.length % 64, 0);
	ml_buf_free(&header);
}
END_TEST

static FILE *temp_stream(bool append)
{
	char path[] = "/tmp/test_npy.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	if (append)
		fcntl(fd, F_SETFL, O_APPEND);
	FILE *out = fdopen(fd, "w+");
	ck_assert_ptr_nonnull(out);
	return out;
}

/* Writes the 4 rows of 3 values (in two calls) declaring n_rows; finish's status. */
static int write_rows(FILE *out, uint64_t n_rows, ml_error *err)
{
	ml_npy_writer *writer = ml_npy_writer_create(out, "out.npy", 3, n_rows, err);
	ck_assert_msg(writer != NULL, "%s", err->message);
	ck_assert_int_eq(ml_npy_write_rows(writer, values, 1, err), 0);
	ck_assert_int_eq(ml_npy_write_rows(writer, values + 3, 3, err), 0);
	ck_assert_int_eq(ml_npy_write_rows(writer, values, 0, err), 0);
	int status = ml_npy_writer_finish(writer, err);
	ml_npy_writer_free(writer);
	return status;
}

/* Reads the file at fd's offset back: 4 rows of 3, bit for bit. */
static void read_back(int fd)
{
	ml_error err;
	ml_source *source = ml_source_create(fd, "in.npy", &err);
	ck_assert_ptr_nonnull(source);
	ml_npy_reader *reader = ml_npy_reader_create(source, "in.npy", &err);
	ck_assert_msg(reader != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_npy_reader_rows(reader), 4);
	ck_assert_uint_eq(ml_npy_reader_columns(reader)->count, 3);
	double rows[12];
	size_t got;
	ck_assert_msg(ml_npy_read_rows(reader, rows, 10, &got, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(got, 4);
	ck_assert_int_eq(memcmp(rows, values, sizeof rows), 0);
	ck_assert_int_eq(ml_npy_read_rows(reader, rows, 10, &got, &err), 0);
	ck_assert_uint_eq(got, 0);
	ml_npy_reader_free(reader);
	ml_source_free(source);
}

START_TEST(test_round_trip_declared)
{
	ml_error err;
	FILE *out = temp_stream(false);
	ck_assert_int_eq(write_rows(out, 4, &err), 0);
	ck_assert_int_eq(fflush(out), 0);
	ck_assert_int_eq(lseek(fileno(out), 0, SEEK_END), 128 + 4 * 3 * 8);
	ck_assert_int_eq(lseek(fileno(out), 0, SEEK_SET), 0);
	read_back(fileno(out));
	fclose(out);
}
END_TEST

/* Unknown when started, the count goes into the header of a seekable file at the end. */
START_TEST(test_row_count_rewritten)
{
	ml_error err;
	FILE *out = temp_stream(false);
	fputs("junk!", out); /* the header need not start the file */
	ck_assert_int_eq(write_rows(out, UINT64_MAX, &err), 0);
	ck_assert_int_eq(fflush(out), 0);
	/* The stream stays at the end: more can follow. */
	ck_assert_int_eq(ftell(out), lseek(fileno(out), 0, SEEK_END));
	ck_assert_int_eq(ftell(out), 5 + 128 + 4 * 3 * 8);
	ck_assert_int_eq(lseek(fileno(out), 5, SEEK_SET), 5);
	read_back(fileno(out));
	fclose(out);
}
END_TEST

/* Neither a pipe nor an append-only file can be rewritten: the rows wait in a spool file. */
START_TEST(test_row_count_held)
{
	ml_error err;
	FILE *out = temp_stream(true);
	ck_assert_int_eq(write_rows(out, UINT64_MAX, &err), 0);
	ck_assert_int_eq(fflush(out), 0);
	ck_assert_int_eq(lseek(fileno(out), 0, SEEK_SET), 0);
	read_back(fileno(out));
	fclose(out);

	int ends[2];
	ck_assert_int_eq(pipe(ends), 0);
	FILE *pipe_out = fdopen(ends[1], "w");
	ck_assert_ptr_nonnull(pipe_out);
	/* 128 + 96 bytes fit in the pipe's buffer: no reader thread needed. */
	ck_assert_int_eq(write_rows(pipe_out, UINT64_MAX, &err), 0);
	fclose(pipe_out);
	read_back(ends[0]);
	close(ends[0]);
}
END_TEST

START_TEST(test_declared_mismatch)
{
	ml_error err;
	FILE *out = temp_stream(false);
	ck_assert_int_eq(write_rows(out, 5, &err), -1);
	ck_assert_str_eq(err.message, "out.npy: 4 rows written, 5 declared");
	fclose(out);
	out = temp_stream(false);
	ck_assert_ptr_null(ml_npy_writer_create(out, "o", 0, 0, &err));
	ck_assert_str_eq(err.message, "o: no columns to write");
	fclose(out);
}
END_TEST

START_TEST(test_write_error)
{
	ml_error err;
	FILE *full = fopen("/dev/full", "w");
	if (!full)
		return;
	setvbuf(full, NULL, _IONBF, 0);
	ck_assert_ptr_null(ml_npy_writer_create(full, "full", 3, 4, &err));
	ck_assert_str_eq(err.message, "full: write error: No space left on device");
	/* Held rows meet the full device at the end. */
	ml_npy_writer *writer = ml_npy_writer_create(full, "full", 3, UINT64_MAX, &err);
	ck_assert_msg(writer != NULL, "%s", err.message);
	ck_assert_int_eq(ml_npy_write_rows(writer, values, 4, &err), 0);
	ck_assert_int_eq(ml_npy_writer_finish(writer, &err), -1);
	ck_assert_str_eq(err.message, "full: write error: No space left on device");
	ml_npy_writer_free(writer);
	fclose(full);
}
END_TEST

static Suite *npy_suite(void)
{
	Suite *suite = suite_create("ml_npy");
	TCase *core = tcase_create("writer");
	tcase_add_test(core, test_header_bytes);
	tcase_add_test(core, test_round_trip_declared);
	tcase_add_test(core, test_row_count_rewritten);
	tcase_add_test(core, test_row_count_held);
	tcase_add_test(core, test_declared_mismatch);
	tcase_add_test(core, test_write_error);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(npy_suite)
