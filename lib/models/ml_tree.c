#include "models/ml_tree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"

/*
 * Nodes allocated for a tree before its file has shown that it has more:
 * 3.5 MB at most, whatever count a hostile file claims, and room for the
 * trees of a forest grown to purity on a few hundred thousand rows, which
 * growing by doubling cost a quarter of reading the model (realloc's
 * copies, zeroing, page faults).
 */
#define PARSE_INITIAL_NODES ((size_t)1 << 16)

ml_tree *ml_tree_create(size_t n_nodes, size_t n_outputs, ml_error *err)
{
	if (n_nodes == 0 || n_nodes > ML_TREE_MAX_NODES || n_outputs == 0 ||
	    n_outputs > ML_TREE_MAX_OUTPUTS) {
		ml_error_set(err, "a tree of %zu nodes with %zu outputs is out of bounds", n_nodes,
			     n_outputs);
		return NULL;
	}
	ml_tree *tree = calloc(1, sizeof *tree);
	if (!tree) {
		ml_error_nomem(err);
		return NULL;
	}
	tree->n_outputs = n_outputs;
	if (ml_tree_resize(tree, n_nodes, err) < 0) {
		ml_tree_free(tree);
		return NULL;
	}
	return tree;
}

void ml_tree_free(ml_tree *tree)
{
	if (!tree)
		return;
	free(tree->nodes);
	free(tree->values);
	free(tree->gain);
	free(tree->cover);
	free(tree->count);
	free(tree);
}

int ml_tree_resize(ml_tree *tree, size_t n_nodes, ml_error *err)
{
	if (n_nodes == 0 || n_nodes > ML_TREE_MAX_NODES) {
		ml_error_set(err, "a tree of %zu nodes is out of bounds", n_nodes);
		return -1;
	}
	size_t n_values = n_nodes * tree->n_outputs; /* both bounded: no overflow */
	ml_tree_node *nodes = ml_realloc_array(tree->nodes, n_nodes, sizeof *nodes, err);
	if (!nodes)
		return -1;
	tree->nodes = nodes;
	double *values = ml_realloc_array(tree->values, n_values, sizeof *values, err);
	if (!values)
		return -1;
	tree->values = values;
	double *gain = ml_realloc_array(tree->gain, n_nodes, sizeof *gain, err);
	if (!gain)
		return -1;
	tree->gain = gain;
	double *cover = ml_realloc_array(tree->cover, n_nodes, sizeof *cover, err);
	if (!cover)
		return -1;
	tree->cover = cover;
	uint64_t *count = ml_realloc_array(tree->count, n_nodes, sizeof *count, err);
	if (!count)
		return -1;
	tree->count = count;
	if (n_nodes > tree->n_nodes) {
		size_t added = n_nodes - tree->n_nodes;
		memset(nodes + tree->n_nodes, 0, added * sizeof *nodes);
		memset(values + tree->n_nodes * tree->n_outputs, 0,
		       added * tree->n_outputs * sizeof *values);
		memset(gain + tree->n_nodes, 0, added * sizeof *gain);
		memset(cover + tree->n_nodes, 0, added * sizeof *cover);
		memset(count + tree->n_nodes, 0, added * sizeof *count);
	}
	tree->n_nodes = n_nodes;
	return 0;
}

/* ---- prediction ------------------------------------------------------- */

/*
 * The leaf a row reaches.  Always inlined with constant flags, so each of
 * the four loops below is branch-free apart from the walk itself.
 */
static inline __attribute__((always_inline)) size_t walk(const ml_tree_node *nodes,
							  const double *row,
							  const size_t *columns, bool mapped,
							  bool float32)
{
	size_t node = 0;
	while (nodes[node].left) {
		const ml_tree_node *split = &nodes[node];
		double x = row[mapped ? columns[split->feature] : split->feature];
		if (float32)
			x = (double)(float)x;
		bool left = x <= split->threshold || (isnan(x) && split->missing_left);
		node = left ? split->left : split->right;
	}
	return node;
}

static inline __attribute__((always_inline)) void
predict_rows(const ml_tree *tree, const ml_tree_rows *rows, double *out, size_t out_stride,
	     bool mapped, bool float32)
{
	const ml_tree_node *nodes = tree->nodes;
	size_t n_outputs = tree->n_outputs;
	for (size_t r = 0; r < rows->n_rows; r++) {
		size_t leaf = walk(nodes, rows->values + r * rows->stride, rows->columns, mapped,
				   float32);
		const double *value = tree->values + leaf * n_outputs;
		double *target = out + r * out_stride;
		if (n_outputs == 1)
			target[0] += value[0];
		else
			for (size_t k = 0; k < n_outputs; k++)
				target[k] += value[k];
	}
}

void ml_tree_predict_add(const ml_tree *tree, const ml_tree_rows *rows, double *out,
			 size_t out_stride)
{
	if (rows->columns) {
		if (rows->float32)
			predict_rows(tree, rows, out, out_stride, true, true);
		else
			predict_rows(tree, rows, out, out_stride, true, false);
	} else {
		if (rows->float32)
			predict_rows(tree, rows, out, out_stride, false, true);
		else
			predict_rows(tree, rows, out, out_stride, false, false);
	}
}

size_t ml_tree_leaf(const ml_tree *tree, const ml_tree_rows *rows, size_t r)
{
	const double *row = rows->values + r * rows->stride;
	if (rows->float32)
		return walk(tree->nodes, row, rows->columns, rows->columns != NULL, true);
	return walk(tree->nodes, row, rows->columns, rows->columns != NULL, false);
}

/* ---- checking --------------------------------------------------------- */

/* What can be wrong with one node on its own, given the tree's node count. */
static int check_node(const ml_tree *tree, size_t node, size_t n_nodes, size_t n_features,
		      ml_error *err)
{
	const ml_tree_node *split = &tree->nodes[node];
	if (split->left != 0) {
		if (split->left <= node || split->right <= node) {
			ml_error_set(err, "node %zu: child %u is not after its parent (a cycle)",
				     node, split->left <= node ? split->left : split->right);
			return -1;
		}
		if (split->left >= n_nodes || split->right >= n_nodes) {
			ml_error_set(err, "node %zu: child %u is not in the tree (%zu nodes)", node,
				     split->left >= n_nodes ? split->left : split->right, n_nodes);
			return -1;
		}
		if (split->left == split->right) {
			ml_error_set(err, "node %zu: both children are node %u", node,
				     split->left);
			return -1;
		}
		if (split->feature >= n_features) {
			ml_error_set(err, "node %zu: feature %u is not below the feature count %zu",
				     node, split->feature, n_features);
			return -1;
		}
		if (isnan(split->threshold)) {
			ml_error_set(err, "node %zu: the threshold is NaN", node);
			return -1;
		}
		if (split->missing_left > 1) {
			ml_error_set(err, "node %zu: the missing-value side is not left or right",
				     node);
			return -1;
		}
	} else if (split->right != 0) {
		ml_error_set(err, "node %zu: a leaf with a right child", node);
		return -1;
	}
	for (size_t k = 0; k < tree->n_outputs; k++)
		if (!isfinite(tree->values[node * tree->n_outputs + k])) {
			ml_error_set(err, "node %zu: value %zu is not finite", node, k + 1);
			return -1;
		}
	if (!isfinite(tree->gain[node])) {
		ml_error_set(err, "node %zu: the gain is not finite", node);
		return -1;
	}
	if (!isfinite(tree->cover[node]) || tree->cover[node] < 0) {
		ml_error_set(err, "node %zu: the cover is not a finite number >= 0", node);
		return -1;
	}
	return 0;
}

int ml_tree_check(const ml_tree *tree, size_t n_features, ml_error *err)
{
	if (tree->n_nodes == 0) {
		ml_error_set(err, "the tree has no nodes");
		return -1;
	}
	uint8_t *parents = calloc(tree->n_nodes, 1);
	uint8_t *depth = calloc(tree->n_nodes, 1);
	if (!parents || !depth) {
		free(parents);
		free(depth);
		return ml_error_nomem(err);
	}
	int status = 0;
	for (size_t i = 0; i < tree->n_nodes && status == 0; i++) {
		if (i > 0 && parents[i] == 0) {
			ml_error_set(err, "node %zu: no node's child (unreachable)", i);
			status = -1;
		} else if (check_node(tree, i, tree->n_nodes, n_features, err) < 0) {
			status = -1;
		} else if (!ml_tree_is_leaf(tree, i)) {
			const ml_tree_node *split = &tree->nodes[i];
			size_t child[2] = { split->left, split->right };
			for (int c = 0; c < 2 && status == 0; c++) {
				if (parents[child[c]]++) {
					ml_error_set(err, "node %zu: child of two nodes", child[c]);
					status = -1;
				} else if (depth[i] + 1 > ML_TREE_MAX_DEPTH) {
					ml_error_set(err, "node %zu: deeper than %d levels",
						     child[c], ML_TREE_MAX_DEPTH);
					status = -1;
				}
				depth[child[c]] = (uint8_t)(depth[i] + 1);
			}
		}
	}
	free(parents);
	free(depth);
	return status;
}

int ml_tree_depth_first(ml_tree *tree, ml_error *err)
{
	size_t n = tree->n_nodes, n_outputs = tree->n_outputs;
	uint32_t *order = ml_alloc_array(n, sizeof *order, err);
	uint32_t *place = ml_alloc_array(n, sizeof *place, err);
	ml_tree *copy = ml_tree_create(n, n_outputs, err);
	if (!order || !place || !copy) {
		free(order);
		free(place);
		ml_tree_free(copy);
		return -1;
	}
	/* Preorder with an explicit stack (right child pushed first). */
	uint32_t stack[ML_TREE_MAX_DEPTH + 2];
	size_t top = 0, next = 0;
	stack[top++] = 0;
	while (top > 0) {
		uint32_t node = stack[--top];
		place[node] = (uint32_t)next;
		order[next++] = node;
		if (!ml_tree_is_leaf(tree, node)) {
			stack[top++] = tree->nodes[node].right;
			stack[top++] = tree->nodes[node].left;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t from = order[i];
		ml_tree_node node = tree->nodes[from];
		if (node.left) {
			node.left = place[node.left];
			node.right = place[node.right];
		}
		copy->nodes[i] = node;
		memcpy(copy->values + i * n_outputs, tree->values + from * n_outputs,
		       n_outputs * sizeof *copy->values);
		copy->gain[i] = tree->gain[from];
		copy->cover[i] = tree->cover[from];
		copy->count[i] = tree->count[from];
	}
	ml_tree swap = *tree;
	*tree = *copy;
	*copy = swap;
	ml_tree_free(copy);
	free(order);
	free(place);
	return 0;
}

size_t ml_tree_depth(const ml_tree *tree)
{
	uint8_t stack_depth[ML_TREE_MAX_DEPTH + 1];
	uint32_t stack_node[ML_TREE_MAX_DEPTH + 1];
	size_t top = 0, deepest = 0;
	stack_node[0] = 0;
	stack_depth[0] = 0;
	top = 1;
	/* Depth-first with the right child pushed: the stack never exceeds the depth. */
	while (top > 0) {
		top--;
		size_t node = stack_node[top], depth = stack_depth[top];
		while (!ml_tree_is_leaf(tree, node)) {
			depth++;
			stack_node[top] = tree->nodes[node].right;
			stack_depth[top] = (uint8_t)depth;
			top++;
			node = tree->nodes[node].left;
		}
		if (depth > deepest)
			deepest = depth;
	}
	return deepest;
}

size_t ml_tree_n_leaves(const ml_tree *tree)
{
	size_t leaves = 0;
	for (size_t i = 0; i < tree->n_nodes; i++)
		leaves += ml_tree_is_leaf(tree, i);
	return leaves;
}

/* ---- text ------------------------------------------------------------- */

void ml_tree_write(const ml_tree *tree, size_t index, ml_buf *out)
{
	ml_text_key(out, "tree");
	ml_text_size(out, index);
	ml_text_string(out, "nodes");
	ml_text_size(out, tree->n_nodes);
	ml_text_newline(out);
	for (size_t i = 0; i < tree->n_nodes; i++) {
		const ml_tree_node *node = &tree->nodes[i];
		if (ml_tree_is_leaf(tree, i)) {
			ml_text_key(out, "leaf");
			ml_text_size(out, i);
			for (size_t k = 0; k < tree->n_outputs; k++)
				ml_text_double(out, tree->values[i * tree->n_outputs + k]);
		} else {
			ml_text_key(out, "split");
			ml_text_size(out, i);
			ml_text_size(out, node->feature);
			ml_text_double(out, node->threshold);
			ml_text_size(out, node->left);
			ml_text_size(out, node->right);
			ml_text_string(out, node->missing_left ? "left" : "right");
			ml_text_double(out, tree->gain[i]);
		}
		ml_text_double(out, tree->cover[i]);
		ml_text_size(out, (size_t)tree->count[i]);
		ml_text_newline(out);
	}
}

/*
 * The children read so far but not yet reached, smallest first (a binary
 * heap): node i must be the smallest when its line comes, exactly once.
 * It grows with the lines read, never with a count the text claims.
 */
typedef struct pending {
	uint32_t node;
	uint32_t depth;
} pending;

typedef struct pending_heap {
	pending *items;
	size_t count;
	size_t capacity;
} pending_heap;

static int heap_push(pending_heap *heap, pending item, ml_error *err)
{
	if (heap->count == heap->capacity) {
		size_t capacity = heap->capacity ? 2 * heap->capacity : 64;
		pending *items = ml_realloc_array(heap->items, capacity, sizeof *items, err);
		if (!items)
			return -1;
		heap->items = items;
		heap->capacity = capacity;
	}
	size_t i = heap->count++;
	while (i > 0 && heap->items[(i - 1) / 2].node > item.node) {
		heap->items[i] = heap->items[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap->items[i] = item;
	return 0;
}

static pending heap_pop(pending_heap *heap)
{
	pending top = heap->items[0], last = heap->items[--heap->count];
	size_t i = 0;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= heap->count)
			break;
		if (child + 1 < heap->count &&
		    heap->items[child + 1].node < heap->items[child].node)
			child++;
		if (heap->items[child].node >= last.node)
			break;
		heap->items[i] = heap->items[child];
		i = child;
	}
	if (heap->count > 0)
		heap->items[i] = last;
	return top;
}

static const char *const missing_sides[] = { "right", "left", NULL };

/* Reads line's node (index i) into tree, which has room for it. */
static int parse_node(ml_text_reader *reader, const ml_text_line *line, ml_tree *tree,
		      size_t i, size_t n_nodes, ml_error *err)
{
	ml_tree_node *node = &tree->nodes[i];
	size_t index, value_index;
	memset(node, 0, sizeof *node);
	if (ml_text_is(line, "leaf")) {
		if (ml_text_expect(reader, line, "leaf", tree->n_outputs + 3, err) < 0)
			return -1;
		for (size_t k = 0; k < tree->n_outputs; k++)
			if (ml_text_get_double(reader, line, 2 + k,
					       &tree->values[i * tree->n_outputs + k], err) < 0)
				return -1;
		tree->gain[i] = 0;
		value_index = 2 + tree->n_outputs;
	} else {
		size_t feature, left, right, side;
		if (ml_text_expect(reader, line, "split", 9, err) < 0 ||
		    ml_text_get_size(reader, line, 2, UINT32_MAX, &feature, err) < 0 ||
		    ml_text_get_double(reader, line, 3, &node->threshold, err) < 0 ||
		    ml_text_get_size(reader, line, 4, n_nodes, &left, err) < 0 ||
		    ml_text_get_size(reader, line, 5, n_nodes, &right, err) < 0 ||
		    ml_text_get_choice(reader, line, 6, missing_sides, &side, err) < 0 ||
		    ml_text_get_double(reader, line, 7, &tree->gain[i], err) < 0)
			return -1;
		if (left == 0 || right == 0)
			return ml_text_fail(reader, line, err, "node %zu: child 0 is the root", i);
		node->feature = (uint32_t)feature;
		node->left = (uint32_t)left;
		node->right = (uint32_t)right;
		node->missing_left = (uint32_t)side;
		memset(tree->values + i * tree->n_outputs, 0,
		       tree->n_outputs * sizeof *tree->values);
		value_index = 8;
	}
	if (ml_text_get_size(reader, line, 1, SIZE_MAX, &index, err) < 0)
		return -1;
	if (index != i)
		return ml_text_fail(reader, line, err, "expected node %zu, found node %zu", i,
				    index);
	size_t count;
	if (ml_text_get_double(reader, line, value_index, &tree->cover[i], err) < 0 ||
	    ml_text_get_size(reader, line, value_index + 1, SIZE_MAX, &count, err) < 0)
		return -1;
	tree->count[i] = count;
	return 0;
}

/*
 * The fast path of parse_node, for a line exactly as ml_tree_write writes
 * it: the keyword, then the values, each followed by one space or, the
 * last, by the end, whole numbers as plain digits.  Numbers go through
 * ml_parse_double as ml_text_get_double's do, so they are the same bits.
 * Anything else (a comment, "nan", blanks, a sign, a number out of range)
 * is false, and parse_node reads the line again with every check and
 * message; a forest grown to purity spent a third of its reading time
 * cutting lines into tokens.
 */
typedef struct line_cursor {
	const char *p, *end;
} line_cursor;

/* The next value's bytes, and the cursor past its space; false if empty. */
static bool next_value(line_cursor *at, const char **value, size_t *length)
{
	if (at->p >= at->end)
		return false;
	const char *space = memchr(at->p, ' ', (size_t)(at->end - at->p));
	const char *stop = space ? space : at->end;
	*value = at->p;
	*length = (size_t)(stop - at->p);
	at->p = space ? space + 1 : at->end;
	/* A space at the end would leave an empty last value: refused. */
	return *length > 0 && !(space && at->p == at->end);
}

static bool next_size(line_cursor *at, size_t max, size_t *out)
{
	const char *digits;
	size_t length, value = 0;
	if (!next_value(at, &digits, &length) || length > 18)
		return false;
	for (size_t i = 0; i < length; i++) {
		if (digits[i] < '0' || digits[i] > '9')
			return false;
		value = value * 10 + (size_t)(digits[i] - '0');
	}
	*out = value;
	return value <= max;
}

static bool next_double(line_cursor *at, double *out)
{
	const char *text;
	size_t length;
	return next_value(at, &text, &length) && ml_parse_double(text, length, out);
}

/* The side a missing value takes: 1 left, 0 right, -1 anything else. */
static int next_side(line_cursor *at)
{
	const char *text;
	size_t length;
	if (!next_value(at, &text, &length))
		return -1;
	if (length == 4 && memcmp(text, "left", 4) == 0)
		return 1;
	return length == 5 && memcmp(text, "right", 5) == 0 ? 0 : -1;
}

static bool parse_node_fast(const char *bytes, size_t length, ml_tree *tree, size_t i,
			    size_t n_nodes)
{
	line_cursor at = { bytes, bytes + length };
	ml_tree_node node = { 0 };
	size_t n_outputs = tree->n_outputs, index, count;
	double values[2], gain = 0, cover;
	double *leaf_values = n_outputs <= 2 ? values : tree->values + i * n_outputs;
	if (length > 5 && memcmp(bytes, "leaf ", 5) == 0) {
		at.p += 5;
		if (!next_size(&at, SIZE_MAX, &index))
			return false;
		for (size_t k = 0; k < n_outputs; k++)
			if (!next_double(&at, &leaf_values[k]))
				return false;
	} else if (length > 6 && memcmp(bytes, "split ", 6) == 0) {
		at.p += 6;
		size_t feature, left, right;
		int side;
		if (!next_size(&at, SIZE_MAX, &index) || !next_size(&at, UINT32_MAX, &feature) ||
		    !next_double(&at, &node.threshold) || !next_size(&at, n_nodes, &left) ||
		    !next_size(&at, n_nodes, &right) || left == 0 || right == 0 ||
		    (side = next_side(&at)) < 0 || !next_double(&at, &gain))
			return false;
		node.feature = (uint32_t)feature;
		node.left = (uint32_t)left;
		node.right = (uint32_t)right;
		node.missing_left = (uint32_t)side;
		leaf_values = NULL;
	} else {
		return false;
	}
	if (index != i || !next_double(&at, &cover) || !next_size(&at, SIZE_MAX, &count) ||
	    at.p != at.end)
		return false;
	tree->nodes[i] = node;
	double *out = tree->values + i * n_outputs;
	if (!leaf_values)
		memset(out, 0, n_outputs * sizeof *out);
	else if (leaf_values != out)
		memcpy(out, leaf_values, n_outputs * sizeof *out);
	tree->gain[i] = gain;
	tree->cover[i] = cover;
	tree->count[i] = count;
	return true;
}

/* Checks node i against the children seen so far and records its own. */
static int place_node(ml_text_reader *reader, const ml_text_line *line, ml_tree *tree,
		      size_t i, pending_heap *heap, ml_error *err)
{
	uint32_t depth = 0;
	if (i > 0) {
		if (heap->count == 0 || heap->items[0].node != i)
			return ml_text_fail(reader, line, err,
					    "node %zu: no node's child (unreachable)", i);
		depth = heap_pop(heap).depth;
		if (heap->count > 0 && heap->items[0].node == i)
			return ml_text_fail(reader, line, err, "node %zu: child of two nodes", i);
	}
	if (ml_tree_is_leaf(tree, i))
		return 0;
	if (depth + 1 > ML_TREE_MAX_DEPTH)
		return ml_text_fail(reader, line, err, "node %zu: deeper than %d levels", i,
				    ML_TREE_MAX_DEPTH);
	pending left = { tree->nodes[i].left, depth + 1 };
	pending right = { tree->nodes[i].right, depth + 1 };
	return heap_push(heap, left, err) < 0 || heap_push(heap, right, err) < 0 ? -1 : 0;
}

ml_tree *ml_tree_parse(ml_text_reader *reader, size_t index, size_t n_features,
		       size_t n_outputs, ml_error *err)
{
	ml_text_line line;
	size_t claimed_index, n_nodes;
	if (ml_text_next_required(reader, &line, "tree", err) <= 0)
		return NULL;
	if (ml_text_expect(reader, &line, "tree", 3, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, SIZE_MAX, &claimed_index, err) < 0)
		return NULL;
	if (strcmp(line.tokens[2], "nodes") != 0) {
		ml_text_fail(reader, &line, err, "expected 'tree %zu nodes N'", index);
		return NULL;
	}
	if (ml_text_get_size(reader, &line, 3, ML_TREE_MAX_NODES, &n_nodes, err) < 0)
		return NULL;
	if (claimed_index != index || n_nodes == 0) {
		ml_text_fail(reader, &line, err, claimed_index != index
			     ? "expected tree %zu" : "tree %zu has no nodes", index);
		return NULL;
	}
	ml_tree *tree = ml_tree_create(n_nodes < PARSE_INITIAL_NODES ? n_nodes
				       : PARSE_INITIAL_NODES, n_outputs, err);
	if (!tree)
		return NULL;
	pending_heap heap = { 0 };
	for (size_t i = 0; i < n_nodes; i++) {
		if (i == tree->n_nodes &&
		    ml_tree_resize(tree, n_nodes / 2 > i ? 2 * i : n_nodes, err) < 0)
			goto fail;
		const char *bytes;
		size_t length;
		int got = ml_text_next_bytes(reader, &bytes, &length, &line.number, err);
		if (got < 0)
			goto fail;
		if (got == 0 || !bytes || !parse_node_fast(bytes, length, tree, i, n_nodes)) {
			if (got > 0 && bytes)
				ml_text_unread(reader);
			if (ml_text_next_required(reader, &line, "leaf' or 'split", err) <= 0 ||
			    parse_node(reader, &line, tree, i, n_nodes, err) < 0)
				goto fail;
		}
		ml_error problem;
		if (check_node(tree, i, n_nodes, n_features, &problem) < 0) {
			ml_text_fail(reader, &line, err, "tree %zu: %s", index, problem.message);
			goto fail;
		}
		if (place_node(reader, &line, tree, i, &heap, err) < 0)
			goto fail;
	}
	free(heap.items);
	return tree;
fail:
	free(heap.items);
	ml_tree_free(tree);
	return NULL;
}
