/*
 * ml_request: the body of a prediction request, parsed into rows for a
 * model, predicted, and answered in JSON; the engine of ml-serve's
 * predict endpoints.
 *
 * Bodies, JSON (read in one pass that checks the grammar as it reads, for
 * the shapes of many rows; by cJSON for the rest and for every error), or
 * CSV by the CSV reader:
 *
 *   {"rows": [{"col": value, ...}, ...]}        columns by name, any order,
 *                                               extra ones ignored
 *   {"columns": ["col", ...], "data": [[value, ...], ...]}
 *   {"features": [value, ...]}                  one row, in the model's
 *                                               input order
 *   text/csv: a header row, then rows, in the model's CSV dialect
 *
 * A value is a number, a string (read as the same text in a CSV field
 * would be: a category, a missing-value string, a number) or null
 * (missing).  The target column is never needed.  The model's chain is
 * replayed as ml-predict replays it, and JSON numbers are parsed correctly
 * rounded (as ml_parse_double does), so the same rows give the same
 * numbers as ml-predict, bit for bit.
 *
 * Answers: {"predictions": [...]} (class names for a classifier), and with
 * probabilities "classes": [...] and "probabilities": [[...], ...], a row
 * per prediction; a "features" request is answered {"prediction": ...,
 * "confidence": ...} (the top class probability, classifiers only).
 * Numbers are written in their shortest exact form, like ml-predict's;
 * one that is not finite as null.
 *
 * A request that cannot be answered gets an HTTP status and a message
 * naming the row (1-based; for CSV the line) and the column: 400 for bad
 * JSON or CSV, a missing column, a value of the wrong kind, a missing
 * value the model cannot route; 413 for too many rows; 500 when memory
 * runs out.  Nesting deeper than the limit is refused before parsing.
 */
#ifndef ML_REQUEST_H
#define ML_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_columns.h"
#include "core/ml_error.h"
#include "core/ml_util.h"
#include "models/ml_model.h"

typedef enum ml_body_format { ML_BODY_JSON, ML_BODY_CSV } ml_body_format;

typedef struct ml_request_options {
	ml_body_format format;
	bool probabilities; /* answer class probabilities too (classifiers) */
	size_t max_rows;    /* more rows: 413 */
	size_t max_depth;   /* JSON nesting deeper than this: 400, not parsed */
	bool tree_only;     /* every JSON body through cJSON's tree, none through the scanner */
} ml_request_options;

#define ML_REQUEST_MAX_ROWS 100000
#define ML_REQUEST_MAX_DEPTH 8

void ml_request_options_init(ml_request_options *options);

/* What requests need to know about one model, made once when it is read. */
typedef struct ml_request_schema ml_request_schema;

ml_request_schema *ml_request_schema_create(const ml_model *model, ml_error *err);
void ml_request_schema_free(ml_request_schema *schema);
/*
 * The columns a request gives, in the model's input order (the order of
 * "features"): the load stage's inputs without the target, or the model's
 * own columns when its chain has no load stage.
 */
const ml_columns *ml_request_schema_inputs(const ml_request_schema *schema);

/*
 * Answers a request for the schema's model: appends the JSON answer to
 * answer and returns 0 (*n_rows the rows predicted), or returns -1 with
 * *status (400, 413 or 500) and err saying why.  Threads may answer
 * requests for the same schema at once.
 */
int ml_request_answer(const ml_request_schema *schema, const ml_request_options *options,
		      const char *body, size_t length, ml_buf *answer, size_t *n_rows,
		      int *status, ml_error *err);

/* Appends text as a JSON string, quotes included. */
void ml_json_put_string(ml_buf *out, const char *text);
/* Appends a number in its shortest exact form, or null when it is not finite. */
void ml_json_put_number(ml_buf *out, double value);

#endif
