/*
 * ml_tree: hand-built trees predict what they should (missing values on
 * the recorded side, float32 comparisons when asked), checking refuses
 * broken structures, and the text reads back bit for bit while truncated,
 * mutated or hostile text is refused with its line.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"
#include "models/ml_tree.h"

static void set_split(ml_tree *tree, size_t node, uint32_t feature, double threshold,
		      uint32_t left, uint32_t right, bool missing_left)
{
	tree->nodes[node] = (ml_tree_node){ threshold, feature, left, right, missing_left };
	tree->gain[node] = 1.0 / 3;
	tree->cover[node] = 10;
	tree->count[node] = 10;
}

static void set_leaf(ml_tree *tree, size_t node, double a, double b)
{
	tree->values[node * 2] = a;
	tree->values[node * 2 + 1] = b;
	tree->cover[node] = 0.1;
	tree->count[node] = 3;
}

/*
 *        0: x1 <= 0.5 (missing right)
 *       /                \
 *   1: (1, 0)      2: x0 <= -2 (missing left)
 *                    /            \
 *             3: (0.25, 0.75)   4: (-0, 1e-300)
 */
static ml_tree *sample_tree(void)
{
	ml_error err;
	ml_tree *tree = ml_tree_create(5, 2, &err);
	ck_assert_ptr_nonnull(tree);
	set_split(tree, 0, 1, 0.5, 1, 2, false);
	set_leaf(tree, 1, 1, 0);
	set_split(tree, 2, 0, -2, 3, 4, true);
	set_leaf(tree, 3, 0.25, 0.75);
	set_leaf(tree, 4, -0.0, 1e-300);
	ck_assert_int_eq(ml_tree_check(tree, 2, &err), 0);
	return tree;
}

START_TEST(hand_built_tree_predicts)
{
	ml_tree *tree = sample_tree();
	double rows[] = { 0, 0.5, -2, 0.6, 5, 1, 5, NAN, NAN, 7, -INFINITY, INFINITY };
	size_t expected_leaf[] = { 1, 3, 4, 4, 3, 3 };
	double out[12];
	for (int i = 0; i < 12; i++)
		out[i] = i; /* prediction adds to what is there */
	ml_tree_rows input = { rows, 6, 2, NULL, false };
	ml_tree_predict_add(tree, &input, out, 2);
	for (size_t r = 0; r < 6; r++) {
		size_t leaf = expected_leaf[r];
		ck_assert_uint_eq(ml_tree_leaf(tree, &input, r), leaf);
		ck_assert(out[2 * r] == 2.0 * r + tree->values[2 * leaf]);
		ck_assert(out[2 * r + 1] == 2.0 * r + 1 + tree->values[2 * leaf + 1]);
	}
	/* Features through a column list: feature 0 at column 2, feature 1 at column 0. */
	double wide[] = { 0.6, 99, -3, 0.4, 99, 100 };
	size_t columns[] = { 2, 0 };
	ml_tree_rows mapped = { wide, 2, 3, columns, false };
	ck_assert_uint_eq(ml_tree_leaf(tree, &mapped, 0), 3);
	ck_assert_uint_eq(ml_tree_leaf(tree, &mapped, 1), 1);
	ck_assert_uint_eq(ml_tree_depth(tree), 2);
	ck_assert_uint_eq(ml_tree_n_leaves(tree), 3);
	ml_tree_free(tree);
}
END_TEST

START_TEST(float32_comparison_differs_on_a_crafted_threshold)
{
	ml_error err;
	ml_tree *tree = ml_tree_create(3, 1, &err);
	tree->nodes[0] = (ml_tree_node){ 0.1, 0, 1, 2, 0 };
	tree->values[1] = -1;
	tree->values[2] = 1;
	ck_assert_int_eq(ml_tree_check(tree, 1, &err), 0);
	/* (double)(float)0.1 = 0.100000001490116..., above the double 0.1. */
	double x = 0.1, out[2] = { 0, 0 };
	ml_tree_rows as_double = { &x, 1, 1, NULL, false };
	ml_tree_rows as_float = { &x, 1, 1, NULL, true };
	ml_tree_predict_add(tree, &as_double, out, 1);
	ml_tree_predict_add(tree, &as_float, out + 1, 1);
	ck_assert(out[0] == -1 && out[1] == 1);
	/* Values that are floats already compare the same either way. */
	x = 0.5;
	ck_assert_uint_eq(ml_tree_leaf(tree, &as_double, 0), ml_tree_leaf(tree, &as_float, 0));
	ml_tree_free(tree);
}
END_TEST

static void expect_refused(ml_tree *tree, size_t n_features, const char *message)
{
	ml_error err;
	ck_assert_int_eq(ml_tree_check(tree, n_features, &err), -1);
	ck_assert_msg(strstr(err.message, message) != NULL, "'%s' lacks '%s'", err.message,
		      message);
	ml_tree_free(tree);
}

START_TEST(check_refuses_broken_trees)
{
	ml_tree *tree = sample_tree();
	tree->nodes[2].left = 2; /* a cycle: node 2 is its own child */
	expect_refused(tree, 2, "node 2: child 2 is not after its parent (a cycle)");
	tree = sample_tree();
	tree->nodes[2].right = 9;
	expect_refused(tree, 2, "node 2: child 9 is not in the tree (5 nodes)");
	tree = sample_tree();
	tree->nodes[2].left = 1; /* backward */
	expect_refused(tree, 2, "node 2: child 1 is not after its parent");
	tree = sample_tree();
	tree->nodes[2] = (ml_tree_node){ 0 }; /* a leaf: 3 and 4 hang unreachable */
	expect_refused(tree, 2, "node 3: no node's child (unreachable)");
	tree = sample_tree();
	tree->nodes[2].right = 3;
	expect_refused(tree, 2, "node 2: both children are node 3");
	tree = sample_tree();
	tree->nodes[0].right = 3; /* node 3 has two parents, node 2 none */
	expect_refused(tree, 2, "node 2: no node's child");
	tree = sample_tree();
	tree->nodes[2].threshold = NAN;
	expect_refused(tree, 2, "node 2: the threshold is NaN");
	tree = sample_tree();
	expect_refused(tree, 1, "node 0: feature 1 is not below the feature count 1");
	tree = sample_tree();
	tree->values[7] = INFINITY;
	expect_refused(tree, 2, "node 3: value 2 is not finite");
	tree = sample_tree();
	tree->cover[4] = -1;
	expect_refused(tree, 2, "node 4: the cover");
	tree = sample_tree();
	tree->nodes[1].right = 4; /* a leaf with a right child */
	expect_refused(tree, 2, "node 1: a leaf with a right child");
}
END_TEST

/* A caterpillar: split k has a leaf on the left and split k + 1 on the right. */
static ml_tree *chain(size_t n_splits)
{
	ml_error err;
	ml_tree *tree = ml_tree_create(2 * n_splits + 1, 1, &err);
	for (size_t k = 0; k < n_splits; k++)
		tree->nodes[2 * k] = (ml_tree_node){ (double)k, 0, (uint32_t)(2 * k + 1),
						      (uint32_t)(2 * k + 2), 0 };
	return tree;
}

START_TEST(check_bounds_the_depth)
{
	ml_error err;
	ml_tree *tree = chain(ML_TREE_MAX_DEPTH);
	ck_assert_int_eq(ml_tree_check(tree, 1, &err), 0);
	ck_assert_uint_eq(ml_tree_depth(tree), ML_TREE_MAX_DEPTH);
	double x = 1000, out = 0;
	ml_tree_rows row = { &x, 1, 1, NULL, false };
	ck_assert_uint_eq(ml_tree_leaf(tree, &row, 0), 2 * ML_TREE_MAX_DEPTH);
	ml_tree_predict_add(tree, &row, &out, 1);
	ml_tree_free(tree);
	expect_refused(chain(ML_TREE_MAX_DEPTH + 1), 1, "deeper than 128 levels");
}
END_TEST

START_TEST(depth_first_numbering_keeps_predictions)
{
	ml_tree *tree = sample_tree();
	ml_error err;
	/* Breadth-first as grown: 0 -> (1, 2), 2 -> (3, 4).  Depth-first it is the same. */
	ck_assert_int_eq(ml_tree_depth_first(tree, &err), 0);
	ck_assert_uint_eq(tree->nodes[0].left, 1);
	/* Mirror it so node 1 is the split: 0 -> (2, 1), 1 -> (3, 4), then renumber. */
	ml_tree *mirror = ml_tree_create(5, 2, &err);
	set_split(mirror, 0, 1, 0.5, 2, 1, false);
	set_split(mirror, 1, 0, -2, 3, 4, true);
	set_leaf(mirror, 2, 1, 0);
	set_leaf(mirror, 3, 0.25, 0.75);
	set_leaf(mirror, 4, -0.0, 1e-300);
	ck_assert_int_eq(ml_tree_check(mirror, 2, &err), 0);
	double rows[] = { 0, 0.5, -2, 0.6, 5, 1, 5, NAN, NAN, 7 }, before[10] = { 0 },
	       after[10] = { 0 };
	ml_tree_rows input = { rows, 5, 2, NULL, false };
	ml_tree_predict_add(mirror, &input, before, 2);
	ck_assert_int_eq(ml_tree_depth_first(mirror, &err), 0);
	ck_assert_int_eq(ml_tree_check(mirror, 2, &err), 0);
	for (size_t i = 0; i < 5; i++)
		if (!ml_tree_is_leaf(mirror, i))
			ck_assert_uint_eq(mirror->nodes[i].left, i + 1);
	ck_assert(mirror->values[2] == 1 && mirror->count[1] == 3);
	ml_tree_predict_add(mirror, &input, after, 2);
	ck_assert_mem_eq(before, after, sizeof before);
	ml_tree_free(mirror);
	ml_tree_free(tree);
}
END_TEST

static ml_tree *parse_text(const char *text, size_t n_features, size_t n_outputs,
			   ml_error *err)
{
	ml_text_reader *reader = ml_text_reader_create(text, strlen(text), "t.model", 10, err);
	ck_assert_ptr_nonnull(reader);
	ml_tree *tree = ml_tree_parse(reader, 3, n_features, n_outputs, err);
	ml_text_reader_free(reader);
	return tree;
}

static char *tree_text(const ml_tree *tree)
{
	ml_buf out;
	ml_buf_init(&out);
	ml_tree_write(tree, 3, &out);
	ck_assert(!out.failed);
	return out.data;
}

START_TEST(text_reads_back_bit_exactly)
{
	ml_tree *tree = sample_tree();
	tree->nodes[0].threshold = 0.1 + 0.2; /* no short decimal */
	tree->values[2] = 1.0 / 3;
	tree->cover[3] = 6.02214076e23;
	char *text = tree_text(tree);
	ck_assert_str_eq(text,
			 "tree 3 nodes 5\n"
			 "split 0 1 0.30000000000000004 1 2 right 0.3333333333333333 10 10\n"
			 "leaf 1 0.3333333333333333 0 0.1 3\n"
			 "split 2 0 -2 3 4 left 0.3333333333333333 10 10\n"
			 "leaf 3 0.25 0.75 6.02214076e+23 3\n"
			 "leaf 4 -0 1e-300 0.1 3\n");
	ml_error err;
	ml_tree *back = parse_text(text, 2, 2, &err);
	ck_assert_msg(back != NULL, "%s", err.message);
	char *again = tree_text(back);
	ck_assert_str_eq(again, text);
	ck_assert(signbit(back->values[8]) && back->values[9] == 1e-300);
	ck_assert_mem_eq(back->nodes, tree->nodes, 5 * sizeof *tree->nodes);
	free(again);
	free(text);
	ml_tree_free(back);
	ml_tree_free(tree);
}
END_TEST

static void expect_parse_error(const char *text, const char *message);

/*
 * Lines as ml_tree_write writes them take a fast path; any other spelling
 * that ml_text accepts (blanks, comments, CRLF, tabs, "+1") takes the
 * general one, and gives the same tree, with the lines numbered the same.
 */
START_TEST(text_spelled_otherwise_reads_the_same)
{
	static const char *const written =
		"tree 3 nodes 5\n"
		"split 0 1 0.5 1 2 right 1 10 10\n"
		"leaf 1 1 0 2 3\n"
		"split 2 0 -2 3 4 left 1 10 10\n"
		"leaf 3 0.25 0.75 2 3\n"
		"leaf 4 0 1 2 3\n";
	ml_error err;
	ml_tree *plain = parse_text(written, 2, 2, &err);
	ck_assert_msg(plain != NULL, "%s", err.message);
	static const char *const spellings[] = {
		"tree 3 nodes 5\n"
		"split 0 1 0.5  1 2 right 1 10 10\n"
		"\n# a comment\n"
		"leaf 1 1 0 2 3\r\n"
		"\tsplit 2 0 -2 3 4 left 1 10 10 \n"
		"leaf 3 0.25 0.75 2 3\n"
		"leaf 4 0 1 +2 3",
		"tree 3 nodes 5\n"
		"split 0 1 5e-1 1 2 right 1 10 10\n"
		"leaf 1 1 0 2 3\n"
		"split 2 0 -2.0 3 4 left 1 10 10\n"
		"leaf 3 0.25 0.75 2 3\n"
		"leaf 4 0 1 2 3\n",
	};
	for (size_t s = 0; s < sizeof spellings / sizeof spellings[0]; s++) {
		ml_tree *other = parse_text(spellings[s], 2, 2, &err);
		ck_assert_msg(other != NULL, "spelling %zu: %s", s, err.message);
		ck_assert_uint_eq(other->n_nodes, plain->n_nodes);
		ck_assert_mem_eq(other->nodes, plain->nodes, 5 * sizeof *plain->nodes);
		ck_assert_mem_eq(other->values, plain->values, 10 * sizeof *plain->values);
		ck_assert_mem_eq(other->gain, plain->gain, 5 * sizeof *plain->gain);
		ck_assert_mem_eq(other->cover, plain->cover, 5 * sizeof *plain->cover);
		ck_assert_mem_eq(other->count, plain->count, 5 * sizeof *plain->count);
		ml_tree_free(other);
	}
	/* Lines after a comment, and after fast ones, are named by their number. */
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 1 2 left 1 2 2\n# c\nleaf 1 1 0 1 1\n"
			   "leaf 2 1 0 1 x\n", "t.model:14: 'leaf': 'x' is not a whole number");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 1 2 left 1 2 2\nleaf 1 1 0 1 1\n"
			   "leaf 2 1 nan 1 1\n", "t.model:13: tree 3: node 2: value 2 is not");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 1 2 left 1 2 2\nleaf 1 1 0 1 1\n"
			   "leaf 2 1 0 1 1 7\n", "t.model:13: 'leaf' takes 5 values, found 6");
	ml_tree_free(plain);
}
END_TEST

static void expect_parse_error(const char *text, const char *message)
{
	ml_error err;
	ml_tree *tree = parse_text(text, 2, 2, &err);
	ck_assert_msg(tree == NULL, "accepted: %s", text);
	ck_assert_msg(strstr(err.message, message) != NULL, "'%s' lacks '%s'", err.message,
		      message);
}

START_TEST(bad_text_is_refused_with_its_line)
{
	const char *head = "tree 3 nodes 3\nsplit 0 1 0.5 1 2 left 1 2 2\n";
	char text[512];
	/* Truncated: the missing line is named. */
	snprintf(text, sizeof text, "%sleaf 1 1 0 1 1\n", head);
	expect_parse_error(text, "t.model:13: unexpected end of text, expected 'leaf' or 'split'");
	expect_parse_error("", "t.model:10: unexpected end of text, expected 'tree'");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 1 2 left 1 2",
			   "t.model:11: 'split' takes 9 values, found 8");
	/* Mutated. */
	expect_parse_error("tree 4 nodes 3\n", "t.model:10: expected tree 3");
	expect_parse_error("tree 3 nodes 0\n", "t.model:10: tree 3 has no nodes");
	expect_parse_error("tree 3 nodes 300000000\n", "t.model:10: 'tree': '300000000' is not");
	expect_parse_error("tree 3 leaves 3\n", "t.model:10: expected 'tree 3 nodes N'");
	expect_parse_error("forest 3 nodes 3\n", "t.model:10: expected 'tree', found 'forest'");
	snprintf(text, sizeof text, "%sleaf 2 1 0 1 1\nleaf 1 1 0 1 1\n", head);
	expect_parse_error(text, "t.model:12: expected node 1, found node 2");
	snprintf(text, sizeof text, "%sleaf 1 1 0 1\nleaf 2 1 0 1 1\n", head);
	expect_parse_error(text, "t.model:12: 'leaf' takes 5 values, found 4");
	snprintf(text, sizeof text, "%sleaf 1 1 inf 1 1\nleaf 2 1 0 1 1\n", head);
	expect_parse_error(text, "t.model:12: tree 3: node 1: value 2 is not finite");
	snprintf(text, sizeof text, "%sleaf 1 1 0 -1 1\nleaf 2 1 0 1 1\n", head);
	expect_parse_error(text, "t.model:12: tree 3: node 1: the cover");
	snprintf(text, sizeof text, "%sleaf 1 1 0 1 x\nleaf 2 1 0 1 1\n", head);
	expect_parse_error(text, "t.model:12: 'leaf': 'x' is not a whole number");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 nan 1 2 left 1 2 2\n",
			   "t.model:11: tree 3: node 0: the threshold is NaN");
	expect_parse_error("tree 3 nodes 3\nsplit 0 2 0.5 1 2 left 1 2 2\n",
			   "t.model:11: tree 3: node 0: feature 2 is not below the feature"
			   " count 2");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 1 2 middle 1 2 2\n",
			   "t.model:11: 'split': unknown value 'middle'");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 1 3 left 1 2 2\n",
			   "t.model:11: tree 3: node 0: child 3 is not in the tree (3 nodes)");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 0 2 left 1 2 2\n",
			   "t.model:11: node 0: child 0 is the root");
	expect_parse_error("tree 3 nodes 3\nsplit 0 1 0.5 2 2 left 1 2 2\n",
			   "t.model:11: tree 3: node 0: both children are node 2");
	expect_parse_error("tree 3 nodes 5\nsplit 0 1 0.5 1 4 left 1 2 2\nleaf 1 1 0 1 1\n"
			   "leaf 2 1 0 1 1\n", "t.model:13: node 2: no node's child (unreachable)");
	expect_parse_error("tree 3 nodes 5\nsplit 0 1 0.5 1 2 left 1 2 2\n"
			   "split 1 1 0.5 3 4 left 1 2 2\nsplit 2 1 0.5 3 4 left 1 2 2\n"
			   "leaf 3 1 0 1 1\n", "t.model:14: node 3: child of two nodes");
}
END_TEST

START_TEST(deep_text_is_refused)
{
	ml_tree *tree = chain(ML_TREE_MAX_DEPTH + 1);
	ml_buf out;
	ml_buf_init(&out);
	ml_tree_write(tree, 3, &out);
	ml_error err;
	/* Node 256 is the 129th split: its line is 10 + 1 + 256. */
	ck_assert_ptr_null(parse_text(out.data, 1, 1, &err));
	ck_assert_msg(strstr(err.message, "t.model:267: node 256: deeper than 128 levels"),
		      "%s", err.message);
	ml_buf_free(&out);
	ml_tree_free(tree);
}
END_TEST

/*
 * Every truncation and many random mutations of a valid text: the parser
 * returns a checked tree or an error, never crashes or hangs (AddressSanitizer
 * watches in `make check SANITIZE=1`).
 */
START_TEST(hostile_text_never_crashes)
{
	ml_tree *tree = sample_tree();
	char *text = tree_text(tree);
	size_t length = strlen(text);
	char *copy = malloc(length + 1);
	ml_error err;
	size_t accepted = 0;
	for (size_t cut = 0; cut <= length; cut++) {
		memcpy(copy, text, cut);
		copy[cut] = '\0';
		ml_tree *parsed = parse_text(copy, 2, 2, &err);
		accepted += parsed != NULL;
		if (parsed)
			ck_assert_int_eq(ml_tree_check(parsed, 2, &err), 0);
		ml_tree_free(parsed);
	}
	ck_assert_uint_le(accepted, 2); /* the whole text, and without its last newline */
	static const char alphabet[] = "0123456789 .-+einaflsptrgod\n\t#\"x";
	ml_random random;
	ml_random_init(&random, 11);
	for (int trial = 0; trial < 20000; trial++) {
		memcpy(copy, text, length + 1);
		int n_changes = 1 + (int)ml_random_below(&random, 3);
		for (int c = 0; c < n_changes; c++)
			copy[ml_random_below(&random, length)] =
				alphabet[ml_random_below(&random, sizeof alphabet - 1)];
		ml_tree *parsed = parse_text(copy, 2, 2, &err);
		if (parsed) {
			ck_assert_int_eq(ml_tree_check(parsed, 2, &err), 0);
			double row[2] = { 0.3, NAN }, out[2] = { 0, 0 };
			ml_tree_rows input = { row, 1, 2, NULL, false };
			ml_tree_predict_add(parsed, &input, out, 2);
		} else {
			ck_assert(err.message[0] != '\0');
		}
		ml_tree_free(parsed);
	}
	free(copy);
	free(text);
	ml_tree_free(tree);
}
END_TEST

static Suite *tree_suite(void)
{
	Suite *suite = suite_create("ml_tree");
	TCase *core = tcase_create("core");
	tcase_add_test(core, hand_built_tree_predicts);
	tcase_add_test(core, float32_comparison_differs_on_a_crafted_threshold);
	tcase_add_test(core, check_refuses_broken_trees);
	tcase_add_test(core, check_bounds_the_depth);
	tcase_add_test(core, depth_first_numbering_keeps_predictions);
	tcase_add_test(core, text_reads_back_bit_exactly);
	tcase_add_test(core, text_spelled_otherwise_reads_the_same);
	tcase_add_test(core, bad_text_is_refused_with_its_line);
	tcase_add_test(core, deep_text_is_refused);
	suite_add_tcase(suite, core);
	TCase *hostile = tcase_create("hostile");
	tcase_set_timeout(hostile, 120);
	tcase_add_test(hostile, hostile_text_never_crashes);
	suite_add_tcase(suite, hostile);
	return suite;
}

ML_CHECK_MAIN(tree_suite)
