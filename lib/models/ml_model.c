/*
 * ml_model: the estimator registry, what every model file shares (see
 * model_impl.h), reading and writing model files, and prediction.
 *
 * A model file is a stage file (version line, metadata, stage chain)
 * followed by one estimator section:
 *
 *     estimator KIND
 *     task regression|classification
 *     inputs N NAME...        the rows' layout: the chain's output
 *     target INDEX NAME
 *     classes K NAME...       classification only
 *     ...                     the kind's own lines
 *     end
 *
 * and nothing after it.  The inputs are written even when the chain says
 * them already, so that a model trained on a binary matrix without stages
 * still knows its layout; the reader checks that the two agree.
 */
#include "models/ml_model_impl.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_file.h"
#include "core/ml_number.h"
#include "math/ml_lbfgs.h"
#include "stages/ml_pipefile.h"

/* Rows per block when reading training rows and predicting. */
#define BLOCK_ROWS 4096
/* Column lists in messages stop after this many characters. */
#define COLUMN_LIST_LIMIT 600

static const ml_estimator_kind *const estimator_kinds[] = {
	&ml_linear_kind,
	&ml_ridge_kind,
	&ml_logistic_kind,
};

#define N_KINDS (sizeof estimator_kinds / sizeof estimator_kinds[0])

static const char *const kind_names[] = { "linear", "ridge", "logistic", NULL };
static const char *const task_names[] = { "regression", "classification", NULL };

const char *const *ml_model_kinds(void)
{
	return kind_names;
}

static const ml_estimator_kind *find_kind(const char *name)
{
	for (size_t i = 0; i < N_KINDS; i++)
		if (strcmp(estimator_kinds[i]->name, name) == 0)
			return estimator_kinds[i];
	return NULL;
}

/* ---- options ---------------------------------------------------------- */

void ml_fit_options_init(ml_fit_options *options)
{
	memset(options, 0, sizeof *options);
	options->kind = "linear";
	options->fit_intercept = true;
	options->alpha = 1.0;
	options->C = 1.0;
	options->tol = 1e-4;
	options->ftol = ML_DEFAULT_FTOL;
	options->max_iter = 100;
}

int ml_fit_options_check(const ml_fit_options *options, ml_error *err)
{
	if (!options->kind || !find_kind(options->kind)) {
		ml_error_set(err, "unknown model kind '%s' (known: linear, ridge, logistic)",
			     options->kind ? options->kind : "");
		return -1;
	}
	if (!(options->alpha >= 0) || isinf(options->alpha)) {
		ml_error_set(err, "--alpha must be a finite number >= 0");
		return -1;
	}
	if (!(options->C > 0) || isinf(options->C)) {
		ml_error_set(err, "--C must be a finite number > 0");
		return -1;
	}
	if (!(options->tol >= 0) || isinf(options->tol) || !(options->ftol >= 0) ||
	    isinf(options->ftol)) {
		ml_error_set(err, "--tol and --ftol must be finite numbers >= 0");
		return -1;
	}
	if (options->max_iter == 0) {
		ml_error_set(err, "--max-iter must be at least 1");
		return -1;
	}
	bool is_logistic = strcmp(options->kind, "logistic") == 0;
	if (options->balanced && !is_logistic) {
		ml_error_set(err, "--class-weight is for classifiers, not '%s'", options->kind);
		return -1;
	}
	return 0;
}

static void send_line(ml_progress_fn to, void *context, const char *format, va_list args)
{
	char line[512];
	vsnprintf(line, sizeof line, format, args);
	to(context, line);
}

void ml_fit_report(const ml_fit_options *options, const char *format, ...)
{
	if (!options->progress)
		return;
	va_list args;
	va_start(args, format);
	send_line(options->progress, options->progress_context, format, args);
	va_end(args);
}

void ml_fit_warn(const ml_fit_options *options, const char *format, ...)
{
	if (!options->warning)
		return;
	va_list args;
	va_start(args, format);
	send_line(options->warning, options->progress_context, format, args);
	va_end(args);
}

/* ---- the model object ------------------------------------------------- */

static ml_model *model_new(const ml_estimator_kind *kind, ml_error *err)
{
	ml_model *model = calloc(1, sizeof *model);
	if (!model) {
		ml_error_nomem(err);
		return NULL;
	}
	model->kind = kind;
	model->columns.target = ML_NO_COLUMN;
	return model;
}

void ml_model_free(ml_model *model)
{
	if (!model)
		return;
	if (model->params)
		model->kind->free_params(model->params);
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

const char *ml_model_kind(const ml_model *model)
{
	return model->kind->name;
}

ml_task ml_model_task(const ml_model *model)
{
	return model->kind->task;
}

const ml_chain *ml_model_chain(const ml_model *model)
{
	return model->chain;
}

const ml_columns *ml_model_columns(const ml_model *model)
{
	return &model->columns;
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

/* Sets the layout (target included) and derives the features from it. */
static int set_layout(ml_model *model, const ml_columns *columns, size_t target, ml_error *err)
{
	if (ml_columns_copy(&model->columns, columns, err) < 0)
		return -1;
	model->columns.target = target;
	model->n_features = columns->count - 1;
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

static int append_meta(ml_model *model, ml_buf *line, ml_error *err)
{
	if (line->failed)
		return ml_error_nomem(err);
	return insert_meta(model, model->n_meta, line->data, line->length, err);
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

static int record_training_meta(ml_model *model, size_t n_rows, uint64_t hash, uint64_t seed,
				ml_error *err)
{
	ml_buf line;
	int status = 0;
	ml_buf_init(&line);
	ml_text_key(&line, "data-rows");
	ml_text_size(&line, n_rows);
	status = append_meta(model, &line, err);
	ml_buf_reset(&line);
	ml_text_key(&line, "data-hash");
	ml_buf_printf(&line, " %016llx", (unsigned long long)hash);
	if (status == 0)
		status = append_meta(model, &line, err);
	ml_buf_reset(&line);
	ml_text_key(&line, "seed");
	ml_buf_printf(&line, " %llu", (unsigned long long)seed);
	if (status == 0)
		status = append_meta(model, &line, err);
	ml_buf_free(&line);
	return status;
}

/* ---- training rows ---------------------------------------------------- */

struct ml_training_rows {
	const ml_training_data *data;
	const ml_model *model;
	size_t width;          /* of the input rows */
	size_t next_row;       /* rows handed out so far */
	double *raw;           /* a block read from data->read */
	size_t raw_capacity;   /* rows */
	uint64_t hash;
	bool hashed_aside;     /* a thread hashes rows in memory: see hash_aside */
};

size_t ml_training_rows_width(const ml_training_rows *rows)
{
	return rows->model->n_features + 1;
}

char *const *ml_training_rows_class_names(const ml_training_rows *rows, size_t *count)
{
	return ml_chain_class_names(rows->data->chain, count);
}

static int missing_value(const ml_training_rows *rows, size_t row, size_t column, ml_error *err)
{
	const ml_columns *columns = &rows->model->columns;
	if (column == columns->target)
		ml_error_set(err, "%s: row %zu: the target '%s' is missing; drop such rows before"
			     " fitting", rows->data->name, row + 1, columns->names[column]);
	else
		ml_error_set(err, "%s: row %zu, column '%s' is missing; linear models need complete"
			     " data: impute with ml-scale --impute", rows->data->name, row + 1,
			     columns->names[column]);
	return -1;
}

/* Copies n rows into block as features then target, refusing missing values. */
static int gather_training(ml_training_rows *rows, const double *in, size_t n, double *block,
			   ml_error *err)
{
	const ml_model *model = rows->model;
	size_t d = model->n_features, target = model->columns.target;
	for (size_t r = 0; r < n; r++) {
		const double *row = in + r * rows->width;
		double *out = block + r * (d + 1);
		for (size_t f = 0; f < d; f++)
			out[f] = row[model->feature_column[f]];
		out[d] = row[target];
		for (size_t f = 0; f <= d; f++)
			if (isnan(out[f]))
				return missing_value(rows, rows->next_row + r,
						     f < d ? model->feature_column[f] : target, err);
	}
	return 0;
}

int ml_training_rows_next(ml_training_rows *rows, double *block, size_t max_rows,
			  size_t *n_read, ml_error *err)
{
	const ml_training_data *data = rows->data;
	const double *in;
	size_t n;
	*n_read = 0;
	if (data->values) {
		n = data->n_rows - rows->next_row;
		n = n < max_rows ? n : max_rows;
		in = data->values + rows->next_row * rows->width;
	} else {
		if (max_rows > rows->raw_capacity) {
			size_t cells;
			double *raw;
			if (!ml_size_mul(max_rows, rows->width, &cells) ||
			    !(raw = ml_realloc_array(rows->raw, cells, sizeof *raw, err)))
				return ml_error_nomem(err);
			rows->raw = raw;
			rows->raw_capacity = max_rows;
		}
		if (data->read(data->source, rows->raw, max_rows, &n, err) < 0)
			return -1;
		in = rows->raw;
	}
	if (!rows->hashed_aside)
		rows->hash = ml_hash_bytes(rows->hash, in, n * rows->width * sizeof *in);
	if (gather_training(rows, in, n, block, err) < 0)
		return -1;
	rows->next_row += n;
	*n_read = n;
	return 0;
}

static int grow_rows(double **values, size_t *capacity, size_t wanted, size_t width,
		     ml_error *err)
{
	size_t cells;
	if (!ml_size_mul(wanted, width, &cells))
		return ml_error_nomem(err);
	double *grown = ml_realloc_array(*values, cells ? cells : 1, sizeof *grown, err);
	if (!grown)
		return -1;
	*values = grown;
	*capacity = wanted;
	return 0;
}

int ml_training_rows_all(ml_training_rows *rows, double **all, size_t *n_rows, ml_error *err)
{
	size_t width = ml_training_rows_width(rows), capacity = 0, count = 0, got;
	double *values = NULL;
	/* Rows in memory: their count is known; streamed: grow by doubling. */
	bool known = rows->data->values != NULL;
	if (known && grow_rows(&values, &capacity, rows->data->n_rows, width, err) < 0)
		return -1;
	do {
		if (!known && capacity - count < BLOCK_ROWS &&
		    grow_rows(&values, &capacity, capacity ? capacity * 2 : BLOCK_ROWS, width,
			      err) < 0)
			goto fail;
		size_t room = capacity - count;
		if (ml_training_rows_next(rows, values + count * width,
					  room < BLOCK_ROWS ? room : BLOCK_ROWS, &got, err) < 0)
			goto fail;
		count += got;
	} while (got > 0);
	*all = values;
	*n_rows = count;
	return 0;
fail:
	free(values);
	return -1;
}

/* ---- fitting ---------------------------------------------------------- */

static void list_columns(ml_buf *out, const ml_columns *columns)
{
	for (size_t i = 0; i < columns->count; i++) {
		if (out->length > COLUMN_LIST_LIMIT) {
			ml_buf_printf(out, ", ... (%zu in all)", columns->count);
			return;
		}
		ml_buf_printf(out, "%s'%s'", i ? ", " : "", columns->names[i]);
	}
}

static int resolve_target(const ml_fit_options *options, const ml_training_data *data,
			  size_t *target, ml_error *err)
{
	const ml_columns *columns = data->columns;
	*target = columns->target;
	if (options->target) {
		size_t named = ml_columns_find(columns, options->target);
		if (named != ML_NO_COLUMN && columns->target != ML_NO_COLUMN &&
		    named != columns->target) {
			ml_error_set(err, "%s: the target is '%s' already, not '%s'", data->name,
				     columns->names[columns->target], options->target);
			return -1;
		}
		*target = named;
	}
	if (*target != ML_NO_COLUMN)
		return columns->count >= 2 ? 0
					   : (ml_error_set(err, "%s: no feature columns besides the"
							   " target", data->name), -1);
	ml_buf list;
	ml_buf_init(&list);
	list_columns(&list, columns);
	if (options->target)
		ml_error_set(err, "%s: no column '%s'; the columns are %s", data->name,
			     options->target, list.data ? list.data : "(none)");
	else
		ml_error_set(err, "%s: no target column: name one with -t (the columns are %s)",
			     data->name, list.data ? list.data : "(none)");
	ml_buf_free(&list);
	return -1;
}

/*
 * FNV-1a goes byte by byte, one multiply after another: over rows already
 * in memory it runs in a thread of its own, beside the fit, instead of
 * adding its time (a third of a linear fit's, without the parsing).
 */
typedef struct hash_job {
	const void *bytes;
	size_t length;
	uint64_t hash;
	pthread_t thread;
} hash_job;

static void *run_hash(void *opaque)
{
	hash_job *job = opaque;
	job->hash = ml_hash_bytes(ML_HASH_INIT, job->bytes, job->length);
	return NULL;
}

/* Rows in memory worth a thread (a few MB) get one; false: hash inline. */
static bool hash_aside(const ml_training_data *data, hash_job *job)
{
	size_t cells;
	if (!data->values || !ml_size_mul(data->n_rows, data->columns->count, &cells) ||
	    cells < ((size_t)1 << 20))
		return false;
	*job = (hash_job){ .bytes = data->values, .length = cells * sizeof(double) };
	return pthread_create(&job->thread, NULL, run_hash, job) == 0;
}

ml_model *ml_model_fit(const ml_fit_options *options, const ml_training_data *data,
		       ml_error *err)
{
	if (ml_fit_options_check(options, err) < 0)
		return NULL;
	size_t target;
	if (resolve_target(options, data, &target, err) < 0)
		return NULL;
	ml_model *model = model_new(find_kind(options->kind), err);
	if (!model)
		return NULL;
	ml_training_rows rows = { .data = data, .model = model, .width = data->columns->count,
				  .hash = ML_HASH_INIT };
	hash_job job;
	int status = -1, fitted = -1;
	rows.hashed_aside = hash_aside(data, &job);
	if (set_layout(model, data->columns, target, err) == 0 &&
	    (model->chain = data->chain ? ml_chain_copy(data->chain, err) : ml_chain_create(err)))
		fitted = model->kind->fit(model, options, &rows, err);
	if (rows.hashed_aside) {
		pthread_join(job.thread, NULL);
		rows.hash = job.hash;
	}
	if (fitted < 0)
		goto done;
	if (rows.next_row == 0) {
		ml_error_set(err, "%s: no rows to fit", data->name);
		goto done;
	}
	status = record_training_meta(model, rows.next_row, rows.hash, options->seed, err);
done:
	free(rows.raw);
	if (status < 0) {
		ml_model_free(model);
		return NULL;
	}
	return model;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Index of value in the sorted distinct values (present by construction). */
static size_t find_value(const double *values, size_t count, double value)
{
	size_t low = 0, high = count;
	while (high - low > 1) {
		size_t middle = (low + high) / 2;
		if (values[middle] <= value)
			low = middle;
		else
			high = middle;
	}
	return low;
}

static int name_classes(ml_model *model, const double *values, size_t count,
			char *const *class_names, size_t n_names, ml_error *err)
{
	if (!(model->class_names = ml_calloc_array(count, sizeof *model->class_names, err)))
		return -1;
	model->n_classes = count;
	for (size_t k = 0; k < count; k++) {
		char digits[ML_DOUBLE_BUFSIZE];
		const char *name = digits;
		if (class_names) {
			double code = values[k];
			if (code < 0 || code >= (double)n_names || code != floor(code)) {
				ml_error_set(err, "target value %g is not a class code of the load stage",
					     code);
				return -1;
			}
			name = class_names[(size_t)code];
		} else {
			ml_format_double(values[k], digits);
		}
		if (!(model->class_names[k] = ml_strdup(name, err)))
			return -1;
	}
	return 0;
}

int ml_model_set_classes(ml_model *model, const double *targets, size_t stride,
			 size_t n_rows, char *const *class_names, size_t n_names,
			 size_t max_classes, size_t *class_of_row, ml_error *err)
{
	double *values = ml_alloc_array(n_rows ? n_rows : 1, sizeof *values, err);
	if (!values)
		return -1;
	for (size_t r = 0; r < n_rows; r++)
		values[r] = targets[r * stride];
	qsort(values, n_rows, sizeof *values, compare_doubles);
	size_t count = 0;
	for (size_t r = 0; r < n_rows; r++)
		if (count == 0 || values[r] != values[count - 1]) {
			if (count == max_classes) {
				ml_error_set(err, "the target has more than %zu distinct values: is it"
					     " a class?", max_classes);
				free(values);
				return -1;
			}
			values[count++] = values[r];
		}
	int status = name_classes(model, values, count, class_names, n_names, err);
	for (size_t r = 0; status == 0 && r < n_rows; r++)
		class_of_row[r] = find_value(values, count, targets[r * stride]);
	free(values);
	return status;
}

/* ---- writing ---------------------------------------------------------- */

void ml_write_bool(ml_buf *out, const char *key, bool value)
{
	ml_write_word(out, key, value ? "true" : "false");
}

void ml_write_double(ml_buf *out, const char *key, double value)
{
	ml_text_key(out, key);
	ml_text_double(out, value);
	ml_text_newline(out);
}

void ml_write_size(ml_buf *out, const char *key, size_t value)
{
	ml_text_key(out, key);
	ml_text_size(out, value);
	ml_text_newline(out);
}

void ml_write_word(ml_buf *out, const char *key, const char *value)
{
	ml_text_key(out, key);
	ml_text_string(out, value);
	ml_text_newline(out);
}

void ml_write_coefs(const ml_model *model, ml_buf *out, const char *class_name,
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

static void write_section(const ml_model *model, ml_buf *out)
{
	const ml_columns *columns = &model->columns;
	ml_write_word(out, "estimator", model->kind->name);
	ml_write_word(out, "task", task_names[model->kind->task]);
	ml_text_key(out, "inputs");
	ml_text_size(out, columns->count);
	for (size_t i = 0; i < columns->count; i++)
		ml_text_string(out, columns->names[i]);
	ml_text_newline(out);
	ml_text_key(out, "target");
	ml_text_size(out, columns->target);
	ml_text_string(out, columns->names[columns->target]);
	ml_text_newline(out);
	if (model->kind->task == ML_TASK_CLASSIFICATION) {
		ml_text_key(out, "classes");
		ml_text_size(out, model->n_classes);
		for (size_t k = 0; k < model->n_classes; k++)
			ml_text_string(out, model->class_names[k]);
		ml_text_newline(out);
	}
	model->kind->write(model, out);
	ml_text_key(out, "end");
	ml_text_newline(out);
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

static int next_line(ml_text_reader *reader, const char *key, ml_text_line *line, ml_error *err)
{
	if (ml_text_next_required(reader, line, key, err) < 0)
		return -1;
	if (!ml_text_is(line, key))
		return ml_text_fail(reader, line, err, "expected '%s', found '%s'", key,
				    line->tokens[0]);
	return 0;
}

int ml_parse_bool(ml_text_reader *reader, const char *key, bool *value, ml_error *err)
{
	static const char *const booleans[] = { "false", "true", NULL };
	size_t choice;
	if (ml_parse_choice(reader, key, booleans, &choice, err) < 0)
		return -1;
	*value = choice == 1;
	return 0;
}

int ml_parse_double_line(ml_text_reader *reader, const char *key, bool allow_nonfinite,
			 double *value, ml_error *err)
{
	ml_text_line line;
	if (next_line(reader, key, &line, err) < 0 || ml_text_expect(reader, &line, key, 1, err) < 0 ||
	    ml_text_get_double(reader, &line, 1, value, err) < 0)
		return -1;
	if (!allow_nonfinite && !isfinite(*value))
		return ml_text_fail(reader, &line, err, "'%s' must be a finite number, not '%s'",
				    key, line.tokens[1]);
	return 0;
}

int ml_parse_nonnegative(ml_text_reader *reader, const char *key, bool positive, double *value,
			 ml_error *err)
{
	ml_text_line line;
	if (next_line(reader, key, &line, err) < 0 || ml_text_expect(reader, &line, key, 1, err) < 0 ||
	    ml_text_get_double(reader, &line, 1, value, err) < 0)
		return -1;
	if (!isfinite(*value) || *value < 0 || (positive && *value == 0))
		return ml_text_fail(reader, &line, err, "'%s' must be a finite number %s 0, not '%s'",
				    key, positive ? ">" : ">=", line.tokens[1]);
	return 0;
}

int ml_parse_size(ml_text_reader *reader, const char *key, size_t max, size_t *value,
		  ml_error *err)
{
	ml_text_line line;
	if (next_line(reader, key, &line, err) < 0 || ml_text_expect(reader, &line, key, 1, err) < 0)
		return -1;
	return ml_text_get_size(reader, &line, 1, max, value, err);
}

int ml_parse_choice(ml_text_reader *reader, const char *key, const char *const *choices,
		    size_t *choice, ml_error *err)
{
	ml_text_line line;
	if (next_line(reader, key, &line, err) < 0 || ml_text_expect(reader, &line, key, 1, err) < 0)
		return -1;
	return ml_text_get_choice(reader, &line, 1, choices, choice, err);
}

int ml_parse_end(ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	if (ml_text_next_required(reader, &line, "end", err) < 0)
		return -1;
	if (!ml_text_is(&line, "end"))
		return ml_text_fail(reader, &line, err, "unknown or misplaced key '%s' (expected"
				    " 'end')", line.tokens[0]);
	return ml_text_expect(reader, &line, "end", 0, err);
}

int ml_parse_coefs(const ml_model *model, ml_text_reader *reader, const char *class_name,
		   double *coef, ml_error *err)
{
	size_t words = class_name ? 3 : 2;
	for (size_t f = 0; f < model->n_features; f++) {
		ml_text_line line;
		const char *feature = ml_model_feature_name(model, f);
		if (next_line(reader, "coef", &line, err) < 0 ||
		    ml_text_expect(reader, &line, "coef", words, err) < 0)
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

int ml_parse_features(const ml_model *model, ml_text_reader *reader, ml_error *err)
{
	ml_text_line line;
	size_t count;
	if (next_line(reader, "features", &line, err) < 0 ||
	    ml_text_expect(reader, &line, "features", 1, err) < 0 ||
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
	ml_text_line line;
	size_t count, target;
	ml_columns inputs = { 0 };
	if (next_line(reader, "inputs", &line, err) < 0)
		return -1;
	size_t inputs_number = line.number;
	if (line.n_tokens < 2 || ml_text_get_size(reader, &line, 1, ML_MAX_COLUMNS, &count, err) < 0)
		return ml_text_fail(reader, &line, err, "expected 'inputs COUNT NAME...'");
	if (line.n_tokens != count + 2 || count < 2)
		return ml_text_fail(reader, &line, err, "'inputs' says %zu columns but lists %zu%s",
				    count, line.n_tokens - 2, count < 2 ? " (at least 2)" : "");
	if (ml_columns_init(&inputs, count, err) < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (!(inputs.names[i] = ml_strdup(line.tokens[i + 2], err))) {
			ml_columns_free(&inputs);
			return -1;
		}
	size_t duplicate = ml_columns_find_duplicate(&inputs);
	int status = -1;
	if (duplicate != ML_NO_COLUMN) {
		ml_text_fail(reader, &line, err, "column '%s' is listed twice",
			     inputs.names[duplicate]);
		goto done;
	}
	if (next_line(reader, "target", &line, err) < 0 ||
	    ml_text_expect(reader, &line, "target", 2, err) < 0 ||
	    ml_text_get_size(reader, &line, 1, count - 1, &target, err) < 0)
		goto done;
	if (strcmp(line.tokens[2], inputs.names[target]) != 0) {
		ml_text_fail(reader, &line, err, "target '%s' is not input %zu", line.tokens[2],
			     target);
		goto done;
	}
	ml_text_line inputs_line = { .number = inputs_number };
	status = set_layout(model, &inputs, target, err);
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
	if (next_line(reader, "classes", &line, err) < 0)
		return -1;
	if (line.n_tokens < 2 || ml_text_get_size(reader, &line, 1, ML_MAX_COLUMNS, &count, err) < 0)
		return ml_text_fail(reader, &line, err, "expected 'classes COUNT NAME...'");
	if (count < 2 || line.n_tokens != count + 2)
		return ml_text_fail(reader, &line, err, "'classes' says %zu classes but lists %zu%s",
				    count, line.n_tokens - 2, count < 2 ? " (at least 2)" : "");
	if (!(model->class_names = ml_calloc_array(count, sizeof *model->class_names, err)))
		return -1;
	model->n_classes = count;
	for (size_t k = 0; k < count; k++) {
		for (size_t j = 0; j < k; j++)
			if (strcmp(line.tokens[2 + j], line.tokens[2 + k]) == 0)
				return ml_text_fail(reader, &line, err, "class '%s' is listed twice",
						    line.tokens[2 + k]);
		if (!(model->class_names[k] = ml_strdup(line.tokens[2 + k], err)))
			return -1;
	}
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
	const ml_estimator_kind *kind = find_kind(head->tokens[1]);
	if (!kind)
		return ml_text_fail(reader, head, err, "unknown estimator '%s' (a newer mlpipe?)",
				    head->tokens[1]);
	ml_model *model = *result = model_new(kind, err);
	ml_text_line line;
	size_t task;
	if (!model || !(model->chain = ml_chain_copy(ml_pipefile_chain(file), err)) ||
	    next_line(reader, "task", &line, err) < 0 ||
	    ml_text_expect(reader, &line, "task", 1, err) < 0 ||
	    ml_text_get_choice(reader, &line, 1, task_names, &task, err) < 0)
		return -1;
	if (task != kind->task)
		return ml_text_fail(reader, &line, err, "estimator '%s' does %s, not %s", kind->name,
				    task_names[kind->task], task_names[task]);
	if (parse_inputs(model, reader, err) < 0 ||
	    (kind->task == ML_TASK_CLASSIFICATION && parse_classes(model, reader, err) < 0) ||
	    kind->parse(model, reader, err) < 0)
		return -1;
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

/*
 * ml_text_next_required names no line when the text ends early; a
 * truncated model file deserves its last line's number, as every other
 * error has one.
 */
static void locate_early_end(const char *path, ml_error *err)
{
	char expected[ML_ERROR_SIZE];
	size_t length = strlen(path);
	const char *marker = ": unexpected end of text";
	if (strncmp(err->message, path, length) != 0 ||
	    strncmp(err->message + length, marker, strlen(marker)) != 0)
		return;
	char *text;
	size_t text_length, lines = 0;
	ml_error ignored;
	if (ml_file_read_all(path, ML_MAX_TEXT_FILE, &text, &text_length, &ignored) < 0)
		return;
	for (size_t i = 0; i < text_length; i++)
		lines += text[i] == '\n';
	if (text_length && text[text_length - 1] != '\n')
		lines++;
	free(text);
	snprintf(expected, sizeof expected, "%s", err->message + length + 2);
	ml_error_set(err, "%s:%zu: %s (the file is truncated)", path, lines, expected);
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
		locate_early_end(path, err);
		ml_model_free(model);
		return NULL;
	}
	return model;
}

/* ---- predicting ------------------------------------------------------- */

int ml_model_predict(const ml_model *model, const double *rows, size_t n_rows,
		     size_t row_offset, double *predictions, double *probabilities,
		     ml_error *err)
{
	size_t d = model->n_features, width = model->columns.count;
	size_t block = n_rows < BLOCK_ROWS ? n_rows : BLOCK_ROWS;
	size_t n_classes = model->kind->task == ML_TASK_CLASSIFICATION ? model->n_classes : 0;
	if (n_rows == 0)
		return 0;
	double *features = ml_alloc_array(block * (d ? d : 1), sizeof *features, err);
	if (!features)
		return -1;
	for (size_t start = 0; start < n_rows; start += block) {
		size_t n = n_rows - start < block ? n_rows - start : block;
		for (size_t r = 0; r < n; r++) {
			const double *row = rows + (start + r) * width;
			for (size_t f = 0; f < d; f++) {
				double value = row[model->feature_column[f]];
				if (isnan(value)) {
					ml_error_set(err, "row %zu, column '%s' is missing; %s models need"
						     " complete data: impute with ml-scale --impute",
						     row_offset + start + r + 1,
						     ml_model_feature_name(model, f), model->kind->name);
					free(features);
					return -1;
				}
				features[r * d + f] = value;
			}
		}
		model->kind->predict(model, features, n, predictions + start,
				     probabilities && n_classes ? probabilities + start * n_classes
								: NULL);
	}
	free(features);
	return 0;
}

/* ---- describing ------------------------------------------------------- */

void ml_model_describe(const ml_model *model, ml_buf *out)
{
	const ml_columns *columns = &model->columns;
	ml_buf_printf(out, "estimator: %s (%s)\n", model->kind->name,
		      task_names[model->kind->task]);
	ml_buf_printf(out, "target: %s\nfeatures: %zu\n", columns->names[columns->target],
		      model->n_features);
	if (model->kind->task == ML_TASK_CLASSIFICATION) {
		ml_buf_printf(out, "classes: %zu:", model->n_classes);
		for (size_t k = 0; k < model->n_classes; k++)
			ml_buf_printf(out, " %s", model->class_names[k]);
		ml_buf_putc(out, '\n');
	}
	model->kind->describe(model, out);
}
