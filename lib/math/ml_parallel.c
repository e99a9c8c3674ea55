#include "math/ml_parallel.h"

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

