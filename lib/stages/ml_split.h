/*
 * ml_split: which rows go to the training part and which to the test part
 * of a split, or to which fold of a K-fold cross-validation.
 *
 * The assignment needs only the row count and, to stratify, each row's
 * stratum (a class, or any column's value, numbered 0..n_strata-1): never
 * the rows.  Rows are shuffled within their stratum with a generator
 * seeded by options->seed, so the same seed gives the same parts.
 *
 * A shuffle split takes a fraction (rounded up, as scikit-learn's
 * train_test_split) or a count of test rows; stratified, each stratum
 * gives its share of them, the shares rounded by largest remainder (ties
 * broken by the seed) so that they add up exactly.  K-fold deals the
 * shuffled rows, stratum after stratum, to the folds in turn, as
 * scikit-learn's StratifiedKFold allocates them: every row is in exactly
 * one test fold, fold sizes differ by at most one, and so do a stratum's
 * rows in any two folds.  The fold assignment does not depend on which
 * fold is asked for, so K runs with the same seed partition the rows.
 */
#ifndef ML_SPLIT_H
#define ML_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"

typedef struct ml_split_options {
	uint64_t seed;
	double test_fraction; /* (0, 1); used when test_rows is 0 (default 0.25) */
	size_t test_rows;     /* an exact count of test rows, or 0 */
	size_t n_folds;       /* 0: a shuffle split; >= 2: K-fold */
	size_t fold;          /* K-fold: the fold that is the test part, 1..n_folds */
} ml_split_options;

void ml_split_options_init(ml_split_options *options);
/* Says why the options cannot go together (a fold out of range, ...). */
int ml_split_options_check(const ml_split_options *options, ml_error *err);

typedef struct ml_split_summary {
	size_t n_train, n_test;
	size_t n_strata;         /* 1 without stratification */
	size_t smallest_stratum; /* rows in the smallest stratum */
} ml_split_summary;

/*
 * Sets is_test[r] to 1 for the rows of the test part and 0 for the others,
 * r < n_rows.  strata (NULL: no stratification) holds each row's stratum,
 * < n_strata.  Fails when a part would be empty, when a stratified shuffle
 * split meets a stratum of one row (it cannot be on both sides, as
 * scikit-learn says too), or when there are more folds than rows.
 */
int ml_split_assign(const ml_split_options *options, size_t n_rows, const size_t *strata,
		    size_t n_strata, unsigned char *is_test, ml_split_summary *summary,
		    ml_error *err);

/*
 * K-fold: fold_of[r] (0-based, < n_folds) for every row, stratified when
 * strata is given: the assignment ml_split_assign uses, for programs that
 * run all the folds at once.
 */
int ml_split_folds(uint64_t seed, size_t n_folds, size_t n_rows, const size_t *strata,
		   size_t n_strata, size_t *fold_of, ml_error *err);

#endif
