/*
 * Greedy k-means++ seeding, as scikit-learn's _kmeans_plusplus does it:
 * the first centre a uniformly random row; then, for each further centre,
 * 2 + floor(ln k) candidate rows drawn with probability proportional to
 * their squared distance to the nearest centre chosen so far, and the
 * candidate that leaves the smallest total of those distances kept.
 *
 * One pass over the rows per centre scores all candidates at once (one
 * dgemm per block).  The pass keeps each candidate's updated distances, so
 * adopting the best one is swapping arrays, and per-piece totals, which
 * also let the next draw find its row by walking pieces, then rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans_impl.h"

typedef struct seeding {
	const ml_kmeans_data *data;
	size_t n_trials;
	size_t n_slots;           /* n_trials + 1 distance arrays */
	double *distances;        /* n_slots x n_rows: the nearest-centre distances in slot
				     `closest`, each candidate's updated ones in the others */
	size_t closest;
	double *piece_totals;     /* n_pieces x n_slots */
	double *candidates;       /* n_trials x n_features, shifted */
	double *candidate_norms;  /* n_trials */
	size_t *candidate_rows;   /* n_trials */
	double *scratch;          /* per thread: a block of rows and its cross terms */
	size_t scratch_size;
} seeding;

/* scikit-learn's number of local trials. */
static size_t trials_for(size_t n_clusters)
{
	return 2 + (size_t)floor(log((double)n_clusters));
}

/* The distance array candidate t writes: the slots other than `closest`, in order. */
static size_t slot_of(const seeding *s, size_t candidate)
{
	return candidate < s->closest ? candidate : candidate + 1;
}

static double *slot_values(const seeding *s, size_t slot)
{
	return s->distances + slot * s->data->n_rows;
}

static void release(seeding *s)
{
	free(s->distances);
	free(s->piece_totals);
	free(s->candidates);
	free(s->candidate_norms);
	free(s->candidate_rows);
	free(s->scratch);
}

static int allocate(seeding *s, const ml_kmeans_data *data, size_t n_clusters, ml_error *err)
{
	memset(s, 0, sizeof *s);
	s->data = data;
	s->n_trials = trials_for(n_clusters);
	s->n_slots = s->n_trials + 1;
	s->closest = s->n_trials;
	s->scratch_size = ML_KMEANS_BLOCK_ROWS * (data->n_features + s->n_trials);
	if (!(s->distances = ml_alloc_array(s->n_slots, data->n_rows * sizeof(double), err)) ||
	    !(s->piece_totals = ml_calloc_array(data->n_pieces, s->n_slots * sizeof(double),
						err)) ||
	    !(s->candidates = ml_alloc_array(s->n_trials, data->n_features * sizeof(double),
					     err)) ||
	    !(s->candidate_norms = ml_alloc_array(s->n_trials, sizeof(double), err)) ||
	    !(s->candidate_rows = ml_alloc_array(s->n_trials, sizeof(size_t), err)) ||
	    !(s->scratch = ml_alloc_array(data->n_threads, s->scratch_size * sizeof(double),
					  err))) {
		release(s);
		return -1;
	}
	return 0;
}

/*
 * Scores n_candidates candidates on one piece: each row's distance to its
 * nearest centre if that candidate joined (first: no centre yet), and
 * their totals.
 */
static void score_piece(seeding *s, size_t piece, size_t n_candidates, bool first,
			double *scratch)
{
	const ml_kmeans_data *data = s->data;
	size_t d = data->n_features, begin, end;
	double *block = scratch, *cross = scratch + ML_KMEANS_BLOCK_ROWS * d;
	double *totals = s->piece_totals + piece * s->n_slots;
	const double *closest = slot_values(s, s->closest);
	ml_kmeans_piece_rows(data, piece, &begin, &end);
	for (size_t t = 0; t < n_candidates; t++)
		totals[slot_of(s, t)] = 0;
	for (size_t start = begin; start < end; start += ML_KMEANS_BLOCK_ROWS) {
		size_t count = ml_kmeans_block_length(start, end);
		ml_kmeans_load_block(data->values + start * data->stride, data->stride, count, d,
				     data->shift, block, NULL);
		ml_kmeans_block_cross(block, count, d, s->candidates, s->candidate_norms,
				      n_candidates, cross);
		/* Candidate by candidate: the running total stays in a register. */
		for (size_t t = 0; t < n_candidates; t++) {
			double *updated = slot_values(s, slot_of(s, t)) + start;
			const double *norms = data->row_norms + start, *nearest = closest + start;
			double total = totals[slot_of(s, t)];
			for (size_t r = 0; r < count; r++) {
				double distance = norms[r] + cross[r * n_candidates + t];
				if (distance < 0) /* the expansion cancels: never below zero */
					distance = 0;
				if (!first && distance > nearest[r])
					distance = nearest[r];
				updated[r] = distance;
				total += distance;
			}
			totals[slot_of(s, t)] = total;
		}
	}
}

/* Scores the candidates in s->candidate_rows; returns the index of the best one. */
static size_t score_candidates(seeding *s, size_t n_candidates, bool first)
{
	const ml_kmeans_data *data = s->data;
	size_t d = data->n_features;
	for (size_t t = 0; t < n_candidates; t++) {
		size_t row = s->candidate_rows[t];
		ml_kmeans_load_block(data->values + row * data->stride, data->stride, 1, d,
				     data->shift, s->candidates + t * d, s->candidate_norms + t);
	}
#pragma omp parallel for num_threads(data->n_threads) schedule(dynamic, 1)
	for (size_t p = 0; p < data->n_pieces; p++)
		score_piece(s, p, n_candidates, first,
			    s->scratch + ml_parallel_thread_index() * s->scratch_size);
	size_t best = 0;
	double best_total = INFINITY;
	for (size_t t = 0; t < n_candidates; t++) {
		double total = 0;
		for (size_t p = 0; p < data->n_pieces; p++)
			total += s->piece_totals[p * s->n_slots + slot_of(s, t)];
		if (total < best_total) {
			best_total = total;
			best = t;
		}
	}
	return best;
}

/* The total of the nearest-centre distances, summed in piece order. */
static double potential(const seeding *s)
{
	double total = 0;
	for (size_t p = 0; p < s->data->n_pieces; p++)
		total += s->piece_totals[p * s->n_slots + s->closest];
	return total;
}

/*
 * The first row whose running total of distances exceeds target: rows
 * weighted by their distance, zero-distance rows (the centres) never
 * chosen.  Rounding can leave target at or beyond the end of a piece's
 * total: the last row with a positive distance is taken then.
 */
static size_t draw_row(const seeding *s, double target)
{
	const ml_kmeans_data *data = s->data;
	const double *closest = slot_values(s, s->closest);
	size_t piece = data->n_pieces, last_positive = data->n_pieces;
	for (size_t p = 0; p < data->n_pieces; p++) {
		double total = s->piece_totals[p * s->n_slots + s->closest];
		if (total > 0)
			last_positive = p;
		if (total > target) {
			piece = p;
			break;
		}
		target -= total;
	}
	if (piece == data->n_pieces)
		piece = last_positive;
	size_t begin, end, chosen = SIZE_MAX;
	ml_kmeans_piece_rows(data, piece, &begin, &end);
	double running = 0;
	for (size_t row = begin; row < end; row++) {
		if (closest[row] > 0)
			chosen = row;
		running += closest[row];
		if (running > target && closest[row] > 0)
			return row;
	}
	return chosen;
}

int ml_kmeans_seed(const ml_kmeans_data *data, size_t n_clusters, ml_random *random,
		   size_t *indices, double *centres, ml_error *err)
{
	seeding s;
	size_t d = data->n_features;
	if (allocate(&s, data, n_clusters, err) < 0)
		return -1;
	s.candidate_rows[0] = (size_t)ml_random_below(random, data->n_rows);
	score_candidates(&s, 1, true);
	s.closest = slot_of(&s, 0);
	indices[0] = s.candidate_rows[0];
	memcpy(centres, s.candidates, d * sizeof *centres);
	for (size_t c = 1; c < n_clusters; c++) {
		double total = potential(&s);
		for (size_t t = 0; t < s.n_trials; t++)
			/* Every row on a centre (fewer distinct rows than k): any will do. */
			s.candidate_rows[t] = total > 0 ?
				draw_row(&s, ml_random_uniform(random) * total) :
				(size_t)ml_random_below(random, data->n_rows);
		size_t best = score_candidates(&s, s.n_trials, false);
		s.closest = slot_of(&s, best);
		indices[c] = s.candidate_rows[best];
		memcpy(centres + c * d, s.candidates + best * d, d * sizeof *centres);
	}
	release(&s);
	return 0;
}

int ml_kmeans_plusplus(const ml_kmeans_input *input, size_t n_clusters, uint64_t seed,
		       uint64_t run, size_t *indices, ml_error *err)
{
	ml_kmeans_data data;
	if (n_clusters < 1 || n_clusters > input->n_rows) {
		ml_error_set(err, "k-means++: cannot choose %zu centres among %zu rows", n_clusters,
			     input->n_rows);
		return -1;
	}
	if (ml_kmeans_data_prepare(&data, input, 0, err) < 0)
		return -1;
	double *centres = ml_alloc_array(n_clusters, input->n_features * sizeof(double), err);
	int blas_threads = ml_blas_threads_set(1);
	ml_random random;
	ml_random_init_stream(&random, seed, run);
	int status = centres ? ml_kmeans_seed(&data, n_clusters, &random, indices, centres, err) :
			       -1;
	ml_blas_threads_set(blas_threads);
	free(centres);
	ml_kmeans_data_release(&data);
	return status;
}
