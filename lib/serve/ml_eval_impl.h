/*
 * Internal to serve/ml_eval*.c: the evaluation's fields, shared by the
 * scoring (ml_eval.c) and the formatting (ml_eval_format.c).
 */
#ifndef ML_EVAL_IMPL_H
#define ML_EVAL_IMPL_H

#include "core/ml_string_map.h"
#include "serve/ml_eval.h"

struct ml_evaluation {
	ml_eval_task task;
	size_t n_rows;
	unsigned warnings;
	ml_eval_score *scores;
	size_t n_scores;
	ml_string_map classes; /* classification: sorted as np.unique sorts */
	double *confusion;     /* classification: n_classes x n_classes */
	ml_roc_curve *roc;     /* binary classification with probabilities */
	double *truth, *predicted; /* regression */
};

#endif
