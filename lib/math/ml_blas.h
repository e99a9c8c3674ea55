/*
 * ml_blas: OpenBLAS, opened on the first BLAS or LAPACK call (see
 * ml_blas.c for why), and the controls of its threads.
 */
#ifndef ML_BLAS_H
#define ML_BLAS_H

/*
 * Loads OpenBLAS now (the first BLAS call would): for a server, so that
 * its first request does not pay for it.  Exits 1 with a message where it
 * cannot be loaded.
 */
void ml_blas_load(void);
/*
 * Sets OpenBLAS's thread count (<= 0: its own default) and returns the
 * previous one, to restore; remembered until OpenBLAS is loaded.
 */
int ml_blas_threads_set(int n_threads);

/* OpenBLAS's name for the kernels it chose ("Haswell"); loads it. */
const char *ml_blas_kernels(void);

#endif
