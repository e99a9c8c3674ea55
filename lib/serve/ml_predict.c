#include "serve/ml_predict.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_clock.h"
#include "core/ml_escape.h"
#include "core/ml_number.h"
#include "io/ml_binary.h"
#include "io/ml_npy.h"
#include "io/ml_csv.h"

/*
 * Rows read and predicted at a time in batch mode: enough to amortise the
 * calls into the model (and BLAS) over many rows, little enough to stay
 * in cache.  A service gets fewer, as they arrive.
 */
#define BLOCK_ROWS 4096
/* CSV answers are written in pieces of about this size in batch mode. */
#define WRITE_SIZE ((size_t)1 << 16)

struct ml_predictor {
	const ml_model *model;
	ml_predict_options options;
	FILE *out;
	char *out_name;
	ml_telemetry *stats;
	size_t width;           /* the model's row width */
	bool classifier;
	size_t n_probabilities; /* p_CLASS columns: the class count, or 0 */
	size_t block_rows;      /* rows read and predicted at a time */
	double *rows;           /* block_rows x width */
	double *predictions;    /* block_rows */
	double *probabilities;  /* block_rows x n_probabilities, or NULL */
	double *answers;        /* binary, .npy: block_rows x (1 + n_probabilities) */
	ml_buf text;            /* CSV answers not written yet */
	char **answer_names;    /* classifier, CSV: each class name as a CSV field */
	ml_binary_writer *binary;
	ml_npy_writer *npy;
	bool started;           /* the header is out */
	ml_columns first_input; /* append: the first stream's input columns */
	size_t rows_in_stream;  /* rows and failed requests read from the current stream */
	double predict_seconds; /* inside ml_model_predict, for -v */
};

void ml_predict_options_init(ml_predict_options *options)
{
	memset(options, 0, sizeof *options);
	options->format = ML_FORMAT_CSV;
	options->wake_fd = -1;
}

int ml_predict_options_check(const ml_predict_options *options, const ml_model *model,
			     const char *model_name, ml_error *err)
{
	if (options->probabilities && ml_model_task(model) != ML_TASK_CLASSIFICATION) {
		bool clustering = ml_model_task(model) == ML_TASK_CLUSTERING;
		ml_error_set(err, "--proba: '%s' is a %s %s model: it has no classes", model_name,
			     ml_model_kind(model), clustering ? "clustering" : "regression");
		return -1;
	}
	const char *matrix = options->format == ML_FORMAT_NPY ? "--npy" : "--bin";
	if (options->append && options->format != ML_FORMAT_CSV) {
		ml_error_set(err, "--append writes CSV; it does not go with %s", matrix);
		return -1;
	}
	if (options->service && options->format != ML_FORMAT_CSV) {
		ml_error_set(err, "--line-buffered answers in CSV lines; it does not go with %s",
			     matrix);
		return -1;
	}
	return 0;
}

/* The answer column: a clustering answers with the row's cluster. */
static const char *answer_name(const ml_predictor *p)
{
	return ml_model_task(p->model) == ML_TASK_CLUSTERING ? "cluster" : "prediction";
}

/*
 * A class name as answers show it.  A service's answer is one line: there
 * a name's control characters (a CR or LF that quoted CSV let into the
 * training data) are escaped, \x0a (ml_escape).
 */
static void put_class_name(const ml_predictor *p, ml_buf *out, const char *prefix, size_t k)
{
	ml_buf name;
	ml_buf_init(&name);
	ml_buf_puts(&name, prefix);
	const char *text = ml_model_class_name(p->model, k);
	if (p->options.service)
		ml_escape_append(&name, text, strlen(text), 0);
	else
		ml_buf_puts(&name, text);
	ml_buf_append(&name, "", 0); /* an empty name still gets its NUL */
	if (name.failed)
		out->failed = true;
	else
		ml_csv_quote(out, name.data, ',');
	ml_buf_free(&name);
}

/* Quotes the class names once, not once per row. */
static int quote_class_names(ml_predictor *p, ml_error *err)
{
	size_t n_classes = ml_model_n_classes(p->model);
	if (!(p->answer_names = ml_calloc_array(n_classes, sizeof *p->answer_names, err)))
		return -1;
	for (size_t k = 0; k < n_classes; k++) {
		ml_buf field;
		ml_buf_init(&field);
		put_class_name(p, &field, "", k);
		ml_buf_append(&field, "", 0);
		if (field.failed) {
			ml_buf_free(&field);
			return ml_error_nomem(err);
		}
		p->answer_names[k] = field.data;
	}
	return 0;
}

ml_predictor *ml_predictor_create(const ml_model *model, const ml_predict_options *options,
				  FILE *out, const char *out_name, ml_telemetry *stats,
				  ml_error *err)
{
	ml_predictor *p = calloc(1, sizeof *p);
	if (!p) {
		ml_error_nomem(err);
		return NULL;
	}
	p->model = model;
	p->options = *options;
	p->out = out;
	p->stats = stats;
	p->width = ml_model_columns(model)->count;
	p->classifier = ml_model_task(model) == ML_TASK_CLASSIFICATION;
	p->n_probabilities = options->probabilities ? ml_model_n_classes(model) : 0;
	p->first_input.target = ML_NO_COLUMN;
	ml_buf_init(&p->text);
	size_t cells, probability_cells, answer_cells;
	p->block_rows = ml_block_rows(p->width + p->n_probabilities,
				      ml_model_batch_rows(model, BLOCK_ROWS));
	if (!ml_size_mul(p->block_rows, p->width, &cells) ||
	    !ml_size_mul(p->block_rows, p->n_probabilities, &probability_cells) ||
	    !ml_size_mul(p->block_rows, 1 + p->n_probabilities, &answer_cells)) {
		ml_error_set(err, "a block of %zu rows would not fit in memory", p->block_rows);
		ml_predictor_free(p);
		return NULL;
	}
	if (!(p->out_name = ml_strdup(out_name, err)) ||
	    !(p->rows = ml_alloc_array(cells, sizeof *p->rows, err)) ||
	    !(p->predictions = ml_alloc_array(p->block_rows, sizeof *p->predictions, err)) ||
	    (p->n_probabilities &&
	     !(p->probabilities = ml_alloc_array(probability_cells, sizeof *p->probabilities,
						 err))) ||
	    (options->format != ML_FORMAT_CSV &&
	     !(p->answers = ml_alloc_array(answer_cells, sizeof *p->answers, err)))) {
		ml_predictor_free(p);
		return NULL;
	}
	if (p->classifier && options->format == ML_FORMAT_CSV &&
	    quote_class_names(p, err) < 0) {
		ml_predictor_free(p);
		return NULL;
	}
	return p;
}

void ml_predictor_free(ml_predictor *p)
{
	if (!p)
		return;
	for (size_t k = 0; p->answer_names && k < ml_model_n_classes(p->model); k++)
		free(p->answer_names[k]);
	free(p->answer_names);
	ml_binary_writer_free(p->binary);
	ml_npy_writer_free(p->npy);
	ml_columns_free(&p->first_input);
	ml_buf_free(&p->text);
	free(p->rows);
	free(p->predictions);
	free(p->probabilities);
	free(p->answers);
	free(p->out_name);
	free(p);
}

/* Writes the CSV text held back (and, for a service, flushes it out now). */
static int write_text(ml_predictor *p, ml_error *err)
{
	if (p->text.failed)
		return ml_error_nomem(err);
	if (p->text.length &&
	    fwrite(p->text.data, 1, p->text.length, p->out) != p->text.length) {
		ml_error_set(err, "%s: write error: %s", p->out_name, strerror(errno));
		return -1;
	}
	ml_buf_reset(&p->text);
	if (p->options.service && fflush(p->out) != 0) {
		ml_error_set(err, "%s: write error: %s", p->out_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Rows of answers to the binary or .npy output. */
static int write_matrix(ml_predictor *p, const double *answers, size_t n_rows, ml_error *err)
{
	return p->npy ? ml_npy_write_rows(p->npy, answers, n_rows, err)
		      : ml_binary_write_rows(p->binary, answers, n_rows, err);
}

static int write_binary_header(ml_predictor *p, ml_error *err)
{
	if (p->options.format == ML_FORMAT_NPY) {
		/* Numbers only: the columns of the binary output, without their names. */
		p->npy = ml_npy_writer_create(p->out, p->out_name, 1 + p->n_probabilities,
					      ML_ROWS_UNKNOWN, err);
		return p->npy ? 0 : -1;
	}
	ml_columns columns;
	if (ml_columns_init(&columns, 1 + p->n_probabilities, err) < 0)
		return -1;
	int status = (columns.names[0] = ml_strdup(answer_name(p), err)) ? 0 : -1;
	for (size_t k = 0; status == 0 && k < p->n_probabilities; k++) {
		ml_buf name;
		ml_buf_init(&name);
		ml_buf_printf(&name, "p_%s", ml_model_class_name(p->model, k));
		if (name.failed)
			status = ml_error_nomem(err);
		columns.names[1 + k] = name.data;
	}
	if (status == 0 &&
	    !(p->binary = ml_binary_writer_create(p->out, p->out_name, &columns, NULL, 0,
						  ML_ROWS_UNKNOWN, err)))
		status = -1;
	ml_columns_free(&columns);
	return status;
}

static int write_header(ml_predictor *p, const ml_columns *input, ml_error *err)
{
	if (p->options.format != ML_FORMAT_CSV)
		return write_binary_header(p, err);
	for (size_t i = 0; input && i < input->count; i++) {
		ml_csv_quote(&p->text, input->names[i], ',');
		ml_buf_putc(&p->text, ',');
	}
	ml_buf_puts(&p->text, answer_name(p));
	for (size_t k = 0; k < p->n_probabilities; k++) {
		ml_buf_putc(&p->text, ',');
		put_class_name(p, &p->text, "p_", k);
	}
	ml_buf_putc(&p->text, '\n');
	/* A client sees the header as soon as its own has been read. */
	return p->options.service ? write_text(p, err) : 0;
}

/* Names the first column where two layouts part, for a message. */
static const char *first_difference(const ml_columns *have, const ml_columns *want)
{
	for (size_t i = 0; i < want->count; i++)
		if (i >= have->count || strcmp(have->names[i], want->names[i]) != 0)
			return want->names[i];
	return have->count > want->count ? have->names[want->count] : "?";
}

int ml_predictor_begin(ml_predictor *p, ml_stream *stream, ml_error *err)
{
	const ml_columns *have = ml_stream_columns(stream), *want = ml_model_columns(p->model);
	if (!ml_columns_same_names(have, want)) {
		ml_error_set(err, "%s: its rows have %zu columns, the model's %zu, first differing"
			     " at '%s'", ml_stream_name(stream), have->count, want->count,
			     first_difference(have, want));
		return -1;
	}
	ml_stream_set_wake_fd(stream, p->options.wake_fd);
	if (p->options.service)
		ml_stream_serve(stream);
	const ml_columns *input = NULL;
	if (p->options.append) {
		ml_stream_keep_input(stream);
		input = ml_stream_input_columns(stream);
		if (p->started && !ml_columns_same_names(input, &p->first_input)) {
			ml_error_set(err, "%s: --append: its columns differ from the first input's"
				     " ('%s'), and the output has one header", ml_stream_name(stream),
				     first_difference(input, &p->first_input));
			return -1;
		}
		if (!p->started && ml_columns_copy(&p->first_input, input, err) < 0)
			return -1;
	}
	p->rows_in_stream = 0;
	if (p->started)
		return 0;
	p->started = true;
	return write_header(p, input, err);
}

static void put_number(ml_buf *text, double value, int precision)
{
	char digits[ML_DOUBLE_BUFSIZE];
	if (!isnan(value))
		ml_buf_append(text, digits, ml_format_double_digits(value, precision, digits));
}

/* One CSV answer line for row i of the block just predicted. */
static void put_answer(ml_predictor *p, const ml_stream *stream, size_t i)
{
	if (p->options.append) {
		size_t length;
		const char *input = ml_stream_input_text(stream, i, &length);
		ml_buf_append(&p->text, input, length);
		ml_buf_putc(&p->text, ',');
	}
	double prediction = p->predictions[i];
	size_t n_classes = ml_model_n_classes(p->model);
	if (p->classifier && prediction >= 0 && prediction < (double)n_classes)
		ml_buf_puts(&p->text, p->answer_names[(size_t)prediction]);
	else
		put_number(&p->text, prediction, p->options.precision);
	for (size_t k = 0; k < p->n_probabilities; k++) {
		ml_buf_putc(&p->text, ',');
		put_number(&p->text, p->probabilities[i * p->n_probabilities + k],
			   p->options.precision);
	}
	ml_buf_putc(&p->text, '\n');
}

static int put_binary_answer(ml_predictor *p, size_t i, ml_error *err)
{
	p->answers[0] = p->predictions[i];
	for (size_t k = 0; k < p->n_probabilities; k++)
		p->answers[1 + k] = p->probabilities[i * p->n_probabilities + k];
	return write_matrix(p, p->answers, 1, err);
}

static int put_answers(ml_predictor *p, const ml_stream *stream, size_t n_rows, ml_error *err)
{
	if (p->options.format == ML_FORMAT_CSV) {
		for (size_t i = 0; i < n_rows; i++)
			put_answer(p, stream, i);
		return 0;
	}
	size_t answer_width = 1 + p->n_probabilities;
	for (size_t i = 0; i < n_rows; i++) {
		double *answer = p->answers + i * answer_width;
		answer[0] = p->predictions[i];
		for (size_t k = 0; k < p->n_probabilities; k++)
			answer[1 + k] = p->probabilities[i * p->n_probabilities + k];
	}
	return write_matrix(p, p->answers, n_rows, err);
}

/* Rows that fail are answered one by one instead of ending the run. */
static bool answers_failures(const ml_predictor *p)
{
	return p->options.service || p->options.on_error != ML_ON_ERROR_FAIL;
}

/* "error: MESSAGE", the message escaped (ml_escape): one line, whatever it quotes. */
static void put_error_line(ml_predictor *p, const char *message)
{
	ml_buf_puts(&p->text, ML_PREDICT_ERROR_PREFIX);
	ml_escape_append(&p->text, message, strlen(message), 0);
	ml_buf_putc(&p->text, '\n');
}

int ml_predictor_refuse(ml_predictor *p, const char *message, ml_error *err)
{
	if (!p->options.service)
		return 0;
	put_error_line(p, message);
	return write_text(p, err);
}

/*
 * A row that cannot be answered: a service's error line (never more than
 * one line), nothing (skip), or an empty prediction (nan), after the
 * input's own fields when they were read (i is the row in the block, or
 * SIZE_MAX for a record that could not be read).
 */
static void put_failure(ml_predictor *p, const ml_stream *stream, size_t i, const char *message)
{
	if (p->options.service) {
		put_error_line(p, message);
	} else if (p->options.on_error == ML_ON_ERROR_NAN) {
		if (p->options.format != ML_FORMAT_CSV) {
			for (size_t k = 0; k <= p->n_probabilities; k++)
				p->answers[k] = NAN;
			/* A write error here shows again at the next block or at the end. */
			ml_error ignored;
			write_matrix(p, p->answers, 1, &ignored);
		} else {
			if (p->options.append) {
				size_t length = 0;
				const char *input = i != SIZE_MAX ? ml_stream_input_text(stream, i, &length)
								   : NULL;
				if (input)
					ml_buf_append(&p->text, input, length);
				else
					for (size_t c = 1; c < p->first_input.count; c++)
						ml_buf_putc(&p->text, ',');
				ml_buf_putc(&p->text, ',');
			}
			for (size_t k = 0; k < p->n_probabilities; k++)
				ml_buf_putc(&p->text, ',');
			ml_buf_putc(&p->text, '\n');
		}
	}
	ml_telemetry_add_errors(p->stats, 1);
	if (p->options.on_request_error)
		p->options.on_request_error(message, p->options.context);
}

/* Puts where row i of the block came from before the message: "x.csv:17: ...". */
static int locate_row(const ml_stream *stream, size_t first_row, size_t i, ml_error *err)
{
	size_t line = ml_stream_row_line(stream, i);
	if (line)
		ml_error_prefix(err, "%s:%zu", ml_stream_name(stream), line);
	else
		ml_error_prefix(err, "%s: row %zu", ml_stream_name(stream), first_row + i + 1);
	return -1;
}

/*
 * Predicts and answers the n_rows rows read; *answered counts the rows
 * that got a prediction.  A service whose block fails finds out which
 * requests did, one by one, and answers those with error lines.
 */
static int answer_rows(ml_predictor *p, const ml_stream *stream, size_t n_rows,
		       size_t *answered, ml_error *err)
{
	const ml_model *model = p->model;
	size_t first_row = p->rows_in_stream, bad_row;
	p->rows_in_stream += n_rows;
	*answered = 0;
	double started = ml_clock_now();
	int status = ml_model_predict(model, p->rows, n_rows, p->predictions, p->probabilities,
				      &bad_row, err);
	p->predict_seconds += ml_clock_now() - started;
	if (status == 0) {
		*answered = n_rows;
		return put_answers(p, stream, n_rows, err);
	}
	if (!answers_failures(p))
		return locate_row(stream, first_row, bad_row, err);
	for (size_t i = 0; i < n_rows; i++) {
		double *probabilities = p->probabilities ? p->probabilities + i * p->n_probabilities
							 : NULL;
		if (ml_model_predict(model, p->rows + i * p->width, 1, p->predictions + i,
				     probabilities, NULL, err) == 0) {
			(*answered)++;
			if (p->options.format == ML_FORMAT_CSV)
				put_answer(p, stream, i);
			else if (put_binary_answer(p, i, err) < 0)
				return -1;
		} else {
			locate_row(stream, first_row, i, err);
			put_failure(p, stream, i, err->message);
		}
	}
	return 0;
}

/* True when the wake descriptor can be read: someone asked for attention. */
static bool woken(const ml_predictor *p)
{
	struct pollfd wake = { .fd = p->options.wake_fd, .events = POLLIN };
	return p->options.wake_fd >= 0 && poll(&wake, 1, 0) > 0 && (wake.revents & POLLIN);
}

int ml_predictor_run(ml_predictor *p, ml_stream *stream, ml_error *err)
{
	for (;;) {
		double started = ml_clock_now();
		size_t n_read, answered = 0;
		ml_error read_error;
		int status = ml_stream_read(stream, p->rows, p->block_rows, &n_read, &read_error);
		bool request_failed = status < 0 && answers_failures(p) &&
				      ml_stream_row_failed(stream);
		if (status < 0 && !request_failed) {
			*err = read_error;
			return -1;
		}
		if (n_read > 0 && answer_rows(p, stream, n_read, &answered, err) < 0)
			return -1;
		if (request_failed) {
			p->rows_in_stream++;
			put_failure(p, stream, SIZE_MAX, read_error.message);
		}
		bool stream_ended = status == 0 && n_read == 0;
		if ((p->options.service || stream_ended || p->text.length >= WRITE_SIZE) &&
		    write_text(p, err) < 0)
			return -1;
		double now = ml_clock_now();
		double latency = p->options.service ? now - ml_stream_arrival_time(stream)
			       : answered ? (now - started) / (double)answered : 0;
		ml_telemetry_add_rows(p->stats, answered, latency);
		if (stream_ended)
			return 0;
		/*
		 * A reader that waits for input watches the wake descriptor itself;
		 * one that is never kept waiting (a file, a parser thread, binary
		 * input) is asked between blocks.
		 */
		if (status == ML_STREAM_WOKEN || woken(p))
			return ML_PREDICT_WOKEN;
	}
}

double ml_predictor_predict_seconds(const ml_predictor *p)
{
	return p->predict_seconds;
}

int ml_predictor_finish(ml_predictor *p, ml_error *err)
{
	if (write_text(p, err) < 0)
		return -1;
	if (p->npy)
		return ml_npy_writer_finish(p->npy, err);
	return p->binary ? ml_binary_writer_finish(p->binary, err) : 0;
}
