/*
 * Fuzzes reading LIBSVM / svmlight text (io/ml_libsvm.h): labels, qid,
 * index:value pairs, comments, line ends, the line and column limits (set
 * low here, 64 bytes and 50 columns, so that short inputs cross them).
 * What reads is checked: the densified rows hold every label, every index
 * within the columns, and the text written back from them (label then
 * the nonzero index:value pairs, shortest digits) reads back to the same
 * rows, bit for bit; and as a binary matrix, the same dataset.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "core/ml_number.h"
#include "core/ml_util.h"
#include "io/ml_libsvm.h"

static ml_libsvm *read_bytes(const void *bytes, size_t size, const ml_libsvm_options *options,
			     ml_error *err)
{
	fuzz_file file;
	if (fuzz_file_open(&file, bytes, size) < 0)
		return NULL;
	ml_libsvm *data = NULL;
	ml_source *source = ml_source_create(file.fd, "fuzz.svm", err);
	if (source)
		data = ml_libsvm_read(source, "fuzz.svm", options, err);
	ml_source_free(source);
	fuzz_file_close(&file);
	return data;
}

/* The rows as LIBSVM text again: label, then the nonzero values by index. */
static void write_text(ml_buf *text, const double *rows, size_t n_rows, size_t width)
{
	char number[ML_DOUBLE_BUFSIZE];
	for (size_t r = 0; r < n_rows; r++) {
		const double *row = rows + r * width;
		ml_format_double(row[0], number);
		ml_buf_puts(text, number);
		for (size_t c = 1; c < width; c++) {
			if (row[c] == 0)
				continue;
			ml_format_double(row[c], number);
			ml_buf_printf(text, " %zu:%s", c, number);
		}
		ml_buf_putc(text, '\n');
	}
}

static void check_dataset(const ml_libsvm *data, const double *rows)
{
	const ml_columns *columns = ml_libsvm_columns(data);
	ml_dataset dataset = { .n_rows = ml_libsvm_rows(data), .values = (double *)rows };
	ml_error err;
	FUZZ_CHECK(ml_columns_copy(&dataset.columns, columns, &err) == 0);
	check_written_back(&dataset);
	ml_columns_free(&dataset.columns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	ml_libsvm_options options;
	ml_libsvm_options_init(&options);
	options.max_line = 64;
	options.max_columns = 50;
	ml_error err;
	ml_libsvm *read = read_bytes(data, size, &options, &err);
	if (!read) {
		/* Every refusal names the input (and, but for memory, the line). */
		FUZZ_CHECK(strncmp(err.message, "fuzz.svm", 8) == 0 ||
			   strstr(err.message, "memory") != NULL);
		return 0;
	}
	const ml_columns *columns = ml_libsvm_columns(read);
	size_t n_rows = ml_libsvm_rows(read), width = columns->count;
	FUZZ_CHECK(width >= 1 && width <= 51 && columns->target == 0);
	FUZZ_CHECK(strcmp(columns->names[0], "label") == 0);
	FUZZ_CHECK(n_rows <= size / 2 + 1);
	double *rows = calloc(n_rows * width + 1, sizeof *rows);
	FUZZ_CHECK(rows != NULL);
	ml_libsvm_dense(read, 0, n_rows, rows);
	for (size_t i = 0; i < n_rows * width; i++)
		FUZZ_CHECK(isfinite(rows[i]));

	ml_buf text;
	ml_buf_init(&text);
	write_text(&text, rows, n_rows, width);
	FUZZ_CHECK(!text.failed);
	options.n_columns = width - 1 ? width - 1 : 0;
	options.max_line = ML_LIBSVM_MAX_LINE;
	ml_libsvm *again = read_bytes(text.data ? text.data : "", text.length, &options, &err);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(ml_libsvm_rows(again) == n_rows);
	FUZZ_CHECK(ml_columns_same_names(ml_libsvm_columns(again), columns));
	double *rows_again = calloc(n_rows * width + 1, sizeof *rows_again);
	FUZZ_CHECK(rows_again != NULL);
	ml_libsvm_dense(again, 0, n_rows, rows_again);
	for (size_t i = 0; i < n_rows * width; i++)
		FUZZ_CHECK(same_double(rows[i], rows_again[i]));
	/* Block by block: the same rows. */
	for (size_t r = 0; r < n_rows; r++) {
		ml_libsvm_dense(read, r, 1, rows_again);
		FUZZ_CHECK(memcmp(rows_again, rows + r * width, width * sizeof *rows) == 0);
	}
	check_dataset(read, rows);
	free(rows_again);
	ml_libsvm_free(again);
	ml_buf_free(&text);
	free(rows);
	ml_libsvm_free(read);
	return 0;
}
