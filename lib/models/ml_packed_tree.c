#include "models/ml_packed_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void ml_packed_tree_free(ml_packed_tree *packed)
{
	if (!packed)
		return;
	free(packed->nodes);
	free(packed->values);
	free(packed);
}

/*
 * Places tree's nodes depth first, left subtree first, each split's two
 * children side by side just after the split's own subtree began: a walk
 * down a deep tree mostly stays in nearby memory, as in scikit-learn's
 * numbering.  order[p] is the tree node at packed place p, level[p] its
 * depth.  ml_tree_check has seen that every node is reached exactly once.
 */
static int place_nodes(const ml_tree *tree, ml_packed_tree *packed, uint32_t *order,
		       uint8_t *level, ml_error *err)
{
	/* Holds the right siblings along the path, and the node itself. */
	uint32_t stack[ML_TREE_MAX_DEPTH + 3];
	size_t n_outputs = tree->n_outputs, placed = 1, top = 0;
	order[0] = 0;
	level[0] = 0;
	stack[top++] = 0;
	while (top > 0) {
		uint32_t p = stack[--top];
		const ml_tree_node *node = &tree->nodes[order[p]];
		ml_packed_node *out = &packed->nodes[p];
		if (ml_tree_is_leaf(tree, order[p])) {
			*out = (ml_packed_node){ INFINITY, p, ML_PACKED_MISSING_LEFT };
			memcpy(packed->values + (size_t)p * n_outputs,
			       tree->values + (size_t)order[p] * n_outputs,
			       n_outputs * sizeof *packed->values);
			continue;
		}
		if (node->feature >= ML_PACKED_FEATURES || placed + 2 > packed->n_nodes ||
		    top + 2 > sizeof stack / sizeof stack[0]) {
			ml_error_set(err, "node %u cannot be packed", order[p]);
			return -1;
		}
		uint32_t bits = node->missing_left ? ML_PACKED_MISSING_LEFT : 0;
		bits |= ml_tree_is_leaf(tree, node->left) ? ML_PACKED_LEFT_LEAF : 0;
		bits |= ml_tree_is_leaf(tree, node->right) ? ML_PACKED_RIGHT_LEAF : 0;
		*out = (ml_packed_node){ node->threshold, (uint32_t)placed, node->feature | bits };
		order[placed] = node->left;
		order[placed + 1] = node->right;
		level[placed] = level[placed + 1] = (uint8_t)(level[p] + 1);
		if ((size_t)level[p] + 1 > packed->depth)
			packed->depth = (size_t)level[p] + 1;
		stack[top++] = (uint32_t)placed + 1;
		stack[top++] = (uint32_t)placed;
		placed += 2;
	}
	return 0;
}

ml_packed_tree *ml_packed_tree_create(const ml_tree *tree, ml_error *err)
{
	ml_packed_tree *packed = calloc(1, sizeof *packed);
	if (!packed) {
		ml_error_nomem(err);
		return NULL;
	}
	packed->n_nodes = tree->n_nodes;
	packed->n_outputs = tree->n_outputs;
	uint32_t *order = ml_alloc_array(tree->n_nodes, sizeof *order, err);
	uint8_t *level = ml_alloc_array(tree->n_nodes, sizeof *level, err);
	packed->nodes = ml_alloc_array(tree->n_nodes, sizeof *packed->nodes, err);
	packed->values = ml_calloc_array(tree->n_nodes, tree->n_outputs * sizeof(double), err);
	int status = order && level && packed->nodes && packed->values
		? place_nodes(tree, packed, order, level, err) : -1;
	free(order);
	free(level);
	if (status < 0) {
		ml_packed_tree_free(packed);
		return NULL;
	}
	return packed;
}

/*
 * One step of a row: from node at to the child its value picks (a leaf
 * picks itself), and whether that child is a leaf (for a split).  Exactly
 * ml_tree_predict_add's comparison: NaN, rare, to the recorded side, any
 * other value right when x > threshold, which the compiler makes a select.
 */
static inline __attribute__((always_inline)) uint32_t
step(const ml_packed_node *nodes, uint32_t at, const double *row, const size_t *columns,
     bool mapped, bool float32, uint32_t *reached_leaf)
{
	const ml_packed_node *node = &nodes[at];
	uint32_t bits = node->feature, feature = bits & (ML_PACKED_FEATURES - 1);
	double x = row[mapped ? columns[feature] : feature];
	if (float32)
		x = (double)(float)x;
	uint32_t right;
	if (__builtin_expect(isnan(x), 0))
		right = !(bits & ML_PACKED_MISSING_LEFT);
	else
		right = x > node->threshold;
	*reached_leaf = (bits >> (30 - right)) & 1; /* ML_PACKED_LEFT_LEAF or _RIGHT_LEAF */
	return node->left + right;
}

/*
 * Walks count rows (row i at rows + i * stride) to their leaves, into
 * leaf[i], for shallow trees: every row one level per step, for the
 * tree's depth (a row at a leaf stays there).  Always inlined with
 * constant flags, and a constant count for full blocks: unrolled, the
 * steps of different rows are independent and overlap.
 */
static inline __attribute__((always_inline)) void
walk_lockstep(const ml_packed_tree *packed, const double *rows, size_t stride, size_t count,
	      const size_t *columns, bool mapped, bool float32, uint32_t *leaf)
{
	for (size_t i = 0; i < count; i++)
		leaf[i] = 0;
	for (size_t level = 0; level < packed->depth; level++) {
		#pragma GCC unroll 16
		for (size_t i = 0; i < count; i++) {
			uint32_t ignored;
			leaf[i] = step(packed->nodes, leaf[i], rows + i * stride, columns, mapped,
				       float32, &ignored);
		}
	}
}

/*
 * The same for deep trees, whose leaves lie at very different depths (a
 * forest's): each step moves only the rows not yet at a leaf, the others
 * dropped from the list without a branch, so a row takes as many steps
 * as its own leaf is deep, not as the deepest row's.
 */
static inline __attribute__((always_inline)) void
walk_compacting(const ml_packed_tree *packed, const double *rows, size_t stride,
		size_t count, const size_t *columns, bool mapped, bool float32, uint32_t *leaf)
{
	const ml_packed_node *nodes = packed->nodes;
	uint8_t active[ML_PACKED_DEEP_BLOCK];
	size_t n_active = 0;
	for (size_t i = 0; i < count; i++) {
		leaf[i] = 0;
		active[n_active] = (uint8_t)i;
		n_active += nodes[0].left != 0;
	}
	while (n_active) {
		size_t still = 0;
		for (size_t j = 0; j < n_active; j++) {
			size_t i = active[j];
			uint32_t at_leaf;
			leaf[i] = step(nodes, leaf[i], rows + i * stride, columns, mapped, float32,
				       &at_leaf);
			active[still] = (uint8_t)i;
			still += at_leaf ^ 1;
		}
		n_active = still;
	}
}

/* Trees no deeper than this walk in lockstep (see above). */
#define LOCKSTEP_MAX_DEPTH 8

static inline __attribute__((always_inline)) void
walk_block(const ml_packed_tree *packed, const double *rows, size_t stride, size_t count,
	   const size_t *columns, bool mapped, bool float32, bool deep, uint32_t *leaf)
{
	if (!deep)
		walk_lockstep(packed, rows, stride, count, columns, mapped, float32, leaf);
	else
		walk_compacting(packed, rows, stride, count, columns, mapped, float32, leaf);
}

static inline __attribute__((always_inline)) void
add_values(const ml_packed_tree *packed, const uint32_t *leaf, size_t count, double *out,
	   size_t out_stride)
{
	size_t n_outputs = packed->n_outputs;
	if (n_outputs == 1) {
		for (size_t i = 0; i < count; i++)
			out[i * out_stride] += packed->values[leaf[i]];
		return;
	}
	for (size_t i = 0; i < count; i++) {
		const double *value = packed->values + (size_t)leaf[i] * n_outputs;
		for (size_t k = 0; k < n_outputs; k++)
			out[i * out_stride + k] += value[k];
	}
}

/*
 * Rows walked together: ML_PACKED_BLOCK in lockstep (unrolled: more would
 * spill registers, and made a depth-6 gbdt 1.5x slower), ML_PACKED_DEEP_BLOCK
 * through a deep tree (more loads in flight: a forest 20% faster than 16).
 */
static inline __attribute__((always_inline)) void
predict_rows(const ml_packed_tree *packed, const ml_tree_rows *rows, double *out,
	     size_t out_stride, bool mapped, bool float32, bool deep)
{
	uint32_t leaf[ML_PACKED_DEEP_BLOCK];
	size_t first = 0, stride = rows->stride;
	size_t block = deep ? ML_PACKED_DEEP_BLOCK : ML_PACKED_BLOCK;
	for (; first + block <= rows->n_rows; first += block) {
		walk_block(packed, rows->values + first * stride, stride, block, rows->columns,
			   mapped, float32, deep, leaf);
		add_values(packed, leaf, block, out + first * out_stride, out_stride);
	}
	size_t rest = rows->n_rows - first;
	if (rest) {
		walk_block(packed, rows->values + first * stride, stride, rest, rows->columns,
			   mapped, float32, deep, leaf);
		add_values(packed, leaf, rest, out + first * out_stride, out_stride);
	}
}

static inline __attribute__((always_inline)) void
predict_rows_at_depth(const ml_packed_tree *packed, const ml_tree_rows *rows, double *out,
		      size_t out_stride, bool mapped, bool float32)
{
	if (packed->depth <= LOCKSTEP_MAX_DEPTH)
		predict_rows(packed, rows, out, out_stride, mapped, float32, false);
	else
		predict_rows(packed, rows, out, out_stride, mapped, float32, true);
}

void ml_packed_tree_predict_add(const ml_packed_tree *packed, const ml_tree_rows *rows,
				double *out, size_t out_stride)
{
	if (rows->columns) {
		if (rows->float32)
			predict_rows_at_depth(packed, rows, out, out_stride, true, true);
		else
			predict_rows_at_depth(packed, rows, out, out_stride, true, false);
	} else {
		if (rows->float32)
			predict_rows_at_depth(packed, rows, out, out_stride, false, true);
		else
			predict_rows_at_depth(packed, rows, out, out_stride, false, false);
	}
}
