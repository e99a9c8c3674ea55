/*
 * ml_random: the seeded random numbers behind every random choice mlpipe
 * makes (bootstrap rows, feature sampling, k-means++ seeding, splits,
 * samples for bin edges).
 *
 * xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64, so
 * any 64-bit seed, 0 included, gives a good state.  The same seed gives
 * the same numbers on every machine and with any thread count: parallel
 * work takes a stream of its own with ml_random_init_stream(seed, index)
 * for each piece (a tree, a restart), never a shared generator.
 */
#ifndef ML_RANDOM_H
#define ML_RANDOM_H

#include <stddef.h>
#include <stdint.h>

typedef struct ml_random {
	uint64_t state[4];
} ml_random;

void ml_random_init(ml_random *random, uint64_t seed);
/* An independent stream for piece `index` of work seeded with seed. */
void ml_random_init_stream(ml_random *random, uint64_t seed, uint64_t index);

uint64_t ml_random_next(ml_random *random);
/* Uniform in [0, 1), 53 random bits. */
double ml_random_uniform(ml_random *random);
/* Uniform in [0, bound) without bias (bound > 0). */
uint64_t ml_random_below(ml_random *random, uint64_t bound);
/* Puts values[0..count) in a uniformly random order (Fisher-Yates). */
void ml_random_shuffle(ml_random *random, size_t *values, size_t count);

#endif
