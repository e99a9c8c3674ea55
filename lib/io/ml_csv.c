#include "io/ml_csv.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/ml_clock.h"
#include "core/ml_number.h"
#include "core/ml_util.h"
#include "io/ml_csv_chunks.h"
#include "io/ml_source.h"

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
	size_t n_fields;     /* the fields kept */
	size_t n_extra;      /* fields past the header's count: counted, not kept */
	size_t line;
	const char *problem; /* why the record is bad (recover_lines), or NULL */
} pending_record;

static const char blank_line[] = "blank line (a request is one CSV row)";
static const char bare_cr[] = "CR inside a line (a request ends with LF or CRLF only)";
static const char open_quote[] = "unterminated quoted field (a request is one line)";
static const char field_too_long[] = "field longer than 1 MiB";

static const char malformed_quoting[] =
	"malformed quoting (a quote inside an unquoted field, or text after a closing quote;"
	" --quotes lenient reads a quote inside an unquoted field as text)";

/*
 * The records parsed from one or more blocks of input.  The parsing side
 * fills one batch while the reading side hands out the records of the
 * other: with a background thread, libcsv's byte loop runs on one core and
 * the number parsing of the caller on the other.
 */
typedef struct ml_csv_batch {
	ml_buf arena; /* field texts, each NUL-terminated */
	size_t *field_offsets, *field_lengths;
	size_t n_fields, field_capacity;
	pending_record *records;
	size_t n_records, record_capacity;
	bool at_end;  /* the input ended after these records */
	bool failed;  /* `error` follows these records */
	bool worked;  /* the chunk function ran on these records */
	bool used_libcsv; /* some of them came through libcsv's byte loop */
	ml_error error;
} batch;

struct ml_csv_reader {
	ml_source *source;
	ml_source *own_source; /* made by ml_csv_reader_create_fd, freed with the reader */
	char *name;
	ml_csv_options options;
	ml_columns columns;

	/* The parsing side: libcsv, the batch it fills, line tracking. */
	struct csv_parser parser;
	bool parser_ready;
	bool bom_checked;
	size_t bom_matched; /* bytes of a byte order mark seen so far */
	batch *filling;
	size_t line, record_line, fields_in_record, newlines_in_record;
	int previous_terminator;
	const char *problem; /* set by a callback that hit bad input */
	/*
	 * Fields a record may have: the first record's count once it is read
	 * (ML_MAX_COLUMNS before), so a line of millions of fields is refused
	 * at the first one too many, not after all are stored.
	 */
	size_t field_limit;
	bool first_record_done;
	size_t extra_fields; /* of the record being parsed */
	bool careful, previous_block_special;
	unsigned char *block;
	/* Service mode: see ml_csv_reader_set_wake_fd and options.recover_lines. */
	int wake_fd;
	bool woken;                 /* fill() returned for wake_fd, not input */
	const char *record_problem; /* the record being parsed is bad */
	bool skipping_line;         /* discarding the rest of a malformed line */
	/* options.line_protocol: the line being read (see parse_lines). */
	const char *line_problem;   /* the line is bad: the rest of it is not parsed */
	size_t line_bytes;
	bool held_cr;               /* the last block ended in CR: CRLF, or a bare CR */
	bool line_ended;            /* libcsv ended a record at the LF given it */
	double arrival;             /* when the last read(2) returned data */

	/* Hand-over between the two sides. */
	batch batches[2];
	bool threaded;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	batch *ready;      /* filled, not yet taken by the reading side */
	batch *released;   /* done with by the reading side, free to refill */
	bool stopping;
	/* Work on each batch in the parsing thread (ml_csv_reader_set_chunk_fn). */
	ml_csv_chunk_fn *fn;
	void *fn_context;
	size_t fn_running; /* 1 while the parsing thread is inside fn */

	/* A regular file parsed in chunks on several threads, or NULL. */
	ml_csv_chunks *chunks;

	/* The reading side. */
	batch *reading;
	size_t next_record;
	ml_field *delivered; /* the fields of the record handed out */
	size_t delivered_extra; /* and how many more it had than the header (not kept) */
	size_t delivered_capacity;
};

static int grow_fields(batch *target)
{
	size_t capacity = target->field_capacity ? target->field_capacity * 2 : 1024;
	size_t *offsets = realloc(target->field_offsets, capacity * sizeof *offsets);
	if (offsets)
		target->field_offsets = offsets;
	size_t *lengths = realloc(target->field_lengths, capacity * sizeof *lengths);
	if (lengths)
		target->field_lengths = lengths;
	if (!offsets || !lengths)
		return -1;
	target->field_capacity = capacity;
	return 0;
}

static int append_field(batch *target, const char *text, size_t length)
{
	if (target->n_fields == target->field_capacity && grow_fields(target) < 0)
		return -1;
	if (!ml_buf_reserve(&target->arena, length + 1))
		return -1;
	char *copy = target->arena.data + target->arena.length;
	if (length)
		memcpy(copy, text, length);
	copy[length] = '\0';
	target->field_offsets[target->n_fields] = target->arena.length;
	target->field_lengths[target->n_fields] = length;
	target->arena.length += length + 1;
	target->n_fields++;
	return 0;
}

/*
 * Called by libcsv for every field: the hottest function of every CSV read.
 * Only blocks that hold a quote or a NUL byte (or follow one that did) need
 * the per-field scans for quoted newlines and NUL bytes.
 */
static inline void take_field(ml_csv_reader *reader, const char *text, size_t length)
{
	if (reader->problem)
		return;
	const char *bad = NULL;
	if (length > ML_MAX_FIELD_LENGTH) {
		bad = "field longer than 1 MiB";
		if (!reader->options.recover_lines) {
			reader->problem = bad;
			return;
		}
	}
	if (reader->fields_in_record == 0)
		reader->record_line = reader->line;
	if (reader->careful && text) {
		for (const char *p = text, *end = p + length; (p = memchr(p, '\n', (size_t)(end - p)));
		     p++)
			reader->newlines_in_record++;
		if (memchr(text, '\0', length)) {
			if (!reader->options.recover_lines) {
				reader->problem = "NUL byte in a field (is this a text file?)";
				return;
			}
			bad = "NUL byte in a field (is this a text file?)";
		}
	}
	if (reader->fields_in_record >= reader->field_limit) {
		if (!reader->first_record_done) {
			reader->problem = "more than 1048576 columns";
			return;
		}
		/* The record is ragged already: its other fields are counted, not kept. */
		reader->extra_fields++;
		return;
	}
	if (bad) {
		/* The record will be reported bad (recover_lines): its text need not be kept. */
		if (!reader->record_problem)
			reader->record_problem = bad;
		length = 0;
	}
	if (append_field(reader->filling, text ? text : "", length) < 0) {
		reader->problem = "out of memory";
		return;
	}
	reader->fields_in_record++;
}

static void on_field(void *text, size_t length, void *data)
{
	take_field(data, text, length);
}

static bool push_record(ml_csv_reader *reader, pending_record record)
{
	batch *target = reader->filling;
	if (target->n_records == target->record_capacity) {
		size_t capacity = target->record_capacity ? target->record_capacity * 2 : 256;
		pending_record *records = realloc(target->records, capacity * sizeof *records);
		if (!records) {
			reader->problem = "out of memory";
			return false;
		}
		target->records = records;
		target->record_capacity = capacity;
	}
	target->records[target->n_records++] = record;
	return true;
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
	batch *target = reader->filling;
	int previous = reader->previous_terminator;
	reader->previous_terminator = terminator;
	reader->line_ended = terminator == '\n';
	if (reader->problem)
		return;
	if (reader->fields_in_record == 0) {
		/* A request that is a blank line still gets its answer: an error. */
		if (reader->options.line_protocol && terminator == '\n' &&
		    !push_record(reader, (pending_record){ .first_field = target->n_fields,
							   .line = reader->line,
							   .problem = blank_line }))
			return;
		if (!(terminator == '\n' && previous == '\r') && terminator != -1)
			reader->line++;
		return;
	}
	if (!push_record(reader, (pending_record){
		.first_field = target->n_fields - reader->fields_in_record,
		.n_fields = reader->fields_in_record,
		.line = reader->record_line,
		.problem = reader->record_problem,
		.n_extra = reader->extra_fields,
	}))
		return;
	if (!reader->first_record_done) {
		reader->first_record_done = true;
		reader->field_limit = reader->fields_in_record;
	}
	reader->extra_fields = 0;
	reader->line += reader->newlines_in_record + (terminator != -1 ? 1 : 0);
	reader->fields_in_record = 0;
	reader->newlines_in_record = 0;
	reader->record_problem = NULL;
}

/* libcsv grows its field buffer without limit: bound it (ML_MAX_FIELD_LENGTH). */
static void *bounded_realloc(void *old, size_t size)
{
	return size > PARSER_BUFFER_LIMIT ? NULL : realloc(old, size);
}

static int start_parser(ml_csv_reader *reader, ml_error *err)
{
	unsigned char flags = CSV_REPALL_NL | CSV_STRICT_FINI;
	if (!reader->options.lenient_quotes)
		flags |= CSV_STRICT;
	if (csv_init(&reader->parser, flags) != 0)
		return ml_error_nomem(err);
	reader->parser_ready = true;
	csv_set_delim(&reader->parser, (unsigned char)reader->options.delimiter);
	csv_set_realloc_func(&reader->parser, bounded_realloc);
	/*
	 * libcsv grows the field buffer by this step (128 bytes by default):
	 * a long field would cost quadratic copying.  Near the bound it halves
	 * the step, so the limit still holds to the byte.
	 */
	csv_set_blk_size(&reader->parser, 64 * 1024);
	return 0;
}

/*
 * recover_lines, and libcsv stopped at malformed quoting: the record it
 * was in is queued as bad, the parser starts afresh and the rest of the
 * line is skipped (skip_rest_of_line).
 */
static int recover_malformed_record(ml_csv_reader *reader, ml_error *err)
{
	size_t line = reader->fields_in_record ? reader->record_line : reader->line;
	size_t newlines = reader->newlines_in_record;
	const unsigned char *entry = reader->parser.entry_buf;
	for (size_t i = 0; entry && i < reader->parser.entry_pos; i++)
		newlines += entry[i] == '\n';
	reader->filling->n_fields -= reader->fields_in_record;
	reader->fields_in_record = 0;
	reader->newlines_in_record = 0;
	reader->record_problem = NULL;
	if (!push_record(reader, (pending_record){ .first_field = reader->filling->n_fields,
						   .line = line, .problem = malformed_quoting }))
		return ml_error_nomem(err);
	/* The skipped newline ends the line. */
	reader->line = line + newlines + 1;
	reader->previous_terminator = '\n';
	reader->skipping_line = true;
	csv_free(&reader->parser);
	reader->parser_ready = false;
	return start_parser(reader, err);
}

/* Skips up to the end of the line being skipped; the bytes left. */
static size_t skip_rest_of_line(ml_csv_reader *reader, const unsigned char **bytes,
				size_t length)
{
	const unsigned char *newline = memchr(*bytes, '\n', length);
	if (!newline)
		return 0;
	reader->skipping_line = false;
	length -= (size_t)(newline + 1 - *bytes);
	*bytes = newline + 1;
	return length;
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

/* The line being read is bad (the first reason found is kept). */
static void spoil_line(ml_csv_reader *reader, const char *problem)
{
	if (!reader->line_problem)
		reader->line_problem = problem;
}

/* Why libcsv stopped before the end of what it was given. */
static const char *parser_problem(ml_csv_reader *reader)
{
	int code = csv_error(&reader->parser);
	if (code == CSV_ENOMEM && csv_get_buffer_size(&reader->parser) > ML_MAX_FIELD_LENGTH)
		return field_too_long;
	if (code == CSV_EPARSE)
		return malformed_quoting;
	if (code == CSV_ENOMEM)
		reader->problem = "out of memory";
	return csv_strerror(code);
}

/*
 * A piece of a line (no LF in it): parsed, unless the line is bad already
 * or becomes bad here.  A CR at its end waits for the next piece, which
 * says whether it was the CR of a CRLF.
 */
static void take_piece(ml_csv_reader *reader, const unsigned char *bytes, size_t length)
{
	if (length == 0)
		return;
	if (reader->held_cr)
		spoil_line(reader, bare_cr);
	reader->held_cr = false;
	reader->line_bytes += length;
	if (reader->line_bytes > ML_MAX_LINE_LENGTH)
		spoil_line(reader, "line longer than 16 MiB");
	if (reader->line_problem)
		return;
	if (bytes[length - 1] == '\r') {
		reader->held_cr = true;
		length--;
	}
	if (memchr(bytes, '\r', length)) {
		spoil_line(reader, bare_cr);
		return;
	}
	if (csv_parse(&reader->parser, bytes, length, on_field, on_record, reader) != length &&
	    !reader->problem)
		spoil_line(reader, parser_problem(reader));
}

/*
 * The LF that ends a line (or the end of the input after one): the record
 * ends here whatever libcsv thinks of its quotes.  A bad line becomes one
 * bad record and the parser starts afresh.
 */
static int end_line(ml_csv_reader *reader, ml_error *err)
{
	reader->held_cr = false;
	if (!reader->line_problem) {
		reader->line_ended = false;
		if (csv_parse(&reader->parser, "\n", 1, on_field, on_record, reader) != 1 &&
		    !reader->problem)
			spoil_line(reader, parser_problem(reader));
		else if (!reader->line_ended)
			spoil_line(reader, open_quote);
	}
	const char *problem = reader->line_problem;
	reader->line_problem = NULL;
	reader->line_bytes = 0;
	if (reader->problem || !problem)
		return 0;
	reader->filling->n_fields -= reader->fields_in_record;
	reader->fields_in_record = 0;
	reader->newlines_in_record = 0;
	reader->extra_fields = 0;
	reader->record_problem = NULL;
	if (!push_record(reader, (pending_record){ .first_field = reader->filling->n_fields,
						   .line = reader->line, .problem = problem }))
		return 0;
	reader->line++;
	csv_free(&reader->parser);
	reader->parser_ready = false;
	return start_parser(reader, err);
}

/* line_protocol: cuts the bytes at each LF, so that a line is a record. */
static int parse_lines(ml_csv_reader *reader, const unsigned char *bytes, size_t length,
		       ml_error *err)
{
	while (length > 0 && !reader->problem) {
		const unsigned char *newline = memchr(bytes, '\n', length);
		size_t piece = newline ? (size_t)(newline - bytes) : length;
		take_piece(reader, bytes, piece);
		if (!newline)
			break;
		if (!reader->problem && end_line(reader, err) < 0)
			return -1;
		bytes += piece + 1;
		length -= piece + 1;
	}
	if (reader->problem) {
		ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, reader->problem);
		return -1;
	}
	return 0;
}

static int report_problem(ml_csv_reader *reader, ml_error *err)
{
	ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, reader->problem);
	return -1;
}

/* Bytes through libcsv (in recover_lines, past the records it finds malformed). */
static int feed_parser(ml_csv_reader *reader, const unsigned char *bytes, size_t length,
		       ml_error *err)
{
	size_t parsed;
	for (;;) {
		if (reader->skipping_line)
			length = skip_rest_of_line(reader, &bytes, length);
		parsed = csv_parse(&reader->parser, bytes, length, on_field, on_record, reader);
		if (parsed == length || reader->problem || !reader->options.recover_lines ||
		    csv_error(&reader->parser) != CSV_EPARSE)
			break;
		if (recover_malformed_record(reader, err) < 0)
			return -1;
		bytes += parsed;
		length -= parsed;
	}
	if (reader->problem)
		return report_problem(reader, err);
	if (parsed != length) {
		int code = csv_error(&reader->parser);
		if (code == CSV_ENOMEM && csv_get_buffer_size(&reader->parser) > ML_MAX_FIELD_LENGTH)
			ml_error_set(err, "%s:%zu: field longer than 1 MiB", reader->name, reader->line);
		else if (code == CSV_EPARSE)
			ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, malformed_quoting);
		else
			ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, csv_strerror(code));
		return -1;
	}
	return 0;
}

/*
 * The fast path for text without quotes (or NUL bytes): whole lines split
 * at the delimiter and line ends here, with libcsv's rules for unquoted
 * fields, and given to the same callbacks.  Those rules: spaces and tabs
 * (unless one is the delimiter) around a field are not part of it; CR and
 * LF both end a record, so CRLF is a record and an empty one; a line with
 * nothing but blanks is an empty record.  No byte loop with a state per
 * byte, no copy into libcsv's field buffer.
 */

/* Whether libcsv is between records (ROW_NOT_BEGUN, state 0 in libcsv.c). */
static bool parser_between_records(const ml_csv_reader *reader)
{
	return reader->parser.pstate == 0 && !reader->parser.quoted &&
	       reader->parser.entry_pos == 0;
}

static inline bool is_blank(unsigned char byte, unsigned char delimiter)
{
	return (byte == ' ' || byte == '\t') && byte != delimiter;
}

/* Bit i set where bytes[i] (i < count <= 64) is the delimiter, CR or LF. */
static inline uint64_t field_ends(const unsigned char *bytes, size_t count,
				  unsigned char delimiter)
{
	uint64_t mask = 0;
#if defined(__SSE2__)
	if (count == 64) {
		const __m128i delimiters = _mm_set1_epi8((char)delimiter);
		const __m128i newlines = _mm_set1_epi8('\n'), returns = _mm_set1_epi8('\r');
		for (int i = 0; i < 4; i++) {
			__m128i chunk = _mm_loadu_si128((const __m128i *)(const void *)(bytes + 16 * i));
			__m128i hits = _mm_or_si128(_mm_cmpeq_epi8(chunk, delimiters),
						    _mm_or_si128(_mm_cmpeq_epi8(chunk, newlines),
								 _mm_cmpeq_epi8(chunk, returns)));
			mask |= (uint64_t)(uint32_t)_mm_movemask_epi8(hits) << (16 * i);
		}
		return mask;
	}
#endif
	for (size_t i = 0; i < count; i++) {
		unsigned char byte = bytes[i];
		mask |= (uint64_t)(byte == delimiter || byte == '\n' || byte == '\r') << i;
	}
	return mask;
}

/*
 * Splits text, whole lines (it ends with LF), into fields and records;
 * returns how much of it was split: all of it, or up to the start of a
 * field longer than libcsv's bound, left to libcsv.
 */
static size_t split_lines(ml_csv_reader *reader, const unsigned char *text, size_t length)
{
	unsigned char delimiter = (unsigned char)reader->options.delimiter;
	const unsigned char *field = text;
	size_t fields_in_line = 0;
	for (size_t base = 0; base < length; base += 64) {
		size_t count = length - base < 64 ? length - base : 64;
		uint64_t ends = field_ends(text + base, count, delimiter);
		while (ends) {
			const unsigned char *end = text + base + (size_t)__builtin_ctzll(ends);
			ends &= ends - 1;
			const unsigned char *first = field, *last = end;
			while (first < last && is_blank(*first, delimiter))
				first++;
			/* libcsv refuses it, or the callback does: either way, it says. */
			if ((size_t)(last - first) > ML_MAX_FIELD_LENGTH)
				return (size_t)(field - text);
			while (last > first && is_blank(last[-1], delimiter))
				last--;
			field = end + 1;
			if (*end == delimiter) {
				take_field(reader, (const char *)first, (size_t)(last - first));
				fields_in_line++;
				continue;
			}
			if (fields_in_line > 0 || last > first)
				take_field(reader, (const char *)first, (size_t)(last - first));
			on_record(*end, reader);
			fields_in_line = 0;
			if (reader->problem)
				return length;
		}
	}
	return length;
}

static int parse_plain(ml_csv_reader *reader, const unsigned char *bytes, size_t length,
		       ml_error *err)
{
	/* A record begun in an earlier block is finished by libcsv. */
	if (!parser_between_records(reader)) {
		const unsigned char *newline = memchr(bytes, '\n', length);
		size_t head = newline ? (size_t)(newline + 1 - bytes) : length;
		if (feed_parser(reader, bytes, head, err) < 0)
			return -1;
		bytes += head;
		length -= head;
		/* Inside quotes opened before (a quoted line end): libcsv reads on. */
		if (!parser_between_records(reader))
			return feed_parser(reader, bytes, length, err);
	}
	size_t lines = length;
	while (lines > 0 && bytes[lines - 1] != '\n')
		lines--;
	size_t split = split_lines(reader, bytes, lines);
	if (reader->problem)
		return report_problem(reader, err);
	/* The last line's start waits in libcsv for the next block, or the end. */
	return feed_parser(reader, bytes + split, length - split, err);
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
	/*
	 * No text holds a NUL byte: parse up to it only, then stop on its line
	 * (a service confines it to its record instead: see on_field).
	 */
	const unsigned char *nul = memchr(bytes, '\0', length);
	/* A NUL byte left in the text (a service's) makes it special, as a quote does. */
	bool nul_kept = nul && reader->options.recover_lines;
	if (nul && !reader->options.recover_lines)
		length = (size_t)(nul - bytes);
	else
		nul = NULL;
	bool special = nul_kept || memchr(bytes, '"', length);
	reader->careful = special || reader->previous_block_special;
	reader->previous_block_special = special;
	if (reader->options.line_protocol)
		return parse_lines(reader, bytes, length, err);
	bool plain = !special && !reader->options.recover_lines && !reader->options.always_libcsv;
	if (!plain)
		reader->filling->used_libcsv = true;
	if ((plain ? parse_plain(reader, bytes, length, err) : feed_parser(reader, bytes, length, err)) < 0)
		return -1;
	if (nul) {
		reader->problem = "NUL byte (is this a text file?)";
		return report_problem(reader, err);
	}
	return 0;
}

/*
 * Starts refilling `next` after `previous`: carries over the fields of the
 * record libcsv is in the middle of, since a record may span two blocks.
 */
static int start_batch(ml_csv_reader *reader, batch *next, const batch *previous)
{
	size_t first = previous->n_fields - reader->fields_in_record;
	if (next == previous) {
		/* Parsing in the caller's thread refills the same batch: move them to the front. */
		size_t base = first < next->n_fields ? next->field_offsets[first] : next->arena.length;
		size_t bytes = next->arena.length - base;
		if (bytes)
			memmove(next->arena.data, next->arena.data + base, bytes);
		next->arena.length = bytes;
		for (size_t i = first; i < next->n_fields; i++) {
			next->field_offsets[i - first] = next->field_offsets[i] - base;
			next->field_lengths[i - first] = next->field_lengths[i];
		}
		next->n_fields -= first;
		next->n_records = 0;
		next->at_end = next->failed = next->worked = next->used_libcsv = false;
		return 0;
	}
	next->n_fields = next->n_records = 0;
	next->at_end = next->failed = next->worked = next->used_libcsv = false;
	ml_buf_reset(&next->arena);
	for (size_t i = first; i < previous->n_fields; i++)
		if (append_field(next, previous->arena.data + previous->field_offsets[i],
				 previous->field_lengths[i]) < 0)
			return -1;
	reader->filling = next;
	return 0;
}

static int finish_input(ml_csv_reader *reader, ml_error *err)
{
	reader->filling->at_end = true;
	if (!reader->bom_checked && settle_bom(reader, err) < 0)
		return -1;
	/* The last line of a service's input may lack its LF: it is a request all the same. */
	if (reader->options.line_protocol &&
	    (reader->line_bytes > 0 || reader->line_problem) && end_line(reader, err) < 0)
		return -1;
	/* Where the record started: at the open quote when it is the record's first field. */
	size_t record_line = reader->fields_in_record ? reader->record_line : reader->line;
	if (csv_fini(&reader->parser, on_field, on_record, reader) != 0) {
		ml_error_set(err, "%s:%zu: unterminated quoted field (the input ends inside quotes)",
			     reader->name, record_line);
		return -1;
	}
	if (reader->problem) {
		ml_error_set(err, "%s:%zu: %s", reader->name, reader->line, reader->problem);
		return -1;
	}
	return 0;
}

/*
 * Waits until the input or the wake descriptor is readable: 1 for the
 * input, 0 for a wake-up, -1 on error.  A wake descriptor that fails is
 * given up, not allowed to spin.
 */
static int wait_for_input(ml_csv_reader *reader, ml_error *err)
{
	int input_fd = ml_source_poll_fd(reader->source);
	/* Bytes inside the decompressor cannot be polled for: read them. */
	if (input_fd < 0 || ml_source_has_buffered(reader->source))
		return 1;
	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = input_fd, .events = POLLIN },
			{ .fd = reader->wake_fd, .events = POLLIN },
		};
		int ready = poll(fds, reader->wake_fd >= 0 ? 2 : 1, -1);
		if (ready < 0 && errno == EINTR)
			continue; /* the handler's byte in the pipe wakes the next poll */
		if (ready < 0) {
			ml_error_set(err, "%s: poll: %s", reader->name, strerror(errno));
			return -1;
		}
		if (reader->wake_fd >= 0 && (fds[1].revents & POLLIN))
			return 0;
		if (reader->wake_fd >= 0 && (fds[1].revents & (POLLERR | POLLHUP | POLLNVAL)))
			reader->wake_fd = -1;
		if (fds[0].revents)
			return 1;
	}
}

/*
 * The parsing side: reads and parses until the batch has a record or the
 * input ends, or (in the caller's thread) until the wake descriptor is
 * readable: reader->woken.
 */
static void fill(ml_csv_reader *reader)
{
	batch *target = reader->filling;
	while (target->n_records == 0) {
		if (!reader->threaded && reader->wake_fd >= 0) {
			int input_ready = wait_for_input(reader, &target->error);
			if (input_ready < 0)
				target->failed = true;
			reader->woken = input_ready == 0;
			if (input_ready <= 0)
				return;
		}
		/* One read(2), not fread: a co-process gets its answer per line. */
		if (reader->threaded)
			pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		/* Text in memory (no source) was all parsed at the start: this is its end. */
		long got = !reader->source ? 0 : ml_source_read(reader->source, reader->block,
								 READ_BLOCK_SIZE, &target->error);
		if (reader->threaded)
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (got > 0)
			reader->arrival = ml_clock_now();
		if (got < 0) {
			target->failed = true;
			return;
		}
		if (got == 0) {
			target->failed = finish_input(reader, &target->error) < 0;
			return;
		}
		if (parse_bytes(reader, reader->block, (size_t)got, &target->error) < 0) {
			target->failed = true;
			return;
		}
	}
}

static void *parse_in_background(void *data)
{
	ml_csv_reader *reader = data;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	for (;;) {
		fill(reader);
		batch *done = reader->filling;
		pthread_mutex_lock(&reader->lock);
		/*
		 * libcsv's byte loop keeps this thread as busy as the chunk function
		 * keeps the reading one: that batch gets it in the reading thread.
		 */
		ml_csv_chunk_fn *fn = done->used_libcsv ? NULL : reader->fn;
		void *context = reader->fn_context;
		if (fn) {
			reader->fn_running++;
			pthread_mutex_unlock(&reader->lock);
			fn(context, (size_t)(done - reader->batches), done);
			pthread_mutex_lock(&reader->lock);
			reader->fn_running--;
			pthread_cond_broadcast(&reader->changed);
		}
		/* A change of function while fn ran: this batch did not get the new one. */
		done->worked = fn && fn == reader->fn && context == reader->fn_context;
		while (reader->ready && !reader->stopping)
			pthread_cond_wait(&reader->changed, &reader->lock);
		reader->ready = done;
		pthread_cond_broadcast(&reader->changed);
		while (!reader->released && !reader->stopping && !done->at_end && !done->failed)
			pthread_cond_wait(&reader->changed, &reader->lock);
		batch *next = reader->released;
		reader->released = NULL;
		pthread_cond_broadcast(&reader->changed);
		bool finished = reader->stopping || done->at_end || done->failed;
		pthread_mutex_unlock(&reader->lock);
		if (finished)
			return NULL;
		if (start_batch(reader, next, done) < 0) {
			next->failed = true;
			ml_error_set(&next->error, "%s: out of memory", reader->name);
		}
	}
}

/*
 * The reading side waits, lock held, for the thread's next batch: false
 * when the wake descriptor became readable first.  Nothing a signal
 * handler may call wakes a condition variable, so with a wake descriptor
 * the wait looks at it every 50 ms while nothing is ready.
 */
static bool wait_until_ready(ml_csv_reader *reader)
{
	while (!reader->ready) {
		if (reader->wake_fd < 0) {
			pthread_cond_wait(&reader->changed, &reader->lock);
			continue;
		}
		struct timespec deadline;
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_nsec += 50 * 1000 * 1000;
		if (deadline.tv_nsec >= 1000 * 1000 * 1000) {
			deadline.tv_sec++;
			deadline.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&reader->changed, &reader->lock, &deadline);
		struct pollfd wake = { .fd = reader->wake_fd, .events = POLLIN };
		if (!reader->ready && poll(&wake, 1, 0) > 0 && (wake.revents & POLLIN))
			return false;
	}
	return true;
}

/* The reading side: the next batch, from the thread or parsed here. */
static batch *take_batch(ml_csv_reader *reader, batch *finished)
{
	if (!reader->threaded) {
		if (finished && start_batch(reader, finished, finished) < 0) {
			finished->failed = true;
			ml_error_set(&finished->error, "%s: out of memory", reader->name);
			return finished;
		}
		fill(reader);
		return reader->filling;
	}
	pthread_mutex_lock(&reader->lock);
	if (finished) {
		/* The thread must have taken the batch released before this one. */
		while (reader->released)
			pthread_cond_wait(&reader->changed, &reader->lock);
		reader->released = finished;
	}
	pthread_cond_broadcast(&reader->changed);
	if (!wait_until_ready(reader)) {
		pthread_mutex_unlock(&reader->lock);
		reader->woken = true;
		return NULL; /* next_raw takes a batch again, without releasing one */
	}
	batch *next = reader->ready;
	reader->ready = NULL;
	pthread_cond_broadcast(&reader->changed);
	pthread_mutex_unlock(&reader->lock);
	/* Parsed before the function was set: its work is done here. */
	if (reader->fn && !next->worked) {
		reader->fn(reader->fn_context, (size_t)(next - reader->batches), next);
		next->worked = true;
	}
	return next;
}

/* Takes the next record, without checking its width. */
static int next_raw(ml_csv_reader *reader, ml_record *record, ml_error *err)
{
	if (reader->chunks)
		return ml_csv_chunks_next(reader->chunks, record, &reader->delivered_extra, err);
	while (!reader->reading || reader->next_record == reader->reading->n_records) {
		batch *done = reader->reading;
		if (done && done->failed) {
			*err = done->error;
			return -1;
		}
		if (done && done->at_end)
			return 0;
		reader->reading = take_batch(reader, done);
		reader->next_record = 0;
		if (reader->woken) {
			reader->woken = false;
			return ML_CSV_WOKEN;
		}
	}
	const batch *from = reader->reading;
	const pending_record *pending = &from->records[reader->next_record++];
	if (pending->problem) {
		record->n_fields = 0;
		record->fields = reader->delivered;
		record->line = pending->line;
		ml_error_set(err, "%s:%zu: %s", reader->name, pending->line, pending->problem);
		return ML_CSV_BAD_RECORD;
	}
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
		reader->delivered[i].text = from->arena.data + from->field_offsets[field];
		reader->delivered[i].length = from->field_lengths[field];
	}
	record->n_fields = pending->n_fields;
	record->fields = reader->delivered;
	record->line = pending->line;
	reader->delivered_extra = pending->n_extra;
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

/* Over source, or (source NULL) over text in memory, parsed here at once. */
static ml_csv_reader *reader_open(ml_source *source, const void *text, size_t length,
				  const char *name, const ml_csv_options *options, ml_error *err)
{
	ml_csv_reader *reader = calloc(1, sizeof *reader);
	if (!reader) {
		ml_error_nomem(err);
		return NULL;
	}
	reader->source = source;
	reader->options = *options;
	if (options->line_protocol)
		reader->options.recover_lines = true;
	reader->field_limit = ML_MAX_COLUMNS;
	reader->line = 1;
	reader->wake_fd = -1;
	reader->filling = &reader->batches[0];
	ml_buf_init(&reader->batches[0].arena);
	ml_buf_init(&reader->batches[1].arena);
	if (!(reader->name = ml_strdup(name, err)) ||
	    (source && !(reader->block = ml_alloc_array(READ_BLOCK_SIZE, 1, err))))
		goto fail;
	if (start_parser(reader, err) < 0)
		goto fail;
	if (!source && length > 0 && parse_bytes(reader, text, length, err) < 0)
		goto fail;
	if (source) {
		/* Not for chunks (a pipe, compressed), or failing: read sequentially all the same. */
		ml_error ignored;
		reader->chunks = ml_csv_chunks_open(source, reader->name, options, &ignored);
	}
	if (!options->line_at_a_time && source && !reader->chunks) {
		pthread_mutex_init(&reader->lock, NULL);
		pthread_cond_init(&reader->changed, NULL);
		reader->released = &reader->batches[1];
		/* Set before the thread starts: it reads the flag. */
		reader->threaded = true;
		if (pthread_create(&reader->thread, NULL, parse_in_background, reader) != 0) {
			reader->threaded = false;
			pthread_mutex_destroy(&reader->lock);
			pthread_cond_destroy(&reader->changed);
		}
	}

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
	/* The first row is data: deliver it again. */
	if (!options->header && reader->chunks)
		ml_csv_chunks_unread(reader->chunks);
	else if (!options->header)
		reader->next_record--;
	return reader;
fail:
	ml_csv_reader_free(reader);
	return NULL;
}

ml_csv_reader *ml_csv_reader_from_memory(const void *text, size_t length, const char *name,
					 const ml_csv_options *options, ml_error *err)
{
	return reader_open(NULL, text, length, name, options, err);
}

ml_csv_reader *ml_csv_reader_create(ml_source *source, const char *name,
				    const ml_csv_options *options, ml_error *err)
{
	return reader_open(source, NULL, 0, name, options, err);
}

static void stop_thread(ml_csv_reader *reader)
{
	pthread_mutex_lock(&reader->lock);
	reader->stopping = true;
	pthread_cond_broadcast(&reader->changed);
	pthread_mutex_unlock(&reader->lock);
	/* It may sit in read(2) on a slow pipe: the only place it can be cancelled. */
	pthread_cancel(reader->thread);
	pthread_join(reader->thread, NULL);
	pthread_mutex_destroy(&reader->lock);
	pthread_cond_destroy(&reader->changed);
}

void ml_csv_reader_free(ml_csv_reader *reader)
{
	if (!reader)
		return;
	if (reader->threaded)
		stop_thread(reader);
	ml_csv_chunks_free(reader->chunks);
	if (reader->parser_ready)
		csv_free(&reader->parser);
	ml_columns_free(&reader->columns);
	for (int i = 0; i < 2; i++) {
		batch *b = &reader->batches[i];
		ml_buf_free(&b->arena);
		free(b->field_offsets);
		free(b->field_lengths);
		free(b->records);
	}
	free(reader->delivered);
	free(reader->block);
	free(reader->name);
	ml_source_free(reader->own_source);
	free(reader);
}

ml_csv_reader *ml_csv_reader_create_fd(int fd, const char *name, const ml_csv_options *options,
				       ml_error *err)
{
	ml_source *source = ml_source_create(fd, name, err);
	ml_csv_reader *reader = source ? ml_csv_reader_create(source, name, options, err) : NULL;
	if (!reader)
		ml_source_free(source);
	else
		reader->own_source = source;
	return reader;
}

const ml_columns *ml_csv_reader_columns(const ml_csv_reader *reader)
{
	return &reader->columns;
}

bool ml_csv_reader_parallel(const ml_csv_reader *reader)
{
	return reader->chunks && ml_csv_chunks_threads(reader->chunks) > 0;
}

bool ml_csv_reader_has_header(const ml_csv_reader *reader)
{
	return reader->options.header;
}

const char *ml_csv_reader_name(const ml_csv_reader *reader)
{
	return reader->name;
}

void ml_csv_reader_set_wake_fd(ml_csv_reader *reader, int wake_fd)
{
	reader->wake_fd = wake_fd;
}

bool ml_csv_has_buffered(const ml_csv_reader *reader)
{
	if (reader->chunks)
		return true; /* a regular file: reading never waits for a writer */
	const batch *from = reader->reading;
	return from && (reader->next_record < from->n_records || from->at_end || from->failed);
}

double ml_csv_arrival_time(const ml_csv_reader *reader)
{
	return reader->arrival;
}

int ml_csv_next(ml_csv_reader *reader, ml_record *record, ml_error *err)
{
	int got = next_raw(reader, record, err);
	if (got <= 0)
		return got;
	size_t expected = reader->columns.count, n_fields = record->n_fields + reader->delivered_extra;
	if (n_fields == expected)
		return 1;
	ml_error_set(err, "%s:%zu: row has %zu field%s, %s has %zu", reader->name,
		     record->line, n_fields, n_fields == 1 ? "" : "s",
		     reader->options.header ? "header" : "first row", expected);
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

ml_csv_reader *ml_csv_chunk_reader_create(const char *name, const ml_csv_options *options,
					  ml_error *err)
{
	ml_csv_reader *chunk = calloc(1, sizeof *chunk);
	if (!chunk) {
		ml_error_nomem(err);
		return NULL;
	}
	chunk->options = *options;
	chunk->wake_fd = -1;
	ml_buf_init(&chunk->batches[0].arena);
	ml_buf_init(&chunk->batches[1].arena);
	if (!(chunk->name = ml_strdup(name, err))) {
		ml_csv_reader_free(chunk);
		return NULL;
	}
	return chunk;
}

void ml_csv_chunk_reader_parse(ml_csv_reader *chunk, const unsigned char *text, size_t length,
			       size_t first_line, size_t field_limit, bool last)
{
	batch *target = &chunk->batches[0];
	target->n_fields = target->n_records = 0;
	target->failed = false;
	ml_buf_reset(&target->arena);
	chunk->filling = chunk->reading = target;
	chunk->next_record = 0;
	chunk->line = chunk->record_line = first_line;
	chunk->fields_in_record = chunk->newlines_in_record = chunk->extra_fields = 0;
	/* A chunk after the first starts after a line end, outside quotes. */
	chunk->previous_terminator = field_limit ? '\n' : 0;
	chunk->problem = NULL;
	chunk->careful = chunk->previous_block_special = false;
	chunk->bom_checked = chunk->first_record_done = field_limit != 0;
	chunk->bom_matched = 0;
	chunk->field_limit = field_limit ? field_limit : ML_MAX_COLUMNS;
	if (chunk->parser_ready)
		csv_free(&chunk->parser);
	chunk->parser_ready = false;
	if (start_parser(chunk, &target->error) < 0 ||
	    parse_bytes(chunk, text, length, &target->error) < 0)
		target->failed = true;
	else if (last && finish_input(chunk, &target->error) < 0)
		target->failed = true;
	target->at_end = true;
}

size_t ml_csv_chunk_reader_field_limit(const ml_csv_reader *chunk)
{
	return chunk->first_record_done ? chunk->field_limit : 0;
}

int ml_csv_chunk_reader_next(ml_csv_reader *chunk, ml_record *record, size_t *n_extra,
			     ml_error *err)
{
	int got = next_raw(chunk, record, err);
	*n_extra = chunk->delivered_extra;
	return got;
}

void ml_csv_chunk_reader_unread(ml_csv_reader *chunk)
{
	chunk->next_record--;
}

void ml_csv_chunk_reader_skip(ml_csv_reader *chunk)
{
	chunk->next_record = chunk->reading->n_records;
}

size_t ml_csv_chunk_reader_index(const ml_csv_reader *chunk)
{
	return chunk->next_record - 1;
}

/* The sequential reader's thread runs fn on each batch it fills (see parse_in_background). */
static void set_batch_fn(ml_csv_reader *reader, ml_csv_chunk_fn *fn, void *context)
{
	pthread_mutex_lock(&reader->lock);
	reader->fn = fn;
	reader->fn_context = context;
	/* Unset, it is not called any more when this returns: the context may go. */
	while (reader->fn_running)
		pthread_cond_wait(&reader->changed, &reader->lock);
	/* A batch worked by the old function (or none) is not worked by this one. */
	for (int i = 0; i < 2; i++)
		reader->batches[i].worked = false;
	pthread_mutex_unlock(&reader->lock);
	batch *current = reader->reading;
	if (fn && current) {
		fn(context, (size_t)(current - reader->batches), current);
		current->worked = true;
	}
}

bool ml_csv_reader_set_chunk_fn(ml_csv_reader *reader, ml_csv_chunk_fn *fn, void *context)
{
	if (reader->chunks)
		ml_csv_chunks_set_fn(reader->chunks, fn, context);
	else if (reader->threaded)
		set_batch_fn(reader, fn, context);
	else
		return false;
	return true;
}

size_t ml_csv_reader_line_bound(const ml_csv_reader *reader)
{
	return reader->chunks ? ml_csv_chunks_lines(reader->chunks) : 0;
}

void ml_csv_reader_skip_chunk(ml_csv_reader *reader)
{
	if (reader->chunks)
		ml_csv_chunks_skip(reader->chunks);
	else if (reader->reading)
		reader->next_record = reader->reading->n_records;
}

size_t ml_csv_reader_slots(const ml_csv_reader *reader)
{
	return reader->chunks ? ml_csv_chunks_slots(reader->chunks) : reader->threaded ? 2 : 0;
}

void ml_csv_reader_chunk_position(const ml_csv_reader *reader, size_t *slot, size_t *index)
{
	if (!reader->chunks) {
		*slot = (size_t)(reader->reading - reader->batches);
		*index = reader->next_record - 1;
		return;
	}
	const ml_csv_reader *chunk;
	*slot = ml_csv_chunks_current(reader->chunks, &chunk);
	*index = ml_csv_chunk_reader_index(chunk);
}

const ml_csv_chunk *ml_csv_chunk_reader_records(const ml_csv_reader *chunk)
{
	return &chunk->batches[0];
}

size_t ml_csv_chunk_records(const ml_csv_chunk *chunk)
{
	return chunk->n_records;
}

size_t ml_csv_chunk_fields(const ml_csv_chunk *chunk, size_t record)
{
	const pending_record *pending = &chunk->records[record];
	return pending->n_fields + pending->n_extra;
}

size_t ml_csv_chunk_line(const ml_csv_chunk *chunk, size_t record)
{
	return chunk->records[record].line;
}

ml_field ml_csv_chunk_field(const ml_csv_chunk *chunk, size_t record, size_t field)
{
	size_t at = chunk->records[record].first_field + field;
	return (ml_field){ chunk->arena.data + chunk->field_offsets[at], chunk->field_lengths[at] };
}

struct ml_csv_writer {
	FILE *out;
	char *name;
	size_t n_columns;
	size_t target;
	char *const *class_names;
	size_t n_classes;
	char delimiter;
	int precision; /* significant digits, or 0: exact */
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
		ml_buf_append(&writer->text, digits,
			      ml_format_double_digits(value, writer->precision, digits));
	}
}

void ml_csv_writer_set_precision(ml_csv_writer *writer, int digits)
{
	writer->precision = digits;
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
				size_t length = writer->precision
							? ml_format_double_digits(row[c], writer->precision,
										  digits)
							: ml_format_double(row[c], digits);
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
