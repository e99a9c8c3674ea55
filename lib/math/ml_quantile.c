#include "math/ml_quantile.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void sort3(double *a, double *b, double *c)
{
	double t;
	if (*b < *a)
		t = *a, *a = *b, *b = t;
	if (*c < *b)
		t = *b, *b = *c, *c = t;
	if (*b < *a)
		t = *a, *a = *b, *b = t;
}

/*
 * Quickselect with median-of-three pivots; after too many rounds (a
 * hostile order) it sorts what is left, so the worst case stays n log n.
 */
double ml_quantile_select(double *v, size_t n, size_t k)
{
	ptrdiff_t low = 0, high = (ptrdiff_t)n - 1, target = (ptrdiff_t)k;
	int max_rounds = 16;
	for (size_t m = n; m > 1; m >>= 1)
		max_rounds += 4;
	for (int round = 0; low < high; round++) {
		if (round == max_rounds) {
			qsort(v + low, (size_t)(high - low + 1), sizeof *v, compare_doubles);
			break;
		}
		ptrdiff_t mid = low + (high - low) / 2;
		sort3(&v[low], &v[mid], &v[high]);
		double pivot = v[mid];
		ptrdiff_t i = low, j = high;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (target <= j)
			high = j;
		else if (target >= i)
			low = i;
		else
			break; /* between the two parts: equal to the pivot */
	}
	return v[k];
}

/* The k-th and (k+1)-th smallest of v[0..n), k + 1 < n. */
static void select_pair(double *v, size_t n, size_t k, double *first, double *second)
{
	*first = ml_quantile_select(v, n, k);
	double next = v[k + 1];
	for (size_t i = k + 2; i < n; i++)
		next = v[i] < next ? v[i] : next;
	*second = next;
}

double ml_quantile_median(double *v, size_t n)
{
	if (n % 2 == 1)
		return ml_quantile_select(v, n, n / 2);
	double a, b;
	select_pair(v, n, n / 2 - 1, &a, &b);
	double mean = (a + b) / 2;
	return isfinite(mean) ? mean : a / 2 + b / 2;
}

double ml_quantile_percentile(double *v, size_t n, double fraction)
{
	double position = (double)(n - 1) * fraction;
	if (position >= (double)(n - 1))
		return ml_quantile_select(v, n, n - 1);
	double below = floor(position), t = position - below, a, b;
	select_pair(v, n, (size_t)below, &a, &b);
	double difference = b - a;
	return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}

/* An order-preserving map of doubles (no NaN) onto unsigned integers. */
static uint64_t sort_key(double value)
{
	uint64_t bits;
	value += 0.0; /* -0 becomes +0: one value, one key */
	memcpy(&bits, &value, sizeof bits);
	return bits >> 63 ? ~bits : bits | UINT64_C(1) << 63;
}

static double key_value(uint64_t key)
{
	uint64_t bits = key >> 63 ? key & ~(UINT64_C(1) << 63) : ~key;
	double value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

/*
 * Sorts keys[0..n) by a radix sort, a byte per pass, through spare[0..n);
 * a byte that all keys share (the high bytes of small integers) costs one
 * counting pass only.  Linear time: a mode over a million rows takes
 * milliseconds where qsort takes a good part of a second.
 */
static void radix_sort(uint64_t *keys, uint64_t *spare, size_t n)
{
	uint64_t *from = keys, *to = spare;
	for (int shift = 0; shift < 64; shift += 8) {
		size_t starts[256] = { 0 }, start = 0;
		for (size_t i = 0; i < n; i++)
			starts[(from[i] >> shift) & 0xff]++;
		if (starts[(from[0] >> shift) & 0xff] == n)
			continue;
		for (size_t byte = 0; byte < 256; byte++) {
			size_t count = starts[byte];
			starts[byte] = start;
			start += count;
		}
		for (size_t i = 0; i < n; i++)
			to[starts[(from[i] >> shift) & 0xff]++] = from[i];
		uint64_t *swap = from;
		from = to;
		to = swap;
	}
	if (from != keys)
		memcpy(keys, from, n * sizeof *keys);
}

double ml_quantile_mode(const double *v, size_t n, uint64_t *keys, uint64_t *spare)
{
	for (size_t i = 0; i < n; i++)
		keys[i] = sort_key(v[i]);
	radix_sort(keys, spare, n);
	uint64_t best = keys[0];
	size_t best_count = 0;
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && keys[j] == keys[i]; j++)
			continue;
		if (j - i > best_count) {
			best = keys[i];
			best_count = j - i;
		}
	}
	return key_value(best);
}
