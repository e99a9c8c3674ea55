/*
 * Clustering models (the kmeans and minibatch-kmeans kinds): the fixtures
 * under tests/fixtures/models/ read, write back the same bytes and predict
 * each row's nearest centre (found here by brute force); a fit hands every
 * row back in its own layout with its cluster, and its sizes and inertia
 * agree with those labels; mini-batch reads a stream twice and gives the
 * model it gives in memory, and says so when it cannot; hostile model
 * files are refused with the line at fault.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/ml_file.h"
#include "core/ml_random.h"
#include "models/ml_elbow.h"
#include "models/ml_model.h"
#include "stages/ml_pipefile.h"

#define FIXTURES "tests/fixtures/models/"

static ml_model *read_model(const char *path)
{
	ml_error err;
	ml_model *model = ml_model_read(path, &err);
	ck_assert_msg(model != NULL, "%s", err.message);
	return model;
}

START_TEST(fixtures_write_back_the_same_bytes)
{
	const char *names[] = { "kmeans", "minibatch-kmeans" };
	for (size_t i = 0; i < 2; i++) {
		char path[256], *text;
		size_t length;
		ml_error err;
		snprintf(path, sizeof path, FIXTURES "%s.model", names[i]);
		ck_assert_int_eq(ml_file_read_all(path, ML_MAX_TEXT_FILE, &text, &length, &err), 0);
		ml_model *model = read_model(path);
		ck_assert_str_eq(ml_model_kind(model), names[i]);
		ck_assert_int_eq(ml_model_task(model), ML_TASK_CLUSTERING);
		ck_assert_uint_eq(ml_model_n_classes(model), 0);
		ml_buf written;
		ml_buf_init(&written);
		ml_model_write(model, &written);
		ck_assert(!written.failed);
		ck_assert_uint_eq(written.length, length);
		ck_assert_msg(memcmp(written.data, text, length) == 0, "%s differs", names[i]);
		ml_buf_free(&written);
		ml_model_free(model);
		free(text);
	}
}
END_TEST

/* The index of the centre nearest to row, by the plain sum of squares. */
static size_t nearest(const ml_clustering *c, const double *row)
{
	size_t best = 0;
	double best_distance = INFINITY;
	for (size_t j = 0; j < c->n_clusters; j++) {
		double sum = 0;
		for (size_t f = 0; f < c->n_features; f++) {
			double difference = row[f] - c->centres[j * c->n_features + f];
			sum += difference * difference;
		}
		if (sum < best_distance) {
			best_distance = sum;
			best = j;
		}
	}
	return best;
}

START_TEST(fixture_predicts_the_nearest_centre)
{
	ml_model *model = read_model(FIXTURES "kmeans.model");
	ml_clustering c;
	ml_error err;
	ck_assert_int_eq(ml_model_clustering(model, &c, &err), 0);
	ck_assert_uint_eq(c.n_clusters, 3);
	ck_assert_uint_eq(c.n_features, 4);
	ck_assert_uint_eq(c.n_distinct, 3);
	ck_assert_uint_eq(c.sizes[0] + c.sizes[1] + c.sizes[2], 150);
	ck_assert(c.inertia == 78.85566582597727);
	ck_assert(c.converged);
	ck_assert_uint_eq(ml_model_columns(model)->target, ML_NO_COLUMN);
	/* Every iris row, read from the data file; the model has no target column. */
	FILE *data = fopen("tests/data/iris.csv", "r");
	char line[256];
	ck_assert_ptr_nonnull(data);
	ck_assert_ptr_nonnull(fgets(line, sizeof line, data));
	double rows[150 * 4], predictions[150];
	size_t counts[3] = { 0 };
	for (size_t r = 0; r < 150; r++) {
		ck_assert_ptr_nonnull(fgets(line, sizeof line, data));
		char *p = line;
		for (size_t f = 0; f < 4; f++) {
			rows[r * 4 + f] = strtod(p, &p);
			p++;
		}
	}
	fclose(data);
	ck_assert_int_eq(ml_model_predict(model, rows, 150, predictions, NULL, NULL, &err), 0);
	for (size_t r = 0; r < 150; r++) {
		ck_assert(predictions[r] == (double)nearest(&c, rows + r * 4));
		counts[(size_t)predictions[r]]++;
	}
	/* The training rows: the sizes the file records. */
	for (size_t j = 0; j < 3; j++)
		ck_assert_uint_eq(counts[j], c.sizes[j]);
	ml_model_free(model);
}
END_TEST

START_TEST(predict_refuses_missing_and_infinite_features)
{
	ml_model *model = read_model(FIXTURES "kmeans.model");
	double rows[2 * 4] = { 5, 3, 1, 0.2, 6, 3, INFINITY, 2 }, predictions[2];
	size_t bad_row = 99;
	ml_error err;
	ck_assert_int_eq(ml_model_predict(model, rows, 2, predictions, NULL, &bad_row, &err), -1);
	ck_assert_uint_eq(bad_row, 1);
	ck_assert_str_eq(err.message, "column 'petal_length' is inf; kmeans needs finite values");
	rows[6] = NAN;
	ck_assert_int_eq(ml_model_predict(model, rows, 2, predictions, NULL, &bad_row, &err), -1);
	ck_assert_msg(strstr(err.message, "ml-scale --impute"), "%s", err.message);
	ck_assert_int_eq(ml_model_predict(model, rows, 1, predictions, NULL, NULL, &err), 0);
	ck_assert(predictions[0] == 1);
	ml_model_free(model);
}
END_TEST

/* ---- fitting ---------------------------------------------------------- */

#define N_ROWS 3000
#define WIDTH 3 /* a, the target t in the middle, b */

typedef struct fit_data {
	double values[N_ROWS * WIDTH];
	ml_columns columns;
	/* What the labels callback saw. */
	size_t n_labelled;
	size_t labels[N_ROWS];
	bool rows_as_given;
	/* A stream over values for read / rewind. */
	size_t next;
	size_t rewound_rows; /* rows the stream gives after a rewind */
	int n_rewinds;
} fit_data;

/* Three blobs on (a, b); the target is the blob, which must not count. */
static void make_data(fit_data *d)
{
	ml_random random;
	ml_error err;
	memset(d, 0, sizeof *d);
	ml_random_init(&random, 5);
	for (size_t r = 0; r < N_ROWS; r++) {
		size_t blob = (size_t)ml_random_below(&random, 3);
		d->values[r * WIDTH] = 10.0 * (double)blob + ml_random_uniform(&random);
		d->values[r * WIDTH + 1] = 1e6 * (double)blob;
		d->values[r * WIDTH + 2] = -5.0 * (double)blob + ml_random_uniform(&random);
	}
	ck_assert_int_eq(ml_columns_init(&d->columns, WIDTH, &err), 0);
	const char *names[WIDTH] = { "a", "t", "b" };
	for (size_t c = 0; c < WIDTH; c++)
		d->columns.names[c] = strdup(names[c]);
	d->columns.target = 1;
	d->rows_as_given = true;
	d->rewound_rows = N_ROWS;
}

static int keep_labels(void *context, const double *rows, const size_t *labels, size_t n_rows,
		       ml_error *err)
{
	fit_data *d = context;
	(void)err;
	ck_assert_uint_le(d->n_labelled + n_rows, N_ROWS);
	if (memcmp(rows, d->values + d->n_labelled * WIDTH, n_rows * WIDTH * sizeof *rows) != 0)
		d->rows_as_given = false;
	memcpy(d->labels + d->n_labelled, labels, n_rows * sizeof *labels);
	d->n_labelled += n_rows;
	return 0;
}

/* Reads the rows in blocks of at most 700: the kinds must not care. */
static int read_rows(void *source, double *rows, size_t max_rows, size_t *n_read, ml_error *err)
{
	fit_data *d = source;
	size_t limit = d->n_rewinds ? d->rewound_rows : N_ROWS;
	size_t n = limit - d->next;
	n = n < max_rows ? n : max_rows;
	n = n < 700 ? n : 700;
	(void)err;
	memcpy(rows, d->values + d->next * WIDTH, n * WIDTH * sizeof *rows);
	d->next += n;
	*n_read = n;
	return 0;
}

static int rewind_rows(void *source, ml_error *err)
{
	fit_data *d = source;
	(void)err;
	d->next = 0;
	d->n_rewinds++;
	return 0;
}

static ml_model *fit(fit_data *d, const char *kind, bool streamed, bool can_rewind,
		     ml_error *err)
{
	ml_fit_options options;
	ml_fit_options_init(&options, ml_estimator_find(kind));
	ck_assert_int_eq(ml_fit_options_set(&options, "clusters", "3", err), 0);
	if (strcmp(kind, "minibatch-kmeans") == 0)
		ck_assert_int_eq(ml_fit_options_set(&options, "batch-size", "256", err), 0);
	options.seed = 3;
	options.labels = keep_labels;
	options.labels_context = d;
	d->n_labelled = 0;
	d->next = 0;
	d->n_rewinds = 0;
	ml_training_data data = { .name = "blobs", .columns = &d->columns };
	if (streamed) {
		data.read = read_rows;
		data.source = d;
		data.rewind = can_rewind ? rewind_rows : NULL;
	} else {
		data.values = d->values;
		data.n_rows = N_ROWS;
	}
	return ml_model_fit(&options, &data, err);
}

/* Sizes and inertia as the labels say, and the three blobs found. */
static void check_against_labels(const fit_data *d, const ml_model *model)
{
	ml_clustering c;
	ml_error err;
	ck_assert_int_eq(ml_model_clustering(model, &c, &err), 0);
	ck_assert_uint_eq(c.n_features, 2);
	ck_assert_str_eq(ml_model_feature_name(model, 1), "b");
	size_t counts[3] = { 0 };
	double inertia = 0;
	for (size_t r = 0; r < N_ROWS; r++) {
		const double *row = d->values + r * WIDTH, *centre = c.centres + d->labels[r] * 2;
		double x[2] = { row[0], row[2] };
		ck_assert_uint_eq(d->labels[r], nearest(&c, x));
		counts[d->labels[r]]++;
		inertia += (x[0] - centre[0]) * (x[0] - centre[0]) +
			   (x[1] - centre[1]) * (x[1] - centre[1]);
		/* A blob is one cluster: the target (the blob) must not have counted. */
		size_t first_of_blob = 0;
		while (d->values[first_of_blob * WIDTH + 1] != row[1])
			first_of_blob++;
		ck_assert_uint_eq(d->labels[r], d->labels[first_of_blob]);
	}
	for (size_t j = 0; j < 3; j++)
		ck_assert_uint_eq(counts[j], c.sizes[j]);
	ck_assert_msg(fabs(inertia - c.inertia) <= 1e-9 * inertia, "%.17g %.17g", inertia,
		      c.inertia);
}

START_TEST(fit_hands_back_every_row_with_its_cluster)
{
	const char *kinds[] = { "kmeans", "minibatch-kmeans" };
	for (size_t k = 0; k < 2; k++) {
		fit_data *d = malloc(sizeof *d);
		ml_error err;
		make_data(d);
		ml_model *model = fit(d, kinds[k], false, false, &err);
		ck_assert_msg(model != NULL, "%s", err.message);
		ck_assert_uint_eq(d->n_labelled, N_ROWS);
		ck_assert(d->rows_as_given);
		check_against_labels(d, model);
		ck_assert_str_eq(ml_model_meta(model, 0), "data-rows 3000");
		/* Streamed, the same rows give the same model. */
		ml_buf in_memory, streamed;
		ml_buf_init(&in_memory);
		ml_buf_init(&streamed);
		ml_model_write(model, &in_memory);
		ml_model_free(model);
		model = fit(d, kinds[k], true, true, &err);
		ck_assert_msg(model != NULL, "%s", err.message);
		ck_assert_uint_eq(d->n_labelled, N_ROWS);
		ck_assert(d->rows_as_given);
		ck_assert_int_eq(d->n_rewinds, k == 1 ? 1 : 0);
		ml_model_write(model, &streamed);
		ck_assert_str_eq(streamed.data, in_memory.data);
		ml_buf_free(&in_memory);
		ml_buf_free(&streamed);
		ml_model_free(model);
		ml_columns_free(&d->columns);
		free(d);
	}
}
END_TEST

START_TEST(minibatch_needs_a_second_pass)
{
	fit_data *d = malloc(sizeof *d);
	ml_error err;
	make_data(d);
	ck_assert_ptr_null(fit(d, "minibatch-kmeans", true, false, &err));
	ck_assert_str_eq(err.message, "blobs: minibatch-kmeans reads its input twice, and this one"
				      " cannot be read again: give a file");
	d->rewound_rows = N_ROWS - 1;
	ck_assert_ptr_null(fit(d, "minibatch-kmeans", true, true, &err));
	ck_assert_str_eq(err.message, "blobs: the input changed between two passes over it: 3000"
				      " rows the first time, fewer the second");
	ml_columns_free(&d->columns);
	free(d);
}
END_TEST

START_TEST(no_features_and_too_few_rows)
{
	fit_data *d = malloc(sizeof *d);
	ml_error err;
	make_data(d);
	ml_fit_options options;
	ml_fit_options_init(&options, ml_estimator_find("kmeans"));
	ck_assert_int_eq(ml_fit_options_set(&options, "clusters", "4", &err), 0);
	ml_training_data data = { .name = "few", .columns = &d->columns, .values = d->values,
				  .n_rows = 3 };
	ck_assert_ptr_null(ml_model_fit(&options, &data, &err));
	ck_assert_str_eq(err.message, "few: 4 clusters wanted but only 3 rows to cluster");
	ml_columns one;
	ck_assert_int_eq(ml_columns_init(&one, 1, &err), 0);
	one.names[0] = strdup("t");
	one.target = 0;
	data.columns = &one;
	ck_assert_ptr_null(ml_model_fit(&options, &data, &err));
	ck_assert_str_eq(err.message, "few: no feature columns to cluster besides the target");
	ml_columns_free(&one);
	ml_columns_free(&d->columns);
	free(d);
}
END_TEST

/* ml_elbow on rows picked by a row index measures those rows, as on a copy of them. */
START_TEST(elbow_follows_the_row_index)
{
	fit_data *d = malloc(sizeof *d);
	ml_error err;
	make_data(d);
	size_t n_rows = N_ROWS / 2, *index = malloc(n_rows * sizeof *index);
	double *copy = malloc(n_rows * WIDTH * sizeof *copy);
	for (size_t r = 0; r < N_ROWS; r += 2)
		d->values[r * WIDTH] = 1e9; /* rows left out: far off, so reading one shows */
	for (size_t i = 0; i < n_rows; i++) {
		index[i] = 2 * i + 1;
		memcpy(copy + i * WIDTH, d->values + index[i] * WIDTH, WIDTH * sizeof *copy);
	}
	ml_fit_options options;
	ml_fit_options_init(&options, ml_estimator_find("kmeans"));
	options.seed = 3;
	ml_training_data picked = { .name = "picked", .columns = &d->columns,
				    .values = d->values, .n_rows = n_rows, .row_index = index };
	ml_training_data copied = { .name = "copied", .columns = &d->columns, .values = copy,
				    .n_rows = n_rows };
	ml_elbow_point by_index[3], by_copy[3];
	size_t sampled_by_index, sampled_by_copy;
	ck_assert_msg(ml_elbow(&options, &picked, 2, 4, 400, by_index, &sampled_by_index,
			       &err) == 0, "%s", err.message);
	ck_assert_msg(ml_elbow(&options, &copied, 2, 4, 400, by_copy, &sampled_by_copy,
			       &err) == 0, "%s", err.message);
	ck_assert_uint_eq(sampled_by_index, 400);
	ck_assert_uint_eq(sampled_by_copy, 400);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_double_eq(by_index[i].inertia, by_copy[i].inertia);
		ck_assert_double_eq(by_index[i].silhouette, by_copy[i].silhouette);
	}
	ck_assert_double_gt(by_index[1].silhouette, 0.5); /* three blobs: k = 3 fits well */
	free(index);
	free(copy);
	ml_columns_free(&d->columns);
	free(d);
}
END_TEST

/* ---- hostile files ---------------------------------------------------- */

/* The kmeans fixture with one line replaced, as a file; NULL message: it must read. */
static void expect_refused(const char *old_line, const char *new_line, const char *message)
{
	char *text;
	size_t length;
	ml_error err;
	ck_assert_int_eq(ml_file_read_all(FIXTURES "kmeans.model", ML_MAX_TEXT_FILE, &text,
					  &length, &err), 0);
	char *at = strstr(text, old_line);
	ck_assert_msg(at != NULL, "%s", old_line);
	const char *path = "test_cluster_model.tmp";
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fwrite(text, 1, (size_t)(at - text), f);
	fputs(new_line, f);
	fputs(at + strlen(old_line), f);
	fclose(f);
	ml_model *model = ml_model_read(path, &err);
	if (message) {
		ck_assert_ptr_null(model);
		ck_assert_msg(strstr(err.message, message) != NULL, "%s: %s", new_line, err.message);
	} else {
		ck_assert_msg(model != NULL, "%s: %s", new_line, err.message);
	}
	ml_model_free(model);
	remove(path);
	free(text);
}

START_TEST(hostile_files_are_refused)
{
	expect_refused("centre 1 5.006", "centre 1 nan", "test_cluster_model.tmp:22:");
	expect_refused("centre 1 5.006", "centre 2 5.006", "expected centre 1, found centre 2");
	expect_refused("centre 1 5.006 3.428", "centre 1 5.006 inf", "");
	expect_refused("sizes 3 39 50 61", "sizes 2 39 50", "'sizes' lists 2 clusters");
	expect_refused("sizes 3 39 50 61", "sizes 3 39 50 -61", "test_cluster_model.tmp:24:");
	expect_refused("inertia 78.", "inertia -78.", "");
	/* A million clusters claimed, three given: refused at the fourth. */
	expect_refused("clusters 3", "clusters 1000000", "expected 'centre'");
	expect_refused("clusters 3", "clusters 1048577", "'clusters'");
	expect_refused("clusters 3", "clusters 0", "'clusters'");
	expect_refused("task clustering", "task regression", "does not do regression");
	expect_refused("iterations 11", "steps 11", "");
	expect_refused("features 4", "features 5", "'features' says 5");
	/* The same file still reads: the replacements above were the faults. */
	expect_refused("converged true", "converged false", NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cluster_model");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, fixtures_write_back_the_same_bytes);
	tcase_add_test(tc, fixture_predicts_the_nearest_centre);
	tcase_add_test(tc, predict_refuses_missing_and_infinite_features);
	tcase_add_test(tc, fit_hands_back_every_row_with_its_cluster);
	tcase_add_test(tc, minibatch_needs_a_second_pass);
	tcase_add_test(tc, no_features_and_too_few_rows);
	tcase_add_test(tc, elbow_follows_the_row_index);
	tcase_add_test(tc, hostile_files_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

ML_CHECK_MAIN(suite)
