/*
 * Fuzzes reading stage and model files (mlpipe-model(5)): the version
 * line, metadata, the text tokenizer, every stage parser and every
 * estimator section.  A chain that parses writes back to text that parses
 * to the same stages, its copy is the same, and it stands at its own end
 * (ml_chain_locate).  A model that reads writes back to text that reads
 * to the same text, is described, and predicts a row.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "core/ml_file.h"
#include "models/ml_model.h"
#include "stages/ml_pipefile.h"

/* Rows of a fuzzed model predicted at most: its width is the file's to choose. */
#define FUZZ_MAX_PREDICT_WIDTH ((size_t)1 << 16)
/* Rows predicted per model: ordinary, huge, infinite and missing values mixed. */
#define FUZZ_ROWS 6
#define FUZZ_MAX_PREDICT_VALUES ((size_t)1 << 18)

/*
 * A model that read predicts in bounded time (a tree that passed the reader
 * cannot make a walk loop) and gives every class a row can have.
 */
static void check_predictions(const ml_model *model)
{
	size_t width = ml_model_columns(model)->count, n_classes = ml_model_n_classes(model);
	if (width > FUZZ_MAX_PREDICT_WIDTH || n_classes * FUZZ_ROWS > FUZZ_MAX_PREDICT_VALUES)
		return;
	static const double values[] = { 0, 1, -1e300, 1e300, NAN, 2.5, -0.0, INFINITY };
	size_t n_values = sizeof values / sizeof values[0];
	double *rows = malloc(FUZZ_ROWS * (width ? width : 1) * sizeof *rows);
	double *probabilities = malloc(FUZZ_ROWS * (n_classes ? n_classes : 1) * sizeof *rows);
	double predictions[FUZZ_ROWS];
	FUZZ_CHECK(rows && probabilities);
	for (size_t i = 0; i < FUZZ_ROWS * width; i++)
		rows[i] = values[(i * 7 + i / width) % n_values];
	ml_task task = ml_model_task(model);
	ml_clustering clustering;
	ml_error err;
	if (task == ML_TASK_CLUSTERING)
		FUZZ_CHECK(ml_model_clustering(model, &clustering, &err) == 0);
	/* Clustering models take finite rows only: give them the first row's zeros. */
	size_t n_rows = task == ML_TASK_CLUSTERING ? 1 : FUZZ_ROWS;
	if (task == ML_TASK_CLUSTERING)
		for (size_t c = 0; c < width; c++)
			rows[c] = 0;
	if (ml_model_predict(model, rows, n_rows, predictions,
			     n_classes ? probabilities : NULL, NULL, &err) == 0) {
		for (size_t r = 0; r < n_rows; r++) {
			if (task == ML_TASK_CLUSTERING)
				FUZZ_CHECK(predictions[r] >= 0 &&
					   predictions[r] < (double)clustering.n_clusters);
			else if (task == ML_TASK_CLASSIFICATION)
				FUZZ_CHECK(predictions[r] >= 0 && predictions[r] < (double)n_classes);
		}
	}
	free(rows);
	free(probabilities);
}

static void check_model(const char *path)
{
	ml_error err;
	ml_model *model = ml_model_read(path, &err);
	if (!model)
		return;
	ml_buf text, again_text, description;
	ml_buf_init(&text);
	ml_buf_init(&again_text);
	ml_buf_init(&description);
	ml_model_write(model, &text);
	FUZZ_CHECK(!text.failed);
	fuzz_file again_file;
	FUZZ_CHECK(fuzz_file_open(&again_file, text.data, text.length) == 0);
	ml_model *again = ml_model_read(again_file.path, &err);
	FUZZ_CHECK(again != NULL);
	ml_model_write(again, &again_text);
	FUZZ_CHECK(again_text.length == text.length &&
		   memcmp(again_text.data, text.data, text.length) == 0);
	ml_model_describe(model, &description);
	FUZZ_CHECK(!description.failed);
	ml_clustering clustering;
	if (ml_model_task(model) == ML_TASK_CLUSTERING) {
		FUZZ_CHECK(ml_model_clustering(model, &clustering, &err) == 0);
		FUZZ_CHECK(clustering.n_distinct >= 1 &&
			   clustering.n_distinct <= clustering.n_clusters);
	}
	check_predictions(model);
	fuzz_file_close(&again_file);
	ml_buf_free(&text);
	ml_buf_free(&again_text);
	ml_buf_free(&description);
	ml_model_free(again);
	ml_model_free(model);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_file file;
	if (fuzz_file_open(&file, data, size) < 0)
		return 0;
	ml_error err;
	ml_pipefile *pipefile = ml_pipefile_open(file.path, &err);
	if (pipefile) {
		for (size_t i = 0; i < ml_pipefile_n_meta(pipefile); i++)
			FUZZ_CHECK(ml_pipefile_meta(pipefile, i) != NULL);
		ml_pipefile_expect_end(pipefile, &err);
		const ml_chain *chain = ml_pipefile_chain(pipefile);
		size_t n = ml_chain_length(chain);
		ml_buf text;
		ml_buf_init(&text);
		ml_chain_write(chain, &text);
		FUZZ_CHECK(!text.failed);
		ml_chain *again = ml_chain_parse_text(text.data ? text.data : "", text.length,
						      "written", &err);
		FUZZ_CHECK(again != NULL);
		FUZZ_CHECK(ml_chain_length(again) == n);
		for (size_t i = 0; i < n; i++) {
			const ml_stage *a = ml_chain_stage(chain, i), *b = ml_chain_stage(again, i);
			FUZZ_CHECK(ml_stage_digest(a) == ml_stage_digest(b));
			FUZZ_CHECK(ml_columns_same_names(ml_stage_outputs(a), ml_stage_outputs(b)));
		}
		ml_chain *copy = ml_chain_copy(chain, &err);
		FUZZ_CHECK(copy != NULL);
		size_t next;
		FUZZ_CHECK(ml_chain_locate(chain, copy, "fuzz", &next, &err) == 0 && next == n);
		size_t n_classes;
		ml_chain_class_names(chain, &n_classes);
		ml_chain_free(copy);
		ml_chain_free(again);
		ml_buf_free(&text);
		ml_pipefile_close(pipefile);
	}
	check_model(file.path);
	fuzz_file_close(&file);
	return 0;
}
