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
#include "ml_number.h"

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
 * 128-bit powers of five.
 *
 * Row q (MIN_POWER_OF_FIVE <= q <= MAX_POWER_OF_FIVE) holds the 128-bit
 * integer T(q) in [2^127, 2^128) with T(q) <= 5^q * 2^(127 - L) < T(q) + 1,
 * where L = floor(log2(5^q)) = floor_log2_pow5(q): 5^q scaled to 128
 * significant bits and truncated.  For 0 <= q <= 55 the truncation is
 * exact (5^55 < 2^128).  The parser needs -342..308 (below 1e-342 every
 * 19-digit w gives 0, above 1e308 infinity) and the formatter -290..325.
 *
 * Generated with exact integers by:
 *
 *   for q in range(-342, 343):
 *       if q >= 0:
 *           n = 5 ** q
 *           b = n.bit_length()
 *           t = n << (128 - b) if b <= 128 else n >> (b - 128)
 *       else:
 *           d = 5 ** -q
 *           t = (1 << (127 + d.bit_length())) // d
 *       print("\t{0x%016x, 0x%016x}, /" "* %d *" "/" % (t >> 64, t % 2**64, q))
 */
enum { MIN_POWER_OF_FIVE = -342, MAX_POWER_OF_FIVE = 342 };

static const uint64_t powers_of_five_128[MAX_POWER_OF_FIVE - MIN_POWER_OF_FIVE + 1][2] = {
	{0xeef453d6923bd65a, 0x113faa2906a13b3f}, /* -342 */
	{0x9558b4661b6565f8, 0x4ac7ca59a424c507}, /* -341 */
	{0xbaaee17fa23ebf76, 0x5d79bcf00d2df649}, /* -340 */
	{0xe95a99df8ace6f53, 0xf4d82c2c107973dc}, /* -339 */
	{0x91d8a02bb6c10594, 0x79071b9b8a4be869}, /* -338 */
	{0xb64ec836a47146f9, 0x9748e2826cdee284}, /* -337 */
	{0xe3e27a444d8d98b7, 0xfd1b1b2308169b25}, /* -336 */
	{0x8e6d8c6ab0787f72, 0xfe30f0f5e50e20f7}, /* -335 */
	{0xb208ef855c969f4f, 0xbdbd2d335e51a935}, /* -334 */
	{0xde8b2b66b3bc4723, 0xad2c788035e61382}, /* -333 */
	{0x8b16fb203055ac76, 0x4c3bcb5021afcc31}, /* -332 */
	{0xaddcb9e83c6b1793, 0xdf4abe242a1bbf3d}, /* -331 */
	{0xd953e8624b85dd78, 0xd71d6dad34a2af0d}, /* -330 */
	{0x87d4713d6f33aa6b, 0x8672648c40e5ad68}, /* -329 */
	{0xa9c98d8ccb009506, 0x680efdaf511f18c2}, /* -328 */
	{0xd43bf0effdc0ba48, 0x0212bd1b2566def2}, /* -327 */
	{0x84a57695fe98746d, 0x014bb630f7604b57}, /* -326 */
	{0xa5ced43b7e3e9188, 0x419ea3bd35385e2d}, /* -325 */
	{0xcf42894a5dce35ea, 0x52064cac828675b9}, /* -324 */
	{0x818995ce7aa0e1b2, 0x7343efebd1940993}, /* -323 */
	{0xa1ebfb4219491a1f, 0x1014ebe6c5f90bf8}, /* -322 */
	{0xca66fa129f9b60a6, 0xd41a26e077774ef6}, /* -321 */
	{0xfd00b897478238d0, 0x8920b098955522b4}, /* -320 */
	{0x9e20735e8cb16382, 0x55b46e5f5d5535b0}, /* -319 */
	{0xc5a890362fddbc62, 0xeb2189f734aa831d}, /* -318 */
	{0xf712b443bbd52b7b, 0xa5e9ec7501d523e4}, /* -317 */
	{0x9a6bb0aa55653b2d, 0x47b233c92125366e}, /* -316 */
	{0xc1069cd4eabe89f8, 0x999ec0bb696e840a}, /* -315 */
	{0xf148440a256e2c76, 0xc00670ea43ca250d}, /* -314 */
	{0x96cd2a865764dbca, 0x380406926a5e5728}, /* -313 */
	{0xbc807527ed3e12bc, 0xc605083704f5ecf2}, /* -312 */
	{0xeba09271e88d976b, 0xf7864a44c633682e}, /* -311 */
	{0x93445b8731587ea3, 0x7ab3ee6afbe0211d}, /* -310 */
	{0xb8157268fdae9e4c, 0x5960ea05bad82964}, /* -309 */
	{0xe61acf033d1a45df, 0x6fb92487298e33bd}, /* -308 */
	{0x8fd0c16206306bab, 0xa5d3b6d479f8e056}, /* -307 */
	{0xb3c4f1ba87bc8696, 0x8f48a4899877186c}, /* -306 */
	{0xe0b62e2929aba83c, 0x331acdabfe94de87}, /* -305 */
	{0x8c71dcd9ba0b4925, 0x9ff0c08b7f1d0b14}, /* -304 */
	{0xaf8e5410288e1b6f, 0x07ecf0ae5ee44dd9}, /* -303 */
	{0xdb71e91432b1a24a, 0xc9e82cd9f69d6150}, /* -302 */
	{0x892731ac9faf056e, 0xbe311c083a225cd2}, /* -301 */
	{0xab70fe17c79ac6ca, 0x6dbd630a48aaf406}, /* -300 */
	{0xd64d3d9db981787d, 0x092cbbccdad5b108}, /* -299 */
	{0x85f0468293f0eb4e, 0x25bbf56008c58ea5}, /* -298 */
	{0xa76c582338ed2621, 0xaf2af2b80af6f24e}, /* -297 */
	{0xd1476e2c07286faa, 0x1af5af660db4aee1}, /* -296 */
	{0x82cca4db847945ca, 0x50d98d9fc890ed4d}, /* -295 */
	{0xa37fce126597973c, 0xe50ff107bab528a0}, /* -294 */
	{0xcc5fc196fefd7d0c, 0x1e53ed49a96272c8}, /* -293 */
	{0xff77b1fcbebcdc4f, 0x25e8e89c13bb0f7a}, /* -292 */
	{0x9faacf3df73609b1, 0x77b191618c54e9ac}, /* -291 */
	{0xc795830d75038c1d, 0xd59df5b9ef6a2417}, /* -290 */
	{0xf97ae3d0d2446f25, 0x4b0573286b44ad1d}, /* -289 */
	{0x9becce62836ac577, 0x4ee367f9430aec32}, /* -288 */
	{0xc2e801fb244576d5, 0x229c41f793cda73f}, /* -287 */
	{0xf3a20279ed56d48a, 0x6b43527578c1110f}, /* -286 */
	{0x9845418c345644d6, 0x830a13896b78aaa9}, /* -285 */
	{0xbe5691ef416bd60c, 0x23cc986bc656d553}, /* -284 */
	{0xedec366b11c6cb8f, 0x2cbfbe86b7ec8aa8}, /* -283 */
	{0x94b3a202eb1c3f39, 0x7bf7d71432f3d6a9}, /* -282 */
	{0xb9e08a83a5e34f07, 0xdaf5ccd93fb0cc53}, /* -281 */
	{0xe858ad248f5c22c9, 0xd1b3400f8f9cff68}, /* -280 */
	{0x91376c36d99995be, 0x23100809b9c21fa1}, /* -279 */
	{0xb58547448ffffb2d, 0xabd40a0c2832a78a}, /* -278 */
	{0xe2e69915b3fff9f9, 0x16c90c8f323f516c}, /* -277 */
	{0x8dd01fad907ffc3b, 0xae3da7d97f6792e3}, /* -276 */
	{0xb1442798f49ffb4a, 0x99cd11cfdf41779c}, /* -275 */
	{0xdd95317f31c7fa1d, 0x40405643d711d583}, /* -274 */
	{0x8a7d3eef7f1cfc52, 0x482835ea666b2572}, /* -273 */
	{0xad1c8eab5ee43b66, 0xda3243650005eecf}, /* -272 */
	{0xd863b256369d4a40, 0x90bed43e40076a82}, /* -271 */
	{0x873e4f75e2224e68, 0x5a7744a6e804a291}, /* -270 */
	{0xa90de3535aaae202, 0x711515d0a205cb36}, /* -269 */
	{0xd3515c2831559a83, 0x0d5a5b44ca873e03}, /* -268 */
	{0x8412d9991ed58091, 0xe858790afe9486c2}, /* -267 */
	{0xa5178fff668ae0b6, 0x626e974dbe39a872}, /* -266 */
	{0xce5d73ff402d98e3, 0xfb0a3d212dc8128f}, /* -265 */
	{0x80fa687f881c7f8e, 0x7ce66634bc9d0b99}, /* -264 */
	{0xa139029f6a239f72, 0x1c1fffc1ebc44e80}, /* -263 */
	{0xc987434744ac874e, 0xa327ffb266b56220}, /* -262 */
	{0xfbe9141915d7a922, 0x4bf1ff9f0062baa8}, /* -261 */
	{0x9d71ac8fada6c9b5, 0x6f773fc3603db4a9}, /* -260 */
	{0xc4ce17b399107c22, 0xcb550fb4384d21d3}, /* -259 */
	{0xf6019da07f549b2b, 0x7e2a53a146606a48}, /* -258 */
	{0x99c102844f94e0fb, 0x2eda7444cbfc426d}, /* -257 */
	{0xc0314325637a1939, 0xfa911155fefb5308}, /* -256 */
	{0xf03d93eebc589f88, 0x793555ab7eba27ca}, /* -255 */
	{0x96267c7535b763b5, 0x4bc1558b2f3458de}, /* -254 */
	{0xbbb01b9283253ca2, 0x9eb1aaedfb016f16}, /* -253 */
	{0xea9c227723ee8bcb, 0x465e15a979c1cadc}, /* -252 */
	{0x92a1958a7675175f, 0x0bfacd89ec191ec9}, /* -251 */
	{0xb749faed14125d36, 0xcef980ec671f667b}, /* -250 */
	{0xe51c79a85916f484, 0x82b7e12780e7401a}, /* -249 */
	{0x8f31cc0937ae58d2, 0xd1b2ecb8b0908810}, /* -248 */
	{0xb2fe3f0b8599ef07, 0x861fa7e6dcb4aa15}, /* -247 */
	{0xdfbdcece67006ac9, 0x67a791e093e1d49a}, /* -246 */
	{0x8bd6a141006042bd, 0xe0c8bb2c5c6d24e0}, /* -245 */
	{0xaecc49914078536d, 0x58fae9f773886e18}, /* -244 */
	{0xda7f5bf590966848, 0xaf39a475506a899e}, /* -243 */
	{0x888f99797a5e012d, 0x6d8406c952429603}, /* -242 */
	{0xaab37fd7d8f58178, 0xc8e5087ba6d33b83}, /* -241 */
	{0xd5605fcdcf32e1d6, 0xfb1e4a9a90880a64}, /* -240 */
	{0x855c3be0a17fcd26, 0x5cf2eea09a55067f}, /* -239 */
	{0xa6b34ad8c9dfc06f, 0xf42faa48c0ea481e}, /* -238 */
	{0xd0601d8efc57b08b, 0xf13b94daf124da26}, /* -237 */
	{0x823c12795db6ce57, 0x76c53d08d6b70858}, /* -236 */
	{0xa2cb1717b52481ed, 0x54768c4b0c64ca6e}, /* -235 */
	{0xcb7ddcdda26da268, 0xa9942f5dcf7dfd09}, /* -234 */
	{0xfe5d54150b090b02, 0xd3f93b35435d7c4c}, /* -233 */
	{0x9efa548d26e5a6e1, 0xc47bc5014a1a6daf}, /* -232 */
	{0xc6b8e9b0709f109a, 0x359ab6419ca1091b}, /* -231 */
	{0xf867241c8cc6d4c0, 0xc30163d203c94b62}, /* -230 */
	{0x9b407691d7fc44f8, 0x79e0de63425dcf1d}, /* -229 */
	{0xc21094364dfb5636, 0x985915fc12f542e4}, /* -228 */
	{0xf294b943e17a2bc4, 0x3e6f5b7b17b2939d}, /* -227 */
	{0x979cf3ca6cec5b5a, 0xa705992ceecf9c42}, /* -226 */
	{0xbd8430bd08277231, 0x50c6ff782a838353}, /* -225 */
	{0xece53cec4a314ebd, 0xa4f8bf5635246428}, /* -224 */
	{0x940f4613ae5ed136, 0x871b7795e136be99}, /* -223 */
	{0xb913179899f68584, 0x28e2557b59846e3f}, /* -222 */
	{0xe757dd7ec07426e5, 0x331aeada2fe589cf}, /* -221 */
	{0x9096ea6f3848984f, 0x3ff0d2c85def7621}, /* -220 */
	{0xb4bca50b065abe63, 0x0fed077a756b53a9}, /* -219 */
	{0xe1ebce4dc7f16dfb, 0xd3e8495912c62894}, /* -218 */
	{0x8d3360f09cf6e4bd, 0x64712dd7abbbd95c}, /* -217 */
	{0xb080392cc4349dec, 0xbd8d794d96aacfb3}, /* -216 */
	{0xdca04777f541c567, 0xecf0d7a0fc5583a0}, /* -215 */
	{0x89e42caaf9491b60, 0xf41686c49db57244}, /* -214 */
	{0xac5d37d5b79b6239, 0x311c2875c522ced5}, /* -213 */
	{0xd77485cb25823ac7, 0x7d633293366b828b}, /* -212 */
	{0x86a8d39ef77164bc, 0xae5dff9c02033197}, /* -211 */
	{0xa8530886b54dbdeb, 0xd9f57f830283fdfc}, /* -210 */
	{0xd267caa862a12d66, 0xd072df63c324fd7b}, /* -209 */
	{0x8380dea93da4bc60, 0x4247cb9e59f71e6d}, /* -208 */
	{0xa46116538d0deb78, 0x52d9be85f074e608}, /* -207 */
	{0xcd795be870516656, 0x67902e276c921f8b}, /* -206 */
	{0x806bd9714632dff6, 0x00ba1cd8a3db53b6}, /* -205 */
	{0xa086cfcd97bf97f3, 0x80e8a40eccd228a4}, /* -204 */
	{0xc8a883c0fdaf7df0, 0x6122cd128006b2cd}, /* -203 */
	{0xfad2a4b13d1b5d6c, 0x796b805720085f81}, /* -202 */
	{0x9cc3a6eec6311a63, 0xcbe3303674053bb0}, /* -201 */
	{0xc3f490aa77bd60fc, 0xbedbfc4411068a9c}, /* -200 */
	{0xf4f1b4d515acb93b, 0xee92fb5515482d44}, /* -199 */
	{0x991711052d8bf3c5, 0x751bdd152d4d1c4a}, /* -198 */
	{0xbf5cd54678eef0b6, 0xd262d45a78a0635d}, /* -197 */
	{0xef340a98172aace4, 0x86fb897116c87c34}, /* -196 */
	{0x9580869f0e7aac0e, 0xd45d35e6ae3d4da0}, /* -195 */
	{0xbae0a846d2195712, 0x8974836059cca109}, /* -194 */
	{0xe998d258869facd7, 0x2bd1a438703fc94b}, /* -193 */
	{0x91ff83775423cc06, 0x7b6306a34627ddcf}, /* -192 */
	{0xb67f6455292cbf08, 0x1a3bc84c17b1d542}, /* -191 */
	{0xe41f3d6a7377eeca, 0x20caba5f1d9e4a93}, /* -190 */
	{0x8e938662882af53e, 0x547eb47b7282ee9c}, /* -189 */
	{0xb23867fb2a35b28d, 0xe99e619a4f23aa43}, /* -188 */
	{0xdec681f9f4c31f31, 0x6405fa00e2ec94d4}, /* -187 */
	{0x8b3c113c38f9f37e, 0xde83bc408dd3dd04}, /* -186 */
	{0xae0b158b4738705e, 0x9624ab50b148d445}, /* -185 */
	{0xd98ddaee19068c76, 0x3badd624dd9b0957}, /* -184 */
	{0x87f8a8d4cfa417c9, 0xe54ca5d70a80e5d6}, /* -183 */
	{0xa9f6d30a038d1dbc, 0x5e9fcf4ccd211f4c}, /* -182 */
	{0xd47487cc8470652b, 0x7647c3200069671f}, /* -181 */
	{0x84c8d4dfd2c63f3b, 0x29ecd9f40041e073}, /* -180 */
	{0xa5fb0a17c777cf09, 0xf468107100525890}, /* -179 */
	{0xcf79cc9db955c2cc, 0x7182148d4066eeb4}, /* -178 */
	{0x81ac1fe293d599bf, 0xc6f14cd848405530}, /* -177 */
	{0xa21727db38cb002f, 0xb8ada00e5a506a7c}, /* -176 */
	{0xca9cf1d206fdc03b, 0xa6d90811f0e4851c}, /* -175 */
	{0xfd442e4688bd304a, 0x908f4a166d1da663}, /* -174 */
	{0x9e4a9cec15763e2e, 0x9a598e4e043287fe}, /* -173 */
	{0xc5dd44271ad3cdba, 0x40eff1e1853f29fd}, /* -172 */
	{0xf7549530e188c128, 0xd12bee59e68ef47c}, /* -171 */
	{0x9a94dd3e8cf578b9, 0x82bb74f8301958ce}, /* -170 */
	{0xc13a148e3032d6e7, 0xe36a52363c1faf01}, /* -169 */
	{0xf18899b1bc3f8ca1, 0xdc44e6c3cb279ac1}, /* -168 */
	{0x96f5600f15a7b7e5, 0x29ab103a5ef8c0b9}, /* -167 */
	{0xbcb2b812db11a5de, 0x7415d448f6b6f0e7}, /* -166 */
	{0xebdf661791d60f56, 0x111b495b3464ad21}, /* -165 */
	{0x936b9fcebb25c995, 0xcab10dd900beec34}, /* -164 */
	{0xb84687c269ef3bfb, 0x3d5d514f40eea742}, /* -163 */
	{0xe65829b3046b0afa, 0x0cb4a5a3112a5112}, /* -162 */
	{0x8ff71a0fe2c2e6dc, 0x47f0e785eaba72ab}, /* -161 */
	{0xb3f4e093db73a093, 0x59ed216765690f56}, /* -160 */
	{0xe0f218b8d25088b8, 0x306869c13ec3532c}, /* -159 */
	{0x8c974f7383725573, 0x1e414218c73a13fb}, /* -158 */
	{0xafbd2350644eeacf, 0xe5d1929ef90898fa}, /* -157 */
	{0xdbac6c247d62a583, 0xdf45f746b74abf39}, /* -156 */
	{0x894bc396ce5da772, 0x6b8bba8c328eb783}, /* -155 */
	{0xab9eb47c81f5114f, 0x066ea92f3f326564}, /* -154 */
	{0xd686619ba27255a2, 0xc80a537b0efefebd}, /* -153 */
	{0x8613fd0145877585, 0xbd06742ce95f5f36}, /* -152 */
	{0xa798fc4196e952e7, 0x2c48113823b73704}, /* -151 */
	{0xd17f3b51fca3a7a0, 0xf75a15862ca504c5}, /* -150 */
	{0x82ef85133de648c4, 0x9a984d73dbe722fb}, /* -149 */
	{0xa3ab66580d5fdaf5, 0xc13e60d0d2e0ebba}, /* -148 */
	{0xcc963fee10b7d1b3, 0x318df905079926a8}, /* -147 */
	{0xffbbcfe994e5c61f, 0xfdf17746497f7052}, /* -146 */
	{0x9fd561f1fd0f9bd3, 0xfeb6ea8bedefa633}, /* -145 */
	{0xc7caba6e7c5382c8, 0xfe64a52ee96b8fc0}, /* -144 */
	{0xf9bd690a1b68637b, 0x3dfdce7aa3c673b0}, /* -143 */
	{0x9c1661a651213e2d, 0x06bea10ca65c084e}, /* -142 */
	{0xc31bfa0fe5698db8, 0x486e494fcff30a62}, /* -141 */
	{0xf3e2f893dec3f126, 0x5a89dba3c3efccfa}, /* -140 */
	{0x986ddb5c6b3a76b7, 0xf89629465a75e01c}, /* -139 */
	{0xbe89523386091465, 0xf6bbb397f1135823}, /* -138 */
	{0xee2ba6c0678b597f, 0x746aa07ded582e2c}, /* -137 */
	{0x94db483840b717ef, 0xa8c2a44eb4571cdc}, /* -136 */
	{0xba121a4650e4ddeb, 0x92f34d62616ce413}, /* -135 */
	{0xe896a0d7e51e1566, 0x77b020baf9c81d17}, /* -134 */
	{0x915e2486ef32cd60, 0x0ace1474dc1d122e}, /* -133 */
	{0xb5b5ada8aaff80b8, 0x0d819992132456ba}, /* -132 */
	{0xe3231912d5bf60e6, 0x10e1fff697ed6c69}, /* -131 */
	{0x8df5efabc5979c8f, 0xca8d3ffa1ef463c1}, /* -130 */
	{0xb1736b96b6fd83b3, 0xbd308ff8a6b17cb2}, /* -129 */
	{0xddd0467c64bce4a0, 0xac7cb3f6d05ddbde}, /* -128 */
	{0x8aa22c0dbef60ee4, 0x6bcdf07a423aa96b}, /* -127 */
	{0xad4ab7112eb3929d, 0x86c16c98d2c953c6}, /* -126 */
	{0xd89d64d57a607744, 0xe871c7bf077ba8b7}, /* -125 */
	{0x87625f056c7c4a8b, 0x11471cd764ad4972}, /* -124 */
	{0xa93af6c6c79b5d2d, 0xd598e40d3dd89bcf}, /* -123 */
	{0xd389b47879823479, 0x4aff1d108d4ec2c3}, /* -122 */
	{0x843610cb4bf160cb, 0xcedf722a585139ba}, /* -121 */
	{0xa54394fe1eedb8fe, 0xc2974eb4ee658828}, /* -120 */
	{0xce947a3da6a9273e, 0x733d226229feea32}, /* -119 */
	{0x811ccc668829b887, 0x0806357d5a3f525f}, /* -118 */
	{0xa163ff802a3426a8, 0xca07c2dcb0cf26f7}, /* -117 */
	{0xc9bcff6034c13052, 0xfc89b393dd02f0b5}, /* -116 */
	{0xfc2c3f3841f17c67, 0xbbac2078d443ace2}, /* -115 */
	{0x9d9ba7832936edc0, 0xd54b944b84aa4c0d}, /* -114 */
	{0xc5029163f384a931, 0x0a9e795e65d4df11}, /* -113 */
	{0xf64335bcf065d37d, 0x4d4617b5ff4a16d5}, /* -112 */
	{0x99ea0196163fa42e, 0x504bced1bf8e4e45}, /* -111 */
	{0xc06481fb9bcf8d39, 0xe45ec2862f71e1d6}, /* -110 */
	{0xf07da27a82c37088, 0x5d767327bb4e5a4c}, /* -109 */
	{0x964e858c91ba2655, 0x3a6a07f8d510f86f}, /* -108 */
	{0xbbe226efb628afea, 0x890489f70a55368b}, /* -107 */
	{0xeadab0aba3b2dbe5, 0x2b45ac74ccea842e}, /* -106 */
	{0x92c8ae6b464fc96f, 0x3b0b8bc90012929d}, /* -105 */
	{0xb77ada0617e3bbcb, 0x09ce6ebb40173744}, /* -104 */
	{0xe55990879ddcaabd, 0xcc420a6a101d0515}, /* -103 */
	{0x8f57fa54c2a9eab6, 0x9fa946824a12232d}, /* -102 */
	{0xb32df8e9f3546564, 0x47939822dc96abf9}, /* -101 */
	{0xdff9772470297ebd, 0x59787e2b93bc56f7}, /* -100 */
	{0x8bfbea76c619ef36, 0x57eb4edb3c55b65a}, /* -99 */
	{0xaefae51477a06b03, 0xede622920b6b23f1}, /* -98 */
	{0xdab99e59958885c4, 0xe95fab368e45eced}, /* -97 */
	{0x88b402f7fd75539b, 0x11dbcb0218ebb414}, /* -96 */
	{0xaae103b5fcd2a881, 0xd652bdc29f26a119}, /* -95 */
	{0xd59944a37c0752a2, 0x4be76d3346f0495f}, /* -94 */
	{0x857fcae62d8493a5, 0x6f70a4400c562ddb}, /* -93 */
	{0xa6dfbd9fb8e5b88e, 0xcb4ccd500f6bb952}, /* -92 */
	{0xd097ad07a71f26b2, 0x7e2000a41346a7a7}, /* -91 */
	{0x825ecc24c873782f, 0x8ed400668c0c28c8}, /* -90 */
	{0xa2f67f2dfa90563b, 0x728900802f0f32fa}, /* -89 */
	{0xcbb41ef979346bca, 0x4f2b40a03ad2ffb9}, /* -88 */
	{0xfea126b7d78186bc, 0xe2f610c84987bfa8}, /* -87 */
	{0x9f24b832e6b0f436, 0x0dd9ca7d2df4d7c9}, /* -86 */
	{0xc6ede63fa05d3143, 0x91503d1c79720dbb}, /* -85 */
	{0xf8a95fcf88747d94, 0x75a44c6397ce912a}, /* -84 */
	{0x9b69dbe1b548ce7c, 0xc986afbe3ee11aba}, /* -83 */
	{0xc24452da229b021b, 0xfbe85badce996168}, /* -82 */
	{0xf2d56790ab41c2a2, 0xfae27299423fb9c3}, /* -81 */
	{0x97c560ba6b0919a5, 0xdccd879fc967d41a}, /* -80 */
	{0xbdb6b8e905cb600f, 0x5400e987bbc1c920}, /* -79 */
	{0xed246723473e3813, 0x290123e9aab23b68}, /* -78 */
	{0x9436c0760c86e30b, 0xf9a0b6720aaf6521}, /* -77 */
	{0xb94470938fa89bce, 0xf808e40e8d5b3e69}, /* -76 */
	{0xe7958cb87392c2c2, 0xb60b1d1230b20e04}, /* -75 */
	{0x90bd77f3483bb9b9, 0xb1c6f22b5e6f48c2}, /* -74 */
	{0xb4ecd5f01a4aa828, 0x1e38aeb6360b1af3}, /* -73 */
	{0xe2280b6c20dd5232, 0x25c6da63c38de1b0}, /* -72 */
	{0x8d590723948a535f, 0x579c487e5a38ad0e}, /* -71 */
	{0xb0af48ec79ace837, 0x2d835a9df0c6d851}, /* -70 */
	{0xdcdb1b2798182244, 0xf8e431456cf88e65}, /* -69 */
	{0x8a08f0f8bf0f156b, 0x1b8e9ecb641b58ff}, /* -68 */
	{0xac8b2d36eed2dac5, 0xe272467e3d222f3f}, /* -67 */
	{0xd7adf884aa879177, 0x5b0ed81dcc6abb0f}, /* -66 */
	{0x86ccbb52ea94baea, 0x98e947129fc2b4e9}, /* -65 */
	{0xa87fea27a539e9a5, 0x3f2398d747b36224}, /* -64 */
	{0xd29fe4b18e88640e, 0x8eec7f0d19a03aad}, /* -63 */
	{0x83a3eeeef9153e89, 0x1953cf68300424ac}, /* -62 */
	{0xa48ceaaab75a8e2b, 0x5fa8c3423c052dd7}, /* -61 */
	{0xcdb02555653131b6, 0x3792f412cb06794d}, /* -60 */
	{0x808e17555f3ebf11, 0xe2bbd88bbee40bd0}, /* -59 */
	{0xa0b19d2ab70e6ed6, 0x5b6aceaeae9d0ec4}, /* -58 */
	{0xc8de047564d20a8b, 0xf245825a5a445275}, /* -57 */
	{0xfb158592be068d2e, 0xeed6e2f0f0d56712}, /* -56 */
	{0x9ced737bb6c4183d, 0x55464dd69685606b}, /* -55 */
	{0xc428d05aa4751e4c, 0xaa97e14c3c26b886}, /* -54 */
	{0xf53304714d9265df, 0xd53dd99f4b3066a8}, /* -53 */
	{0x993fe2c6d07b7fab, 0xe546a8038efe4029}, /* -52 */
	{0xbf8fdb78849a5f96, 0xde98520472bdd033}, /* -51 */
	{0xef73d256a5c0f77c, 0x963e66858f6d4440}, /* -50 */
	{0x95a8637627989aad, 0xdde7001379a44aa8}, /* -49 */
	{0xbb127c53b17ec159, 0x5560c018580d5d52}, /* -48 */
	{0xe9d71b689dde71af, 0xaab8f01e6e10b4a6}, /* -47 */
	{0x9226712162ab070d, 0xcab3961304ca70e8}, /* -46 */
	{0xb6b00d69bb55c8d1, 0x3d607b97c5fd0d22}, /* -45 */
	{0xe45c10c42a2b3b05, 0x8cb89a7db77c506a}, /* -44 */
	{0x8eb98a7a9a5b04e3, 0x77f3608e92adb242}, /* -43 */
	{0xb267ed1940f1c61c, 0x55f038b237591ed3}, /* -42 */
	{0xdf01e85f912e37a3, 0x6b6c46dec52f6688}, /* -41 */
	{0x8b61313bbabce2c6, 0x2323ac4b3b3da015}, /* -40 */
	{0xae397d8aa96c1b77, 0xabec975e0a0d081a}, /* -39 */
	{0xd9c7dced53c72255, 0x96e7bd358c904a21}, /* -38 */
	{0x881cea14545c7575, 0x7e50d64177da2e54}, /* -37 */
	{0xaa242499697392d2, 0xdde50bd1d5d0b9e9}, /* -36 */
	{0xd4ad2dbfc3d07787, 0x955e4ec64b44e864}, /* -35 */
	{0x84ec3c97da624ab4, 0xbd5af13bef0b113e}, /* -34 */
	{0xa6274bbdd0fadd61, 0xecb1ad8aeacdd58e}, /* -33 */
	{0xcfb11ead453994ba, 0x67de18eda5814af2}, /* -32 */
	{0x81ceb32c4b43fcf4, 0x80eacf948770ced7}, /* -31 */
	{0xa2425ff75e14fc31, 0xa1258379a94d028d}, /* -30 */
	{0xcad2f7f5359a3b3e, 0x096ee45813a04330}, /* -29 */
	{0xfd87b5f28300ca0d, 0x8bca9d6e188853fc}, /* -28 */
	{0x9e74d1b791e07e48, 0x775ea264cf55347d}, /* -27 */
	{0xc612062576589dda, 0x95364afe032a819d}, /* -26 */
	{0xf79687aed3eec551, 0x3a83ddbd83f52204}, /* -25 */
	{0x9abe14cd44753b52, 0xc4926a9672793542}, /* -24 */
	{0xc16d9a0095928a27, 0x75b7053c0f178293}, /* -23 */
	{0xf1c90080baf72cb1, 0x5324c68b12dd6338}, /* -22 */
	{0x971da05074da7bee, 0xd3f6fc16ebca5e03}, /* -21 */
	{0xbce5086492111aea, 0x88f4bb1ca6bcf584}, /* -20 */
	{0xec1e4a7db69561a5, 0x2b31e9e3d06c32e5}, /* -19 */
	{0x9392ee8e921d5d07, 0x3aff322e62439fcf}, /* -18 */
	{0xb877aa3236a4b449, 0x09befeb9fad487c2}, /* -17 */
	{0xe69594bec44de15b, 0x4c2ebe687989a9b3}, /* -16 */
	{0x901d7cf73ab0acd9, 0x0f9d37014bf60a10}, /* -15 */
	{0xb424dc35095cd80f, 0x538484c19ef38c94}, /* -14 */
	{0xe12e13424bb40e13, 0x2865a5f206b06fb9}, /* -13 */
	{0x8cbccc096f5088cb, 0xf93f87b7442e45d3}, /* -12 */
	{0xafebff0bcb24aafe, 0xf78f69a51539d748}, /* -11 */
	{0xdbe6fecebdedd5be, 0xb573440e5a884d1b}, /* -10 */
	{0x89705f4136b4a597, 0x31680a88f8953030}, /* -9 */
	{0xabcc77118461cefc, 0xfdc20d2b36ba7c3d}, /* -8 */
	{0xd6bf94d5e57a42bc, 0x3d32907604691b4c}, /* -7 */
	{0x8637bd05af6c69b5, 0xa63f9a49c2c1b10f}, /* -6 */
	{0xa7c5ac471b478423, 0x0fcf80dc33721d53}, /* -5 */
	{0xd1b71758e219652b, 0xd3c36113404ea4a8}, /* -4 */
	{0x83126e978d4fdf3b, 0x645a1cac083126e9}, /* -3 */
	{0xa3d70a3d70a3d70a, 0x3d70a3d70a3d70a3}, /* -2 */
	{0xcccccccccccccccc, 0xcccccccccccccccc}, /* -1 */
	{0x8000000000000000, 0x0000000000000000}, /* 0 */
	{0xa000000000000000, 0x0000000000000000}, /* 1 */
	{0xc800000000000000, 0x0000000000000000}, /* 2 */
	{0xfa00000000000000, 0x0000000000000000}, /* 3 */
	{0x9c40000000000000, 0x0000000000000000}, /* 4 */
	{0xc350000000000000, 0x0000000000000000}, /* 5 */
	{0xf424000000000000, 0x0000000000000000}, /* 6 */
	{0x9896800000000000, 0x0000000000000000}, /* 7 */
	{0xbebc200000000000, 0x0000000000000000}, /* 8 */
	{0xee6b280000000000, 0x0000000000000000}, /* 9 */
	{0x9502f90000000000, 0x0000000000000000}, /* 10 */
	{0xba43b74000000000, 0x0000000000000000}, /* 11 */
	{0xe8d4a51000000000, 0x0000000000000000}, /* 12 */
	{0x9184e72a00000000, 0x0000000000000000}, /* 13 */
	{0xb5e620f480000000, 0x0000000000000000}, /* 14 */
	{0xe35fa931a0000000, 0x0000000000000000}, /* 15 */
	{0x8e1bc9bf04000000, 0x0000000000000000}, /* 16 */
	{0xb1a2bc2ec5000000, 0x0000000000000000}, /* 17 */
	{0xde0b6b3a76400000, 0x0000000000000000}, /* 18 */
	{0x8ac7230489e80000, 0x0000000000000000}, /* 19 */
	{0xad78ebc5ac620000, 0x0000000000000000}, /* 20 */
	{0xd8d726b7177a8000, 0x0000000000000000}, /* 21 */
	{0x878678326eac9000, 0x0000000000000000}, /* 22 */
	{0xa968163f0a57b400, 0x0000000000000000}, /* 23 */
	{0xd3c21bcecceda100, 0x0000000000000000}, /* 24 */
	{0x84595161401484a0, 0x0000000000000000}, /* 25 */
	{0xa56fa5b99019a5c8, 0x0000000000000000}, /* 26 */
	{0xcecb8f27f4200f3a, 0x0000000000000000}, /* 27 */
	{0x813f3978f8940984, 0x4000000000000000}, /* 28 */
	{0xa18f07d736b90be5, 0x5000000000000000}, /* 29 */
	{0xc9f2c9cd04674ede, 0xa400000000000000}, /* 30 */
	{0xfc6f7c4045812296, 0x4d00000000000000}, /* 31 */
	{0x9dc5ada82b70b59d, 0xf020000000000000}, /* 32 */
	{0xc5371912364ce305, 0x6c28000000000000}, /* 33 */
	{0xf684df56c3e01bc6, 0xc732000000000000}, /* 34 */
	{0x9a130b963a6c115c, 0x3c7f400000000000}, /* 35 */
	{0xc097ce7bc90715b3, 0x4b9f100000000000}, /* 36 */
	{0xf0bdc21abb48db20, 0x1e86d40000000000}, /* 37 */
	{0x96769950b50d88f4, 0x1314448000000000}, /* 38 */
	{0xbc143fa4e250eb31, 0x17d955a000000000}, /* 39 */
	{0xeb194f8e1ae525fd, 0x5dcfab0800000000}, /* 40 */
	{0x92efd1b8d0cf37be, 0x5aa1cae500000000}, /* 41 */
	{0xb7abc627050305ad, 0xf14a3d9e40000000}, /* 42 */
	{0xe596b7b0c643c719, 0x6d9ccd05d0000000}, /* 43 */
	{0x8f7e32ce7bea5c6f, 0xe4820023a2000000}, /* 44 */
	{0xb35dbf821ae4f38b, 0xdda2802c8a800000}, /* 45 */
	{0xe0352f62a19e306e, 0xd50b2037ad200000}, /* 46 */
	{0x8c213d9da502de45, 0x4526f422cc340000}, /* 47 */
	{0xaf298d050e4395d6, 0x9670b12b7f410000}, /* 48 */
	{0xdaf3f04651d47b4c, 0x3c0cdd765f114000}, /* 49 */
	{0x88d8762bf324cd0f, 0xa5880a69fb6ac800}, /* 50 */
	{0xab0e93b6efee0053, 0x8eea0d047a457a00}, /* 51 */
	{0xd5d238a4abe98068, 0x72a4904598d6d880}, /* 52 */
	{0x85a36366eb71f041, 0x47a6da2b7f864750}, /* 53 */
	{0xa70c3c40a64e6c51, 0x999090b65f67d924}, /* 54 */
	{0xd0cf4b50cfe20765, 0xfff4b4e3f741cf6d}, /* 55 */
	{0x82818f1281ed449f, 0xbff8f10e7a8921a4}, /* 56 */
	{0xa321f2d7226895c7, 0xaff72d52192b6a0d}, /* 57 */
	{0xcbea6f8ceb02bb39, 0x9bf4f8a69f764490}, /* 58 */
	{0xfee50b7025c36a08, 0x02f236d04753d5b4}, /* 59 */
	{0x9f4f2726179a2245, 0x01d762422c946590}, /* 60 */
	{0xc722f0ef9d80aad6, 0x424d3ad2b7b97ef5}, /* 61 */
	{0xf8ebad2b84e0d58b, 0xd2e0898765a7deb2}, /* 62 */
	{0x9b934c3b330c8577, 0x63cc55f49f88eb2f}, /* 63 */
	{0xc2781f49ffcfa6d5, 0x3cbf6b71c76b25fb}, /* 64 */
	{0xf316271c7fc3908a, 0x8bef464e3945ef7a}, /* 65 */
	{0x97edd871cfda3a56, 0x97758bf0e3cbb5ac}, /* 66 */
	{0xbde94e8e43d0c8ec, 0x3d52eeed1cbea317}, /* 67 */
	{0xed63a231d4c4fb27, 0x4ca7aaa863ee4bdd}, /* 68 */
	{0x945e455f24fb1cf8, 0x8fe8caa93e74ef6a}, /* 69 */
	{0xb975d6b6ee39e436, 0xb3e2fd538e122b44}, /* 70 */
	{0xe7d34c64a9c85d44, 0x60dbbca87196b616}, /* 71 */
	{0x90e40fbeea1d3a4a, 0xbc8955e946fe31cd}, /* 72 */
	{0xb51d13aea4a488dd, 0x6babab6398bdbe41}, /* 73 */
	{0xe264589a4dcdab14, 0xc696963c7eed2dd1}, /* 74 */
	{0x8d7eb76070a08aec, 0xfc1e1de5cf543ca2}, /* 75 */
	{0xb0de65388cc8ada8, 0x3b25a55f43294bcb}, /* 76 */
	{0xdd15fe86affad912, 0x49ef0eb713f39ebe}, /* 77 */
	{0x8a2dbf142dfcc7ab, 0x6e3569326c784337}, /* 78 */
	{0xacb92ed9397bf996, 0x49c2c37f07965404}, /* 79 */
	{0xd7e77a8f87daf7fb, 0xdc33745ec97be906}, /* 80 */
	{0x86f0ac99b4e8dafd, 0x69a028bb3ded71a3}, /* 81 */
	{0xa8acd7c0222311bc, 0xc40832ea0d68ce0c}, /* 82 */
	{0xd2d80db02aabd62b, 0xf50a3fa490c30190}, /* 83 */
	{0x83c7088e1aab65db, 0x792667c6da79e0fa}, /* 84 */
	{0xa4b8cab1a1563f52, 0x577001b891185938}, /* 85 */
	{0xcde6fd5e09abcf26, 0xed4c0226b55e6f86}, /* 86 */
	{0x80b05e5ac60b6178, 0x544f8158315b05b4}, /* 87 */
	{0xa0dc75f1778e39d6, 0x696361ae3db1c721}, /* 88 */
	{0xc913936dd571c84c, 0x03bc3a19cd1e38e9}, /* 89 */
	{0xfb5878494ace3a5f, 0x04ab48a04065c723}, /* 90 */
	{0x9d174b2dcec0e47b, 0x62eb0d64283f9c76}, /* 91 */
	{0xc45d1df942711d9a, 0x3ba5d0bd324f8394}, /* 92 */
	{0xf5746577930d6500, 0xca8f44ec7ee36479}, /* 93 */
	{0x9968bf6abbe85f20, 0x7e998b13cf4e1ecb}, /* 94 */
	{0xbfc2ef456ae276e8, 0x9e3fedd8c321a67e}, /* 95 */
	{0xefb3ab16c59b14a2, 0xc5cfe94ef3ea101e}, /* 96 */
	{0x95d04aee3b80ece5, 0xbba1f1d158724a12}, /* 97 */
	{0xbb445da9ca61281f, 0x2a8a6e45ae8edc97}, /* 98 */
	{0xea1575143cf97226, 0xf52d09d71a3293bd}, /* 99 */
	{0x924d692ca61be758, 0x593c2626705f9c56}, /* 100 */
	{0xb6e0c377cfa2e12e, 0x6f8b2fb00c77836c}, /* 101 */
	{0xe498f455c38b997a, 0x0b6dfb9c0f956447}, /* 102 */
	{0x8edf98b59a373fec, 0x4724bd4189bd5eac}, /* 103 */
	{0xb2977ee300c50fe7, 0x58edec91ec2cb657}, /* 104 */
	{0xdf3d5e9bc0f653e1, 0x2f2967b66737e3ed}, /* 105 */
	{0x8b865b215899f46c, 0xbd79e0d20082ee74}, /* 106 */
	{0xae67f1e9aec07187, 0xecd8590680a3aa11}, /* 107 */
	{0xda01ee641a708de9, 0xe80e6f4820cc9495}, /* 108 */
	{0x884134fe908658b2, 0x3109058d147fdcdd}, /* 109 */
	{0xaa51823e34a7eede, 0xbd4b46f0599fd415}, /* 110 */
	{0xd4e5e2cdc1d1ea96, 0x6c9e18ac7007c91a}, /* 111 */
	{0x850fadc09923329e, 0x03e2cf6bc604ddb0}, /* 112 */
	{0xa6539930bf6bff45, 0x84db8346b786151c}, /* 113 */
	{0xcfe87f7cef46ff16, 0xe612641865679a63}, /* 114 */
	{0x81f14fae158c5f6e, 0x4fcb7e8f3f60c07e}, /* 115 */
	{0xa26da3999aef7749, 0xe3be5e330f38f09d}, /* 116 */
	{0xcb090c8001ab551c, 0x5cadf5bfd3072cc5}, /* 117 */
	{0xfdcb4fa002162a63, 0x73d9732fc7c8f7f6}, /* 118 */
	{0x9e9f11c4014dda7e, 0x2867e7fddcdd9afa}, /* 119 */
	{0xc646d63501a1511d, 0xb281e1fd541501b8}, /* 120 */
	{0xf7d88bc24209a565, 0x1f225a7ca91a4226}, /* 121 */
	{0x9ae757596946075f, 0x3375788de9b06958}, /* 122 */
	{0xc1a12d2fc3978937, 0x0052d6b1641c83ae}, /* 123 */
	{0xf209787bb47d6b84, 0xc0678c5dbd23a49a}, /* 124 */
	{0x9745eb4d50ce6332, 0xf840b7ba963646e0}, /* 125 */
	{0xbd176620a501fbff, 0xb650e5a93bc3d898}, /* 126 */
	{0xec5d3fa8ce427aff, 0xa3e51f138ab4cebe}, /* 127 */
	{0x93ba47c980e98cdf, 0xc66f336c36b10137}, /* 128 */
	{0xb8a8d9bbe123f017, 0xb80b0047445d4184}, /* 129 */
	{0xe6d3102ad96cec1d, 0xa60dc059157491e5}, /* 130 */
	{0x9043ea1ac7e41392, 0x87c89837ad68db2f}, /* 131 */
	{0xb454e4a179dd1877, 0x29babe4598c311fb}, /* 132 */
	{0xe16a1dc9d8545e94, 0xf4296dd6fef3d67a}, /* 133 */
	{0x8ce2529e2734bb1d, 0x1899e4a65f58660c}, /* 134 */
	{0xb01ae745b101e9e4, 0x5ec05dcff72e7f8f}, /* 135 */
	{0xdc21a1171d42645d, 0x76707543f4fa1f73}, /* 136 */
	{0x899504ae72497eba, 0x6a06494a791c53a8}, /* 137 */
	{0xabfa45da0edbde69, 0x0487db9d17636892}, /* 138 */
	{0xd6f8d7509292d603, 0x45a9d2845d3c42b6}, /* 139 */
	{0x865b86925b9bc5c2, 0x0b8a2392ba45a9b2}, /* 140 */
	{0xa7f26836f282b732, 0x8e6cac7768d7141e}, /* 141 */
	{0xd1ef0244af2364ff, 0x3207d795430cd926}, /* 142 */
	{0x8335616aed761f1f, 0x7f44e6bd49e807b8}, /* 143 */
	{0xa402b9c5a8d3a6e7, 0x5f16206c9c6209a6}, /* 144 */
	{0xcd036837130890a1, 0x36dba887c37a8c0f}, /* 145 */
	{0x802221226be55a64, 0xc2494954da2c9789}, /* 146 */
	{0xa02aa96b06deb0fd, 0xf2db9baa10b7bd6c}, /* 147 */
	{0xc83553c5c8965d3d, 0x6f92829494e5acc7}, /* 148 */
	{0xfa42a8b73abbf48c, 0xcb772339ba1f17f9}, /* 149 */
	{0x9c69a97284b578d7, 0xff2a760414536efb}, /* 150 */
	{0xc38413cf25e2d70d, 0xfef5138519684aba}, /* 151 */
	{0xf46518c2ef5b8cd1, 0x7eb258665fc25d69}, /* 152 */
	{0x98bf2f79d5993802, 0xef2f773ffbd97a61}, /* 153 */
	{0xbeeefb584aff8603, 0xaafb550ffacfd8fa}, /* 154 */
	{0xeeaaba2e5dbf6784, 0x95ba2a53f983cf38}, /* 155 */
	{0x952ab45cfa97a0b2, 0xdd945a747bf26183}, /* 156 */
	{0xba756174393d88df, 0x94f971119aeef9e4}, /* 157 */
	{0xe912b9d1478ceb17, 0x7a37cd5601aab85d}, /* 158 */
	{0x91abb422ccb812ee, 0xac62e055c10ab33a}, /* 159 */
	{0xb616a12b7fe617aa, 0x577b986b314d6009}, /* 160 */
	{0xe39c49765fdf9d94, 0xed5a7e85fda0b80b}, /* 161 */
	{0x8e41ade9fbebc27d, 0x14588f13be847307}, /* 162 */
	{0xb1d219647ae6b31c, 0x596eb2d8ae258fc8}, /* 163 */
	{0xde469fbd99a05fe3, 0x6fca5f8ed9aef3bb}, /* 164 */
	{0x8aec23d680043bee, 0x25de7bb9480d5854}, /* 165 */
	{0xada72ccc20054ae9, 0xaf561aa79a10ae6a}, /* 166 */
	{0xd910f7ff28069da4, 0x1b2ba1518094da04}, /* 167 */
	{0x87aa9aff79042286, 0x90fb44d2f05d0842}, /* 168 */
	{0xa99541bf57452b28, 0x353a1607ac744a53}, /* 169 */
	{0xd3fa922f2d1675f2, 0x42889b8997915ce8}, /* 170 */
	{0x847c9b5d7c2e09b7, 0x69956135febada11}, /* 171 */
	{0xa59bc234db398c25, 0x43fab9837e699095}, /* 172 */
	{0xcf02b2c21207ef2e, 0x94f967e45e03f4bb}, /* 173 */
	{0x8161afb94b44f57d, 0x1d1be0eebac278f5}, /* 174 */
	{0xa1ba1ba79e1632dc, 0x6462d92a69731732}, /* 175 */
	{0xca28a291859bbf93, 0x7d7b8f7503cfdcfe}, /* 176 */
	{0xfcb2cb35e702af78, 0x5cda735244c3d43e}, /* 177 */
	{0x9defbf01b061adab, 0x3a0888136afa64a7}, /* 178 */
	{0xc56baec21c7a1916, 0x088aaa1845b8fdd0}, /* 179 */
	{0xf6c69a72a3989f5b, 0x8aad549e57273d45}, /* 180 */
	{0x9a3c2087a63f6399, 0x36ac54e2f678864b}, /* 181 */
	{0xc0cb28a98fcf3c7f, 0x84576a1bb416a7dd}, /* 182 */
	{0xf0fdf2d3f3c30b9f, 0x656d44a2a11c51d5}, /* 183 */
	{0x969eb7c47859e743, 0x9f644ae5a4b1b325}, /* 184 */
	{0xbc4665b596706114, 0x873d5d9f0dde1fee}, /* 185 */
	{0xeb57ff22fc0c7959, 0xa90cb506d155a7ea}, /* 186 */
	{0x9316ff75dd87cbd8, 0x09a7f12442d588f2}, /* 187 */
	{0xb7dcbf5354e9bece, 0x0c11ed6d538aeb2f}, /* 188 */
	{0xe5d3ef282a242e81, 0x8f1668c8a86da5fa}, /* 189 */
	{0x8fa475791a569d10, 0xf96e017d694487bc}, /* 190 */
	{0xb38d92d760ec4455, 0x37c981dcc395a9ac}, /* 191 */
	{0xe070f78d3927556a, 0x85bbe253f47b1417}, /* 192 */
	{0x8c469ab843b89562, 0x93956d7478ccec8e}, /* 193 */
	{0xaf58416654a6babb, 0x387ac8d1970027b2}, /* 194 */
	{0xdb2e51bfe9d0696a, 0x06997b05fcc0319e}, /* 195 */
	{0x88fcf317f22241e2, 0x441fece3bdf81f03}, /* 196 */
	{0xab3c2fddeeaad25a, 0xd527e81cad7626c3}, /* 197 */
	{0xd60b3bd56a5586f1, 0x8a71e223d8d3b074}, /* 198 */
	{0x85c7056562757456, 0xf6872d5667844e49}, /* 199 */
	{0xa738c6bebb12d16c, 0xb428f8ac016561db}, /* 200 */
	{0xd106f86e69d785c7, 0xe13336d701beba52}, /* 201 */
	{0x82a45b450226b39c, 0xecc0024661173473}, /* 202 */
	{0xa34d721642b06084, 0x27f002d7f95d0190}, /* 203 */
	{0xcc20ce9bd35c78a5, 0x31ec038df7b441f4}, /* 204 */
	{0xff290242c83396ce, 0x7e67047175a15271}, /* 205 */
	{0x9f79a169bd203e41, 0x0f0062c6e984d386}, /* 206 */
	{0xc75809c42c684dd1, 0x52c07b78a3e60868}, /* 207 */
	{0xf92e0c3537826145, 0xa7709a56ccdf8a82}, /* 208 */
	{0x9bbcc7a142b17ccb, 0x88a66076400bb691}, /* 209 */
	{0xc2abf989935ddbfe, 0x6acff893d00ea435}, /* 210 */
	{0xf356f7ebf83552fe, 0x0583f6b8c4124d43}, /* 211 */
	{0x98165af37b2153de, 0xc3727a337a8b704a}, /* 212 */
	{0xbe1bf1b059e9a8d6, 0x744f18c0592e4c5c}, /* 213 */
	{0xeda2ee1c7064130c, 0x1162def06f79df73}, /* 214 */
	{0x9485d4d1c63e8be7, 0x8addcb5645ac2ba8}, /* 215 */
	{0xb9a74a0637ce2ee1, 0x6d953e2bd7173692}, /* 216 */
	{0xe8111c87c5c1ba99, 0xc8fa8db6ccdd0437}, /* 217 */
	{0x910ab1d4db9914a0, 0x1d9c9892400a22a2}, /* 218 */
	{0xb54d5e4a127f59c8, 0x2503beb6d00cab4b}, /* 219 */
	{0xe2a0b5dc971f303a, 0x2e44ae64840fd61d}, /* 220 */
	{0x8da471a9de737e24, 0x5ceaecfed289e5d2}, /* 221 */
	{0xb10d8e1456105dad, 0x7425a83e872c5f47}, /* 222 */
	{0xdd50f1996b947518, 0xd12f124e28f77719}, /* 223 */
	{0x8a5296ffe33cc92f, 0x82bd6b70d99aaa6f}, /* 224 */
	{0xace73cbfdc0bfb7b, 0x636cc64d1001550b}, /* 225 */
	{0xd8210befd30efa5a, 0x3c47f7e05401aa4e}, /* 226 */
	{0x8714a775e3e95c78, 0x65acfaec34810a71}, /* 227 */
	{0xa8d9d1535ce3b396, 0x7f1839a741a14d0d}, /* 228 */
	{0xd31045a8341ca07c, 0x1ede48111209a050}, /* 229 */
	{0x83ea2b892091e44d, 0x934aed0aab460432}, /* 230 */
	{0xa4e4b66b68b65d60, 0xf81da84d5617853f}, /* 231 */
	{0xce1de40642e3f4b9, 0x36251260ab9d668e}, /* 232 */
	{0x80d2ae83e9ce78f3, 0xc1d72b7c6b426019}, /* 233 */
	{0xa1075a24e4421730, 0xb24cf65b8612f81f}, /* 234 */
	{0xc94930ae1d529cfc, 0xdee033f26797b627}, /* 235 */
	{0xfb9b7cd9a4a7443c, 0x169840ef017da3b1}, /* 236 */
	{0x9d412e0806e88aa5, 0x8e1f289560ee864e}, /* 237 */
	{0xc491798a08a2ad4e, 0xf1a6f2bab92a27e2}, /* 238 */
	{0xf5b5d7ec8acb58a2, 0xae10af696774b1db}, /* 239 */
	{0x9991a6f3d6bf1765, 0xacca6da1e0a8ef29}, /* 240 */
	{0xbff610b0cc6edd3f, 0x17fd090a58d32af3}, /* 241 */
	{0xeff394dcff8a948e, 0xddfc4b4cef07f5b0}, /* 242 */
	{0x95f83d0a1fb69cd9, 0x4abdaf101564f98e}, /* 243 */
	{0xbb764c4ca7a4440f, 0x9d6d1ad41abe37f1}, /* 244 */
	{0xea53df5fd18d5513, 0x84c86189216dc5ed}, /* 245 */
	{0x92746b9be2f8552c, 0x32fd3cf5b4e49bb4}, /* 246 */
	{0xb7118682dbb66a77, 0x3fbc8c33221dc2a1}, /* 247 */
	{0xe4d5e82392a40515, 0x0fabaf3feaa5334a}, /* 248 */
	{0x8f05b1163ba6832d, 0x29cb4d87f2a7400e}, /* 249 */
	{0xb2c71d5bca9023f8, 0x743e20e9ef511012}, /* 250 */
	{0xdf78e4b2bd342cf6, 0x914da9246b255416}, /* 251 */
	{0x8bab8eefb6409c1a, 0x1ad089b6c2f7548e}, /* 252 */
	{0xae9672aba3d0c320, 0xa184ac2473b529b1}, /* 253 */
	{0xda3c0f568cc4f3e8, 0xc9e5d72d90a2741e}, /* 254 */
	{0x8865899617fb1871, 0x7e2fa67c7a658892}, /* 255 */
	{0xaa7eebfb9df9de8d, 0xddbb901b98feeab7}, /* 256 */
	{0xd51ea6fa85785631, 0x552a74227f3ea565}, /* 257 */
	{0x8533285c936b35de, 0xd53a88958f87275f}, /* 258 */
	{0xa67ff273b8460356, 0x8a892abaf368f137}, /* 259 */
	{0xd01fef10a657842c, 0x2d2b7569b0432d85}, /* 260 */
	{0x8213f56a67f6b29b, 0x9c3b29620e29fc73}, /* 261 */
	{0xa298f2c501f45f42, 0x8349f3ba91b47b8f}, /* 262 */
	{0xcb3f2f7642717713, 0x241c70a936219a73}, /* 263 */
	{0xfe0efb53d30dd4d7, 0xed238cd383aa0110}, /* 264 */
	{0x9ec95d1463e8a506, 0xf4363804324a40aa}, /* 265 */
	{0xc67bb4597ce2ce48, 0xb143c6053edcd0d5}, /* 266 */
	{0xf81aa16fdc1b81da, 0xdd94b7868e94050a}, /* 267 */
	{0x9b10a4e5e9913128, 0xca7cf2b4191c8326}, /* 268 */
	{0xc1d4ce1f63f57d72, 0xfd1c2f611f63a3f0}, /* 269 */
	{0xf24a01a73cf2dccf, 0xbc633b39673c8cec}, /* 270 */
	{0x976e41088617ca01, 0xd5be0503e085d813}, /* 271 */
	{0xbd49d14aa79dbc82, 0x4b2d8644d8a74e18}, /* 272 */
	{0xec9c459d51852ba2, 0xddf8e7d60ed1219e}, /* 273 */
	{0x93e1ab8252f33b45, 0xcabb90e5c942b503}, /* 274 */
	{0xb8da1662e7b00a17, 0x3d6a751f3b936243}, /* 275 */
	{0xe7109bfba19c0c9d, 0x0cc512670a783ad4}, /* 276 */
	{0x906a617d450187e2, 0x27fb2b80668b24c5}, /* 277 */
	{0xb484f9dc9641e9da, 0xb1f9f660802dedf6}, /* 278 */
	{0xe1a63853bbd26451, 0x5e7873f8a0396973}, /* 279 */
	{0x8d07e33455637eb2, 0xdb0b487b6423e1e8}, /* 280 */
	{0xb049dc016abc5e5f, 0x91ce1a9a3d2cda62}, /* 281 */
	{0xdc5c5301c56b75f7, 0x7641a140cc7810fb}, /* 282 */
	{0x89b9b3e11b6329ba, 0xa9e904c87fcb0a9d}, /* 283 */
	{0xac2820d9623bf429, 0x546345fa9fbdcd44}, /* 284 */
	{0xd732290fbacaf133, 0xa97c177947ad4095}, /* 285 */
	{0x867f59a9d4bed6c0, 0x49ed8eabcccc485d}, /* 286 */
	{0xa81f301449ee8c70, 0x5c68f256bfff5a74}, /* 287 */
	{0xd226fc195c6a2f8c, 0x73832eec6fff3111}, /* 288 */
	{0x83585d8fd9c25db7, 0xc831fd53c5ff7eab}, /* 289 */
	{0xa42e74f3d032f525, 0xba3e7ca8b77f5e55}, /* 290 */
	{0xcd3a1230c43fb26f, 0x28ce1bd2e55f35eb}, /* 291 */
	{0x80444b5e7aa7cf85, 0x7980d163cf5b81b3}, /* 292 */
	{0xa0555e361951c366, 0xd7e105bcc332621f}, /* 293 */
	{0xc86ab5c39fa63440, 0x8dd9472bf3fefaa7}, /* 294 */
	{0xfa856334878fc150, 0xb14f98f6f0feb951}, /* 295 */
	{0x9c935e00d4b9d8d2, 0x6ed1bf9a569f33d3}, /* 296 */
	{0xc3b8358109e84f07, 0x0a862f80ec4700c8}, /* 297 */
	{0xf4a642e14c6262c8, 0xcd27bb612758c0fa}, /* 298 */
	{0x98e7e9cccfbd7dbd, 0x8038d51cb897789c}, /* 299 */
	{0xbf21e44003acdd2c, 0xe0470a63e6bd56c3}, /* 300 */
	{0xeeea5d5004981478, 0x1858ccfce06cac74}, /* 301 */
	{0x95527a5202df0ccb, 0x0f37801e0c43ebc8}, /* 302 */
	{0xbaa718e68396cffd, 0xd30560258f54e6ba}, /* 303 */
	{0xe950df20247c83fd, 0x47c6b82ef32a2069}, /* 304 */
	{0x91d28b7416cdd27e, 0x4cdc331d57fa5441}, /* 305 */
	{0xb6472e511c81471d, 0xe0133fe4adf8e952}, /* 306 */
	{0xe3d8f9e563a198e5, 0x58180fddd97723a6}, /* 307 */
	{0x8e679c2f5e44ff8f, 0x570f09eaa7ea7648}, /* 308 */
	{0xb201833b35d63f73, 0x2cd2cc6551e513da}, /* 309 */
	{0xde81e40a034bcf4f, 0xf8077f7ea65e58d1}, /* 310 */
	{0x8b112e86420f6191, 0xfb04afaf27faf782}, /* 311 */
	{0xadd57a27d29339f6, 0x79c5db9af1f9b563}, /* 312 */
	{0xd94ad8b1c7380874, 0x18375281ae7822bc}, /* 313 */
	{0x87cec76f1c830548, 0x8f2293910d0b15b5}, /* 314 */
	{0xa9c2794ae3a3c69a, 0xb2eb3875504ddb22}, /* 315 */
	{0xd433179d9c8cb841, 0x5fa60692a46151eb}, /* 316 */
	{0x849feec281d7f328, 0xdbc7c41ba6bcd333}, /* 317 */
	{0xa5c7ea73224deff3, 0x12b9b522906c0800}, /* 318 */
	{0xcf39e50feae16bef, 0xd768226b34870a00}, /* 319 */
	{0x81842f29f2cce375, 0xe6a1158300d46640}, /* 320 */
	{0xa1e53af46f801c53, 0x60495ae3c1097fd0}, /* 321 */
	{0xca5e89b18b602368, 0x385bb19cb14bdfc4}, /* 322 */
	{0xfcf62c1dee382c42, 0x46729e03dd9ed7b5}, /* 323 */
	{0x9e19db92b4e31ba9, 0x6c07a2c26a8346d1}, /* 324 */
	{0xc5a05277621be293, 0xc7098b7305241885}, /* 325 */
	{0xf70867153aa2db38, 0xb8cbee4fc66d1ea7}, /* 326 */
	{0x9a65406d44a5c903, 0x737f74f1dc043328}, /* 327 */
	{0xc0fe908895cf3b44, 0x505f522e53053ff2}, /* 328 */
	{0xf13e34aabb430a15, 0x647726b9e7c68fef}, /* 329 */
	{0x96c6e0eab509e64d, 0x5eca783430dc19f5}, /* 330 */
	{0xbc789925624c5fe0, 0xb67d16413d132072}, /* 331 */
	{0xeb96bf6ebadf77d8, 0xe41c5bd18c57e88f}, /* 332 */
	{0x933e37a534cbaae7, 0x8e91b962f7b6f159}, /* 333 */
	{0xb80dc58e81fe95a1, 0x723627bbb5a4adb0}, /* 334 */
	{0xe61136f2227e3b09, 0xcec3b1aaa30dd91c}, /* 335 */
	{0x8fcac257558ee4e6, 0x213a4f0aa5e8a7b1}, /* 336 */
	{0xb3bd72ed2af29e1f, 0xa988e2cd4f62d19d}, /* 337 */
	{0xe0accfa875af45a7, 0x93eb1b80a33b8605}, /* 338 */
	{0x8c6c01c9498d8b88, 0xbc72f130660533c3}, /* 339 */
	{0xaf87023b9bf0ee6a, 0xeb8fad7c7f8680b4}, /* 340 */
	{0xdb68c2ca82ed2a05, 0xa67398db9f6820e1}, /* 341 */
	{0x892179be91d43a43, 0x88083f8943a1148c}, /* 342 */
};

/* The high and low 64-bit halves of T(q). */
static inline const uint64_t *power_of_five_128(int q)
{
	return powers_of_five_128[q - MIN_POWER_OF_FIVE];
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
enum { MIN_PARSE_POWER = MIN_POWER_OF_FIVE, MAX_PARSE_POWER = 308 };

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
static bool clinger_fast_path(uint64_t w, int64_t q, double *value)
{
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	static const double exact_powers_of_ten[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
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
bool ml_parse_double(const char *text, size_t length, double *value)
{
	if (length == 0)
		return false;
	const char *p = text, *end = text + length;
	bool negative = false;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	uint64_t significand = 0;
	const char *integer_digits = p;
	p = accumulate_digits(p, end, &significand);
	size_t integer_count = (size_t)(p - integer_digits);
	const char *fraction_digits = p;
	size_t fraction_count = 0;
	if (p < end && *p == '.') {
		fraction_digits = ++p;
		p = accumulate_digits(p, end, &significand);
		fraction_count = (size_t)(p - fraction_digits);
	}
	size_t digit_count = integer_count + fraction_count;
	int64_t exponent = 0;
	if (digit_count != 0 && p < end && (*p == 'e' || *p == 'E'))
		p = scan_exponent(p + 1, end, &exponent); /* NULL when malformed */
	if (p != end)
		return digit_count == 0 && parse_infinity(text, end, value);
	if (digit_count == 0)
		return false;
	if (digit_count > MAX_DIGITS_IN_U64) {
		struct decimal_literal literal = {
			.integer_digits = integer_digits,
			.integer_count = integer_count,
			.fraction_digits = fraction_digits,
			.fraction_count = fraction_count,
			.exponent = exponent,
		};
		return store_long_literal(&literal, significand, negative, value);
	}
	int64_t q = exponent - (int64_t)fraction_count;
	double magnitude;
	if (!clinger_fast_path(significand, q, &magnitude))
		return store_decimal(significand, q, negative, value);
	*value = negative ? -magnitude : magnitude;
	return true;
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
