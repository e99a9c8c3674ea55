/*
 * ml_ensemble: a fitted tree model (one CART tree, a random forest or
 * gradient-boosted trees) as one object: trees, how their outputs combine,
 * prediction, importances and text.  models/ml_forest.h and
 * models/ml_boost.h train them; a model file embeds their text.
 *
 * Trees and forests average their trees' leaf values (class probabilities,
 * or means for regression).  Boosted trees add theirs to a base score:
 * squared error predicts the sum; binary log-loss has one score, the
 * log-odds of class 1; softmax has one score per class, and tree t adds to
 * score t mod n_classes (one tree per class per round).
 *
 * Text (part of mlpipe-model(5)), each key on a line of its own:
 *
 *     ensemble tree|forest|gbdt
 *     objective squared-error|probability|logistic|softmax
 *     features N_FEATURES
 *     classes N_CLASSES             (0 for regression)
 *     compare double|float32        (float32: x is rounded to float first)
 *     base-score VALUE...           (one per score)
 *     trees N_TREES
 *     then N_TREES trees as models/ml_tree.h writes them, numbered from 0.
 *
 * Leaves hold n_classes values for classifying trees and forests, one
 * value otherwise.  Counts are bounded (ML_ENSEMBLE_MAX_TREES, ML_MAX_COLUMNS
 * features, ML_ENSEMBLE_MAX_CLASSES classes) before anything is allocated.
 */
#ifndef ML_ENSEMBLE_H
#define ML_ENSEMBLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "core/ml_text.h"
#include "core/ml_util.h"
#include "models/ml_tree.h"

#define ML_ENSEMBLE_MAX_TREES ((size_t)1 << 20)
#define ML_ENSEMBLE_MAX_CLASSES ((size_t)1 << 12)

typedef enum { ML_ENSEMBLE_TREE, ML_ENSEMBLE_FOREST, ML_ENSEMBLE_GBDT } ml_ensemble_kind;

typedef enum {
	ML_OBJECTIVE_SQUARED_ERROR, /* regression */
	ML_OBJECTIVE_PROBABILITY,   /* trees and forests: leaves hold class probabilities */
	ML_OBJECTIVE_LOGISTIC,      /* gbdt, 2 classes: one score, sigmoid */
	ML_OBJECTIVE_SOFTMAX,       /* gbdt, 3 or more classes: a score per class */
} ml_objective;

/* Progress for -v: the library formats a line, the command prints it. */
typedef void (*ml_ensemble_progress)(void *context, const char *line);

/* Training rows: what the training functions take. */
typedef struct ml_ensemble_data {
	const double *features; /* n_rows x stride; feature j at column j; NaN: missing */
	size_t n_rows;
	size_t n_features;
	size_t stride;
	const double *targets;  /* n_rows: a class index 0..n_classes-1, or a value */
	const double *weights;  /* n_rows finite values >= 0, or NULL: all 1 */
} ml_ensemble_data;

/*
 * Checks data for n_classes classes (0: regression): targets finite (class
 * indices whole and in range), weights finite, >= 0, not all 0.
 */
int ml_ensemble_data_check(const ml_ensemble_data *data, size_t n_classes, ml_error *err);

/* What training measured (not part of the text). */
typedef struct ml_ensemble_summary {
	size_t rounds;       /* gbdt: rounds kept (the best one's number + 1) */
	size_t rounds_run;   /* gbdt: rounds trained before stopping */
	double train_loss;   /* gbdt: at the last round kept; NaN when not computed */
	double valid_loss;   /* gbdt: on the validation rows; NaN without them */
	double oob_score;    /* forest: accuracy or R^2 out of bag; NaN when not asked */
} ml_ensemble_summary;

typedef struct ml_ensemble ml_ensemble;

/*
 * An ensemble without trees, base scores 0.  objective must suit kind
 * (probability for classifying trees and forests, squared error for
 * regression, logistic and softmax for gbdt) and n_classes (0 for squared
 * error, 2 for logistic, at least 2 for probability, 3 for softmax).
 */
ml_ensemble *ml_ensemble_create(ml_ensemble_kind kind, ml_objective objective,
				size_t n_features, size_t n_classes, ml_error *err);
void ml_ensemble_free(ml_ensemble *ensemble);

/* Adds tree (ownership passes, freed on failure), after checking it. */
int ml_ensemble_add_tree(ml_ensemble *ensemble, ml_tree *tree, ml_error *err);
/* Keeps the first n_trees trees. */
void ml_ensemble_truncate(ml_ensemble *ensemble, size_t n_trees);
/* values: ml_ensemble_n_scores of them, finite. */
int ml_ensemble_set_base_score(ml_ensemble *ensemble, const double *values, ml_error *err);
void ml_ensemble_set_float32(ml_ensemble *ensemble, bool float32);
void ml_ensemble_set_summary(ml_ensemble *ensemble, const ml_ensemble_summary *summary);

ml_ensemble_kind ml_ensemble_kind_of(const ml_ensemble *ensemble);
ml_objective ml_ensemble_objective(const ml_ensemble *ensemble);
const char *ml_ensemble_kind_name(ml_ensemble_kind kind);
const char *ml_objective_name(ml_objective objective);
size_t ml_ensemble_n_features(const ml_ensemble *ensemble);
/* 0 for regression. */
size_t ml_ensemble_n_classes(const ml_ensemble *ensemble);
/* Raw scores per row: n_classes for softmax and probability, else 1. */
size_t ml_ensemble_n_scores(const ml_ensemble *ensemble);
/* Values per leaf: n_classes for probability, else 1. */
size_t ml_ensemble_leaf_outputs(const ml_ensemble *ensemble);
const double *ml_ensemble_base_score(const ml_ensemble *ensemble);
size_t ml_ensemble_n_trees(const ml_ensemble *ensemble);
const ml_tree *ml_ensemble_tree(const ml_ensemble *ensemble, size_t index);
const ml_ensemble_summary *ml_ensemble_get_summary(const ml_ensemble *ensemble);

/*
 * Raw scores of rows (n_rows x n_scores): averaged leaf values for trees
 * and forests, base score plus summed leaf values for gbdt.  The rows'
 * float32 flag is ignored: the ensemble's own applies.  Parallel over
 * blocks of rows; the same result for any thread count.
 */
int ml_ensemble_scores(const ml_ensemble *ensemble, const ml_tree_rows *rows, double *scores,
		       ml_error *err);
/*
 * Rows worth predicting in one call: for large trees, many, as each tree
 * comes into cache once per call; 0 for small ones, which any call keeps in cache.
 */
size_t ml_ensemble_batch_rows(const ml_ensemble *ensemble);
/*
 * Predictions: the value (regression) or the most probable class index
 * (the first one on a tie) into predictions (n_rows, may be NULL), and
 * for classification the class probabilities into probabilities
 * (n_rows x n_classes, may be NULL).
 */
int ml_ensemble_predict(const ml_ensemble *ensemble, const ml_tree_rows *rows,
			double *predictions, double *probabilities, ml_error *err);

/* Per feature, over all trees: the total gain of its splits and their number. */
void ml_ensemble_importances(const ml_ensemble *ensemble, double *gain, double *count);

/* Appends the text described above. */
void ml_ensemble_write(const ml_ensemble *ensemble, ml_buf *out);
/* Reads that text (and nothing after the last tree); errors name the line. */
ml_ensemble *ml_ensemble_parse(ml_text_reader *reader, ml_error *err);

#endif
