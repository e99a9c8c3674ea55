#include "math/ml_parallel.h"

#include <cblas.h>
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

int ml_blas_threads(void)
{
	return openblas_get_num_threads();
}

int ml_blas_threads_set(int n_threads)
{
	int previous = openblas_get_num_threads();
	openblas_set_num_threads(n_threads > 0 ? n_threads : 1);
	return previous;
}

/* OpenBLAS's own (not in cblas.h; its fork handler calls it): weak, so other BLAS link too. */
extern int blas_thread_shutdown_(void) __attribute__((weak));

void ml_blas_threads_stop(void)
{
	if (blas_thread_shutdown_)
		blas_thread_shutdown_();
}
