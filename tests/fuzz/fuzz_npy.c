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
			FUZZ_CHECK(fuzz_counted_rows(&file) == whole.n_rows);
			check_streamed(&file, &whole, 1);
			check_streamed(&file, &whole, 3);
		}
		ml_dataset_free(&whole);
	}
	fuzz_file_close(&file);
	return 0;
}
