#include "serve/ml_eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_number.h"
#include "serve/ml_eval_impl.h"
#include "stages/ml_io.h"

static const char *const task_names[] = { "auto", "classification", "regression", "clustering",
					  NULL };

const char *ml_eval_task_name(ml_eval_task task)
{
	return task_names[task];
}

bool ml_eval_task_from_name(const char *name, ml_eval_task *task)
{
	for (size_t i = 0; task_names[i]; i++)
		if (strcmp(name, task_names[i]) == 0) {
			*task = (ml_eval_task)i;
			return true;
		}
	return false;
}

void ml_eval_options_init(ml_eval_options *options)
{
	memset(options, 0, sizeof *options);
	ml_csv_options_init(&options->csv);
	options->prediction = "prediction";
	options->task = ML_EVAL_AUTO;
}

/* What was read: each row's labels (numbered in `labels`) and probabilities. */
typedef struct table {
	char source[ML_ERROR_SIZE / 4]; /* the input's name, for messages */
	size_t n_rows, capacity;
	size_t *truth, *predicted;              /* label numbers */
	double *truth_value, *predicted_value;  /* the labels as numbers, NaN when not */
	bool all_numbers, all_whole;
	ml_string_map labels;
	size_t truth_column, predicted_column;
	size_t n_proba;
	size_t *proba_column;   /* the input column of each p_ column */
	char **proba_class;     /* the class each names (after "p_") */
	double *probabilities;  /* n_rows x n_proba */
} table;

static void free_table(table *t)
{
	free(t->truth);
	free(t->predicted);
	free(t->truth_value);
	free(t->predicted_value);
	free(t->proba_column);
	for (size_t p = 0; t->proba_class && p < t->n_proba; p++)
		free(t->proba_class[p]);
	free(t->proba_class);
	free(t->probabilities);
	ml_string_map_free(&t->labels);
}

static int grow(table *t, ml_error *err)
{
	size_t capacity = t->capacity ? t->capacity * 2 : 1024, cells;
	if (!ml_size_mul(capacity, t->n_proba ? t->n_proba : 1, &cells))
		return ml_error_nomem(err);
	size_t **codes[2] = { &t->truth, &t->predicted };
	double **values[2] = { &t->truth_value, &t->predicted_value };
	for (size_t i = 0; i < 2; i++) {
		size_t *more_codes = ml_realloc_array(*codes[i], capacity, sizeof **codes[i], err);
		if (!more_codes)
			return -1;
		*codes[i] = more_codes;
		double *more_values = ml_realloc_array(*values[i], capacity, sizeof **values[i], err);
		if (!more_values)
			return -1;
		*values[i] = more_values;
	}
	double *probabilities = ml_realloc_array(t->probabilities, cells, sizeof *probabilities,
						 err);
	if (!probabilities)
		return -1;
	t->probabilities = probabilities;
	t->capacity = capacity;
	return 0;
}

/* One label of the current row: numbered, and read as a number when it is one. */
static int add_label(table *t, const char *text, size_t length, size_t *code, double *value,
		     ml_error *err)
{
	if ((*code = ml_string_map_intern(&t->labels, text, length, err)) == ML_STRING_NOT_FOUND)
		return -1;
	if (!ml_parse_double(text, length, value) || !isfinite(*value)) {
		*value = NAN;
		t->all_numbers = t->all_whole = false;
	} else if (*value != floor(*value) || fabs(*value) > 0x1p53) {
		t->all_whole = false;
	}
	return 0;
}

static int column_of(const ml_columns *columns, const char *name, const char *what,
		     const char *source, size_t *index, ml_error *err)
{
	if ((*index = ml_columns_find(columns, name)) != ML_NO_COLUMN)
		return 0;
	ml_buf list;
	ml_buf_init(&list);
	ml_columns_list(&list, columns);
	ml_error_set(err, "%s: no %s column '%s' (the columns: %s)", source, what, name,
		     list.failed ? "..." : list.data);
	ml_buf_free(&list);
	return -1;
}

static int find_probability_columns(table *t, const ml_columns *columns, ml_error *err)
{
	if (!(t->proba_column = ml_alloc_array(columns->count, sizeof *t->proba_column, err)) ||
	    !(t->proba_class = ml_calloc_array(columns->count, sizeof *t->proba_class, err)))
		return -1;
	for (size_t c = 0; c < columns->count; c++) {
		const char *name = columns->names[c];
		if (strncmp(name, "p_", 2) != 0 || c == t->truth_column || c == t->predicted_column)
			continue;
		if (!(t->proba_class[t->n_proba] = ml_strdup(name + 2, err)))
			return -1;
		t->proba_column[t->n_proba++] = c;
	}
	return 0;
}

/* The truth, prediction and p_ columns of the table's header. */
static int find_columns(table *t, const ml_columns *columns, const ml_eval_options *options,
			ml_error *err)
{
	if (options->truth) {
		if (column_of(columns, options->truth, "truth", t->source, &t->truth_column,
			      err) < 0)
			return -1;
	} else if ((t->truth_column = columns->target) == ML_NO_COLUMN) {
		ml_error_set(err, "%s: which column is the truth? name it with -t (CSV does not"
			     " mark a target)", t->source);
		return -1;
	}
	const char *prediction = options->prediction;
	/* ml-cluster names its labels "cluster". */
	if (options->task == ML_EVAL_CLUSTERING && strcmp(prediction, "prediction") == 0 &&
	    ml_columns_find(columns, prediction) == ML_NO_COLUMN &&
	    ml_columns_find(columns, "cluster") != ML_NO_COLUMN)
		prediction = "cluster";
	if (column_of(columns, prediction, "prediction", t->source, &t->predicted_column,
		      err) < 0)
		return -1;
	if (t->truth_column == t->predicted_column) {
		ml_error_set(err, "%s: the truth and the predictions are one column, '%s'",
			     t->source, prediction);
		return -1;
	}
	if (options->task == ML_EVAL_REGRESSION || options->task == ML_EVAL_CLUSTERING)
		return 0;
	return find_probability_columns(t, columns, err);
}

static int read_csv(table *t, ml_csv_reader *reader, const ml_csv_options *csv, ml_error *err)
{
	const ml_columns *columns = ml_csv_reader_columns(reader);
	ml_record record;
	int status;
	while ((status = ml_csv_next(reader, &record, err)) == 1) {
		if (t->n_rows == t->capacity && grow(t, err) < 0)
			return -1;
		size_t row = t->n_rows;
		const ml_field *truth = &record.fields[t->truth_column];
		const ml_field *predicted = &record.fields[t->predicted_column];
		bool no_truth = ml_csv_is_missing(csv, truth->text, truth->length);
		if (no_truth || ml_csv_is_missing(csv, predicted->text, predicted->length)) {
			ml_error_set(err, "%s:%zu: the %s is missing", t->source, record.line,
				     no_truth ? "truth" : "prediction");
			return -1;
		}
		if (add_label(t, truth->text, truth->length, &t->truth[row], &t->truth_value[row],
			      err) < 0 ||
		    add_label(t, predicted->text, predicted->length, &t->predicted[row],
			      &t->predicted_value[row], err) < 0)
			return -1;
		for (size_t p = 0; p < t->n_proba; p++) {
			const ml_field *field = &record.fields[t->proba_column[p]];
			double *cell = &t->probabilities[row * t->n_proba + p];
			if (!ml_parse_double(field->text, field->length, cell) || !isfinite(*cell)) {
				ml_error_set(err, "%s:%zu: column '%s': '%.40s' is not a probability",
					     t->source, record.line, columns->names[t->proba_column[p]],
					     field->text);
				return -1;
			}
		}
		t->n_rows++;
	}
	return status < 0 ? -1 : 0;
}

/*
 * A binary cell as a label: the number's shortest text.  Class indices stay
 * indices (a categorical target's names are not put back): only the target
 * has its names in the header, and a prediction column's indices may count
 * another vocabulary.
 */
static int binary_label(table *t, size_t row, size_t column, const double *values, size_t *code,
			double *value, ml_error *err)
{
	double cell = values[column];
	if (isnan(cell)) {
		ml_error_set(err, "%s: row %zu: the %s is missing", t->source, row + 1,
			     column == t->truth_column ? "truth" : "prediction");
		return -1;
	}
	char digits[ML_DOUBLE_BUFSIZE];
	size_t length = ml_format_double(cell, digits);
	return add_label(t, digits, length, code, value, err);
}

static int read_binary(table *t, ml_input *input, ml_error *err)
{
	ml_binary_reader *reader = ml_input_binary(input);
	const ml_columns *columns = ml_binary_reader_columns(reader);
	double *values = ml_alloc_array(columns->count, sizeof *values, err);
	if (!values)
		return -1;
	size_t got;
	int status;
	while ((status = ml_binary_read_rows(reader, values, 1, &got, err)) == 0 && got == 1) {
		if (t->n_rows == t->capacity && (status = grow(t, err)) < 0)
			break;
		size_t row = t->n_rows;
		if ((status = binary_label(t, row, t->truth_column, values, &t->truth[row],
					   &t->truth_value[row], err)) < 0 ||
		    (status = binary_label(t, row, t->predicted_column, values, &t->predicted[row],
					   &t->predicted_value[row], err)) < 0)
			break;
		for (size_t p = 0; p < t->n_proba; p++)
			t->probabilities[row * t->n_proba + p] = values[t->proba_column[p]];
		t->n_rows++;
	}
	free(values);
	return status;
}

static int read_table(const char *path, const ml_eval_options *options, table *t,
		      ml_error *err)
{
	ml_input *input = ml_input_open(path, &options->csv, err);
	if (!input)
		return -1;
	snprintf(t->source, sizeof t->source, "%s", ml_input_name(input));
	t->all_numbers = t->all_whole = true;
	ml_csv_reader *csv = ml_input_csv(input);
	const ml_columns *columns = csv ? ml_csv_reader_columns(csv)
					: ml_binary_reader_columns(ml_input_binary(input));
	int status = find_columns(t, columns, options, err);
	if (status == 0)
		status = csv ? read_csv(t, csv, &options->csv, err) : read_binary(t, input, err);
	if (status == 0 && t->n_rows == 0) {
		ml_error_set(err, "%s: no rows to score", t->source);
		status = -1;
	}
	ml_input_close(input);
	return status;
}

static int add_scores(ml_evaluation *evaluation, const ml_metric_value *values, size_t count,
		      const char *class_name, ml_error *err)
{
	size_t total;
	if (!ml_size_add(evaluation->n_scores, count, &total))
		return ml_error_nomem(err);
	ml_eval_score *scores = ml_realloc_array(evaluation->scores, total ? total : 1,
						 sizeof *scores, err);
	if (!scores)
		return -1;
	evaluation->scores = scores;
	for (size_t i = 0; i < count; i++)
		scores[evaluation->n_scores++] = (ml_eval_score){ values[i].name, class_name,
								   values[i].value };
	return 0;
}

/* np.unique's order: by value when every label is a number, else by bytes. */
static int by_value(const char *a, const char *b)
{
	double left = 0, right = 0;
	ml_parse_double(a, strlen(a), &left);
	ml_parse_double(b, strlen(b), &right);
	return (left > right) - (left < right);
}

static bool all_numbers(const ml_string_map *labels)
{
	double value;
	for (size_t i = 0; i < labels->count; i++)
		if (!ml_parse_double(labels->keys[i], strlen(labels->keys[i]), &value) ||
		    !isfinite(value))
			return false;
	return true;
}

/*
 * The classes: every label and every p_ column's class, sorted; the rows'
 * label numbers become class indices.  The labels move to the evaluation.
 */
static int settle_classes(ml_evaluation *evaluation, table *t, ml_error *err)
{
	ml_string_map *labels = &t->labels;
	for (size_t p = 0; p < t->n_proba; p++)
		if (ml_string_map_intern(labels, t->proba_class[p], strlen(t->proba_class[p]),
					 err) == ML_STRING_NOT_FOUND)
			return -1;
	size_t n_classes = labels->count;
	if (n_classes > ML_METRICS_MAX_CLASSES) {
		ml_error_set(err, "%s: %zu classes, more than %zu (is this regression? --task"
			     " regression)", t->source, n_classes, ML_METRICS_MAX_CLASSES);
		return -1;
	}
	size_t *renumber = ml_alloc_array(n_classes, sizeof *renumber, err);
	if (!renumber ||
	    ml_string_map_sort(labels, all_numbers(labels) ? by_value : NULL, renumber, err) < 0) {
		free(renumber);
		return -1;
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		t->truth[r] = renumber[t->truth[r]];
		t->predicted[r] = renumber[t->predicted[r]];
	}
	free(renumber);
	evaluation->classes = *labels;
	memset(labels, 0, sizeof *labels);
	return 0;
}

/* The probabilities in class order; every class needs its p_ column. */
static double *class_probabilities(const ml_evaluation *evaluation, const table *t,
				   ml_error *err)
{
	const ml_string_map *classes = &evaluation->classes;
	size_t n_classes = classes->count, cells;
	if (!ml_size_mul(t->n_rows, n_classes, &cells)) {
		ml_error_nomem(err);
		return NULL;
	}
	size_t *column_of_class = ml_alloc_array(n_classes, sizeof *column_of_class, err);
	double *ordered = column_of_class ? ml_alloc_array(cells, sizeof *ordered, err) : NULL;
	if (!ordered) {
		free(column_of_class);
		return NULL;
	}
	for (size_t k = 0; k < n_classes; k++)
		column_of_class[k] = ML_NO_COLUMN;
	for (size_t p = 0; p < t->n_proba; p++)
		column_of_class[ml_string_map_find(classes, t->proba_class[p],
						   strlen(t->proba_class[p]))] = p;
	for (size_t k = 0; k < n_classes; k++)
		if (column_of_class[k] == ML_NO_COLUMN) {
			ml_error_set(err, "%s: class '%s' has no probability column 'p_%s'",
				     t->source, classes->keys[k], classes->keys[k]);
			free(column_of_class);
			free(ordered);
			return NULL;
		}
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t k = 0; k < n_classes; k++)
			ordered[r * n_classes + k] = t->probabilities[r * t->n_proba +
								      column_of_class[k]];
	free(column_of_class);
	return ordered;
}

static int per_class_scores(ml_evaluation *evaluation, const ml_class_score *per_class,
			    ml_error *err)
{
	for (size_t k = 0; k < evaluation->classes.count; k++) {
		ml_metric_value values[4] = {
			{ "precision", per_class[k].precision }, { "recall", per_class[k].recall },
			{ "f1", per_class[k].f1 }, { "support", per_class[k].support },
		};
		if (add_scores(evaluation, values, 4, evaluation->classes.keys[k], err) < 0)
			return -1;
	}
	return 0;
}

static int score_classification(ml_evaluation *evaluation, table *t, ml_error *err)
{
	if (settle_classes(evaluation, t, err) < 0)
		return -1;
	size_t n_classes = evaluation->classes.count, cells = n_classes * n_classes;
	double *probabilities = t->n_proba ? class_probabilities(evaluation, t, err) : NULL;
	ml_class_score *per_class = ml_alloc_array(n_classes, sizeof *per_class, err);
	evaluation->confusion = ml_alloc_array(cells, sizeof *evaluation->confusion, err);
	int status = (t->n_proba && !probabilities) || !per_class || !evaluation->confusion ? -1
											  : 0;
	ml_class_data data = { .truth = t->truth, .predicted = t->predicted,
			       .probabilities = probabilities, .n_rows = t->n_rows,
			       .n_classes = n_classes };
	ml_classification_scores scores;
	ml_metric_value values[ML_METRICS_MAX_LISTED];
	if (status == 0 && (ml_score_classification(&data, &scores, per_class, err) < 0 ||
			    ml_confusion_matrix(&data, evaluation->confusion, err) < 0))
		status = -1;
	if (status == 0 && probabilities && n_classes == 2 &&
	    !(evaluation->roc = ml_roc_curve_create(&data, 1, &scores.warnings, err)))
		status = -1;
	if (status == 0) {
		evaluation->warnings = scores.warnings;
		size_t count = ml_classification_scores_list(&scores, n_classes, values);
		status = add_scores(evaluation, values, count, NULL, err);
	}
	if (status == 0)
		status = per_class_scores(evaluation, per_class, err);
	if (status < 0)
		ml_error_prefix(err, "%s", t->source);
	free(per_class);
	free(probabilities);
	return status;
}

static int numbers_only(const table *t, const double *values, const size_t *codes,
			const char *what, ml_error *err)
{
	for (size_t r = 0; r < t->n_rows; r++)
		if (isnan(values[r])) {
			ml_error_set(err, "%s: row %zu: %s '%.40s' is not a number (is this"
				     " classification? --task classification)", t->source, r + 1,
				     what, t->labels.keys[codes[r]]);
			return -1;
		}
	return 0;
}

static int score_regression(ml_evaluation *evaluation, table *t, ml_error *err)
{
	if (numbers_only(t, t->truth_value, t->truth, "the truth", err) < 0 ||
	    numbers_only(t, t->predicted_value, t->predicted, "the prediction", err) < 0)
		return -1;
	ml_regression_scores scores;
	ml_metric_value values[ML_METRICS_MAX_LISTED];
	if (ml_score_regression(t->truth_value, t->predicted_value, t->n_rows, &scores, err) < 0) {
		ml_error_prefix(err, "%s", t->source);
		return -1;
	}
	evaluation->warnings = scores.warnings;
	/* The values stay for a plot of predicted against actual. */
	evaluation->truth = t->truth_value;
	evaluation->predicted = t->predicted_value;
	t->truth_value = t->predicted_value = NULL;
	return add_scores(evaluation, values, ml_regression_scores_list(&scores, values), NULL,
			  err);
}

static int score_clustering(ml_evaluation *evaluation, table *t, ml_error *err)
{
	int64_t *truth = ml_alloc_array(t->n_rows, sizeof *truth, err);
	int64_t *predicted = truth ? ml_alloc_array(t->n_rows, sizeof *predicted, err) : NULL;
	int status = predicted ? 0 : -1;
	for (size_t r = 0; status == 0 && r < t->n_rows; r++) {
		truth[r] = (int64_t)t->truth[r];
		predicted[r] = (int64_t)t->predicted[r];
	}
	ml_clustering_scores scores;
	ml_metric_value values[ML_METRICS_MAX_LISTED];
	if (status == 0 && ml_score_clustering(truth, predicted, t->n_rows, &scores, err) < 0) {
		ml_error_prefix(err, "%s", t->source);
		status = -1;
	}
	if (status == 0)
		status = add_scores(evaluation, values, ml_clustering_scores_list(&scores, values),
				    NULL, err);
	free(truth);
	free(predicted);
	return status;
}

ml_evaluation *ml_evaluate(const char *path, const ml_eval_options *options, ml_error *err)
{
	ml_evaluation *evaluation = calloc(1, sizeof *evaluation);
	if (!evaluation) {
		ml_error_nomem(err);
		return NULL;
	}
	table t = { 0 };
	int status = read_table(path, options, &t, err);
	if (status == 0) {
		ml_eval_task task = options->task;
		if (task == ML_EVAL_AUTO)
			task = t.n_proba || !t.all_numbers || t.all_whole ? ML_EVAL_CLASSIFICATION
									 : ML_EVAL_REGRESSION;
		evaluation->task = task;
		evaluation->n_rows = t.n_rows;
		status = task == ML_EVAL_CLASSIFICATION ? score_classification(evaluation, &t, err)
			 : task == ML_EVAL_REGRESSION   ? score_regression(evaluation, &t, err)
							: score_clustering(evaluation, &t, err);
	}
	free_table(&t);
	if (status < 0) {
		ml_evaluation_free(evaluation);
		return NULL;
	}
	return evaluation;
}

void ml_evaluation_free(ml_evaluation *evaluation)
{
	if (!evaluation)
		return;
	free(evaluation->scores);
	ml_string_map_free(&evaluation->classes);
	free(evaluation->confusion);
	ml_roc_curve_free(evaluation->roc);
	free(evaluation->truth);
	free(evaluation->predicted);
	free(evaluation);
}
