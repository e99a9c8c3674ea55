/*
 * ml_tree: one fitted decision tree as flat node arrays: predicting with
 * it, checking it, and its text.
 *
 * Node 0 is the root.  A split node sends a row left when its feature's
 * value x <= threshold and right otherwise; a missing value (NaN) goes
 * the side the node records.  A leaf holds n_outputs values (class
 * probabilities, a mean, a boosting score); prediction adds them into an
 * output row.  Children always have larger indices than their parent, so
 * index 0 never names a child and a leaf is a node whose left child is 0.
 * Each node also keeps the gain of its split (0 for a leaf), its cover
 * (sum of hessians, or of row weights) and the rows it saw in training:
 * what importances and ml-info report.
 *
 * Text (part of mlpipe-model(5)): one line for the tree, then one per
 * node in index order, numbers as ml_text writes them (they read back
 * bit-exactly):
 *
 *     tree INDEX nodes N_NODES
 *     split NODE FEATURE THRESHOLD LEFT RIGHT left|right GAIN COVER COUNT
 *     leaf NODE VALUE... COVER COUNT
 *
 * FEATURE is a 0-based feature index, left|right the side a missing value
 * takes, VALUE... n_outputs numbers (the owner of the tree knows how many
 * and what they mean).  The reader refuses, naming the line: a node out of
 * order, a child not after its node or not in the tree, a node that is no
 * one's child or the child of two, a tree deeper than ML_TREE_MAX_DEPTH,
 * a feature not below the feature count, a NaN threshold, a value, gain or
 * cover that is not finite (cover must also be >= 0).
 */
#ifndef ML_TREE_H
#define ML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "core/ml_text.h"
#include "core/ml_util.h"

/* The deepest tree mlpipe grows or reads: the root is at depth 0. */
#define ML_TREE_MAX_DEPTH 128
/* The most nodes a tree may have (bounds what a file can ask for). */
#define ML_TREE_MAX_NODES ((size_t)1 << 28)
/* The most values per leaf. */
#define ML_TREE_MAX_OUTPUTS ((size_t)1 << 16)

/* What prediction reads of a node; the other per-node fields are apart. */
typedef struct ml_tree_node {
	double threshold;      /* split: left when x <= threshold */
	uint32_t feature;      /* split: the feature compared */
	uint32_t left;         /* split: the left child; 0 for a leaf */
	uint32_t right;        /* split: the right child */
	uint32_t missing_left; /* split: 1 when a missing value goes left */
} ml_tree_node;

typedef struct ml_tree {
	size_t n_nodes;
	size_t n_outputs;
	ml_tree_node *nodes;
	double *values; /* n_nodes x n_outputs: a leaf's values (0 for a split) */
	double *gain;   /* the split's gain, 0 for a leaf */
	double *cover;  /* sum of hessians (or weights) of the node's training rows */
	uint64_t *count; /* training rows in the node */
} ml_tree;

/* A tree of n_nodes nodes, all zero (so all leaves); NULL + err on failure. */
ml_tree *ml_tree_create(size_t n_nodes, size_t n_outputs, ml_error *err);
void ml_tree_free(ml_tree *tree);
/* Shrinks (or grows) to n_nodes nodes, keeping the first ones. */
int ml_tree_resize(ml_tree *tree, size_t n_nodes, ml_error *err);

static inline bool ml_tree_is_leaf(const ml_tree *tree, size_t node)
{
	return tree->nodes[node].left == 0;
}

/* The rows a tree predicts: row r's feature f is values[r * stride + column(f)]. */
typedef struct ml_tree_rows {
	const double *values;
	size_t n_rows;
	size_t stride;
	const size_t *columns; /* feature -> column, or NULL: feature f at column f */
	bool float32;          /* compare (double)(float)x with the thresholds, as
				  scikit-learn's trees do */
} ml_tree_rows;

/*
 * Adds each row's leaf values into out[r * out_stride + k], k < n_outputs.
 * The tree must have passed ml_tree_check for the rows' feature count.
 */
void ml_tree_predict_add(const ml_tree *tree, const ml_tree_rows *rows, double *out,
			 size_t out_stride);
/* The leaf row r of rows reaches. */
size_t ml_tree_leaf(const ml_tree *tree, const ml_tree_rows *rows, size_t r);

/*
 * Checks what prediction relies on: children in range and after their
 * parent, every node but the root the child of exactly one node, depth at
 * most ML_TREE_MAX_DEPTH, features below n_features, no NaN threshold,
 * finite values, gains and covers, covers >= 0.  The message names the
 * node ("node 5: ..."); the caller says where the tree came from.
 */
int ml_tree_check(const ml_tree *tree, size_t n_features, ml_error *err);
/*
 * Renumbers the nodes in depth-first order, left subtree first (a left
 * child follows its parent), as scikit-learn numbers them: a walk down a
 * deep tree then stays in nearby memory.  The tree must be checked.
 */
int ml_tree_depth_first(ml_tree *tree, ml_error *err);
/* The depth of the deepest leaf (0 for a lone leaf); the tree is checked. */
size_t ml_tree_depth(const ml_tree *tree);
/* Leaves in the tree. */
size_t ml_tree_n_leaves(const ml_tree *tree);

/* Appends the tree's text (see above); index is its place in its model. */
void ml_tree_write(const ml_tree *tree, size_t index, ml_buf *out);
/*
 * Reads the text of tree number index with n_outputs values per leaf and
 * features below n_features, and checks it.  Errors name the line.
 */
ml_tree *ml_tree_parse(ml_text_reader *reader, size_t index, size_t n_features,
		       size_t n_outputs, ml_error *err);

#endif
