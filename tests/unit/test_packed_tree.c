/*
 * ml_packed_tree: the block walk answers, bit for bit, what the plain walk
 * of models/ml_tree.c answers: on random trees (balanced and shallow, so
 * walked in lockstep; deep and unbalanced, so walked with compaction; a
 * lone leaf), on rows full of values equal to thresholds, a hair either
 * side of them, NaN and infinities, with float32 comparisons, with
 * features mapped to other columns, and for every row count around the
 * block size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"
#include "models/ml_packed_tree.h"
#include "models/ml_tree.h"

#define N_FEATURES 5
#define STRIDE 7
/* Past several blocks of either size, and every remainder of both. */
#define MAX_ROWS (3 * ML_PACKED_DEEP_BLOCK + 5)

/* Thresholds, and rows made of them: 0.1 and 1 + 2^-40 round as float32. */
static const double special[] = { -1, -0.5, 0, 0.1, 0.5, 1, 1 + 0x1p-40, 3e38 };
#define N_SPECIAL (sizeof special / sizeof special[0])

static double some_value(ml_random *random)
{
	double v = special[ml_random_below(random, N_SPECIAL)];
	switch (ml_random_below(random, 8)) {
	case 0: return NAN;
	case 1: return nextafter(v, INFINITY);
	case 2: return nextafter(v, -INFINITY);
	case 3: return ml_random_below(random, 2) ? INFINITY : -INFINITY;
	case 4: return ml_random_uniform(random) * 2 - 1;
	default: return v;
	}
}

static void make_split(ml_tree *tree, ml_random *random, size_t node, size_t left)
{
	tree->nodes[node] = (ml_tree_node){ special[ml_random_below(random, N_SPECIAL)],
					    (uint32_t)ml_random_below(random, N_FEATURES),
					    (uint32_t)left, (uint32_t)left + 1,
					    (uint32_t)ml_random_below(random, 2) };
}

/*
 * A tree of n_splits splits: each splits a random leaf (chain: always the
 * newest leaf on a random side, for a deep unbalanced tree).  Children are
 * appended, so they come after their parent as ml_tree_check wants.
 */
static ml_tree *random_tree(ml_random *random, size_t n_splits, size_t n_outputs, bool chain)
{
	ml_error err;
	ml_tree *tree = ml_tree_create(2 * n_splits + 1, n_outputs, &err);
	ck_assert_ptr_nonnull(tree);
	size_t n_nodes = 1;
	for (size_t s = 0; s < n_splits; s++) {
		size_t leaf;
		if (chain)
			leaf = n_nodes == 1 ? 0 : n_nodes - 1 - ml_random_below(random, 2);
		else
			do
				leaf = ml_random_below(random, n_nodes);
			while (!ml_tree_is_leaf(tree, leaf));
		make_split(tree, random, leaf, n_nodes);
		n_nodes += 2;
	}
	for (size_t i = 0; i < n_nodes; i++)
		for (size_t k = 0; k < n_outputs; k++)
			tree->values[i * n_outputs + k] =
				ml_tree_is_leaf(tree, i) ? ml_random_uniform(random) - 0.5 : 0;
	ck_assert_int_eq(ml_tree_check(tree, N_FEATURES, &err), 0);
	return tree;
}

/* Both walks on rows 0..n_rows-1 of values, into outputs that start equal. */
static void assert_same(const ml_tree *tree, const double *values, size_t n_rows,
			const size_t *columns, bool float32, ml_random *random)
{
	ml_error err;
	ml_packed_tree *packed = ml_packed_tree_create(tree, &err);
	ck_assert_ptr_nonnull(packed);
	ck_assert_uint_eq(packed->depth, ml_tree_depth(tree));
	size_t n_outputs = tree->n_outputs, out_stride = n_outputs + 1;
	double plain[MAX_ROWS * 4], fast[MAX_ROWS * 4];
	for (size_t i = 0; i < MAX_ROWS * 4; i++)
		plain[i] = fast[i] = ml_random_uniform(random);
	ml_tree_rows rows = { values, n_rows, columns ? STRIDE : N_FEATURES, columns, float32 };
	ml_tree_predict_add(tree, &rows, plain, out_stride);
	ml_packed_tree_predict_add(packed, &rows, fast, out_stride);
	ck_assert_msg(memcmp(plain, fast, sizeof plain) == 0,
		      "%zu rows, %zu nodes, float32 %d, mapped %d: the walks differ", n_rows,
		      tree->n_nodes, float32, columns != NULL);
	ml_packed_tree_free(packed);
}

static void try_tree(const ml_tree *tree, ml_random *random)
{
	static const size_t columns[N_FEATURES] = { 6, 0, 3, 5, 1 };
	double values[MAX_ROWS * STRIDE];
	for (size_t i = 0; i < MAX_ROWS * STRIDE; i++)
		values[i] = some_value(random);
	for (size_t n_rows = 0; n_rows <= MAX_ROWS; n_rows++)
		for (int mode = 0; mode < 4; mode++)
			assert_same(tree, values, n_rows, mode & 1 ? columns : NULL, mode & 2,
				    random);
}

START_TEST(shallow_random_trees_walk_the_same)
{
	ml_random random;
	ml_random_init(&random, 8);
	for (int t = 0; t < 30; t++) {
		ml_tree *tree = random_tree(&random, 1 + ml_random_below(&random, 40),
					    1 + ml_random_below(&random, 3), false);
		try_tree(tree, &random);
		ml_tree_free(tree);
	}
}
END_TEST

START_TEST(deep_unbalanced_trees_walk_the_same)
{
	ml_random random;
	ml_random_init(&random, 9);
	for (int t = 0; t < 6; t++) {
		/* Chains to the deepest tree allowed, and bushy trees beyond the lockstep depth. */
		ml_tree *tree = t % 2 ? random_tree(&random, ML_TREE_MAX_DEPTH, 1, true)
			: random_tree(&random, 300 + ml_random_below(&random, 300), 2, false);
		ck_assert_uint_gt(ml_tree_depth(tree), 8);
		try_tree(tree, &random);
		ml_tree_free(tree);
	}
}
END_TEST

START_TEST(a_lone_leaf_adds_its_values)
{
	ml_random random;
	ml_random_init(&random, 10);
	ml_error err;
	ml_tree *tree = ml_tree_create(1, 2, &err);
	ck_assert_ptr_nonnull(tree);
	tree->values[0] = 0.25;
	tree->values[1] = -3;
	ck_assert_int_eq(ml_tree_check(tree, N_FEATURES, &err), 0);
	try_tree(tree, &random);
	ml_tree_free(tree);
}
END_TEST

/* x0 <= 0 sends NaN left at the root, x1 <= 0 right below it: each leaf says its path. */
START_TEST(missing_values_take_the_recorded_side)
{
	ml_error err;
	ml_tree *tree = ml_tree_create(5, 1, &err);
	ck_assert_ptr_nonnull(tree);
	tree->nodes[0] = (ml_tree_node){ 0, 0, 1, 2, 1 };
	tree->nodes[1] = (ml_tree_node){ 0, 1, 3, 4, 0 };
	tree->values[2] = 2;
	tree->values[3] = 3;
	tree->values[4] = 4;
	ck_assert_int_eq(ml_tree_check(tree, 2, &err), 0);
	ml_packed_tree *packed = ml_packed_tree_create(tree, &err);
	ck_assert_ptr_nonnull(packed);
	double rows[] = { NAN, NAN, NAN, -1, 1, NAN, -1, 1, 0, 0 };
	double expected[] = { 4, 3, 2, 4, 3 }, out[5] = { 0 };
	ml_tree_rows input = { rows, 5, 2, NULL, false };
	ml_packed_tree_predict_add(packed, &input, out, 1);
	for (int r = 0; r < 5; r++)
		ck_assert_msg(out[r] == expected[r], "row %d: %g, wanted %g", r, out[r],
			      expected[r]);
	ml_packed_tree_free(packed);
	ml_tree_free(tree);
}
END_TEST

static Suite *packed_tree_suite(void)
{
	Suite *suite = suite_create("ml_packed_tree");
	TCase *core = tcase_create("core");
	tcase_set_timeout(core, 60);
	tcase_add_test(core, shallow_random_trees_walk_the_same);
	tcase_add_test(core, deep_unbalanced_trees_walk_the_same);
	tcase_add_test(core, a_lone_leaf_adds_its_values);
	tcase_add_test(core, missing_values_take_the_recorded_side);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(packed_tree_suite)
