#include "io/ml_binary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ml_util.h"
#include "io/ml_npy.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_IS_BIG_ENDIAN 1
#else
#define HOST_IS_BIG_ENDIAN 0
#endif

/* Rows are converted in blocks of this many bytes at most. */
#define IO_BLOCK_BYTES ((size_t)1 << 20)

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void put_u32(unsigned char *p, uint32_t value)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(value >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t value)
{
	put_u32(p, (uint32_t)value);
	put_u32(p + 4, (uint32_t)(value >> 32));
}

static void swap_doubles(double *values, size_t count)
{
#if HOST_IS_BIG_ENDIAN
	for (size_t i = 0; i < count; i++) {
		uint64_t bits;
		memcpy(&bits, &values[i], 8);
		bits = __builtin_bswap64(bits);
		memcpy(&values[i], &bits, 8);
	}
#else
	(void)values;
	(void)count;
#endif
}

struct ml_binary_reader {
	ml_source *source;
	ml_source *own_source; /* made by ml_binary_reader_create_fd */
	char *name;
	ml_columns columns;
	char *stage_text;        /* the header's stage section, NUL-terminated */
	size_t stage_length;
	uint64_t declared_rows;
	uint64_t rows_read;
	ml_npy_reader *npy;      /* a numpy .npy file instead: it reads the rows */
};

/* All of length bytes, or a "truncated header" error. */
static int read_header_bytes(ml_binary_reader *reader, void *buffer, size_t length,
			     ml_error *err)
{
	long got = ml_source_read_full(reader->source, buffer, length, err);
	if (got < 0)
		return -1;
	if ((size_t)got != length) {
		ml_error_set(err, "%s: truncated header", reader->name);
		return -1;
	}
	return 0;
}

static int parse_names(ml_binary_reader *reader, const char *block, size_t length,
		       size_t n_columns, ml_error *err)
{
	if (ml_columns_init(&reader->columns, n_columns, err) < 0)
		return -1;
	size_t offset = 0;
	for (size_t i = 0; i < n_columns; i++) {
		const char *end = offset < length ? memchr(block + offset, '\0', length - offset) : NULL;
		if (!end) {
			ml_error_set(err, "%s: corrupt header: %zu column names expected, found %zu",
				     reader->name, n_columns, i);
			return -1;
		}
		size_t name_length = (size_t)(end - (block + offset));
		if (name_length == 0 || name_length > ML_MAX_NAME_LENGTH ||
		    !ml_utf8_valid(block + offset, name_length)) {
			ml_error_set(err, "%s: corrupt header: column %zu has an empty, overlong or"
				     " non-UTF-8 name", reader->name, i + 1);
			return -1;
		}
		if (!(reader->columns.names[i] = ml_strndup(block + offset, name_length, err)))
			return -1;
		offset += name_length + 1;
	}
	if (offset != length) {
		ml_error_set(err, "%s: corrupt header: extra bytes after the column names",
			     reader->name);
		return -1;
	}
	size_t duplicate = ml_columns_find_duplicate(&reader->columns);
	if (duplicate != ML_NO_COLUMN) {
		ml_error_set(err, "%s: corrupt header: column name '%s' appears twice",
			     reader->name, reader->columns.names[duplicate]);
		return -1;
	}
	return 0;
}

static int check_fixed(ml_binary_reader *reader, const unsigned char *fixed, ml_error *err)
{
	uint32_t version = get_u32(fixed + 8), header_length = get_u32(fixed + 12);
	uint32_t n_columns = get_u32(fixed + 16), dtype = get_u32(fixed + 20);
	uint32_t target = get_u32(fixed + 32), names_length = get_u32(fixed + 36);
	uint32_t stages_length = get_u32(fixed + 40), reserved = get_u32(fixed + 44);
	if (memcmp(fixed, ML_BINARY_MAGIC, ML_BINARY_MAGIC_LENGTH) != 0) {
		ml_error_set(err, "%s: not an mlpipe binary matrix (bad magic)", reader->name);
		return -1;
	}
	if (version != ML_BINARY_VERSION) {
		ml_error_set(err, "%s: binary format version %u; this mlpipe reads version %d%s",
			     reader->name, version, ML_BINARY_VERSION,
			     version > ML_BINARY_VERSION ? " (made by a newer mlpipe?)" : "");
		return -1;
	}
	if (dtype != ML_BINARY_DTYPE_FLOAT64) {
		ml_error_set(err, "%s: unsupported dtype %u (only 1, float64)", reader->name, dtype);
		return -1;
	}
	if (reserved != 0) {
		ml_error_set(err, "%s: corrupt header: reserved field is not zero", reader->name);
		return -1;
	}
	if (n_columns == 0 || n_columns > ML_MAX_COLUMNS) {
		ml_error_set(err, "%s: corrupt header: %u columns (1 to %zu allowed)", reader->name,
			     n_columns, ML_MAX_COLUMNS);
		return -1;
	}
	if (target != UINT32_MAX && target >= n_columns) {
		ml_error_set(err, "%s: corrupt header: target column %u of %u", reader->name,
			     target, n_columns);
		return -1;
	}
	uint64_t used = (uint64_t)ML_BINARY_FIXED_LENGTH + names_length + stages_length;
	if (header_length > ML_MAX_HEADER_LENGTH || header_length % 8 != 0 ||
	    used > header_length || header_length - used >= 8) {
		ml_error_set(err, "%s: corrupt header: header length %u does not fit its parts",
			     reader->name, header_length);
		return -1;
	}
	reader->declared_rows = get_u64(fixed + 24);
	reader->columns.target = target == UINT32_MAX ? ML_NO_COLUMN : target;
	return 0;
}

static int read_header(ml_binary_reader *reader, ml_error *err)
{
	unsigned char fixed[ML_BINARY_FIXED_LENGTH];
	if (read_header_bytes(reader, fixed, sizeof fixed, err) < 0)
		return -1;
	ml_columns probe = { 0 };
	reader->columns = probe;
	if (check_fixed(reader, fixed, err) < 0)
		return -1;
	size_t target = reader->columns.target;
	size_t n_columns = get_u32(fixed + 16);
	size_t names_length = get_u32(fixed + 36), stages_length = get_u32(fixed + 40);
	size_t rest = get_u32(fixed + 12) - ML_BINARY_FIXED_LENGTH;
	char *block = ml_alloc_array(rest + 1, 1, err);
	if (!block)
		return -1;
	int status = -1;
	if (read_header_bytes(reader, block, rest, err) < 0)
		goto done;
	for (size_t i = names_length + stages_length; i < rest; i++)
		if (block[i] != 0) {
			ml_error_set(err, "%s: corrupt header: padding is not zero", reader->name);
			goto done;
		}
	if (parse_names(reader, block, names_length, n_columns, err) < 0)
		goto done;
	reader->columns.target = target;
	if (!(reader->stage_text = ml_strndup(block + names_length, stages_length, err)))
		goto done;
	reader->stage_length = stages_length;
	status = 0;
done:
	free(block);
	return status;
}

/* An mlpipe header, or a .npy one: its columns, its rows, no stages. */
static int read_any_header(ml_binary_reader *reader, ml_error *err)
{
	const unsigned char *bytes;
	long got = ml_source_peek(reader->source, ML_NPY_MAGIC_LENGTH, &bytes, err);
	if (got < 0)
		return -1;
	if (got < ML_NPY_MAGIC_LENGTH || memcmp(bytes, ML_NPY_MAGIC, ML_NPY_MAGIC_LENGTH) != 0)
		return read_header(reader, err);
	if (!(reader->npy = ml_npy_reader_create(reader->source, reader->name, err)) ||
	    ml_columns_copy(&reader->columns, ml_npy_reader_columns(reader->npy), err) < 0 ||
	    !(reader->stage_text = ml_strdup("", err)))
		return -1;
	reader->declared_rows = ml_npy_reader_rows(reader->npy);
	return 0;
}

ml_binary_reader *ml_binary_reader_create(ml_source *source, const char *name, ml_error *err)
{
	ml_binary_reader *reader = calloc(1, sizeof *reader);
	if (!reader) {
		ml_error_nomem(err);
		return NULL;
	}
	reader->source = source;
	if (!(reader->name = ml_strdup(name, err)) || read_any_header(reader, err) < 0) {
		ml_binary_reader_free(reader);
		return NULL;
	}
	return reader;
}

void ml_binary_reader_free(ml_binary_reader *reader)
{
	if (!reader)
		return;
	ml_columns_free(&reader->columns);
	free(reader->stage_text);
	free(reader->name);
	ml_npy_reader_free(reader->npy);
	ml_source_free(reader->own_source);
	free(reader);
}

ml_binary_reader *ml_binary_reader_create_fd(int fd, const char *name, ml_error *err)
{
	ml_source *source = ml_source_create(fd, name, err);
	ml_binary_reader *reader = source ? ml_binary_reader_create(source, name, err) : NULL;
	if (!reader)
		ml_source_free(source);
	else
		reader->own_source = source;
	return reader;
}

const ml_columns *ml_binary_reader_columns(const ml_binary_reader *reader)
{
	return &reader->columns;
}

const char *ml_binary_reader_stage_text(const ml_binary_reader *reader, size_t *length)
{
	*length = reader->stage_length;
	return reader->stage_text;
}

uint64_t ml_binary_reader_rows(const ml_binary_reader *reader)
{
	return reader->declared_rows;
}

int ml_binary_read_rows(ml_binary_reader *reader, double *rows, size_t max_rows,
			size_t *n_read, ml_error *err)
{
	if (reader->npy)
		return ml_npy_read_rows(reader->npy, rows, max_rows, n_read, err);
	size_t row_bytes = reader->columns.count * sizeof(double);
	size_t want = max_rows;
	if (reader->declared_rows != ML_ROWS_UNKNOWN &&
	    reader->declared_rows - reader->rows_read < want)
		want = (size_t)(reader->declared_rows - reader->rows_read);
	long got = ml_source_read_full(reader->source, rows, want * row_bytes, err);
	if (got < 0)
		return -1;
	size_t bytes = (size_t)got;
	if (bytes % row_bytes != 0) {
		ml_error_set(err, "%s: truncated row %llu (%zu of %zu bytes)", reader->name,
			     (unsigned long long)(reader->rows_read + bytes / row_bytes + 1),
			     bytes % row_bytes, row_bytes);
		return -1;
	}
	*n_read = bytes / row_bytes;
	reader->rows_read += *n_read;
	swap_doubles(rows, *n_read * reader->columns.count);
	if (*n_read < want && reader->declared_rows != ML_ROWS_UNKNOWN) {
		ml_error_set(err, "%s: truncated: the header declares %llu rows, found %llu",
			     reader->name, (unsigned long long)reader->declared_rows,
			     (unsigned long long)reader->rows_read);
		return -1;
	}
	char extra;
	if (*n_read == 0 && max_rows > 0 && reader->declared_rows != ML_ROWS_UNKNOWN &&
	    ml_source_read(reader->source, &extra, 1, err) > 0) {
		ml_error_set(err, "%s: data after the %llu rows the header declares", reader->name,
			     (unsigned long long)reader->declared_rows);
		return -1;
	}
	return 0;
}

struct ml_binary_writer {
	FILE *out;
	char *name;
	size_t n_columns;
	uint64_t declared_rows;
	uint64_t rows_written;
	long header_offset; /* where the header starts, -1 when the output cannot seek */
	double *swap_buffer;
};

static int build_header(ml_buf *header, const ml_columns *columns, const char *stage_text,
			size_t stage_length, uint64_t n_rows, ml_error *err)
{
	ml_buf names;
	ml_buf_init(&names);
	for (size_t i = 0; i < columns->count; i++) {
		size_t length = strlen(columns->names[i]);
		if (length > ML_MAX_NAME_LENGTH) {
			/* Readers refuse it: never write what cannot be read back. */
			ml_error_set(err, "column %zu: name longer than %zu bytes", i + 1,
				     ML_MAX_NAME_LENGTH);
			ml_buf_free(&names);
			return -1;
		}
		ml_buf_append(&names, columns->names[i], length + 1);
	}
	size_t total = 0;
	int status = -1;
	if (stage_length <= ML_MAX_HEADER_LENGTH)
		total = (ML_BINARY_FIXED_LENGTH + names.length + stage_length + 7) / 8 * 8;
	if (names.failed || !ml_buf_reserve(header, total)) {
		ml_error_nomem(err);
		goto done;
	}
	if (stage_length > ML_MAX_HEADER_LENGTH || total > ML_MAX_HEADER_LENGTH ||
	    columns->count > ML_MAX_COLUMNS) {
		ml_error_set(err, "header too large (%zu bytes, at most %zu)", total,
			     ML_MAX_HEADER_LENGTH);
		goto done;
	}
	if (columns->count == 0) {
		/* Readers refuse it: never write what cannot be read back. */
		ml_error_set(err, "no columns to write");
		goto done;
	}
	unsigned char *fixed = (unsigned char *)header->data;
	memset(fixed, 0, total);
	memcpy(fixed, ML_BINARY_MAGIC, ML_BINARY_MAGIC_LENGTH);
	put_u32(fixed + 8, ML_BINARY_VERSION);
	put_u32(fixed + 12, (uint32_t)total);
	put_u32(fixed + 16, (uint32_t)columns->count);
	put_u32(fixed + 20, ML_BINARY_DTYPE_FLOAT64);
	put_u64(fixed + 24, n_rows);
	put_u32(fixed + 32, columns->target == ML_NO_COLUMN ? UINT32_MAX : (uint32_t)columns->target);
	put_u32(fixed + 36, (uint32_t)names.length);
	put_u32(fixed + 40, (uint32_t)stage_length);
	if (names.length)
		memcpy(fixed + ML_BINARY_FIXED_LENGTH, names.data, names.length);
	if (stage_length)
		memcpy(fixed + ML_BINARY_FIXED_LENGTH + names.length, stage_text, stage_length);
	header->length = total;
	status = 0;
done:
	ml_buf_free(&names);
	return status;
}

ml_binary_writer *ml_binary_writer_create(FILE *out, const char *name,
					  const ml_columns *columns, const char *stage_text,
					  size_t stage_length, uint64_t n_rows, ml_error *err)
{
	ml_binary_writer *writer = calloc(1, sizeof *writer);
	ml_buf header;
	ml_buf_init(&header);
	if (!writer) {
		ml_error_nomem(err);
		return NULL;
	}
	writer->out = out;
	writer->n_columns = columns->count;
	writer->declared_rows = n_rows;
	writer->header_offset = -1;
	struct stat info;
	int flags = fcntl(fileno(out), F_GETFL);
	if (fstat(fileno(out), &info) == 0 && S_ISREG(info.st_mode) && flags != -1 &&
	    !(flags & O_APPEND))
		writer->header_offset = ftell(out);
	if (!(writer->name = ml_strdup(name, err)) ||
	    build_header(&header, columns, stage_text, stage_length, n_rows, err) < 0)
		goto fail;
	if (fwrite(header.data, 1, header.length, out) != header.length) {
		ml_error_set(err, "%s: write error: %s", name, strerror(errno));
		goto fail;
	}
	ml_buf_free(&header);
	return writer;
fail:
	ml_buf_free(&header);
	ml_binary_writer_free(writer);
	return NULL;
}

int ml_binary_write_rows(ml_binary_writer *writer, const double *rows, size_t n_rows,
			 ml_error *err)
{
	size_t count = n_rows * writer->n_columns;
	const double *data = rows;
	if (count == 0)
		return 0;
	if (HOST_IS_BIG_ENDIAN) {
		double *copy = ml_realloc_array(writer->swap_buffer, count, sizeof *copy, err);
		if (!copy)
			return -1;
		memcpy(copy, rows, count * sizeof *copy);
		swap_doubles(copy, count);
		writer->swap_buffer = copy;
		data = copy;
	}
	if (fwrite(data, sizeof *data, count, writer->out) != count) {
		ml_error_set(err, "%s: write error: %s", writer->name, strerror(errno));
		return -1;
	}
	writer->rows_written += n_rows;
	return 0;
}

int ml_binary_writer_finish(ml_binary_writer *writer, ml_error *err)
{
	if (writer->declared_rows != ML_ROWS_UNKNOWN) {
		if (writer->declared_rows != writer->rows_written) {
			ml_error_set(err, "%s: %llu rows written, %llu declared", writer->name,
				     (unsigned long long)writer->rows_written,
				     (unsigned long long)writer->declared_rows);
			return -1;
		}
		return 0;
	}
	if (writer->header_offset < 0)
		return 0; /* a pipe: the count stays "unknown", which readers accept */
	long end = ftell(writer->out);
	unsigned char count[8];
	put_u64(count, writer->rows_written);
	if (end < 0 || fflush(writer->out) != 0 ||
	    fseek(writer->out, writer->header_offset + 24, SEEK_SET) != 0 ||
	    fwrite(count, 1, 8, writer->out) != 8 || fseek(writer->out, end, SEEK_SET) != 0) {
		ml_error_set(err, "%s: cannot record the row count: %s", writer->name,
			     strerror(errno));
		return -1;
	}
	return 0;
}

void ml_binary_writer_free(ml_binary_writer *writer)
{
	if (!writer)
		return;
	free(writer->swap_buffer);
	free(writer->name);
	free(writer);
}
