/*
 * ml_poly: the poly stage, polynomial and interaction features.
 *
 * The stage multiplies the columns it expands into every monomial of
 * degree 1 to `degree`, in scikit-learn's PolynomialFeatures order: the
 * optional constant column "1", the columns themselves, then each degree in
 * combinations-with-replacement order (only distinct columns with
 * interaction_only).  Each term is its lower-degree term times one column,
 * exactly as scikit-learn computes it, so the values agree bit for bit.
 * Terms are named after what they are: "a", "a^2", "a*b", "a^2*b".
 *
 * Output columns: the expansion first, then the columns passed through
 * (not expanded) in their input order; the target is never expanded and
 * stays the target.  A missing value (NaN) makes every term containing it
 * missing.
 *
 * Fitting reads no data, only the column layout, so a poly stage can be
 * made before the first row and applied block by block: the helpers at the
 * end stream an input to an output in constant memory.
 */
#ifndef ML_POLY_H
#define ML_POLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_columns.h"
#include "stages/ml_stage.h"

#define ML_POLY_DEFAULT_DEGREE 2
/* Degrees above this are refused: the term count explodes long before. */
#define ML_POLY_MAX_DEGREE 10
/* Output width a fit refuses unless raised (it never exceeds ML_MAX_COLUMNS). */
#define ML_POLY_DEFAULT_MAX_COLUMNS 10000

typedef struct ml_poly_options {
	size_t degree;         /* 1 to ML_POLY_MAX_DEGREE */
	bool interaction_only; /* products of distinct columns only: no a^2 */
	bool bias;             /* add the constant column "1", first */
	const char *columns;   /* to expand (ml_columns_select list); NULL: all but the target */
	size_t max_columns;    /* refuse wider outputs: 1 to ML_MAX_COLUMNS */
} ml_poly_options;

void ml_poly_options_init(ml_poly_options *options);
/* Says why options are invalid: -1 and err, else 0. */
int ml_poly_options_check(const ml_poly_options *options, ml_error *err);

/*
 * The number of monomials of degree 1 to degree in n_expanded variables
 * (the constant not counted): C(n + degree, degree) - 1, or the sum of
 * C(n, k) for k = 1..degree with interaction_only.  False when it does not
 * fit in a size_t.
 */
bool ml_poly_count_terms(size_t n_expanded, size_t degree, bool interaction_only,
			 size_t *count);

/*
 * How many columns a poly stage with options would give inputs, without
 * allocating for them: SIZE_MAX when the count overflows.  -1 and err when
 * options->columns names no column to expand or a column that is not there.
 */
int ml_poly_width(const ml_columns *inputs, const ml_poly_options *options, size_t *width,
		  ml_error *err);

/*
 * A new poly stage for inputs.  Refuses an output wider than
 * options->max_columns with a message giving the width it would have.
 */
ml_stage *ml_poly_stage_create(const ml_columns *inputs, const ml_poly_options *options,
			       ml_error *err);
bool ml_stage_is_poly(const ml_stage *stage);

#endif
