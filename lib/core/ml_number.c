/*
 * ml_number: exact, locale-independent conversion between decimal text and
 * double, fast enough for the CSV hot path.
 *
 * Parsing (ml_parse_double).  A scanner collects up to 19 significant
 * digits into a 64-bit integer w and a decimal exponent q, so that the
 * value is w * 10^q.  Then, in order:
 *   1. Clinger's fast path: when w <= 2^53 and |q| <= 22, both w and 10^|q|
 *      are exact doubles, and one IEEE multiplication or division rounds
 *      the exact product correctly.
 *   2. Eisel-Lemire (Lemire, "Number Parsing at a Gigabyte per Second",
 *      2021): multiply w by a 128-bit truncation of 5^q and read the
 *      correctly rounded significand off the top bits.  round_significand()
 *      spells out the error bound that says when the truncation cannot
 *      decide; that only happens for exact ties with -4 <= q < 0 and, short
 *      of constructed inputs, with a probability near 2^-64.
 *   3. strtod_l in the C locale on a normalised NUL-terminated copy: for
 *      the undecided cases above, and for more than 19 significant digits
 *      when the 19-digit truncations w and w+1 round to different doubles.
 * All three assume the default rounding mode, as the header's promise of
 * "the same as strtod" does.
 *
 * Formatting (ml_format_double).  Integers below 2^53 print directly.
 * Every other finite value goes through Ryu's search for the shortest
 * digits (Adams, "Ryu: fast float-to-string conversion", 2018), written
 * here around the same 128-bit powers of five as the parser.  Instead of
 * relying on Ryu's proof about the precision of its own tables,
 * floor_of_product() checks at run time that each scaled bound is far
 * enough from an integer for its floor to be certain, and the caller falls
 * back to printf when one is not (no double is known to get there).  Ryu
 * removes one or two digits per step; here whole runs of 8, 4, 2 and 1
 * digits go at once, which is what makes short outputs ("5.1") cheap.
 *
 * Nothing here reads the process locale: digits are produced by hand, the
 * strtod fallback runs under a private C locale, and the printf fallback
 * accepts whatever radix character the locale prints.
 */
#define _GNU_SOURCE /* newlocale, strtod_l */
#include "core/ml_number.h"
#include "core/ml_number_table.h"

#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Bits of a double and 64-bit integer helpers.
 */

enum {
	SIGNIFICAND_BITS = 52,         /* stored fraction bits of a double */
	EXPONENT_BIAS = 1023,
	MAX_BIASED_EXPONENT = 0x7FF,   /* infinities and NaNs */
	MAX_DIGITS_IN_U64 = 19,        /* every 19-digit number fits in 64 bits */
};

#define HIDDEN_BIT (UINT64_C(1) << SIGNIFICAND_BITS)
#define FRACTION_MASK (HIDDEN_BIT - 1)
#define INFINITY_BITS ((uint64_t)MAX_BIASED_EXPONENT << SIGNIFICAND_BITS)

static inline uint64_t bits_of_double(double value)
{
	uint64_t bits;
	memcpy(&bits, &value, sizeof bits);
	return bits;
}

static inline double double_of_bits(uint64_t bits)
{
	double value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

/* high:low = a * b, exactly.  ML_NUMBER_PORTABLE_ARITHMETIC selects the
 * plain C versions of this and leading_zero_bits(), for testing them. */
static inline void multiply_64x64(uint64_t a, uint64_t b, uint64_t *high, uint64_t *low)
{
#if defined(__SIZEOF_INT128__) && !defined(ML_NUMBER_PORTABLE_ARITHMETIC)
	__extension__ typedef unsigned __int128 uint128;
	uint128 product = (uint128)a * b;
	*high = (uint64_t)(product >> 64);
	*low = (uint64_t)product;
#else
	uint64_t a_low = (uint32_t)a, a_high = a >> 32;
	uint64_t b_low = (uint32_t)b, b_high = b >> 32;
	uint64_t low_low = a_low * b_low, high_low = a_high * b_low;
	uint64_t low_high = a_low * b_high, high_high = a_high * b_high;
	/* At most (2^32-1)^2 + 2 * (2^32-1) = 2^64 - 1: cannot overflow. */
	uint64_t middle = high_low + (low_low >> 32) + (uint32_t)low_high;
	*high = high_high + (middle >> 32) + (low_high >> 32);
	*low = (middle << 32) | (uint32_t)low_low;
#endif
}

/* Number of leading zero bits; value must not be 0. */
static inline int leading_zero_bits(uint64_t value)
{
#if (defined(__GNUC__) || defined(__clang__)) && !defined(ML_NUMBER_PORTABLE_ARITHMETIC)
	return __builtin_clzll(value);
#else
	int count = 0;
	for (int step = 32; step > 0; step /= 2)
		if (value >> (64 - step) == 0) {
			value <<= step;
			count += step;
		}
	return count;
#endif
}

/* floor(numerator / 2^16) without relying on how >> treats negative ints. */
static inline int floor_divide_by_65536(int32_t numerator)
{
	return numerator >= 0 ? numerator / 65536 : (numerator - 65535) / 65536;
}

/* floor(log2(5^n)) for |n| <= 642; 152170 / 2^16 ~ log2(5).  (The ranges
 * of these three approximations were checked against exact integers.) */
static inline int floor_log2_pow5(int n)
{
	return floor_divide_by_65536(n * 152170);
}

/* floor(log10(2^n)) for 0 <= n <= 1650; 78913 / 2^18 ~ log10(2). */
static inline int floor_log10_pow2(int n)
{
	return (int)(((uint32_t)n * 78913) >> 18);
}

/* floor(log10(5^n)) for 0 <= n <= 1699; 732923 / 2^20 ~ log10(5). */
static inline int floor_log10_pow5(int n)
{
	return (int)(((uint32_t)n * 732923) >> 20);
}

static const uint64_t powers_of_ten_u64[20] = {
	UINT64_C(1), UINT64_C(10), UINT64_C(100), UINT64_C(1000),
	UINT64_C(10000), UINT64_C(100000), UINT64_C(1000000),
	UINT64_C(10000000), UINT64_C(100000000), UINT64_C(1000000000),
	UINT64_C(10000000000), UINT64_C(100000000000),
	UINT64_C(1000000000000), UINT64_C(10000000000000),
	UINT64_C(100000000000000), UINT64_C(1000000000000000),
	UINT64_C(10000000000000000), UINT64_C(100000000000000000),
	UINT64_C(1000000000000000000), UINT64_C(10000000000000000000),
};

/* 5^n for the n where 5^n can divide a 55-bit integer (5^24 > 2^55). */
enum { MAX_POW5_DIVISOR = 23 };
static const uint64_t powers_of_five_u64[MAX_POW5_DIVISOR + 1] = {
	UINT64_C(1), UINT64_C(5), UINT64_C(25), UINT64_C(125), UINT64_C(625),
	UINT64_C(3125), UINT64_C(15625), UINT64_C(78125), UINT64_C(390625),
	UINT64_C(1953125), UINT64_C(9765625), UINT64_C(48828125),
	UINT64_C(244140625), UINT64_C(1220703125), UINT64_C(6103515625),
	UINT64_C(30517578125), UINT64_C(152587890625),
	UINT64_C(762939453125), UINT64_C(3814697265625),
	UINT64_C(19073486328125), UINT64_C(95367431640625),
	UINT64_C(476837158203125), UINT64_C(2384185791015625),
	UINT64_C(11920928955078125),
};

/* Number of decimal digits of n (1 for 0). */
static inline int decimal_digit_count(uint64_t n)
{
	if (n == 0)
		return 1;
	int bits = 64 - leading_zero_bits(n);
	int guess = (bits * 1233) >> 12; /* 1233 / 2^12 ~ log10(2) */
	return guess + (n >= powers_of_ten_u64[guess]);
}

/* ------------------------------------------------------------------------
 * 128-bit powers of five: see ml_number_table.h.
 */
/* The high and low 64-bit halves of T(q). */
static inline const uint64_t *power_of_five_128(int q)
{
	return ml_powers_of_five_128[q - ML_MIN_POWER_OF_FIVE];
}

/* ------------------------------------------------------------------------
 * The C locale for the strtod fallback, created on first use.  A race
 * between threads only costs one extra newlocale, freed by the loser.
 */

static locale_t c_locale(void)
{
	static _Atomic(locale_t) shared;
	locale_t locale = atomic_load_explicit(&shared, memory_order_acquire);
	if (locale != (locale_t)0)
		return locale;
	locale_t created = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (created == (locale_t)0)
		return (locale_t)0;
	locale_t expected = (locale_t)0;
	if (atomic_compare_exchange_strong_explicit(&shared, &expected, created,
						    memory_order_acq_rel, memory_order_acquire))
		return created;
	freelocale(created);
	return expected;
}

/*
 * The fallback texts are "<digits>e<exponent>" without a radix character,
 * which every locale reads the same way; so plain strtod is still exact if
 * the C locale cannot be created (out of memory).
 */
static double strtod_in_c_locale(const char *text)
{
	locale_t locale = c_locale();
	return locale != (locale_t)0 ? strtod_l(text, NULL, locale) : strtod(text, NULL);
}

/* Writes the decimal form of value (which may be negative) and returns the end. */
static char *write_int64(char *out, int64_t value)
{
	char reversed[24];
	int count = 0;
	uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
	do {
		reversed[count++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude != 0);
	if (value < 0)
		*out++ = '-';
	while (count > 0)
		*out++ = reversed[--count];
	return out;
}

/* ------------------------------------------------------------------------
 * Parsing: syntax.
 */

/* Every digit of a literal is in one of two runs, split by the point. */
struct decimal_literal {
	const char *integer_digits;
	size_t integer_count;
	const char *fraction_digits;
	size_t fraction_count;
	int64_t exponent; /* the e/E part, saturated at +-EXPONENT_SATURATION */
};

#if defined(__GNUC__) || defined(__clang__)
#define ML_NOINLINE __attribute__((noinline))
#define ML_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ML_NOINLINE
#define ML_ALWAYS_INLINE inline
#endif

/* Far beyond any exponent that matters, far below int64 overflow. */
#define EXPONENT_SATURATION INT64_C(1000000000)

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The i-th digit of the literal, counting both runs. */
static inline char literal_digit(const struct decimal_literal *literal, size_t i)
{
	return i < literal->integer_count ? literal->integer_digits[i]
					  : literal->fraction_digits[i - literal->integer_count];
}

/* Eight bytes in text order in the low-to-high bytes of the result. */
static inline uint64_t load_eight_bytes(const char *p)
{
	uint64_t chunk;
	memcpy(&chunk, p, sizeof chunk);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	chunk = __builtin_bswap64(chunk);
#elif !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	chunk = 0;
	for (int i = 7; i >= 0; i--)
		chunk = chunk << 8 | (unsigned char)p[i];
#endif
	return chunk;
}

/* Whether all eight bytes are '0'..'9' (0x30..0x39): adding 6 keeps the
 * high nibble at 3 exactly for those. */
static inline bool is_eight_digits(uint64_t chunk)
{
	const uint64_t high_nibbles = UINT64_C(0xF0F0F0F0F0F0F0F0);
	const uint64_t all_threes = UINT64_C(0x3030303030303030);
	return (chunk & high_nibbles) == all_threes &&
	       ((chunk + UINT64_C(0x0606060606060606)) & high_nibbles) == all_threes;
}

/* The value of eight digit characters, first character most significant,
 * by merging neighbours into 2-, 4- and 8-digit lanes (no lane overflows). */
static inline uint64_t eight_digits_value(uint64_t chunk)
{
	chunk -= UINT64_C(0x3030303030303030);
	chunk = (chunk * 10 + (chunk >> 8)) & UINT64_C(0x00FF00FF00FF00FF);
	chunk = (chunk * 100 + (chunk >> 16)) & UINT64_C(0x0000FFFF0000FFFF);
	return (chunk * 10000 + (chunk >> 32)) & UINT64_C(0xFFFFFFFF);
}

/*
 * Consumes a run of digits, appending them to *significand.  Past 19
 * digits the sum wraps around; callers then recompute it from the text.
 */
static inline const char *accumulate_digits(const char *p, const char *end, uint64_t *significand)
{
	uint64_t sum = *significand;
	while (end - p >= 8) {
		uint64_t chunk = load_eight_bytes(p);
		if (!is_eight_digits(chunk))
			break;
		sum = sum * 100000000 + eight_digits_value(chunk);
		p += 8;
	}
	for (; p < end && is_digit(*p); p++)
		sum = sum * 10 + (uint64_t)(*p - '0');
	*significand = sum;
	return p;
}

/* Parses "[+-]digits" after an 'e'; NULL when there are no digits. */
static const char *scan_exponent(const char *p, const char *end, int64_t *exponent)
{
	bool negative = false;
	if (p < end && (*p == '+' || *p == '-'))
		negative = *p++ == '-';
	if (p == end || !is_digit(*p))
		return NULL;
	int64_t magnitude = 0;
	for (; p < end && is_digit(*p); p++)
		if (magnitude < EXPONENT_SATURATION)
			magnitude = magnitude * 10 + (*p - '0');
	*exponent = negative ? -magnitude : magnitude;
	return p;
}

static bool equals_ignoring_case(const char *text, size_t length, const char *lowercase)
{
	if (length != strlen(lowercase))
		return false;
	for (size_t i = 0; i < length; i++)
		if ((text[i] | 0x20) != lowercase[i])
			return false;
	return true;
}

/* "inf" or "infinity" in any case, with an optional sign. */
static bool parse_infinity(const char *p, const char *end, double *value)
{
	bool negative = false;
	if (p < end && (*p == '+' || *p == '-'))
		negative = *p++ == '-';
	size_t length = (size_t)(end - p);
	if (!equals_ignoring_case(p, length, "inf") && !equals_ignoring_case(p, length, "infinity"))
		return false;
	*value = negative ? -INFINITY : INFINITY;
	return true;
}

/* ------------------------------------------------------------------------
 * Parsing: w * 10^q to the nearest double.
 */

/* Below 10^-342 even a 19-digit w rounds to 0; above 10^308 any w overflows. */
enum { MIN_PARSE_POWER = ML_MIN_POWER_OF_FIVE, MAX_PARSE_POWER = 308 };

/* 5^q for 0 <= q <= 27 fits in the high half of T(q), so w * T(q) is exact. */
enum { MAX_EXACT_PARSE_POWER = 27 };

/*
 * Rounds the significand high:low (plus unknown lower bits) to nearest,
 * ties to even, after dropping the `dropped` lowest bits of high (and all
 * of low); 10 <= dropped.  Unless `exact`, high:low may be off from the
 * true value by less than one unit of low either way, so a halfway point
 * H is only ruled out when high:low is neither H nor H - 1 in those units;
 * then the answer is false: undecided.
 */
static bool round_significand(uint64_t high, uint64_t low, int dropped, bool exact, uint64_t *rounded)
{
	if (dropped > 64) {
		/* Below half the smallest subnormal, unless within one unit
		 * of it (the halfway point 2^128 units when dropped is 65). */
		*rounded = 0;
		return !(dropped == 65 && high == UINT64_MAX && low == UINT64_MAX);
	}
	uint64_t kept = dropped == 64 ? 0 : high >> dropped;
	uint64_t rest = dropped == 64 ? high : high & ((UINT64_C(1) << dropped) - 1);
	uint64_t half = UINT64_C(1) << (dropped - 1);
	if (rest == half && low == 0) {
		if (!exact)
			return false;
		kept += kept & 1;
	} else if (rest == half - 1 && low == UINT64_MAX) {
		if (!exact)
			return false;
	} else if (rest >= half) {
		kept += 1;
	}
	*rounded = kept;
	return true;
}

/*
 * Eisel-Lemire: the bits of the double nearest to w * 10^q (w != 0), or
 * false when the 128-bit power of five leaves the rounding undecided.
 *
 * With W = w << z normalised to [2^63, 2^64) and 5^q = T(q) * 2^(L-127),
 * w * 10^q = W * T(q) * 2^(q + L - 127 - z).  The top 64 bits `high` of
 * the 192-bit product W * T(q) carry 63 or 64 significant bits, which
 * fixes the binary exponent.  When the low bits of the first 128-bit
 * partial product are not all ones, the second partial product (< 2^128,
 * less than one unit of high) cannot carry into the bits that are kept;
 * round_significand() still catches the one pattern it can turn into a
 * tie, so the second multiplication is only done when needed.
 */
static bool eisel_lemire(uint64_t w, int64_t q, uint64_t *bits)
{
	if (q < MIN_PARSE_POWER) {
		*bits = 0;
		return true;
	}
	if (q > MAX_PARSE_POWER) {
		*bits = INFINITY_BITS;
		return true;
	}
	int power = (int)q;
	int shift = leading_zero_bits(w);
	uint64_t normalized = w << shift;
	const uint64_t *five = power_of_five_128(power);
	uint64_t high, low;
	multiply_64x64(normalized, five[0], &high, &low);
	if ((high & 0x1FF) == 0x1FF) {
		uint64_t tail_high, tail_low;
		multiply_64x64(normalized, five[1], &tail_high, &tail_low);
		low += tail_high;
		high += low < tail_high;
	}
	int top_bit = (int)(high >> 63);
	/* high's leading bit has weight 2^(q + L + 1 - shift + 62 + top_bit). */
	int biased_exponent = power + floor_log2_pow5(power) - shift + 1086 + top_bit;
	if (biased_exponent >= MAX_BIASED_EXPONENT) {
		*bits = INFINITY_BITS;
		return true;
	}
	/* Keep 53 bits; a subnormal keeps fewer, with the exponent field 0. */
	int dropped = 10 + top_bit;
	uint64_t exponent_field = 0;
	if (biased_exponent >= 1)
		exponent_field = (uint64_t)(biased_exponent - 1) << SIGNIFICAND_BITS;
	else
		dropped += 1 - biased_exponent;
	bool exact = power >= 0 && power <= MAX_EXACT_PARSE_POWER;
	uint64_t significand;
	if (!round_significand(high, low, dropped, exact, &significand))
		return false;
	/* A significand rounded up to 2^53 (or a subnormal's to 2^52) carries
	 * into the exponent field, up to the infinity pattern at most. */
	*bits = exponent_field + significand;
	return true;
}

/* Clinger: w and 10^|q| are exact doubles, so one operation rounds right.
 * Needs double arithmetic without excess precision (FLT_EVAL_METHOD 0). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
#define ML_EXACT_DOUBLE_ARITHMETIC 1
static const double exact_powers_of_ten[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#endif

static bool clinger_fast_path(uint64_t w, int64_t q, double *value)
{
#ifdef ML_EXACT_DOUBLE_ARITHMETIC
	if (w <= HIDDEN_BIT << 1 && q >= -22 && q <= 22) {
		double significand = (double)w;
		*value = q < 0 ? significand / exact_powers_of_ten[-q]
			       : significand * exact_powers_of_ten[q];
		return true;
	}
#else
	(void)w, (void)q, (void)value;
#endif
	return false;
}

/* Keeps the C fallback's text (and exponent arithmetic) bounded. */
static int64_t clamp_exponent(int64_t exponent)
{
	const int64_t limit = 100000; /* 10^+-100000: far beyond any double */
	return exponent < -limit ? -limit : exponent > limit ? limit : exponent;
}

/* w * 10^q through strtod: "<w>e<q>". */
static double convert_with_strtod(uint64_t w, int64_t q)
{
	char text[48];
	char *end = write_int64(text, (int64_t)(w / 10));
	*end++ = (char)('0' + w % 10);
	*end++ = 'e';
	end = write_int64(end, clamp_exponent(q));
	*end = '\0';
	return strtod_in_c_locale(text);
}

/* The double nearest to w * 10^q, any w and q. */
static double decimal_to_double(uint64_t w, int64_t q)
{
	double value;
	uint64_t bits;
	if (w == 0)
		return 0.0;
	if (clinger_fast_path(w, q, &value))
		return value;
	if (eisel_lemire(w, q, &bits))
		return double_of_bits(bits);
	return convert_with_strtod(w, q);
}

/*
 * Correct rounding never needs more than 767 significant digits (the most
 * that a halfway point between two doubles has).  Beyond LONG_DIGITS_KEPT
 * the fallback text keeps a single sticky '1' standing for any nonzero
 * tail: that moves the value off a halfway point exactly when the
 * discarded digits do, and never across one.
 */
enum { LONG_DIGITS_KEPT = 800 };

/* A literal with more than 19 significant digits, through strtod. */
static double convert_long_literal_with_strtod(const struct decimal_literal *literal)
{
	char text[LONG_DIGITS_KEPT + 32];
	size_t count = literal->integer_count + literal->fraction_count;
	size_t first = 0;
	while (literal_digit(literal, first) == '0')
		first++;
	size_t kept = 0;
	bool nonzero_tail = false;
	for (size_t i = first; i < count; i++) {
		char digit = literal_digit(literal, i);
		if (kept < LONG_DIGITS_KEPT)
			text[kept++] = digit;
		else if (digit != '0')
			nonzero_tail = true;
	}
	if (nonzero_tail)
		text[kept++] = '1';
	/* value = 0.<kept digits> * 10^point = <kept digits> * 10^(point - kept) */
	int64_t point = clamp_exponent((int64_t)literal->integer_count - (int64_t)first + literal->exponent);
	char *end = text + kept;
	*end++ = 'e';
	end = write_int64(end, point - (int64_t)kept);
	*end = '\0';
	return strtod_in_c_locale(text);
}

/*
 * More than 19 significant digits: take the first 19 as w.  If any digit
 * after them is nonzero the value lies strictly between w * 10^q and
 * (w + 1) * 10^q, and when both ends round to the same double so does it.
 */
static double convert_long_literal(const struct decimal_literal *literal)
{
	size_t count = literal->integer_count + literal->fraction_count;
	size_t i = 0;
	while (literal_digit(literal, i) == '0')
		i++;
	uint64_t w = 0;
	for (size_t end = i + MAX_DIGITS_IN_U64; i < end; i++)
		w = w * 10 + (uint64_t)(literal_digit(literal, i) - '0');
	bool truncated = false;
	for (size_t rest = i; rest < count && !truncated; rest++)
		truncated = literal_digit(literal, rest) != '0';
	/* value ~ w * 10^q with the count - i digits after w dropped */
	int64_t q = clamp_exponent(literal->exponent - (int64_t)literal->fraction_count + (int64_t)(count - i));
	if (!truncated)
		return decimal_to_double(w, q);
	uint64_t below, above;
	if (eisel_lemire(w, q, &below) && eisel_lemire(w + 1, q, &above) && below == above)
		return double_of_bits(below);
	return convert_long_literal_with_strtod(literal);
}

/* w * 10^q with its sign, stored; for what Clinger's path did not take. */
static ML_NOINLINE bool store_decimal(uint64_t w, int64_t q, bool negative, double *value)
{
	double magnitude = decimal_to_double(w, q);
	*value = negative ? -magnitude : magnitude;
	return true;
}

/* A literal with more than 19 digits, leading zeros included, stored;
 * significand is its digit sum, wrapped around. */
static ML_NOINLINE bool store_long_literal(const struct decimal_literal *literal, uint64_t significand,
					   bool negative, double *value)
{
	size_t count = literal->integer_count + literal->fraction_count;
	size_t leading_zeros = 0;
	while (leading_zeros < count && literal_digit(literal, leading_zeros) == '0')
		leading_zeros++;
	double magnitude;
	if (leading_zeros == count)
		magnitude = 0.0;
	else if (count - leading_zeros > MAX_DIGITS_IN_U64)
		magnitude = convert_long_literal(literal);
	else /* leading zeros add nothing to the sum: it is exact */
		magnitude = decimal_to_double(significand, literal->exponent - (int64_t)literal->fraction_count);
	*value = negative ? -magnitude : magnitude;
	return true;
}

/*
 * The scan keeps everything in registers and Clinger's path needs nothing
 * else; the other paths are calls after which nothing is live, so the
 * common short numbers pay for no saved registers.
 */
/* The value of a scanned literal whose digits summed to significand (wrapped past 19). */
static ML_ALWAYS_INLINE bool convert_literal(const struct decimal_literal *literal,
					     uint64_t significand, bool negative, double *value)
{
	if (literal->integer_count + literal->fraction_count > MAX_DIGITS_IN_U64)
		return store_long_literal(literal, significand, negative, value);
	int64_t q = literal->exponent - (int64_t)literal->fraction_count;
	double magnitude;
	if (!clinger_fast_path(significand, q, &magnitude))
		return store_decimal(significand, q, negative, value);
	*value = negative ? -magnitude : magnitude;
	return true;
}

/*
 * After the integer digits (from literal->integer_digits to p): counts
 * them, then consumes ".digits" if there, the digits appended to
 * *significand; returns the end.
 */
static inline const char *scan_fraction(const char *p, const char *end, uint64_t *significand,
					struct decimal_literal *literal)
{
	literal->integer_count = (size_t)(p - literal->integer_digits);
	literal->fraction_digits = p;
	if (p < end && *p == '.') {
		literal->fraction_digits = ++p;
		p = accumulate_digits(p, end, significand);
		literal->fraction_count = (size_t)(p - literal->fraction_digits);
	}
	return p;
}

bool ml_parse_double(const char *text, size_t length, double *value)
{
	if (length == 0)
		return false;
	const char *p = text, *end = text + length;
	bool negative = false;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	uint64_t significand = 0;
	struct decimal_literal literal = { .integer_digits = p };
	p = accumulate_digits(p, end, &significand);
	p = scan_fraction(p, end, &significand, &literal);
	size_t digit_count = literal.integer_count + literal.fraction_count;
	if (digit_count != 0 && p < end && (*p == 'e' || *p == 'E'))
		p = scan_exponent(p + 1, end, &literal.exponent); /* NULL when malformed */
	if (p != end)
		return digit_count == 0 && parse_infinity(text, end, value);
	if (digit_count == 0)
		return false;
	return convert_literal(&literal, significand, negative, value);
}

/* Digits in all that the short path takes: below 10^15 < 2^53, w is an exact double. */
enum { SHORT_DIGITS = 15 };

/* The digit c stands for, or 10 or more when c is no digit: one comparison, not two. */
static inline unsigned digit_value(char c)
{
	return (unsigned)(unsigned char)c - '0';
}

/*
 * Bytes the short path may look at: a sign, SHORT_DIGITS digits, a point
 * and the byte after the last digit.  With this many available it reads
 * without checking for the end.
 */
enum { SHORT_REACH = SHORT_DIGITS + 3 };

/*
 * The common JSON number, "-?digits(.digits)?" with no exponent, at most
 * SHORT_DIGITS digits and no leading zero, in one tight loop: Clinger's
 * single division by an exact power of ten (at most 10^15) rounds it
 * correctly.  Returns its length, or 0 for anything else, *value untouched:
 * the general scan then reads it.  `end` is at least SHORT_REACH bytes on:
 * the digits run at most that far.
 */
static inline size_t parse_short_json_number_unbounded(const char *text, double *value)
{
#ifdef ML_EXACT_DOUBLE_ARITHMETIC
	const char *p = text;
	bool negative = *p == '-';
	p += negative;
	const char *digits = p, *stop = digits + SHORT_DIGITS;
	uint64_t w = 0;
	unsigned digit;
	while ((digit = digit_value(*p)) < 10 && p < stop) {
		w = w * 10 + digit;
		p++;
	}
	size_t integer_count = (size_t)(p - digits), fraction_count = 0;
	if (integer_count == 0 || (integer_count > 1 && digits[0] == '0'))
		return 0;
	if (*p == '.') {
		const char *fraction = ++p;
		/* The point took no digit's place: SHORT_DIGITS in all, the point not counted. */
		while ((digit = digit_value(*p)) < 10 && p < stop + 1) {
			w = w * 10 + digit;
			p++;
		}
		fraction_count = (size_t)(p - fraction);
		if (fraction_count == 0)
			return 0;
	}
	/* A digit here is one past SHORT_DIGITS; an exponent is the general scan's. */
	if (digit_value(*p) < 10 || *p == 'e' || *p == 'E')
		return 0;
	double magnitude = (double)w;
	if (fraction_count)
		magnitude /= exact_powers_of_ten[fraction_count];
	*value = negative ? -magnitude : magnitude;
	return (size_t)(p - text);
#else
	(void)text, (void)value;
	return 0;
#endif
}

/*
 * The same near the end of the text: its last bytes copied and followed by
 * blanks, which end a number as the end of the text does.
 */
static size_t parse_short_json_number(const char *text, size_t available, double *value)
{
	char padded[SHORT_REACH];
	memcpy(padded, text, available);
	memset(padded + available, ' ', SHORT_REACH - available);
	return parse_short_json_number_unbounded(padded, value);
}

/* Any JSON number: the scan that keeps every digit, for what the short path declines. */
static ML_NOINLINE size_t parse_any_json_number(const char *text, size_t available, double *value)
{
	const char *p = text, *end = text + available;
	bool negative = p < end && *p == '-';
	p += negative;
	if (p == end || !is_digit(*p))
		return 0;
	uint64_t significand = 0;
	struct decimal_literal literal = { .integer_digits = p };
	/* JSON allows no leading zero: "0" is the whole integer part, "01" ends after it. */
	p = *p == '0' ? p + 1 : accumulate_digits(p, end, &significand);
	const char *point = p;
	p = scan_fraction(p, end, &significand, &literal);
	if (p != point && literal.fraction_count == 0)
		return 0; /* "1." */
	if (p < end && (*p == 'e' || *p == 'E') &&
	    !(p = scan_exponent(p + 1, end, &literal.exponent)))
		return 0;
	if (!convert_literal(&literal, significand, negative, value))
		return 0;
	return (size_t)(p - text);
}

size_t ml_parse_json_number(const char *text, size_t available, double *value)
{
	/* Not inlined into the general scan: the short path saves no registers. */
	size_t short_length = available >= SHORT_REACH
		? parse_short_json_number_unbounded(text, value)
		: parse_short_json_number(text, available, value);
	return short_length ? short_length : parse_any_json_number(text, available, value);
}

/* ------------------------------------------------------------------------
 * Formatting: the shortest digits (Ryu).
 */

/* A 192-bit product, most significant word first. */
struct wide_product {
	uint64_t word2, word1, word0;
};

/* x * T(p) for a 128-bit power of five (high half first). */
static inline struct wide_product multiply_by_power(uint64_t x, const uint64_t *five)
{
	uint64_t high_high, high_low, low_high, low_low;
	multiply_64x64(x, five[0], &high_high, &high_low);
	multiply_64x64(x, five[1], &low_high, &low_low);
	struct wide_product product = {.word0 = low_low, .word1 = high_low + low_high};
	product.word2 = high_high + (product.word1 < low_high);
	return product;
}

/* T or 2T as a 192-bit number: the distances from mv * T to mp * T and mm * T. */
static inline struct wide_product power_times(const uint64_t *five, uint64_t k)
{
	struct wide_product multiple = {.word2 = 0, .word1 = five[0], .word0 = five[1]};
	if (k == 2) {
		multiple.word2 = five[0] >> 63;
		multiple.word1 = five[0] << 1 | five[1] >> 63;
		multiple.word0 = five[1] << 1;
	}
	return multiple;
}

static inline struct wide_product wide_add(struct wide_product a, struct wide_product b)
{
	struct wide_product sum;
	sum.word0 = a.word0 + b.word0;
	uint64_t carry = sum.word0 < b.word0;
	uint64_t partial = a.word1 + b.word1;
	uint64_t carry_out = partial < b.word1;
	sum.word1 = partial + carry;
	carry_out += sum.word1 < carry;
	sum.word2 = a.word2 + b.word2 + carry_out;
	return sum;
}

/* a - b, for a >= b. */
static inline struct wide_product wide_subtract(struct wide_product a, struct wide_product b)
{
	struct wide_product difference;
	difference.word0 = a.word0 - b.word0;
	uint64_t borrow = a.word0 < b.word0;
	uint64_t partial = a.word1 - b.word1;
	uint64_t borrow_out = a.word1 < b.word1;
	difference.word1 = partial - borrow;
	borrow_out += partial < borrow;
	difference.word2 = a.word2 - b.word2 - borrow_out;
	return difference;
}

/*
 * floor(product / 2^s) and whether the division is exact, for
 * 121 <= s <= 127; false when that cannot be told for sure.  Unless
 * `exact_product`, the product is off from the true one by less than
 * 2^55, so the floor is certain when the fraction bits lie in
 * [2^55, 2^s - 2^55], and then the true quotient is not an integer.
 */
static inline bool floor_of_product(struct wide_product product, int s, bool exact_product, uint64_t *quotient,
				    bool *exact)
{
	int shift = s - 64;
	*quotient = (product.word2 << (64 - shift)) | (product.word1 >> shift);
	uint64_t fraction_mask = (UINT64_C(1) << shift) - 1;
	uint64_t fraction_high = product.word1 & fraction_mask;
	if (exact_product) {
		*exact = fraction_high == 0 && product.word0 == 0;
		return true;
	}
	*exact = false;
	const uint64_t error = UINT64_C(1) << 55;
	if (fraction_high == 0)
		return product.word0 >= error;
	if (fraction_high == fraction_mask)
		return product.word0 <= 0 - error;
	return true;
}

/*
 * For e10 >= 1 the quotient x * 2^e2 / 10^e10 is an integer only when
 * 5^e10 divides x (then it is computed directly); replaces the product's
 * answer by that exact one when it applies.
 */
static inline bool divide_if_multiple_of_pow5(uint64_t x, int e2, int e10, uint64_t *quotient, bool *exact)
{
	if (e10 < 1 || e10 > MAX_POW5_DIVISOR || x % 5 != 0 || x % powers_of_five_u64[e10] != 0)
		return false;
	*quotient = (x / powers_of_five_u64[e10]) << (e2 - e10);
	*exact = true;
	return true;
}

/* The three scaled bounds that Ryu's digit search works on. */
struct scaled_interval {
	uint64_t vr, vp, vm; /* floor(x * 2^e2 / 10^e10) for x = mv, mp, mm */
	bool vr_exact, vp_exact, vm_exact;
};

/*
 * Computes the interval for mv = 4 * m2, mp = mv + 2 and mm = mv - gap
 * with one multiplication: mp * T and mm * T are mv * T +- small
 * multiples of T.  With p = -e10, x * 2^e2 / 10^e10 = x * T(p) / 2^s for
 * the s below (121..127 for every double).  T(p) is exact for 0 <= p <= 55;
 * for p > 55 the quotient is never an integer (it would need 2^q to divide
 * x with q > 126).  False when a floor cannot be told for sure.
 */
static bool scale_interval(uint64_t mv, uint64_t gap, int e2, int e10, struct scaled_interval *interval)
{
	int p = -e10;
	int s = 127 - e2 - p - floor_log2_pow5(p);
	bool exact_product = p >= 0 && p <= 55;
	const uint64_t *five = power_of_five_128(p);
	struct wide_product at_mv = multiply_by_power(mv, five);
	struct wide_product at_mp = wide_add(at_mv, power_times(five, 2));
	struct wide_product at_mm = wide_subtract(at_mv, power_times(five, gap));
	bool certain = true;
	if (!divide_if_multiple_of_pow5(mv, e2, e10, &interval->vr, &interval->vr_exact))
		certain &= floor_of_product(at_mv, s, exact_product, &interval->vr, &interval->vr_exact);
	if (!divide_if_multiple_of_pow5(mv + 2, e2, e10, &interval->vp, &interval->vp_exact))
		certain &= floor_of_product(at_mp, s, exact_product, &interval->vp, &interval->vp_exact);
	if (!divide_if_multiple_of_pow5(mv - gap, e2, e10, &interval->vm, &interval->vm_exact))
		certain &= floor_of_product(at_mm, s, exact_product, &interval->vm, &interval->vm_exact);
	return certain;
}

/*
 * Ryu's choice of decimal exponent e10 for the interval around
 * m2 * 2^e2 (here e2 already includes the factor 4 that makes the
 * interval bounds integers): the scaled bounds then have about 17 digits
 * and are far enough apart for the digit removal below.
 */
static int ryu_decimal_exponent(int e2)
{
	if (e2 >= 0)
		return floor_log10_pow2(e2) - (e2 > 3);
	return floor_log10_pow5(-e2) - (-e2 > 1) + e2;
}

/* Removes digits one at a time, tracking exactness (trailing zeros). */
static uint64_t remove_digits_with_trailing_zeros(uint64_t vr, uint64_t vp, uint64_t vm, bool vr_exact,
						  bool vm_exact, bool accept_bounds, int *removed)
{
	unsigned last_removed = 0;
	while (vp / 10 > vm / 10) {
		vm_exact &= vm % 10 == 0;
		vr_exact &= last_removed == 0;
		last_removed = (unsigned)(vr % 10);
		vr /= 10, vp /= 10, vm /= 10;
		++*removed;
	}
	if (vm_exact) {
		/* The lower bound is in the interval: keep shortening it. */
		while (vm % 10 == 0) {
			vr_exact &= last_removed == 0;
			last_removed = (unsigned)(vr % 10);
			vr /= 10, vp /= 10, vm /= 10;
			++*removed;
		}
	}
	if (vr_exact && last_removed == 5 && vr % 2 == 0)
		last_removed = 4; /* an exact tie: round half to even */
	bool at_excluded_bound = vr == vm && (!accept_bounds || !vm_exact);
	return vr + (at_excluded_bound || last_removed >= 5);
}

/*
 * One step of the common case: drops the last `digits` digits of the
 * bounds when the interval still holds a multiple of 10^digits, noting
 * whether the dropped part of vr reaches one half.  Inlined with a
 * constant divisor, so the divisions become multiplications.
 */
static ML_ALWAYS_INLINE void remove_digit_run(uint64_t divisor, int digits, uint64_t *vr, uint64_t *vp, uint64_t *vm,
				    bool *round_up, int *removed)
{
	if (*vp / divisor > *vm / divisor) {
		*round_up = *vr % divisor >= divisor / 2;
		*vr /= divisor, *vp /= divisor, *vm /= divisor;
		*removed += digits;
	}
}

/* The common case, nothing exact: remove runs of 8, 8, 4, 2 and 1 digits
 * (whether k digits can go is monotone in k, and at most 17 can) and round
 * on the first removed digit. */
static uint64_t remove_digits(uint64_t vr, uint64_t vp, uint64_t vm, int *removed)
{
	bool round_up = false;
	remove_digit_run(100000000, 8, &vr, &vp, &vm, &round_up, removed);
	remove_digit_run(100000000, 8, &vr, &vp, &vm, &round_up, removed);
	remove_digit_run(10000, 4, &vr, &vp, &vm, &round_up, removed);
	remove_digit_run(100, 2, &vr, &vp, &vm, &round_up, removed);
	remove_digit_run(10, 1, &vr, &vp, &vm, &round_up, removed);
	return vr + (vr == vm || round_up);
}

/*
 * The shortest digits that round to m2 * 2^e2 (closest to it among the
 * shortest), as *digits * 10^*exponent.  lower_gap_halved is set for powers
 * of two, whose lower neighbour is only half as far.  False in the
 * (unobserved) case where a product is too close to an integer.
 */
static bool shortest_decimal(uint64_t m2, int e2, bool lower_gap_halved, uint64_t *digits, int *exponent)
{
	bool accept_bounds = (m2 & 1) == 0;
	uint64_t gap = lower_gap_halved ? 1 : 2;
	e2 -= 2;
	int e10 = ryu_decimal_exponent(e2);
	struct scaled_interval interval;
	if (!scale_interval(4 * m2, gap, e2, e10, &interval))
		return false;
	uint64_t vr = interval.vr, vp = interval.vp, vm = interval.vm;
	bool vr_exact = interval.vr_exact, vp_exact = interval.vp_exact, vm_exact = interval.vm_exact;
	if (vp_exact && !accept_bounds)
		vp--; /* the open upper bound itself is not a candidate */
	int removed = 0;
	bool lower_bound_usable = accept_bounds && vm_exact;
	if (lower_bound_usable || vr_exact)
		*digits = remove_digits_with_trailing_zeros(vr, vp, vm, vr_exact, lower_bound_usable,
							    accept_bounds, &removed);
	else
		*digits = remove_digits(vr, vp, vm, &removed);
	*exponent = e10 + removed;
	return true;
}

/* Reads the digits and exponent of printf's "%.*e" output, whatever the
 * radix character. */
static void read_scientific(const char *text, uint64_t *digits, int *exponent)
{
	uint64_t sum = 0;
	int count = 0;
	for (; *text != 'e'; text++)
		if (is_digit(*text)) {
			sum = sum * 10 + (uint64_t)(*text - '0');
			count++;
		}
	*digits = sum;
	/* printf's own exponent: a sign and two or three digits. */
	int sign = text[1] == '-' ? -1 : 1, magnitude = 0;
	for (text += 2; is_digit(*text); text++)
		magnitude = magnitude * 10 + (*text - '0');
	*exponent = sign * magnitude - (count - 1);
}

/* Slow but sure: the first of %.0e .. %.16e that reads back as value. */
static void shortest_decimal_by_printf(double value, uint64_t *digits, int *exponent)
{
	for (int precision = 0; precision <= 16; precision++) {
		char text[64];
		snprintf(text, sizeof text, "%.*e", precision, value);
		read_scientific(text, digits, exponent);
		if (decimal_to_double(*digits, *exponent) == value)
			return;
	}
}

/* ------------------------------------------------------------------------
 * Formatting: text.
 */

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* Writes the eight digits of n < 10^8, zero-padded. */
static inline void write_eight_digits(char *out, uint32_t n)
{
	uint32_t high = n / 10000, low = n % 10000;
	memcpy(out, digit_pairs + 2 * (high / 100), 2);
	memcpy(out + 2, digit_pairs + 2 * (high % 100), 2);
	memcpy(out + 4, digit_pairs + 2 * (low / 100), 2);
	memcpy(out + 6, digit_pairs + 2 * (low % 100), 2);
}

/* Writes exactly `count` digits of n (n < 10^count), zero-padded. */
static void write_digits(char *out, uint64_t n, int count)
{
	char *p = out + count;
	while (n >= 100000000) {
		p -= 8;
		write_eight_digits(p, (uint32_t)(n % 100000000));
		n /= 100000000;
	}
	uint32_t rest = (uint32_t)n;
	while (rest >= 100) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * (rest % 100), 2);
		rest /= 100;
	}
	if (rest >= 10) {
		p -= 2;
		memcpy(p, digit_pairs + 2 * rest, 2);
	} else {
		*--p = (char)('0' + rest);
	}
	while (p > out)
		*--p = '0';
}

static char *write_unsigned(char *out, uint64_t n)
{
	int count = decimal_digit_count(n);
	write_digits(out, n, count);
	return out + count;
}

/* "e-07", "e+23", "e+308": sign and at least two digits, like printf. */
static char *write_exponent(char *out, int exponent)
{
	*out++ = 'e';
	*out++ = exponent < 0 ? '-' : '+';
	unsigned magnitude = (unsigned)(exponent < 0 ? -exponent : exponent);
	if (magnitude >= 100) {
		*out++ = (char)('0' + magnitude / 100);
		magnitude %= 100;
	}
	memcpy(out, digit_pairs + 2 * magnitude, 2);
	return out + 2;
}

/*
 * digits * 10^exponent the way printf's %g prints it when the precision is
 * the number of significant digits: scientific when the decimal exponent
 * is below -4 or at least that precision, positional otherwise.
 */
static char *write_general_notation(char *out, uint64_t digits, int exponent)
{
	while (digits % 10 == 0) {
		digits /= 10;
		exponent++;
	}
	int count = decimal_digit_count(digits);
	int leading_exponent = exponent + count - 1;
	if (leading_exponent < -4 || leading_exponent >= count) {
		/* d.ddde+XX: write the digits one place to the right, then
		 * bring the first one back in front of the point. */
		write_digits(out + 1, digits, count);
		out[0] = out[1];
		if (count > 1) {
			out[1] = '.';
			out += count + 1;
		} else {
			out += 1;
		}
		return write_exponent(out, leading_exponent);
	}
	if (leading_exponent < 0) {
		memcpy(out, "0.000", 5);
		out += 1 - leading_exponent; /* "0." and -leading_exponent - 1 zeros */
		write_digits(out, digits, count);
		return out + count;
	}
	int integer_digits = leading_exponent + 1;
	if (integer_digits == count) {
		write_digits(out, digits, count);
		return out + count;
	}
	/* ddd.ddd through a scratch copy with fixed-size moves; count <= 17
	 * bounds every write below within ML_DOUBLE_BUFSIZE. */
	char text[24] = {0};
	write_digits(text, digits, count);
	memcpy(out, text, 16);
	out[integer_digits] = '.';
	if (count - integer_digits <= 8)
		memcpy(out + integer_digits + 1, text + integer_digits, 8);
	else /* then integer_digits <= 8 */
		memcpy(out + integer_digits + 1, text + integer_digits, 16);
	return out + count + 1;
}

/* Whether the finite magnitude is an integer below 2^53, and which. */
static bool is_small_integer(unsigned biased_exponent, uint64_t fraction, uint64_t *integer)
{
	if (biased_exponent < EXPONENT_BIAS || biased_exponent > EXPONENT_BIAS + SIGNIFICAND_BITS)
		return false;
	unsigned fraction_bits = EXPONENT_BIAS + SIGNIFICAND_BITS - biased_exponent;
	uint64_t significand = fraction | HIDDEN_BIT;
	if ((significand & ((UINT64_C(1) << fraction_bits) - 1)) != 0)
		return false;
	*integer = significand >> fraction_bits;
	return true;
}

static size_t copy_text(char *buffer, const char *text)
{
	size_t length = strlen(text);
	memcpy(buffer, text, length + 1);
	return length;
}

size_t ml_format_double(double value, char *buffer)
{
	uint64_t bits = bits_of_double(value);
	bool negative = bits >> 63;
	unsigned biased_exponent = (unsigned)(bits >> SIGNIFICAND_BITS) & MAX_BIASED_EXPONENT;
	uint64_t fraction = bits & FRACTION_MASK;
	if (biased_exponent == MAX_BIASED_EXPONENT)
		return copy_text(buffer, fraction != 0 ? "nan" : negative ? "-inf" : "inf");
	char *out = buffer;
	if (negative)
		*out++ = '-';
	uint64_t integer;
	if (biased_exponent == 0 && fraction == 0) {
		*out++ = '0';
	} else if (is_small_integer(biased_exponent, fraction, &integer)) {
		out = write_unsigned(out, integer);
	} else {
		bool subnormal = biased_exponent == 0;
		uint64_t m2 = subnormal ? fraction : fraction | HIDDEN_BIT;
		int e2 = (subnormal ? 1 : (int)biased_exponent) - EXPONENT_BIAS - SIGNIFICAND_BITS;
		bool lower_gap_halved = fraction == 0 && biased_exponent > 1;
		uint64_t digits;
		int exponent;
		if (!shortest_decimal(m2, e2, lower_gap_halved, &digits, &exponent))
			shortest_decimal_by_printf(fabs(value), &digits, &exponent);
		out = write_general_notation(out, digits, exponent);
	}
	*out = '\0';
	return (size_t)(out - buffer);
}

size_t ml_format_double_digits(double value, int digits, char *buffer)
{
	if (digits <= 0 || digits >= 17 || !isfinite(value))
		return ml_format_double(value, buffer);
	locale_t locale = c_locale(), previous = locale ? uselocale(locale) : (locale_t)0;
	int length = snprintf(buffer, ML_DOUBLE_BUFSIZE, "%.*g", digits, value);
	if (previous)
		uselocale(previous);
	return length > 0 ? (size_t)length : ml_format_double(value, buffer);
}
