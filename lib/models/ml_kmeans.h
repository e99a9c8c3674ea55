/*
 * ml_kmeans: k-means clustering (ml-cluster) and the nearest-centre rule
 * that applies a fitted clustering (ml-predict).
 *
 * ml_kmeans_fit is scikit-learn's KMeans(algorithm="lloyd"): greedy
 * k-means++ seeding (2 + floor(ln k) candidates per centre, the one that
 * lowers the potential most kept), then Lloyd iterations until the labels
 * stop changing, the total squared centre shift falls to tol times the
 * mean per-feature variance, or max_iter.  Empty clusters are re-seeded
 * from the rows farthest from their centres.  n_init runs from different
 * seeds keep the lowest inertia; the default is one run, as scikit-learn
 * >= 1.4 does with k-means++.  Run r draws from ml_random_init_stream(seed,
 * r), so the same input and seed give the same centres and labels with
 * any thread count.
 *
 * The mini-batch variant (Sculley 2010, scikit-learn's MiniBatchKMeans)
 * takes rows block by block and keeps memory bounded by its batch: see
 * ml_minibatch below.
 *
 * Distances are ||x||^2 - 2 x.c + ||c||^2 with the cross term one dgemm
 * per block of rows, taken relative to the column means so that data far
 * from the origin keep their precision.  Inertia (the sum of squared
 * distances to the assigned centres) is computed directly from x - c.
 */
#ifndef ML_KMEANS_H
#define ML_KMEANS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"

/*
 * Rows to cluster: n_rows rows of n_features values, row r starting at
 * values + r * stride (stride >= n_features, so a target column stored
 * after the features is skipped).  Every value must be finite.
 */
typedef struct ml_kmeans_input {
	const double *values;
	size_t n_rows;
	size_t n_features;
	size_t stride;
} ml_kmeans_input;

typedef struct ml_kmeans_options {
	size_t n_clusters;      /* k, at least 1 and at most the row count (8) */
	size_t n_init;          /* runs from different seeds, lowest inertia kept (1) */
	size_t max_iter;        /* Lloyd iterations per run (300) */
	double tol;             /* stop when the total squared centre shift <= tol x the
				   mean per-feature variance (1e-4); 0: only when labels
				   stop changing */
	uint64_t seed;          /* (0) */
	const double *initial_centres; /* n_clusters x n_features to start from instead of
					  k-means++ (then n_init must be 1); NULL */

	/* Mini-batch only. */
	size_t batch_size;      /* rows per step (1024) */
	size_t init_size;       /* first rows buffered for k-means++ (0: 3 x batch_size, at
				   least 3 x n_clusters) */
	double reassignment_ratio; /* centres with counts below this fraction of the largest
				      are moved to random rows of the batch (0.01) */
	size_t max_no_improvement; /* steps without a better smoothed inertia before
				      ml_minibatch_converged says so (10); 0: never */

	ml_progress_fn progress; /* -v lines; may be NULL */
	void *progress_context;
} ml_kmeans_options;

/* The defaults above (those of scikit-learn's KMeans and MiniBatchKMeans). */
void ml_kmeans_options_init(ml_kmeans_options *options);
/* Says why a combination of options is invalid; 0 when it is fine. */
int ml_kmeans_options_check(const ml_kmeans_options *options, ml_error *err);

/* A fitted clustering: the centres and what the fit found out. */
typedef struct ml_kmeans ml_kmeans;

/*
 * Clusters input.  labels, when not NULL, gets n_rows cluster indices.
 * Fails on k < 1 or k > n_rows, no features, and NaN or infinite values
 * (naming the first such row and feature, counted from 1).
 */
ml_kmeans *ml_kmeans_fit(const ml_kmeans_options *options, const ml_kmeans_input *input,
			 size_t *labels, ml_error *err);

/*
 * k-means++ seeding alone, as run `run` of a fit with this seed starts:
 * the indices of the n_clusters rows chosen as the first centres.
 */
int ml_kmeans_plusplus(const ml_kmeans_input *input, size_t n_clusters, uint64_t seed,
		       uint64_t run, size_t *indices, ml_error *err);

/* A clustering from its centres (n_clusters x n_features, copied): a model file's. */
ml_kmeans *ml_kmeans_create(const double *centres, size_t n_clusters, size_t n_features,
			    ml_error *err);
void ml_kmeans_free(ml_kmeans *kmeans);

size_t ml_kmeans_n_clusters(const ml_kmeans *kmeans);
size_t ml_kmeans_n_features(const ml_kmeans *kmeans);
/* n_clusters x n_features, row-major. */
const double *ml_kmeans_centres(const ml_kmeans *kmeans);
/*
 * Distinct centres: fewer than n_clusters when the data have fewer
 * distinct rows than k (constant data give 1).
 */
size_t ml_kmeans_n_distinct(const ml_kmeans *kmeans);
/* What the fit found (NaN, 0 and false for a clustering made from centres). */
double ml_kmeans_inertia(const ml_kmeans *kmeans);
size_t ml_kmeans_n_iter(const ml_kmeans *kmeans);   /* of the run kept; mini-batch: steps */
bool ml_kmeans_converged(const ml_kmeans *kmeans);  /* stopped before max_iter */

/*
 * The nearest centre of each of n_rows rows (row r at rows + r * stride,
 * the first n_features values used) into labels, and, when distances is not
 * NULL, the Euclidean distance to it.  A NaN or infinite value is an error
 * naming the row (row_offset + index + 1) and feature.
 */
int ml_kmeans_predict(const ml_kmeans *kmeans, const double *rows, size_t n_rows,
		      size_t stride, size_t row_offset, size_t *labels, double *distances,
		      ml_error *err);

/*
 * Mini-batch k-means on rows that arrive block by block.
 *
 * The first init_size rows are buffered and seeded by k-means++ (n_init
 * seedings, the lowest inertia on the buffer kept); the buffer then feeds
 * the first steps.  Each step assigns batch_size rows to their nearest
 * centres and moves every centre that got rows to the running mean of all
 * the rows it ever got (learning rate 1 / count).  Every 10 x k rows, and
 * whenever a centre has no rows yet, centres whose counts fell below
 * reassignment_ratio of the largest move to random rows of the batch, as
 * scikit-learn does.  Rows left over from a block wait for the next one;
 * finish runs the last, shorter batch.  The stream should be in random
 * order (shuffle sorted data first): the seeding sees only its start.
 */
typedef struct ml_minibatch ml_minibatch;

ml_minibatch *ml_minibatch_create(const ml_kmeans_options *options, size_t n_features,
				  ml_error *err);
void ml_minibatch_free(ml_minibatch *minibatch);
/* Adds n_rows rows (row r at rows + r * stride); a NaN or infinite value is an error. */
int ml_minibatch_add(ml_minibatch *minibatch, const double *rows, size_t n_rows,
		     size_t stride, ml_error *err);
/*
 * True once the smoothed batch inertia has not improved for
 * max_no_improvement steps (scikit-learn's early stop): the caller may stop
 * feeding rows.  Rows added later still update the centres.
 */
bool ml_minibatch_converged(const ml_minibatch *minibatch);
/*
 * The clustering so far, after the rows still waiting have been used.
 * Fails when fewer rows than n_clusters arrived.  Its inertia is NaN: a
 * pass of ml_kmeans_predict over the data gives it.
 */
ml_kmeans *ml_minibatch_finish(ml_minibatch *minibatch, ml_error *err);

#endif
