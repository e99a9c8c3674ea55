#define _DEFAULT_SOURCE /* madvise */
#include "core/ml_util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void ml_advise_huge_pages(void *data, size_t size)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t from = ((uintptr_t)data + huge - 1) & ~(huge - 1);
	uintptr_t to = ((uintptr_t)data + size) & ~(huge - 1);
	if (from < to)
		madvise((void *)from, to - from, MADV_HUGEPAGE);
#else
	(void)data;
	(void)size;
#endif
}

bool ml_size_mul(size_t a, size_t b, size_t *product)
{
	return !__builtin_mul_overflow(a, b, product);
}

bool ml_size_add(size_t a, size_t b, size_t *sum)
{
	return !__builtin_add_overflow(a, b, sum);
}

void *ml_realloc_array(void *old, size_t count, size_t size, ml_error *err)
{
	size_t bytes;
	if (!ml_size_mul(count, size, &bytes)) {
		ml_error_set(err, "size overflow (%zu x %zu bytes)", count, size);
		return NULL;
	}
	void *memory = realloc(old, bytes ? bytes : 1);
	if (!memory)
		ml_error_set(err, "out of memory (asked for %zu bytes)", bytes);
	return memory;
}

void *ml_alloc_array(size_t count, size_t size, ml_error *err)
{
	return ml_realloc_array(NULL, count, size, err);
}

void *ml_calloc_array(size_t count, size_t size, ml_error *err)
{
	size_t bytes;
	if (!ml_size_mul(count, size, &bytes)) {
		ml_error_set(err, "size overflow (%zu x %zu bytes)", count, size);
		return NULL;
	}
	void *memory = calloc(bytes ? count : 1, bytes ? size : 1);
	if (!memory)
		ml_error_set(err, "out of memory (asked for %zu bytes)", bytes);
	return memory;
}

char *ml_strndup(const char *text, size_t length, ml_error *err)
{
	char *copy = ml_alloc_array(length + 1, 1, err);
	if (copy) {
		memcpy(copy, text, length);
		copy[length] = '\0';
	}
	return copy;
}

char *ml_strdup(const char *text, ml_error *err)
{
	return ml_strndup(text, strlen(text), err);
}

void ml_buf_init(ml_buf *buf)
{
	memset(buf, 0, sizeof *buf);
}

void ml_buf_free(ml_buf *buf)
{
	free(buf->data);
	ml_buf_init(buf);
}

void ml_buf_reset(ml_buf *buf)
{
	buf->length = 0;
	if (buf->data)
		buf->data[0] = '\0';
}

bool ml_buf_reserve(ml_buf *buf, size_t extra)
{
	size_t needed;
	if (buf->failed || !ml_size_add(buf->length, extra, &needed) ||
	    !ml_size_add(needed, 1, &needed)) {
		buf->failed = true;
		return false;
	}
	if (needed <= buf->capacity)
		return true;
	size_t capacity = buf->capacity ? buf->capacity : 256;
	while (capacity < needed)
		if (!ml_size_mul(capacity, 2, &capacity)) {
			capacity = needed;
			break;
		}
	char *data = realloc(buf->data, capacity);
	if (!data) {
		buf->failed = true;
		return false;
	}
	buf->data = data;
	buf->capacity = capacity;
	return true;
}

void ml_buf_append(ml_buf *buf, const void *bytes, size_t length)
{
	if (!ml_buf_reserve(buf, length))
		return;
	memcpy(buf->data + buf->length, bytes, length);
	buf->length += length;
	buf->data[buf->length] = '\0';
}

void ml_buf_puts(ml_buf *buf, const char *text)
{
	ml_buf_append(buf, text, strlen(text));
}

void ml_buf_putc(ml_buf *buf, char c)
{
	ml_buf_append(buf, &c, 1);
}

void ml_buf_vprintf(ml_buf *buf, const char *format, va_list args)
{
	va_list again;
	va_copy(again, args);
	int length = vsnprintf(NULL, 0, format, args);
	if (length < 0 || !ml_buf_reserve(buf, (size_t)length)) {
		buf->failed = true;
		va_end(again);
		return;
	}
	vsnprintf(buf->data + buf->length, (size_t)length + 1, format, again);
	va_end(again);
	buf->length += (size_t)length;
}

void ml_buf_printf(ml_buf *buf, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	ml_buf_vprintf(buf, format, args);
	va_end(args);
}

bool ml_parse_int64(const char *text, size_t length, int64_t min, int64_t max,
		    int64_t *value)
{
	size_t i = 0;
	bool negative = false;
	if (length > 0 && text[0] == '-') {
		negative = true;
		i = 1;
	}
	if (i == length)
		return false;
	uint64_t magnitude = 0;
	for (; i < length; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		if (magnitude > (UINT64_MAX - 9) / 10)
			return false;
		magnitude = magnitude * 10 + (uint64_t)(text[i] - '0');
	}
	if (!negative && magnitude > (uint64_t)INT64_MAX)
		return false;
	if (negative && magnitude > (uint64_t)INT64_MAX + 1)
		return false;
	int64_t result = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
	if (result < min || result > max)
		return false;
	*value = result;
	return true;
}

uint64_t ml_hash_bytes(uint64_t hash, const void *bytes, size_t length)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < length; i++) {
		hash ^= p[i];
		hash *= UINT64_C(0x100000001b3);
	}
	return hash;
}

size_t ml_utf8_char(const char *text, size_t length, uint32_t *code)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char c = s[0];
	size_t extra;
	if (c < 0x80) {
		*code = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		extra = 1;
		*code = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		extra = 2;
		*code = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		extra = 3;
		*code = c & 0x07;
	} else {
		return 0;
	}
	if (length <= extra)
		return 0;
	for (size_t k = 1; k <= extra; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		*code = (*code << 6) | (s[k] & 0x3f);
	}
	if ((extra == 2 && *code < 0x800) || (extra == 3 && *code < 0x10000) ||
	    *code > 0x10ffff || (*code >= 0xd800 && *code <= 0xdfff))
		return 0;
	return extra + 1;
}

bool ml_utf8_valid(const char *text, size_t length)
{
	size_t i = 0;
	while (i < length) {
		uint32_t code;
		size_t bytes = ml_utf8_char(text + i, length - i, &code);
		if (bytes == 0 || code == 0)
			return false;
		i += bytes;
	}
	return true;
}

long ml_read_some(int fd, void *buffer, size_t length)
{
	for (;;) {
		ssize_t got = read(fd, buffer, length);
		if (got >= 0 || errno != EINTR)
			return (long)got;
	}
}

long ml_read_full(int fd, void *buffer, size_t length)
{
	size_t total = 0;
	while (total < length) {
		long got = ml_read_some(fd, (char *)buffer + total, length - total);
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		total += (size_t)got;
	}
	return (long)total;
}

size_t ml_block_rows(size_t width, size_t max_rows)
{
	size_t fit = ML_BLOCK_BYTES / sizeof(double) / (width ? width : 1);
	size_t rows = fit < max_rows ? fit : max_rows;
	return rows ? rows : 1;
}
