/*
 * Fuzzes ml-eval's reading of a table of truths and predictions.  Input:
 * one option byte (the task; whether the prediction column is "p"), the
 * truth column's name and a newline (an empty name: the binary header's
 * target), then the table, CSV or binary.  A table that is scored gives each of
 * the three reports; a classification's confusion matrix counts every
 * row once.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "serve/ml_eval.h"

static void check_evaluation(const ml_evaluation *evaluation)
{
	static const ml_eval_format formats[] = { ML_EVAL_TABLE, ML_EVAL_JSON, ML_EVAL_CSV };
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		ml_buf out;
		ml_buf_init(&out);
		ml_evaluation_format(evaluation, formats[i], &out);
		FUZZ_CHECK(!out.failed);
		ml_buf_free(&out);
	}
	size_t n_scores;
	const ml_eval_score *scores = ml_evaluation_scores(evaluation, &n_scores);
	for (size_t i = 0; i < n_scores; i++)
		FUZZ_CHECK(scores[i].metric != NULL);
	if (ml_evaluation_task(evaluation) != ML_EVAL_CLASSIFICATION)
		return;
	size_t n_classes;
	char *const *classes = ml_evaluation_classes(evaluation, &n_classes);
	const double *confusion = ml_evaluation_confusion(evaluation);
	FUZZ_CHECK(classes != NULL || n_classes == 0);
	double total = 0;
	for (size_t i = 0; i < n_classes * n_classes; i++)
		total += confusion[i];
	FUZZ_CHECK(total == (double)ml_evaluation_rows(evaluation));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	static const ml_eval_task tasks[] = {
		ML_EVAL_AUTO, ML_EVAL_CLASSIFICATION, ML_EVAL_REGRESSION, ML_EVAL_CLUSTERING,
	};
	const uint8_t *newline = memchr(data + 1, '\n', size - 1);
	if (!newline)
		return 0;
	size_t name_length = (size_t)(newline - data) - 1;
	char truth[64];
	if (name_length >= sizeof truth)
		return 0;
	memcpy(truth, data + 1, name_length);
	truth[name_length] = '\0';
	ml_eval_options options;
	ml_eval_options_init(&options);
	options.task = tasks[data[0] & 3];
	options.truth = name_length ? truth : NULL;
	if (data[0] & 4)
		options.prediction = "p";
	fuzz_file file;
	size_t offset = name_length + 2;
	if (fuzz_file_open(&file, data + offset, size - offset) < 0)
		return 0;
	ml_error err;
	ml_evaluation *evaluation = ml_evaluate(file.path, &options, &err);
	if (evaluation)
		check_evaluation(evaluation);
	ml_evaluation_free(evaluation);
	fuzz_file_close(&file);
	return 0;
}
