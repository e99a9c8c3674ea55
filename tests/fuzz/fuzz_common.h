/*
 * What the fuzz harnesses share: the input as a file (the readers take a
 * path or a file descriptor), and checks that abort() when a property
 * fails, so that libFuzzer and the replay driver both see a crash.
 * Included by one harness per program; everything here is static inline.
 */
#ifndef ML_FUZZ_COMMON_H
#define ML_FUZZ_COMMON_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stages/ml_dataset.h"
#include "stages/ml_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are cut: the readers' limits are tested elsewhere. */
#define FUZZ_MAX_INPUT ((size_t)1 << 20)

#define FUZZ_CHECK(condition)                                                          \
	do {                                                                           \
		if (!(condition)) {                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#condition);                                           \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* An in-memory file holding bytes, at offset 0, and its /proc path. */
typedef struct fuzz_file {
	int fd;
	char path[64];
} fuzz_file;

static inline int fuzz_file_open(fuzz_file *file, const void *bytes, size_t size)
{
	file->fd = memfd_create("fuzz", 0);
	if (file->fd < 0)
		return -1;
	const char *p = bytes;
	while (size > 0) {
		ssize_t written = write(file->fd, p, size);
		if (written <= 0) {
			close(file->fd);
			return -1;
		}
		p += written;
		size -= (size_t)written;
	}
	lseek(file->fd, 0, SEEK_SET);
	snprintf(file->path, sizeof file->path, "/proc/self/fd/%d", file->fd);
	return 0;
}

static inline void fuzz_file_close(fuzz_file *file)
{
	close(file->fd);
}

static inline int same_double(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* Both datasets hold the same columns, target and values, bit for bit. */
static inline void check_same_dataset(const ml_dataset *a, const ml_dataset *b)
{
	FUZZ_CHECK(ml_columns_same_names(&a->columns, &b->columns));
	FUZZ_CHECK(a->columns.target == b->columns.target);
	FUZZ_CHECK(a->n_rows == b->n_rows);
	FUZZ_CHECK(ml_chain_length(a->chain) == ml_chain_length(b->chain));
	for (size_t i = 0; i < ml_chain_length(a->chain); i++)
		FUZZ_CHECK(ml_stage_digest(ml_chain_stage(a->chain, i)) ==
			   ml_stage_digest(ml_chain_stage(b->chain, i)));
	for (size_t i = 0; i < a->n_rows * a->columns.count; i++)
		FUZZ_CHECK(same_double(a->values[i], b->values[i]));
}

/*
 * Reads a binary-reader input (binary matrix, .npy) a few rows at a time:
 * the same rows as the whole read.
 */
static inline void check_streamed(const fuzz_file *file, const ml_dataset *whole, size_t block)
{
	ml_csv_options csv;
	ml_error err;
	ml_csv_options_init(&csv);
	lseek(file->fd, 0, SEEK_SET);
	ml_input *input = ml_input_open(file->path, &csv, &err);
	FUZZ_CHECK(input != NULL);
	ml_binary_reader *reader = ml_input_binary(input);
	FUZZ_CHECK(reader != NULL);
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

/* The row count a binary-reader input's header gives. */
static inline size_t fuzz_counted_rows(const fuzz_file *file)
{
	ml_csv_options csv;
	ml_error err;
	ml_csv_options_init(&csv);
	lseek(file->fd, 0, SEEK_SET);
	ml_input *input = ml_input_open(file->path, &csv, &err);
	FUZZ_CHECK(input != NULL && ml_input_binary(input) != NULL);
	size_t n_rows = ml_binary_reader_rows(ml_input_binary(input));
	ml_input_close(input);
	return n_rows;
}

/*
 * Writes data as a binary matrix and reads it back: the same dataset.  And
 * as CSV, which must not fail either (into memory).
 */
static inline void check_written_back(const ml_dataset *data)
{
	ml_error err;
	fuzz_file file;
	if (fuzz_file_open(&file, "", 0) < 0)
		return;
	FILE *out = fdopen(dup(file.fd), "w");
	FUZZ_CHECK(out != NULL);
	int status = ml_dataset_write(data, out, "out.bin", ML_FORMAT_BINARY, &err);
	FUZZ_CHECK(fclose(out) == 0);
	/* Only a header too large for the format may fail. */
	if (status == 0) {
		ml_load_options load;
		ml_dataset back;
		ml_load_options_init(&load);
		lseek(file.fd, 0, SEEK_SET);
		FUZZ_CHECK(ml_dataset_read(file.path, &load, &back, &err) == 0);
		check_same_dataset(data, &back);
		ml_dataset_free(&back);
	} else {
		FUZZ_CHECK(strstr(err.message, "header too large") != NULL);
	}
	fuzz_file_close(&file);

	char *text = NULL;
	size_t length = 0;
	FILE *csv = open_memstream(&text, &length);
	FUZZ_CHECK(csv != NULL);
	FUZZ_CHECK(ml_dataset_write(data, csv, "out.csv", ML_FORMAT_CSV, &err) == 0);
	fclose(csv);
	free(text);
}

#endif
