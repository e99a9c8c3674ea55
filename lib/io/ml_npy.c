#include "io/ml_npy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ml_util.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define HOST_IS_BIG_ENDIAN 1
#else
#define HOST_IS_BIG_ENDIAN 0
#endif

/* Fortran-order data is read in pieces of this many bytes. */
#define READ_PIECE ((size_t)1 << 20)

struct ml_npy_reader {
	ml_source *source;
	char *name;
	ml_columns columns;
	uint64_t n_rows;
	size_t item_size;     /* 8 (float64) or 4 (float32) */
	bool fortran;
	uint64_t rows_read;
	unsigned char *whole; /* Fortran order: all the data, read at the first rows */
	unsigned char *buffer; /* C order: one block of rows as read */
	size_t buffer_capacity;
};

typedef struct header_text {
	const char *at, *end;
} header_text;

static void skip_spaces(header_text *text)
{
	while (text->at < text->end && (*text->at == ' ' || *text->at == '\t'))
		text->at++;
}

static bool take(header_text *text, const char *word)
{
	size_t length = strlen(word);
	skip_spaces(text);
	if ((size_t)(text->end - text->at) < length || memcmp(text->at, word, length) != 0)
		return false;
	text->at += length;
	return true;
}

/* A non-negative whole number below 2^63, digits only. */
static bool take_count(header_text *text, uint64_t *value)
{
	skip_spaces(text);
	const char *start = text->at;
	*value = 0;
	while (text->at < text->end && *text->at >= '0' && *text->at <= '9') {
		if (*value > (UINT64_MAX >> 1) / 10)
			return false;
		*value = *value * 10 + (uint64_t)(*text->at - '0');
		text->at++;
	}
	if (text->at < text->end && *text->at == 'L') /* Python 2's long */
		text->at++;
	return text->at > start;
}

/* "(N, M)", "(N,)" or "(N, M,)": 1 or 2 dimensions. */
static bool take_shape(header_text *text, uint64_t *dims, size_t *n_dims)
{
	if (!take(text, "("))
		return false;
	*n_dims = 0;
	while (!take(text, ")")) {
		if (*n_dims == 2 || !take_count(text, &dims[(*n_dims)++]))
			return false;
		if (!take(text, ",")) {
			if (!take(text, ")"))
				return false;
			return *n_dims == 2; /* "(N)" is not a tuple */
		}
	}
	return *n_dims >= 1;
}

typedef struct npy_header {
	bool has_descr, has_order, has_shape;
	char descr[4];
	bool fortran;
	uint64_t dims[2];
	size_t n_dims;
} npy_header;

static bool take_entry(header_text *text, npy_header *header)
{
	if (take(text, "'descr'") && !header->has_descr) {
		header->has_descr = true;
		if (!take(text, ":") || !take(text, "'") || text->end - text->at < 4 ||
		    text->at[3] != '\'')
			return false;
		memcpy(header->descr, text->at, 3);
		header->descr[3] = '\0';
		text->at += 4;
		return true;
	}
	if (take(text, "'fortran_order'") && !header->has_order) {
		header->has_order = true;
		if (!take(text, ":"))
			return false;
		header->fortran = take(text, "True");
		return header->fortran || take(text, "False");
	}
	if (take(text, "'shape'") && !header->has_shape) {
		header->has_shape = true;
		return take(text, ":") && take_shape(text, header->dims, &header->n_dims);
	}
	return false;
}

/* The dict literal: its three keys once each, in any order, and nothing else. */
static int parse_dict(ml_npy_reader *reader, const char *bytes, size_t length,
		      npy_header *header, ml_error *err)
{
	header_text text = { bytes, bytes + length };
	memset(header, 0, sizeof *header);
	/* numpy pads with spaces and ends with a newline. */
	while (text.end > text.at && (text.end[-1] == ' ' || text.end[-1] == '\n'))
		text.end--;
	bool ok = take(&text, "{");
	for (int i = 0; ok && i < 3; i++)
		ok = take_entry(&text, header) && (take(&text, ",") || i == 2);
	ok = ok && (take(&text, "}") || (take(&text, ",") && take(&text, "}")));
	skip_spaces(&text);
	if (!ok || text.at != text.end) {
		ml_error_set(err, "%s: corrupt .npy header (expected {'descr': ..., 'fortran_order':"
			     " ..., 'shape': (...)})", reader->name);
		return -1;
	}
	return 0;
}

static int check_header(ml_npy_reader *reader, const npy_header *header, ml_error *err)
{
	if (strcmp(header->descr, "<f8") == 0) {
		reader->item_size = 8;
	} else if (strcmp(header->descr, "<f4") == 0) {
		reader->item_size = 4;
	} else {
		ml_error_set(err, "%s: .npy dtype '%s': only little-endian float64 ('<f8') and"
			     " float32 ('<f4') are read", reader->name, header->descr);
		return -1;
	}
	uint64_t n_columns = header->n_dims == 2 ? header->dims[1] : 1;
	if (n_columns == 0 || n_columns > ML_MAX_COLUMNS) {
		ml_error_set(err, "%s: .npy array of %llu columns (1 to %zu allowed)", reader->name,
			     (unsigned long long)n_columns, ML_MAX_COLUMNS);
		return -1;
	}
	size_t cells;
	if (header->dims[0] > SIZE_MAX || !ml_size_mul((size_t)header->dims[0],
						    (size_t)n_columns * reader->item_size, &cells)) {
		ml_error_set(err, "%s: .npy shape too large", reader->name);
		return -1;
	}
	reader->n_rows = header->dims[0];
	reader->fortran = header->fortran && header->n_dims == 2;
	if (ml_columns_init(&reader->columns, (size_t)n_columns, err) < 0)
		return -1;
	for (size_t c = 0; c < n_columns; c++) {
		char name[32];
		snprintf(name, sizeof name, "c%zu", c + 1);
		if (!(reader->columns.names[c] = ml_strdup(name, err)))
			return -1;
	}
	reader->columns.target = ML_NO_COLUMN;
	return 0;
}

static int read_header(ml_npy_reader *reader, ml_error *err)
{
	unsigned char fixed[12];
	long got = ml_source_read_full(reader->source, fixed, 10, err);
	if (got < 0)
		return -1;
	if (got < 10 || memcmp(fixed, ML_NPY_MAGIC, ML_NPY_MAGIC_LENGTH) != 0) {
		ml_error_set(err, "%s: truncated .npy header", reader->name);
		return -1;
	}
	unsigned major = fixed[6];
	size_t length = (size_t)fixed[8] | (size_t)fixed[9] << 8, prefix = 10;
	if (major < 1 || major > 3) {
		ml_error_set(err, "%s: .npy format version %u.%u; versions 1 to 3 are read",
			     reader->name, major, fixed[7]);
		return -1;
	}
	if (major >= 2) {
		if (ml_source_read_full(reader->source, fixed + 10, 2, err) != 2) {
			ml_error_set(err, "%s: truncated .npy header", reader->name);
			return -1;
		}
		uint64_t wide = length | (uint64_t)fixed[10] << 16 | (uint64_t)fixed[11] << 24;
		length = wide > ML_NPY_MAX_HEADER ? ML_NPY_MAX_HEADER + 1 : (size_t)wide;
		prefix = 12;
	}
	if (length > ML_NPY_MAX_HEADER || (prefix + length) % 16 != 0) {
		ml_error_set(err, "%s: corrupt .npy header: length %zu (a multiple of 16 with the"
			     " prefix, at most %zu)", reader->name, length, ML_NPY_MAX_HEADER);
		return -1;
	}
	char *text = ml_alloc_array(length + 1, 1, err);
	if (!text)
		return -1;
	npy_header header;
	int status = -1;
	got = ml_source_read_full(reader->source, text, length, err);
	if (got >= 0 && (size_t)got != length)
		ml_error_set(err, "%s: truncated .npy header", reader->name);
	else if (got >= 0 && parse_dict(reader, text, length, &header, err) == 0)
		status = check_header(reader, &header, err);
	free(text);
	return status;
}

ml_npy_reader *ml_npy_reader_create(ml_source *source, const char *name, ml_error *err)
{
	ml_npy_reader *reader = calloc(1, sizeof *reader);
	if (!reader) {
		ml_error_nomem(err);
		return NULL;
	}
	reader->source = source;
	if (!(reader->name = ml_strdup(name, err)) || read_header(reader, err) < 0) {
		ml_npy_reader_free(reader);
		return NULL;
	}
	return reader;
}

void ml_npy_reader_free(ml_npy_reader *reader)
{
	if (!reader)
		return;
	ml_columns_free(&reader->columns);
	free(reader->name);
	free(reader->whole);
	free(reader->buffer);
	free(reader);
}

const ml_columns *ml_npy_reader_columns(const ml_npy_reader *reader)
{
	return &reader->columns;
}

uint64_t ml_npy_reader_rows(const ml_npy_reader *reader)
{
	return reader->n_rows;
}

static double item(const ml_npy_reader *reader, const unsigned char *p)
{
	if (reader->item_size == 8) {
		uint64_t bits = 0;
		for (int i = 7; i >= 0; i--)
			bits = bits << 8 | p[i];
		double value;
		memcpy(&value, &bits, sizeof value);
		return value;
	}
	uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			(uint32_t)p[3] << 24;
	float value;
	memcpy(&value, &bits, sizeof value);
	return (double)value;
}

/* Fortran order: all the data, growing with what arrives. */
static int read_whole(ml_npy_reader *reader, ml_error *err)
{
	size_t total = (size_t)reader->n_rows * reader->columns.count * reader->item_size;
	size_t have = 0, capacity = 0;
	while (have < total) {
		size_t piece = total - have < READ_PIECE ? total - have : READ_PIECE;
		if (have + piece > capacity) {
			size_t grown = capacity ? (capacity > total / 2 ? total : capacity * 2)
						: (total < READ_PIECE ? total : READ_PIECE);
			grown = grown < have + piece ? have + piece : grown;
			unsigned char *more = ml_realloc_array(reader->whole, grown, 1, err);
			if (!more)
				return -1;
			reader->whole = more;
			capacity = grown;
		}
		long got = ml_source_read_full(reader->source, reader->whole + have, piece, err);
		if (got < 0)
			return -1;
		have += (size_t)got;
		if ((size_t)got < piece) {
			ml_error_set(err, "%s: truncated .npy data: %zu of %zu bytes", reader->name,
				     have, total);
			return -1;
		}
	}
	if (!reader->whole && !(reader->whole = malloc(1)))
		return ml_error_nomem(err);
	return 0;
}

static int check_end(ml_npy_reader *reader, ml_error *err)
{
	char extra;
	long got = ml_source_read(reader->source, &extra, 1, err);
	if (got < 0)
		return -1;
	if (got > 0) {
		ml_error_set(err, "%s: data after the %llu rows the .npy header declares",
			     reader->name, (unsigned long long)reader->n_rows);
		return -1;
	}
	return 0;
}

int ml_npy_read_rows(ml_npy_reader *reader, double *rows, size_t max_rows, size_t *n_read,
		     ml_error *err)
{
	size_t width = reader->columns.count, size = reader->item_size;
	uint64_t left = reader->n_rows - reader->rows_read;
	size_t want = left < max_rows ? (size_t)left : max_rows;
	*n_read = 0;
	if (want == 0)
		return max_rows > 0 && !reader->fortran ? check_end(reader, err) : 0;
	if (reader->fortran) {
		if (!reader->whole && (read_whole(reader, err) < 0 || check_end(reader, err) < 0))
			return -1;
		for (size_t r = 0; r < want; r++)
			for (size_t c = 0; c < width; c++)
				rows[r * width + c] = item(reader, reader->whole + size *
					((size_t)reader->n_rows * c + (size_t)reader->rows_read + r));
	} else {
		size_t bytes = want * width * size; /* fits: rows holds want x width doubles */
		if (bytes > reader->buffer_capacity) {
			unsigned char *grown = ml_realloc_array(reader->buffer, bytes, 1, err);
			if (!grown)
				return -1;
			reader->buffer = grown;
			reader->buffer_capacity = bytes;
		}
		long got = ml_source_read_full(reader->source, reader->buffer, bytes, err);
		if (got < 0)
			return -1;
		if ((size_t)got != bytes) {
			ml_error_set(err, "%s: truncated .npy data: the header declares %llu rows,"
				     " found %llu", reader->name, (unsigned long long)reader->n_rows,
				     (unsigned long long)(reader->rows_read +
							  (size_t)got / (width * size)));
			return -1;
		}
		for (size_t i = 0; i < want * width; i++)
			rows[i] = item(reader, reader->buffer + i * size);
	}
	reader->rows_read += want;
	*n_read = want;
	return 0;
}

/*
 * The writer: numpy's own header, byte for byte.  numpy pads the dict with
 * room for a row count of GROWTH_DIGITS digits (so that a header can be
 * rewritten in place as the array grows), then with spaces to a multiple
 * of 64 bytes, and ends it with a newline.
 */
#define GROWTH_DIGITS 21
#define ARRAY_ALIGN 64
#define VERSION_1_PREFIX 10 /* magic, version 1.0, a 16-bit header length */

struct ml_npy_writer {
	FILE *out;
	FILE *spool;          /* an unknown count to a pipe: the rows until finish, else NULL */
	char *name;
	size_t n_columns;
	uint64_t declared_rows, rows_written;
	long header_offset;   /* where the header was written, to rewrite it; -1 when not */
	unsigned char *swap_buffer; /* big-endian hosts: rows as little-endian bytes */
};

static int count_digits(uint64_t value)
{
	int digits = 1;
	while (value >= 10) {
		value /= 10;
		digits++;
	}
	return digits;
}

int ml_npy_header(ml_buf *header, uint64_t n_rows, size_t n_columns)
{
	ml_buf dict;
	ml_buf_init(&dict);
	ml_buf_printf(&dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%llu, %zu), }",
		      (unsigned long long)n_rows, n_columns);
	for (int i = count_digits(n_rows); i < GROWTH_DIGITS; i++)
		ml_buf_putc(&dict, ' ');
	size_t used = VERSION_1_PREFIX + dict.length + 1; /* the newline */
	size_t padding = (ARRAY_ALIGN - used % ARRAY_ALIGN) % ARRAY_ALIGN;
	size_t length = dict.length + padding + 1;
	unsigned char prefix[VERSION_1_PREFIX];
	memcpy(prefix, ML_NPY_MAGIC, ML_NPY_MAGIC_LENGTH);
	prefix[6] = 1;
	prefix[7] = 0;
	prefix[8] = (unsigned char)(length & 0xff);
	prefix[9] = (unsigned char)(length >> 8);
	ml_buf_append(header, prefix, sizeof prefix);
	ml_buf_append(header, dict.data, dict.length);
	for (size_t i = 0; i < padding; i++)
		ml_buf_putc(header, ' ');
	ml_buf_putc(header, '\n');
	bool failed = dict.failed;
	ml_buf_free(&dict);
	return failed || header->failed ? -1 : 0;
}

static int write_header(ml_npy_writer *writer, uint64_t n_rows, ml_error *err)
{
	ml_buf header;
	ml_buf_init(&header);
	int status = ml_npy_header(&header, n_rows, writer->n_columns);
	if (status < 0) {
		ml_error_nomem(err);
	} else if (fwrite(header.data, 1, header.length, writer->out) != header.length) {
		ml_error_set(err, "%s: write error: %s", writer->name, strerror(errno));
		status = -1;
	}
	ml_buf_free(&header);
	return status;
}

/* An unlinked temporary file in $TMPDIR (or /tmp), read and written. */
static FILE *open_spool(const char *name, ml_error *err)
{
	const char *directory = getenv("TMPDIR");
	ml_buf path;
	ml_buf_init(&path);
	ml_buf_printf(&path, "%s/mlpipe-npy.XXXXXX", directory && *directory ? directory : "/tmp");
	if (path.failed) {
		ml_error_nomem(err);
		return NULL;
	}
	int fd = mkstemp(path.data);
	FILE *spool = fd >= 0 ? fdopen(fd, "w+") : NULL;
	if (!spool)
		ml_error_set(err, "%s: cannot make a temporary file (%s) to hold the rows until"
			     " their count is known: %s", name, path.data, strerror(errno));
	if (fd >= 0)
		unlink(path.data);
	if (fd >= 0 && !spool)
		close(fd);
	ml_buf_free(&path);
	return spool;
}

/* A regular file, not opened to append: its header can be rewritten at the end. */
static bool can_rewrite(FILE *out)
{
	struct stat info;
	int flags = fcntl(fileno(out), F_GETFL);
	return fstat(fileno(out), &info) == 0 && S_ISREG(info.st_mode) && flags != -1 &&
	       !(flags & O_APPEND);
}

ml_npy_writer *ml_npy_writer_create(FILE *out, const char *name, size_t n_columns,
				    uint64_t n_rows, ml_error *err)
{
	if (n_columns == 0) {
		/* numpy would read it, but no reader here does: never write it. */
		ml_error_set(err, "%s: no columns to write", name);
		return NULL;
	}
	ml_npy_writer *writer = calloc(1, sizeof *writer);
	if (!writer) {
		ml_error_nomem(err);
		return NULL;
	}
	writer->out = out;
	writer->n_columns = n_columns;
	writer->declared_rows = n_rows;
	writer->header_offset = -1;
	if (!(writer->name = ml_strdup(name, err)))
		goto fail;
	if (n_rows == UINT64_MAX && !can_rewrite(out)) {
		if (!(writer->spool = open_spool(name, err)))
			goto fail;
		return writer;
	}
	if (n_rows == UINT64_MAX && (writer->header_offset = ftell(out)) < 0) {
		ml_error_set(err, "%s: %s", name, strerror(errno));
		goto fail;
	}
	if (write_header(writer, n_rows == UINT64_MAX ? 0 : n_rows, err) < 0)
		goto fail;
	return writer;
fail:
	ml_npy_writer_free(writer);
	return NULL;
}

int ml_npy_write_rows(ml_npy_writer *writer, const double *rows, size_t n_rows, ml_error *err)
{
	size_t count = n_rows * writer->n_columns;
	const void *data = rows;
	if (count == 0)
		return 0;
	if (HOST_IS_BIG_ENDIAN) {
		unsigned char *bytes = ml_realloc_array(writer->swap_buffer, count, 8, err);
		if (!bytes)
			return -1;
		for (size_t i = 0; i < count; i++) {
			uint64_t bits;
			memcpy(&bits, &rows[i], 8);
			for (int b = 0; b < 8; b++)
				bytes[i * 8 + b] = (unsigned char)(bits >> (8 * b));
		}
		writer->swap_buffer = bytes;
		data = bytes;
	}
	FILE *to = writer->spool ? writer->spool : writer->out;
	if (fwrite(data, 8, count, to) != count) {
		ml_error_set(err, "%s: write error: %s", writer->spool ? "temporary file"
			     : writer->name, strerror(errno));
		return -1;
	}
	writer->rows_written += n_rows;
	return 0;
}

/* The header, now that the count is known, then the rows held in the spool file. */
static int copy_spool(ml_npy_writer *writer, ml_error *err)
{
	if (fflush(writer->spool) != 0 || fseek(writer->spool, 0, SEEK_SET) != 0) {
		ml_error_set(err, "%s: temporary file: %s", writer->name, strerror(errno));
		return -1;
	}
	if (write_header(writer, writer->rows_written, err) < 0)
		return -1;
	char block[1 << 15];
	size_t got;
	while ((got = fread(block, 1, sizeof block, writer->spool)) > 0)
		if (fwrite(block, 1, got, writer->out) != got) {
			ml_error_set(err, "%s: write error: %s", writer->name, strerror(errno));
			return -1;
		}
	if (ferror(writer->spool)) {
		ml_error_set(err, "%s: temporary file: read error", writer->name);
		return -1;
	}
	return 0;
}

int ml_npy_writer_finish(ml_npy_writer *writer, ml_error *err)
{
	if (writer->declared_rows != UINT64_MAX) {
		if (writer->declared_rows == writer->rows_written)
			return 0;
		ml_error_set(err, "%s: %llu rows written, %llu declared", writer->name,
			     (unsigned long long)writer->rows_written,
			     (unsigned long long)writer->declared_rows);
		return -1;
	}
	if (writer->spool)
		return copy_spool(writer, err);
	/* The count changes the digits, never the header's length (GROWTH_DIGITS). */
	long end = ftell(writer->out);
	if (end < 0 || fflush(writer->out) != 0 ||
	    fseek(writer->out, writer->header_offset, SEEK_SET) != 0 ||
	    write_header(writer, writer->rows_written, err) < 0 ||
	    fseek(writer->out, end, SEEK_SET) != 0) {
		ml_error_set(err, "%s: cannot record the row count: %s", writer->name,
			     strerror(errno));
		return -1;
	}
	return 0;
}

void ml_npy_writer_free(ml_npy_writer *writer)
{
	if (!writer)
		return;
	if (writer->spool)
		fclose(writer->spool);
	free(writer->swap_buffer);
	free(writer->name);
	free(writer);
}
