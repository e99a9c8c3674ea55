/*
 * ml_dataset: a whole matrix in memory, with its columns and the stage
 * chain that produced it.  What fitting a stage or a model reads.
 */
#ifndef ML_DATASET_H
#define ML_DATASET_H

#include <stddef.h>

#include "ml_columns.h"
#include "ml_stage.h"

typedef struct ml_dataset {
	ml_columns columns;
	ml_chain *chain;
	size_t n_rows;
	double *values; /* n_rows x columns.count, row-major */
} ml_dataset;

void ml_dataset_free(ml_dataset *dataset);

#endif
