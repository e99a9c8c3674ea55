/*
 * ml_kmeans: k-means++ picks distinct rows reproducibly, Lloyd recovers
 * well-separated blobs exactly (also far from the origin), matches
 * scikit-learn's inertia on iris and wine, re-seeds empty clusters, copes
 * with constant data, refuses bad input, gives the same bits on 1 and 2
 * threads, and mini-batch k-means comes within 2% of it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_random.h"
#include "math/ml_parallel.h"
#include "models/ml_kmeans.h"
#include "stages/ml_io.h"

/* ---- data -------------------------------------------------------------- */

typedef struct blobs {
	double *values;   /* n_rows x n_features */
	size_t *truth;    /* the blob each row was drawn from */
	size_t n_rows, n_features, n_clusters;
} blobs;

static double gaussian(ml_random *random)
{
	double u = ml_random_uniform(random), v = ml_random_uniform(random);
	return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}

/*
 * Blob j is centred at 20 j on the first feature (elsewhere anywhere in
 * [-10, 10)), all moved by offset; rows scatter around it with deviation
 * spread and pick their blob at random.
 */
static blobs make_blobs(size_t n_rows, size_t n_features, size_t n_clusters, double spread,
			double offset, uint64_t seed)
{
	blobs b = { malloc(sizeof(double) * n_rows * n_features), malloc(sizeof(size_t) * n_rows),
		    n_rows, n_features, n_clusters };
	double *centres = malloc(sizeof(double) * n_clusters * n_features);
	ml_random random;
	ml_random_init(&random, seed);
	for (size_t j = 0; j < n_clusters; j++)
		for (size_t f = 0; f < n_features; f++)
			centres[j * n_features + f] = offset + (f == 0 ? 20.0 * (double)j :
							20 * ml_random_uniform(&random) - 10);
	for (size_t r = 0; r < n_rows; r++) {
		b.truth[r] = (size_t)ml_random_below(&random, n_clusters);
		for (size_t f = 0; f < n_features; f++)
			b.values[r * n_features + f] =
				centres[b.truth[r] * n_features + f] + spread * gaussian(&random);
	}
	free(centres);
	return b;
}

static void free_blobs(blobs *b)
{
	free(b->values);
	free(b->truth);
}

static ml_kmeans_input input_of(const blobs *b)
{
	return (ml_kmeans_input){ b->values, b->n_rows, b->n_features, b->n_features };
}

/* True when labels and truth are the same partition, up to relabelling. */
static bool same_partition(const size_t *labels, const size_t *truth, size_t n_rows, size_t k)
{
	size_t *forward = malloc(sizeof(size_t) * k), *backward = malloc(sizeof(size_t) * k);
	bool same = true;
	for (size_t j = 0; j < k; j++)
		forward[j] = backward[j] = SIZE_MAX;
	for (size_t r = 0; r < n_rows && same; r++) {
		size_t a = labels[r], b = truth[r];
		if (a >= k || b >= k)
			same = false;
		else if (forward[a] == SIZE_MAX && backward[b] == SIZE_MAX)
			forward[a] = b, backward[b] = a;
		else
			same = forward[a] == b && backward[b] == a;
	}
	free(forward);
	free(backward);
	return same;
}

/* The sum of squared distances to the labelled centres, in long double. */
static double inertia_of(const double *values, size_t n_rows, size_t n_features, size_t stride,
			 const double *centres, const size_t *labels)
{
	long double total = 0;
	for (size_t r = 0; r < n_rows; r++)
		for (size_t f = 0; f < n_features; f++) {
			long double difference = (long double)values[r * stride + f] -
						 centres[labels[r] * n_features + f];
			total += difference * difference;
		}
	return (double)total;
}

/* A table from tests/data, its target dropped, standardised as StandardScaler does. */
static double *read_standardised(const char *path, const char *target, size_t *n_rows,
				 size_t *n_features)
{
	ml_load_options load;
	ml_load_options_init(&load);
	load.target = target;
	ml_dataset dataset;
	ml_error err;
	ck_assert_msg(ml_dataset_read(path, &load, &dataset, &err) == 0, "%s", err.message);
	size_t width = dataset.columns.count, d = width - 1, target_column = dataset.columns.target;
	ck_assert_uint_lt(target_column, width);
	double *x = malloc(sizeof(double) * dataset.n_rows * d);
	for (size_t r = 0; r < dataset.n_rows; r++)
		for (size_t c = 0, f = 0; c < width; c++)
			if (c != target_column)
				x[r * d + f++] = dataset.values[r * width + c];
	for (size_t f = 0; f < d; f++) {
		long double mean = 0, variance = 0;
		for (size_t r = 0; r < dataset.n_rows; r++)
			mean += x[r * d + f];
		mean /= dataset.n_rows;
		for (size_t r = 0; r < dataset.n_rows; r++)
			variance += (x[r * d + f] - mean) * (x[r * d + f] - mean);
		double deviation = (double)sqrtl(variance / dataset.n_rows);
		for (size_t r = 0; r < dataset.n_rows; r++)
			x[r * d + f] = (double)((x[r * d + f] - mean) / deviation);
	}
	*n_rows = dataset.n_rows;
	*n_features = d;
	ml_dataset_free(&dataset);
	return x;
}

static ml_kmeans *fit_ok(const ml_kmeans_options *options, const ml_kmeans_input *input,
			 size_t *labels)
{
	ml_error err;
	ml_kmeans *kmeans = ml_kmeans_fit(options, input, labels, &err);
	ck_assert_msg(kmeans != NULL, "%s", err.message);
	return kmeans;
}

static const char *fit_error(const ml_kmeans_options *options, const ml_kmeans_input *input)
{
	static ml_error err;
	size_t *labels = malloc(sizeof(size_t) * (input->n_rows + 1));
	ml_kmeans *kmeans = ml_kmeans_fit(options, input, labels, &err);
	ck_assert_ptr_null(kmeans);
	free(labels);
	return err.message;
}

/* ---- k-means++ ------------------------------------------------------------ */

START_TEST(plusplus_picks_distinct_rows_reproducibly)
{
	blobs b = make_blobs(2000, 3, 5, 0.5, 0, 1);
	ml_kmeans_input input = input_of(&b);
	size_t first[5], again[5], seen_first[8];
	ml_error err;
	ck_assert_msg(ml_kmeans_plusplus(&input, 5, 42, 0, first, &err) == 0, "%s", err.message);
	ck_assert_int_eq(ml_kmeans_plusplus(&input, 5, 42, 0, again, &err), 0);
	ck_assert_mem_eq(first, again, sizeof first);
	bool blob_seen[5] = { false };
	for (size_t i = 0; i < 5; i++) {
		ck_assert_uint_lt(first[i], b.n_rows);
		for (size_t j = 0; j < i; j++)
			ck_assert_uint_ne(first[i], first[j]);
		/* Drawn by squared distance, the candidates land in blobs not yet covered. */
		blob_seen[b.truth[first[i]]] = true;
	}
	for (size_t j = 0; j < 5; j++)
		ck_assert_msg(blob_seen[j], "no centre in blob %zu", j);
	/* The first centre is a uniformly random row: runs differ. */
	size_t n_distinct = 0;
	for (size_t run = 0; run < 8; run++) {
		ck_assert_int_eq(ml_kmeans_plusplus(&input, 5, 42, run, again, &err), 0);
		seen_first[run] = again[0];
		bool is_new = true;
		for (size_t i = 0; i < run; i++)
			is_new = is_new && seen_first[i] != again[0];
		n_distinct += is_new;
	}
	ck_assert_uint_ge(n_distinct, 6);
	ck_assert_int_eq(ml_kmeans_plusplus(&input, 2001, 42, 0, again, &err), -1);
	free_blobs(&b);
}
END_TEST

/* ---- Lloyd ------------------------------------------------------------- */

static void check_blobs(size_t n_rows, size_t n_features, size_t k, double offset)
{
	blobs b = make_blobs(n_rows, n_features, k, 1.0, offset, k);
	ml_kmeans_input input = input_of(&b);
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = k;
	for (uint64_t seed = 0; seed < 5; seed++) {
		options.seed = seed;
		size_t *labels = malloc(sizeof(size_t) * n_rows);
		ml_kmeans *kmeans = fit_ok(&options, &input, labels);
		ck_assert_msg(same_partition(labels, b.truth, n_rows, k),
			      "k %zu, offset %g, seed %llu: not the blobs", k, offset,
			      (unsigned long long)seed);
		ck_assert(ml_kmeans_converged(kmeans));
		ck_assert_uint_eq(ml_kmeans_n_distinct(kmeans), k);
		/* The inertia is the direct sum over the labels it reports. */
		double direct = inertia_of(b.values, n_rows, n_features, n_features,
					   ml_kmeans_centres(kmeans), labels);
		ck_assert_msg(fabs(ml_kmeans_inertia(kmeans) - direct) <= 1e-9 * direct,
			      "%.17g vs %.17g", ml_kmeans_inertia(kmeans), direct);
		/* Predict gives the fit's labels and the distances behind its inertia. */
		size_t *predicted = malloc(sizeof(size_t) * n_rows);
		double *distances = malloc(sizeof(double) * n_rows), squares = 0;
		ml_error err;
		ck_assert_int_eq(ml_kmeans_predict(kmeans, b.values, n_rows, n_features, 0,
						   predicted, distances, &err), 0);
		ck_assert_mem_eq(predicted, labels, sizeof(size_t) * n_rows);
		for (size_t r = 0; r < n_rows; r++)
			squares += distances[r] * distances[r];
		ck_assert(fabs(squares - direct) <= 1e-9 * direct);
		free(predicted);
		free(distances);
		free(labels);
		ml_kmeans_free(kmeans);
	}
	free_blobs(&b);
}

START_TEST(blobs_are_recovered)
{
	check_blobs(600, 3, 3, 0);
	check_blobs(1000, 4, 5, 0);
}
END_TEST

START_TEST(blobs_far_from_the_origin_are_recovered)
{
	/* ||x||^2 ~ 1e18 here: distances expanded around the origin lose the blobs. */
	check_blobs(1000, 4, 5, 1e9);
}
END_TEST

static void check_sklearn_inertia(const char *path, const char *target, double expected)
{
	size_t n_rows, d;
	double *x = read_standardised(path, target, &n_rows, &d);
	ml_kmeans_input input = { x, n_rows, d, d };
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 3;
	options.n_init = 10;
	size_t *labels = malloc(sizeof(size_t) * n_rows);
	ml_kmeans *kmeans = fit_ok(&options, &input, labels);
	double inertia = ml_kmeans_inertia(kmeans);
	ck_assert_msg(fabs(inertia - expected) <= 0.01 * expected, "%s: inertia %.17g, scikit-learn"
		      " %.17g", path, inertia, expected);
	ck_assert(fabs(inertia - inertia_of(x, n_rows, d, d, ml_kmeans_centres(kmeans), labels)) <=
		  1e-9 * inertia);
	ml_kmeans_free(kmeans);
	free(labels);
	free(x);
}

START_TEST(iris_and_wine_match_scikit_learn)
{
	/*
	 * /usr/bin/python3, scikit-learn 1.2.1:
	 *   X = pd.read_csv(path).drop(columns=[target]).to_numpy(float)
	 *   KMeans(n_clusters=3, n_init=10, random_state=0)
	 *       .fit(StandardScaler().fit_transform(X)).inertia_
	 */
	check_sklearn_inertia("tests/data/iris.csv", "species", 139.82049635974974);
	check_sklearn_inertia("tests/data/wine.csv", "class", 1278.7607763668148);
}
END_TEST

START_TEST(empty_cluster_is_reseeded)
{
	/* Two groups; the third starting centre is far from both and gets no row. */
	blobs b = make_blobs(300, 2, 2, 1.0, 0, 3);
	double start[] = { 0, 0, 20, 0, 1000, 1000 };
	ml_kmeans_input input = input_of(&b);
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 3;
	options.initial_centres = start;
	size_t *labels = malloc(sizeof(size_t) * b.n_rows), sizes[3] = { 0 };
	ml_kmeans *kmeans = fit_ok(&options, &input, labels);
	for (size_t i = 0; i < 6; i++)
		ck_assert(isfinite(ml_kmeans_centres(kmeans)[i]));
	for (size_t r = 0; r < b.n_rows; r++)
		sizes[labels[r]]++;
	for (size_t j = 0; j < 3; j++)
		ck_assert_msg(sizes[j] > 0, "cluster %zu is empty", j);
	ck_assert(ml_kmeans_centres(kmeans)[4] < 100);
	ck_assert_uint_eq(ml_kmeans_n_distinct(kmeans), 3);
	free(labels);
	ml_kmeans_free(kmeans);
	free_blobs(&b);
}
END_TEST

START_TEST(constant_data_has_one_distinct_centre)
{
	double rows[40 * 3];
	for (size_t r = 0; r < 40; r++) {
		rows[r * 3] = 3.5;
		rows[r * 3 + 1] = -1;
		rows[r * 3 + 2] = 99; /* a target column, skipped by the stride */
	}
	ml_kmeans_input input = { rows, 40, 2, 3 };
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 4;
	size_t labels[40];
	ml_kmeans *kmeans = fit_ok(&options, &input, labels);
	ck_assert_uint_eq(ml_kmeans_n_distinct(kmeans), 1);
	ck_assert(ml_kmeans_inertia(kmeans) == 0);
	for (size_t j = 0; j < 4; j++) {
		ck_assert(ml_kmeans_centres(kmeans)[j * 2] == 3.5);
		ck_assert(ml_kmeans_centres(kmeans)[j * 2 + 1] == -1);
	}
	for (size_t r = 0; r < 40; r++)
		ck_assert_uint_lt(labels[r], 4);
	ml_kmeans_free(kmeans);
}
END_TEST

START_TEST(bad_input_is_refused)
{
	double rows[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	ml_kmeans_input input = { rows, 4, 2, 2 };
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 5;
	ck_assert_str_eq(fit_error(&options, &input),
			 "5 clusters wanted but only 4 rows to cluster");
	options.n_clusters = 0;
	ck_assert_str_eq(fit_error(&options, &input), "the number of clusters must be at least 1");
	options.n_clusters = 2;
	input.n_features = 0;
	ck_assert_str_eq(fit_error(&options, &input), "no features to cluster");
	input.n_features = 2;
	rows[5] = NAN;
	ck_assert_str_eq(fit_error(&options, &input),
			 "row 3, feature 2: missing value (NaN) (k-means needs finite values)");
	rows[5] = 6;
	rows[6] = -INFINITY;
	ck_assert_str_eq(fit_error(&options, &input),
			 "row 4, feature 1: -infinite value (k-means needs finite values)");
	rows[6] = 7;
	options.tol = -1;
	ck_assert_ptr_nonnull(strstr(fit_error(&options, &input), "tolerance"));
	options.tol = 1e-4;
	options.n_init = 3;
	options.initial_centres = rows;
	ck_assert_ptr_nonnull(strstr(fit_error(&options, &input), "one run"));

	/* Prediction refuses what fitting refuses, naming the row in the whole input. */
	ml_error err;
	ml_kmeans *kmeans = ml_kmeans_create(rows, 2, 2, &err);
	ck_assert_ptr_nonnull(kmeans);
	size_t labels[4];
	rows[3] = INFINITY;
	ck_assert_int_eq(ml_kmeans_predict(kmeans, rows, 4, 2, 100, labels, NULL, &err), -1);
	ck_assert_str_eq(err.message,
			 "row 102, feature 2: infinite value (k-means needs finite values)");
	ck_assert_ptr_null(ml_kmeans_create(rows, 2, 2, &err));
	ck_assert_ptr_nonnull(strstr(err.message, "centre"));
	ml_kmeans_free(kmeans);
	ml_kmeans_free(NULL);
}
END_TEST

START_TEST(stopping_rules)
{
	/* Overlapping blobs: Lloyd needs many iterations to settle. */
	blobs b = make_blobs(5000, 3, 4, 6.0, 0, 5);
	ml_kmeans_input input = input_of(&b);
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 6;
	size_t *labels = malloc(sizeof(size_t) * b.n_rows);
	size_t *predicted = malloc(sizeof(size_t) * b.n_rows);
	ml_kmeans *by_tol = fit_ok(&options, &input, NULL);
	options.tol = 0;
	ml_kmeans *by_labels = fit_ok(&options, &input, NULL);
	ck_assert(ml_kmeans_converged(by_tol) && ml_kmeans_converged(by_labels));
	ck_assert_uint_lt(ml_kmeans_n_iter(by_tol), ml_kmeans_n_iter(by_labels));
	ck_assert(ml_kmeans_inertia(by_labels) <= ml_kmeans_inertia(by_tol));
	/* Cut short, the labels still belong to the centres returned. */
	options.max_iter = 2;
	ml_kmeans *cut = fit_ok(&options, &input, labels);
	ck_assert(!ml_kmeans_converged(cut));
	ck_assert_uint_eq(ml_kmeans_n_iter(cut), 2);
	ml_error err;
	ck_assert_int_eq(ml_kmeans_predict(cut, b.values, b.n_rows, b.n_features, 0, predicted,
					   NULL, &err), 0);
	ck_assert_mem_eq(labels, predicted, sizeof(size_t) * b.n_rows);
	ck_assert(ml_kmeans_inertia(cut) > ml_kmeans_inertia(by_labels));
	ml_kmeans_free(by_tol);
	ml_kmeans_free(by_labels);
	ml_kmeans_free(cut);
	free(labels);
	free(predicted);
	free_blobs(&b);
}
END_TEST

static void count_line(void *context, const char *message)
{
	ck_assert(message[0] != '\0');
	(*(size_t *)context)++;
}

START_TEST(same_bits_on_one_and_two_threads)
{
	/* Overlapping blobs and more clusters than blobs: many iterations, many pieces. */
	blobs b = make_blobs(70000, 4, 6, 4.0, 0, 9);
	ml_kmeans_input input = input_of(&b);
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 8;
	options.n_init = 2;
	options.seed = 7;
	size_t lines = 0;
	options.progress = count_line;
	options.progress_context = &lines;
	size_t *labels[2] = { malloc(sizeof(size_t) * b.n_rows),
			      malloc(sizeof(size_t) * b.n_rows) };
	ml_kmeans *kmeans[2];
	for (size_t i = 0; i < 2; i++) {
		ml_parallel_set_threads(i + 1);
		kmeans[i] = fit_ok(&options, &input, labels[i]);
	}
	ml_parallel_set_threads(0);
	ck_assert_uint_gt(ml_kmeans_n_iter(kmeans[0]), 3);
	ck_assert_uint_gt(lines, 2 * ml_kmeans_n_iter(kmeans[0]));
	ck_assert_mem_eq(labels[0], labels[1], sizeof(size_t) * b.n_rows);
	ck_assert_mem_eq(ml_kmeans_centres(kmeans[0]), ml_kmeans_centres(kmeans[1]),
			 sizeof(double) * 8 * 4);
	ck_assert(ml_kmeans_inertia(kmeans[0]) == ml_kmeans_inertia(kmeans[1]));
	ck_assert_uint_eq(ml_kmeans_n_iter(kmeans[0]), ml_kmeans_n_iter(kmeans[1]));
	for (size_t i = 0; i < 2; i++) {
		ml_kmeans_free(kmeans[i]);
		free(labels[i]);
	}
	free_blobs(&b);
}
END_TEST

/* ---- mini-batch ---------------------------------------------------------- */

/* Mini-batch centres from rows fed in blocks of block_rows. */
static ml_kmeans *minibatch_fit(const ml_kmeans_options *options, const blobs *b,
				size_t block_rows)
{
	ml_error err;
	ml_minibatch *mb = ml_minibatch_create(options, b->n_features, &err);
	ck_assert_msg(mb != NULL, "%s", err.message);
	for (size_t start = 0; start < b->n_rows; start += block_rows) {
		size_t count = b->n_rows - start < block_rows ? b->n_rows - start : block_rows;
		ck_assert_msg(ml_minibatch_add(mb, b->values + start * b->n_features, count,
					       b->n_features, &err) == 0, "%s", err.message);
	}
	ml_kmeans *kmeans = ml_minibatch_finish(mb, &err);
	ck_assert_msg(kmeans != NULL, "%s", err.message);
	ml_minibatch_free(mb);
	return kmeans;
}

static double predicted_inertia(const ml_kmeans *kmeans, const blobs *b)
{
	size_t *labels = malloc(sizeof(size_t) * b->n_rows);
	ml_error err;
	ck_assert_int_eq(ml_kmeans_predict(kmeans, b->values, b->n_rows, b->n_features, 0, labels,
					   NULL, &err), 0);
	double inertia = inertia_of(b->values, b->n_rows, b->n_features, b->n_features,
				    ml_kmeans_centres(kmeans), labels);
	free(labels);
	return inertia;
}

START_TEST(minibatch_comes_close_to_lloyd)
{
	blobs b = make_blobs(30000, 5, 6, 1.5, 0, 11);
	ml_kmeans_input input = input_of(&b);
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 6;
	options.n_init = 3;
	ml_kmeans *full = fit_ok(&options, &input, NULL);
	double full_inertia = ml_kmeans_inertia(full);
	ml_kmeans *mini = minibatch_fit(&options, &b, 5000);
	double mini_inertia = predicted_inertia(mini, &b);
	ck_assert_msg(mini_inertia <= 1.02 * full_inertia, "mini-batch %.9g, full %.9g",
		      mini_inertia, full_inertia);
	ck_assert(isnan(ml_kmeans_inertia(mini)));
	ck_assert_uint_eq(ml_kmeans_n_iter(mini), 30); /* 30 batches of 1024, the last short */
	/* The stream makes the batches, whatever blocks it arrives in; threads change nothing. */
	ml_parallel_set_threads(1);
	ml_kmeans *again = minibatch_fit(&options, &b, 777);
	ml_parallel_set_threads(0);
	ck_assert_mem_eq(ml_kmeans_centres(mini), ml_kmeans_centres(again),
			 sizeof(double) * 6 * 5);
	ml_kmeans_free(full);
	ml_kmeans_free(mini);
	ml_kmeans_free(again);
	free_blobs(&b);
}
END_TEST

START_TEST(minibatch_needs_k_rows)
{
	ml_kmeans_options options;
	ml_kmeans_options_init(&options);
	options.n_clusters = 3;
	ml_error err;
	ml_minibatch *mb = ml_minibatch_create(&options, 1, &err);
	double rows[] = { 1, 2, NAN };
	ck_assert_int_eq(ml_minibatch_add(mb, rows, 2, 1, &err), 0);
	ck_assert_int_eq(ml_minibatch_add(mb, rows, 3, 1, &err), -1);
	ck_assert_str_eq(err.message,
			 "row 5, feature 1: missing value (NaN) (k-means needs finite values)");
	ck_assert_ptr_null(ml_minibatch_finish(mb, &err));
	ck_assert_str_eq(err.message, "3 clusters wanted but only 2 rows to cluster");
	/* A third row is enough: the seeding runs on whatever was buffered. */
	ck_assert_int_eq(ml_minibatch_add(mb, rows + 1, 1, 1, &err), 0);
	ml_kmeans *kmeans = ml_minibatch_finish(mb, &err);
	ck_assert_ptr_nonnull(kmeans);
	ck_assert_uint_eq(ml_kmeans_n_distinct(kmeans), 2);
	ml_kmeans_free(kmeans);
	ml_minibatch_free(mb);
	ml_minibatch_free(NULL);
}
END_TEST

static Suite *kmeans_suite(void)
{
	Suite *suite = suite_create("ml_kmeans");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, plusplus_picks_distinct_rows_reproducibly);
	tcase_add_test(tc, blobs_are_recovered);
	tcase_add_test(tc, blobs_far_from_the_origin_are_recovered);
	tcase_add_test(tc, iris_and_wine_match_scikit_learn);
	tcase_add_test(tc, empty_cluster_is_reseeded);
	tcase_add_test(tc, constant_data_has_one_distinct_centre);
	tcase_add_test(tc, bad_input_is_refused);
	tcase_add_test(tc, stopping_rules);
	tcase_add_test(tc, same_bits_on_one_and_two_threads);
	tcase_add_test(tc, minibatch_comes_close_to_lloyd);
	tcase_add_test(tc, minibatch_needs_k_rows);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(kmeans_suite)
