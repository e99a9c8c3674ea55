/*
 * ml_grow (through ml_tree_fit, ml_boost_fit and the grower itself): splits
 * and leaf values computed by hand, the Newton step of one boosting round,
 * Gini and entropy choosing scikit-learn's splits, the Newton gain being
 * half the decrease of Gini impurity and of the sum of squares, missing
 * values learning their side, feature limits, leaf-wise growth, and the
 * histogram pool giving histograms up without changing the tree.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"
#include "math/ml_parallel.h"
#include "models/ml_boost.h"
#include "models/ml_forest.h"
#include "models/ml_grow.h"

static const double stump_x[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const double stump_y[10] = { 1, 1, 2, 1, 1, 5, 6, 5, 6, 7 };

static const ml_tree *only_tree(const ml_ensemble *ensemble)
{
	ck_assert_uint_eq(ml_ensemble_n_trees(ensemble), 1);
	return ml_ensemble_tree(ensemble, 0);
}

START_TEST(regression_stump_by_hand)
{
	/* Every threshold's decrease of the sum of squares, by brute force. */
	double mean = 0, best_decrease = -1, best_threshold = 0;
	for (int i = 0; i < 10; i++)
		mean += stump_y[i] / 10;
	for (int k = 0; k < 9; k++) {
		double left = 0, right = 0;
		for (int i = 0; i < 10; i++)
			*(i <= k ? &left : &right) += stump_y[i];
		left /= k + 1;
		right /= 9 - k;
		double decrease = (k + 1) * (left - mean) * (left - mean) +
			(9 - k) * (right - mean) * (right - mean);
		if (decrease > best_decrease) {
			best_decrease = decrease;
			best_threshold = k + 0.5;
		}
	}
	ck_assert(best_threshold == 4.5 && fabs(best_decrease - 52.9) < 1e-12);
	ml_forest_options options;
	ml_error err;
	ml_forest_options_init(&options);
	options.max_depth = 1;
	ml_ensemble_data data = { stump_x, 10, 1, 1, stump_y, NULL };
	ml_ensemble *ensemble = ml_tree_fit(&options, &data, &err);
	ck_assert_msg(ensemble != NULL, "%s", err.message);
	const ml_tree *tree = only_tree(ensemble);
	ck_assert_uint_eq(tree->n_nodes, 3);
	ck_assert_uint_eq(tree->nodes[0].feature, 0);
	ck_assert(tree->nodes[0].threshold == 4.5);
	/* Left: mean of 1 1 2 1 1; right: mean of 5 6 5 6 7. */
	ck_assert(fabs(tree->values[tree->nodes[0].left] - 1.2) < 1e-12);
	ck_assert(fabs(tree->values[tree->nodes[0].right] - 5.8) < 1e-12);
	/* The Newton gain with g = -y, h = 1: half the decrease of the sum of squares. */
	ck_assert(fabs(tree->gain[0] - best_decrease / 2) < 1e-9);
	ck_assert(tree->cover[0] == 10 && tree->count[tree->nodes[0].left] == 5);
	ml_ensemble_free(ensemble);
}
END_TEST

START_TEST(one_boosting_round_is_a_newton_step)
{
	ml_boost_options options;
	ml_error err;
	ml_boost_options_init(&options);
	options.n_trees = 1;
	options.max_depth = 1;
	options.learning_rate = 0.1;
	options.lambda = 1;
	ml_ensemble_data data = { stump_x, 10, 1, 1, stump_y, NULL };
	ml_ensemble *ensemble = ml_boost_fit(&options, &data, NULL, &err);
	ck_assert_msg(ensemble != NULL, "%s", err.message);
	/*
	 * Base score: the mean 3.5.  g = 3.5 - y, h = 1.  The best split is
	 * x <= 4.5 (G_L = 11.5 = -G_R, H = 5 each side); leaves
	 * -G/(H + lambda) * 0.1 = -/+ 11.5 / 6 * 0.1.
	 */
	ck_assert(ml_ensemble_base_score(ensemble)[0] == 3.5);
	const ml_tree *tree = only_tree(ensemble);
	ck_assert(tree->nodes[0].threshold == 4.5);
	double rows[2] = { 0, 9 }, predictions[2];
	ml_tree_rows input = { rows, 2, 1, NULL, false };
	ck_assert_int_eq(ml_ensemble_predict(ensemble, &input, predictions, NULL, &err), 0);
	ck_assert(fabs(predictions[0] - (3.5 - 11.5 / 6 * 0.1)) < 1e-12);
	ck_assert(fabs(predictions[1] - (3.5 + 11.5 / 6 * 0.1)) < 1e-12);
	/* gain = [G_L^2/(H_L+1) + G_R^2/(H_R+1) - 0] / 2 */
	ck_assert(fabs(tree->gain[0] - 11.5 * 11.5 / 6) < 1e-9);
	ml_ensemble_free(ensemble);
}
END_TEST

/*
 * Found with scikit-learn 1.2 (the best splits are unique, so its random
 * feature order does not matter):
 *   DecisionTreeClassifier(max_depth=1, criterion=c).fit(X, y).tree_
 *   gini:    feature 1, threshold 4.5, decrease 1.825 (next best 1.7583)
 *   entropy: feature 0, threshold 7.5, decrease 4.906416070199158 bits
 *            (next best 4.2256)
 * where the decrease is n * impurity - n_L * impurity_L - n_R * impurity_R.
 */
static const double split_x[16][2] = {
	{ 4, 0 }, { 1, 5 }, { 9, 4 }, { 8, 9 }, { 8, 6 }, { 4, 5 }, { 2, 4 }, { 3, 2 },
	{ 9, 0 }, { 0, 1 }, { 9, 6 }, { 8, 2 }, { 7, 3 }, { 4, 0 }, { 6, 8 }, { 6, 1 },
};
static const double split_y[16] = { 1, 0, 2, 2, 0, 1, 2, 2, 2, 1, 0, 2, 1, 0, 0, 1 };

static ml_ensemble *stump_classifier(ml_criterion criterion)
{
	ml_forest_options options;
	ml_error err;
	ml_forest_options_init(&options);
	options.n_classes = 3;
	options.criterion = criterion;
	options.max_depth = 1;
	ml_ensemble_data data = { &split_x[0][0], 16, 2, 2, split_y, NULL };
	ml_ensemble *ensemble = ml_tree_fit(&options, &data, &err);
	ck_assert_msg(ensemble != NULL, "%s", err.message);
	return ensemble;
}

START_TEST(gini_and_entropy_choose_scikit_learns_splits)
{
	ml_ensemble *gini = stump_classifier(ML_CRITERION_GINI);
	const ml_tree *tree = only_tree(gini);
	ck_assert_uint_eq(tree->nodes[0].feature, 1);
	ck_assert(tree->nodes[0].threshold == 4.5);
	/* The Newton gain of one-hot gradients is half the Gini decrease. */
	ck_assert_msg(fabs(tree->gain[0] - 1.825 / 2) < 1e-12, "gain %.17g", tree->gain[0]);
	/* Leaves hold the class proportions of their rows. */
	double counts[2][3] = { { 0 } };
	for (int i = 0; i < 16; i++)
		counts[split_x[i][1] > 4.5][(int)split_y[i]] += 1;
	for (int side = 0; side < 2; side++) {
		uint32_t leaf = side ? tree->nodes[0].right : tree->nodes[0].left;
		double total = counts[side][0] + counts[side][1] + counts[side][2];
		for (int k = 0; k < 3; k++)
			ck_assert(fabs(tree->values[leaf * 3 + k] - counts[side][k] / total) <
				  1e-15);
	}
	ml_ensemble_free(gini);
	ml_ensemble *entropy = stump_classifier(ML_CRITERION_ENTROPY);
	tree = only_tree(entropy);
	ck_assert_uint_eq(tree->nodes[0].feature, 0);
	ck_assert(tree->nodes[0].threshold == 7.5);
	ck_assert_msg(fabs(tree->gain[0] - 4.906416070199158) < 1e-12, "gain %.17g",
		      tree->gain[0]);
	ml_ensemble_free(entropy);
}
END_TEST

/* 20 rows with x = 0..19 (class x >= 10) and 10 with x missing, of class missing_class. */
static ml_ensemble *fit_with_missing(double missing_class, double *rows, double *targets)
{
	for (int i = 0; i < 30; i++) {
		rows[i] = i < 20 ? i : NAN;
		targets[i] = i < 20 ? (i >= 10) : missing_class;
	}
	ml_forest_options options;
	ml_error err;
	ml_forest_options_init(&options);
	options.n_classes = 2;
	options.max_depth = 1;
	ml_ensemble_data data = { rows, 30, 1, 1, targets, NULL };
	ml_ensemble *ensemble = ml_tree_fit(&options, &data, &err);
	ck_assert_msg(ensemble != NULL, "%s", err.message);
	return ensemble;
}

START_TEST(missing_values_learn_their_side)
{
	double rows[30], targets[30], nan_row = NAN, probabilities[2], prediction;
	ml_error err;
	ml_tree_rows input = { &nan_row, 1, 1, NULL, false };
	for (int missing_class = 0; missing_class < 2; missing_class++) {
		ml_ensemble *ensemble = fit_with_missing(missing_class, rows, targets);
		const ml_tree *tree = only_tree(ensemble);
		ck_assert(tree->nodes[0].threshold == 9.5);
		/* Class 1 (the right side) for missing values: they go right, else left. */
		ck_assert_uint_eq(tree->nodes[0].missing_left, missing_class == 0);
		ck_assert_int_eq(ml_ensemble_predict(ensemble, &input, &prediction, probabilities,
						     &err), 0);
		ck_assert(prediction == missing_class && probabilities[missing_class] == 1);
		ml_ensemble_free(ensemble);
	}
}
END_TEST

START_TEST(missing_values_alone_can_be_the_split)
{
	/* Every present value is 1; only missingness tells the classes apart. */
	double rows[12], targets[12];
	for (int i = 0; i < 12; i++) {
		rows[i] = i % 3 ? 1 : NAN;
		targets[i] = i % 3 ? 0 : 1;
	}
	ml_forest_options options;
	ml_error err;
	ml_forest_options_init(&options);
	options.n_classes = 2;
	ml_ensemble_data data = { rows, 12, 1, 1, targets, NULL };
	ml_ensemble *ensemble = ml_tree_fit(&options, &data, &err);
	const ml_tree *tree = only_tree(ensemble);
	ck_assert_uint_eq(tree->n_nodes, 3);
	ck_assert(tree->nodes[0].threshold == INFINITY && !tree->nodes[0].missing_left);
	double check[3] = { NAN, 1, 1e308 }, predictions[3];
	ml_tree_rows input = { check, 3, 1, NULL, false };
	ck_assert_int_eq(ml_ensemble_predict(ensemble, &input, predictions, NULL, &err), 0);
	ck_assert(predictions[0] == 1 && predictions[1] == 0 && predictions[2] == 0);
	ml_ensemble_free(ensemble);
}
END_TEST

START_TEST(no_missing_in_training_goes_with_the_cover)
{
	/* Split at 3.5: 4 rows left, 12 right; a missing value goes right. */
	double rows[16], targets[16], nan_row = NAN, prediction;
	for (int i = 0; i < 16; i++) {
		rows[i] = i;
		targets[i] = i >= 4;
	}
	ml_forest_options options;
	ml_error err;
	ml_forest_options_init(&options);
	options.n_classes = 2;
	ml_ensemble_data data = { rows, 16, 1, 1, targets, NULL };
	ml_ensemble *ensemble = ml_tree_fit(&options, &data, &err);
	const ml_tree *tree = only_tree(ensemble);
	ck_assert(tree->nodes[0].threshold == 3.5 && !tree->nodes[0].missing_left);
	ml_tree_rows input = { &nan_row, 1, 1, NULL, false };
	ck_assert_int_eq(ml_ensemble_predict(ensemble, &input, &prediction, NULL, &err), 0);
	ck_assert(prediction == 1);
	ml_ensemble_free(ensemble);
	/* Mirrored: 12 rows left, so left. */
	for (int i = 0; i < 16; i++)
		targets[i] = i >= 12;
	ensemble = ml_tree_fit(&options, &data, &err);
	ck_assert(only_tree(ensemble)->nodes[0].missing_left);
	ml_ensemble_free(ensemble);
}
END_TEST

/* A learner on n rows of p features: x uniform, y depends on features 1 and 3. */
typedef struct learner {
	size_t n, p;
	double *x, *g, *h;
	uint8_t *codes;
	ml_bins *bins;
} learner;

static void learner_init(learner *l, size_t n, size_t p)
{
	ml_random random;
	ml_random_init(&random, 21);
	l->n = n;
	l->p = p;
	l->x = malloc(n * p * sizeof *l->x);
	l->g = malloc(n * sizeof *l->g);
	l->h = malloc(n * sizeof *l->h);
	l->codes = malloc(n * p);
	for (size_t i = 0; i < n * p; i++)
		l->x[i] = floor(ml_random_uniform(&random) * 64);
	for (size_t r = 0; r < n; r++) {
		/* Integer gradients: every sum is exact, whatever the order. */
		l->g[r] = -((l->x[r * p + 1] > 20) + 2 * (l->x[r * p + 3] > 40) +
			    (double)ml_random_below(&random, 3));
		l->h[r] = 1;
	}
	ml_bins_options options;
	ml_error err;
	ml_bins_options_init(&options);
	l->bins = ml_bins_fit(l->x, n, p, p, &options, &err);
	ck_assert_ptr_nonnull(l->bins);
	ml_bins_apply(l->bins, l->x, n, p, l->codes);
}

static void learner_free(learner *l)
{
	free(l->x);
	free(l->g);
	free(l->h);
	free(l->codes);
	ml_bins_free(l->bins);
}

static ml_tree *grow(const learner *l, const ml_grow_options *options, const size_t *features,
		     size_t n_features)
{
	ml_error err;
	ml_grower *grower = ml_grower_create(l->bins, l->codes, l->n, options, &err);
	ck_assert_msg(grower != NULL, "%s", err.message);
	ml_grow_data data = { .gradients = l->g, .hessians = l->h, .features = features,
			      .n_features = n_features };
	ml_tree *tree = ml_grower_grow(grower, &data, &err);
	ck_assert_msg(tree != NULL, "%s", err.message);
	ck_assert_int_eq(ml_tree_check(tree, l->p, &err), 0);
	ml_grower_free(grower);
	return tree;
}

static bool same_tree(const ml_tree *a, const ml_tree *b)
{
	return a->n_nodes == b->n_nodes &&
	       !memcmp(a->nodes, b->nodes, a->n_nodes * sizeof *a->nodes) &&
	       !memcmp(a->values, b->values, a->n_nodes * a->n_outputs * sizeof *a->values) &&
	       !memcmp(a->gain, b->gain, a->n_nodes * sizeof *a->gain);
}

START_TEST(features_allowed_per_tree_are_the_only_ones_used)
{
	learner l;
	learner_init(&l, 3000, 6);
	ml_grow_options options;
	ml_grow_options_init(&options);
	options.max_depth = 5;
	size_t allowed[] = { 0, 2, 5 };
	ml_tree *tree = grow(&l, &options, allowed, 3);
	for (size_t i = 0; i < tree->n_nodes; i++)
		if (!ml_tree_is_leaf(tree, i))
			ck_assert(tree->nodes[i].feature != 1 && tree->nodes[i].feature != 3 &&
				  tree->nodes[i].feature != 4);
	ml_tree_free(tree);
	/* With every feature, the informative ones come first. */
	tree = grow(&l, &options, NULL, 0);
	ck_assert(tree->nodes[0].feature == 1 || tree->nodes[0].feature == 3);
	ml_tree_free(tree);
	learner_free(&l);
}
END_TEST

START_TEST(leaf_wise_growth_takes_the_best_leaf)
{
	learner l;
	learner_init(&l, 3000, 6);
	ml_grow_options options;
	ml_grow_options_init(&options);
	/* Depth-wise to depth 2: the root's children's best gains. */
	options.max_depth = 2;
	ml_tree *level = grow(&l, &options, NULL, 0);
	ck_assert_uint_eq(level->n_nodes, 7);
	double gain_1 = level->gain[1], gain_2 = level->gain[2];
	ck_assert(gain_1 != gain_2);
	/* Leaf-wise with 3 leaves splits the root, then the child with more gain. */
	options.max_depth = 0;
	options.max_leaves = 3;
	ml_tree *best = grow(&l, &options, NULL, 0);
	ck_assert_uint_eq(ml_tree_n_leaves(best), 3);
	ck_assert_mem_eq(&best->nodes[0], &level->nodes[0], sizeof best->nodes[0]);
	size_t split = gain_1 > gain_2 ? 1 : 2;
	ck_assert(!ml_tree_is_leaf(best, split) && ml_tree_is_leaf(best, 3 - split));
	ck_assert(best->gain[split] == (gain_1 > gain_2 ? gain_1 : gain_2));
	ml_tree_free(best);
	options.max_leaves = 9;
	best = grow(&l, &options, NULL, 0);
	ck_assert_uint_eq(ml_tree_n_leaves(best), 9);
	ml_tree_free(best);
	ml_tree_free(level);
	learner_free(&l);
}
END_TEST

START_TEST(a_full_pool_changes_nothing)
{
	learner l;
	learner_init(&l, 40000, 6);
	ml_grow_options options;
	ml_grow_options_init(&options);
	options.max_depth = 12;
	ml_tree *roomy = grow(&l, &options, NULL, 0);
	options.max_histogram_bytes = 1; /* the smallest pool: histograms given up all the time */
	ml_tree *tight = grow(&l, &options, NULL, 0);
	ck_assert_uint_gt(roomy->n_nodes, 200);
	ck_assert(same_tree(roomy, tight));
	ml_tree_free(roomy);
	ml_tree_free(tight);
	learner_free(&l);
}
END_TEST

START_TEST(threads_change_nothing)
{
	/* Large enough for threads at the top levels (ml_grow.c's PARALLEL_MIN_*). */
	learner l;
	learner_init(&l, 150000, 16);
	ml_grow_options options;
	ml_grow_options_init(&options);
	options.max_depth = 8;
	options.lambda = 1;
	for (size_t i = 0; i < l.n; i++)
		l.g[i] += sin((double)i); /* sums that depend on their order */
	ml_parallel_set_threads(1);
	ml_tree *one = grow(&l, &options, NULL, 0);
	ml_parallel_set_threads(2);
	ml_tree *two = grow(&l, &options, NULL, 0);
	ml_parallel_set_threads(3);
	ml_tree *three = grow(&l, &options, NULL, 0);
	ml_parallel_set_threads(0);
	ck_assert(same_tree(one, two) && same_tree(one, three));
	ml_tree_free(one);
	ml_tree_free(two);
	ml_tree_free(three);
	learner_free(&l);
}
END_TEST

/*
 * Rows whose values sit on and beside the bin edges (decimal fractions, their
 * float32 roundings and next doubles, -0.0, huge values): the leaf each
 * training row reaches through the grower's row partition, through its bin
 * codes, and through the stored thresholds at predict time is the same leaf,
 * so training, validation and predicted scores agree to the bit.
 */
START_TEST(fit_time_and_predict_time_routing_agree)
{
	enum { N = 20000, P = 4 }; /* learner_init reads features 1 and 3 */
	learner l;
	learner_init(&l, N, P);
	ml_random random;
	ml_random_init(&random, 5);
	for (size_t i = 0; i < N * P; i++) {
		double x = (double)ml_random_below(&random, 400) * 0.1 - 20;
		switch (ml_random_below(&random, 6)) {
		case 0: x = (double)(float)x; break;
		case 1: x = nextafter(x, INFINITY); break;
		case 2: x = nextafter(x, -INFINITY); break;
		case 3: x = ml_random_below(&random, 50) ? x : (x < 0 ? -1e300 : 1e300); break;
		default: break;
		}
		l.x[i] = x == 0 ? -0.0 : x;
	}
	for (size_t r = 0; r < N; r++)
		l.g[r] = sin(l.x[r * P]) + cos(3 * l.x[r * P + 1]) * tanh(l.x[r * P + 2]);
	ml_bins_free(l.bins);
	ml_bins_options bin_options;
	ml_error err;
	ml_bins_options_init(&bin_options);
	l.bins = ml_bins_fit(l.x, N, P, P, &bin_options, &err);
	ck_assert_ptr_nonnull(l.bins);
	ml_bins_apply(l.bins, l.x, N, P, l.codes);
	ml_grow_options options;
	ml_grow_options_init(&options);
	options.max_depth = 14;
	options.lambda = 1;
	ml_grower *grower = ml_grower_create(l.bins, l.codes, N, &options, &err);
	ck_assert_msg(grower != NULL, "%s", err.message);
	ml_grow_data data = { .gradients = l.g, .hessians = l.h, .n_features = 0 };
	ml_tree *tree = ml_grower_grow(grower, &data, &err);
	ck_assert_msg(tree != NULL, "%s", err.message);
	ck_assert_uint_gt(tree->n_nodes, 1000);
	static double fitted[N], binned[N], predicted[N];
	memset(fitted, 0, sizeof fitted);
	memset(binned, 0, sizeof binned);
	memset(predicted, 0, sizeof predicted);
	ml_grower_add_leaves(grower, tree, fitted, 1, NULL, NULL);
	ml_grower_add_binned(grower, tree, l.codes, N, NULL, 0, binned, 1);
	ml_tree_rows rows = { l.x, N, P, NULL, false };
	ml_tree_predict_add(tree, &rows, predicted, 1);
	for (size_t r = 0; r < N; r++) {
		ck_assert_msg(fitted[r] == binned[r], "row %zu: partition and codes differ", r);
		ck_assert_msg(fitted[r] == predicted[r], "row %zu (x = %.17g, %.17g, %.17g): "
			      "fit-time leaf %.17g, predict-time leaf %.17g", r, l.x[r * P],
			      l.x[r * P + 1], l.x[r * P + 2], fitted[r], predicted[r]);
	}
	ml_tree_free(tree);
	ml_grower_free(grower);
	learner_free(&l);
}
END_TEST

START_TEST(options_are_checked)
{
	ml_grow_options options;
	ml_error err;
	ml_grow_options_init(&options);
	ck_assert_int_eq(ml_grow_options_check(&options, &err), 0);
	options.max_leaves = 1;
	ck_assert_int_eq(ml_grow_options_check(&options, &err), -1);
	ml_grow_options_init(&options);
	options.lambda = -1;
	ck_assert_int_eq(ml_grow_options_check(&options, &err), -1);
	ml_grow_options_init(&options);
	options.criterion = ML_GROW_ENTROPY;
	options.lambda = 1;
	ck_assert_int_eq(ml_grow_options_check(&options, &err), -1);
	ml_grow_options_init(&options);
	options.max_depth = ML_TREE_MAX_DEPTH + 1;
	ck_assert_int_eq(ml_grow_options_check(&options, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "max_depth"));
}
END_TEST

static Suite *grow_suite(void)
{
	Suite *suite = suite_create("ml_grow");
	TCase *core = tcase_create("core");
	tcase_set_timeout(core, 60);
	tcase_add_test(core, regression_stump_by_hand);
	tcase_add_test(core, one_boosting_round_is_a_newton_step);
	tcase_add_test(core, gini_and_entropy_choose_scikit_learns_splits);
	tcase_add_test(core, missing_values_learn_their_side);
	tcase_add_test(core, missing_values_alone_can_be_the_split);
	tcase_add_test(core, no_missing_in_training_goes_with_the_cover);
	tcase_add_test(core, features_allowed_per_tree_are_the_only_ones_used);
	tcase_add_test(core, leaf_wise_growth_takes_the_best_leaf);
	tcase_add_test(core, a_full_pool_changes_nothing);
	tcase_add_test(core, threads_change_nothing);
	tcase_add_test(core, fit_time_and_predict_time_routing_agree);
	tcase_add_test(core, options_are_checked);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(grow_suite)
