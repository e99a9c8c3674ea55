/*
 * Fuzzes the CSV reader and the load stage.  Input: two option bytes,
 * then CSV.  The first byte picks options; the second where the bytes
 * handed to the reader as the sniffed prefix end (the format sniffer
 * reads some before the reader starts; its top bit also reads the CSV as
 * ml-predict -l does, where every line after the header must come out as
 * exactly one record, good or bad).  When the fit succeeds: the data
 * written as binary reads back the same, the stage's text parses back to
 * the same stage, and applying that stage to the same CSV gives exactly
 * the fitted rows.
 */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "stages/ml_load.h"

enum {
	NO_HEADER = 1 << 0, ORDINAL = 1 << 1, DELIMITER = 3 << 2, FEW_CATEGORIES = 1 << 4,
	TARGET = 1 << 5, CHOOSE = 1 << 6, OTHER_NA = 1 << 7,
};

/* The source of the reader open_csv made last (one at a time). */
static ml_source *open_source;

/* A reader of the file whose first prefix bytes were peeked at, as sniffing does. */
static ml_csv_reader *open_csv(const fuzz_file *file, size_t prefix, const ml_csv_options *csv,
			       ml_error *err)
{
	const unsigned char *bytes;
	lseek(file->fd, 0, SEEK_SET);
	open_source = ml_source_create(file->fd, "fuzz.csv", err);
	if (!open_source || ml_source_peek(open_source, prefix, &bytes, err) < 0)
		return NULL;
	return ml_csv_reader_create(open_source, "fuzz.csv", csv, err);
}

static void close_csv(ml_csv_reader *reader)
{
	ml_csv_reader_free(reader);
	ml_source_free(open_source);
	open_source = NULL;
}

/* Applies the parsed stage to the CSV again: the rows must be the fitted ones. */
static void check_applied(const ml_dataset *data, const ml_stage *stage, const fuzz_file *file,
			  size_t prefix, const ml_csv_options *csv)
{
	ml_error err;
	ml_csv_reader *reader = open_csv(file, prefix, csv, &err);
	FUZZ_CHECK(reader != NULL);
	ml_load_applier *applier = ml_load_applier_create(stage, ml_csv_reader_columns(reader),
							  "fuzz.csv", &err);
	FUZZ_CHECK(applier != NULL);
	size_t width = data->columns.count, r = 0;
	double *row = malloc((width ? width : 1) * sizeof *row);
	FUZZ_CHECK(row != NULL);
	ml_record record;
	int got;
	while ((got = ml_csv_next(reader, &record, &err)) == 1) {
		FUZZ_CHECK(r < data->n_rows);
		FUZZ_CHECK(ml_load_apply_record(applier, &record, row, &err) == 0);
		for (size_t c = 0; c < width; c++)
			FUZZ_CHECK(same_double(row[c], data->values[r * width + c]));
		r++;
	}
	FUZZ_CHECK(got == 0 && r == data->n_rows);
	const char *worst;
	FUZZ_CHECK(ml_load_unknown_total(applier, &worst) == 0);
	free(row);
	ml_load_applier_free(applier);
	close_csv(reader);
}

/*
 * The service protocol (line_protocol): once the header is read, every
 * line is one record, good or bad, and nothing ends the reading early.
 */
static void check_lines(const fuzz_file *file, const uint8_t *text, size_t size, size_t prefix,
			const ml_csv_options *csv)
{
	ml_csv_options options = *csv;
	options.line_protocol = true;
	options.line_at_a_time = true;
	ml_error err;
	ml_csv_reader *reader = open_csv(file, prefix, &options, &err);
	if (reader) {
		const uint8_t *last = memrchr(text, '\n', size);
		size_t lines = last ? 0 : 1; /* the last line may lack its LF */
		for (size_t i = 0; i < size; i++)
			lines += text[i] == '\n';
		if (last && last + 1 < text + size)
			lines++;
		/* Every line is a record but the header's (read again without a header). */
		size_t expected = options.header ? lines - 1 : lines;
		size_t records = 0;
		ml_record record;
		int got;
		while ((got = ml_csv_next(reader, &record, &err)) == 1 || got == ML_CSV_BAD_RECORD)
			records++;
		FUZZ_CHECK(got == 0);
		FUZZ_CHECK(records == expected);
	}
	close_csv(reader);
}

/*
 * The same fit with the file parsed in chunks of 7 bytes on two threads
 * (numbers converted on them): the same dataset and stage, or the same error.
 */
static void check_parallel(const fuzz_file *file, size_t prefix, const ml_load_options *options,
			   int status, const ml_dataset *fitted, const ml_error *fit_err)
{
	ml_load_options parallel = *options;
	parallel.csv.n_threads = 2;
	parallel.csv.chunk_size = 7;
	ml_error err;
	ml_dataset again;
	ml_csv_reader *reader = open_csv(file, prefix, &parallel.csv, &err);
	FUZZ_CHECK(reader != NULL);
	int again_status = ml_load_fit(reader, &parallel, &again, &err);
	close_csv(reader);
	FUZZ_CHECK(again_status == status);
	if (status == 0) {
		check_same_dataset(fitted, &again);
		FUZZ_CHECK(again.n_dropped == fitted->n_dropped);
		for (size_t r = 0; r < fitted->n_rows; r++)
			FUZZ_CHECK(again.lines[r] == fitted->lines[r]);
		ml_dataset_free(&again);
	} else {
		FUZZ_CHECK(strcmp(err.message, fit_err->message) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delimiters[] = { ',', ';', '\t', '|' };
	if (size < 2 || size > FUZZ_MAX_INPUT)
		return 0;
	uint8_t flags = data[0];
	const uint8_t *text = data + 2;
	size -= 2;
	size_t prefix = data[1] % 16;
	if (prefix > size)
		prefix = size;

	ml_load_options options;
	ml_load_options_init(&options);
	options.csv.header = !(flags & NO_HEADER);
	options.csv.delimiter = delimiters[(flags & DELIMITER) >> 2];
	options.ordinal = flags & ORDINAL;
	if (flags & FEW_CATEGORIES)
		options.max_categories = 3;
	if (flags & CHOOSE) {
		options.keep = "1-3,c2";
		options.drop = "2";
		options.categorical = "1";
	}
	char na_list[] = "-,NA";
	if (flags & OTHER_NA)
		ml_csv_options_set_na(&options.csv, na_list, NULL);

	fuzz_file file;
	if (fuzz_file_open(&file, text, size) < 0)
		return 0;
	if (data[1] & 0x80)
		check_lines(&file, text, size, prefix, &options.csv);
	ml_error err;
	ml_csv_reader *reader = open_csv(&file, prefix, &options.csv, &err);
	if (!reader) {
		close_csv(NULL);
		fuzz_file_close(&file);
		return 0;
	}
	/* The last column as the target: its name is known once the header is read. */
	char *target = NULL;
	const ml_columns *header = ml_csv_reader_columns(reader);
	if ((flags & TARGET) && header->count > 0) {
		target = strdup(header->names[header->count - 1]);
		options.target = target;
	}
	ml_dataset fitted;
	int status = ml_load_fit(reader, &options, &fitted, &err);
	close_csv(reader);
	check_parallel(&file, prefix, &options, status, &fitted, &err);
	if (status == 0) {
		FUZZ_CHECK(ml_chain_length(fitted.chain) == 1);
		check_written_back(&fitted);
		ml_buf stage_text;
		ml_buf_init(&stage_text);
		ml_chain_write(fitted.chain, &stage_text);
		FUZZ_CHECK(!stage_text.failed);
		ml_chain *parsed = ml_chain_parse_text(stage_text.data, stage_text.length, "saved",
						       &err);
		FUZZ_CHECK(parsed != NULL);
		FUZZ_CHECK(ml_chain_length(parsed) == 1);
		const ml_stage *stage = ml_chain_stage(parsed, 0);
		FUZZ_CHECK(ml_stage_digest(stage) == ml_stage_digest(ml_chain_stage(fitted.chain, 0)));
		FUZZ_CHECK(ml_columns_same_names(ml_stage_outputs(stage), &fitted.columns));
		check_applied(&fitted, stage, &file, prefix, &options.csv);
		ml_chain_free(parsed);
		ml_buf_free(&stage_text);
		ml_dataset_free(&fitted);
	}
	free(target);
	fuzz_file_close(&file);
	return 0;
}
