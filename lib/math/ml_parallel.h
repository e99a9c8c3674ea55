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

/*
 * Runs task(context, t, slot) for each t in [0, n_tasks), on the calling
 * thread and on up to ml_parallel_threads() - 1 helper threads (pthreads
 * asleep between calls: unlike OpenMP's, nothing spins), each task once,
 * in no set order; slot, below ml_parallel_threads(), names the thread
 * running it (for scratch memory).  The caller takes tasks too and never
 * waits for a helper that has not started: on a busy machine it does them
 * all itself, so a call costs hardly more than doing its tasks in turn,
 * and is shorter when a core is free.  One caller at a time has the
 * helpers; another one meanwhile (a service's requests) runs its tasks
 * alone.  Tasks must be independent.
 */
typedef void (*ml_parallel_task)(void *context, size_t task, size_t slot);
void ml_parallel_share(size_t n_tasks, ml_parallel_task task, void *context);

#endif
