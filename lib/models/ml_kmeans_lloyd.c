/*
 * Lloyd's k-means, as scikit-learn's lloyd_iter_chunked_dense runs it:
 * each iteration assigns every row to its nearest centre (a dgemm per
 * block) and moves each centre to the mean of its rows.  Pieces of rows
 * run in parallel, each summing its rows per centre; the sums combine in
 * piece order, so the centres do not depend on the thread count.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans_impl.h"

/* One fit's state: the centres are shifted as data's rows are. */
typedef struct lloyd {
	const ml_kmeans_options *options;
	const ml_kmeans_data *data;
	size_t k, d;
	double tol;               /* absolute: options->tol x the mean variance */
	double *centres;          /* k x d */
	double *new_centres;      /* k x d */
	double *centre_norms;     /* k */
	size_t *labels;           /* n_rows; SIZE_MAX before the first assignment */
	double *piece_sums;       /* n_pieces x k x d */
	size_t *piece_counts;     /* n_pieces x k */
	double *piece_inertia;    /* n_pieces */
	size_t *piece_changed;    /* n_pieces */
	double *sums;             /* k x d */
	size_t *counts;           /* k */
	double *far_distances;    /* n_rows: for re-seeding empty clusters */
	size_t *far_rows;         /* k */
	double *scratch;          /* per thread: a block and its distances */
	size_t scratch_size;
	/* The last iteration's outcome. */
	double inertia;           /* from the distance expansion: for progress only */
	size_t changed;           /* labels that changed */
	size_t relocated;         /* empty clusters re-seeded */
} lloyd;

static void lloyd_release(lloyd *l)
{
	free(l->centres);
	free(l->new_centres);
	free(l->centre_norms);
	free(l->labels);
	free(l->piece_sums);
	free(l->piece_counts);
	free(l->piece_inertia);
	free(l->piece_changed);
	free(l->sums);
	free(l->counts);
	free(l->far_distances);
	free(l->far_rows);
	free(l->scratch);
}

static int lloyd_allocate(lloyd *l, const ml_kmeans_options *options, const ml_kmeans_data *data,
			  ml_error *err)
{
	memset(l, 0, sizeof *l);
	l->options = options;
	l->data = data;
	l->k = options->n_clusters;
	l->d = data->n_features;
	l->tol = options->tol * data->mean_variance;
	size_t cells = l->k * l->d, pieces = data->n_pieces; /* k x d fit: prepare checked */
	/* A block, its distances, and a block of squared distances for the final labels. */
	l->scratch_size = ML_KMEANS_BLOCK_ROWS * (l->d + l->k + 1);
	if (!(l->centres = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(l->new_centres = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(l->centre_norms = ml_alloc_array(l->k, sizeof(double), err)) ||
	    !(l->labels = ml_alloc_array(data->n_rows, sizeof(size_t), err)) ||
	    !(l->piece_sums = ml_alloc_array(pieces, cells * sizeof(double), err)) ||
	    !(l->piece_counts = ml_alloc_array(pieces, l->k * sizeof(size_t), err)) ||
	    !(l->piece_inertia = ml_alloc_array(pieces, sizeof(double), err)) ||
	    !(l->piece_changed = ml_alloc_array(pieces, sizeof(size_t), err)) ||
	    !(l->sums = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(l->counts = ml_alloc_array(l->k, sizeof(size_t), err)) ||
	    !(l->far_distances = ml_alloc_array(data->n_rows, sizeof(double), err)) ||
	    !(l->far_rows = ml_alloc_array(l->k, sizeof(size_t), err)) ||
	    !(l->scratch = ml_alloc_array(data->n_threads, l->scratch_size * sizeof(double),
					  err))) {
		lloyd_release(l);
		return -1;
	}
	return 0;
}

/* Assigns a piece's rows to their nearest centres and sums them per centre. */
static void assign_piece(lloyd *l, size_t piece, double *scratch)
{
	const ml_kmeans_data *data = l->data;
	size_t k = l->k, d = l->d, begin, end, changed = 0;
	double *block = scratch, *cross = scratch + ML_KMEANS_BLOCK_ROWS * d, inertia = 0;
	double *sums = l->piece_sums + piece * k * d;
	size_t *counts = l->piece_counts + piece * k;
	memset(sums, 0, k * d * sizeof *sums);
	memset(counts, 0, k * sizeof *counts);
	ml_kmeans_piece_rows(data, piece, &begin, &end);
	for (size_t start = begin; start < end; start += ML_KMEANS_BLOCK_ROWS) {
		size_t count = ml_kmeans_block_length(start, end);
		ml_kmeans_load_block(data->values + start * data->stride, data->stride, count, d,
				     data->shift, block, NULL);
		ml_kmeans_block_cross(block, count, d, l->centres, l->centre_norms, k, cross);
		for (size_t r = 0; r < count; r++) {
			size_t nearest = ml_kmeans_argmin(cross + r * k, k), row = start + r;
			double distance = data->row_norms[row] + cross[r * k + nearest];
			inertia += distance > 0 ? distance : 0;
			changed += l->labels[row] != nearest;
			l->labels[row] = nearest;
			counts[nearest]++;
			double *sum = sums + nearest * d;
			const double *x = block + r * d;
			for (size_t f = 0; f < d; f++)
				sum[f] += x[f];
		}
	}
	l->piece_inertia[piece] = inertia;
	l->piece_changed[piece] = changed;
}

/* Squared distances of a piece's rows to the centres they were assigned to. */
static void far_piece(lloyd *l, size_t piece)
{
	const ml_kmeans_data *data = l->data;
	size_t d = l->d, begin, end;
	ml_kmeans_piece_rows(data, piece, &begin, &end);
	for (size_t row = begin; row < end; row++) {
		const double *x = data->values + row * data->stride;
		const double *centre = l->centres + l->labels[row] * d;
		double sum = 0;
		for (size_t f = 0; f < d; f++) {
			double difference = (x[f] - data->shift[f]) - centre[f];
			sum += difference * difference;
		}
		l->far_distances[row] = sum;
	}
}

/*
 * The n_wanted rows farthest from their centres, farthest first (ties: the
 * first row), into l->far_rows; returns how many there are at a distance
 * above zero.
 */
static size_t farthest_rows(lloyd *l, size_t n_wanted)
{
	const double *distance = l->far_distances;
	size_t *far = l->far_rows, n_found = 0;
	for (size_t row = 0; row < l->data->n_rows; row++) {
		if (distance[row] <= 0 ||
		    (n_found == n_wanted && distance[row] <= distance[far[n_found - 1]]))
			continue;
		size_t at = n_found < n_wanted ? n_found++ : n_wanted - 1;
		while (at > 0 && distance[far[at - 1]] < distance[row]) {
			far[at] = far[at - 1];
			at--;
		}
		far[at] = row;
	}
	return n_found;
}

/*
 * Re-seeds the clusters that got no rows with the rows farthest from their
 * centres, as scikit-learn does: each such row leaves its cluster (unless
 * that would empty it) and becomes an empty cluster's only row.  Returns
 * how many clusters were re-seeded; none when every row sits on a centre.
 */
static size_t relocate_empty(lloyd *l)
{
	size_t k = l->k, d = l->d, n_empty = 0, relocated = 0;
	for (size_t j = 0; j < k; j++)
		n_empty += l->counts[j] == 0;
	if (n_empty == 0)
		return 0;
#pragma omp parallel for num_threads(l->data->n_threads) schedule(dynamic, 1)
	for (size_t p = 0; p < l->data->n_pieces; p++)
		far_piece(l, p);
	size_t n_far = farthest_rows(l, n_empty), next = 0;
	for (size_t j = 0; j < k && next < n_far; j++) {
		if (l->counts[j] != 0)
			continue;
		while (next < n_far && l->counts[l->labels[l->far_rows[next]]] <= 1)
			next++;
		if (next == n_far)
			break;
		size_t row = l->far_rows[next++], from = l->labels[row];
		const double *x = l->data->values + row * l->data->stride;
		for (size_t f = 0; f < d; f++) {
			double value = x[f] - l->data->shift[f];
			l->sums[from * d + f] -= value;
			l->sums[j * d + f] = value;
		}
		l->counts[from]--;
		l->counts[j] = 1;
		relocated++;
	}
	return relocated;
}

/* One Lloyd iteration; returns the total squared shift of the centres. */
static double lloyd_iterate(lloyd *l)
{
	const ml_kmeans_data *data = l->data;
	size_t k = l->k, d = l->d;
	ml_kmeans_centre_norms(l->centres, k, d, l->centre_norms);
#pragma omp parallel for num_threads(data->n_threads) schedule(dynamic, 1)
	for (size_t p = 0; p < data->n_pieces; p++)
		assign_piece(l, p, l->scratch + ml_parallel_thread_index() * l->scratch_size);
	memset(l->sums, 0, k * d * sizeof *l->sums);
	memset(l->counts, 0, k * sizeof *l->counts);
	l->inertia = 0;
	l->changed = 0;
	for (size_t p = 0; p < data->n_pieces; p++) {
		for (size_t i = 0; i < k * d; i++)
			l->sums[i] += l->piece_sums[p * k * d + i];
		for (size_t j = 0; j < k; j++)
			l->counts[j] += l->piece_counts[p * k + j];
		l->inertia += l->piece_inertia[p];
		l->changed += l->piece_changed[p];
	}
	l->relocated = relocate_empty(l);
	double shift = 0;
	for (size_t j = 0; j < k; j++) {
		double *centre = l->new_centres + j * d;
		/* A cluster still empty (rows all on centres) keeps its centre. */
		for (size_t f = 0; f < d; f++)
			centre[f] = l->counts[j] ? l->sums[j * d + f] / (double)l->counts[j] :
						   l->centres[j * d + f];
		shift += ml_kmeans_distance2(centre, l->centres + j * d, d);
	}
	double *swap = l->centres;
	l->centres = l->new_centres;
	l->new_centres = swap;
	return shift;
}

/* Labels every row with the fitted clustering and sums the squared distances. */
static void label_piece(lloyd *l, const ml_kmeans *kmeans, size_t piece, double *scratch)
{
	const ml_kmeans_data *data = l->data;
	size_t begin, end;
	double *squared = scratch + ml_kmeans_predict_scratch(kmeans), inertia = 0;
	ml_kmeans_piece_rows(data, piece, &begin, &end);
	for (size_t start = begin; start < end; start += ML_KMEANS_BLOCK_ROWS) {
		size_t count = ml_kmeans_block_length(start, end);
		ml_kmeans_predict_block(kmeans, data->values + start * data->stride, data->stride,
					count, scratch, l->labels + start, squared);
		for (size_t r = 0; r < count; r++)
			inertia += squared[r];
	}
	l->piece_inertia[piece] = inertia;
}

/*
 * The clustering of the current centres, with the labels ml_kmeans_predict
 * would give the rows and the inertia computed from them.
 */
static ml_kmeans *lloyd_result(lloyd *l, ml_error *err)
{
	const ml_kmeans_data *data = l->data;
	ml_kmeans *kmeans = ml_kmeans_alloc(l->k, l->d, err);
	if (!kmeans)
		return NULL;
	for (size_t j = 0; j < l->k; j++)
		for (size_t f = 0; f < l->d; f++)
			kmeans->centres[j * l->d + f] = l->centres[j * l->d + f] + data->shift[f];
	if (ml_kmeans_finish(kmeans, err) < 0) {
		ml_kmeans_free(kmeans);
		return NULL;
	}
#pragma omp parallel for num_threads(data->n_threads) schedule(dynamic, 1)
	for (size_t p = 0; p < data->n_pieces; p++)
		label_piece(l, kmeans, p,
			    l->scratch + ml_parallel_thread_index() * l->scratch_size);
	kmeans->inertia = 0;
	for (size_t p = 0; p < data->n_pieces; p++)
		kmeans->inertia += l->piece_inertia[p];
	return kmeans;
}

/* Runs Lloyd from the centres in l->centres; the clustering it ends with. */
static ml_kmeans *lloyd_run(lloyd *l, size_t run, ml_error *err)
{
	const ml_kmeans_options *options = l->options;
	char prefix[64] = "";
	if (options->n_init > 1)
		snprintf(prefix, sizeof prefix, "run %zu/%zu, ", run + 1, options->n_init);
	for (size_t row = 0; row < l->data->n_rows; row++)
		l->labels[row] = SIZE_MAX;
	size_t iteration = 0;
	bool converged = false;
	while (!converged && iteration < options->max_iter) {
		double shift = lloyd_iterate(l);
		iteration++;
		ml_kmeans_report(options, "%siteration %zu: inertia %.9g, centre shift %.6g%s",
				 prefix, iteration, l->inertia, shift,
				 l->relocated ? ", empty clusters re-seeded" : "");
		if (l->changed == 0 && l->relocated == 0) {
			converged = true;
			ml_kmeans_report(options, "%sconverged at iteration %zu: no label changed",
					 prefix, iteration);
		} else if (shift <= l->tol) {
			converged = true;
			ml_kmeans_report(options, "%sconverged at iteration %zu: centre shift"
					 " %.6g within tolerance %.6g", prefix, iteration, shift,
					 l->tol);
		}
	}
	if (!converged)
		ml_kmeans_report(options, "%sstopped after %zu iterations without converging",
				 prefix, iteration);
	ml_kmeans *kmeans = lloyd_result(l, err);
	if (kmeans) {
		kmeans->n_iter = iteration;
		kmeans->converged = converged;
	}
	return kmeans;
}

static int check_fit_input(const ml_kmeans_options *options, const ml_kmeans_input *input,
			   ml_error *err)
{
	if (ml_kmeans_options_check(options, err) < 0)
		return -1;
	if (input->n_rows > 0 && options->n_clusters > input->n_rows) {
		ml_error_set(err, "%zu clusters wanted but only %zu rows to cluster",
			     options->n_clusters, input->n_rows);
		return -1;
	}
	size_t cells;
	if (!ml_size_mul(options->n_clusters, input->n_features, &cells) ||
	    !ml_size_mul(cells, sizeof(double), &cells)) {
		ml_error_set(err, "%zu clusters of %zu features are too many", options->n_clusters,
			     input->n_features);
		return -1;
	}
	if (options->initial_centres &&
	    ml_kmeans_check_finite(options->initial_centres, options->n_clusters,
				   input->n_features, input->n_features, 0, err) < 0) {
		ml_error_prefix(err, "initial centre");
		return -1;
	}
	return 0;
}

/* The starting centres of a run: the given ones, or k-means++ from stream (seed, run). */
static int start_run(lloyd *l, size_t run, ml_error *err)
{
	const ml_kmeans_options *options = l->options;
	if (options->initial_centres) {
		ml_kmeans_load_block(options->initial_centres, l->d, l->k, l->d, l->data->shift,
				     l->centres, NULL);
		return 0;
	}
	ml_random random;
	ml_random_init_stream(&random, options->seed, run);
	size_t *indices = ml_alloc_array(l->k, sizeof *indices, err);
	if (!indices)
		return -1;
	int status = ml_kmeans_seed(l->data, l->k, &random, indices, l->centres, err);
	free(indices);
	return status;
}

ml_kmeans *ml_kmeans_fit(const ml_kmeans_options *options, const ml_kmeans_input *input,
			 size_t *labels, ml_error *err)
{
	ml_kmeans_data data;
	lloyd l;
	if (check_fit_input(options, input, err) < 0 ||
	    ml_kmeans_data_prepare(&data, input, options->n_clusters * input->n_features, err) < 0)
		return NULL;
	if (lloyd_allocate(&l, options, &data, err) < 0) {
		ml_kmeans_data_release(&data);
		return NULL;
	}
	ml_kmeans *best = NULL;
	int blas_threads = ml_blas_threads_set(1);
	for (size_t run = 0; run < options->n_init; run++) {
		ml_kmeans *kmeans = start_run(&l, run, err) < 0 ? NULL : lloyd_run(&l, run, err);
		if (!kmeans) {
			ml_kmeans_free(best);
			best = NULL;
			break;
		}
		if (options->n_init > 1)
			ml_kmeans_report(options, "run %zu/%zu: inertia %.9g", run + 1,
					 options->n_init, kmeans->inertia);
		if (best && !(kmeans->inertia < best->inertia)) {
			ml_kmeans_free(kmeans);
			continue;
		}
		ml_kmeans_free(best);
		best = kmeans;
		if (labels)
			memcpy(labels, l.labels, data.n_rows * sizeof *labels);
	}
	ml_blas_threads_set(blas_threads);
	lloyd_release(&l);
	ml_kmeans_data_release(&data);
	return best;
}
