/*
 * ml_libsvm: sparse rows densified (labels, qid and comments ignored,
 * CRLF, no final newline, blank lines), the column count from the largest
 * index or asked for, and every refusal with its file:line message.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "io/ml_libsvm.h"

/* Reads text through a pipe-less temporary file; NULL and err on refusal. */
static ml_libsvm *read_text(const char *text, const ml_libsvm_options *options, ml_error *err)
{
	char path[] = "/tmp/test_libsvm.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	size_t length = strlen(text);
	ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
	lseek(fd, 0, SEEK_SET);
	ml_source *source = ml_source_create(fd, "t.svm", err);
	ck_assert_ptr_nonnull(source);
	ml_libsvm *data = ml_libsvm_read(source, "t.svm", options, err);
	ml_source_free(source);
	close(fd);
	return data;
}

static ml_libsvm *read_default(const char *text, ml_error *err)
{
	ml_libsvm_options options;
	ml_libsvm_options_init(&options);
	return read_text(text, &options, err);
}

START_TEST(test_dense_rows)
{
	ml_error err;
	ml_libsvm *data = read_default("+1 1:0.5 3:-1\r\n"
				       "-1 qid:7 2:2 # a comment 9:9\n"
				       "\n"
				       "# a line of comment\n"
				       "2.5\t4:1e-3  \n"
				       "0 1:0", &err);
	ck_assert_msg(data != NULL, "%s", err.message);
	const ml_columns *columns = ml_libsvm_columns(data);
	ck_assert_uint_eq(columns->count, 5);
	ck_assert_uint_eq(columns->target, 0);
	ck_assert_str_eq(columns->names[0], "label");
	ck_assert_str_eq(columns->names[4], "c4");
	ck_assert_uint_eq(ml_libsvm_rows(data), 4);
	double rows[4 * 5];
	ml_libsvm_dense(data, 0, 4, rows);
	const double want[] = { 1, 0.5, 0, -1, 0, -1, 0, 2, 0, 0, 2.5, 0, 0, 0, 1e-3, 0, 0, 0, 0, 0 };
	for (size_t i = 0; i < 20; i++)
		ck_assert_msg(rows[i] == want[i], "value %zu: %g, expected %g", i, rows[i], want[i]);
	/* One row at a time from the middle. */
	ml_libsvm_dense(data, 2, 1, rows);
	ck_assert(rows[0] == 2.5 && rows[4] == 1e-3 && rows[1] == 0);
	ml_libsvm_free(data);
}
END_TEST

START_TEST(test_columns_asked_for)
{
	ml_error err;
	ml_libsvm_options options;
	ml_libsvm_options_init(&options);
	options.n_columns = 6;
	ml_libsvm *data = read_text("1 2:1\n", &options, &err);
	ck_assert_msg(data != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_libsvm_columns(data)->count, 7);
	ml_libsvm_free(data);
	ck_assert_ptr_null(read_text("1 2:1\n0 7:1\n", &options, &err));
	ck_assert_str_eq(err.message, "t.svm:2: index 7 is above the limit of 6 columns"
		     " (--features)");
	/* Labels alone: one column. */
	data = read_default("1\n-1\n", &err);
	ck_assert_msg(data != NULL, "%s", err.message);
	ck_assert_uint_eq(ml_libsvm_columns(data)->count, 1);
	ck_assert_uint_eq(ml_libsvm_rows(data), 2);
	ml_libsvm_free(data);
	options.n_columns = 10;
	options.max_columns = 5;
	ck_assert_int_eq(ml_libsvm_options_check(&options, &err), -1);
	ck_assert_str_eq(err.message, "libsvm: 10 columns asked for, above the limit of 5");
}
END_TEST

static const struct {
	const char *text, *message;
} refused[] = {
	{ "1 0:1\n", "t.svm:1: index 0 in '0:1': LIBSVM indices start at 1" },
	{ "1 1:1\n1 -2:1\n", "t.svm:2: index '-2' is not a whole number from 1" },
	{ "1 3:1 2:1\n", "t.svm:1: index 2 after 3: indices must increase" },
	{ "1 2:1 2:5\n", "t.svm:1: index 2 repeated" },
	{ "1 100001:1\n", "t.svm:1: index 100001 is above the limit of 100000 columns" },
	{ "1 184467440737095516160:1\n",
	  "t.svm:1: index 184467440737095516160 is above the limit of 100000 columns" },
	{ "1 2:x\n", "t.svm:1: value 'x' is not a finite number" },
	{ "1 2:nan\n", "t.svm:1: value 'nan' is not a finite number" },
	{ "1 2:inf\n", "t.svm:1: value 'inf' is not a finite number" },
	{ "1 2:\n", "t.svm:1: value '' is not a finite number" },
	{ "yes 2:1\n", "t.svm:1: label 'yes' is not a finite number" },
	{ "1,2 2:1\n", "t.svm:1: label '1,2' is not a finite number" },
	{ "1 2\n", "t.svm:1: '2' is not index:value" },
	{ "1 qid:a 1:1\n", "t.svm:1: 'qid:a' is not qid:N" },
	{ "1 1:1 qid:2\n", "t.svm:1: 'qid:2': a qid comes right after the label" },
	{ "1 1:\001\n", "t.svm:1: value '?' is not a finite number" },
};

START_TEST(test_refused)
{
	ml_error err;
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		ck_assert_msg(read_default(refused[i].text, &err) == NULL, "accepted %s",
			      refused[i].text);
		ck_assert_str_eq(err.message, refused[i].message);
	}
}
END_TEST

START_TEST(test_line_limit)
{
	ml_error err;
	ml_libsvm_options options;
	ml_libsvm_options_init(&options);
	options.max_line = 8;
	ml_libsvm *data = read_text("1 1:1234\r\n1 2:5678", &options, &err);
	ck_assert_msg(data != NULL, "%s", err.message);
	ml_libsvm_free(data);
	ck_assert_ptr_null(read_text("1 1:1\n1 2:123456\n", &options, &err));
	ck_assert_str_eq(err.message, "t.svm:2: line longer than 8 bytes");
	ck_assert_ptr_null(read_text("1 1:1\n1 2:123456", &options, &err));
	ck_assert_str_eq(err.message, "t.svm:2: line longer than 8 bytes");
	/* A line far longer than a read block is refused before it is held. */
	options.max_line = 1000;
	size_t length = 200000;
	char *text = malloc(length + 1);
	memset(text, ' ', length);
	text[0] = '1';
	text[length] = '\0';
	ck_assert_ptr_null(read_text(text, &options, &err));
	ck_assert_str_eq(err.message, "t.svm:1: line longer than 1000 bytes");
	free(text);
}
END_TEST

static Suite *libsvm_suite(void)
{
	Suite *suite = suite_create("ml_libsvm");
	TCase *core = tcase_create("read");
	tcase_add_test(core, test_dense_rows);
	tcase_add_test(core, test_columns_asked_for);
	tcase_add_test(core, test_refused);
	tcase_add_test(core, test_line_limit);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(libsvm_suite)
