#include "stages/ml_stage_impl.h"

#include <stdlib.h>
#include <string.h>

/* Every kind a stage section may name. */
static const ml_stage_kind *const stage_kinds[] = {
	&ml_load_stage_kind,
	&ml_poly_stage_kind,
	&ml_scale_stage_kind,
};

#define N_STAGE_KINDS (sizeof stage_kinds / sizeof stage_kinds[0])

struct ml_chain {
	ml_stage **stages;
	size_t length;
};

ml_stage *ml_stage_new(const ml_stage_kind *kind, const ml_columns *inputs, void *params,
		       ml_error *err)
{
	ml_stage *stage = calloc(1, sizeof *stage);
	if (!stage) {
		if (params)
			kind->free_params(params);
		ml_error_nomem(err);
		return NULL;
	}
	stage->kind = kind;
	stage->params = params;
	stage->inputs.target = stage->outputs.target = ML_NO_COLUMN;
	if (inputs && ml_columns_copy(&stage->inputs, inputs, err) < 0) {
		ml_stage_free(stage);
		return NULL;
	}
	return stage;
}

ml_stage *ml_stage_finish(ml_stage *stage, ml_error *err)
{
	if (!stage)
		return NULL;
	ml_columns_free(&stage->outputs);
	if (stage->kind->derive_outputs(stage, err) < 0) {
		ml_stage_free(stage);
		return NULL;
	}
	return stage;
}

void ml_stage_free(ml_stage *stage)
{
	if (!stage)
		return;
	if (stage->params)
		stage->kind->free_params(stage->params);
	ml_columns_free(&stage->inputs);
	ml_columns_free(&stage->outputs);
	free(stage);
}

const char *ml_stage_kind_name(const ml_stage *stage)
{
	return stage->kind->name;
}

const ml_columns *ml_stage_inputs(const ml_stage *stage)
{
	return &stage->inputs;
}

const ml_columns *ml_stage_outputs(const ml_stage *stage)
{
	return &stage->outputs;
}

void ml_stage_apply(const ml_stage *stage, const double *in, size_t n_rows, double *out)
{
	stage->kind->apply(stage, in, n_rows, out);
}

size_t ml_chain_widest(const ml_chain *chain, size_t first, size_t start_width)
{
	size_t widest = start_width;
	for (size_t i = first; i < ml_chain_length(chain); i++) {
		size_t width = ml_stage_outputs(ml_chain_stage(chain, i))->count;
		if (width > widest)
			widest = width;
	}
	return widest;
}

void ml_chain_apply(const ml_chain *chain, size_t first, double *in, double *spare,
		    size_t n_rows, double *out)
{
	size_t n_stages = ml_chain_length(chain);
	for (size_t i = first; i < n_stages && n_rows > 0; i++) {
		/* The last stage writes into out; the others alternate between in and spare. */
		double *target = i + 1 == n_stages ? out : spare;
		ml_stage_apply(ml_chain_stage(chain, i), in, n_rows, target);
		spare = in;
		in = target;
	}
}

void ml_stage_write(const ml_stage *stage, ml_buf *out)
{
	ml_text_write_word(out, "stage", stage->kind->name);
	ml_columns_write(out, "inputs", &stage->inputs);
	ml_columns_write_target(out, &stage->inputs);
	stage->kind->write(stage, out);
	ml_text_write_end(out);
}

uint64_t ml_stage_digest(const ml_stage *stage)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_stage_write(stage, &text);
	uint64_t digest = ml_hash_bytes(ML_HASH_INIT, text.data, text.length);
	ml_buf_free(&text);
	return digest;
}

static const ml_stage_kind *find_kind(const char *name)
{
	for (size_t i = 0; i < N_STAGE_KINDS; i++)
		if (strcmp(stage_kinds[i]->name, name) == 0)
			return stage_kinds[i];
	return NULL;
}

static int parse_inputs(ml_stage *stage, ml_text_reader *reader, ml_error *err)
{
	ml_columns_free(&stage->inputs);
	if (ml_columns_read(reader, "inputs", 1, &stage->inputs, err) < 0)
		return -1;
	return ml_columns_read_target(reader, &stage->inputs, true, err);
}

/* Parses one section, its "stage KIND" line already read. */
static ml_stage *parse_stage(ml_text_reader *reader, const ml_text_line *head, ml_error *err)
{
	if (head->n_tokens != 2) {
		ml_text_fail(reader, head, err, "expected 'stage KIND'");
		return NULL;
	}
	const ml_stage_kind *kind = find_kind(head->tokens[1]);
	if (!kind) {
		ml_text_fail(reader, head, err, "unknown stage kind '%s'", head->tokens[1]);
		return NULL;
	}
	ml_stage *stage = ml_stage_new(kind, NULL, NULL, err);
	if (!stage)
		return NULL;
	if (parse_inputs(stage, reader, err) < 0 || kind->parse(stage, reader, err) < 0) {
		ml_stage_free(stage);
		return NULL;
	}
	stage = ml_stage_finish(stage, err);
	if (!stage)
		ml_error_prefix(err, "%s:%zu: stage '%s'", ml_text_source(reader), head->number,
				kind->name);
	return stage;
}

ml_chain *ml_chain_create(ml_error *err)
{
	ml_chain *chain = calloc(1, sizeof *chain);
	if (!chain)
		ml_error_nomem(err);
	return chain;
}

void ml_chain_free(ml_chain *chain)
{
	if (!chain)
		return;
	for (size_t i = 0; i < chain->length; i++)
		ml_stage_free(chain->stages[i]);
	free(chain->stages);
	free(chain);
}

size_t ml_chain_length(const ml_chain *chain)
{
	return chain ? chain->length : 0;
}

const ml_stage *ml_chain_stage(const ml_chain *chain, size_t index)
{
	return chain->stages[index];
}

int ml_chain_append(ml_chain *chain, ml_stage *stage, ml_error *err)
{
	if (chain->length > 0 && !stage->kind->apply) {
		/* It has no apply: it reads text, which only the first stage gets. */
		ml_error_set(err, "stage '%s' can only come first (it reads CSV text)",
			     stage->kind->name);
		ml_stage_free(stage);
		return -1;
	}
	if (chain->length > 0) {
		const ml_columns *previous = &chain->stages[chain->length - 1]->outputs;
		if (!ml_columns_same_names(previous, &stage->inputs)) {
			ml_error_set(err, "stage '%s' does not take the columns stage '%s' gives",
				     stage->kind->name, chain->stages[chain->length - 1]->kind->name);
			ml_stage_free(stage);
			return -1;
		}
	}
	ml_stage **stages = ml_realloc_array(chain->stages, chain->length + 1,
					     sizeof *stages, err);
	if (!stages) {
		ml_stage_free(stage);
		return -1;
	}
	chain->stages = stages;
	chain->stages[chain->length++] = stage;
	return 0;
}

void ml_chain_write(const ml_chain *chain, ml_buf *out)
{
	for (size_t i = 0; i < ml_chain_length(chain); i++)
		ml_stage_write(chain->stages[i], out);
}

int ml_chain_parse(ml_chain *chain, ml_text_reader *reader, ml_text_line *stopped_at,
		   ml_error *err)
{
	for (;;) {
		int got = ml_text_next(reader, stopped_at, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			stopped_at->n_tokens = 0;
			return 0;
		}
		if (!ml_text_is(stopped_at, "stage"))
			return 0;
		size_t number = stopped_at->number;
		ml_stage *stage = parse_stage(reader, stopped_at, err);
		if (!stage)
			return -1;
		if (ml_chain_append(chain, stage, err) < 0) {
			ml_error_prefix(err, "%s:%zu", ml_text_source(reader), number);
			return -1;
		}
	}
}

ml_chain *ml_chain_parse_text(const char *text, size_t length, const char *source,
			      ml_error *err)
{
	ml_chain *chain = ml_chain_create(err);
	ml_text_reader *reader = ml_text_reader_create(text, length, source, 1, err);
	ml_text_line stopped_at;
	int status = chain && reader ? ml_chain_parse(chain, reader, &stopped_at, err) : -1;
	if (status == 0 && stopped_at.n_tokens > 0)
		status = ml_text_fail(reader, &stopped_at, err, "expected 'stage', found '%s'",
				      stopped_at.tokens[0]);
	ml_text_reader_free(reader);
	if (status < 0) {
		ml_chain_free(chain);
		return NULL;
	}
	return chain;
}

ml_chain *ml_chain_copy(const ml_chain *chain, ml_error *err)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_chain_write(chain, &text);
	if (text.failed) {
		ml_buf_free(&text);
		ml_error_nomem(err);
		return NULL;
	}
	ml_chain *copy = ml_chain_parse_text(text.data ? text.data : "", text.length,
					     "stage chain", err);
	ml_buf_free(&text);
	return copy;
}

int ml_chain_locate(const ml_chain *wanted, const ml_chain *done, const char *wanted_name,
		    size_t *next, ml_error *err)
{
	size_t n_wanted = ml_chain_length(wanted), n_done = ml_chain_length(done);
	for (size_t i = 0; i < n_done; i++) {
		const ml_stage *have = done->stages[i];
		if (i >= n_wanted) {
			ml_error_set(err, "the input went through %zu stages but '%s' has only %zu;"
				     " stage %zu ('%s') is not part of it",
				     n_done, wanted_name, n_wanted, i + 1, have->kind->name);
			return -1;
		}
		const ml_stage *want = wanted->stages[i];
		if (strcmp(have->kind->name, want->kind->name) != 0) {
			ml_error_set(err, "stage %zu of the input is '%s' where '%s' has '%s'",
				     i + 1, have->kind->name, wanted_name, want->kind->name);
			return -1;
		}
		if (ml_stage_digest(have) != ml_stage_digest(want)) {
			ml_error_set(err, "stage %zu ('%s') of the input was fitted differently from"
				     " the one in '%s'; apply that one with --load instead of"
				     " fitting a new one",
				     i + 1, have->kind->name, wanted_name);
			return -1;
		}
	}
	*next = n_done;
	return 0;
}

char *const *ml_chain_class_names(const ml_chain *chain, size_t *count)
{
	*count = 0;
	for (size_t i = 0; i < ml_chain_length(chain); i++)
		if (chain->stages[i]->kind->class_names)
			return chain->stages[i]->kind->class_names(chain->stages[i], count);
	return NULL;
}
