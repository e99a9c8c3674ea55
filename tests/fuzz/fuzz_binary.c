/*
 * Fuzzes reading data files: the format sniffing, the binary header and
 * rows (and CSV, when the bytes are not binary), whole as ml_dataset_read
 * does, and block by block through ml_binary_read_rows.  Both reads must
 * agree; what was read, written back as binary, reads back the same.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

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
		if (size >= ML_BINARY_MAGIC_LENGTH &&
		    memcmp(data, ML_BINARY_MAGIC, ML_BINARY_MAGIC_LENGTH) == 0) {
			check_streamed(&file, &whole, 1);
			check_streamed(&file, &whole, 3);
		}
		ml_dataset_free(&whole);
	}
	fuzz_file_close(&file);
	return 0;
}
