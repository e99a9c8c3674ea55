/*
 * ml_dataset: a whole matrix in memory, with its columns and the stage
 * chain that produced it.  What fitting a stage or a model reads.
 */
#ifndef ML_DATASET_H
#define ML_DATASET_H

#include <stddef.h>

#include "core/ml_columns.h"
#include "stages/ml_stage.h"

typedef struct ml_dataset {
	ml_columns columns;
	ml_chain *chain;
	size_t n_rows;
	double *values; /* n_rows x columns.count, row-major */
	size_t *lines;  /* read from CSV: the line each row starts on, for messages; or NULL */
	size_t n_dropped; /* rows left out when reading (a missing target, when asked) */
	/*
	 * Not NULL: values are not encoded yet, one cell per input of this
	 * load stage (in chain), expanded as they are written
	 * (ml_load_options.encode_on_write, ml_load_encode_rows).
	 */
	const ml_stage *encoder;
} ml_dataset;

void ml_dataset_free(ml_dataset *dataset);

/*
 * Applies a freshly fitted stage to the whole dataset and appends it to the
 * dataset's chain (taking ownership of stage, freed on failure): how ml-scale
 * and ml-poly transform the data they were fitted on.
 */
int ml_dataset_apply(ml_dataset *dataset, ml_stage *stage, ml_error *err);

#endif
