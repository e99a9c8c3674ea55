#include "stages/ml_dataset.h"

#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"

void ml_dataset_free(ml_dataset *dataset)
{
	if (!dataset)
		return;
	ml_columns_free(&dataset->columns);
	ml_chain_free(dataset->chain);
	free(dataset->values);
	free(dataset->lines);
	memset(dataset, 0, sizeof *dataset);
}

int ml_dataset_apply(ml_dataset *dataset, ml_stage *stage, ml_error *err)
{
	if (dataset->encoder) {
		/* Never: encode_on_write is for callers that only write the data. */
		ml_stage_free(stage);
		ml_error_set(err, "the data is not encoded yet (encode_on_write)");
		return -1;
	}
	const ml_columns *outputs = ml_stage_outputs(stage);
	size_t cells;
	double *values = NULL;
	ml_columns columns = { 0 };
	if (!ml_size_mul(dataset->n_rows, outputs->count, &cells)) {
		ml_stage_free(stage);
		return ml_error_nomem(err);
	}
	if (!(values = ml_alloc_array(cells ? cells : 1, sizeof *values, err)) ||
	    ml_columns_copy(&columns, outputs, err) < 0) {
		free(values);
		ml_stage_free(stage);
		return -1;
	}
	if (!dataset->chain && !(dataset->chain = ml_chain_create(err))) {
		free(values);
		ml_columns_free(&columns);
		ml_stage_free(stage);
		return -1;
	}
	ml_stage_apply(stage, dataset->values, dataset->n_rows, values);
	if (ml_chain_append(dataset->chain, stage, err) < 0) {
		free(values);
		ml_columns_free(&columns);
		return -1;
	}
	free(dataset->values);
	ml_columns_free(&dataset->columns);
	dataset->values = values;
	dataset->columns = columns;
	return 0;
}
