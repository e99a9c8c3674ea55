/*
 * Fuzzes the parsing of ml-serve's request bodies (ml_request): JSON in
 * every shape and CSV, against a classifier and a regression model read
 * from tests/fixtures/models (run from the top directory).  Input: one
 * option byte, then the body.  Bit 0: CSV; bit 1: probabilities; bit 2:
 * the regression model; bit 3: at most 2 rows.  Besides not crashing: an
 * answer is JSON with one prediction per row answered, and a refusal has
 * the status of a client error (or 413 for rows) and a message that the
 * server's {"error": "..."} carries whole.  And the two JSON readers agree:
 * the one-pass scanner (which leaves what it cannot answer to cJSON) and
 * cJSON's tree alone give the same answer, or the same status and
 * message, byte for byte.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <cjson/cJSON.h>

#include "serve/ml_request.h"

enum { CSV = 1 << 0, PROBA = 1 << 1, REGRESSION = 1 << 2, FEW_ROWS = 1 << 3 };

static ml_model *models[2];
static ml_request_schema *schemas[2];

static void load_models(void)
{
	static const char *const paths[2] = {
		"tests/fixtures/models/logistic-multinomial.model",
		"tests/fixtures/models/linear.model",
	};
	ml_error err;
	for (int i = 0; i < 2; i++) {
		if (models[i])
			continue;
		models[i] = ml_model_read(paths[i], &err);
		if (!models[i]) {
			fprintf(stderr, "fuzz_request: %s (run from the top directory)\n", err.message);
			abort();
		}
		schemas[i] = ml_request_schema_create(models[i], &err);
		FUZZ_CHECK(schemas[i] != NULL);
	}
}

static void check_answer(const char *text, size_t length, size_t n_rows, bool proba)
{
	cJSON *root = cJSON_ParseWithLength(text, length);
	FUZZ_CHECK(root != NULL);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "predictions");
	if (list) {
		FUZZ_CHECK((size_t)cJSON_GetArraySize(list) == n_rows);
		const cJSON *probabilities = cJSON_GetObjectItemCaseSensitive(root, "probabilities");
		FUZZ_CHECK(!proba || (size_t)cJSON_GetArraySize(probabilities) == n_rows);
	} else {
		FUZZ_CHECK(n_rows == 1 && cJSON_GetObjectItemCaseSensitive(root, "prediction"));
	}
	cJSON_Delete(root);
}

/* The message as the server sends it, {"error": "..."}, parses back to itself. */
static void check_error_json(const char *message)
{
	ml_buf text;
	ml_buf_init(&text);
	ml_buf_puts(&text, "{\"error\":");
	ml_json_put_string(&text, message);
	ml_buf_putc(&text, '}');
	FUZZ_CHECK(!text.failed);
	cJSON *root = cJSON_ParseWithLength(text.data, text.length);
	FUZZ_CHECK(root != NULL);
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
	FUZZ_CHECK(cJSON_IsString(error) && strcmp(error->valuestring, message) == 0);
	cJSON_Delete(root);
	ml_buf_free(&text);
}

/* The same request through cJSON's tree alone: the same outcome to the byte. */
static void check_tree_agrees(int which, const ml_request_options *options, const char *body,
			      size_t length, int result, const ml_buf *answer, size_t n_rows,
			      int status, const ml_error *err)
{
	ml_request_options tree = *options;
	tree.tree_only = true;
	ml_buf tree_answer;
	ml_buf_init(&tree_answer);
	ml_error tree_err;
	size_t tree_rows;
	int tree_status = 0;
	int tree_result = ml_request_answer(schemas[which], &tree, body, length, &tree_answer,
					    &tree_rows, &tree_status, &tree_err);
	FUZZ_CHECK(tree_result == result);
	if (result == 0) {
		FUZZ_CHECK(tree_rows == n_rows && tree_answer.length == answer->length);
		FUZZ_CHECK(memcmp(tree_answer.data, answer->data, answer->length) == 0);
	} else {
		FUZZ_CHECK(tree_status == status);
		FUZZ_CHECK(strcmp(tree_err.message, err->message) == 0);
	}
	ml_buf_free(&tree_answer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	load_models();
	uint8_t flags = data[0];
	int which = (flags & REGRESSION) ? 1 : 0;
	ml_request_options options;
	ml_request_options_init(&options);
	options.format = (flags & CSV) ? ML_BODY_CSV : ML_BODY_JSON;
	/* Probabilities are refused for regression before a body is parsed. */
	options.probabilities = (flags & PROBA) && which == 0;
	if (flags & FEW_ROWS)
		options.max_rows = 2;
	ml_buf answer;
	ml_buf_init(&answer);
	ml_error err;
	size_t n_rows;
	int status = 0;
	const char *body = (const char *)data + 1;
	int result = ml_request_answer(schemas[which], &options, body, size - 1, &answer, &n_rows,
				       &status, &err);
	if (options.format == ML_BODY_JSON)
		check_tree_agrees(which, &options, body, size - 1, result, &answer, n_rows, status,
				  &err);
	if (result == 0) {
		FUZZ_CHECK(!answer.failed);
		check_answer(answer.data, answer.length, n_rows, options.probabilities);
		FUZZ_CHECK(n_rows <= options.max_rows);
	} else {
		FUZZ_CHECK(status == 400 || status == 413);
		FUZZ_CHECK(err.message[0] != '\0');
		check_error_json(err.message);
	}
	ml_buf_free(&answer);
	return 0;
}
