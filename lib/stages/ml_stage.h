/*
 * ml_stage: fitted transformations and the chain of them that travels with
 * the data.
 *
 * Every fitted transformation (the load stage's encodings, ml-scale's
 * parameters, ml-poly's expansion) is a stage: it maps named input columns
 * to named output columns, applies to blocks of rows, serialises to the
 * text of mlpipe-model(5) and is identified by a digest of that text.  A
 * binary stream's header carries the chain of stages that produced it, and
 * a model file carries the chain it was trained after, so a program can
 * tell where any input stands and replay exactly the stages it still needs.
 */
#ifndef ML_STAGE_H
#define ML_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/ml_columns.h"
#include "core/ml_error.h"
#include "core/ml_text.h"
#include "core/ml_util.h"

typedef struct ml_stage ml_stage;
typedef struct ml_chain ml_chain;

void ml_stage_free(ml_stage *stage);
/* "load", "scale", "poly", ... */
const char *ml_stage_kind_name(const ml_stage *stage);
const ml_columns *ml_stage_inputs(const ml_stage *stage);
const ml_columns *ml_stage_outputs(const ml_stage *stage);
/* in holds n_rows rows of inputs, out receives n_rows rows of outputs. */
void ml_stage_apply(const ml_stage *stage, const double *in, size_t n_rows, double *out);
/* Appends the stage's text section ("stage KIND" ... "end"). */
void ml_stage_write(const ml_stage *stage, ml_buf *out);
/* FNV-1a 64 of the stage's text: equal digests, equal stages. */
uint64_t ml_stage_digest(const ml_stage *stage);

ml_chain *ml_chain_create(ml_error *err);
void ml_chain_free(ml_chain *chain);
ml_chain *ml_chain_copy(const ml_chain *chain, ml_error *err);
size_t ml_chain_length(const ml_chain *chain);
const ml_stage *ml_chain_stage(const ml_chain *chain, size_t index);
/*
 * The widest row met while applying stages first.. of chain to rows
 * start_width wide: what a scratch block must hold per row.
 */
size_t ml_chain_widest(const ml_chain *chain, size_t first, size_t start_width);
/*
 * Applies stages first.. of chain to a block of n_rows rows: in holds them
 * as stage first takes them and is overwritten, spare has room for as many
 * rows of the widest width on the way (ml_chain_widest), out (neither of
 * the two) gets the rows the last stage makes.  With no stage left to
 * apply, out must be in itself: nothing moves.
 */
void ml_chain_apply(const ml_chain *chain, size_t first, double *in, double *spare,
		    size_t n_rows, double *out);
/*
 * Appends stage, taking ownership (freed here on failure).  Its inputs must
 * be the previous stage's outputs.
 */
int ml_chain_append(ml_chain *chain, ml_stage *stage, ml_error *err);
/* Appends every stage's text section. */
void ml_chain_write(const ml_chain *chain, ml_buf *out);
/*
 * Parses consecutive stage sections.  Stops before the first line that is
 * not "stage ...", leaving the reader there; *stopped_at is that line
 * (n_tokens 0 at the end of the text).
 */
int ml_chain_parse(ml_chain *chain, ml_text_reader *reader, ml_text_line *stopped_at,
		   ml_error *err);
/* Parses a text that holds only stage sections (a binary header's). */
ml_chain *ml_chain_parse_text(const char *text, size_t length, const char *source,
			      ml_error *err);

/*
 * Where does data that went through `done` stand relative to `wanted`?
 * When done is a prefix of wanted, *next is the index of the first stage
 * still to apply.  Otherwise err says which stage differs and why;
 * `wanted_name` names the file wanted came from, for the message.
 */
int ml_chain_locate(const ml_chain *wanted, const ml_chain *done, const char *wanted_name,
		    size_t *next, ml_error *err);

/*
 * Class names of the target, as the chain's load stage recorded them, or
 * NULL (and *count 0) when the target is numeric or there is no load stage.
 */
char *const *ml_chain_class_names(const ml_chain *chain, size_t *count);

#endif
