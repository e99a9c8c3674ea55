#include "ml_csv.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ml_number.h"
#include "ml_util.h"

#define READ_BLOCK_SIZE ((size_t)1 << 18)
#define WRITE_FLUSH_SIZE ((size_t)1 << 16)
/* libcsv buffers one field at a time: refusing to grow it bounds its memory. */
#define PARSER_BUFFER_LIMIT (ML_MAX_FIELD_LENGTH + 4096)

static const char *const default_na_values[] = { "NA", "NaN", "nan", "?" };

void ml_csv_options_init(ml_csv_options *options)
{
	memset(options, 0, sizeof *options);
	options->delimiter = ',';
	options->header = true;
	options->n_na_values = sizeof default_na_values / sizeof default_na_values[0];
	for (size_t i = 0; i < options->n_na_values; i++)
		options->na_values[i] = default_na_values[i];
}

int ml_csv_options_set_na(ml_csv_options *options, char *list, ml_error *err)
{
	size_t count = 0;
	for (char *item = list;; ) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (*item) {
			if (count == ML_MAX_NA_VALUES) {
				ml_error_set(err, "at most %d missing-value strings", ML_MAX_NA_VALUES);
				return -1;
			}
			options->na_values[count++] = item;
		}
		if (!comma)
			break;
		item = comma + 1;
	}
	options->n_na_values = count;
	return 0;
}

bool ml_csv_is_missing(const ml_csv_options *options, const char *text, size_t length)
{
	if (length == 0)
		return true;
	for (size_t i = 0; i < options->n_na_values; i++) {
		const char *na = options->na_values[i];
		if (na[0] == text[0] && strlen(na) == length && memcmp(na, text, length) == 0)
			return true;
	}
	return false;
}

typedef struct pending_record {
	size_t first_field;
	size_t n_fields;
	size_t line;
} pending_record;

struct ml_csv_reader {
	int fd;
	char *name;
	ml_csv_options options;
	struct csv_parser parser;
	bool parser_ready;
	bool at_eof;
	bool bom_checked;
	size_t bom_matched; /* bytes of a byte order mark seen so far */
	ml_columns columns;

	/* Fields of the records parsed from the current block. */
	ml_buf arena;
	size_t *field_offsets, *field_lengths;
	size_t n_fields, field_capacity;
	pending_record *records;
	size_t n_records, record_capacity, next_record;
	ml_field *delivered; /* the fields of the record handed out */
	size_t delivered_capacity;

	/* Line tracking: see on_record. */
	size_t line, record_line, fields_in_record, newlines_in_record;
	int previous_terminator;
	const char *problem; /* set by a callback that hit bad input */
	unsigned char *block;
};

static void on_field(void *text, size_t length, void *data)
{
	ml_csv_reader *reader = data;
	if (reader->problem)
		return;
	if (length > ML_MAX_FIELD_LENGTH) {
		reader->problem = "field longer than 1 MiB";
		return;
	}
	if (reader->fields_in_record == 0)
		reader->record_line = reader->line;
	for (const char *p = text; p && (p = memchr(p, '\n', length - (size_t)(p - (const char *)text)));
	     p++)
		reader->newlines_in_record++;
	if (reader->n_fields == reader->field_capacity) {
		size_t capacity = reader->field_capacity ? reader->field_capacity * 2 : 1024;
		size_t *offsets = realloc(reader->field_offsets, capacity * sizeof *offsets);
		if (offsets)
			reader->field_offsets = offsets;
		size_t *lengths = realloc(reader->field_lengths, capacity * sizeof *lengths);
		if (lengths)
			reader->field_lengths = lengths;
		if (!offsets || !lengths) {
			reader->problem = "out of memory";
			return;
		}
		reader->field_capacity = capacity;
	}
	reader->field_offsets[reader->n_fields] = reader->arena.length;
	reader->field_lengths[reader->n_fields] = length;
	ml_buf_append(&reader->arena, text ? text : "", length);
	ml_buf_putc(&reader->arena, '\0');
	reader->n_fields++;
	reader->fields_in_record++;
}

/*
 * libcsv reports every unquoted CR and LF (CSV_REPALL_NL) so that lines can
 * be counted: an empty report after CR is the LF of a CRLF, other empty
 * reports are blank lines (skipped), and a record spans its own line plus
 * the newlines quoted inside its fields.
 */
static void on_record(int terminator, void *data)
{
	ml_csv_reader *reader = data;
	int previous = reader->previous_terminator;
	reader->previous_terminator = terminator;
	if (reader->problem)
		return;
	if (reader->fields_in_record == 0) {
		if (!(terminator == '\n' && previous == '\r') && terminator != -1)
			reader->line++;
		return;
	}
	if (reader->n_records == reader->record_capacity) {
		size_t capacity = reader->record_capacity ? reader->record_capacity * 2 : 256;
		pending_record *records = realloc(reader->records, capacity * sizeof *records);
		if (!records) {
			reader->problem = "out of memory";
			return;
		}
		reader->records = records;
		reader->record_capacity = capacity;
	}
	reader->records[reader->n_records++] = (pending_record){
		.first_field = reader->n_fields - reader->fields_in_record,
		.n_fields = reader->fields_in_record,
		.line = reader->record_line,
	};
	reader->line += reader->newlines_in_record + (terminator != -1 ? 1 : 0);
	reader->fields_in_record = 0;
	reader->newlines_in_record = 0;
}

static void *bounded_realloc(void *old, size_t size)
{
	return size > PARSER_BUFFER_LIMIT ? NULL : realloc(old, size);
}

static const unsigned char utf8_bom[3] = { 0xef, 0xbb, 0xbf };

static int parse_bytes(ml_csv_reader *reader, const unsigned char *bytes, size_t length,
		       ml_error *err);

/* Decides there is no byte order mark: the bytes taken for one are text. */
static int settle_bom(ml_csv_reader *reader, ml_error *err)
{
	reader->bom_checked = true;
	return reader->bom_matched ? parse_bytes(reader, utf8_bom, reader->bom_matched, err) : 0;
}

static int parse_bytes(ml_csv_reader *reader, const unsigned char *bytes, size_t length,
		       ml_error *err)
{
	/* The mark may come split across reads (the sniffer, a slow pipe). */
	while (!reader->bom_checked && length > 0) {
		if (bytes[0] != utf8_bom[reader->bom_matched]) {
			if (settle_bom(reader, err) < 0)
				return -1;
			break;
		}
		bytes++;
		length--;
		reader->bom_checked = ++reader->bom_matched == sizeof utf8_bom;
	}
	/* No text holds a NUL byte: parse up to it only, then stop on its line. */
	const unsigned char *nul = memchr(bytes, '\0', length);
	size_t clean = nul ? (size_t)(nul - bytes) : length;
	size_t parsed = csv_parse(&reader->parser, bytes, clean, on_field, on_record, reader);
	if (nul && parsed == clean && !reader->problem)
		reader->problem = "NUL byte (is this a text file?)";
	if (reader->problem) {
		ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, reader->problem);
		return -1;
	}
	if (parsed != clean) {
		int code = csv_error(&reader->parser);
		if (code == CSV_ENOMEM && csv_get_buffer_size(&reader->parser) > ML_MAX_FIELD_LENGTH)
			ml_error_set(err, "%s:%zu: field longer than 1 MiB", reader->name, reader->line);
		else if (code == CSV_EPARSE)
			ml_error_set(err, "%s:%zu: malformed quoting (a quote inside an unquoted"
				     " field, or text after a closing quote)", reader->name, reader->line);
		else
			ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, csv_strerror(code));
		return -1;
	}
	return 0;
}

/*
 * Forgets the records handed out.  The fields of a record still being
 * parsed (its bytes continue in the next block) move to the front.
 */
static void drop_delivered(ml_csv_reader *reader)
{
	size_t keep = reader->fields_in_record, first = reader->n_fields - keep;
	size_t start = keep ? reader->field_offsets[first] : reader->arena.length;
	size_t tail = reader->arena.length - start;
	if (tail)
		memmove(reader->arena.data, reader->arena.data + start, tail);
	for (size_t i = 0; i < keep; i++) {
		reader->field_offsets[i] = reader->field_offsets[first + i] - start;
		reader->field_lengths[i] = reader->field_lengths[first + i];
	}
	reader->arena.length = tail;
	if (reader->arena.data)
		reader->arena.data[tail] = '\0';
	reader->n_fields = keep;
	reader->n_records = 0;
	reader->next_record = 0;
}

/* Parses blocks until at least one record is queued or the input ends. */
static int refill(ml_csv_reader *reader, ml_error *err)
{
	drop_delivered(reader);
	while (reader->n_records == 0 && !reader->at_eof) {
		/* One read(2), not fread: a co-process gets its answer per line. */
		long got = ml_read_some(reader->fd, reader->block, READ_BLOCK_SIZE);
		if (got < 0) {
			ml_error_set(err, "%s: read error: %s", reader->name, strerror(errno));
			return -1;
		}
		if (got > 0 && parse_bytes(reader, reader->block, (size_t)got, err) < 0)
			return -1;
		if (got == 0) {
			reader->at_eof = true;
			if (!reader->bom_checked && settle_bom(reader, err) < 0)
				return -1;
			if (csv_fini(&reader->parser, on_field, on_record, reader) != 0) {
				ml_error_set(err, "%s:%zu: unterminated quoted field (the input ends"
					     " inside quotes)", reader->name, reader->record_line);
				return -1;
			}
			if (reader->problem) {
				ml_error_set(err, "%s:%zu: %s", reader->name, reader->line,
					     reader->problem);
				return -1;
			}
		}
	}
	if (reader->arena.failed)
		return ml_error_nomem(err);
	return 0;
}

/* Takes the next queued record, without checking its width. */
static int next_raw(ml_csv_reader *reader, ml_record *record, ml_error *err)
{
	if (reader->next_record == reader->n_records) {
		if (refill(reader, err) < 0)
			return -1;
		if (reader->n_records == 0)
			return 0;
	}
	const pending_record *pending = &reader->records[reader->next_record++];
	if (pending->n_fields > reader->delivered_capacity) {
		ml_field *fields = ml_realloc_array(reader->delivered, pending->n_fields,
						    sizeof *fields, err);
		if (!fields)
			return -1;
		reader->delivered = fields;
		reader->delivered_capacity = pending->n_fields;
	}
	for (size_t i = 0; i < pending->n_fields; i++) {
		size_t field = pending->first_field + i;
		reader->delivered[i].text = reader->arena.data + reader->field_offsets[field];
		reader->delivered[i].length = reader->field_lengths[field];
	}
	record->n_fields = pending->n_fields;
	record->fields = reader->delivered;
	record->line = pending->line;
	return 1;
}

/* The likeliest delimiter in a header read as one field, or 0. */
static char guess_delimiter(const char *header, char current)
{
	static const char candidates[] = { ';', '\t', '|', ',' };
	char best = 0;
	size_t best_count = 0;
	for (size_t i = 0; i < sizeof candidates; i++) {
		size_t count = 0;
		for (const char *p = header; *p; p++)
			count += *p == candidates[i];
		if (candidates[i] != current && count > best_count) {
			best = candidates[i];
			best_count = count;
		}
	}
	return best;
}

static const char *delimiter_text(char delimiter)
{
	switch (delimiter) {
	case '\t': return "'\\t'";
	case ';': return "';'";
	case '|': return "'|'";
	default: return "','";
	}
}

static int name_columns(ml_csv_reader *reader, const ml_record *first, ml_error *err)
{
	if (first->n_fields > ML_MAX_COLUMNS) {
		ml_error_set(err, "%s:%zu: %zu columns (at most %zu)", reader->name, first->line,
			     first->n_fields, ML_MAX_COLUMNS);
		return -1;
	}
	if (ml_columns_init(&reader->columns, first->n_fields, err) < 0)
		return -1;
	for (size_t i = 0; i < first->n_fields; i++) {
		const ml_field *field = &first->fields[i];
		char generated[32];
		const char *name = field->text;
		size_t length = field->length;
		if (!reader->options.header || length == 0) {
			snprintf(generated, sizeof generated, "c%zu", i + 1);
			name = generated;
			length = strlen(generated);
		} else if (length > ML_MAX_NAME_LENGTH) {
			ml_error_set(err, "%s:%zu: column %zu: name longer than %zu bytes",
				     reader->name, first->line, i + 1, ML_MAX_NAME_LENGTH);
			return -1;
		} else if (!ml_utf8_valid(name, length)) {
			ml_error_set(err, "%s:%zu: column %zu: name is not UTF-8 text (is this a"
				     " CSV file?)", reader->name, first->line, i + 1);
			return -1;
		}
		if (!(reader->columns.names[i] = ml_strndup(name, length, err)))
			return -1;
	}
	size_t duplicate = ml_columns_find_duplicate(&reader->columns);
	if (duplicate != ML_NO_COLUMN) {
		ml_error_set(err, "%s:%zu: column name '%s' appears twice", reader->name,
			     first->line, reader->columns.names[duplicate]);
		return -1;
	}
	return 0;
}

ml_csv_reader *ml_csv_reader_create(int fd, const char *name, const ml_csv_options *options,
				    const void *prefix, size_t prefix_length, ml_error *err)
{
	ml_csv_reader *reader = calloc(1, sizeof *reader);
	if (!reader) {
		ml_error_nomem(err);
		return NULL;
	}
	reader->fd = fd;
	reader->options = *options;
	reader->line = 1;
	ml_buf_init(&reader->arena);
	if (!(reader->name = ml_strdup(name, err)) ||
	    !(reader->block = ml_alloc_array(READ_BLOCK_SIZE, 1, err)))
		goto fail;
	if (csv_init(&reader->parser, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0) {
		ml_error_nomem(err);
		goto fail;
	}
	reader->parser_ready = true;
	csv_set_delim(&reader->parser, (unsigned char)options->delimiter);
	csv_set_realloc_func(&reader->parser, bounded_realloc);
	if (prefix_length > 0 && parse_bytes(reader, prefix, prefix_length, err) < 0)
		goto fail;

	ml_record first;
	int got = next_raw(reader, &first, err);
	if (got < 0)
		goto fail;
	if (got == 0) {
		ml_error_set(err, "%s: empty input (no header line)", reader->name);
		goto fail;
	}
	if (name_columns(reader, &first, err) < 0)
		goto fail;
	if (!options->header)
		reader->next_record--; /* the first row is data: deliver it again */
	return reader;
fail:
	ml_csv_reader_free(reader);
	return NULL;
}

void ml_csv_reader_free(ml_csv_reader *reader)
{
	if (!reader)
		return;
	if (reader->parser_ready)
		csv_free(&reader->parser);
	ml_columns_free(&reader->columns);
	ml_buf_free(&reader->arena);
	free(reader->field_offsets);
	free(reader->field_lengths);
	free(reader->records);
	free(reader->delivered);
	free(reader->block);
	free(reader->name);
	free(reader);
}

const ml_columns *ml_csv_reader_columns(const ml_csv_reader *reader)
{
	return &reader->columns;
}

const char *ml_csv_reader_name(const ml_csv_reader *reader)
{
	return reader->name;
}

int ml_csv_next(ml_csv_reader *reader, ml_record *record, ml_error *err)
{
	int got = next_raw(reader, record, err);
	if (got <= 0)
		return got;
	size_t expected = reader->columns.count;
	if (record->n_fields == expected)
		return 1;
	ml_error_set(err, "%s:%zu: row has %zu field%s, header has %zu", reader->name,
		     record->line, record->n_fields, record->n_fields == 1 ? "" : "s", expected);
	if (expected == 1 && !reader->options.delimiter_given) {
		char guess = guess_delimiter(reader->columns.names[0], reader->options.delimiter);
		if (guess) {
			size_t used = strlen(err->message);
			snprintf(err->message + used, sizeof err->message - used,
				 "; is the delimiter %s? try -d %s", delimiter_text(guess),
				 delimiter_text(guess));
		}
	}
	return ML_CSV_BAD_RECORD;
}

struct ml_csv_writer {
	FILE *out;
	char *name;
	size_t n_columns;
	size_t target;
	char *const *class_names;
	size_t n_classes;
	char delimiter;
	ml_buf text;
};

void ml_csv_quote(ml_buf *out, const char *text, char delimiter)
{
	bool quote = *text == '\0' ? false : strpbrk(text, "\"\r\n") || strchr(text, delimiter) ||
					      text[0] == ' ' || text[strlen(text) - 1] == ' ';
	if (!quote) {
		ml_buf_puts(out, text);
		return;
	}
	ml_buf_putc(out, '"');
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			ml_buf_putc(out, '"');
		ml_buf_putc(out, *p);
	}
	ml_buf_putc(out, '"');
}

static int flush_text(ml_csv_writer *writer, ml_error *err)
{
	if (writer->text.failed)
		return ml_error_nomem(err);
	if (writer->text.length &&
	    fwrite(writer->text.data, 1, writer->text.length, writer->out) != writer->text.length) {
		ml_error_set(err, "%s: write error: %s", writer->name, strerror(errno));
		return -1;
	}
	ml_buf_reset(&writer->text);
	return 0;
}

ml_csv_writer *ml_csv_writer_create(FILE *out, const char *name, const ml_columns *columns,
				    char *const *class_names, size_t n_classes, char delimiter,
				    ml_error *err)
{
	ml_csv_writer *writer = calloc(1, sizeof *writer);
	if (!writer || !(writer->name = ml_strdup(name, err))) {
		free(writer);
		ml_error_nomem(err);
		return NULL;
	}
	writer->out = out;
	writer->n_columns = columns->count;
	writer->target = columns->target;
	writer->class_names = columns->target != ML_NO_COLUMN ? class_names : NULL;
	writer->n_classes = n_classes;
	writer->delimiter = delimiter;
	ml_buf_init(&writer->text);
	for (size_t i = 0; i < columns->count; i++) {
		if (i)
			ml_buf_putc(&writer->text, delimiter);
		ml_csv_quote(&writer->text, columns->names[i], delimiter);
	}
	ml_buf_putc(&writer->text, '\n');
	if (flush_text(writer, err) < 0) {
		ml_csv_writer_free(writer);
		return NULL;
	}
	return writer;
}

static void put_class(ml_csv_writer *writer, double value)
{
	if (value >= 0 && value < (double)writer->n_classes && value == floor(value))
		ml_csv_quote(&writer->text, writer->class_names[(size_t)value], writer->delimiter);
	else if (!isnan(value)) {
		char digits[ML_DOUBLE_BUFSIZE];
		ml_buf_append(&writer->text, digits, ml_format_double(value, digits));
	}
}

int ml_csv_write_rows(ml_csv_writer *writer, const double *rows, size_t n_rows,
		      ml_error *err)
{
	char digits[ML_DOUBLE_BUFSIZE];
	for (size_t r = 0; r < n_rows; r++) {
		const double *row = rows + r * writer->n_columns;
		for (size_t c = 0; c < writer->n_columns; c++) {
			/* Room for a delimiter and the longest number, checked per cell. */
			if (writer->text.capacity - writer->text.length < ML_DOUBLE_BUFSIZE + 2 &&
			    !ml_buf_reserve(&writer->text, ML_DOUBLE_BUFSIZE + 2))
				return ml_error_nomem(err);
			if (c)
				writer->text.data[writer->text.length++] = writer->delimiter;
			if (c == writer->target && writer->class_names) {
				put_class(writer, row[c]);
			} else if (!isnan(row[c])) {
				size_t length = ml_format_double(row[c], digits);
				memcpy(writer->text.data + writer->text.length, digits, length);
				writer->text.length += length;
			}
		}
		ml_buf_putc(&writer->text, '\n');
		if (writer->text.length >= WRITE_FLUSH_SIZE && flush_text(writer, err) < 0)
			return -1;
	}
	return 0;
}

int ml_csv_writer_finish(ml_csv_writer *writer, ml_error *err)
{
	return flush_text(writer, err);
}

void ml_csv_writer_free(ml_csv_writer *writer)
{
	if (!writer)
		return;
	ml_buf_free(&writer->text);
	free(writer->name);
	free(writer);
}
