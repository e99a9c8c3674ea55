/*
 * Fuzzes reading numpy .npy files (io/ml_npy.h) through the same input
 * path as every program: the sniffing of the magic, the header's dict
 * literal (keys, dtype, order, shape), and the rows in C and Fortran
 * order, float64 and float32.  Read whole (ml_dataset_read) and block by
 * block (1 and 3 rows), the rows agree; what was read, written back as an
 * mlpipe binary matrix, reads back the same.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "io/ml_npy.h"

/* Reads the input a few rows at a time: the same rows as the whole read. */
static void check_streamed(const fuzz_file *file, const ml_dataset *whole, size_t block)
{
	ml_csv_options csv;
	ml_error err;
	ml_csv_options_init(&csv);
	lseek(file->fd, 0, SEEK_SET);
	ml_input *input = ml_input_open(file->path, &csv, &err);
	FUZZ_CHECK(input != NULL);
	ml_binary_reader *reader = ml_input_binary(input);
	FUZZ_CHECK(reader != NULL);
	FUZZ_CHECK(ml_binary_reader_rows(reader) == whole->n_rows);
	size_t width = ml_binary_reader_columns(reader)->count, n_rows = 0;
	double *rows = malloc(block * width * sizeof *rows);
	FUZZ_CHECK(rows != NULL);
	for (;;) {
		size_t got;
		FUZZ_CHECK(ml_binary_read_rows(reader, rows, block, &got, &err) == 0);
		if (got == 0)
			break;
		FUZZ_CHECK(got <= block && n_rows + got <= whole->n_rows);
		for (size_t i = 0; i < got * width; i++)
			FUZZ_CHECK(same_double(rows[i], whole->values[n_rows * width + i]));
		n_rows += got;
	}
	FUZZ_CHECK(n_rows == whole->n_rows);
	free(rows);
	ml_input_close(input);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_file file;
	if (fuzz_file_open(&file, data, size) < 0)
		return 0;
	ml_load_options load;
	ml_dataset whole;
	ml_error err;
	ml_load_options_init(&load);
	if (ml_dataset_read(file.path, &load, &whole, &err) == 0) {
		check_written_back(&whole);
		if (size >= ML_NPY_MAGIC_LENGTH &&
		    memcmp(data, ML_NPY_MAGIC, ML_NPY_MAGIC_LENGTH) == 0) {
			FUZZ_CHECK(whole.columns.target == ML_NO_COLUMN);
			check_streamed(&file, &whole, 1);
			check_streamed(&file, &whole, 3);
		}
		ml_dataset_free(&whole);
	}
	fuzz_file_close(&file);
	return 0;
}
