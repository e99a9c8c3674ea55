/*
 * Fuzzes the --load path: a stage file applied to data it did not see.
 * Input: the stage file's text, a NUL byte (which stage files cannot
 * hold), then the data, CSV or binary.  The stage file is read as
 * cli_apply_saved reads it; the data streams through its chain, row
 * failures confined to their row as ml-load --on-error lets them be.
 * Every row read has the chain's output width.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "stages/ml_pipefile.h"
#include "stages/ml_stream.h"

/* Rows asked for at a time; the width is the stage file's to choose. */
#define FUZZ_BLOCK_ROWS 16
#define FUZZ_MAX_WIDTH ((size_t)1 << 16)

static void stream_rows(const ml_chain *chain, const char *data_path)
{
	ml_error err;
	ml_csv_options csv;
	ml_csv_options_init(&csv);
	ml_stream *stream = ml_stream_open(data_path, &csv, chain, "fuzz.load", &err);
	if (!stream)
		return;
	size_t width = ml_stream_columns(stream)->count;
	size_t n_stages = ml_chain_length(chain);
	if (n_stages > 0)
		FUZZ_CHECK(ml_columns_same_names(ml_stream_columns(stream),
						 ml_stage_outputs(ml_chain_stage(chain,
										 n_stages - 1))));
	double *rows = width <= FUZZ_MAX_WIDTH ? calloc(FUZZ_BLOCK_ROWS * (width ? width : 1),
							sizeof *rows) : NULL;
	size_t n_read, n_failures = 0;
	while (rows && ml_stream_read(stream, rows, FUZZ_BLOCK_ROWS, &n_read, &err) == 0) {
		FUZZ_CHECK(n_read <= FUZZ_BLOCK_ROWS);
		if (ml_stream_row_failed(stream)) {
			/* ml-load gives up after some bad rows, and so does this. */
			if (++n_failures > 64)
				break;
			continue;
		}
		if (n_read == 0)
			break;
	}
	free(rows);
	ml_stream_close(stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	const uint8_t *split = memchr(data, '\0', size);
	size_t stage_size = split ? (size_t)(split - data) : size;
	size_t data_offset = split ? stage_size + 1 : size;
	fuzz_file stage_file, data_file;
	if (fuzz_file_open(&stage_file, data, stage_size) < 0)
		return 0;
	if (fuzz_file_open(&data_file, data + data_offset, size - data_offset) < 0) {
		fuzz_file_close(&stage_file);
		return 0;
	}
	ml_error err;
	ml_pipefile *file = ml_pipefile_open(stage_file.path, &err);
	if (file && ml_pipefile_expect_end(file, &err) == 0)
		stream_rows(ml_pipefile_chain(file), data_file.path);
	ml_pipefile_close(file);
	fuzz_file_close(&data_file);
	fuzz_file_close(&stage_file);
	return 0;
}
