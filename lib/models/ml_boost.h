/*
 * ml_boost: gradient-boosted trees (ml-fit gbdt), xgboost/LightGBM style,
 * on the histogram learner (models/ml_grow.h).
 *
 * Objectives: squared error (n_classes 0), binary log-loss (2; one tree
 * per round on the log-odds of class 1) and multiclass softmax (3 or more;
 * one tree per class per round, each on its class's gradient p - y and
 * hessian p(1 - p)).  The base score comes from the prior, as scikit-
 * learn's HistGradientBoosting does: the mean, the log-odds of the class
 * frequency, the centred log class frequencies.  Each tree is a Newton
 * step: leaf = -G/(H + lambda), times the learning rate.
 *
 * Features are binned once from the training rows; validation rows use the
 * same edges.  With early_stopping_rounds and validation rows, training
 * stops when the validation loss has not improved for that many rounds,
 * and the model keeps the rounds up to the best one.  Losses are weighted
 * means: squared error, or log-loss (cross-entropy) in nats.
 *
 * Randomness (subsample: each row kept with that probability per round;
 * colsample: that fraction of the features per tree) comes from the stream
 * ml_random_init_stream(seed, round).  Threads work inside each tree, so
 * the model is the same for any thread count.
 */
#ifndef ML_BOOST_H
#define ML_BOOST_H

#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "models/ml_ensemble.h"

typedef struct ml_boost_options {
	size_t n_classes;         /* 0: squared error; 2: log-loss; more: softmax */
	size_t n_trees;           /* rounds (100) */
	double learning_rate;     /* 0.1 */
	size_t max_depth;         /* 6; 0: no limit (set max_leaves) */
	size_t max_leaves;        /* 0: no limit; else grown best-first (leaf-wise) */
	double min_child_weight;  /* hessian sum a leaf needs (1) */
	size_t min_samples_leaf;  /* rows a leaf needs (1) */
	double lambda;            /* L2 penalty on leaf values (1) */
	double gamma;             /* gain a split must beat (0) */
	double subsample;         /* fraction of rows per round (1) */
	double colsample;         /* fraction of features per tree (1) */
	size_t max_bins;          /* 255 */
	size_t early_stopping_rounds; /* 0: off; needs validation rows */
	uint64_t seed;            /* 0 */
	ml_ensemble_progress progress; /* one line per round; may be NULL */
	void *progress_context;
} ml_boost_options;

void ml_boost_options_init(ml_boost_options *options);
int ml_boost_options_check(const ml_boost_options *options, ml_error *err);

/*
 * Fits on train; valid (may be NULL) is scored every round and drives
 * early stopping.
 */
ml_ensemble *ml_boost_fit(const ml_boost_options *options, const ml_ensemble_data *train,
			  const ml_ensemble_data *valid, ml_error *err);

#endif
