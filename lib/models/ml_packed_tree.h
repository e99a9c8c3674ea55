/*
 * ml_packed_tree: a fitted tree (models/ml_tree.h) laid out for prediction
 * alone, and the walk that predicts with it a block of rows at a time.
 *
 * Built once from a checked tree (an ensemble packs each tree it is given;
 * model files are unchanged).  A node is 16 bytes: the threshold, the left
 * child (the right child is the next node: siblings are adjacent, pairs in
 * depth-first order) and the feature with a bit for the side a missing
 * value takes.  A leaf is its own left child, with threshold +inf and
 * missing values sent left, so a row that reached it stays there: every
 * row can take the same number of steps, the tree's depth, with no
 * branch on where it is.
 *
 * The walk moves a block of rows (ML_PACKED_BLOCK, or ML_PACKED_DEEP_BLOCK
 * for a deep tree) down the tree together, one level per step, so the
 * loads of different rows overlap (the memory-level parallelism of
 * xgboost's and treelite's block predictors) and the choice of child is
 * a select, not a branch a CPU mispredicts half the time.  It compares exactly as ml_tree_predict_add does (x <= threshold,
 * NaN to the recorded side, (double)(float)x for float32 rows) and adds
 * leaf values in the same order, so its answers are bit-identical.
 */
#ifndef ML_PACKED_TREE_H
#define ML_PACKED_TREE_H

#include <stdint.h>

#include "models/ml_tree.h"

/* Rows walked down a tree together: a shallow one, a deep one (see the .c). */
#define ML_PACKED_BLOCK 16
#define ML_PACKED_DEEP_BLOCK 64
/* In ml_packed_node.feature, above the feature itself: */
#define ML_PACKED_MISSING_LEFT ((uint32_t)1 << 31) /* a missing value goes left */
#define ML_PACKED_LEFT_LEAF ((uint32_t)1 << 30)    /* the left child is a leaf */
#define ML_PACKED_RIGHT_LEAF ((uint32_t)1 << 29)   /* the right child is a leaf */
/* Features packed must be below this (ML_MAX_COLUMNS is). */
#define ML_PACKED_FEATURES ((uint32_t)1 << 29)

typedef struct ml_packed_node {
	double threshold; /* left when x <= threshold; +inf for a leaf */
	uint32_t left;    /* the left child, the right one follows; a leaf: itself */
	uint32_t feature; /* the feature | the bits above; a leaf: 0 | ML_PACKED_MISSING_LEFT */
} ml_packed_node;

typedef struct ml_packed_tree {
	size_t n_nodes;
	size_t n_outputs;
	size_t depth;          /* steps from the root to the deepest leaf */
	ml_packed_node *nodes;
	double *values;        /* n_nodes x n_outputs: a leaf's values (0 for a split) */
} ml_packed_tree;

/* The packed form of tree, which has passed ml_tree_check; NULL + err on failure. */
ml_packed_tree *ml_packed_tree_create(const ml_tree *tree, ml_error *err);
void ml_packed_tree_free(ml_packed_tree *packed);

/*
 * Adds each row's leaf values into out[r * out_stride + k], k < n_outputs,
 * as ml_tree_predict_add does with the tree packed.
 */
void ml_packed_tree_predict_add(const ml_packed_tree *packed, const ml_tree_rows *rows,
				double *out, size_t out_stride);

#endif
