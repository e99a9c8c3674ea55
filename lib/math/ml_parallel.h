/*
 * ml_parallel: how many threads the data-parallel loops run on, and
 * keeping OpenBLAS out of their way.
 *
 * Loops are parallel through OpenMP.  -j N sets the count for the whole
 * program; the default is the number of processors online.  OpenBLAS has
 * threads of its own: code that calls BLAS inside an OpenMP region first
 * limits BLAS to one thread (ml_blas_threads_set), so the two never
 * oversubscribe the cores, and restores the count afterwards.  Built
 * without OpenMP (the fuzzing build), every loop runs on one thread.
 *
 * Results never depend on the thread count: parallel loops split their
 * work into pieces whose boundaries do not depend on it, and combine the
 * pieces' results in a fixed order.
 */
#ifndef ML_PARALLEL_H
#define ML_PARALLEL_H

#include <stddef.h>

/* Processors online (at least 1). */
size_t ml_parallel_default_threads(void);
/* Threads for the loops from now on; 0 means the default. */
void ml_parallel_set_threads(size_t n_threads);
/* Threads the loops run on. */
size_t ml_parallel_threads(void);
/* The calling thread's index within a parallel region (0 outside one). */
size_t ml_parallel_thread_index(void);

#endif
