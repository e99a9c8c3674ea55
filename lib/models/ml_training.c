/*
 * Fitting: the options, the rows a kind trains on, the choice of target
 * and task, and the metadata a fit records.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/ml_number.h"
#include "models/ml_model_impl.h"

/* Rows per block when a kind reads every row at once. */
#define BLOCK_ROWS 4096

/* ---- options ---------------------------------------------------------- */

void ml_fit_options_init(ml_fit_options *options, const ml_estimator *kind)
{
	memset(options, 0, sizeof *options);
	options->kind = kind;
	for (size_t i = 0; i < kind->n_params; i++) {
		ml_error ignored;
		/* A default that does not parse is a bug the registry test catches. */
		if (ml_param_parse(&kind->params[i], kind->params[i].default_text,
				   &options->params[i], &ignored) < 0)
			options->params[i] = NAN;
	}
}

int ml_fit_options_set(ml_fit_options *options, const char *name, const char *text,
		       ml_error *err)
{
	size_t index = ml_estimator_find_param(options->kind, name);
	if (index == ML_NO_PARAM) {
		ml_error_set(err, "'%s' takes no --%s", options->kind->name, name);
		return -1;
	}
	if (ml_param_parse(&options->kind->params[index], text, &options->params[index], err) < 0) {
		ml_error_prefix(err, "--%s", name);
		return -1;
	}
	return 0;
}

int ml_fit_options_check(const ml_fit_options *options, ml_error *err)
{
	const ml_estimator *kind = options->kind;
	if (options->task_given) {
		static const unsigned flag_of[] = { ML_ESTIMATOR_REGRESSION,
						    ML_ESTIMATOR_CLASSIFICATION,
						    ML_ESTIMATOR_CLUSTERING };
		static const char *const only[] = { "regression", "classification", "clustering" };
		if (!(kind->flags & flag_of[options->task])) {
			size_t does = kind->flags & ML_ESTIMATOR_CLUSTERING ? 2
				    : kind->flags & ML_ESTIMATOR_REGRESSION ? 0 : 1;
			ml_error_set(err, "'%s' does %s only", kind->name, only[does]);
			return -1;
		}
	}
	if (options->valid && !(kind->flags & ML_ESTIMATOR_VALIDATION)) {
		ml_error_set(err, "'%s' takes no validation rows (--valid)", kind->name);
		return -1;
	}
	if (kind->check && kind->check(options->params, err) < 0)
		return -1;
	return kind->check_fit ? kind->check_fit(options, err) : 0;
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

/* ---- training rows ---------------------------------------------------- */

struct ml_training_rows {
	const ml_training_data *data;
	const ml_model *model;
	size_t width;          /* of the input rows */
	size_t next_row;       /* rows handed out so far (in this pass) */
	bool second_pass;      /* after ml_training_rows_rewind */
	size_t n_rows;         /* rows the first pass read */
	double *raw;           /* a block read from data->read */
	size_t raw_capacity;   /* rows */
	double *unpacked;      /* rows put back in the input's layout for the labels */
	XXH3_state_t *hash;    /* of the input rows' bytes, as they come the first time */
};

size_t ml_training_rows_width(const ml_training_rows *rows)
{
	return rows->model->n_features + 1;
}

const char *ml_training_rows_name(const ml_training_rows *rows)
{
	return rows->data->name;
}

char *const *ml_training_rows_class_names(const ml_training_rows *rows, size_t *count)
{
	return ml_chain_class_names(rows->data->chain, count);
}

/* "train.csv:17" for a CSV line, "train.bin: row 16" for a binary row. */
static void place_of(const ml_training_rows *rows, size_t row, char *place, size_t size)
{
	const ml_training_data *data = rows->data;
	if (data->row_index && !data->read)
		row = data->row_index[row];
	if (data->lines && !data->read)
		snprintf(place, size, "%s:%zu", data->name, data->lines[row]);
	else
		snprintf(place, size, "%s: row %zu", data->name, row + 1);
}

/* A missing target or feature, or an infinite feature for clustering. */
static int bad_value(const ml_training_rows *rows, size_t row, size_t column, double value,
		     ml_error *err)
{
	const ml_model *model = rows->model;
	const ml_columns *columns = &model->columns;
	char place[ML_ERROR_SIZE / 2];
	place_of(rows, row, place, sizeof place);
	if (column == columns->target)
		ml_error_set(err, "%s: the target '%s' is missing; drop such rows before fitting"
			     " (ml-load --drop-missing-target)", place, columns->names[column]);
	else if (isinf(value))
		ml_error_set(err, "%s: column '%s' is %s; %s needs finite values", place,
			     columns->names[column], value > 0 ? "inf" : "-inf", model->kind->name);
	else
		ml_error_set(err, "%s: column '%s' is missing; %s needs complete data: impute with"
			     " ml-scale --impute", place, columns->names[column], model->kind->name);
	return -1;
}

/*
 * The r-th of the rows being handed out: in + r rows, or, for an index
 * subset of rows in memory, the row the index names (in is then NULL).
 */
static const double *row_at(const ml_training_rows *rows, const double *in, size_t r)
{
	const ml_training_data *data = rows->data;
	if (!in)
		return data->values + data->row_index[rows->next_row + r] * rows->width;
	return in + r * rows->width;
}

/* The rows' bytes as the kind gets them, contiguous or through the index. */
static void hash_rows(ml_training_rows *rows, const double *in, size_t n)
{
	size_t row_bytes = rows->width * sizeof(double);
	if (in) {
		XXH3_64bits_update(rows->hash, in, n * row_bytes);
		return;
	}
	for (size_t r = 0; r < n; r++)
		XXH3_64bits_update(rows->hash, row_at(rows, NULL, r), row_bytes);
}

/*
 * Copies n rows into block as features then target, refusing a missing
 * target (clustering ignores it) and missing features unless the kind
 * routes them; clustering refuses infinite features too.
 */
static int gather_training(ml_training_rows *rows, const double *in, size_t n, double *block,
			   ml_error *err)
{
	const ml_model *model = rows->model;
	size_t d = model->n_features, target = model->columns.target;
	bool clustering = model->task == ML_TASK_CLUSTERING;
	bool complete = !(model->kind->flags & ML_ESTIMATOR_MISSING);
	for (size_t r = 0; r < n; r++) {
		const double *row = row_at(rows, in, r);
		double *out = block + r * (d + 1);
		for (size_t f = 0; f < d; f++)
			out[f] = row[model->feature_column[f]];
		out[d] = target != ML_NO_COLUMN ? row[target] : NAN;
		if (!clustering && isnan(out[d]))
			return bad_value(rows, rows->next_row + r, target, out[d], err);
		for (size_t f = 0; complete && f < d; f++)
			if (clustering ? !isfinite(out[f]) : isnan(out[f]))
				return bad_value(rows, rows->next_row + r,
						 model->feature_column[f], out[f], err);
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
	if (!data->read) { /* in memory (values may be NULL when there are no rows) */
		n = data->n_rows - rows->next_row;
		n = n < max_rows ? n : max_rows;
		/* An index subset is gathered row by row, never copied whole; no rows, no values. */
		in = data->row_index || !data->values ? NULL
						      : data->values + rows->next_row * rows->width;
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
	if (rows->second_pass && (n > rows->n_rows - rows->next_row ||
				  (n == 0 && rows->next_row < rows->n_rows))) {
		ml_error_set(err, "%s: the input changed between two passes over it: %zu rows the"
			     " first time, %s the second", data->name, rows->n_rows,
			     n ? "more" : "fewer");
		return -1;
	}
	if (rows->hash && !rows->second_pass)
		hash_rows(rows, in, n);
	if (gather_training(rows, in, n, block, err) < 0)
		return -1;
	rows->next_row += n;
	if (!rows->second_pass)
		rows->n_rows = rows->next_row;
	*n_read = n;
	return 0;
}

int ml_training_rows_rewind(ml_training_rows *rows, ml_error *err)
{
	const ml_training_data *data = rows->data;
	if (data->read) {
		if (!data->rewind) {
			ml_error_set(err, "%s: %s reads its input twice, and this one cannot be read"
				     " again: give a file", data->name, rows->model->kind->name);
			return -1;
		}
		if (data->rewind(data->source, err) < 0)
			return -1;
	}
	rows->second_pass = true;
	rows->next_row = 0;
	return 0;
}

int ml_training_rows_label(ml_training_rows *rows, const ml_fit_options *options,
			   const double *block, const size_t *labels, size_t n_rows,
			   ml_error *err)
{
	const ml_model *model = rows->model;
	size_t d = model->n_features, target = model->columns.target, width = rows->width;
	if (!options->labels)
		return 0;
	size_t block_rows = ml_block_rows(width, BLOCK_ROWS);
	if (!rows->unpacked &&
	    !(rows->unpacked = ml_alloc_array(block_rows, width * sizeof(double), err)))
		return -1;
	for (size_t start = 0; start < n_rows; start += block_rows) {
		size_t count = n_rows - start < block_rows ? n_rows - start : block_rows;
		for (size_t r = 0; r < count; r++) {
			const double *in = block + (start + r) * (d + 1);
			double *out = rows->unpacked + r * width;
			for (size_t f = 0; f < d; f++)
				out[model->feature_column[f]] = in[f];
			if (target != ML_NO_COLUMN)
				out[target] = in[d];
		}
		if (options->labels(options->labels_context, rows->unpacked, labels + start, count,
				    err) != 0)
			return -1;
	}
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
	size_t block = ml_block_rows(width, BLOCK_ROWS);
	double *values = NULL;
	/* Rows in memory: their count is known; streamed: grow by doubling. */
	bool known = !rows->data->read;
	if (known && grow_rows(&values, &capacity, rows->data->n_rows, width, err) < 0)
		return -1;
	do {
		if (!known && capacity - count < block &&
		    grow_rows(&values, &capacity, capacity ? capacity * 2 : block, width, err) < 0)
			goto fail;
		size_t room = capacity - count;
		if (ml_training_rows_next(rows, values + count * width, room < block ? room : block,
					  &got, err) < 0)
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

int ml_training_valid_all(const ml_model *model, const ml_fit_options *options, double **all,
			  size_t *n_rows, ml_error *err)
{
	const ml_training_data *valid = options->valid;
	*all = NULL;
	*n_rows = 0;
	if (!valid)
		return 0;
	if (!ml_columns_same_names(valid->columns, &model->columns)) {
		ml_buf list;
		ml_buf_init(&list);
		ml_columns_list(&list, &model->columns);
		ml_error_set(err, "%s: the validation rows' columns are not the training rows' (%s)",
			     valid->name, list.data ? list.data : "none");
		ml_buf_free(&list);
		return -1;
	}
	/* Not hashed: the model records the training rows only. */
	ml_training_rows rows = { .data = valid, .model = model, .width = valid->columns->count };
	int status = ml_training_rows_all(&rows, all, n_rows, err);
	free(rows.raw);
	return status;
}

/* ---- target and task -------------------------------------------------- */

static int resolve_target(const ml_fit_options *options, const ml_training_data *data,
			  size_t *target, ml_error *err)
{
	const ml_columns *columns = data->columns;
	if (ml_columns_resolve_target(columns, options->target, data->name, target, err) < 0)
		return -1;
	if (options->kind->flags & ML_ESTIMATOR_CLUSTERING) {
		if (columns->count > (*target != ML_NO_COLUMN ? 1u : 0u))
			return 0;
		ml_error_set(err, "%s: no feature columns to cluster%s", data->name,
			     *target != ML_NO_COLUMN ? " besides the target" : "");
		return -1;
	}
	if (*target != ML_NO_COLUMN)
		return columns->count >= 2 ? 0
					   : (ml_error_set(err, "%s: no feature columns besides the"
							   " target", data->name), -1);
	ml_buf list;
	ml_buf_init(&list);
	ml_columns_list(&list, columns);
	ml_error_set(err, "%s: no target column: name one with -t (the columns are %s)",
		     data->name, list.data ? list.data : "none");
	ml_buf_free(&list);
	return -1;
}

/*
 * The kind's task; for kinds that do both, classification when the target
 * holds class names.  A regression on class codes would be meaningless:
 * refused, naming the kinds that classify.
 */
static int choose_task(const ml_fit_options *options, const ml_training_data *data,
		       size_t target, ml_task *task, ml_error *err)
{
	const ml_estimator *kind = options->kind;
	size_t n_names;
	bool has_classes = ml_chain_class_names(data->chain, &n_names) != NULL;
	if (kind->flags & ML_ESTIMATOR_CLUSTERING) {
		*task = ML_TASK_CLUSTERING; /* the target, if any, is not looked at */
		return 0;
	}
	if (options->task_given)
		*task = options->task;
	else if (!(kind->flags & ML_ESTIMATOR_REGRESSION))
		*task = ML_TASK_CLASSIFICATION;
	else if (!(kind->flags & ML_ESTIMATOR_CLASSIFICATION))
		*task = ML_TASK_REGRESSION;
	else
		*task = has_classes ? ML_TASK_CLASSIFICATION : ML_TASK_REGRESSION;
	if (*task == ML_TASK_REGRESSION && has_classes) {
		ml_buf kinds;
		ml_buf_init(&kinds);
		ml_estimator_list(&kinds, ML_ESTIMATOR_CLASSIFICATION);
		ml_error_set(err, "%s: the target '%s' holds classes (text), not numbers: %s does"
			     " regression; for classes use %s", data->name,
			     data->columns->names[target], kind->name,
			     kinds.data ? kinds.data : "a classifier");
		ml_buf_free(&kinds);
		return -1;
	}
	return 0;
}

/* ---- fitting ---------------------------------------------------------- */

static int record_training_meta(ml_model *model, size_t n_rows, uint64_t hash, uint64_t seed,
				ml_error *err)
{
	char line[128];
	snprintf(line, sizeof line, "data-rows %zu", n_rows);
	if (ml_model_add_meta(model, line, err) < 0)
		return -1;
	/* Format 1 wrote FNV-1a without naming it; the name keeps them apart. */
	snprintf(line, sizeof line, "data-hash xxh3 %016llx", (unsigned long long)hash);
	if (ml_model_add_meta(model, line, err) < 0)
		return -1;
	snprintf(line, sizeof line, "seed %llu", (unsigned long long)seed);
	return ml_model_add_meta(model, line, err);
}

int ml_fit_resolve(const ml_fit_options *options, const ml_training_data *data, size_t *target,
		   ml_task *task, ml_error *err)
{
	if (ml_fit_options_check(options, err) < 0 || resolve_target(options, data, target, err) < 0)
		return -1;
	return choose_task(options, data, *target, task, err);
}

ml_model *ml_model_fit(const ml_fit_options *options, const ml_training_data *data,
		       ml_error *err)
{
	size_t target;
	ml_task task;
	if (ml_fit_resolve(options, data, &target, &task, err) < 0)
		return NULL;
	ml_model *model = ml_model_new(options->kind, task, err);
	if (!model)
		return NULL;
	memcpy(model->hyper, options->params, sizeof model->hyper);
	ml_training_rows rows = { .data = data, .model = model, .width = data->columns->count,
				  .hash = XXH3_createState() };
	int status = -1;
	if (!rows.hash) {
		ml_error_nomem(err);
		goto done;
	}
	XXH3_64bits_reset(rows.hash);
	if (ml_model_set_layout(model, data->columns, target, err) < 0 ||
	    !(model->chain = data->chain ? ml_chain_copy(data->chain, err) : ml_chain_create(err)) ||
	    model->kind->fit(model, options, &rows, err) < 0)
		goto done;
	if (rows.n_rows == 0) {
		ml_error_set(err, "%s: no rows to fit", data->name);
		goto done;
	}
	status = record_training_meta(model, rows.n_rows, XXH3_64bits_digest(rows.hash),
				      options->seed, err);
done:
	XXH3_freeState(rows.hash);
	free(rows.raw);
	free(rows.unpacked);
	if (status < 0) {
		ml_model_free(model);
		return NULL;
	}
	return model;
}

/* ---- classes ---------------------------------------------------------- */

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Where value is, or would go, in the sorted values[0..count). */
static size_t lower_bound(const double *values, size_t count, double value)
{
	size_t low = 0, high = count;
	while (low < high) {
		size_t middle = low + (high - low) / 2;
		if (values[middle] < value)
			low = middle + 1;
		else
			high = middle;
	}
	return low;
}

/*
 * Targets hold few classes, repeated: the distinct values kept sorted as
 * they come (a binary search per row, skipped when the row repeats the
 * previous one) cost one pass over the rows, which are wide and strided,
 * where sorting every target cost a copy, a qsort of n_rows and a search
 * per row.  Past SMALL_CLASSES the insertions would cost more than the
 * sort, which takes over.
 */
#define SMALL_CLASSES 256

/*
 * One pass: the sorted distinct targets into values (at most limit), and
 * each row's class numbered in the order the classes were first seen
 * (seen[k]: the number of values[k]).  Returns how many; -1 when more than
 * limit, -2 when row *missing has no target.
 */
static long distinct_small(const double *targets, size_t stride, size_t n_rows, size_t limit,
			   double *values, size_t *seen, size_t *class_of_row, size_t *missing)
{
	size_t count = 0, id = 0;
	double last = NAN;
	for (size_t r = 0; r < n_rows; r++) {
		double value = targets[r * stride];
		if (value != last) { /* a NaN always lands here */
			if (isnan(value)) {
				*missing = r;
				return -2;
			}
			last = value;
			size_t at = lower_bound(values, count, value);
			if (at == count || values[at] != value) {
				if (count == limit)
					return -1;
				memmove(values + at + 1, values + at, (count - at) * sizeof *values);
				memmove(seen + at + 1, seen + at, (count - at) * sizeof *seen);
				values[at] = value;
				seen[at] = count++;
			}
			id = seen[at];
		}
		class_of_row[r] = id;
	}
	return (long)count;
}

/* The same by sorting a copy of every target into values (n_rows long). */
static size_t distinct_sorted(const double *targets, size_t stride, size_t n_rows,
			      double *values)
{
	for (size_t r = 0; r < n_rows; r++)
		values[r] = targets[r * stride];
	qsort(values, n_rows, sizeof *values, compare_doubles);
	size_t count = 0;
	for (size_t r = 0; r < n_rows; r++)
		if (count == 0 || values[r] != values[count - 1])
			values[count++] = values[r];
	return count;
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

/* Rows' classes numbered as first seen, to their sorted positions: a dense pass. */
static void renumber_classes(const size_t *seen, size_t count, size_t *class_of_row,
			     size_t n_rows)
{
	size_t position[SMALL_CLASSES];
	for (size_t k = 0; k < count; k++)
		position[seen[k]] = k;
	for (size_t r = 0; r < n_rows; r++)
		class_of_row[r] = position[class_of_row[r]];
}

/* Past SMALL_CLASSES: the sorted distinct values of every target, each row's by search. */
static long classes_by_sorting(const double *targets, size_t stride, size_t n_rows,
			       double **values, size_t *class_of_row, ml_error *err)
{
	double *all = ml_realloc_array(*values, n_rows, sizeof *all, err);
	if (!all)
		return -1;
	*values = all;
	size_t count = distinct_sorted(targets, stride, n_rows, all);
	for (size_t r = 0; r < n_rows; r++)
		class_of_row[r] = lower_bound(all, count, targets[r * stride]);
	return (long)count;
}

int ml_model_set_classes(ml_model *model, const double *targets, size_t stride,
			 size_t n_rows, char *const *class_names, size_t n_names,
			 size_t max_classes, size_t *class_of_row, ml_error *err)
{
	size_t small = max_classes < SMALL_CLASSES ? max_classes : SMALL_CLASSES, missing = 0;
	size_t seen[SMALL_CLASSES];
	double *values = ml_alloc_array(small ? small : 1, sizeof *values, err);
	if (!values)
		return -1;
	int status = -1;
	long count = distinct_small(targets, stride, n_rows, small, values, seen, class_of_row,
				    &missing);
	if (count == -2) {
		ml_error_set(err, "row %zu: the target is missing", missing + 1);
		goto done;
	}
	if (count >= 0)
		renumber_classes(seen, (size_t)count, class_of_row, n_rows);
	else if (small < max_classes &&
		 (count = classes_by_sorting(targets, stride, n_rows, &values, class_of_row,
					     err)) < 0)
		goto done; /* out of memory */
	if (count < 0 || (size_t)count > max_classes) {
		ml_error_set(err, "the target has more than %zu distinct values: is it a class?",
			     max_classes);
		goto done;
	}
	status = name_classes(model, values, (size_t)count, class_names, n_names, err);
done:
	free(values);
	return status;
}
