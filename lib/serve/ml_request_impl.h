/*
 * Internal to serve/ml_request*.c: a request being answered and the
 * helpers that both JSON readers share, the cJSON tree (ml_request.c) and
 * the one-pass scanner (ml_request_scan.c).
 */
#ifndef ML_REQUEST_IMPL_H
#define ML_REQUEST_IMPL_H

#include "io/ml_csv.h"
#include "serve/ml_request.h"
#include "stages/ml_load.h"

struct ml_request_schema {
	const ml_model *model;
	const ml_chain *chain;
	const ml_stage *load;         /* the chain's first stage when it is a load stage */
	size_t first_stage;           /* the first stage applied to encoded rows */
	const ml_columns *all_inputs; /* what a row is encoded from, the target included */
	size_t *name_lengths;         /* of all_inputs->names */
	bool *plain_names;            /* no quote, backslash or control byte: a JSON key as is */
	size_t *number_cell;          /* of all_inputs: where a number goes as is, or ML_NO_COLUMN */
	bool numbers_direct;          /* every input but the target has a number_cell */
	double *missing_row;          /* start_width NaNs: an encoded row with nothing given */
	ml_buf member_keys;           /* each plain name as a JSON key and its colon: "name": */
	size_t *member_key_at;        /* all_inputs->count + 1 offsets; empty for other names */
	ml_columns inputs;            /* the same without the target: "features" order */
	size_t *feature_input;        /* inputs.names[i] is all_inputs->names[feature_input[i]] */
	size_t start_width;           /* an encoded row */
	size_t widest;                /* the widest row along the chain */
	size_t width;                 /* the model's row */
	bool classifier;
	size_t n_classes;
	ml_buf class_json;            /* each class name as a JSON string, one after another */
	size_t *class_json_at;        /* n_classes + 1 offsets into class_json */
	size_t *slots;                /* name lookup: index into all_inputs + 1, 0 empty */
	size_t n_slots;
	ml_csv_options csv;           /* the dialect of CSV bodies */
};

/* One request being answered. */
typedef struct ml_request_state {
	const ml_request_schema *schema;
	const ml_request_options *options;
	bool single;            /* a "features" request: one answer, not a list */
	ml_load_value *values;  /* a row's values, by input */
	bool *seen;             /* which inputs a "rows" object gave */
	double *encoded;        /* BLOCK_ROWS x start_width */
	double *spare;          /* BLOCK_ROWS x widest */
	double *rows;           /* BLOCK_ROWS x width: what the model takes */
	double *predictions;    /* BLOCK_ROWS */
	double *probabilities;  /* BLOCK_ROWS x n_classes, or NULL */
	size_t *lines;          /* CSV: each row's line, for messages */
	size_t block;           /* rows the block's arrays hold, up to BLOCK_ROWS */
	size_t in_block;        /* rows encoded into the block */
	size_t done;            /* rows answered before the block */
	size_t n_unknown;
	ml_buf answers, answer_probabilities;
	int *status;
} ml_request_state;

/* Index of the input whose name is name[0..length), or ML_NO_COLUMN. */
size_t ml_request_find_input(const ml_request_schema *schema, const char *name, size_t length);
/*
 * Scratch memory for a request of n_rows rows (a guess is enough: the
 * block grows as rows are added); -1 with a status of 500.
 */
int ml_request_prepare(ml_request_state *r, size_t n_rows, ml_error *err);
void ml_request_release(ml_request_state *r);
/* Every input of the row starts missing and unseen. */
void ml_request_clear_values(ml_request_state *r);
/* Every input but the target was seen in the row (1-based; 0: in "where"); else 400. */
int ml_request_check_given(ml_request_state *r, const char *where, size_t row, ml_error *err);
/* 413 when n_rows is above the limit. */
int ml_request_check_row_count(ml_request_state *r, size_t n_rows, ml_error *err);
/* Encodes the values gathered for the next row, predicting when the block is full. */
int ml_request_add_values(ml_request_state *r, ml_error *err);
/*
 * Where the next row is encoded (start_width cells), room made for it; NULL
 * with a status of 500 when out of memory.  The row counts once
 * ml_request_end_row is called; until then the next call gives the same place.
 */
double *ml_request_next_row(ml_request_state *r, ml_error *err);
/* The row written at ml_request_next_row's place counts; predicts when the block is full. */
int ml_request_end_row(ml_request_state *r, ml_error *err);
/* Transforms, predicts and answers the rows of the block. */
int ml_request_flush_block(ml_request_state *r, ml_error *err);

/*
 * Answers a JSON body in one pass over its bytes: 0 when answered, 1 when
 * the body is left to cJSON (r then holds memory to release and partial
 * answers to drop): one the scanner cannot answer exactly as cJSON's tree
 * would, or any request error, whose message the cJSON reader writes.
 */
int ml_request_answer_scan(ml_request_state *r, const char *body, size_t length,
			   ml_error *err);

#endif
