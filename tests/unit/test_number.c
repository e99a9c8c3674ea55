/*
 * Unit tests for lib/ml_number.c: the documented syntax and outputs, the
 * classic hard cases, and a fixed-seed sample of the randomized checks in
 * number_stress.c (included here, without its main), all against the C
 * library in the C locale, and once more under a decimal-comma locale.
 */
#define NUMBER_STRESS_NO_MAIN
#include "number_stress.c"

#include "check_main.h"

/* A value ml_parse_double never produces, to see that *value is untouched. */
#define UNTOUCHED 12345.678

static double parsed(const char *text)
{
	double value = UNTOUCHED;
	ck_assert_msg(ml_parse_double(text, strlen(text), &value), "\"%s\" was rejected", text);
	return value;
}

/* ml_parse_double(text) must give strtod's bits. */
static void assert_parses_like_strtod(const char *text)
{
	bool consumed_all;
	double expected = stress_reference_parse(text, strlen(text), &consumed_all);
	ck_assert_msg(consumed_all, "strtod stopped early in \"%s\"", text);
	double actual = parsed(text);
	ck_assert_msg(stress_bits_of_double(actual) == stress_bits_of_double(expected),
		      "\"%.60s\": got %a, strtod %a", text, actual, expected);
}

static void assert_parses_to(const char *text, double expected)
{
	double actual = parsed(text);
	ck_assert_msg(stress_bits_of_double(actual) == stress_bits_of_double(expected),
		      "\"%s\": got %a, expected %a", text, actual, expected);
}

static void assert_rejected(const char *text, size_t length)
{
	double value = UNTOUCHED;
	ck_assert_msg(!ml_parse_double(text, length, &value), "\"%.*s\" was accepted", (int)length, text);
	ck_assert_msg(value == UNTOUCHED, "\"%.*s\" changed *value", (int)length, text);
}

static void assert_formats_as(double value, const char *expected)
{
	char buffer[ML_DOUBLE_BUFSIZE];
	size_t length = ml_format_double(value, buffer);
	ck_assert_str_eq(buffer, expected);
	ck_assert_uint_eq(length, strlen(expected));
}

START_TEST(test_parse_documented_syntax)
{
	assert_parses_to("5.1", 5.1);
	assert_parses_to("42", 42.0);
	assert_parses_to("+42", 42.0);
	assert_parses_to("-7", -7.0);
	assert_parses_to(".5", 0.5);
	assert_parses_to("5.", 5.0);
	assert_parses_to("-.5", -0.5);
	assert_parses_to("1e5", 1e5);
	assert_parses_to("1E+05", 1e5);
	assert_parses_to("2.5e-3", 2.5e-3);
	assert_parses_to("1.e2", 100.0);
	assert_parses_to(".5E1", 5.0);
	assert_parses_to("007", 7.0);
	assert_parses_to("0.1", 0.1);
	assert_parses_to("-1234.5678", -1234.5678);
	assert_parses_to("0.12345678901234568", 0.12345678901234568);
	assert_parses_to("inf", INFINITY);
	assert_parses_to("-inf", -INFINITY);
	assert_parses_to("+INF", INFINITY);
	assert_parses_to("Infinity", INFINITY);
	assert_parses_to("-iNfInItY", -INFINITY);
}
END_TEST

START_TEST(test_parse_negative_zero)
{
	const char *const zeros[] = {"-0", "-0.0", "-.0", "-0e10", "-0.000e-999", "-1e-400"};
	for (size_t i = 0; i < sizeof zeros / sizeof zeros[0]; i++) {
		double value = parsed(zeros[i]);
		ck_assert_msg(value == 0 && signbit(value), "\"%s\" gave %a", zeros[i], value);
	}
	double value = parsed("0");
	ck_assert(value == 0 && !signbit(value));
}
END_TEST

START_TEST(test_parse_rejects)
{
	const char *const rejects[] = {
		"", "+", "-", ".", "+.", "-.", "e5", ".e5", "+e5", "1e", "1e+", "1e-", "1E", "1.5e",
		"--1", "+-1", "-+1", "++1", "1-", "1+", "nan", "NaN", "-nan", "nan(1)", "0x10",
		"0x1p3", "0X1P-2", "1p3", " 1", "1 ", "\t1", "1\n", "1,5", "1_000", "1..2",
		"1.2.3", "1e5.5", "1e1e1", "in", "infinit", "infinityy", "inf ", "infx", "i",
		"e", "E", "5e5e", "1.0f", "0b101", "1e+-5", "--", "\xc2\xb9",
	};
	for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++)
		assert_rejected(rejects[i], strlen(rejects[i]));
	assert_rejected("1\0", 2);
	assert_rejected("1\0" "5", 3);
	assert_rejected("\0" "1", 2);
	assert_rejected("inf\0", 4);
	assert_rejected("12345678\0" "9", 10);
}
END_TEST

START_TEST(test_parse_only_reads_length_bytes)
{
	double value = 0;
	ck_assert(ml_parse_double("1.25xyz", 4, &value) && value == 1.25);
	ck_assert(ml_parse_double("123456789012345678901", 9, &value) && value == 123456789.0);
	ck_assert(ml_parse_double("infinity", 3, &value) && value == INFINITY);
	ck_assert(!ml_parse_double("1e5", 2, &value));
}
END_TEST

START_TEST(test_parse_hard_cases)
{
	const char *const cases[] = {
		"9007199254740993",        /* 2^53 + 1: tie, rounds to even */
		"9007199254740995",        /* tie, rounds up to even */
		"9007199254740993.0000000000000000001",
		"4503599627370496.5",      /* tie with a negative exponent */
		"4503599627370497.5",
		"2.2250738585072011e-308", /* just below the smallest normal */
		"2.2250738585072012e-308",
		"2.2250738585072014e-308",
		"1.7976931348623157e308",
		"1.7976931348623158e308",
		"1.7976931348623159e308",  /* overflows */
		"4.9406564584124654e-324", /* smallest subnormal */
		"2.4703282292062327e-324", /* just below half of it: 0 */
		"2.4703282292062328e-324", /* just above: the smallest subnormal */
		("2.47032822920623272088284396434110686182529901307162382212792841250337753635104375932649918"
		 "18e-324"), /* half the smallest subnormal, cut short: just below, to 0 */
		"7.4109846876186981e-324",
		"1e-324", "3e-324", "1e23", "8.98846567431158e307", "1e-320",
		"0.1", "0.2", "0.3", "1.1", "123456789012345678", "18446744073709551615",
		"18446744073709551616", "9999999999999999999", "10000000000000000000",
		"7.2057594037927933e16", "1.00000000000000011102230246251565404236316680908203125",
		"1.00000000000000011102230246251565404236316680908203124",
		"1.00000000000000011102230246251565404236316680908203126",
		"0.000000000000000000000000000000000000000000001e45",
		"100000000000000000000000000000000000000000000000000e-50",
		"-2.2250738585072011e-308", "-4.9406564584124654e-324",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_parses_like_strtod(cases[i]);
}
END_TEST

/*
 * Halfway points padded with zeros to 900 digits, then nudged up by a 1
 * at the very end (past the 800 digits the strtod fallback keeps) or in
 * the middle; and tiny values with as many digits.
 */
START_TEST(test_parse_long_mantissas)
{
	static char text[1024];
	const char *const heads[] = {
		"9007199254740993.",                    /* 2^53 + 1 */
		"1.00000000000000011102230246251565404236316680908203125", /* 1 + 2^-53 */
		"2.4703282292062327208828439643411068618252990130716238221279284125", /* ~2^-1075 */
		"0.",
	};
	static const char *const exponents[] = {"", "", "e-324", "e-10"};
	for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
		for (int nudge = 0; nudge < 3; nudge++) {
			size_t length = strlen(heads[h]);
			memcpy(text, heads[h], length);
			memset(text + length, '0', 900 - length);
			length = 900;
			if (nudge == 1)
				text[length - 1] = '1';
			if (nudge == 2)
				text[length - 300] = '1';
			if (h == 3 && nudge == 0)
				text[2] = '7'; /* "0.7000..." */
			strcpy(text + length, exponents[h]);
			assert_parses_like_strtod(text);
		}
#if LDBL_MANT_DIG >= 64 && LDBL_MAX_EXP > DBL_MAX_EXP
	/* exactly half the smallest subnormal (a tie: to 0), and the halfway
	 * points around DBL_MAX and DBL_MIN, all digits of them */
	const long double halfway_points[] = {
		ldexpl(1, -1075), ldexpl(3, -1075), ((long double)DBL_MAX + ldexpl(1, 1024)) / 2,
		((long double)DBL_MIN + nextafter(DBL_MIN, 0)) / 2,
	};
	for (size_t i = 0; i < sizeof halfway_points / sizeof halfway_points[0]; i++) {
		stress_printf(text, sizeof text, "%.800Le", halfway_points[i]);
		assert_parses_like_strtod(text);
	}
	assert_parses_to(text, DBL_MIN); /* the last one ties to the even DBL_MIN */
	stress_printf(text, sizeof text, "%.800Le", ldexpl(1, -1075));
	assert_parses_to(text, 0.0);
#endif
	/* 800 random digits, point and exponent anywhere */
	struct stress_rng rng;
	stress_seed(&rng, 800);
	for (int i = 0; i < 200; i++) {
		for (int j = 0; j < 800; j++)
			text[j] = (char)('0' + stress_below(&rng, 10));
		int point = stress_between(&rng, 1, 799);
		text[point] = '.';
		snprintf(text + 800, 32, "e%d", stress_between(&rng, -1200, 400));
		assert_parses_like_strtod(text);
	}
}
END_TEST

START_TEST(test_parse_saturating_exponents)
{
	assert_parses_to("1e999999999999", INFINITY);
	assert_parses_to("-1e99999999999999999999999999", -INFINITY);
	assert_parses_to("1e-999999999999", 0.0);
	assert_parses_to("0e999999999999", 0.0);
	assert_parses_to("123456789012345678901234567890e-99999999999999999", 0.0);
	assert_parses_to("0.00000000000000000000000000000000000000000000000001e99999999999", INFINITY);
	static char text[1024];
	/* "1" then 400 zeros then e-400 is exactly 1 */
	text[0] = '1';
	memset(text + 1, '0', 400);
	strcpy(text + 401, "e-400");
	assert_parses_to(text, 1.0);
	/* "0." then 399 zeros, "1e400" is exactly 1 too */
	memcpy(text, "0.", 2);
	memset(text + 2, '0', 399);
	strcpy(text + 401, "1e400");
	assert_parses_to(text, 1.0);
}
END_TEST

START_TEST(test_format_documented_outputs)
{
	assert_formats_as(0.1, "0.1");
	assert_formats_as(1e-07, "1e-07");
	assert_formats_as(42, "42");
	assert_formats_as(-7, "-7");
	assert_formats_as(0.0, "0");
	assert_formats_as(-0.0, "-0");
	assert_formats_as(INFINITY, "inf");
	assert_formats_as(-INFINITY, "-inf");
	assert_formats_as(NAN, "nan");
	assert_formats_as(-NAN, "nan");
	assert_formats_as(6.02214076e+23, "6.02214076e+23");
	assert_formats_as(5.1, "5.1");
	assert_formats_as(-1234.5678, "-1234.5678");
	assert_formats_as(0.0123, "0.0123");
	assert_formats_as(0.0001, "0.0001");
	assert_formats_as(0.00001, "1e-05");
	assert_formats_as(123456.7, "123456.7");
	assert_formats_as(0.30000000000000004, "0.30000000000000004");
	assert_formats_as(1e15, "1000000000000000");
	assert_formats_as(1e15 + 0.5, "1000000000000000.5");
	assert_formats_as(9007199254740991.0, "9007199254740991");
	assert_formats_as(9007199254740992.0, "9007199254740992");
	assert_formats_as(9007199254740994.0, "9007199254740994");
	assert_formats_as(1e16, "1e+16");
	assert_formats_as(1e22, "1e+22");
	assert_formats_as(1e23, "1e+23");
	assert_formats_as(123456789012345680.0, "1.2345678901234568e+17");
	assert_formats_as(-1.2345678901234567e-05, "-1.2345678901234568e-05");
	assert_formats_as(DBL_MAX, "1.7976931348623157e+308");
	assert_formats_as(DBL_MIN, "2.2250738585072014e-308");
	assert_formats_as(-2.2250738585072009e-308, "-2.225073858507201e-308");
	assert_formats_as(4.9406564584124654e-324, "5e-324");
	assert_formats_as(1e-300, "1e-300");
	assert_formats_as(0.5, "0.5");
	assert_formats_as(2.5, "2.5");
	assert_formats_as(1.5e300, "1.5e+300");
	assert_formats_as(ldexp(1, -1074) * 3, "1.5e-323");
}
END_TEST

/* Formatting then parsing gives back the same bits, for every kind of double. */
START_TEST(test_round_trip_random_bits)
{
	struct stress_rng rng;
	stress_seed(&rng, 20240601);
	char buffer[ML_DOUBLE_BUFSIZE];
	for (int i = 0; i < 100000; i++) {
		uint64_t bits = stress_next(&rng);
		if (i % 4 == 1)
			bits &= UINT64_C(0x800FFFFFFFFFFFFF); /* subnormals */
		if (i % 4 == 2)
			bits &= UINT64_C(0xFFF0000000000000) | (stress_next(&rng) >> stress_between(&rng, 12, 63));
		double value = stress_double_of_bits(bits);
		if (!isfinite(value))
			continue;
		size_t length = ml_format_double(value, buffer);
		ck_assert_uint_lt(length, ML_DOUBLE_BUFSIZE);
		double back = UNTOUCHED;
		ck_assert_msg(ml_parse_double(buffer, length, &back), "\"%s\" rejected", buffer);
		ck_assert_msg(stress_bits_of_double(back) == bits, "%a -> \"%s\" -> %a", value, buffer, back);
	}
}
END_TEST

/* 1..25 random digits and random exponents against strtod. */
START_TEST(test_parse_random_decimals)
{
	struct stress_rng rng;
	stress_seed(&rng, 25);
	struct stress_counts counts = {0};
	for (int i = 0; i < 100000; i++) {
		struct stress_text text = {.length = 0};
		stress_random_decimal(&rng, &text);
		stress_check_parse(text.chars, text.length, &counts);
	}
	ck_assert_msg(counts.parse_mismatches == 0, "%" PRIu64 " mismatches (see stderr)", counts.parse_mismatches);
}
END_TEST

/* The same mix of checks as number_stress, fixed seed, small count. */
START_TEST(test_stress_sample)
{
	struct stress_counts counts = {0};
	stress_run(100000, 20000, 1, &counts);
	ck_assert_msg(counts.parse_mismatches == 0, "%" PRIu64 " parse mismatches (see stderr)",
		      counts.parse_mismatches);
	ck_assert_msg(counts.syntax_mismatches == 0, "%" PRIu64 " syntax mismatches (see stderr)",
		      counts.syntax_mismatches);
	ck_assert_msg(counts.format_mismatches == 0, "%" PRIu64 " format mismatches (see stderr)",
		      counts.format_mismatches);
}
END_TEST

/*
 * How much of text ml_parse_json_number reads, checking its value against
 * ml_parse_double's, and that the same text followed by more of a body (the
 * short path then reads without checking for the end) is read the same.
 */
static size_t json_length(const char *text)
{
	double json = UNTOUCHED, plain = UNTOUCHED, in_body = UNTOUCHED;
	size_t length = strlen(text);
	char body[256];
	ck_assert(length + 40 < sizeof body);
	memcpy(body, text, length);
	memset(body + length, ']', 40);
	size_t used = ml_parse_json_number(text, length, &json);
	size_t used_in_body = ml_parse_json_number(body, length + 40, &in_body);
	ck_assert_msg(used_in_body == used && stress_bits_of_double(json) ==
		      stress_bits_of_double(in_body), "\"%s\": %zu bytes (%a), %zu followed by more (%a)",
		      text, used, json, used_in_body, in_body);
	if (used == 0) {
		ck_assert_msg(json == UNTOUCHED, "\"%s\" changed *value", text);
		return 0;
	}
	ck_assert_msg(ml_parse_double(text, used, &plain), "\"%.*s\" is no number", (int)used, text);
	ck_assert_msg(stress_bits_of_double(json) == stress_bits_of_double(plain),
		      "\"%s\": got %a, ml_parse_double %a", text, json, plain);
	return used;
}

/* RFC 8259's grammar, as long as it lets the number run; the rest is the caller's. */
START_TEST(test_parse_json_number_syntax)
{
	static const struct {
		const char *text;
		size_t length;
	} cases[] = {
		{ "0", 1 }, { "-0", 2 }, { "5.1,", 3 }, { "1E-3]", 4 }, { "-12.50e+02}", 10 },
		{ "01", 1 }, { "0.5.5", 3 }, { "1e5e5", 3 }, { "7 ", 1 }, { "1.5e400", 7 },
		{ "12345678901234567890123456789", 29 }, { "0.000000000000000000000001", 26 },
		{ "", 0 }, { "-", 0 }, { "+1", 0 }, { ".5", 0 }, { "1.", 0 }, { "1.e5", 0 },
		{ "1e", 0 }, { "1e+", 0 }, { "-.5", 0 }, { "inf", 0 }, { "nan", 0 }, { "--1", 0 },
		{ " 1", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(json_length(cases[i].text) == cases[i].length, "\"%s\": %zu, not %zu",
			      cases[i].text, json_length(cases[i].text), cases[i].length);
	ck_assert(stress_bits_of_double(parsed("-0")) == stress_bits_of_double(-0.0));
}
END_TEST

/* A random number in JSON's form: "-"?, "0" or a digit run, ".digits"?, "e[+-]?digits"?. */
static void random_json_number(struct stress_rng *rng, struct stress_text *text)
{
	static const char digits[] = "0123456789";
	if (stress_below(rng, 2))
		stress_append(text, "-", 1);
	size_t integer = stress_below(rng, 4) == 0 ? 0 : stress_between(rng, 1, 25);
	if (integer == 0)
		stress_append(text, "0", 1);
	for (size_t i = 0; i < integer; i++)
		stress_append(text, &digits[i == 0 ? (uint64_t)stress_between(rng, 1, 9) : stress_below(rng, 10)], 1);
	if (stress_below(rng, 3)) {
		stress_append(text, ".", 1);
		for (uint64_t i = stress_between(rng, 1, 20); i > 0; i--)
			stress_append(text, &digits[stress_below(rng, 10)], 1);
	}
	if (stress_below(rng, 3) == 0) {
		char exponent[16];
		int length = snprintf(exponent, sizeof exponent, "%s%d", stress_below(rng, 2) ? "e" : "E",
				      (int)stress_between(rng, 0, 700) - 350);
		stress_append(text, exponent, (size_t)length);
	}
}

/* Random JSON numbers, read whole, to strtod's bits. */
START_TEST(test_parse_json_number_random)
{
	struct stress_rng rng;
	stress_seed(&rng, 26);
	for (int i = 0; i < 100000; i++) {
		struct stress_text text = {.length = 0};
		random_json_number(&rng, &text);
		text.chars[text.length] = '\0';
		ck_assert_msg(json_length(text.chars) == text.length, "\"%s\" not read whole",
			      text.chars);
		assert_parses_like_strtod(text.chars);
	}
}
END_TEST

/*
 * Short numbers (the short path: at most 15 digits, no exponent) and the
 * ones just past it, followed by what a JSON body puts after a number: the
 * length read and the bits, against strtod on the number alone.
 */
START_TEST(test_parse_json_number_short)
{
	static const char digits[] = "0123456789", *const after[] = { "", ",", "}", "]", " " };
	static const char *const edges[] = {
		"999999999999999", "9999999999999999", "99999999999999.9", "9999999999999.99",
		"999999999999999.9", "0.00000000000001", "0.000000000000001", "0.0000000000000001",
		"-0.0", "-0", "123456789012345", "1234567890123456", "0.123456789012345",
		"9007199254740993", "900719925474099.3", "5.1", "0.2", "-7.25",
	};
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		ck_assert_msg(json_length(edges[i]) == strlen(edges[i]), "\"%s\"", edges[i]);
		assert_parses_like_strtod(edges[i]);
	}
	struct stress_rng rng;
	stress_seed(&rng, 27);
	for (int i = 0; i < 200000; i++) {
		struct stress_text text = {.length = 0};
		if (stress_below(&rng, 2))
			stress_append(&text, "-", 1);
		size_t count = (size_t)stress_between(&rng, 1, 17);
		size_t point = (size_t)stress_below(&rng, count + 1);
		bool leading_zero = point == 1 && stress_below(&rng, 2);
		for (size_t d = 0; d < count; d++) {
			if (d == point && d > 0)
				stress_append(&text, ".", 1);
			size_t digit = d == 0 && point != 1 ? (size_t)stress_between(&rng, 1, 9)
				     : d == 0 && leading_zero ? 0 : (size_t)stress_below(&rng, 10);
			stress_append(&text, &digits[digit], 1);
		}
		size_t length = text.length;
		text.chars[length] = '\0';
		assert_parses_like_strtod(text.chars);
		const char *tail = after[stress_below(&rng, 5)];
		stress_append(&text, tail, strlen(tail));
		text.chars[text.length] = '\0';
		ck_assert_msg(json_length(text.chars) == length, "\"%s\" not read to its end",
			      text.chars);
	}
}
END_TEST

/* Parsing and formatting ignore LC_NUMERIC, e.g. a decimal comma. */
START_TEST(test_decimal_comma_locale)
{
	if (!setlocale(LC_ALL, "de_DE.UTF-8") && !setlocale(LC_ALL, "de_DE.utf8") &&
	    !setlocale(LC_ALL, "de_DE")) {
		fprintf(stderr, "test_decimal_comma_locale: skipped, no de_DE locale "
				"(localedef -i de_DE -f UTF-8 de_DE.UTF-8 installs one)\n");
		return;
	}
	ck_assert_str_eq(localeconv()->decimal_point, ",");
	char printed[32];
	snprintf(printed, sizeof printed, "%.1f", 1.5);
	ck_assert_str_eq(printed, "1,5"); /* the locale really is in effect */

	assert_parses_to("1.5", 1.5);
	assert_parses_to("-1234.5678", -1234.5678);
	assert_rejected("1,5", 3);
	/* the strtod fallback: a tie with a negative exponent, and a long literal */
	assert_parses_to("4503599627370496.5", 4503599627370496.0);
	assert_parses_to("1.00000000000000011102230246251565404236316680908203125000001", 1.0000000000000002);
	assert_formats_as(1.5, "1.5");
	assert_formats_as(-0.0123, "-0.0123");
	assert_formats_as(6.02214076e+23, "6.02214076e+23");

	struct stress_counts counts = {0};
	stress_run(20000, 5000, 7, &counts);
	ck_assert_msg(counts.parse_mismatches + counts.syntax_mismatches + counts.format_mismatches == 0,
		      "mismatches under de_DE (see stderr)");
}
END_TEST

/* Runs after each test, in its process, even when an assertion failed. */
static void restore_c_locale(void)
{
	setlocale(LC_ALL, "C");
}

Suite *number_suite(void)
{
	Suite *suite = suite_create("number");
	TCase *syntax = tcase_create("syntax");
	tcase_add_test(syntax, test_parse_documented_syntax);
	tcase_add_test(syntax, test_parse_negative_zero);
	tcase_add_test(syntax, test_parse_rejects);
	tcase_add_test(syntax, test_parse_only_reads_length_bytes);
	tcase_add_test(syntax, test_parse_json_number_syntax);
	suite_add_tcase(suite, syntax);

	TCase *exact = tcase_create("exact");
	tcase_set_timeout(exact, 60); /* generous for sanitizer and valgrind builds */
	tcase_add_checked_fixture(exact, NULL, restore_c_locale);
	tcase_add_test(exact, test_parse_hard_cases);
	tcase_add_test(exact, test_parse_long_mantissas);
	tcase_add_test(exact, test_parse_saturating_exponents);
	tcase_add_test(exact, test_format_documented_outputs);
	tcase_add_test(exact, test_round_trip_random_bits);
	tcase_add_test(exact, test_parse_random_decimals);
	tcase_add_test(exact, test_parse_json_number_random);
	tcase_add_test(exact, test_parse_json_number_short);
	tcase_add_test(exact, test_stress_sample);
	tcase_add_test(exact, test_decimal_comma_locale);
	suite_add_tcase(suite, exact);
	return suite;
}

ML_CHECK_MAIN(number_suite)
