#include "models/ml_estimator.h"

#include <math.h>
#include <string.h>

#include "core/ml_number.h"
#include "models/ml_model_impl.h"

/* The registry: one line per kind, in the order ml-fit --help lists them. */
static const ml_estimator *const estimators[] = {
	&ml_linear_estimator,
	&ml_ridge_estimator,
	&ml_logistic_estimator,
	&ml_tree_estimator,
	&ml_forest_estimator,
	&ml_gbdt_estimator,
	&ml_kmeans_estimator,
	&ml_minibatch_kmeans_estimator,
};

#define N_ESTIMATORS (sizeof estimators / sizeof estimators[0])

size_t ml_estimator_count(void)
{
	return N_ESTIMATORS;
}

const ml_estimator *ml_estimator_at(size_t index)
{
	return index < N_ESTIMATORS ? estimators[index] : NULL;
}

const ml_estimator *ml_estimator_find(const char *name)
{
	for (size_t i = 0; i < N_ESTIMATORS; i++)
		if (strcmp(estimators[i]->name, name) == 0)
			return estimators[i];
	return NULL;
}

void ml_estimator_list(ml_buf *out, unsigned flags)
{
	size_t total = 0, listed = 0;
	for (size_t i = 0; i < N_ESTIMATORS; i++)
		total += (estimators[i]->flags & flags) == flags;
	for (size_t i = 0; i < N_ESTIMATORS; i++) {
		if ((estimators[i]->flags & flags) != flags)
			continue;
		if (listed > 0)
			ml_buf_puts(out, listed + 1 == total ? " or " : ", ");
		ml_buf_puts(out, estimators[i]->name);
		listed++;
	}
}

const char *ml_estimator_name(const ml_estimator *kind)
{
	return kind->name;
}

const char *ml_estimator_summary(const ml_estimator *kind)
{
	return kind->summary;
}

unsigned ml_estimator_flags(const ml_estimator *kind)
{
	return kind->flags;
}

size_t ml_estimator_n_params(const ml_estimator *kind)
{
	return kind->n_params;
}

const ml_param *ml_estimator_param(const ml_estimator *kind, size_t index)
{
	return index < kind->n_params ? &kind->params[index] : NULL;
}

size_t ml_estimator_find_param(const ml_estimator *kind, const char *name)
{
	for (size_t i = 0; i < kind->n_params; i++)
		if (strcmp(kind->params[i].name, name) == 0)
			return i;
	return ML_NO_PARAM;
}

bool ml_param_word_value(const ml_param *param, const char *word, double *value)
{
	if (param->type == ML_PARAM_BOOL) {
		bool yes = strcmp(word, "true") == 0;
		if (!yes && strcmp(word, "false") != 0)
			return false;
		*value = yes;
		return true;
	}
	for (const ml_param_word *w = param->words; w && w->word; w++)
		if (strcmp(w->word, word) == 0) {
			*value = w->value;
			return true;
		}
	return false;
}

/* "'a', 'b' or a number from 1 to 5" for messages. */
static void describe_expected(const ml_param *param, ml_buf *out)
{
	if (param->type == ML_PARAM_BOOL) {
		ml_buf_puts(out, "true or false");
		return;
	}
	bool numbers = param->type != ML_PARAM_CHOICE;
	for (const ml_param_word *w = param->words; w && w->word; w++) {
		bool last = !w[1].word && !numbers;
		ml_buf_printf(out, "%s'%s'", w == param->words ? "" : last ? " or " : ", ", w->word);
	}
	if (!numbers)
		return;
	if (param->words && param->words[0].word)
		ml_buf_puts(out, " or ");
	char low[ML_DOUBLE_BUFSIZE], high[ML_DOUBLE_BUFSIZE];
	ml_format_double(param->min, low);
	ml_format_double(param->max, high);
	const char *what = param->type == ML_PARAM_COUNT ? "a whole number" : "a number";
	if (isinf(param->max))
		ml_buf_printf(out, "%s %s %s", what, param->min_exclusive ? ">" : ">=", low);
	else
		ml_buf_printf(out, "%s from %s%s to %s", what, low,
			      param->min_exclusive ? " (excluded)" : "", high);
}

static bool in_bounds(const ml_param *param, double value)
{
	if (param->min_exclusive ? !(value > param->min) : !(value >= param->min))
		return false;
	return value <= param->max;
}

int ml_param_parse(const ml_param *param, const char *text, double *value, ml_error *err)
{
	if (ml_param_word_value(param, text, value))
		return 0;
	double number;
	bool parsed = false;
	if (param->type == ML_PARAM_REAL) {
		parsed = ml_parse_double(text, strlen(text), &number) && isfinite(number);
	} else if (param->type == ML_PARAM_COUNT) {
		int64_t whole;
		parsed = ml_parse_int64(text, strlen(text), 0, INT64_MAX, &whole);
		number = (double)whole;
	}
	if (parsed && in_bounds(param, number)) {
		*value = number;
		return 0;
	}
	ml_buf expected;
	ml_buf_init(&expected);
	describe_expected(param, &expected);
	ml_error_set(err, "'%s' is not %s", text, expected.data ? expected.data : "valid");
	ml_buf_free(&expected);
	return -1;
}

void ml_param_format(const ml_param *param, double value, ml_buf *out)
{
	if (param->type == ML_PARAM_BOOL) {
		ml_buf_puts(out, value != 0 ? "true" : "false");
		return;
	}
	for (const ml_param_word *w = param->words; w && w->word; w++)
		if (w->value == value) {
			ml_buf_puts(out, w->word);
			return;
		}
	char digits[ML_DOUBLE_BUFSIZE];
	ml_buf_append(out, digits, ml_format_double(value, digits));
}
