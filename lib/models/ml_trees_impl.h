/*
 * Internal to lib/models: what the three tree kinds of the registry (tree,
 * forest, gbdt; ml_trees.c) share with their file lines and descriptions
 * (ml_trees_text.c).
 *
 * Their state is a fitted ensemble (models/ml_ensemble.h) and a training
 * summary.  In a model file, after the hyperparameter lines, the section
 * holds:
 *
 *     the ensemble's text            (models/ml_ensemble.h, models/ml_tree.h)
 *     importances N_FEATURES
 *     importance FEATURE GAIN SPLITS one line per feature, in feature order
 *     the summary of the kind:
 *       tree    training-score V     accuracy or R^2 on the training rows
 *       forest  out-of-bag-score V   accuracy or R^2 out of bag (nan unless --oob-score)
 *       gbdt    rounds N             rounds kept (the best one's, with early stopping)
 *               rounds-run N         rounds trained
 *               training-loss V      mean loss on the training rows, after the rounds kept
 *               validation-loss V    on the validation rows (nan without them)
 *               validation-rows N
 *     end
 *
 * The reader checks every line against the trees: the ensemble's kind is
 * the estimator's, its features and classes the model's, the importances
 * the sums over the trees, the tree count the hyperparameters' (rounds
 * times trees per round for gbdt).
 */
#ifndef ML_TREES_IMPL_H
#define ML_TREES_IMPL_H

#include "models/ml_ensemble.h"
#include "models/ml_model_impl.h"

typedef struct trees_state {
	ml_ensemble *ensemble;
	double score;         /* tree: training score; forest: out-of-bag score (NaN: none) */
	size_t valid_rows;    /* gbdt: validation rows */
} trees_state;

trees_state *ml_trees_state_new(ml_error *err);
void ml_trees_free_state(void *state);

void ml_trees_write(const ml_model *model, ml_buf *out);
int ml_trees_parse(ml_model *model, ml_text_reader *reader, ml_error *err);
void ml_trees_describe(const ml_model *model, ml_buf *out);

#endif
