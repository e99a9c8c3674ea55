#include "stages/ml_io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/ml_npy.h"

/* Binary rows are read into memory this many values at a time at most. */
#define READ_BLOCK_CELLS ((size_t)1 << 20)

struct ml_input {
	int fd;
	bool owns_fd;
	char *name;
	ml_source *source;      /* the bytes, decompressed when they need it */
	ml_csv_reader *csv;
	ml_binary_reader *binary;
	ml_chain *chain; /* binary input: the stages its header records */
};

/*
 * Peeks at the first bytes to tell binary from CSV.  It stops early when
 * they cannot be the magic, so a co-process's short first line is not held
 * up; *is_binary is false for CSV (or nothing), -1 on a read error.
 */
static int sniff(ml_input *input, bool *is_binary, ml_error *err)
{
	*is_binary = false;
	const unsigned char *first;
	long got = ml_source_peek(input->source, 1, &first, err);
	if (got < 0)
		return -1;
	/* numpy's .npy magic: 0x93 starts no UTF-8 text either. */
	bool npy = got == 1 && first[0] == (unsigned char)ML_NPY_MAGIC[0];
	const char *magic = npy ? ML_NPY_MAGIC : ML_BINARY_MAGIC;
	size_t magic_length = npy ? ML_NPY_MAGIC_LENGTH : ML_BINARY_MAGIC_LENGTH;
	for (size_t n = 1; n <= magic_length; n++) {
		const unsigned char *bytes;
		got = ml_source_peek(input->source, n, &bytes, err);
		if (got < 0)
			return -1;
		if ((size_t)got < n) {
			/* No text starts with the magic's first byte (0x89 is not UTF-8 there). */
			if (got > 0 && memcmp(bytes, magic, (size_t)got) == 0) {
				ml_error_set(err, "%s: truncated %s header (the input ends inside"
					     " the magic)", input->name, npy ? ".npy" : "binary");
				return -1;
			}
			return 0;
		}
		if (memcmp(bytes, magic, n) != 0) {
			if (npy) {
				ml_error_set(err, "%s: not a .npy file (bad magic), nor CSV text",
					     input->name);
				return -1;
			}
			if (bytes[0] == (unsigned char)ML_BINARY_MAGIC[0]) {
				ml_error_set(err, "%s: not an mlpipe binary matrix (bad magic), nor"
					     " CSV text", input->name);
				return -1;
			}
			return 0;
		}
	}
	*is_binary = true;
	return 0;
}

/* Parses a binary header's stages and checks they make its columns. */
static ml_chain *header_chain(const ml_binary_reader *reader, const char *name, ml_error *err)
{
	char source[ML_ERROR_SIZE / 2];
	size_t length;
	const char *text = ml_binary_reader_stage_text(reader, &length);
	snprintf(source, sizeof source, "%s: header stages", name);
	ml_chain *chain = ml_chain_parse_text(text, length, source, err);
	size_t n_stages = chain ? ml_chain_length(chain) : 0;
	if (n_stages > 0 &&
	    !ml_columns_same_names(ml_stage_outputs(ml_chain_stage(chain, n_stages - 1)),
				   ml_binary_reader_columns(reader))) {
		ml_error_set(err, "%s: corrupt header: the columns are not what the last stage"
			     " makes", name);
		ml_chain_free(chain);
		return NULL;
	}
	return chain;
}

/* Takes the input from fd, already open, or opens path; names it name. */
static ml_input *open_input(int fd, bool owns_fd, const char *path, const char *name,
			    const ml_csv_options *csv, ml_error *err)
{
	ml_input *input = calloc(1, sizeof *input);
	if (!input) {
		if (owns_fd && fd >= 0)
			close(fd);
		ml_error_nomem(err);
		return NULL;
	}
	input->fd = path ? open(path, O_RDONLY | O_CLOEXEC) : fd;
	input->owns_fd = owns_fd;
	if (!(input->name = ml_strdup(name, err)))
		goto fail;
	if (input->fd < 0) {
		ml_error_set(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	bool is_binary;
	if (!(input->source = ml_source_create(input->fd, input->name, err)) ||
	    sniff(input, &is_binary, err) < 0)
		goto fail;
	if (is_binary) {
		input->binary = ml_binary_reader_create(input->source, input->name, err);
		if (input->binary && !(input->chain = header_chain(input->binary, input->name, err)))
			goto fail;
	} else {
		input->csv = ml_csv_reader_create(input->source, input->name, csv, err);
	}
	if (!input->binary && !input->csv)
		goto fail;
	return input;
fail:
	ml_input_close(input);
	return NULL;
}

ml_input *ml_input_open(const char *path, const ml_csv_options *csv, ml_error *err)
{
	if (!path || strcmp(path, "-") == 0)
		return open_input(STDIN_FILENO, false, NULL, "stdin", csv, err);
	return open_input(-1, true, path, path, csv, err);
}

ml_input *ml_input_open_fd(int fd, const char *name, const ml_csv_options *csv, ml_error *err)
{
	return open_input(fd, false, NULL, name, csv, err);
}

void ml_input_close(ml_input *input)
{
	if (!input)
		return;
	ml_csv_reader_free(input->csv);
	ml_binary_reader_free(input->binary);
	ml_source_free(input->source);
	ml_chain_free(input->chain);
	if (input->owns_fd && input->fd >= 0)
		close(input->fd);
	free(input->name);
	free(input);
}

const char *ml_input_name(const ml_input *input)
{
	return input->name;
}

ml_csv_reader *ml_input_csv(ml_input *input)
{
	return input->csv;
}

ml_binary_reader *ml_input_binary(ml_input *input)
{
	return input->binary;
}

const ml_chain *ml_input_chain(const ml_input *input)
{
	return input->chain;
}

static int read_binary_rows(ml_binary_reader *reader, const char *name, ml_dataset *dataset,
			    ml_error *err)
{
	size_t width = dataset->columns.count, capacity = 0;
	uint64_t declared = ml_binary_reader_rows(reader);
	/* Trust the declared count only as a first guess, never as a size. */
	size_t block = 4096;
	if (declared != ML_ROWS_UNKNOWN && declared < (uint64_t)1 << 16)
		block = declared ? (size_t)declared : 1;
	/* However wide the rows, a block is at most 8 MiB until data comes. */
	if (block > READ_BLOCK_CELLS / width)
		block = READ_BLOCK_CELLS / width ? READ_BLOCK_CELLS / width : 1;
	for (;;) {
		if (dataset->n_rows + block > capacity) {
			size_t grown = capacity ? capacity * 2 : block;
			size_t cells;
			if (grown < dataset->n_rows + block)
				grown = dataset->n_rows + block;
			double *values = NULL;
			if (ml_size_mul(grown, width, &cells))
				values = ml_realloc_array(dataset->values, cells, sizeof *values, err);
			if (!values) {
				ml_error_set(err, "%s: out of memory keeping %zu rows of %zu columns",
					     name, grown, width);
				return -1;
			}
			dataset->values = values;
			capacity = grown;
		}
		size_t got;
		if (ml_binary_read_rows(reader, dataset->values + dataset->n_rows * width, block, &got,
					err) < 0)
			return -1;
		if (got == 0)
			return 0;
		dataset->n_rows += got;
	}
}

int ml_dataset_read(const char *path, const ml_load_options *load, ml_dataset *dataset,
		    ml_error *err)
{
	memset(dataset, 0, sizeof *dataset);
	ml_input *input = ml_input_open(path, &load->csv, err);
	return input ? ml_dataset_read_input(input, load, dataset, err) : -1;
}

int ml_dataset_read_input(ml_input *input, const ml_load_options *load, ml_dataset *dataset,
			  ml_error *err)
{
	memset(dataset, 0, sizeof *dataset);
	int status;
	if (input->csv) {
		status = ml_load_fit(input->csv, load, dataset, err);
	} else if (load->keep || load->drop || load->categorical || load->ordinal ||
		   load->n_orders || load->drop_first || load->drop_missing_target) {
		/* Silently ignoring them would hand back columns nobody asked for. */
		ml_error_set(err, "%s: -c, -x, --categorical, --ordinal, --order, --drop-first and"
			     " --drop-missing-target apply to CSV input (this is a binary matrix,"
			     " loaded already)", input->name);
		status = -1;
	} else {
		const ml_columns *columns = ml_binary_reader_columns(input->binary);
		status = ml_columns_copy(&dataset->columns, columns, err);
		if (status == 0 &&
		    !(dataset->chain = ml_chain_copy(input->chain, err)))
			status = -1;
		if (status == 0)
			status = read_binary_rows(input->binary, input->name, dataset, err);
		if (status == 0)
			status = ml_columns_resolve_target(&dataset->columns, load->target,
							   input->name, &dataset->columns.target, err);
	}
	ml_input_close(input);
	if (status < 0)
		ml_dataset_free(dataset);
	return status;
}

struct ml_writer {
	ml_csv_writer *csv;
	ml_binary_writer *binary;
	ml_npy_writer *npy;
};

ml_writer *ml_writer_create(FILE *out, const char *name, ml_format format,
			    const ml_columns *columns, const ml_chain *chain, uint64_t n_rows,
			    ml_error *err)
{
	ml_writer *writer = calloc(1, sizeof *writer);
	if (!writer) {
		ml_error_nomem(err);
		return NULL;
	}
	if (format == ML_FORMAT_BINARY) {
		ml_buf stages;
		ml_buf_init(&stages);
		ml_chain_write(chain, &stages);
		if (stages.failed)
			ml_error_nomem(err);
		else
			writer->binary = ml_binary_writer_create(out, name, columns, stages.data,
								 stages.length, n_rows, err);
		ml_buf_free(&stages);
	} else if (format == ML_FORMAT_NPY) {
		writer->npy = ml_npy_writer_create(out, name, columns->count, n_rows, err);
	} else {
		size_t n_classes;
		char *const *classes = ml_chain_class_names(chain, &n_classes);
		writer->csv = ml_csv_writer_create(out, name, columns, classes, n_classes, ',', err);
	}
	if (!writer->binary && !writer->csv && !writer->npy) {
		free(writer);
		return NULL;
	}
	return writer;
}

void ml_writer_set_precision(ml_writer *writer, int digits)
{
	if (writer->csv)
		ml_csv_writer_set_precision(writer->csv, digits);
}

int ml_writer_write(ml_writer *writer, const double *rows, size_t n_rows, ml_error *err)
{
	if (writer->npy)
		return ml_npy_write_rows(writer->npy, rows, n_rows, err);
	return writer->csv ? ml_csv_write_rows(writer->csv, rows, n_rows, err)
			   : ml_binary_write_rows(writer->binary, rows, n_rows, err);
}

int ml_writer_finish(ml_writer *writer, ml_error *err)
{
	if (writer->npy)
		return ml_npy_writer_finish(writer->npy, err);
	return writer->csv ? ml_csv_writer_finish(writer->csv, err)
			   : ml_binary_writer_finish(writer->binary, err);
}

void ml_writer_free(ml_writer *writer)
{
	if (!writer)
		return;
	ml_csv_writer_free(writer->csv);
	ml_binary_writer_free(writer->binary);
	ml_npy_writer_free(writer->npy);
	free(writer);
}

int ml_dataset_write(const ml_dataset *dataset, FILE *out, const char *name, ml_format format,
		     ml_error *err)
{
	ml_writer *writer = ml_writer_create(out, name, format, &dataset->columns, dataset->chain,
					     dataset->n_rows, err);
	if (!writer)
		return -1;
	int status = ml_writer_write(writer, dataset->values, dataset->n_rows, err);
	if (status == 0)
		status = ml_writer_finish(writer, err);
	ml_writer_free(writer);
	return status;
}
