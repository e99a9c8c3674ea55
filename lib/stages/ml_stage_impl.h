/*
 * Internal to lib/: what a kind of stage implements.  Modules that define a
 * kind (ml_load.c, ml_scale.c, ml_poly.c) include this; nothing else does.
 */
#ifndef ML_STAGE_IMPL_H
#define ML_STAGE_IMPL_H

#include "stages/ml_stage.h"

typedef struct ml_stage_kind {
	const char *name;
	/* Fills stage->outputs from stage->inputs and the parameters. */
	int (*derive_outputs)(ml_stage *stage, ml_error *err);
	void (*apply)(const ml_stage *stage, const double *in, size_t n_rows, double *out);
	/* Writes the kind's own lines, between the common ones and "end". */
	void (*write)(const ml_stage *stage, ml_buf *out);
	/* Reads the kind's own lines up to and including "end". */
	int (*parse)(ml_stage *stage, ml_text_reader *reader, ml_error *err);
	void (*free_params)(void *params);
	/*
	 * A stage that encodes the target as classes names them (NULL and
	 * *count 0 when its target is numeric); NULL for kinds that never do.
	 */
	char *const *(*class_names)(const ml_stage *stage, size_t *count);
} ml_stage_kind;

struct ml_stage {
	const ml_stage_kind *kind;
	ml_columns inputs;
	ml_columns outputs;
	void *params;
};

/* A new stage of kind with a copy of inputs and the given params (owned). */
ml_stage *ml_stage_new(const ml_stage_kind *kind, const ml_columns *inputs, void *params,
		       ml_error *err);
/* Calls kind->derive_outputs; frees the stage on failure. */
ml_stage *ml_stage_finish(ml_stage *stage, ml_error *err);

extern const ml_stage_kind ml_load_stage_kind;
extern const ml_stage_kind ml_poly_stage_kind;
extern const ml_stage_kind ml_scale_stage_kind;

#endif
