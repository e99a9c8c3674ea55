/*
 * ml_model: the model object, what every model file shares (see
 * ml_model_impl.h), reading and writing model files, and prediction.
 *
 * A model file is a stage file (version line, metadata, stage chain)
 * followed by one estimator section:
 *
 *     estimator KIND
 *     task regression|classification|clustering
 *     inputs N NAME...        the rows' layout: the chain's output
 *     target INDEX NAME       "target none" for a clustering without one
 *     classes K NAME...       classification only
 *     NAME VALUE              each hyperparameter, in the kind's table order
 *     ...                     the kind's own lines
 *     end
 *
 * and nothing after it.  The inputs are written even when the chain says
 * them already, so that a model trained on a binary matrix without stages
 * still knows its layout; the reader checks that the two agree.
 */
#include "models/ml_model_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_file.h"
#include "core/ml_number.h"
#include "stages/ml_pipefile.h"

/* Rows per block when predicting. */
#define BLOCK_ROWS 4096

static const char *const task_names[] = { "regression", "classification", "clustering", NULL };
/* The flag a kind needs for each task. */
static const unsigned task_flags[] = { ML_ESTIMATOR_REGRESSION, ML_ESTIMATOR_CLASSIFICATION,
				       ML_ESTIMATOR_CLUSTERING };

/* ---- the model object ------------------------------------------------- */

ml_model *ml_model_new(const ml_estimator *kind, ml_task task, ml_error *err)
{
	ml_model *model = calloc(1, sizeof *model);
	if (!model) {
		ml_error_nomem(err);
		return NULL;
	}
	model->kind = kind;
	model->task = task;
	model->columns.target = ML_NO_COLUMN;
	return model;
}

void ml_model_free(ml_model *model)
{
	if (!model)
		return;
	if (model->state)
		model->kind->free_state(model->state);
	ml_chain_free(model->chain);
	ml_columns_free(&model->columns);
	free(model->feature_column);
	for (size_t i = 0; i < model->n_classes; i++)
		free(model->class_names[i]);
	free(model->class_names);
	for (size_t i = 0; i < model->n_meta; i++)
		free(model->meta[i]);
	free(model->meta);
	free(model);
}

const ml_estimator *ml_model_estimator(const ml_model *model)
{
	return model->kind;
}

const char *ml_model_kind(const ml_model *model)
{
	return model->kind->name;
}

ml_task ml_model_task(const ml_model *model)
{
	return model->task;
}

const ml_chain *ml_model_chain(const ml_model *model)
{
	return model->chain;
}

const ml_columns *ml_model_columns(const ml_model *model)
{
	return &model->columns;
}

size_t ml_model_batch_rows(const ml_model *model, size_t usual)
{
	size_t wanted = model->kind->batch_rows ? model->kind->batch_rows(model) : 0;
	return wanted > usual ? wanted : usual;
}

size_t ml_model_n_classes(const ml_model *model)
{
	return model->n_classes;
}

const char *ml_model_class_name(const ml_model *model, size_t index)
{
	return index < model->n_classes ? model->class_names[index] : NULL;
}

size_t ml_model_n_features(const ml_model *model)
{
	return model->n_features;
}

const char *ml_model_feature_name(const ml_model *model, size_t index)
{
	return model->columns.names[model->feature_column[index]];
}

size_t ml_model_n_meta(const ml_model *model)
{
	return model->n_meta;
}

const char *ml_model_meta(const ml_model *model, size_t index)
{
	return model->meta[index];
}

int ml_model_set_layout(ml_model *model, const ml_columns *columns, size_t target,
			ml_error *err)
{
	if (ml_columns_copy(&model->columns, columns, err) < 0)
		return -1;
	model->columns.target = target;
	model->n_features = columns->count - (target != ML_NO_COLUMN ? 1 : 0);
	model->feature_column = ml_alloc_array(columns->count, sizeof *model->feature_column, err);
	if (!model->feature_column)
		return -1;
	for (size_t c = 0, f = 0; c < columns->count; c++)
		if (c != target)
			model->feature_column[f++] = c;
	return 0;
}

/* ---- metadata --------------------------------------------------------- */

static int insert_meta(ml_model *model, size_t at, const char *line, size_t length,
		       ml_error *err)
{
	char **meta = ml_realloc_array(model->meta, model->n_meta + 1, sizeof *meta, err);
	if (!meta)
		return -1;
	model->meta = meta;
	char *copy = ml_strndup(line, length, err);
	if (!copy)
		return -1;
	memmove(meta + at + 1, meta + at, (model->n_meta - at) * sizeof *meta);
	meta[at] = copy;
	model->n_meta++;
	return 0;
}

static void remove_meta(ml_model *model, const char *key)
{
	size_t key_length = strlen(key);
	for (size_t i = 0; i < model->n_meta;) {
		const char *line = model->meta[i];
		if (strncmp(line, key, key_length) == 0 && line[key_length] == ' ') {
			free(model->meta[i]);
			memmove(model->meta + i, model->meta + i + 1,
				(model->n_meta - i - 1) * sizeof *model->meta);
			model->n_meta--;
		} else {
			i++;
		}
	}
}

int ml_model_add_meta(ml_model *model, const char *line, ml_error *err)
{
	return insert_meta(model, model->n_meta, line, strlen(line), err);
}

int ml_model_set_command(ml_model *model, int argc, char *const *argv, ml_error *err)
{
	/* The lines ml_pipefile_begin writes, so the two never differ. */
	ml_buf text;
	ml_buf_init(&text);
	ml_pipefile_begin(&text, argc, argv);
	if (text.failed) {
		ml_buf_free(&text);
		return ml_error_nomem(err);
	}
	remove_meta(model, "created-by");
	remove_meta(model, "command");
	const char *line = strchr(text.data, '\n') + 1; /* after the version line */
	size_t at = 0;
	int status = 0;
	while (*line && status == 0) {
		const char *end = strchr(line, '\n');
		status = insert_meta(model, at++, line, (size_t)(end - line), err);
		line = end + 1;
	}
	ml_buf_free(&text);
	return status;
}

/* ---- writing ---------------------------------------------------------- */

void ml_model_write_coefs(const ml_model *model, ml_buf *out, const char *class_name,
			  const double *coef)
{
	for (size_t f = 0; f < model->n_features; f++) {
		ml_text_key(out, "coef");
		if (class_name)
			ml_text_string(out, class_name);
		ml_text_string(out, ml_model_feature_name(model, f));
		ml_text_double(out, coef[f]);
		ml_text_newline(out);
	}
}

static void write_hyperparameters(const ml_model *model, ml_buf *out)
{
	for (size_t i = 0; i < model->kind->n_params; i++) {
		const ml_param *param = &model->kind->params[i];
		ml_text_key(out, param->name);
		ml_buf_putc(out, ' ');
		ml_param_format(param, model->hyper[i], out);
		ml_text_newline(out);
	}
}

static void write_section(const ml_model *model, ml_buf *out)
{
	ml_text_write_word(out, "estimator", model->kind->name);
	ml_text_write_word(out, "task", task_names[model->task]);
	ml_columns_write(out, "inputs", &model->columns);
	ml_columns_write_target(out, &model->columns);
	if (model->task == ML_TASK_CLASSIFICATION)
		ml_text_write_list(out, "classes", model->n_classes, model->class_names);
	write_hyperparameters(model, out);
	model->kind->write(model, out);
	ml_text_write_end(out);
}

void ml_model_write(const ml_model *model, ml_buf *out)
{
	ml_buf_printf(out, "mlpipe %d\n", ML_FILE_FORMAT_VERSION);
	for (size_t i = 0; i < model->n_meta; i++) {
		ml_buf_puts(out, model->meta[i]);
		ml_text_newline(out);
	}
	ml_chain_write(model->chain, out);
	write_section(model, out);
}

int ml_model_save(const ml_model *model, const char *path, bool *unchanged, ml_error *err)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_model_write(model, &text);
	int status = text.failed ? ml_error_nomem(err)
				 : ml_file_replace(path, text.data, text.length, unchanged, err);
	ml_buf_free(&text);
	return status;
}

/* ---- reading ---------------------------------------------------------- */

int ml_model_read_coefs(const ml_model *model, ml_text_reader *reader, const char *class_name,
			double *coef, ml_error *err)
{
	size_t words = class_name ? 3 : 2;
	for (size_t f = 0; f < model->n_features; f++) {
		ml_text_line line;
		const char *feature = ml_model_feature_name(model, f);
		if (ml_text_read_key(reader, "coef", words, &line, err) < 0)
			return -1;
		if (class_name && strcmp(line.tokens[1], class_name) != 0)
			return ml_text_fail(reader, &line, err, "expected a coefficient of class '%s',"
					    " found class '%s'", class_name, line.tokens[1]);
		if (strcmp(line.tokens[words - 1], feature) != 0)
			return ml_text_fail(reader, &line, err, "expected the coefficient of feature"
					    " '%s', found '%s'", feature, line.tokens[words - 1]);
		if (ml_text_get_double(reader, &line, words, &coef[f], err) < 0)
			return -1;
		if (!isfinite(coef[f]))
			return ml_text_fail(reader, &line, err, "coefficient of '%s' is '%s', not a"
					    " finite number", feature, line.tokens[words]);
	}
	return 0;
}

int ml_model_read_features(const ml_model *model, ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	size_t count;
	if (ml_text_read_key(reader, "features", 1, &line, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, ML_MAX_COLUMNS, &count, err) < 0)
		return -1;
	if (count != model->n_features)
		return ml_text_fail(reader, &line, err, "'features' says %zu but the inputs hold %zu"
				    " features", count, model->n_features);
	return 0;
}

static int check_inputs_match_chain(const ml_model *model, ml_text_reader *reader,
				    const ml_text_line *at, ml_error *err);

static int parse_inputs(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	/* A clustering needs no target: one feature is enough. */
	bool clustering = model->task == ML_TASK_CLUSTERING;
	ml_columns inputs;
	ml_text_line inputs_line = { .number = 0 };
	int status = -1;
	if (ml_columns_read(reader, "inputs", clustering ? 1 : 2, &inputs, err) < 0)
		goto done;
	inputs_line.number = ml_text_last_line(reader);
	if (ml_columns_read_target(reader, &inputs, clustering, err) < 0)
		goto done;
	if (inputs.count == 1 && inputs.target != ML_NO_COLUMN) {
		status = ml_text_fail(reader, NULL, err, "no features: the one input is the target");
		goto done;
	}
	status = ml_model_set_layout(model, &inputs, inputs.target, err);
	if (status == 0)
		status = check_inputs_match_chain(model, reader, &inputs_line, err);
done:
	ml_columns_free(&inputs);
	return status;
}

/* The inputs must be what the chain gives (when there is a chain). */
static int check_inputs_match_chain(const ml_model *model, ml_text_reader *reader,
				    const ml_text_line *at, ml_error *err)
{
	size_t length = ml_chain_length(model->chain);
	if (length == 0)
		return 0;
	const ml_columns *given = ml_stage_outputs(ml_chain_stage(model->chain, length - 1));
	const ml_columns *inputs = &model->columns;
	if (given->count != inputs->count)
		return ml_text_fail(reader, at, err, "the estimator's inputs are %zu columns but"
				    " the stages give %zu", inputs->count, given->count);
	for (size_t i = 0; i < given->count; i++)
		if (strcmp(given->names[i], inputs->names[i]) != 0)
			return ml_text_fail(reader, at, err, "estimator input %zu is '%s' but the"
					    " stages give '%s' there", i + 1, inputs->names[i],
					    given->names[i]);
	if (given->target != ML_NO_COLUMN && given->target != inputs->target)
		return ml_text_fail(reader, at, err, "the estimator's target '%s' is not the"
				    " stages' target '%s'", inputs->names[inputs->target],
				    given->names[given->target]);
	return 0;
}

static int parse_classes(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	size_t count;
	char *const *names;
	if (ml_text_read_list(reader, "classes", ML_MAX_COLUMNS, &line, &count, &names, err) < 0)
		return -1;
	if (count < 2)
		return ml_text_fail(reader, &line, err, "'classes' needs at least 2 classes");
	if (!(model->class_names = ml_calloc_array(count, sizeof *model->class_names, err)))
		return -1;
	model->n_classes = count;
	for (size_t k = 0; k < count; k++) {
		for (size_t j = 0; j < k; j++)
			if (strcmp(names[j], names[k]) == 0)
				return ml_text_fail(reader, &line, err, "class '%s' is listed twice",
						    names[k]);
		if (!(model->class_names[k] = ml_strdup(names[k], err)))
			return -1;
	}
	return 0;
}

/* "NAME VALUE" for each hyperparameter, checked as ml-fit checks its options. */
static int parse_hyperparameters(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	const ml_estimator *kind = model->kind;
	for (size_t i = 0; i < kind->n_params; i++) {
		const ml_param *param = &kind->params[i];
		ml_text_line line;
		ml_error why;
		if (ml_text_read_key(reader, param->name, 1, &line, err) < 0)
			return -1;
		if (ml_param_parse(param, line.tokens[1], &model->hyper[i], &why) < 0)
			return ml_text_fail(reader, &line, err, "'%s': %s", param->name, why.message);
	}
	ml_error why;
	if (kind->check && kind->check(model->hyper, &why) < 0)
		return ml_text_fail(reader, NULL, err, "%s", why.message);
	return 0;
}

static int parse_task(ml_model *model, ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	size_t task;
	if (ml_text_read_key(reader, "task", 1, &line, err) < 0 ||
	    ml_text_get_choice(reader, &line, 1, task_names, &task, err) < 0)
		return -1;
	if (!(model->kind->flags & task_flags[task]))
		return ml_text_fail(reader, &line, err, "estimator '%s' does not do %s",
				    model->kind->name, task_names[task]);
	model->task = (ml_task)task;
	return 0;
}

static int parse_section(ml_model **result, ml_pipefile *file, ml_error *err)
{
	const ml_text_line *head = ml_pipefile_next_line(file);
	ml_text_reader *reader = ml_pipefile_reader(file);
	if (head->n_tokens == 0) {
		ml_error_set(err, "%s: a stage file, not a model (no estimator section)",
			     ml_pipefile_path(file));
		return -1;
	}
	if (!ml_text_is(head, "estimator") || head->n_tokens != 2)
		return ml_text_fail(reader, head, err, "expected 'estimator KIND', found '%s'",
				    head->tokens[0]);
	const ml_estimator *kind = ml_estimator_find(head->tokens[1]);
	if (!kind)
		return ml_text_fail(reader, head, err, "unknown estimator '%s' (a newer mlpipe?)",
				    head->tokens[1]);
	ml_model *model = *result = ml_model_new(kind, ML_TASK_REGRESSION, err);
	if (!model || !(model->chain = ml_chain_copy(ml_pipefile_chain(file), err)) ||
	    parse_task(model, reader, err) < 0 || parse_inputs(model, reader, err) < 0 ||
	    (model->task == ML_TASK_CLASSIFICATION && parse_classes(model, reader, err) < 0) ||
	    parse_hyperparameters(model, reader, err) < 0 || kind->parse(model, reader, err) < 0)
		return -1;
	ml_text_line line;
	int got = ml_text_next(reader, &line, err);
	if (got > 0)
		return ml_text_fail(reader, &line, err, "unexpected '%s' after the estimator"
				    " section", line.tokens[0]);
	return got;
}

static int copy_meta(ml_model *model, const ml_pipefile *file, ml_error *err)
{
	for (size_t i = 0; i < ml_pipefile_n_meta(file); i++) {
		const char *line = ml_pipefile_meta(file, i);
		if (insert_meta(model, model->n_meta, line, strlen(line), err) < 0)
			return -1;
	}
	return 0;
}

ml_model *ml_model_read(const char *path, ml_error *err)
{
	ml_pipefile *file = ml_pipefile_open(path, err);
	if (!file)
		return NULL;
	ml_model *model = NULL;
	int status = parse_section(&model, file, err);
	if (status == 0)
		status = copy_meta(model, file, err);
	ml_pipefile_close(file);
	if (status < 0) {
		ml_model_free(model);
		return NULL;
	}
	return model;
}

/* ---- predicting ------------------------------------------------------- */

/*
 * True when the kind predicts the rows as they come (the tree kinds): no
 * copy of the features, no check of them, the whole batch in one call that
 * blocks and threads it.
 */
static bool predicts_in_place(const ml_model *model)
{
	return model->kind->predict_columns && (model->kind->flags & ML_ESTIMATOR_MISSING) &&
	       model->task != ML_TASK_CLUSTERING;
}

int ml_model_predict(const ml_model *model, const double *rows, size_t n_rows,
		     double *predictions, double *probabilities, size_t *bad_row,
		     ml_error *err)
{
	size_t d = model->n_features, width = model->columns.count;
	size_t block = ml_block_rows(d, n_rows < BLOCK_ROWS ? n_rows : BLOCK_ROWS);
	size_t n_classes = model->task == ML_TASK_CLASSIFICATION ? model->n_classes : 0;
	bool complete = !(model->kind->flags & ML_ESTIMATOR_MISSING);
	bool finite = model->task == ML_TASK_CLUSTERING;
	if (n_rows == 0)
		return 0;
	if (predicts_in_place(model))
		return model->kind->predict_columns(model, rows, n_rows, width, predictions,
						    probabilities && n_classes ? probabilities : NULL,
						    err);
	double *features = ml_alloc_array(block * (d ? d : 1), sizeof *features, err);
	if (!features)
		return -1;
	int status = 0;
	for (size_t start = 0; start < n_rows && status == 0; start += block) {
		size_t n = n_rows - start < block ? n_rows - start : block;
		for (size_t r = 0; r < n && status == 0; r++) {
			const double *row = rows + (start + r) * width;
			for (size_t f = 0; f < d; f++) {
				double value = row[model->feature_column[f]];
				if (complete && isnan(value))
					ml_error_set(err, "column '%s' is missing; %s needs complete"
						     " data: impute with ml-scale --impute",
						     ml_model_feature_name(model, f), model->kind->name);
				else if (finite && isinf(value))
					ml_error_set(err, "column '%s' is %s; %s needs finite values",
						     ml_model_feature_name(model, f),
						     value > 0 ? "inf" : "-inf", model->kind->name);
				else {
					features[r * d + f] = value;
					continue;
				}
				if (bad_row)
					*bad_row = start + r;
				status = -1;
				break;
			}
		}
		if (status == 0)
			status = model->kind->predict(model, features, n, predictions + start,
						      probabilities && n_classes
							      ? probabilities + start * n_classes : NULL,
						      err);
	}
	free(features);
	return status;
}

int ml_model_clustering(const ml_model *model, ml_clustering *clustering, ml_error *err)
{
	if (model->task != ML_TASK_CLUSTERING || !model->kind->clustering) {
		ml_error_set(err, "a %s %s model is not a clustering", model->kind->name,
			     task_names[model->task]);
		return -1;
	}
	model->kind->clustering(model, clustering);
	return 0;
}

/* ---- describing ------------------------------------------------------- */

void ml_model_describe(const ml_model *model, ml_buf *out)
{
	const ml_columns *columns = &model->columns;
	ml_buf_printf(out, "estimator: %s (%s)\n", model->kind->name, task_names[model->task]);
	ml_buf_printf(out, "target: %s\nfeatures: %zu\n",
		      columns->target != ML_NO_COLUMN ? columns->names[columns->target] : "none",
		      model->n_features);
	if (model->task == ML_TASK_CLASSIFICATION) {
		ml_buf_printf(out, "classes: %zu:", model->n_classes);
		for (size_t k = 0; k < model->n_classes; k++)
			ml_text_string(out, model->class_names[k]); /* quoted when it holds a space */
		ml_buf_putc(out, '\n');
	}
	for (size_t i = 0; i < model->kind->n_params; i++) {
		const ml_param *param = &model->kind->params[i];
		ml_buf_printf(out, "%s: ", param->name);
		ml_param_format(param, model->hyper[i], out);
		ml_buf_putc(out, '\n');
	}
	model->kind->describe(model, out);
}
