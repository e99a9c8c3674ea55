/*
 * ml_util: checked sizes and allocation, the byte buffer, strict integer
 * parsing, hashing, UTF-8 validation and full reads; ml_error's messages.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/ml_util.h"

START_TEST(test_size_mul)
{
	size_t product = 7;
	ck_assert(ml_size_mul(0, SIZE_MAX, &product));
	ck_assert_uint_eq(product, 0);
	ck_assert(ml_size_mul(3, 5, &product));
	ck_assert_uint_eq(product, 15);
	ck_assert(ml_size_mul(SIZE_MAX, 1, &product));
	ck_assert_uint_eq(product, SIZE_MAX);
	ck_assert(ml_size_mul((size_t)1 << 31, (size_t)1 << 32, &product));
	ck_assert(!ml_size_mul((size_t)1 << 32, (size_t)1 << 32, &product));
	ck_assert(!ml_size_mul(SIZE_MAX / 2 + 1, 2, &product));
	ck_assert(!ml_size_mul(SIZE_MAX, SIZE_MAX, &product));
	size_t sum;
	ck_assert(ml_size_add(SIZE_MAX - 1, 1, &sum));
	ck_assert_uint_eq(sum, SIZE_MAX);
	ck_assert(!ml_size_add(SIZE_MAX, 1, &sum));
}
END_TEST

START_TEST(test_alloc_overflow)
{
	ml_error err;
	err.message[0] = '\0';
	ck_assert_ptr_null(ml_alloc_array(SIZE_MAX / 4, 8, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "size overflow"));
	err.message[0] = '\0';
	ck_assert_ptr_null(ml_calloc_array((size_t)1 << 40, (size_t)1 << 40, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "size overflow"));
	/* Zero elements still give a pointer that free accepts. */
	void *empty = ml_alloc_array(0, 8, &err);
	ck_assert_ptr_nonnull(empty);
	free(empty);
	empty = ml_calloc_array(0, 0, &err);
	ck_assert_ptr_nonnull(empty);
	free(empty);
	char *copy = ml_strndup("abcdef", 3, &err);
	ck_assert_str_eq(copy, "abc");
	free(copy);
}
END_TEST

static bool parse(const char *text, int64_t min, int64_t max, int64_t *value)
{
	return ml_parse_int64(text, strlen(text), min, max, value);
}

START_TEST(test_parse_int64)
{
	int64_t value = 99;
	ck_assert(parse("0", 0, 10, &value) && value == 0);
	ck_assert(parse("-0", -1, 10, &value) && value == 0);
	ck_assert(parse("10", 0, 10, &value) && value == 10);
	ck_assert(parse("007", 0, 10, &value) && value == 7);
	ck_assert(parse("-5", -5, 5, &value) && value == -5);
	ck_assert(parse("9223372036854775807", INT64_MIN, INT64_MAX, &value) &&
		  value == INT64_MAX);
	ck_assert(parse("-9223372036854775808", INT64_MIN, INT64_MAX, &value) &&
		  value == INT64_MIN);
	value = 99;
	static const char *const bad[] = {
		"", "-", "+1", " 1", "1 ", "1x", "0x10", "1.0", "1e3", "--1", "1-",
		"9223372036854775808", "-9223372036854775809", "18446744073709551616",
		"99999999999999999999999",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!parse(bad[i], INT64_MIN, INT64_MAX, &value), "accepted '%s'", bad[i]);
	ck_assert(!parse("11", 0, 10, &value));
	ck_assert(!parse("-1", 0, 10, &value));
	ck_assert_int_eq(value, 99); /* left alone on failure */
	/* The length bounds the text: what follows is not read. */
	ck_assert(ml_parse_int64("12345", 2, 0, 100, &value) && value == 12);
	ck_assert(!ml_parse_int64("12", 0, 0, 100, &value));
}
END_TEST

static bool utf8(const char *text)
{
	return ml_utf8_valid(text, strlen(text));
}

START_TEST(test_utf8_valid)
{
	ck_assert(utf8(""));
	ck_assert(utf8("plain ASCII, with\ttabs"));
	ck_assert(utf8("caf\xc3\xa9"));                  /* é */
	ck_assert(utf8("\xe2\x82\xac"));                  /* € */
	ck_assert(utf8("\xef\xbb\xbf"));                  /* BOM, U+FEFF */
	ck_assert(utf8("\xf0\x9f\x98\x80"));              /* U+1F600 */
	ck_assert(utf8("\xf4\x8f\xbf\xbf"));              /* U+10FFFF */
	ck_assert(utf8("\xed\x9f\xbf"));                  /* U+D7FF */
	ck_assert(!utf8("\x80"));                         /* lone continuation */
	ck_assert(!utf8("\xbf"));
	ck_assert(!utf8("\xc3"));                         /* truncated */
	ck_assert(!utf8("a\xe2\x82"));
	ck_assert(!utf8("\xf0\x9f\x98"));
	ck_assert(!utf8("\xc0\xaf"));                     /* overlong '/' */
	ck_assert(!utf8("\xc1\xbf"));
	ck_assert(!utf8("\xe0\x80\xaf"));                 /* overlong, 3 bytes */
	ck_assert(!utf8("\xf0\x80\x80\xaf"));             /* overlong, 4 bytes */
	ck_assert(!utf8("\xed\xa0\x80"));                 /* surrogate U+D800 */
	ck_assert(!utf8("\xed\xbf\xbf"));                 /* surrogate U+DFFF */
	ck_assert(!utf8("\xf4\x90\x80\x80"));             /* U+110000 */
	ck_assert(!utf8("\xf5\x80\x80\x80"));
	ck_assert(!utf8("\xff"));
	ck_assert(!utf8("\xfe"));
	ck_assert(!utf8("\xc3\x28"));                     /* bad continuation */
	ck_assert(!ml_utf8_valid("a\0b", 3));             /* NUL */
	/* Only length bytes are looked at. */
	ck_assert(ml_utf8_valid("ab\xff", 2));
	ck_assert(!ml_utf8_valid("\xc3\xa9", 1));
}
END_TEST

START_TEST(test_buf)
{
	ml_buf buf;
	ml_buf_init(&buf);
	ml_buf_reset(&buf); /* on an empty buffer: no crash */
	ck_assert_uint_eq(buf.length, 0);
	for (int i = 0; i < 1000; i++)
		ml_buf_printf(&buf, "%d,", i);
	ml_buf_putc(&buf, 'x');
	ml_buf_puts(&buf, "yz");
	ml_buf_append(&buf, "\0w", 2);
	ck_assert(!buf.failed);
	ck_assert_uint_eq(buf.length, strlen(buf.data) + 2);
	ck_assert_int_eq(buf.data[buf.length], '\0');
	ck_assert_int_eq(strncmp(buf.data, "0,1,2,", 6), 0);
	ck_assert_str_eq(buf.data + strlen(buf.data) - 7, "999,xyz");
	ml_buf_reset(&buf);
	ck_assert_uint_eq(buf.length, 0);
	ck_assert_str_eq(buf.data, "");
	/* An impossible reservation fails and marks the buffer failed. */
	ck_assert(!ml_buf_reserve(&buf, SIZE_MAX));
	ck_assert(buf.failed);
	ml_buf_puts(&buf, "more");
	ck_assert_uint_eq(buf.length, 0);
	ml_buf_free(&buf);
	ck_assert_ptr_null(buf.data);
	ml_buf_free(&buf); /* twice is fine */
}
END_TEST

START_TEST(test_hash)
{
	/* FNV-1a 64 reference values. */
	ck_assert_uint_eq(ml_hash_bytes(ML_HASH_INIT, "", 0), UINT64_C(0xcbf29ce484222325));
	ck_assert_uint_eq(ml_hash_bytes(ML_HASH_INIT, "a", 1), UINT64_C(0xaf63dc4c8601ec8c));
	ck_assert_uint_eq(ml_hash_bytes(ML_HASH_INIT, "foobar", 6),
			  UINT64_C(0x85944171f73967e8));
	/* Chaining equals hashing the concatenation. */
	ck_assert_uint_eq(ml_hash_bytes(ml_hash_bytes(ML_HASH_INIT, "foo", 3), "bar", 3),
			  UINT64_C(0x85944171f73967e8));
}
END_TEST

START_TEST(test_read_full)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], "abc", 3), 3);
	ck_assert_int_eq(write(fds[1], "defg", 4), 4);
	close(fds[1]);
	char buffer[16];
	ck_assert_int_eq(ml_read_full(fds[0], buffer, 5), 5);
	ck_assert_int_eq(memcmp(buffer, "abcde", 5), 0);
	ck_assert_int_eq(ml_read_full(fds[0], buffer, 16), 2); /* short at the end */
	ck_assert_int_eq(ml_read_full(fds[0], buffer, 16), 0);
	ck_assert_int_eq(ml_read_some(fds[0], buffer, 16), 0);
	close(fds[0]);
	ck_assert_int_eq(ml_read_full(fds[0], buffer, 1), -1); /* closed */
}
END_TEST

START_TEST(test_error_messages)
{
	ml_error err;
	ml_error_set(&err, "%s:%d: %s", "train.csv", 17, "row has 4 fields, header has 5");
	ck_assert_str_eq(err.message, "train.csv:17: row has 4 fields, header has 5");
	ml_error_prefix(&err, "ml-%s", "load");
	ck_assert_str_eq(err.message, "ml-load: train.csv:17: row has 4 fields, header has 5");
	ck_assert_int_eq(ml_error_nomem(&err), -1);
	ck_assert_str_eq(err.message, "out of memory");
	ml_error_set(NULL, "ignored %d", 1);
	ml_error_prefix(NULL, "ignored");
	/* Overlong messages are cut, never overflow, and keep their start. */
	char long_text[3 * ML_ERROR_SIZE];
	memset(long_text, 'x', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	ml_error_set(&err, "%s", long_text);
	ck_assert_uint_eq(strlen(err.message), ML_ERROR_SIZE - 1);
	ml_error_prefix(&err, "%s", long_text);
	ck_assert_uint_eq(strlen(err.message), ML_ERROR_SIZE - 1);
	ml_error_set(&err, "tail");
	ml_error_prefix(&err, "%s", long_text);
	ck_assert_uint_eq(strlen(err.message), ML_ERROR_SIZE - 1);
	ck_assert_int_eq(err.message[0], 'x');
}
END_TEST

static Suite *util_suite(void)
{
	Suite *suite = suite_create("ml_util");
	TCase *sizes = tcase_create("sizes");
	tcase_add_test(sizes, test_size_mul);
	tcase_add_test(sizes, test_alloc_overflow);
	tcase_add_test(sizes, test_buf);
	suite_add_tcase(suite, sizes);
	TCase *text = tcase_create("text");
	tcase_add_test(text, test_parse_int64);
	tcase_add_test(text, test_utf8_valid);
	tcase_add_test(text, test_hash);
	tcase_add_test(text, test_error_messages);
	suite_add_tcase(suite, text);
	TCase *io = tcase_create("io");
	tcase_add_test(io, test_read_full);
	suite_add_tcase(suite, io);
	return suite;
}

ML_CHECK_MAIN(util_suite)
