/*
 * ml_escape: control characters and bytes that are not UTF-8 come out as
 * \xHH, everything else (valid UTF-8 included) as it was; lines and tabs
 * are kept only when asked.
 */
#include <string.h>

#include "check_main.h"
#include "core/ml_escape.h"

/* text[0..length) escaped with flags must read want. */
static void expect_escaped(const char *text, size_t length, unsigned flags, const char *want)
{
	ml_buf out;
	ml_buf_init(&out);
	ml_escape_append(&out, text, length, flags);
	ml_buf_append(&out, "", 0);
	ck_assert(!out.failed);
	ck_assert_str_eq(out.data, want);
	ck_assert(ml_escape_needed(text, length, flags) == (strcmp(text, want) != 0));
	ml_buf_free(&out);
}

START_TEST(terminal_sequences_are_escaped)
{
	expect_escaped("a\033[2Jb", 6, 0, "a\\x1b[2Jb");
	expect_escaped("\033]0;title\007", 10, 0, "\\x1b]0;title\\x07");
	expect_escaped("x\x7fy", 3, 0, "x\\x7fy");
	/* U+009B, the one-character CSI, as UTF-8. */
	expect_escaped("a\xc2\x9b" "2J", 5, 0, "a\\xc2\\x9b2J");
	expect_escaped("nul\0here", 8, 0, "nul\\x00here");
}
END_TEST

START_TEST(lines_are_kept_only_when_asked)
{
	expect_escaped("a\nb\tc\r", 6, 0, "a\\x0ab\\x09c\\x0d");
	expect_escaped("a\nb\tc\r", 6, ML_ESCAPE_KEEP_LINES, "a\nb\tc\\x0d");
}
END_TEST

START_TEST(utf8_is_kept_and_broken_bytes_escaped)
{
	expect_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, 0,
		       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	expect_escaped("plain text, with \\ and \"quotes\"", 31, 0,
		       "plain text, with \\ and \"quotes\"");
	expect_escaped("bad\xff", 4, 0, "bad\\xff");
	expect_escaped("cut\xe2\x82", 5, 0, "cut\\xe2\\x82");   /* a sequence cut short */
	expect_escaped("over\xc0\xaf", 6, 0, "over\\xc0\\xaf"); /* an overlong '/' */
	expect_escaped("", 0, 0, "");
}
END_TEST

static Suite *escape_suite(void)
{
	Suite *suite = suite_create("ml_escape");
	TCase *tc = tcase_create("escape");
	tcase_add_test(tc, terminal_sequences_are_escaped);
	tcase_add_test(tc, lines_are_kept_only_when_asked);
	tcase_add_test(tc, utf8_is_kept_and_broken_bytes_escaped);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(escape_suite)
