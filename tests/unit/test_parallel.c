/*
 * ml_parallel_share: every task runs exactly once, on a slot below the
 * thread count, for any thread count and task count, call after call
 * (the helpers sleep and wake many times), and when two threads call at
 * once (one shares the helpers, the other works alone).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "check_main.h"
#include "math/ml_parallel.h"

#define MAX_TASKS 200

typedef struct tally {
	atomic_int runs[MAX_TASKS];
	atomic_int bad_slots;
	size_t n_slots;
} tally;

static void count_task(void *context, size_t task, size_t slot)
{
	tally *t = context;
	atomic_fetch_add(&t->runs[task], 1);
	if (slot >= t->n_slots)
		atomic_fetch_add(&t->bad_slots, 1);
}

/* Shares n_tasks tasks and checks that each ran once. */
static void share_and_check(size_t n_tasks)
{
	tally *t = calloc(1, sizeof *t);
	ck_assert_ptr_nonnull(t);
	t->n_slots = ml_parallel_threads();
	ml_parallel_share(n_tasks, count_task, t);
	for (size_t i = 0; i < MAX_TASKS; i++)
		ck_assert_int_eq(atomic_load(&t->runs[i]), i < n_tasks ? 1 : 0);
	ck_assert_int_eq(atomic_load(&t->bad_slots), 0);
	free(t);
}

START_TEST(each_task_runs_once)
{
	for (size_t threads = 1; threads <= 4; threads++) {
		ml_parallel_set_threads(threads);
		for (size_t n_tasks = 0; n_tasks <= MAX_TASKS; n_tasks += n_tasks < 10 ? 1 : 37)
			share_and_check(n_tasks);
		for (int call = 0; call < 500; call++)
			share_and_check(2 + call % 5);
	}
	ml_parallel_set_threads(0);
}
END_TEST

static void *sharing_thread(void *unused)
{
	(void)unused;
	for (int call = 0; call < 500; call++)
		share_and_check(1 + call % 50);
	return NULL;
}

START_TEST(concurrent_callers_each_get_their_tasks_done)
{
	ml_parallel_set_threads(2);
	pthread_t other;
	ck_assert_int_eq(pthread_create(&other, NULL, sharing_thread, NULL), 0);
	sharing_thread(NULL);
	ck_assert_int_eq(pthread_join(other, NULL), 0);
	ml_parallel_set_threads(0);
}
END_TEST

static Suite *parallel_suite(void)
{
	Suite *suite = suite_create("ml_parallel");
	TCase *core = tcase_create("core");
	tcase_set_timeout(core, 60);
	tcase_add_test(core, each_task_runs_once);
	tcase_add_test(core, concurrent_callers_each_get_their_tasks_done);
	suite_add_tcase(suite, core);
	return suite;
}

ML_CHECK_MAIN(parallel_suite)
