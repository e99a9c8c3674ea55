/*
 * ml_elbow: choosing k for a clustering (ml-cluster --elbow).
 *
 * Fits the same rows for each k of a range and measures each fit two
 * ways: the inertia, which always falls as k grows (the "elbow" is where
 * it stops falling fast), and the silhouette score (as
 * sklearn.metrics.silhouette_score computes it), which is highest where
 * the clusters are best separated.  The silhouette costs rows^2 distances,
 * so it is computed on a seeded sample of the rows, the same sample for
 * every k, as scikit-learn's silhouette_score(sample_size=) does.
 */
#ifndef ML_ELBOW_H
#define ML_ELBOW_H

#include <stddef.h>

#include "core/ml_error.h"
#include "models/ml_model.h"

/* The sample the silhouette is computed on, unless told otherwise. */
#define ML_ELBOW_SAMPLE 10000

typedef struct ml_elbow_point {
	size_t n_clusters;
	double inertia;
	double silhouette; /* NaN for one cluster, or when every sampled row is its own */
	size_t n_distinct; /* distinct centres (fewer than k on data with fewer distinct rows) */
} ml_elbow_point;

/*
 * Fits options->kind (a clustering kind, with its "clusters" set to each
 * k in turn, the other options as given) on data, which must be in memory,
 * for k = first .. last, and fills points (last - first + 1 of them).  The
 * silhouette uses sample_size rows drawn with options->seed (every row when
 * there are no more).  *sampled gets the sample's size.  options->labels is
 * not called.
 */
int ml_elbow(const ml_fit_options *options, const ml_training_data *data, size_t first,
	     size_t last, size_t sample_size, ml_elbow_point *points, size_t *sampled,
	     ml_error *err);

#endif
