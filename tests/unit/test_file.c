/*
 * ml_file: the table of temporary files a signal handler empties, files
 * prepared now and renamed later, kept modes, and links written through.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "core/ml_file.h"

/* A fresh directory per test, removed with what is left in it. */
static char directory[64];

static void make_directory(void)
{
	snprintf(directory, sizeof directory, "/tmp/ml_file_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(directory));
	ck_assert_int_eq(chdir(directory), 0);
}

static void remove_directory(void)
{
	char command[128];
	snprintf(command, sizeof command, "rm -rf '%s'", directory);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(system(command), 0);
}

static bool exists(const char *path)
{
	struct stat info;
	return stat(path, &info) == 0;
}

START_TEST(test_remove_temporaries)
{
	ml_error err;
	ml_atomic_file *first = ml_atomic_open("first.out", &err);
	ml_atomic_file *second = ml_atomic_open("second.out", &err);
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_nonnull(second);
	ck_assert(exists(ml_atomic_temp_path(first)));
	ck_assert(exists(ml_atomic_temp_path(second)));
	ck_assert_ptr_nonnull(strstr(ml_atomic_temp_path(first), "first.out.tmp"));
	ml_file_remove_temporaries();
	ck_assert(!exists(ml_atomic_temp_path(first)));
	ck_assert(!exists(ml_atomic_temp_path(second)));
	ml_atomic_abort(first);
	ml_atomic_abort(second);
	/* A committed file leaves the table: the handler no longer touches its name. */
	ml_atomic_file *kept = ml_atomic_open("kept.out", &err);
	ck_assert_ptr_nonnull(kept);
	fputs("data\n", ml_atomic_stream(kept));
	ck_assert_int_eq(ml_atomic_commit(kept, &err), 0);
	ml_file_remove_temporaries();
	ck_assert(exists("kept.out"));
	ck_assert(!exists("first.out") && !exists("second.out"));
}
END_TEST

START_TEST(test_prepare_then_commit)
{
	ml_error err;
	ml_atomic_file *file;
	ck_assert_int_eq(ml_file_prepare("model", "abc", 3, &file, &err), 0);
	ck_assert_ptr_nonnull(file);
	ck_assert(!exists("model")); /* nothing in place before the commit */
	ck_assert_int_eq(ml_atomic_commit(file, &err), 0);
	ck_assert(exists("model"));
	/* The same bytes again: nothing to write. */
	ck_assert_int_eq(ml_file_prepare("model", "abc", 3, &file, &err), 0);
	ck_assert_ptr_null(file);
	bool unchanged;
	ck_assert_int_eq(ml_file_replace("model", "abcd", 4, &unchanged, &err), 0);
	ck_assert(!unchanged);
}
END_TEST

START_TEST(test_mode_kept)
{
	ml_error err;
	bool unchanged;
	FILE *old = fopen("private", "w");
	ck_assert_ptr_nonnull(old);
	fclose(old);
	ck_assert_int_eq(chmod("private", 0600), 0);
	ck_assert_int_eq(ml_file_replace("private", "secret", 6, &unchanged, &err), 0);
	struct stat info;
	ck_assert_int_eq(stat("private", &info), 0);
	ck_assert_uint_eq(info.st_mode & 0777, 0600);
	mode_t previous = umask(027);
	ck_assert_int_eq(ml_file_replace("new", "x", 1, &unchanged, &err), 0);
	umask(previous);
	ck_assert_int_eq(stat("new", &info), 0);
	ck_assert_uint_eq(info.st_mode & 0777, 0640);
}
END_TEST

START_TEST(test_link_written_through)
{
	ml_error err;
	bool unchanged;
	ck_assert_int_eq(mkdir("sub", 0755), 0);
	ck_assert_int_eq(symlink("sub/target", "link"), 0);
	ck_assert_int_eq(ml_file_replace("link", "new", 3, &unchanged, &err), 0);
	struct stat info;
	ck_assert_int_eq(lstat("link", &info), 0);
	ck_assert(S_ISLNK(info.st_mode));
	ck_assert_int_eq(stat("sub/target", &info), 0);
	ck_assert_int_eq(info.st_size, 3);
	/* A loop of links is an error, not a hang. */
	ck_assert_int_eq(symlink("loop_b", "loop_a"), 0);
	ck_assert_int_eq(symlink("loop_a", "loop_b"), 0);
	ck_assert_int_eq(ml_file_replace("loop_a", "x", 1, &unchanged, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.message, "loop_a"));
}
END_TEST

static Suite *file_suite(void)
{
	Suite *suite = suite_create("ml_file");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, make_directory, remove_directory);
	tcase_add_test(tc, test_remove_temporaries);
	tcase_add_test(tc, test_prepare_then_commit);
	tcase_add_test(tc, test_mode_kept);
	tcase_add_test(tc, test_link_written_through);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(file_suite)
