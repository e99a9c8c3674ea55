/*
 * Greedy k-means++ seeding, as scikit-learn's _kmeans_plusplus does it:
 * the first centre a uniformly random row; then, for each further centre,
 * 2 + floor(ln k) candidate rows drawn with probability proportional to
 * their squared distance to the nearest centre chosen so far, and the
 * candidate that leaves the smallest total of those distances kept.
 *
 * The rows are read once per centre and nothing of the size of the data is
 * written but the nearest-centre distances.  Each pass has the candidates
 * in one matrix (a dgemm per block), led by the best candidate of the
 * previous pass when there is one: the pass first applies that centre to
 * the distances, then totals each candidate's improvement per block.  A
 * draw for the next centre walks the blocks' totals, then recomputes the
 * rows of its block with the same dgemm shape the pass had, so the weights
 * it adds up are bit for bit those the totals were made of.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans_impl.h"

/* The centres one pass measures the rows against. */
typedef struct pass {
	double *columns;          /* n_columns x n_features: the pending centre, then the
				     candidates, shifted as the rows are */
	double *norms;            /* n_columns */
	size_t n_columns;
	bool pending;             /* the first column is the centre the last pass chose */
} pass;

typedef struct seeding {
	const ml_kmeans_data *data;
	size_t n_trials;
	double *closest;          /* n_rows: distance to the nearest centre applied so far */
	pass passes[2];           /* the pass being scored, and the one before */
	size_t n_blocks;
	double *block_totals;     /* n_blocks x n_trials, of the last pass scored */
	size_t *candidate_rows;   /* n_trials */
	double *scratch;          /* per thread: a block of rows and its cross terms */
	size_t scratch_size;
} seeding;

/* scikit-learn's number of local trials. */
static size_t trials_for(size_t n_clusters)
{
	return 2 + (size_t)floor(log((double)n_clusters));
}

static void release(seeding *s)
{
	free(s->closest);
	for (size_t i = 0; i < 2; i++) {
		free(s->passes[i].columns);
		free(s->passes[i].norms);
	}
	free(s->block_totals);
	free(s->candidate_rows);
	free(s->scratch);
}

static int allocate(seeding *s, const ml_kmeans_data *data, size_t n_clusters, ml_error *err)
{
	memset(s, 0, sizeof *s);
	s->data = data;
	s->n_trials = trials_for(n_clusters);
	s->n_blocks = (data->n_rows - 1) / ML_KMEANS_BLOCK_ROWS + 1; /* n_rows >= 1 */
	size_t n_columns = s->n_trials + 1;
	s->scratch_size = ML_KMEANS_BLOCK_ROWS * (data->n_features + n_columns);
	if (!(s->closest = ml_alloc_array(data->n_rows, sizeof(double), err)) ||
	    !(s->block_totals = ml_alloc_array(s->n_blocks, s->n_trials * sizeof(double),
					       err)) ||
	    !(s->candidate_rows = ml_alloc_array(s->n_trials, sizeof(size_t), err)) ||
	    !(s->scratch = ml_alloc_array(data->n_threads, s->scratch_size * sizeof(double),
					  err))) {
		release(s);
		return -1;
	}
	for (size_t row = 0; row < data->n_rows; row++)
		s->closest[row] = INFINITY; /* no centre yet */
	for (size_t i = 0; i < 2; i++)
		if (!(s->passes[i].columns = ml_alloc_array(n_columns,
							    data->n_features * sizeof(double),
							    err)) ||
		    !(s->passes[i].norms = ml_alloc_array(n_columns, sizeof(double), err))) {
			release(s);
			return -1;
		}
	return 0;
}

/* A squared distance from the expansion, which cancels: never below zero. */
static double clipped(double distance)
{
	return distance > 0 ? distance : 0;
}

/* Cross terms of a block of count rows from start with p's columns. */
static void cross_block(const seeding *s, const pass *p, size_t start, size_t count,
			double *scratch)
{
	const ml_kmeans_data *data = s->data;
	size_t d = data->n_features;
	double *block = scratch, *cross = scratch + ML_KMEANS_BLOCK_ROWS * d;
	ml_kmeans_load_block(data->values + start * data->stride, data->stride, count, d,
			     data->shift, block, NULL);
	ml_kmeans_block_cross(block, count, d, p->columns, p->norms, p->n_columns, cross);
}

/*
 * One piece of a pass: applies the pending centre to the distances, then
 * totals per block and candidate the distances each would leave.
 */
static void score_piece(seeding *s, const pass *p, size_t piece, double *scratch)
{
	const ml_kmeans_data *data = s->data;
	size_t begin, end, n_columns = p->n_columns, lead = p->pending ? 1 : 0;
	size_t n_candidates = n_columns - lead;
	const double *cross = scratch + ML_KMEANS_BLOCK_ROWS * data->n_features;
	ml_kmeans_piece_rows(data, piece, &begin, &end);
	for (size_t start = begin; start < end; start += ML_KMEANS_BLOCK_ROWS) {
		size_t count = ml_kmeans_block_length(start, end);
		double *totals = s->block_totals + start / ML_KMEANS_BLOCK_ROWS * s->n_trials;
		const double *norms = data->row_norms + start;
		double *closest = s->closest + start;
		cross_block(s, p, start, count, scratch);
		for (size_t r = 0; p->pending && r < count; r++) {
			double distance = clipped(norms[r] + cross[r * n_columns]);
			closest[r] = distance < closest[r] ? distance : closest[r];
		}
		/* Candidate by candidate: the running total stays in a register. */
		for (size_t t = 0; t < n_candidates; t++) {
			double total = 0;
			const double *column = cross + lead + t;
			for (size_t r = 0; r < count; r++) {
				double distance = clipped(norms[r] + column[r * n_columns]);
				total += distance < closest[r] ? distance : closest[r];
			}
			totals[t] = total;
		}
	}
}

/* Scores p over all rows; returns its best candidate (the first on ties). */
static size_t score(seeding *s, const pass *p)
{
	const ml_kmeans_data *data = s->data;
#pragma omp parallel for num_threads(data->n_threads) schedule(dynamic, 1)
	for (size_t piece = 0; piece < data->n_pieces; piece++)
		score_piece(s, p, piece, s->scratch + ml_parallel_thread_index() * s->scratch_size);
	size_t best = 0, n_candidates = p->n_columns - (p->pending ? 1 : 0);
	double best_total = INFINITY;
	for (size_t t = 0; t < n_candidates; t++) {
		double total = 0;
		for (size_t b = 0; b < s->n_blocks; b++)
			total += s->block_totals[b * s->n_trials + t];
		if (total < best_total) {
			best_total = total;
			best = t;
		}
	}
	return best;
}

/* Puts row (shifted) into column of p. */
static void set_column(const seeding *s, pass *p, size_t column, size_t row)
{
	const ml_kmeans_data *data = s->data;
	size_t d = data->n_features;
	ml_kmeans_load_block(data->values + row * data->stride, data->stride, 1, d, data->shift,
			     p->columns + column * d, p->norms + column);
}

/*
 * The first row whose running total of distances (with candidate `best`
 * of pass p) exceeds target: rows weighted by their distance, the
 * zero-distance ones (the centres) never chosen.  Rounding can leave
 * target at or beyond the end of a block's total: the last row with a
 * positive distance is taken then.
 */
static size_t draw_row(seeding *s, const pass *p, size_t best, double target)
{
	const ml_kmeans_data *data = s->data;
	size_t block = s->n_blocks, last_positive = s->n_blocks;
	for (size_t b = 0; b < s->n_blocks; b++) {
		double total = s->block_totals[b * s->n_trials + best];
		if (total > 0)
			last_positive = b;
		if (total > target) {
			block = b;
			break;
		}
		target -= total;
	}
	if (block == s->n_blocks)
		block = last_positive;
	size_t start = block * ML_KMEANS_BLOCK_ROWS, column = (p->pending ? 1 : 0) + best;
	size_t count = ml_kmeans_block_length(start, data->n_rows), chosen = start;
	const double *cross = s->scratch + ML_KMEANS_BLOCK_ROWS * data->n_features;
	double running = 0;
	cross_block(s, p, start, count, s->scratch);
	for (size_t r = 0; r < count; r++) {
		double distance = clipped(data->row_norms[start + r] +
					  cross[r * p->n_columns + column]);
		double weight = distance < s->closest[start + r] ? distance : s->closest[start + r];
		if (weight <= 0)
			continue;
		chosen = start + r;
		running += weight;
		if (running > target)
			break;
	}
	return chosen;
}

int ml_kmeans_seed(const ml_kmeans_data *data, size_t n_clusters, ml_random *random,
		   size_t *indices, double *centres, ml_error *err)
{
	seeding s;
	size_t d = data->n_features, best = 0;
	if (allocate(&s, data, n_clusters, err) < 0)
		return -1;
	pass *last = &s.passes[0], *next = &s.passes[1];
	indices[0] = (size_t)ml_random_below(random, data->n_rows);
	set_column(&s, last, 0, indices[0]);
	memcpy(centres, last->columns, d * sizeof *centres);
	/* The first centre is the only candidate of a pass with no centre before it. */
	last->n_columns = 1;
	last->pending = false;
	if (n_clusters > 1)
		score(&s, last);
	for (size_t c = 1; c < n_clusters; c++) {
		double total = 0;
		for (size_t b = 0; b < s.n_blocks; b++)
			total += s.block_totals[b * s.n_trials + best];
		for (size_t t = 0; t < s.n_trials; t++)
			/* A total of zero: every row on a centre (fewer distinct rows than k). */
			s.candidate_rows[t] = total > 0 ?
				draw_row(&s, last, best, ml_random_uniform(random) * total) :
				(size_t)ml_random_below(random, data->n_rows);
		/* The next pass applies the centre the last one chose, then scores anew. */
		size_t chosen = (last->pending ? 1 : 0) + best;
		memcpy(next->columns, last->columns + chosen * d, d * sizeof *next->columns);
		next->norms[0] = last->norms[chosen];
		next->pending = true;
		next->n_columns = 1 + s.n_trials;
		for (size_t t = 0; t < s.n_trials; t++)
			set_column(&s, next, 1 + t, s.candidate_rows[t]);
		best = score(&s, next);
		indices[c] = s.candidate_rows[best];
		memcpy(centres + c * d, next->columns + (1 + best) * d, d * sizeof *centres);
		pass *swap = last;
		last = next;
		next = swap;
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
