/*
 * ml_logistic: logistic regression (ml-fit logistic) and the L-BFGS
 * minimiser that trains it.
 *
 * The objective is scikit-learn's LogisticRegression(solver="lbfgs"):
 * the sum over rows of (class-weighted) log-losses plus ||W||^2 / (2C),
 * the intercepts not penalised.  Two classes fit one coefficient vector
 * (the log-odds of the second class); more fit the full multinomial
 * (softmax) model with one vector per class.  The optimiser starts from
 * zero, like scikit-learn's, which keeps the multinomial intercepts (free
 * up to a common shift) summing to zero, so both land on the same answer.
 *
 * The minimiser is math/ml_lbfgs.
 */
#ifndef ML_LOGISTIC_H
#define ML_LOGISTIC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"

#endif
