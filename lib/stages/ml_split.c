#include "stages/ml_split.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_random.h"
#include "core/ml_util.h"

void ml_split_options_init(ml_split_options *options)
{
	memset(options, 0, sizeof *options);
	options->test_fraction = 0.25;
}

int ml_split_options_check(const ml_split_options *options, ml_error *err)
{
	if (options->n_folds == 1) {
		ml_error_set(err, "K-fold needs at least 2 folds");
		return -1;
	}
	if (options->n_folds && (options->fold < 1 || options->fold > options->n_folds)) {
		ml_error_set(err, "fold %zu does not exist: the folds are 1 to %zu", options->fold,
			     options->n_folds);
		return -1;
	}
	if (!options->n_folds && options->fold) {
		ml_error_set(err, "a fold is chosen only in K-fold");
		return -1;
	}
	if (!options->n_folds && !options->test_rows &&
	    !(options->test_fraction > 0 && options->test_fraction < 1)) {
		ml_error_set(err, "the test fraction must lie between 0 and 1, not %g",
			     options->test_fraction);
		return -1;
	}
	return 0;
}

/*
 * The rows grouped by stratum (starts[k] is where stratum k begins,
 * starts[n_strata] == n_rows), each group shuffled: the one random choice
 * both kinds of split are made of.
 */
static size_t *shuffled_order(uint64_t seed, size_t n_rows, const size_t *strata,
			      size_t n_strata, size_t *starts, ml_error *err)
{
	size_t *order = ml_alloc_array(n_rows ? n_rows : 1, sizeof *order, err);
	if (!order)
		return NULL;
	memset(starts, 0, (n_strata + 1) * sizeof *starts);
	for (size_t r = 0; r < n_rows; r++)
		starts[(strata ? strata[r] : 0) + 1]++;
	for (size_t k = 0; k < n_strata; k++)
		starts[k + 1] += starts[k];
	for (size_t r = 0; r < n_rows; r++)
		order[starts[strata ? strata[r] : 0]++] = r;
	/* The filling moved every start to the next one's place: move them back. */
	memmove(starts + 1, starts, n_strata * sizeof *starts);
	starts[0] = 0;
	ml_random random;
	ml_random_init(&random, seed);
	for (size_t k = 0; k < n_strata; k++)
		ml_random_shuffle(&random, order + starts[k], starts[k + 1] - starts[k]);
	return order;
}

static int check_strata(size_t n_rows, const size_t *strata, size_t n_strata, ml_error *err)
{
	if (n_strata == 0) {
		ml_error_set(err, "no strata");
		return -1;
	}
	for (size_t r = 0; strata && r < n_rows; r++)
		if (strata[r] >= n_strata) {
			ml_error_set(err, "row %zu: stratum %zu of %zu", r + 1, strata[r], n_strata);
			return -1;
		}
	return 0;
}

typedef struct share {
	size_t stratum;
	unsigned __int128 remainder;
	uint64_t tie; /* a random number: equal remainders in a seeded order */
} share;

static int compare_shares(const void *a, const void *b)
{
	const share *left = a, *right = b;
	if (left->remainder != right->remainder)
		return left->remainder > right->remainder ? -1 : 1;
	return (left->tie > right->tie) - (left->tie < right->tie);
}

/*
 * Each stratum's test rows: its exact share n_test * size / n_rows rounded
 * down, then one more for the strata with the largest remainders until
 * the shares add up to n_test.
 */
static int test_shares(uint64_t seed, size_t n_test, size_t n_rows, const size_t *starts,
		       size_t n_strata, size_t *test_of, ml_error *err)
{
	share *shares = ml_alloc_array(n_strata, sizeof *shares, err);
	if (!shares)
		return -1;
	ml_random random;
	/* A stream of its own: the shuffles keep theirs whatever the strata. */
	ml_random_init_stream(&random, seed, 1);
	size_t given = 0;
	for (size_t k = 0; k < n_strata; k++) {
		/* 128 bits: the product of two row counts is exact. */
		unsigned __int128 product = (unsigned __int128)n_test * (starts[k + 1] - starts[k]);
		test_of[k] = (size_t)(product / n_rows);
		given += test_of[k];
		shares[k] = (share){ k, product % n_rows, ml_random_next(&random) };
	}
	qsort(shares, n_strata, sizeof *shares, compare_shares);
	for (size_t i = 0; given < n_test; i++, given++)
		test_of[shares[i].stratum]++;
	free(shares);
	return 0;
}

static size_t test_count(const ml_split_options *options, size_t n_rows)
{
	if (options->test_rows)
		return options->test_rows;
	/* Rounded up, as scikit-learn's train_test_split does. */
	return (size_t)ceil(options->test_fraction * (double)n_rows);
}

static int shuffle_split(const ml_split_options *options, size_t n_rows, const size_t *order,
			 const size_t *starts, size_t n_strata, bool stratified,
			 unsigned char *is_test, ml_error *err)
{
	size_t n_test = test_count(options, n_rows);
	if (n_test == 0 || n_test >= n_rows) {
		ml_error_set(err, "%zu test rows of %zu leave a part empty", n_test, n_rows);
		return -1;
	}
	size_t *test_of = ml_alloc_array(n_strata, sizeof *test_of, err);
	if (!test_of)
		return -1;
	if (!stratified)
		test_of[0] = n_test;
	else if (test_shares(options->seed, n_test, n_rows, starts, n_strata, test_of, err) < 0) {
		free(test_of);
		return -1;
	}
	for (size_t k = 0; k < n_strata; k++)
		for (size_t i = starts[k]; i < starts[k + 1]; i++)
			is_test[order[i]] = i - starts[k] < test_of[k];
	free(test_of);
	return 0;
}

static void summarise(size_t n_rows, const size_t *starts, size_t n_strata,
		      const unsigned char *is_test, ml_split_summary *summary)
{
	memset(summary, 0, sizeof *summary);
	summary->smallest_stratum = n_rows;
	for (size_t k = 0; k < n_strata; k++) {
		size_t size = starts[k + 1] - starts[k];
		if (size == 0)
			continue;
		summary->n_strata++;
		if (size < summary->smallest_stratum)
			summary->smallest_stratum = size;
	}
	for (size_t r = 0; r < n_rows; r++)
		summary->n_test += is_test[r];
	summary->n_train = n_rows - summary->n_test;
}

/* A stratum of one row cannot be on both sides of a stratified shuffle split. */
static int check_singletons(const size_t *starts, size_t n_strata, ml_error *err)
{
	for (size_t k = 0; k < n_strata; k++)
		if (starts[k + 1] - starts[k] == 1) {
			ml_error_set(err, "a stratum has only 1 row: it cannot be in both parts"
				     " (stratify by a column with fewer distinct values)");
			return -1;
		}
	return 0;
}

int ml_split_assign(const ml_split_options *options, size_t n_rows, const size_t *strata,
		    size_t n_strata, unsigned char *is_test, ml_split_summary *summary,
		    ml_error *err)
{
	if (!strata)
		n_strata = 1;
	if (ml_split_options_check(options, err) < 0 ||
	    check_strata(n_rows, strata, n_strata, err) < 0)
		return -1;
	if (options->n_folds > n_rows || n_rows < 2) {
		ml_error_set(err, "%zu rows cannot be split%s", n_rows,
			     options->n_folds > n_rows ? " into that many folds" : "");
		return -1;
	}
	size_t *starts = ml_alloc_array(n_strata + 1, sizeof *starts, err);
	size_t *order = starts ? shuffled_order(options->seed, n_rows, strata, n_strata, starts,
						err) : NULL;
	int status = order ? 0 : -1;
	if (status == 0 && options->n_folds) {
		for (size_t i = 0; i < n_rows; i++)
			is_test[order[i]] = i % options->n_folds == options->fold - 1;
	} else if (status == 0) {
		status = strata ? check_singletons(starts, n_strata, err) : 0;
		if (status == 0)
			status = shuffle_split(options, n_rows, order, starts, n_strata,
					       strata != NULL, is_test, err);
	}
	if (status == 0)
		summarise(n_rows, starts, n_strata, is_test, summary);
	free(order);
	free(starts);
	return status;
}

int ml_split_folds(uint64_t seed, size_t n_folds, size_t n_rows, const size_t *strata,
		   size_t n_strata, size_t *fold_of, ml_error *err)
{
	if (!strata)
		n_strata = 1;
	if (check_strata(n_rows, strata, n_strata, err) < 0)
		return -1;
	if (n_folds < 2 || n_folds > n_rows) {
		ml_error_set(err, "%zu rows cannot be dealt into %zu folds", n_rows, n_folds);
		return -1;
	}
	size_t *starts = ml_alloc_array(n_strata + 1, sizeof *starts, err);
	size_t *order = starts ? shuffled_order(seed, n_rows, strata, n_strata, starts, err) : NULL;
	if (order)
		for (size_t i = 0; i < n_rows; i++)
			fold_of[order[i]] = i % n_folds;
	free(order);
	free(starts);
	return order ? 0 : -1;
}
