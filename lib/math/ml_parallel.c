#include "math/ml_parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static size_t chosen_threads;

size_t ml_parallel_default_threads(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 ? (size_t)online : 1;
}

void ml_parallel_set_threads(size_t n_threads)
{
	chosen_threads = n_threads ? n_threads : ml_parallel_default_threads();
#ifdef _OPENMP
	omp_set_num_threads((int)chosen_threads);
#endif
}

size_t ml_parallel_threads(void)
{
#ifdef _OPENMP
	return chosen_threads ? chosen_threads : (size_t)omp_get_max_threads();
#else
	return 1;
#endif
}

size_t ml_parallel_thread_index(void)
{
#ifdef _OPENMP
	return (size_t)omp_get_thread_num();
#else
	return 0;
#endif
}


/* ---- sharing tasks with helper threads ------------------------------- */

/*
 * One call's tasks: taken one at a time by the caller and by the helpers
 * that joined; active counts the helpers still at work.
 */
typedef struct share_job {
	size_t n_tasks;
	atomic_size_t next;
	ml_parallel_task task;
	void *context;
	size_t n_slots;  /* threads that may work on it, the caller included */
	size_t joined;   /* helpers that joined (under the lock) */
	size_t active;   /* helpers still at work (under the lock) */
} share_job;

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;    /* a job was posted */
	pthread_cond_t idle;    /* a helper left its job */
	pthread_mutex_t in_use; /* held by the caller sharing the helpers */
	share_job *job;         /* the job helpers may join, or NULL */
	uint64_t generation;    /* jobs posted so far */
	size_t n_helpers;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
	   PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0 };

static void run_tasks(share_job *job, size_t slot)
{
	for (;;) {
		size_t t = atomic_fetch_add(&job->next, 1);
		if (t >= job->n_tasks)
			return;
		job->task(job->context, t, slot);
	}
}

static void *helper_main(void *unused)
{
	(void)unused;
	uint64_t seen = 0;
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (pool.generation == seen)
			pthread_cond_wait(&pool.wake, &pool.lock);
		seen = pool.generation;
		share_job *job = pool.job;
		if (!job || job->joined + 1 >= job->n_slots)
			continue;
		size_t slot = ++job->joined;
		job->active++;
		pthread_mutex_unlock(&pool.lock);
		run_tasks(job, slot);
		pthread_mutex_lock(&pool.lock);
		if (--job->active == 0)
			pthread_cond_broadcast(&pool.idle);
	}
	return NULL;
}

/* Starts helpers up to wanted (the caller holds in_use); fewer if that fails. */
static void start_helpers(size_t wanted)
{
	while (pool.n_helpers < wanted) {
		pthread_t thread;
		pthread_attr_t attributes;
		if (pthread_attr_init(&attributes) != 0)
			return;
		pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
		int failed = pthread_create(&thread, &attributes, helper_main, NULL);
		pthread_attr_destroy(&attributes);
		if (failed)
			return;
		pool.n_helpers++;
	}
}

void ml_parallel_share(size_t n_tasks, ml_parallel_task task, void *context)
{
	size_t n_threads = ml_parallel_threads();
	share_job job = { n_tasks, 0, task, context, n_threads, 0, 0 };
	if (n_threads < 2 || n_tasks < 2 || pthread_mutex_trylock(&pool.in_use) != 0) {
		run_tasks(&job, 0);
		return;
	}
	start_helpers(n_threads - 1);
	pthread_mutex_lock(&pool.lock);
	pool.job = &job;
	pool.generation++;
	pthread_cond_broadcast(&pool.wake);
	pthread_mutex_unlock(&pool.lock);
	run_tasks(&job, 0);
	/* Helpers that have not joined by now never will: only those at work are waited for. */
	pthread_mutex_lock(&pool.lock);
	pool.job = NULL;
	while (job.active > 0)
		pthread_cond_wait(&pool.idle, &pool.lock);
	pthread_mutex_unlock(&pool.lock);
	pthread_mutex_unlock(&pool.in_use);
}
