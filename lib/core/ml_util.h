/*
 * ml_util: the few low-level helpers every module needs: checked sizes and
 * allocation, a growable byte buffer, strict integer parsing, hashing and
 * UTF-8 validation.  Nothing here knows about data or models.
 */
#ifndef ML_UTIL_H
#define ML_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"

/* The release, as --version and the files mlpipe writes say it. */
#define ML_VERSION "0.1.0"

/* Limits that bound every allocation driven by input data. */
#define ML_MAX_COLUMNS ((size_t)1 << 20)
#define ML_MAX_NAME_LENGTH ((size_t)4096)
#define ML_MAX_FIELD_LENGTH ((size_t)1 << 20)

/*
 * Rows per block for rows of width values: at most max_rows, at least 1,
 * and no more than fit in ML_BLOCK_BYTES, so that a wide input (a million
 * columns) makes small blocks instead of asking for gigabytes.
 */
#define ML_BLOCK_BYTES ((size_t)8 << 20)
size_t ml_block_rows(size_t width, size_t max_rows);

/* *product = a * b; false when it overflows. */
bool ml_size_mul(size_t a, size_t b, size_t *product);
/* *sum = a + b; false when it overflows. */
bool ml_size_add(size_t a, size_t b, size_t *sum);

/* malloc/realloc of count * size bytes, overflow-checked; NULL + err on failure. */
void *ml_alloc_array(size_t count, size_t size, ml_error *err);
void *ml_calloc_array(size_t count, size_t size, ml_error *err);
void *ml_realloc_array(void *old, size_t count, size_t size, ml_error *err);
/*
 * Asks for huge pages under a large allocation about to be filled: a page
 * fault per 2 MiB instead of per 4 KiB, where faults are dear (some 13 us
 * on a virtual machine, 3 ns a byte).  Advice only: nothing on failure.
 */
void ml_advise_huge_pages(void *data, size_t size);
char *ml_strdup(const char *text, ml_error *err);
char *ml_strndup(const char *text, size_t length, ml_error *err);

/* A growable byte buffer; always NUL-terminated after its length. */
typedef struct ml_buf {
	char *data;
	size_t length;
	size_t capacity;
	bool failed; /* an allocation failed: the contents are incomplete */
} ml_buf;

void ml_buf_init(ml_buf *buf);
void ml_buf_free(ml_buf *buf);
void ml_buf_reset(ml_buf *buf);
/* Makes room for `extra` more bytes; false (and buf->failed) on failure. */
bool ml_buf_reserve(ml_buf *buf, size_t extra);
void ml_buf_append(ml_buf *buf, const void *bytes, size_t length);
void ml_buf_puts(ml_buf *buf, const char *text);
void ml_buf_putc(ml_buf *buf, char c);
void ml_buf_printf(ml_buf *buf, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
void ml_buf_vprintf(ml_buf *buf, const char *format, va_list args)
	__attribute__((format(printf, 2, 0)));

/*
 * Parses all of text[0..length) as a decimal integer within [min, max].
 * No blanks, no "+", no trailing junk.
 */
bool ml_parse_int64(const char *text, size_t length, int64_t min, int64_t max,
		    int64_t *value);

/* 64-bit FNV-1a, to identify stages and training data. */
#define ML_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t ml_hash_bytes(uint64_t hash, const void *bytes, size_t length);

/* True when text[0..length) is valid UTF-8 without NUL bytes. */
bool ml_utf8_valid(const char *text, size_t length);
/*
 * The bytes of the character text[0] starts, when it is valid UTF-8 and
 * ends within length (an ASCII byte, NUL included, is 1); 0 when it is not.
 * *code gets the code point.
 */
size_t ml_utf8_char(const char *text, size_t length, uint32_t *code);

/* read(2) until length bytes or end of input; the count read, -1 on error. */
long ml_read_full(int fd, void *buffer, size_t length);
/* One read(2) (retried on EINTR): what is available now, 0 at the end. */
long ml_read_some(int fd, void *buffer, size_t length);

#endif
