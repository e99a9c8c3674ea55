/*
 * ml_predict: applying a model to streams of rows and writing the answers,
 * the engine of ml-predict.
 *
 * Batch mode predicts blocks of rows and stops at the first bad one.
 * Service mode answers every request line as soon as it has arrived and
 * flushes; a request that cannot be answered (a malformed line, a value
 * that is not a number, a missing value the model cannot route) gets one
 * error line in place of its answer, "error: stdin:7: row has 3 fields,
 * header has 4", and serving goes on, so a client that reads one line per
 * request stays in step.
 *
 * CSV answers: a header, then per row the prediction (a class name for a
 * classifier), with probabilities a p_CLASS column per class, and with
 * append the input's own fields first.  Binary answers: a matrix of the
 * prediction (class index) and p_CLASS columns, without stages; .npy
 * answers: the same numbers without the names.  A
 * clustering model's answer column is "cluster" (the cluster index).
 */
#ifndef ML_PREDICT_H
#define ML_PREDICT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/ml_error.h"
#include "models/ml_model.h"
#include "serve/ml_telemetry.h"
#include "stages/ml_io.h"
#include "stages/ml_stream.h"

/* How an error line starts; the rest is the message, on one line. */
#define ML_PREDICT_ERROR_PREFIX "error: "

/*
 * What batch mode does with a row it cannot answer (a malformed record, a
 * value that is not a number, a missing value the model cannot route):
 * stop there (fail), leave it out (skip), or answer it with an empty
 * prediction (nan); the last two name it to on_request_error and count it.
 * Service mode always answers it with an error line.
 */
typedef enum ml_on_error { ML_ON_ERROR_FAIL, ML_ON_ERROR_SKIP, ML_ON_ERROR_NAN } ml_on_error;

typedef struct ml_predict_options {
	ml_format format;   /* ML_FORMAT_CSV (default), ML_FORMAT_BINARY or ML_FORMAT_NPY */
	bool probabilities; /* a p_CLASS column per class (classification) */
	bool append;        /* the input's columns before the answers (CSV) */
	bool service;       /* answer per line, flush, error lines for bad requests */
	ml_on_error on_error; /* batch mode */
	int precision;      /* CSV numbers: significant digits, or 0 for exact */
	int wake_fd;        /* readable: ml_predictor_run returns ML_PREDICT_WOKEN; -1 none */
	/* Each row not answered (service mode, skip, nan): its message, for a log; or NULL. */
	void (*on_request_error)(const char *message, void *context);
	void *context;
} ml_predict_options;

void ml_predict_options_init(ml_predict_options *options);
/* Says why the options do not go together, or with model (named model_name). */
int ml_predict_options_check(const ml_predict_options *options, const ml_model *model,
			     const char *model_name, ml_error *err);

typedef struct ml_predictor ml_predictor;

/* Nothing is written until the first stream begins.  stats gets counts and latencies. */
ml_predictor *ml_predictor_create(const ml_model *model, const ml_predict_options *options,
				  FILE *out, const char *out_name, ml_telemetry *stats,
				  ml_error *err);
void ml_predictor_free(ml_predictor *predictor);

/*
 * Prepares stream (opened on the model's chain) for reading; the first
 * stream's begin writes the header (in service mode, flushed at once).
 * With append, every stream must have the first one's input columns.
 */
int ml_predictor_begin(ml_predictor *predictor, ml_stream *stream, ml_error *err);
/*
 * Predicts and answers the rows of stream to its end: 0.  -1 on failure
 * (in batch mode a bad row is one; err names the input and row or line).
 * ML_PREDICT_WOKEN when the wake descriptor became readable: the rows read
 * so far are answered; drain it, and call again to go on.
 */
#define ML_PREDICT_WOKEN 1
int ml_predictor_run(ml_predictor *predictor, ml_stream *stream, ml_error *err);
/*
 * Service mode: answers the failure that ends the service (an input whose
 * header lacks a column the model needs) with an error line, so that a
 * client waiting for one line learns why; does nothing in batch mode.
 */
int ml_predictor_refuse(ml_predictor *predictor, const char *message, ml_error *err);
/* Writes what is buffered; binary: the row count into the header when it can seek. */
int ml_predictor_finish(ml_predictor *predictor, ml_error *err);
/*
 * Seconds spent inside the model's predict calls so far: the walk alone,
 * without reading the rows or writing the answers (ml-predict -v).
 */
double ml_predictor_predict_seconds(const ml_predictor *predictor);

#endif
