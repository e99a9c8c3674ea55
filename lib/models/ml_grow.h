/*
 * ml_grow: the histogram learner that grows one tree from binned features
 * (models/ml_bins.h); what ml-fit's tree, forest and gbdt have in common.
 *
 * Each row brings n_outputs gradient values g[k] and one hessian h (a row
 * weight for plain trees).  A node's histogram holds, per feature and bin,
 * the sums of g[k] and h, interleaved, and the row count when
 * min_samples_leaf needs it (a node's own row count comes from its range).
 * Rows are partitioned in place in one index array, LightGBM style, so a
 * node's rows are a range of it, and their gradients are gathered into
 * that order before a histogram is built; the smaller child's histogram is
 * built from its rows and the larger one's is its parent's minus it.
 * Pending nodes keep their histograms in a pool of bounded size; when it
 * is full the node that would be split last gives its histogram up and
 * its children are built from their rows.
 *
 * Split finding scans each feature's bins.  The missing-value bin is tried
 * on both sides and the better side kept (xgboost's learned default
 * direction); a feature without missing values in the node sends them to
 * the side with more cover, so prediction never refuses a row.  When the
 * node has missing values, "every value left, missing right" is a
 * candidate too (its threshold is +inf).  A threshold is the edge above
 * the split's bin, or in cart mode midway between the node's values on
 * either side when the bins know the values (scikit-learn's thresholds).
 *
 * Criteria:
 *   newton   gain = sum_k [GL_k^2/(HL+lambda) + GR_k^2/(HR+lambda)
 *                          - G_k^2/(H+lambda)] / 2,  leaf = -G_k/(H+lambda).
 *            g = -y, h = 1, lambda = 0 is squared error (leaf = mean, gain =
 *            half the decrease of the sum of squares); g = -(one-hot class),
 *            h = 1 is Gini (gain = half the decrease of weighted Gini
 *            impurity, leaf = class proportions).
 *   entropy  gain = the decrease of weighted entropy (bits) of the class
 *            weights -G_k; leaf = -G_k/H.  For one-hot g only.
 * A node splits on its best candidate when the gain exceeds gamma (or, in
 * cart mode, reaches it: scikit-learn's trees split an impure node even on
 * a zero gain; a node whose rows all have the same g/h is pure and stays a
 * leaf there).  The recorded gain is before gamma.
 *
 * Growth is level by level without a leaf limit (every node of a level is
 * split in one step) and best-first with one (always the leaf with the
 * largest gain, LightGBM's leaf-wise growth); split candidates tie to the
 * lowest feature index, then the lowest bin.  Nodes are numbered in the
 * order they are made, children after their parent.  Features may be
 * limited per tree (a list) and sampled per split (max_features of them,
 * drawn anew at every node from the caller's ml_random stream; a feature
 * constant in the node does not count, as in scikit-learn).
 *
 * Threads: a step partitions all its nodes' rows in fixed blocks, then
 * builds histograms and finds splits in (node, feature group) tasks; each
 * feature's sums are made by one thread in row order and candidates are
 * compared in feature order, so the tree is the same bit for bit for any
 * thread count.  Steps too small to repay a barrier run on one thread.
 */
#ifndef ML_GROW_H
#define ML_GROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "core/ml_random.h"
#include "models/ml_bins.h"
#include "models/ml_tree.h"

typedef enum { ML_GROW_NEWTON, ML_GROW_ENTROPY } ml_grow_criterion;

typedef struct ml_grow_options {
	ml_grow_criterion criterion; /* newton */
	size_t n_outputs;            /* gradient values per row (1) */
	double lambda;               /* L2 penalty on leaf values, newton only (0) */
	double gamma;                /* the gain a split must beat (0) */
	bool cart;                   /* scikit-learn's rule for zero gains (false) */
	size_t max_depth;            /* 0: ML_TREE_MAX_DEPTH (0) */
	size_t max_leaves;           /* 0: no limit, depth-first; else best-first (0) */
	size_t min_samples_split;    /* rows a node needs to be split (2) */
	size_t min_samples_leaf;     /* rows each child needs (1) */
	double min_child_weight;     /* hessian sum each child needs (0) */
	size_t max_features;         /* features tried per split; 0: all (0) */
	bool parallel;               /* threads inside; false when trees grow in parallel */
	size_t max_histogram_bytes;  /* histogram pool budget (256 MiB) */
} ml_grow_options;

void ml_grow_options_init(ml_grow_options *options);
int ml_grow_options_check(const ml_grow_options *options, ml_error *err);

/* The rows and gradients one tree grows from. */
typedef struct ml_grow_data {
	const double *gradients; /* n_rows x n_outputs, indexed by row */
	const double *hessians;  /* n_rows, > 0 for rows grown on */
	const double *pairs;     /* or NULL; else n_rows x 2, (g, h) of each row, in place of
				    gradients and hessians (one output): growing on every
				    row with min_samples_leaf 1, the root needs no gathering */
	const uint32_t *rows;    /* the rows to grow on, increasing; NULL: every row */
	size_t n_rows;           /* how many rows (when rows is not NULL) */
	const size_t *features;  /* the features allowed, increasing; NULL: all */
	size_t n_features;       /* how many (when features is not NULL) */
	ml_random *random;       /* for max_features; NULL when it is 0 */
} ml_grow_data;

typedef struct ml_grower ml_grower;

/*
 * A learner for n_rows rows coded by bins (codes feature-major, as
 * ml_bins_apply writes them; both must outlive the grower).  It keeps its
 * buffers from tree to tree.
 */
ml_grower *ml_grower_create(const ml_bins *bins, const uint8_t *codes, size_t n_rows,
			    const ml_grow_options *options, ml_error *err);
void ml_grower_free(ml_grower *grower);

/* Grows one tree; its leaves hold n_outputs values. */
ml_tree *ml_grower_grow(ml_grower *grower, const ml_grow_data *data, ml_error *err);

/* Called on a block of rows; blocks are disjoint and may run in parallel. */
typedef void (*ml_grow_visit)(void *context, const uint32_t *rows, size_t n_rows);

/*
 * After ml_grower_grow, with the tree it returned (whose leaf values the
 * caller may have scaled since) and the rows it grew on still there: adds
 * each grown-on row's leaf values into scores[row * stride + k], block by
 * block of rows in increasing order, then calls visit (when not NULL) on
 * the block's rows, whose scores are final: a boosting loop computes the
 * next gradients there, in the same pass over the rows.
 */
void ml_grower_add_leaves(ml_grower *grower, const ml_tree *tree, double *scores,
			  size_t stride, ml_grow_visit visit, void *context);
/*
 * The same for other rows, walking the tree on bin codes (feature-major,
 * n_code_rows rows, coded with the grower's bins): rows[0..n_rows), or
 * every row when rows is NULL.
 */
void ml_grower_add_binned(const ml_grower *grower, const ml_tree *tree, const uint8_t *codes,
			  size_t n_code_rows, const uint32_t *rows, size_t n_rows,
			  double *scores, size_t stride);

#endif
