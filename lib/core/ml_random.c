#include "core/ml_random.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rotate_left(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void ml_random_init(ml_random *random, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		random->state[i] = splitmix64(&x);
}

void ml_random_init_stream(ml_random *random, uint64_t seed, uint64_t index)
{
	/* Mixing the index through splitmix64 first keeps nearby streams apart. */
	uint64_t x = index;
	ml_random_init(random, seed ^ splitmix64(&x));
}

uint64_t ml_random_next(ml_random *random)
{
	uint64_t *s = random->state;
	uint64_t result = rotate_left(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotate_left(s[3], 45);
	return result;
}

double ml_random_uniform(ml_random *random)
{
	return (double)(ml_random_next(random) >> 11) * 0x1.0p-53;
}

uint64_t ml_random_below(ml_random *random, uint64_t bound)
{
	/* Lemire's multiply-and-reject: unbiased, rarely more than one draw. */
	unsigned __int128 product = (unsigned __int128)ml_random_next(random) * bound;
	uint64_t low = (uint64_t)product;
	if (low < bound) {
		uint64_t threshold = -bound % bound;
		while (low < threshold) {
			product = (unsigned __int128)ml_random_next(random) * bound;
			low = (uint64_t)product;
		}
	}
	return (uint64_t)(product >> 64);
}

void ml_random_shuffle(ml_random *random, size_t *values, size_t count)
{
	for (size_t i = count; i > 1; i--) {
		size_t j = (size_t)ml_random_below(random, i);
		size_t swap = values[i - 1];
		values[i - 1] = values[j];
		values[j] = swap;
	}
}
