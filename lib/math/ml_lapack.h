/*
 * Internal to lib/: the few LAPACK routines the linear models call, as
 * OpenBLAS exports them (Fortran calling convention: every argument by
 * reference, matrices column-major, and the hidden length of each
 * character argument at the end).  Debian ships no lapacke.h with
 * OpenBLAS, so they are declared here once.
 */
#ifndef ML_LAPACK_H
#define ML_LAPACK_H

#include <stddef.h>

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
	     size_t uplo_length);
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
	     double *b, const int *ldb, int *info, size_t uplo_length);
void dpocon_(const char *uplo, const int *n, const double *a, const int *lda,
	     const double *anorm, double *rcond, double *work, int *iwork, int *info,
	     size_t uplo_length);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
	     double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
	     size_t jobz_length, size_t uplo_length);
void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work,
	     const int *lwork, int *info);
void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda,
	     const double *tau, double *work, const int *lwork, int *info);

#endif
