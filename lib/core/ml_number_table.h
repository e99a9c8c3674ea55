/*
 * ml_number_table: the 128-bit powers of five that ml_number's parser
 * (Eisel-Lemire) and formatter multiply by; internal to ml_number.c.
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
#ifndef ML_NUMBER_TABLE_H
#define ML_NUMBER_TABLE_H

#include <stdint.h>

enum { ML_MIN_POWER_OF_FIVE = -342, ML_MAX_POWER_OF_FIVE = 342 };

extern const uint64_t ml_powers_of_five_128[ML_MAX_POWER_OF_FIVE - ML_MIN_POWER_OF_FIVE + 1][2];

#endif
