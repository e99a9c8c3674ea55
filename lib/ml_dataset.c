#include "ml_dataset.h"

#include <stdlib.h>
#include <string.h>

void ml_dataset_free(ml_dataset *dataset)
{
	if (!dataset)
		return;
	ml_columns_free(&dataset->columns);
	ml_chain_free(dataset->chain);
	free(dataset->values);
	memset(dataset, 0, sizeof *dataset);
}
