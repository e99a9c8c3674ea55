/*
 * Fuzzes reading model files (mlpipe-model(5)): the chain, the estimator
 * section's common lines and every kind's own lines, trees above all
 * (cycles, depth, counts, thresholds).  A model that reads writes back to
 * text that reads to a model writing the same text, and it predicts rows
 * of ordinary, huge and missing values in bounded time: a tree that passed
 * the reader cannot make a walk loop.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "models/ml_model.h"

/* Rows predicted per model; wider models are only read and written. */
#define ROWS 6
#define MAX_WIDTH 4096

static void check_predictions(const ml_model *model)
{
	const ml_columns *columns = ml_model_columns(model);
	size_t width = columns->count, n_classes = ml_model_n_classes(model);
	if (width > MAX_WIDTH)
		return;
	static const double values[] = { 0, 1, -1e300, 1e300, NAN, 2.5, -0.0, INFINITY };
	double *rows = malloc(ROWS * width * sizeof *rows);
	double *probabilities = malloc(ROWS * (n_classes ? n_classes : 1) * sizeof *rows);
	double predictions[ROWS];
	FUZZ_CHECK(rows && probabilities);
	for (size_t i = 0; i < ROWS * width; i++)
		rows[i] = values[(i * 7 + i / width) % (sizeof values / sizeof values[0])];
	ml_error err;
	if (ml_model_predict(model, rows, ROWS, predictions, n_classes ? probabilities : NULL,
			     NULL, &err) == 0 && ml_model_task(model) == ML_TASK_CLASSIFICATION) {
		for (size_t r = 0; r < ROWS; r++)
			FUZZ_CHECK(predictions[r] >= 0 && predictions[r] < (double)n_classes);
	}
	free(rows);
	free(probabilities);
}

static void write_model(const ml_model *model, ml_buf *text)
{
	ml_buf_init(text);
	ml_model_write(model, text);
	FUZZ_CHECK(!text->failed && text->data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_file file;
	if (fuzz_file_open(&file, data, size) < 0)
		return 0;
	ml_error err;
	ml_model *model = ml_model_read(file.path, &err);
	if (model) {
		ml_buf text, again_text, description;
		write_model(model, &text);
		fuzz_file again;
		FUZZ_CHECK(fuzz_file_open(&again, text.data, text.length) == 0);
		ml_model *back = ml_model_read(again.path, &err);
		FUZZ_CHECK(back != NULL);
		write_model(back, &again_text);
		FUZZ_CHECK(again_text.length == text.length &&
			   memcmp(again_text.data, text.data, text.length) == 0);
		check_predictions(model);
		ml_buf_init(&description);
		ml_model_describe(model, &description);
		ml_buf_free(&description);
		ml_buf_free(&again_text);
		ml_buf_free(&text);
		ml_model_free(back);
		fuzz_file_close(&again);
		ml_model_free(model);
	}
	fuzz_file_close(&file);
	return 0;
}
