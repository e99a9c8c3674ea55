/*
 * number_stress: checks lib/ml_number.c against the C library on random and
 * adversarial inputs.
 *
 *   number_stress CASES SEED [FORMAT_CASES]
 *
 * runs CASES parse checks (ml_parse_double against strtod in the C locale,
 * bit for bit, on a mix of generated literals), CASES / 8 syntax checks
 * (accept/reject against strtod's grammar minus what the header excludes)
 * and FORMAT_CASES format checks (default CASES: round trip through strtod,
 * and the same text as printf's shortest round-tripping %.Ng), then prints
 * a summary and exits non-zero on any mismatch.
 *
 * The checks are also compiled into the unit test: test_number.c defines
 * NUMBER_STRESS_NO_MAIN and includes this file to run a fixed-seed sample.
 */
#define _GNU_SOURCE /* newlocale, strtod_l, uselocale */
#include "core/ml_number.h"

#include <ctype.h>
#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for the longest literal the generators build: 1000-digit mantissas,
 * and exact halfway points (up to 767 significant digits) plus up to 251
 * more digits. */
#define STRESS_TEXT_MAX 2048

struct stress_counts {
	uint64_t parse_cases, parse_mismatches;
	uint64_t syntax_cases, syntax_mismatches;
	uint64_t format_cases, format_mismatches;
	uint64_t format_shorter_than_printf; /* valid, and shorter than %.Ng */
};

/* ------------------------------------------------------------------------
 * Random numbers (xoshiro256**, seeded through splitmix64).
 */

struct stress_rng {
	uint64_t s[4];
};

static uint64_t stress_splitmix(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static void stress_seed(struct stress_rng *rng, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		rng->s[i] = stress_splitmix(&seed);
}

static uint64_t stress_rotate(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t stress_next(struct stress_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = stress_rotate(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = stress_rotate(s[3], 45);
	return result;
}

/* Uniform in [0, bound). */
static uint64_t stress_below(struct stress_rng *rng, uint64_t bound)
{
	return stress_next(rng) % bound;
}

/* Uniform in [low, high]. */
static int stress_between(struct stress_rng *rng, int low, int high)
{
	return low + (int)stress_below(rng, (uint64_t)(high - low + 1));
}

static double stress_double_of_bits(uint64_t bits)
{
	double value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

static uint64_t stress_bits_of_double(double value)
{
	uint64_t bits;
	memcpy(&bits, &value, sizeof bits);
	return bits;
}

/* A finite double from uniformly random bits (subnormals included). */
static double stress_random_finite(struct stress_rng *rng)
{
	for (;;) {
		double value = stress_double_of_bits(stress_next(rng));
		if (isfinite(value))
			return value;
	}
}

/* ------------------------------------------------------------------------
 * References: the C library in the C locale.
 */

static locale_t stress_c_locale(void)
{
	static locale_t locale;
	if (locale == (locale_t)0)
		locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return locale;
}

/* snprintf in the C locale, whatever the process locale is. */
static void stress_printf(char *buffer, size_t size, const char *format, ...)
{
	va_list arguments;
	va_start(arguments, format);
	locale_t previous = uselocale(stress_c_locale());
	vsnprintf(buffer, size, format, arguments);
	uselocale(previous);
	va_end(arguments);
}

/* strtod on text[0..length); *consumed_all tells whether it read it all. */
static double stress_reference_parse(const char *text, size_t length, bool *consumed_all)
{
	static char copy[STRESS_TEXT_MAX + 1];
	memcpy(copy, text, length);
	copy[length] = '\0';
	char *end;
	double value = strtod_l(copy, &end, stress_c_locale());
	*consumed_all = (size_t)(end - copy) == length;
	return value;
}

static void stress_report(const char *what, const char *text, size_t length, const char *detail)
{
	fprintf(stderr, "number_stress: %s mismatch for \"%.*s\"%s%s\n", what,
		(int)(length > 120 ? 120 : length), text, length > 120 ? "..." : "", detail);
}

/* ml_parse_double must accept the literal and agree with strtod bit for bit. */
static bool stress_check_parse(const char *text, size_t length, struct stress_counts *counts)
{
	counts->parse_cases++;
	bool consumed_all;
	double expected = stress_reference_parse(text, length, &consumed_all);
	double actual = 0;
	if (!consumed_all || !ml_parse_double(text, length, &actual) ||
	    stress_bits_of_double(actual) != stress_bits_of_double(expected)) {
		char detail[96];
		stress_printf(detail, sizeof detail, ": got %.17g, strtod %.17g", actual, expected);
		stress_report("parse", text, length, detail);
		counts->parse_mismatches++;
		return false;
	}
	return true;
}

/*
 * Whether the header's grammar accepts text: strtod's grammar without
 * blanks, hex floats and NaN (and without stopping at a NUL byte).
 */
static bool stress_reference_accepts(const char *text, size_t length, double *value)
{
	if (length == 0 || memchr(text, '\0', length) || isspace((unsigned char)text[0]) ||
	    memchr(text, 'x', length) || memchr(text, 'X', length))
		return false;
	bool consumed_all;
	*value = stress_reference_parse(text, length, &consumed_all);
	return consumed_all && !isnan(*value);
}

static bool stress_check_syntax(const char *text, size_t length, struct stress_counts *counts)
{
	counts->syntax_cases++;
	double expected = 0, actual = 0;
	bool accepts = stress_reference_accepts(text, length, &expected);
	bool accepted = ml_parse_double(text, length, &actual);
	if (accepted != accepts ||
	    (accepts && stress_bits_of_double(actual) != stress_bits_of_double(expected))) {
		stress_report("syntax", text, length, accepted ? ": accepted" : ": rejected");
		counts->syntax_mismatches++;
		return false;
	}
	return true;
}

static bool stress_reads_back(const char *text, double value)
{
	return stress_bits_of_double(strtod_l(text, NULL, stress_c_locale())) ==
	       stress_bits_of_double(value);
}

/* Significant digits of a printed number: its mantissa digits without
 * leading and trailing zeros. */
static int stress_significant_digits(const char *text)
{
	char digits[64];
	size_t count = 0;
	for (; *text && *text != 'e' && count < sizeof digits; text++)
		if (isdigit((unsigned char)*text) && (count > 0 || *text != '0'))
			digits[count++] = *text;
	while (count > 1 && digits[count - 1] == '0')
		count--;
	return (int)count;
}

/*
 * What the header asks for, from printf: "%.0f" for integers below 2^53,
 * else the first %.Ng that reads back.  For normal values a shortest text
 * of up to 15 digits is always printf's %.15g (15-digit decimals are at
 * least 4.5 ulps apart), so the search starts there; subnormals start at 1.
 */
static void stress_reference_format(double value, char *buffer, size_t size)
{
	double magnitude = fabs(value);
	if (isnan(value)) {
		snprintf(buffer, size, "nan");
		return;
	}
	if (isinf(value) || (magnitude < 9007199254740992.0 && magnitude == floor(magnitude))) {
		stress_printf(buffer, size, "%.0f", value);
		return;
	}
	int precision = magnitude < DBL_MIN ? 1 : 15;
	for (; precision < 17; precision++) {
		stress_printf(buffer, size, "%.*g", precision, value);
		if (stress_reads_back(buffer, value))
			return;
	}
	stress_printf(buffer, size, "%.*g", 17, value);
}

/*
 * ml_format_double must read back exactly and match printf's shortest
 * %.Ng.  It may be shorter than printf's at a power of two, where the
 * interval of texts that read back is lopsided and a decimal farther from
 * the value than printf's choice (yet inside the interval) can be shorter.
 */
static bool stress_check_format(double value, struct stress_counts *counts)
{
	counts->format_cases++;
	char actual[ML_DOUBLE_BUFSIZE], expected[64]; /* exact size: sanitizers see overruns */
	memset(actual, 'X', sizeof actual);
	size_t length = ml_format_double(value, actual);
	stress_reference_format(value, expected, sizeof expected);
	bool well_formed = length < ML_DOUBLE_BUFSIZE && actual[length] == '\0' && strlen(actual) == length;
	if (well_formed && strcmp(actual, expected) == 0)
		return true;
	if (well_formed && !isnan(value) && stress_reads_back(actual, value) &&
	    stress_significant_digits(actual) < stress_significant_digits(expected) &&
	    (stress_bits_of_double(value) & ((UINT64_C(1) << 52) - 1)) == 0) {
		counts->format_shorter_than_printf++;
		return true;
	}
	fprintf(stderr, "number_stress: format mismatch for %a: got \"%.*s\", printf \"%s\"\n", value,
		well_formed ? (int)length : ML_DOUBLE_BUFSIZE, actual, expected);
	counts->format_mismatches++;
	return false;
}

/* ------------------------------------------------------------------------
 * Generators of literals.
 */

struct stress_text {
	char chars[STRESS_TEXT_MAX];
	size_t length;
};

static void stress_append(struct stress_text *text, const char *chars, size_t length)
{
	if (text->length + length > STRESS_TEXT_MAX)
		length = STRESS_TEXT_MAX - text->length;
	memcpy(text->chars + text->length, chars, length);
	text->length += length;
}

static void stress_append_char(struct stress_text *text, char c)
{
	stress_append(text, &c, 1);
}

static void stress_append_format(struct stress_text *text, const char *format, long long value)
{
	char chunk[32];
	int length = snprintf(chunk, sizeof chunk, format, value);
	stress_append(text, chunk, (size_t)length);
}

static void stress_append_sign(struct stress_rng *rng, struct stress_text *text)
{
	uint64_t roll = stress_below(rng, 16);
	if (roll < 6)
		stress_append_char(text, '-');
	else if (roll == 6)
		stress_append_char(text, '+');
}

/* count digits, a point at a random place (or none), like "12.5", ".5", "5." */
static void stress_append_digits_with_point(struct stress_rng *rng, struct stress_text *text, int count)
{
	int point = stress_below(rng, 3) == 0 ? -1 : stress_between(rng, 0, count);
	bool leading_zero_bias = stress_below(rng, 4) == 0;
	for (int i = 0; i < count; i++) {
		if (i == point)
			stress_append_char(text, '.');
		char digit = (char)('0' + stress_below(rng, 10));
		if (leading_zero_bias && i < count / 2)
			digit = '0';
		stress_append_char(text, digit);
	}
	if (point == count)
		stress_append_char(text, '.');
}

static void stress_append_exponent(struct stress_rng *rng, struct stress_text *text, int low, int high)
{
	stress_append_char(text, stress_below(rng, 2) ? 'e' : 'E');
	int exponent = stress_between(rng, low, high);
	if (exponent >= 0 && stress_below(rng, 2))
		stress_append_char(text, '+');
	stress_append_format(text, "%lld", exponent);
}

/* 1..25 digits with a random point and a random exponent. */
static void stress_random_decimal(struct stress_rng *rng, struct stress_text *text)
{
	stress_append_sign(rng, text);
	stress_append_digits_with_point(rng, text, stress_between(rng, 1, 25));
	if (stress_below(rng, 4) != 0)
		stress_append_exponent(rng, text, -350, 330);
}

/* Short "typical data" numbers: 5.1, 0.0123, -1234.5678, 3e-05. */
static void stress_typical_decimal(struct stress_rng *rng, struct stress_text *text)
{
	stress_append_sign(rng, text);
	stress_append_digits_with_point(rng, text, stress_between(rng, 1, 9));
	if (stress_below(rng, 8) == 0)
		stress_append_exponent(rng, text, -30, 30);
}

/* printf of a random double: %.17g (repr-like) or a random precision. */
static void stress_printed_double(struct stress_rng *rng, struct stress_text *text)
{
	char chunk[64];
	int precision = stress_below(rng, 2) ? 17 : stress_between(rng, 1, 20);
	stress_printf(chunk, sizeof chunk, stress_below(rng, 2) ? "%.*g" : "%.*e", precision,
		      stress_random_finite(rng));
	stress_append(text, chunk, strlen(chunk));
}

/* 20..1000 digits: exercises the >19-digit path and the strtod fallback. */
static void stress_long_decimal(struct stress_rng *rng, struct stress_text *text)
{
	stress_append_sign(rng, text);
	int count = stress_below(rng, 4) == 0 ? stress_between(rng, 20, 1000) : stress_between(rng, 20, 40);
	stress_append_digits_with_point(rng, text, count);
	if (stress_below(rng, 2))
		stress_append_exponent(rng, text, -400, 330);
}

#if LDBL_MANT_DIG >= 64 && LDBL_MAX_EXP > DBL_MAX_EXP
/*
 * The exact halfway point between a random double and its successor (a
 * long double holds it exactly), printed in full, then either kept, cut
 * short (just below it) or extended by a nonzero digit (just above it);
 * cuts at 17..20 digits hit the Eisel-Lemire ambiguity checks.
 */
static void stress_halfway_decimal(struct stress_rng *rng, struct stress_text *text)
{
	double low = fabs(stress_random_finite(rng));
	double high = nextafter(low, INFINITY);
	long double halfway = ((long double)low + (long double)high) / 2;
	static char exact[1024];
	stress_printf(exact, sizeof exact, "%.800Le", halfway);
	char *e = strchr(exact, 'e');
	size_t mantissa_length = (size_t)(e - exact);
	while (exact[mantissa_length - 1] == '0')
		mantissa_length--;
	long long exponent = atoll(e + 1);
	uint64_t variant = stress_below(rng, 4);
	size_t cut = mantissa_length;
	if (variant == 1 && mantissa_length > 3)
		cut = (size_t)stress_between(rng, 2, (int)mantissa_length - 1);
	if (variant == 2 && mantissa_length > 22)
		cut = (size_t)stress_between(rng, 18, 21); /* "d." + 16..19 digits */
	stress_append(text, exact, cut);
	if (variant == 3) {
		/* sometimes past the 800 digits that the strtod fallback keeps */
		int zeros = stress_below(rng, 4) == 0 ? stress_between(rng, 0, 250) : stress_between(rng, 0, 5);
		while (zeros-- > 0)
			stress_append_char(text, '0');
		stress_append_char(text, '1');
	}
	stress_append_format(text, "e%lld", exponent);
}
#endif

/* Boundaries of the double range and famous hard cases, perturbed. */
static void stress_edge_decimal(struct stress_rng *rng, struct stress_text *text)
{
	static const char *const edges[] = {
		"9007199254740993", "9007199254740992", "9007199254740991",
		"2.2250738585072011e-308", "2.2250738585072014e-308", "2.2250738585072012e-308",
		"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
		"4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
		"7.4109846876186981e-324", "1e23", "8.98846567431158e307", "1e-324", "1e308",
		"18446744073709551615", "18446744073709551616", "10000000000000000000",
		"9999999999999999999", "0.1", "0.3", "4503599627370496.5", "4503599627370497.5",
		"2.225073858507201136057409796709131975934819546351645648e-308",
	};
	const char *edge = edges[stress_below(rng, sizeof edges / sizeof edges[0])];
	stress_append_sign(rng, text);
	stress_append(text, edge, strlen(edge));
	/* sometimes perturb the last mantissa digit or pad with zeros */
	const char *e = memchr(text->chars, 'e', text->length);
	size_t mantissa_end = e ? (size_t)(e - text->chars) : text->length;
	if (stress_below(rng, 2) && isdigit((unsigned char)text->chars[mantissa_end - 1]))
		text->chars[mantissa_end - 1] = (char)('0' + stress_below(rng, 10));
}

/* Zeros before and after the digits, and huge or tiny exponents. */
static void stress_zeros_decimal(struct stress_rng *rng, struct stress_text *text)
{
	stress_append_sign(rng, text);
	int zeros = stress_below(rng, 2) ? stress_between(rng, 1, 30) : stress_between(rng, 300, 400);
	if (stress_below(rng, 2)) {
		stress_append(text, "0.", 2);
		for (int i = 0; i < zeros; i++)
			stress_append_char(text, '0');
		for (int i = stress_between(rng, 1, 20); i > 0; i--)
			stress_append_char(text, (char)('0' + stress_below(rng, 10)));
	} else {
		for (int i = stress_between(rng, 1, 20); i > 0; i--)
			stress_append_char(text, (char)('1' + stress_below(rng, 9)));
		for (int i = 0; i < zeros; i++)
			stress_append_char(text, '0');
	}
	switch (stress_below(rng, 4)) {
	case 0:
		stress_append_exponent(rng, text, -400, 400);
		break;
	case 1:
		stress_append_format(text, "e%lld", stress_below(rng, 2) ? 99999999999LL : -99999999999LL);
		break;
	default:
		break;
	}
}

typedef void stress_generator(struct stress_rng *, struct stress_text *);

/* One parse case: a literal from a generator picked at random. */
static bool stress_parse_case(struct stress_rng *rng, struct stress_counts *counts)
{
	static stress_generator *const common[] = {
		stress_random_decimal, stress_random_decimal, stress_typical_decimal,
		stress_printed_double, stress_printed_double, stress_edge_decimal,
		stress_zeros_decimal, stress_long_decimal,
	};
	struct stress_text text = {.length = 0};
#if LDBL_MANT_DIG >= 64 && LDBL_MAX_EXP > DBL_MAX_EXP
	if (stress_below(rng, 16) == 0)
		stress_halfway_decimal(rng, &text);
	else
#endif
		common[stress_below(rng, sizeof common / sizeof common[0])](rng, &text);
	return stress_check_parse(text.chars, text.length, counts);
}

/* Short strings over the literal alphabet plus traps (blank, NUL, x, n). */
static bool stress_syntax_case(struct stress_rng *rng, struct stress_counts *counts)
{
	static const char alphabet[] = "0123456789..eE+-+-iInNfFtyaxp \t";
	char text[16];
	size_t length = (size_t)stress_between(rng, 0, 10);
	for (size_t i = 0; i < length; i++)
		text[i] = alphabet[stress_below(rng, sizeof alphabet)]; /* includes the NUL */
	if (stress_below(rng, 8) == 0) {
		static const char *const words[] = {"inf", "INF", "infinity", "InFiNiTy", "nan", "-inf",
						    "+Infinity", "infinit", "0x1p3", "1e5", "-.5e-3"};
		const char *word = words[stress_below(rng, sizeof words / sizeof words[0])];
		length = strlen(word);
		memcpy(text, word, length);
	}
	return stress_check_syntax(text, length, counts);
}

/* One format case: random bits, typical data, integers or powers of two. */
static bool stress_format_case(struct stress_rng *rng, struct stress_counts *counts)
{
	double value;
	uint64_t roll = stress_below(rng, 8);
	if (roll < 4) {
		value = stress_random_finite(rng);
	} else if (roll < 6) {
		struct stress_text text = {.length = 0};
		if (roll == 4)
			stress_typical_decimal(rng, &text);
		else
			stress_random_decimal(rng, &text);
		bool consumed_all;
		value = stress_reference_parse(text.chars, text.length, &consumed_all);
	} else if (roll == 6) {
		int64_t integer = (int64_t)(stress_next(rng) >> stress_between(rng, 1, 63));
		value = (double)(stress_below(rng, 2) ? -integer : integer);
	} else {
		value = ldexp(stress_below(rng, 2) ? 1.0 : -1.0, stress_between(rng, -1074, 1023));
	}
	return stress_check_format(value, counts);
}

/* Runs the three kinds of checks; true when nothing mismatched. */
static bool stress_run(uint64_t parse_cases, uint64_t format_cases, uint64_t seed, struct stress_counts *counts)
{
	struct stress_rng rng;
	stress_seed(&rng, seed);
	for (uint64_t i = 0; i < parse_cases; i++) {
		stress_parse_case(&rng, counts);
		if (i % 8 == 0)
			stress_syntax_case(&rng, counts);
	}
	for (uint64_t i = 0; i < format_cases; i++)
		stress_format_case(&rng, counts);
	return counts->parse_mismatches + counts->syntax_mismatches + counts->format_mismatches == 0;
}

#ifndef NUMBER_STRESS_NO_MAIN
int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: number_stress CASES SEED [FORMAT_CASES]\n");
		return 2;
	}
	uint64_t parse_cases = strtoull(argv[1], NULL, 10);
	uint64_t seed = strtoull(argv[2], NULL, 10);
	uint64_t format_cases = argc == 4 ? strtoull(argv[3], NULL, 10) : parse_cases;
	struct stress_counts counts = {0};
	bool passed = stress_run(parse_cases, format_cases, seed, &counts);
	printf("seed %" PRIu64 ": parse %" PRIu64 " cases, %" PRIu64 " mismatches; "
	       "syntax %" PRIu64 " cases, %" PRIu64 " mismatches; "
	       "format %" PRIu64 " cases, %" PRIu64 " mismatches (%" PRIu64 " shorter than printf)\n",
	       seed, counts.parse_cases, counts.parse_mismatches, counts.syntax_cases,
	       counts.syntax_mismatches, counts.format_cases, counts.format_mismatches,
	       counts.format_shorter_than_printf);
	return passed ? EXIT_SUCCESS : EXIT_FAILURE;
}
#endif
