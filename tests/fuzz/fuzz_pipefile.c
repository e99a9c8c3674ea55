/*
 * Fuzzes reading stage and model files (mlpipe-model(5)): the version
 * line, metadata, the text tokenizer and every stage parser.  A chain
 * that parses writes back to text that parses to the same stages, its
 * copy is the same, and it stands at its own end (ml_chain_locate).
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "core/ml_file.h"
#include "stages/ml_pipefile.h"

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
	fuzz_file_close(&file);
	return 0;
}
