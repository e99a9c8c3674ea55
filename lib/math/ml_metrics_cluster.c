/*
 * Clustering scores that compare two labellings: the adjusted Rand index,
 * mutual information normalised (arithmetic mean), homogeneity,
 * completeness and V-measure, as sklearn.metrics.cluster computes them.
 *
 * Labels are any integers: each labelling is first renumbered 0..n-1 in
 * increasing order (np.unique), then the contingency table is built
 * sparse, by sorting the pairs, so a million points in a thousand clusters
 * costs a sort, not a dense table.  Pair counts are exact (128-bit), as
 * Python's integers make them in adjusted_rand_score.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "core/ml_util.h"
#include "math/ml_metrics_impl.h"

/* Pair counts stay below 2^128: n^2 * n^2 < 2^125 for n <= 2^31. */
#define MAX_CLUSTERING_ROWS ((size_t)1 << 31)

static int compare_uint64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* The nonzero cells of the contingency table, row by row (CSR order). */
typedef struct contingency {
	size_t n_classes, n_clusters, n_cells;
	uint64_t *class_sizes;   /* n_classes */
	uint64_t *cluster_sizes; /* n_clusters */
	size_t *cell_class;      /* n_cells each */
	size_t *cell_cluster;
	uint64_t *cell_count;
} contingency;

static void contingency_free(contingency *table)
{
	free(table->class_sizes);
	free(table->cluster_sizes);
	free(table->cell_class);
	free(table->cell_cluster);
	free(table->cell_count);
}

static int contingency_cells(contingency *table, const size_t *class_codes,
			     const size_t *cluster_codes, size_t n_rows, ml_error *err)
{
	uint64_t *keys = ml_alloc_array(n_rows, sizeof *keys, err);
	if (!keys)
		return -1;
	for (size_t r = 0; r < n_rows; r++)
		keys[r] = (uint64_t)class_codes[r] * table->n_clusters + cluster_codes[r];
	qsort(keys, n_rows, sizeof *keys, compare_uint64);
	for (size_t i = 0; i < n_rows; i++) {
		if (i > 0 && keys[i] == keys[i - 1]) {
			table->cell_count[table->n_cells - 1]++;
			continue;
		}
		table->cell_class[table->n_cells] = (size_t)(keys[i] / table->n_clusters);
		table->cell_cluster[table->n_cells] = (size_t)(keys[i] % table->n_clusters);
		table->cell_count[table->n_cells++] = 1;
	}
	free(keys);
	return 0;
}

static int contingency_build(contingency *table, const int64_t *truth, const int64_t *predicted,
			     size_t n_rows, ml_error *err)
{
	*table = (contingency){ 0 };
	size_t *class_codes = ml_alloc_array(n_rows, sizeof *class_codes, err);
	size_t *cluster_codes = ml_alloc_array(n_rows, sizeof *cluster_codes, err);
	int status = -1;
	if (!class_codes || !cluster_codes ||
	    !(table->class_sizes = ml_alloc_array(n_rows, sizeof(uint64_t), err)) ||
	    !(table->cluster_sizes = ml_alloc_array(n_rows, sizeof(uint64_t), err)) ||
	    !(table->cell_class = ml_alloc_array(n_rows, sizeof(size_t), err)) ||
	    !(table->cell_cluster = ml_alloc_array(n_rows, sizeof(size_t), err)) ||
	    !(table->cell_count = ml_alloc_array(n_rows, sizeof(uint64_t), err)))
		goto done;
	table->n_classes = ml_metrics_renumber(truth, n_rows, class_codes, table->class_sizes, err);
	if (table->n_classes == 0)
		goto done;
	table->n_clusters = ml_metrics_renumber(predicted, n_rows, cluster_codes,
						table->cluster_sizes, err);
	if (table->n_clusters == 0)
		goto done;
	status = contingency_cells(table, class_codes, cluster_codes, n_rows, err);
done:
	free(class_codes);
	free(cluster_codes);
	if (status < 0)
		contingency_free(table);
	return status;
}

static uint64_t sum_of_squares(const uint64_t *counts, size_t n)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += counts[i] * counts[i];
	return sum;
}

/* adjusted_rand_score from pair_confusion_matrix, in exact integers. */
static double adjusted_rand(const contingency *table, uint64_t n_rows)
{
	__extension__ typedef __int128 pairs;
	uint64_t same_both = sum_of_squares(table->cell_count, table->n_cells);
	pairs tp = (pairs)same_both - n_rows;
	pairs fp = (pairs)sum_of_squares(table->cluster_sizes, table->n_clusters) - same_both;
	pairs fn = (pairs)sum_of_squares(table->class_sizes, table->n_classes) - same_both;
	pairs tn = (pairs)n_rows * n_rows - fp - fn - same_both;
	if (fn == 0 && fp == 0)
		return 1.0;
	/* Python rounds each integer to a double once, then divides. */
	double numerator = (double)(tp * tn - fn * fp);
	double denominator = (double)((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
	return 2.0 * numerator / denominator;
}

/* entropy(labels) from the sizes of the labels' groups. */
static double entropy(const uint64_t *sizes, size_t n, uint64_t n_rows)
{
	if (n == 1)
		return 0.0;
	double log_total = log((double)n_rows);
	ml_sum sum = { 0, 0 };
	for (size_t i = 0; i < n; i++)
		ml_sum_add(&sum, (double)sizes[i] / (double)n_rows *
				 (log((double)sizes[i]) - log_total));
	return -ml_sum_value(&sum);
}

/* mutual_info_score from the contingency table, term by term as scikit-learn. */
static double mutual_info(const contingency *table, uint64_t n_rows)
{
	if (table->n_classes == 1 || table->n_clusters == 1)
		return 0.0;
	double log_total = log((double)n_rows);
	ml_sum sum = { 0, 0 };
	for (size_t i = 0; i < table->n_cells; i++) {
		double count = (double)table->cell_count[i], share = count / (double)n_rows;
		uint64_t outer = table->class_sizes[table->cell_class[i]] *
				 table->cluster_sizes[table->cell_cluster[i]];
		double log_outer = -log((double)outer) + log_total + log_total;
		double term = share * (log(count) - log_total) + share * log_outer;
		/* Terms below epsilon are rounding noise: scikit-learn zeroes them. */
		if (fabs(term) >= DBL_EPSILON)
			ml_sum_add(&sum, term);
	}
	return fmax(ml_sum_value(&sum), 0.0);
}

static void information_scores(const contingency *table, uint64_t n_rows,
			       ml_clustering_scores *scores)
{
	double mi = mutual_info(table, n_rows);
	double h_true = entropy(table->class_sizes, table->n_classes, n_rows);
	double h_pred = entropy(table->cluster_sizes, table->n_clusters, n_rows);
	scores->mutual_info_score = mi;
	if (table->n_classes == 1 && table->n_clusters == 1)
		scores->normalized_mutual_info_score = 1.0;
	else if (mi == 0)
		scores->normalized_mutual_info_score = 0.0;
	else
		scores->normalized_mutual_info_score = mi / ((h_true + h_pred) / 2);
	double homogeneity = h_true != 0 ? mi / h_true : 1.0;
	double completeness = h_pred != 0 ? mi / h_pred : 1.0;
	scores->homogeneity_score = homogeneity;
	scores->completeness_score = completeness;
	scores->v_measure_score = homogeneity + completeness == 0.0
					  ? 0.0
					  : 2.0 * homogeneity * completeness /
						    (homogeneity + completeness);
}

int ml_score_clustering(const int64_t *truth, const int64_t *predicted, size_t n_rows,
			ml_clustering_scores *scores, ml_error *err)
{
	if (n_rows == 0) {
		ml_error_set(err, "no rows to score");
		return -1;
	}
	if (n_rows > MAX_CLUSTERING_ROWS) {
		ml_error_set(err, "%zu rows: at most %zu can be compared", n_rows,
			     MAX_CLUSTERING_ROWS);
		return -1;
	}
	contingency table;
	if (contingency_build(&table, truth, predicted, n_rows, err) < 0)
		return -1;
	*scores = (ml_clustering_scores){ 0 };
	scores->n_classes = table.n_classes;
	scores->n_clusters = table.n_clusters;
	scores->adjusted_rand_score = adjusted_rand(&table, n_rows);
	information_scores(&table, n_rows, scores);
	contingency_free(&table);
	return 0;
}

size_t ml_clustering_scores_list(const ml_clustering_scores *scores, ml_metric_value *values)
{
	size_t count = 0;
	values[count++] = (ml_metric_value){ "adjusted_rand_score", scores->adjusted_rand_score };
	values[count++] = (ml_metric_value){ "normalized_mutual_info_score",
					     scores->normalized_mutual_info_score };
	values[count++] = (ml_metric_value){ "homogeneity_score", scores->homogeneity_score };
	values[count++] = (ml_metric_value){ "completeness_score", scores->completeness_score };
	values[count++] = (ml_metric_value){ "v_measure_score", scores->v_measure_score };
	values[count++] = (ml_metric_value){ "mutual_info_score", scores->mutual_info_score };
	return count;
}
