/*
 * ml_forest: training a CART decision tree (ml-fit tree) and a random
 * forest (ml-fit forest) with the histogram learner (models/ml_grow.h),
 * with scikit-learn's DecisionTree and RandomForest defaults.
 *
 * Classification grows on one-hot gradients with Gini or entropy, and
 * leaves hold the class proportions (weighted); regression grows on
 * squared error, and leaves hold the mean.  Features are binned once
 * (models/ml_bins.h; at most max_bins bins each), so thresholds fall
 * between the binned values rather than between every pair of raw values.
 * Missing values (NaN) are routed by each split's learned side.
 *
 * A forest's tree t draws its bootstrap sample (n rows with replacement,
 * a row's count becoming its weight, as scikit-learn does) and its
 * per-split features from the stream ml_random_init_stream(seed, t), and
 * trees grow in parallel, one per thread, so the forest is the same for
 * any thread count.  Its prediction averages the trees' leaf values.
 */
#ifndef ML_FOREST_H
#define ML_FOREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "models/ml_ensemble.h"

typedef enum { ML_CRITERION_GINI, ML_CRITERION_ENTROPY } ml_criterion;

/* How many features each split tries (scikit-learn's max_features). */
typedef enum {
	ML_MAX_FEATURES_DEFAULT,  /* forest classification: sqrt; otherwise all */
	ML_MAX_FEATURES_ALL,
	ML_MAX_FEATURES_SQRT,     /* max(1, floor(sqrt(n_features))) */
	ML_MAX_FEATURES_LOG2,     /* max(1, floor(log2(n_features))) */
	ML_MAX_FEATURES_FRACTION, /* max(1, floor(value * n_features)), 0 < value <= 1 */
	ML_MAX_FEATURES_COUNT,    /* value features, 1 <= value (at most all) */
} ml_max_features;

typedef struct ml_forest_options {
	size_t n_classes;          /* 0: regression; else targets are classes 0..n_classes-1 */
	ml_criterion criterion;    /* classification: gini */
	size_t n_trees;            /* forest: 100 */
	bool bootstrap;            /* forest: true */
	size_t max_depth;          /* 0: no limit */
	size_t min_samples_split;  /* 2 */
	size_t min_samples_leaf;   /* 1 */
	size_t max_leaf_nodes;     /* 0: no limit (else grown best-first) */
	ml_max_features max_features; /* default */
	double max_features_value; /* for fraction and count */
	size_t max_bins;           /* 255 */
	bool oob_score;            /* forest: score the out-of-bag rows (false) */
	uint64_t seed;             /* 0 */
	ml_ensemble_progress progress; /* may be NULL */
	void *progress_context;
} ml_forest_options;

void ml_forest_options_init(ml_forest_options *options);
int ml_forest_options_check(const ml_forest_options *options, ml_error *err);

/* The features a split tries, for a tree (forest false) or a forest. */
size_t ml_forest_max_features(const ml_forest_options *options, size_t n_features,
			      bool forest);

/* One tree on every row (n_trees, bootstrap and oob_score are not used). */
ml_ensemble *ml_tree_fit(const ml_forest_options *options, const ml_ensemble_data *data,
			 ml_error *err);
/* A random forest. */
ml_ensemble *ml_forest_fit(const ml_forest_options *options, const ml_ensemble_data *data,
			   ml_error *err);

#endif
