/*
 * OpenBLAS, loaded on first use.  Linking libopenblas costs every program
 * about 4.5 ms at start (the dynamic loader relocates its 12,000 symbols
 * and faults its pages in), more than ml-load needs for a small file or
 * ml-predict for a tree model, which make no BLAS call at all.  So the
 * programs are not linked against it: the few BLAS and LAPACK routines
 * lib/ calls are defined here, with cblas.h's and ml_lapack.h's own
 * prototypes, and each forwards to OpenBLAS, which the first call opens
 * with dlopen.  A machine without it fails that first call with a message
 * and exit status 1, as the loader would have failed the start.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>

#include "math/ml_lapack.h"
#include "math/ml_blas.h"

static const char *const ml_blas_names[] = {"libopenblas.so.0", "libopenblas.so"};

static struct {
	void (*daxpy)(blasint, double, const double *, blasint, double *, blasint);
	double (*ddot)(blasint, const double *, blasint, const double *, blasint);
	void (*dgemm)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint,
		      blasint, blasint, double, const double *, blasint, const double *, blasint,
		      double, double *, blasint);
	void (*dgemv)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, blasint, blasint, double,
		      const double *, blasint, const double *, blasint, double, double *, blasint);
	double (*dnrm2)(blasint, const double *, blasint);
	void (*dscal)(blasint, double, double *, blasint);
	void (*dsyr)(enum CBLAS_ORDER, enum CBLAS_UPLO, blasint, double, const double *, blasint,
		     double *, blasint);
	void (*dsyrk)(enum CBLAS_ORDER, enum CBLAS_UPLO, enum CBLAS_TRANSPOSE, blasint, blasint,
		      double, const double *, blasint, double, double *, blasint);
	__typeof__(dpotrf_) *dpotrf;
	__typeof__(dpotrs_) *dpotrs;
	__typeof__(dpocon_) *dpocon;
	__typeof__(dsyevd_) *dsyevd;
	__typeof__(dgeqrf_) *dgeqrf;
	__typeof__(dorgqr_) *dorgqr;
	void (*set_num_threads)(int);
	int (*get_num_threads)(void);
	char *(*get_corename)(void);
} ml_blas;

static pthread_once_t ml_blas_once = PTHREAD_ONCE_INIT;
static void *ml_blas_library;

/*
 * Before OpenBLAS is loaded the count is only remembered (every program
 * sets it from -j at start, which must not load it); loading applies it.
 */
static int ml_blas_wanted;  /* 0: OpenBLAS's own count */
static int ml_blas_initial; /* OpenBLAS's own count, read when loaded */

static void *ml_blas_symbol(const char *name)
{
	void *symbol = dlsym(ml_blas_library, name);

	if (!symbol) {
		fprintf(stderr, "mlpipe: OpenBLAS lacks %s (libopenblas0 too old?)\n", name);
		exit(1);
	}
	return symbol;
}

#define ML_BLAS_BIND(field, name) *(void **)&ml_blas.field = ml_blas_symbol(name)

static void ml_blas_open(void)
{
	for (size_t i = 0; i < sizeof ml_blas_names / sizeof *ml_blas_names && !ml_blas_library; i++)
		ml_blas_library = dlopen(ml_blas_names[i], RTLD_NOW | RTLD_LOCAL);
	if (!ml_blas_library) {
		fprintf(stderr, "mlpipe: cannot load OpenBLAS: %s (install libopenblas0)\n", dlerror());
		exit(1);
	}
	ML_BLAS_BIND(daxpy, "cblas_daxpy");
	ML_BLAS_BIND(ddot, "cblas_ddot");
	ML_BLAS_BIND(dgemm, "cblas_dgemm");
	ML_BLAS_BIND(dgemv, "cblas_dgemv");
	ML_BLAS_BIND(dnrm2, "cblas_dnrm2");
	ML_BLAS_BIND(dscal, "cblas_dscal");
	ML_BLAS_BIND(dsyr, "cblas_dsyr");
	ML_BLAS_BIND(dsyrk, "cblas_dsyrk");
	ML_BLAS_BIND(dpotrf, "dpotrf_");
	ML_BLAS_BIND(dpotrs, "dpotrs_");
	ML_BLAS_BIND(dpocon, "dpocon_");
	ML_BLAS_BIND(dsyevd, "dsyevd_");
	ML_BLAS_BIND(dgeqrf, "dgeqrf_");
	ML_BLAS_BIND(dorgqr, "dorgqr_");
	ML_BLAS_BIND(set_num_threads, "openblas_set_num_threads");
	ML_BLAS_BIND(get_num_threads, "openblas_get_num_threads");
	ML_BLAS_BIND(get_corename, "openblas_get_corename");
	ml_blas_initial = ml_blas.get_num_threads();
	if (ml_blas_wanted > 0)
		ml_blas.set_num_threads(ml_blas_wanted);
}

void ml_blas_load(void)
{
	pthread_once(&ml_blas_once, ml_blas_open);
}

int ml_blas_threads_set(int n_threads)
{
	if (!ml_blas_library) {
		int previous = ml_blas_wanted;
		ml_blas_wanted = n_threads;
		return previous;
	}
	int previous = ml_blas.get_num_threads();
	ml_blas.set_num_threads(n_threads > 0 ? n_threads : ml_blas_initial);
	return previous;
}

const char *ml_blas_kernels(void)
{
	ml_blas_load();
	return ml_blas.get_corename();
}

/* The routines lib/ calls, under their own names and prototypes. */

void cblas_daxpy(const blasint n, const double alpha, const double *x, const blasint incx, double *y,
		 const blasint incy)
{
	ml_blas_load();
	ml_blas.daxpy(n, alpha, x, incx, y, incy);
}

double cblas_ddot(const blasint n, const double *x, const blasint incx, const double *y,
		  const blasint incy)
{
	ml_blas_load();
	return ml_blas.ddot(n, x, incx, y, incy);
}

void cblas_dgemm(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans_a,
		 const enum CBLAS_TRANSPOSE trans_b, const blasint m, const blasint n, const blasint k,
		 const double alpha, const double *a, const blasint lda, const double *b,
		 const blasint ldb, const double beta, double *c, const blasint ldc)
{
	ml_blas_load();
	ml_blas.dgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void cblas_dgemv(const enum CBLAS_ORDER order, const enum CBLAS_TRANSPOSE trans, const blasint m,
		 const blasint n, const double alpha, const double *a, const blasint lda,
		 const double *x, const blasint incx, const double beta, double *y, const blasint incy)
{
	ml_blas_load();
	ml_blas.dgemv(order, trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

double cblas_dnrm2(const blasint n, const double *x, const blasint incx)
{
	ml_blas_load();
	return ml_blas.dnrm2(n, x, incx);
}

void cblas_dscal(const blasint n, const double alpha, double *x, const blasint incx)
{
	ml_blas_load();
	ml_blas.dscal(n, alpha, x, incx);
}

void cblas_dsyr(const enum CBLAS_ORDER order, const enum CBLAS_UPLO uplo, const blasint n,
		const double alpha, const double *x, const blasint incx, double *a, const blasint lda)
{
	ml_blas_load();
	ml_blas.dsyr(order, uplo, n, alpha, x, incx, a, lda);
}

void cblas_dsyrk(const enum CBLAS_ORDER order, const enum CBLAS_UPLO uplo,
		 const enum CBLAS_TRANSPOSE trans, const blasint n, const blasint k,
		 const double alpha, const double *a, const blasint lda, const double beta, double *c,
		 const blasint ldc)
{
	ml_blas_load();
	ml_blas.dsyrk(order, uplo, trans, n, k, alpha, a, lda, beta, c, ldc);
}

void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info,
	     size_t uplo_length)
{
	ml_blas_load();
	ml_blas.dpotrf(uplo, n, a, lda, info, uplo_length);
}

void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
	     double *b, const int *ldb, int *info, size_t uplo_length)
{
	ml_blas_load();
	ml_blas.dpotrs(uplo, n, nrhs, a, lda, b, ldb, info, uplo_length);
}

void dpocon_(const char *uplo, const int *n, const double *a, const int *lda,
	     const double *anorm, double *rcond, double *work, int *iwork, int *info,
	     size_t uplo_length)
{
	ml_blas_load();
	ml_blas.dpocon(uplo, n, a, lda, anorm, rcond, work, iwork, info, uplo_length);
}

void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
	     double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info,
	     size_t jobz_length, size_t uplo_length)
{
	ml_blas_load();
	ml_blas.dsyevd(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info, jobz_length,
		       uplo_length);
}

void dgeqrf_(const int *m, const int *n, double *a, const int *lda, double *tau, double *work,
	     const int *lwork, int *info)
{
	ml_blas_load();
	ml_blas.dgeqrf(m, n, a, lda, tau, work, lwork, info);
}

void dorgqr_(const int *m, const int *n, const int *k, double *a, const int *lda,
	     const double *tau, double *work, const int *lwork, int *info)
{
	ml_blas_load();
	ml_blas.dorgqr(m, n, k, a, lda, tau, work, lwork, info);
}
