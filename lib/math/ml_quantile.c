#include "math/ml_quantile.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

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
 * Quickselect: moves the k-th smallest of v[0..n) (no NaN) to v[k], with
 * nothing larger before it and nothing smaller after.  Median-of-three
 * pivots; after too many rounds (a hostile order) it sorts what is left,
 * so the worst case stays n log n.
 */
static double select_kth(double *v, size_t n, size_t k)
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
	*first = select_kth(v, n, k);
	double next = v[k + 1];
	for (size_t i = k + 2; i < n; i++)
		next = v[i] < next ? v[i] : next;
	*second = next;
}

double ml_median(double *v, size_t n)
{
	if (n % 2 == 1)
		return select_kth(v, n, n / 2);
	double a, b;
	select_pair(v, n, n / 2 - 1, &a, &b);
	double mean = (a + b) / 2;
	return isfinite(mean) ? mean : a / 2 + b / 2;
}

/* numpy's linear interpolation (its _lerp) between the two neighbours. */
double ml_percentile(double *v, size_t n, double fraction)
{
	double position = (double)(n - 1) * fraction;
	if (position >= (double)(n - 1))
		return select_kth(v, n, n - 1);
	double below = floor(position), t = position - below, a, b;
	select_pair(v, n, (size_t)below, &a, &b);
	double difference = b - a;
	return t >= 0.5 ? b - difference * (1 - t) : a + difference * t;
}
