#include "io/ml_source.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "core/ml_util.h"

/* Compressed bytes read from the descriptor at a time. */
#define INPUT_SIZE ((size_t)1 << 17)

typedef enum { PLAIN, GZIP, ZSTD } compression;

static const unsigned char gzip_magic[2] = { 0x1f, 0x8b };
static const unsigned char zstd_magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };

struct ml_source {
	int fd;
	char *name;
	compression kind;
	/* Bytes made available but not consumed yet (peeked, or the sniffed start). */
	unsigned char *pending;
	size_t pending_start, pending_end, pending_capacity;
	/* Compressed input read from fd, not decompressed yet. */
	unsigned char *input;
	size_t input_start, input_end;
	bool input_ended;
	bool frame_open;      /* inside a gzip member or zstd frame */
	z_stream gzip;
	bool gzip_ready;
	ZSTD_DStream *zstd;
};

static bool could_be(const unsigned char *bytes, size_t length, const unsigned char *magic,
		     size_t magic_length)
{
	size_t n = length < magic_length ? length : magic_length;
	return memcmp(bytes, magic, n) == 0;
}

static int read_error(const ml_source *source, ml_error *err)
{
	ml_error_set(err, "%s: read error: %s", source->name, strerror(errno));
	return -1;
}

/* Reads the first bytes until they match a magic or cannot. */
static int sniff(ml_source *source, unsigned char *start, size_t *have, ml_error *err)
{
	*have = 0;
	while (*have < sizeof zstd_magic &&
	       (could_be(start, *have, gzip_magic, sizeof gzip_magic) ||
		could_be(start, *have, zstd_magic, sizeof zstd_magic))) {
		if (*have >= sizeof gzip_magic && could_be(start, *have, gzip_magic,
							    sizeof gzip_magic))
			break;
		long got = ml_read_some(source->fd, start + *have, sizeof zstd_magic - *have);
		if (got < 0)
			return read_error(source, err);
		if (got == 0)
			break;
		*have += (size_t)got;
	}
	return 0;
}

static int start_decoder(ml_source *source, ml_error *err)
{
	if (source->kind == GZIP) {
		/* 15 + 32: a zlib window of 32 KiB, gzip headers detected. */
		if (inflateInit2(&source->gzip, 15 + 32) != Z_OK)
			return ml_error_nomem(err);
		source->gzip_ready = true;
	} else if (!(source->zstd = ZSTD_createDStream()) ||
		   ZSTD_isError(ZSTD_initDStream(source->zstd))) {
		return ml_error_nomem(err);
	}
	return (source->input = ml_alloc_array(INPUT_SIZE, 1, err)) ? 0 : -1;
}

ml_source *ml_source_create(int fd, const char *name, ml_error *err)
{
	ml_source *source = calloc(1, sizeof *source);
	if (!source) {
		ml_error_nomem(err);
		return NULL;
	}
	source->fd = fd;
	unsigned char start[sizeof zstd_magic];
	size_t have;
	if (!(source->name = ml_strdup(name, err)) || sniff(source, start, &have, err) < 0)
		goto fail;
	if (have >= sizeof gzip_magic && could_be(start, have, gzip_magic, sizeof gzip_magic))
		source->kind = GZIP;
	else if (have == sizeof zstd_magic && could_be(start, have, zstd_magic, sizeof zstd_magic))
		source->kind = ZSTD;
	if (source->kind != PLAIN) {
		if (start_decoder(source, err) < 0)
			goto fail;
		memcpy(source->input, start, have);
		source->input_end = have;
		return source;
	}
	if (!(source->pending = ml_alloc_array(sizeof start, 1, err)))
		goto fail;
	memcpy(source->pending, start, have);
	source->pending_end = have;
	source->pending_capacity = sizeof start;
	return source;
fail:
	ml_source_free(source);
	return NULL;
}

void ml_source_free(ml_source *source)
{
	if (!source)
		return;
	if (source->gzip_ready)
		inflateEnd(&source->gzip);
	ZSTD_freeDStream(source->zstd);
	free(source->pending);
	free(source->input);
	free(source->name);
	free(source);
}

const char *ml_source_compression(const ml_source *source)
{
	return source->kind == GZIP ? "gzip" : source->kind == ZSTD ? "zstd" : NULL;
}

/* Refills the compressed input; false at its end. */
static int fill_input(ml_source *source, ml_error *err)
{
	if (source->input_start < source->input_end || source->input_ended)
		return 0;
	long got = ml_read_some(source->fd, source->input, INPUT_SIZE);
	if (got < 0)
		return read_error(source, err);
	source->input_start = 0;
	source->input_end = (size_t)got;
	source->input_ended = got == 0;
	return 0;
}

static int corrupt(const ml_source *source, const char *what, ml_error *err)
{
	ml_error_set(err, "%s: %s data: %s", source->name, ml_source_compression(source), what);
	return -1;
}

/* One inflate step into buffer; *produced bytes came out. */
static int inflate_step(ml_source *source, unsigned char *buffer, size_t length,
			size_t *produced, ml_error *err)
{
	z_stream *z = &source->gzip;
	z->next_in = source->input + source->input_start;
	z->avail_in = (uInt)(source->input_end - source->input_start);
	z->next_out = buffer;
	z->avail_out = (uInt)(length < UINT32_MAX ? length : UINT32_MAX);
	int status = inflate(z, Z_NO_FLUSH);
	*produced = length - z->avail_out;
	source->input_start = source->input_end - z->avail_in;
	if (status == Z_STREAM_END) {
		/* Concatenated members (cat a.gz b.gz) are one stream, as gzip reads them. */
		source->frame_open = false;
		return inflateReset(z) == Z_OK ? 0 : corrupt(source, "cannot restart", err);
	}
	source->frame_open = true;
	if (status == Z_OK || status == Z_BUF_ERROR)
		return 0;
	return corrupt(source, z->msg ? z->msg : "corrupt", err);
}

static int zstd_step(ml_source *source, unsigned char *buffer, size_t length,
		     size_t *produced, ml_error *err)
{
	ZSTD_inBuffer in = { source->input, source->input_end, source->input_start };
	ZSTD_outBuffer out = { buffer, length, 0 };
	size_t status = ZSTD_decompressStream(source->zstd, &out, &in);
	if (ZSTD_isError(status))
		return corrupt(source, ZSTD_getErrorName(status), err);
	source->input_start = in.pos;
	*produced = out.pos;
	source->frame_open = status != 0;
	return 0;
}

/* Decompresses into buffer: at least one byte unless at the end. */
static long decompress(ml_source *source, unsigned char *buffer, size_t length, ml_error *err)
{
	for (;;) {
		if (fill_input(source, err) < 0)
			return -1;
		if (source->input_start == source->input_end && source->input_ended) {
			if (source->frame_open)
				return corrupt(source, "the input ends inside a compressed stream"
					       " (a truncated file?)", err);
			return 0;
		}
		size_t produced;
		int status = source->kind == GZIP
				     ? inflate_step(source, buffer, length, &produced, err)
				     : zstd_step(source, buffer, length, &produced, err);
		if (status < 0)
			return -1;
		if (produced > 0)
			return (long)produced;
	}
}

/* The bytes of the input, past what is pending. */
static long read_more(ml_source *source, void *buffer, size_t length, ml_error *err)
{
	if (source->kind != PLAIN)
		return decompress(source, buffer, length, err);
	long got = ml_read_some(source->fd, buffer, length);
	return got < 0 ? read_error(source, err) : got;
}

long ml_source_peek(ml_source *source, size_t length, const unsigned char **bytes,
		    ml_error *err)
{
	size_t have = source->pending_end - source->pending_start;
	if (have < length) {
		if (source->pending_start > 0) {
			memmove(source->pending, source->pending + source->pending_start, have);
			source->pending_start = 0;
			source->pending_end = have;
		}
		if (length > source->pending_capacity) {
			unsigned char *grown = ml_realloc_array(source->pending, length, 1, err);
			if (!grown)
				return -1;
			source->pending = grown;
			source->pending_capacity = length;
		}
		while (source->pending_end < length) {
			long got = read_more(source, source->pending + source->pending_end,
					     length - source->pending_end, err);
			if (got < 0)
				return -1;
			if (got == 0)
				break;
			source->pending_end += (size_t)got;
		}
	}
	/* Nothing held yet (a peek of 0 bytes first): no buffer to point into. */
	*bytes = source->pending ? source->pending + source->pending_start : NULL;
	have = source->pending_end - source->pending_start;
	return (long)(have < length ? have : length);
}

/* True when reading fd now would not wait. */
static bool fd_ready(int fd)
{
	struct pollfd ready = { .fd = fd, .events = POLLIN };
	return poll(&ready, 1, 0) > 0;
}

long ml_source_read(ml_source *source, void *buffer, size_t length, ml_error *err)
{
	size_t have = source->pending_end - source->pending_start;
	if (have == 0 || length == 0)
		return length ? read_more(source, buffer, length, err) : 0;
	size_t n = have < length ? have : length;
	memcpy(buffer, source->pending + source->pending_start, n);
	source->pending_start += n;
	/*
	 * The sniffed bytes alone would make a short read of what a client sent
	 * in one piece: take what else is there without waiting for more.
	 */
	if (n < length && source->kind == PLAIN && fd_ready(source->fd)) {
		long more = read_more(source, (unsigned char *)buffer + n, length - n, err);
		if (more < 0)
			return -1;
		n += (size_t)more;
	}
	return (long)n;
}

long ml_source_read_full(ml_source *source, void *buffer, size_t length, ml_error *err)
{
	size_t total = 0;
	while (total < length) {
		long got = ml_source_read(source, (unsigned char *)buffer + total, length - total,
					  err);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		total += (size_t)got;
	}
	return (long)total;
}

int ml_source_poll_fd(const ml_source *source)
{
	return source->kind == PLAIN ? source->fd : -1;
}

bool ml_source_has_buffered(const ml_source *source)
{
	return source->pending_end > source->pending_start ||
	       (source->kind != PLAIN && source->input_start < source->input_end);
}

int ml_source_regular_file(const ml_source *source, off_t *offset, off_t *size)
{
	struct stat status;
	if (source->kind != PLAIN || fstat(source->fd, &status) != 0 || !S_ISREG(status.st_mode))
		return -1;
	off_t position = lseek(source->fd, 0, SEEK_CUR);
	off_t pending = (off_t)(source->pending_end - source->pending_start);
	/* The pending bytes were read from the descriptor and not handed out yet. */
	if (position < pending || position > status.st_size)
		return -1;
	*offset = position - pending;
	*size = status.st_size;
	return source->fd;
}
