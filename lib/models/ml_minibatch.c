/*
 * Mini-batch k-means (Sculley, "Web-scale k-means clustering", 2010) as
 * scikit-learn's MiniBatchKMeans runs it, on rows that arrive as a stream.
 *
 * Where scikit-learn draws its batches at random from data in memory, the
 * stream's own order makes the batches here, and the seeding sees the
 * stream's first init_size rows rather than a random sample.  The smoothed
 * inertia that decides ml_minibatch_converged weighs each batch by
 * 2 x batch_size / (rows seen + 1), scikit-learn's weight with the rows
 * seen so far standing for the row count no stream knows in advance.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans_impl.h"

/* Steps between progress lines. */
#define REPORT_EVERY 100

struct ml_minibatch {
	ml_kmeans_options options;
	size_t k, d;
	size_t batch_size;
	size_t init_size;         /* rows buffered before seeding */
	double *buffer;           /* max(init_size, batch_size) rows of d values */
	size_t n_buffered;
	bool seeded;
	double *shift;            /* d: the mean of the seeding rows; centres are shifted by it */
	double *centres;          /* k x d */
	double *centre_norms;     /* k */
	double *counts;           /* k: rows each centre has had (its learning rate's inverse) */
	double *sums;             /* k x d: this batch's rows per centre */
	size_t *batch_counts;     /* k */
	size_t *labels;           /* batch_size */
	double *distances;        /* batch_size: squared distance to the nearest centre */
	size_t *order;            /* k: the clusters to reassign */
	double *scratch;          /* per thread: a block and its distances */
	size_t scratch_size;
	size_t n_threads;         /* for batches with enough work */
	ml_random random;         /* the kept seeding's stream, for reassignments */
	size_t n_rows;            /* rows added, for messages */
	size_t n_used;            /* rows the steps have used */
	size_t n_steps;
	size_t since_reassign;
	double smoothed;          /* exponentially weighted mean batch inertia per row */
	double smoothed_min;
	bool have_smoothed;
	size_t no_improvement;
	bool converged;
};

void ml_minibatch_free(ml_minibatch *mb)
{
	if (!mb)
		return;
	free(mb->buffer);
	free(mb->shift);
	free(mb->centres);
	free(mb->centre_norms);
	free(mb->counts);
	free(mb->sums);
	free(mb->batch_counts);
	free(mb->labels);
	free(mb->distances);
	free(mb->order);
	free(mb->scratch);
	free(mb);
}

ml_minibatch *ml_minibatch_create(const ml_kmeans_options *options, size_t n_features,
				  ml_error *err)
{
	if (ml_kmeans_options_check(options, err) < 0)
		return NULL;
	if (n_features == 0) {
		ml_error_set(err, "no features to cluster");
		return NULL;
	}
	ml_minibatch *mb = calloc(1, sizeof *mb);
	if (!mb) {
		ml_error_nomem(err);
		return NULL;
	}
	mb->options = *options;
	mb->k = options->n_clusters;
	mb->d = n_features;
	mb->batch_size = options->batch_size;
	mb->init_size = options->init_size;
	if (mb->init_size == 0 && !ml_size_mul(mb->batch_size, 3, &mb->init_size))
		mb->init_size = SIZE_MAX;
	if (mb->init_size < mb->k && !ml_size_mul(mb->k, 3, &mb->init_size))
		mb->init_size = SIZE_MAX;
	size_t capacity = mb->init_size > mb->batch_size ? mb->init_size : mb->batch_size, cells;
	if (!ml_size_mul(mb->k, mb->d, &cells) || !ml_size_mul(capacity, mb->d, &capacity)) {
		ml_error_set(err, "%zu clusters of %zu features are too many", mb->k, mb->d);
		ml_minibatch_free(mb);
		return NULL;
	}
	size_t threads = ml_parallel_threads(), blocks = mb->batch_size / ML_KMEANS_BLOCK_ROWS + 1;
	mb->n_threads = threads < blocks ? threads : blocks;
	mb->scratch_size = ML_KMEANS_BLOCK_ROWS * (mb->d + mb->k);
	if (!(mb->buffer = ml_alloc_array(capacity, sizeof(double), err)) ||
	    !(mb->shift = ml_calloc_array(mb->d, sizeof(double), err)) ||
	    !(mb->centres = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(mb->centre_norms = ml_alloc_array(mb->k, sizeof(double), err)) ||
	    !(mb->counts = ml_calloc_array(mb->k, sizeof(double), err)) ||
	    !(mb->sums = ml_alloc_array(cells, sizeof(double), err)) ||
	    !(mb->batch_counts = ml_alloc_array(mb->k, sizeof(size_t), err)) ||
	    !(mb->labels = ml_alloc_array(mb->batch_size, sizeof(size_t), err)) ||
	    !(mb->distances = ml_alloc_array(mb->batch_size, sizeof(double), err)) ||
	    !(mb->order = ml_alloc_array(mb->k, sizeof(size_t), err)) ||
	    !(mb->scratch = ml_alloc_array(mb->n_threads, mb->scratch_size * sizeof(double),
					   err))) {
		ml_minibatch_free(mb);
		return NULL;
	}
	return mb;
}

bool ml_minibatch_converged(const ml_minibatch *mb)
{
	return mb->converged;
}

/* Labels count rows (one batch) and their squared distances; returns their sum. */
static double assign_batch(ml_minibatch *mb, const double *rows, size_t stride, size_t count)
{
	size_t k = mb->k, d = mb->d;
	size_t n_blocks = count / ML_KMEANS_BLOCK_ROWS + (count % ML_KMEANS_BLOCK_ROWS != 0);
	size_t threads = ml_kmeans_block_threads(count, k, d);
	if (threads > mb->n_threads) /* the scratch was made for these */
		threads = mb->n_threads;
	ml_kmeans_centre_norms(mb->centres, k, d, mb->centre_norms);
#pragma omp parallel for num_threads(threads) schedule(static, 1)
	for (size_t b = 0; b < n_blocks; b++) {
		size_t start = b * ML_KMEANS_BLOCK_ROWS;
		size_t n = ml_kmeans_block_length(start, count);
		double *block = mb->scratch + ml_parallel_thread_index() * mb->scratch_size;
		double *cross = block + ML_KMEANS_BLOCK_ROWS * d;
		ml_kmeans_load_block(rows + start * stride, stride, n, d, mb->shift, block,
				     mb->distances + start);
		ml_kmeans_block_cross(block, n, d, mb->centres, mb->centre_norms, k, cross);
		for (size_t r = 0; r < n; r++) {
			size_t nearest = ml_kmeans_argmin(cross + r * k, k);
			double distance = mb->distances[start + r] + cross[r * k + nearest];
			mb->labels[start + r] = nearest;
			mb->distances[start + r] = distance > 0 ? distance : 0;
		}
	}
	double inertia = 0;
	for (size_t r = 0; r < count; r++)
		inertia += mb->distances[r];
	return inertia;
}

/*
 * Moves each centre that got rows to the mean of every row it ever got;
 * returns the total squared shift.
 */
static double update_centres(ml_minibatch *mb, const double *rows, size_t stride, size_t count)
{
	size_t k = mb->k, d = mb->d;
	memset(mb->sums, 0, k * d * sizeof *mb->sums);
	memset(mb->batch_counts, 0, k * sizeof *mb->batch_counts);
	for (size_t r = 0; r < count; r++) {
		size_t label = mb->labels[r];
		double *sum = mb->sums + label * d;
		for (size_t f = 0; f < d; f++)
			sum[f] += rows[r * stride + f] - mb->shift[f];
		mb->batch_counts[label]++;
	}
	double shift = 0;
	for (size_t j = 0; j < k; j++) {
		if (mb->batch_counts[j] == 0)
			continue;
		double old_count = mb->counts[j];
		double new_count = old_count + (double)mb->batch_counts[j];
		double *centre = mb->centres + j * d;
		for (size_t f = 0; f < d; f++) {
			double moved = (centre[f] * old_count + mb->sums[j * d + f]) / new_count;
			shift += (moved - centre[f]) * (moved - centre[f]);
			centre[f] = moved;
		}
		mb->counts[j] = new_count;
	}
	return shift;
}

/* Sorts cluster indices by count, then index (insertion sort: k is small next to rows). */
static void sort_by_count(size_t *clusters, size_t n, const double *counts)
{
	for (size_t i = 1; i < n; i++) {
		size_t cluster = clusters[i], at = i;
		while (at > 0 && (counts[clusters[at - 1]] > counts[cluster] ||
				  (counts[clusters[at - 1]] == counts[cluster] &&
				   clusters[at - 1] > cluster))) {
			clusters[at] = clusters[at - 1];
			at--;
		}
		clusters[at] = cluster;
	}
}

/*
 * scikit-learn's reassignment: centres whose counts are below ratio x the
 * largest move to distinct random rows of the batch (at most half the
 * batch, the smallest counts first), and their counts become the smallest
 * count among the others, so that they are not moved again at once.
 */
static size_t reassign_small(ml_minibatch *mb, const double *rows, size_t stride, size_t count)
{
	size_t k = mb->k, d = mb->d, n_small = 0, limit = count / 2;
	double largest = 0, smallest_kept = INFINITY;
	for (size_t j = 0; j < k; j++)
		largest = mb->counts[j] > largest ? mb->counts[j] : largest;
	double threshold = mb->options.reassignment_ratio * largest;
	size_t *small = mb->order;
	for (size_t j = 0; j < k; j++) {
		if (mb->counts[j] < threshold)
			small[n_small++] = j;
		else if (mb->counts[j] < smallest_kept)
			smallest_kept = mb->counts[j];
	}
	if (n_small > limit) {
		sort_by_count(small, n_small, mb->counts);
		smallest_kept = mb->counts[small[limit]];
		n_small = limit;
	}
	if (n_small == 0 || smallest_kept == INFINITY) /* a ratio above 1 left none to keep */
		return 0;
	/* Distinct rows: the first n_small of a partial Fisher-Yates shuffle. */
	size_t *picks = mb->labels; /* the batch's labels are spent */
	for (size_t r = 0; r < count; r++)
		picks[r] = r;
	for (size_t i = 0; i < n_small; i++) {
		size_t j = i + (size_t)ml_random_below(&mb->random, count - i), swap = picks[i];
		picks[i] = picks[j];
		picks[j] = swap;
	}
	for (size_t i = 0; i < n_small; i++) {
		double *centre = mb->centres + small[i] * d;
		for (size_t f = 0; f < d; f++)
			centre[f] = rows[picks[i] * stride + f] - mb->shift[f];
		mb->counts[small[i]] = smallest_kept;
	}
	return n_small;
}

/* Updates the smoothed inertia; true once it has not improved for long enough. */
static bool stopped_improving(ml_minibatch *mb, double batch_inertia, size_t count)
{
	double per_row = batch_inertia / (double)count;
	if (mb->n_steps == 1) /* the first batch measures the seeding, not the steps */
		return false;
	if (!mb->have_smoothed) {
		mb->smoothed = mb->smoothed_min = per_row;
		mb->have_smoothed = true;
		return false;
	}
	double alpha = (double)count * 2.0 / ((double)mb->n_used + 1);
	alpha = alpha < 1 ? alpha : 1;
	mb->smoothed = mb->smoothed * (1 - alpha) + per_row * alpha;
	if (mb->smoothed < mb->smoothed_min) {
		mb->no_improvement = 0;
		mb->smoothed_min = mb->smoothed;
	} else {
		mb->no_improvement++;
	}
	return mb->options.max_no_improvement > 0 &&
	       mb->no_improvement >= mb->options.max_no_improvement;
}

/* One mini-batch step on count rows. */
static void step(ml_minibatch *mb, const double *rows, size_t stride, size_t count)
{
	/* scikit-learn decides before the update, on the counts as they were. */
	bool reassign = false;
	mb->since_reassign += count;
	for (size_t j = 0; j < mb->k && !reassign; j++)
		reassign = mb->counts[j] == 0;
	if (reassign || mb->since_reassign >= 10 * mb->k) {
		reassign = true;
		mb->since_reassign = 0;
	}
	double inertia = assign_batch(mb, rows, stride, count);
	double shift = update_centres(mb, rows, stride, count);
	size_t moved = reassign && mb->options.reassignment_ratio > 0 ?
		reassign_small(mb, rows, stride, count) : 0;
	mb->n_steps++;
	mb->n_used += count;
	bool stopped = stopped_improving(mb, inertia, count);
	if (mb->n_steps % REPORT_EVERY == 0 || moved || (stopped && !mb->converged))
		ml_kmeans_report(&mb->options, "step %zu (%zu rows): batch inertia %.6g per row,"
				 " smoothed %.6g, centre shift %.6g%s%s", mb->n_steps, mb->n_used,
				 inertia / (double)count, mb->smoothed, shift,
				 moved ? ", small clusters reassigned" : "",
				 stopped && !mb->converged ? ", no longer improving" : "");
	mb->converged = mb->converged || stopped;
}

/* Squared distances of the buffer's rows to centres: how good a seeding is. */
static double buffer_inertia(ml_minibatch *mb, const double *centres, size_t n_rows)
{
	memcpy(mb->centres, centres, mb->k * mb->d * sizeof *centres);
	double inertia = 0;
	for (size_t start = 0; start < n_rows; start += mb->batch_size) {
		size_t count = n_rows - start < mb->batch_size ? n_rows - start : mb->batch_size;
		inertia += assign_batch(mb, mb->buffer + start * mb->d, mb->d, count);
	}
	return inertia;
}

/* Seeds the centres from the buffered rows (n_init k-means++ runs, the best kept). */
static int seed_centres(ml_minibatch *mb, ml_error *err)
{
	size_t k = mb->k, d = mb->d;
	ml_kmeans_input input = { mb->buffer, mb->n_buffered, d, d };
	ml_kmeans_data data;
	if (ml_kmeans_data_prepare(&data, &input, 0, err) < 0)
		return -1;
	memcpy(mb->shift, data.shift, d * sizeof *mb->shift);
	double *candidate = ml_alloc_array(k, d * sizeof(double), err);
	double *best = ml_alloc_array(k, d * sizeof(double), err);
	size_t *indices = ml_alloc_array(k, sizeof(size_t), err);
	int status = candidate && best && indices ? 0 : -1;
	double best_inertia = INFINITY;
	for (size_t run = 0; status == 0 && run < mb->options.n_init; run++) {
		ml_random random;
		ml_random_init_stream(&random, mb->options.seed, run);
		if (mb->options.initial_centres)
			ml_kmeans_load_block(mb->options.initial_centres, d, k, d, mb->shift,
					     candidate, NULL);
		else if (ml_kmeans_seed(&data, k, &random, indices, candidate, err) < 0)
			status = -1;
		double inertia = status == 0 ? buffer_inertia(mb, candidate, mb->n_buffered) : 0;
		if (status == 0 && (run == 0 || inertia < best_inertia)) {
			best_inertia = inertia;
			memcpy(best, candidate, k * d * sizeof *best);
			mb->random = random;
		}
		if (mb->options.n_init > 1)
			ml_kmeans_report(&mb->options, "seeding %zu/%zu: inertia %.9g on %zu rows",
					 run + 1, mb->options.n_init, inertia, mb->n_buffered);
	}
	if (status == 0)
		memcpy(mb->centres, best, k * d * sizeof *best);
	free(candidate);
	free(best);
	free(indices);
	ml_kmeans_data_release(&data);
	return status;
}

/* Seeds from the buffer, then runs its rows as the first steps; a short tail waits. */
static int start(ml_minibatch *mb, ml_error *err)
{
	if (seed_centres(mb, err) < 0)
		return -1;
	mb->seeded = true;
	size_t d = mb->d, begin = 0;
	for (; mb->n_buffered - begin >= mb->batch_size; begin += mb->batch_size)
		step(mb, mb->buffer + begin * d, d, mb->batch_size);
	mb->n_buffered -= begin;
	memmove(mb->buffer, mb->buffer + begin * d, mb->n_buffered * d * sizeof *mb->buffer);
	return 0;
}

static void buffer_rows(ml_minibatch *mb, const double *rows, size_t stride, size_t count)
{
	for (size_t r = 0; r < count; r++)
		memcpy(mb->buffer + (mb->n_buffered + r) * mb->d, rows + r * stride,
		       mb->d * sizeof *rows);
	mb->n_buffered += count;
}

int ml_minibatch_add(ml_minibatch *mb, const double *rows, size_t n_rows, size_t stride,
		     ml_error *err)
{
	if (stride < mb->d) {
		ml_error_set(err, "row stride %zu is less than the %zu features", stride, mb->d);
		return -1;
	}
	if (ml_kmeans_check_finite(rows, n_rows, mb->d, stride, mb->n_rows, err) < 0)
		return -1;
	mb->n_rows += n_rows;
	int blas_threads = ml_blas_threads_set(1), status = 0;
	for (size_t done = 0; done < n_rows && status == 0;) {
		size_t left = n_rows - done;
		if (mb->seeded && mb->n_buffered == 0 && left >= mb->batch_size) {
			step(mb, rows + done * stride, stride, mb->batch_size);
			done += mb->batch_size;
			continue;
		}
		size_t room = (mb->seeded ? mb->batch_size : mb->init_size) - mb->n_buffered;
		size_t take = left < room ? left : room;
		buffer_rows(mb, rows + done * stride, stride, take);
		done += take;
		if (!mb->seeded && mb->n_buffered == mb->init_size)
			status = start(mb, err);
		else if (mb->seeded && mb->n_buffered == mb->batch_size) {
			step(mb, mb->buffer, mb->d, mb->batch_size);
			mb->n_buffered = 0;
		}
	}
	ml_blas_threads_set(blas_threads);
	return status;
}

ml_kmeans *ml_minibatch_finish(ml_minibatch *mb, ml_error *err)
{
	if (!mb->seeded && mb->n_buffered < mb->k) {
		ml_error_set(err, "%zu clusters wanted but only %zu rows to cluster", mb->k,
			     mb->n_buffered);
		return NULL;
	}
	int blas_threads = ml_blas_threads_set(1), status = 0;
	if (!mb->seeded)
		status = start(mb, err);
	if (status == 0 && mb->n_buffered > 0) {
		step(mb, mb->buffer, mb->d, mb->n_buffered);
		mb->n_buffered = 0;
	}
	ml_blas_threads_set(blas_threads);
	ml_kmeans *kmeans = status == 0 ? ml_kmeans_alloc(mb->k, mb->d, err) : NULL;
	if (!kmeans)
		return NULL;
	for (size_t j = 0; j < mb->k; j++)
		for (size_t f = 0; f < mb->d; f++)
			kmeans->centres[j * mb->d + f] = mb->centres[j * mb->d + f] + mb->shift[f];
	if (ml_kmeans_finish(kmeans, err) < 0) {
		ml_kmeans_free(kmeans);
		return NULL;
	}
	kmeans->n_iter = mb->n_steps;
	kmeans->converged = mb->converged;
	return kmeans;
}
