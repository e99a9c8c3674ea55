/*
 * ml_csv: CSV text in and out.
 *
 * The reader streams records through libcsv in bounded memory: it feeds
 * large blocks, keeps fields in one arena per block (parsed in a background
 * thread, unless line_at_a_time asks otherwise), tracks physical line
 * numbers for messages, checks every row against the header's field count,
 * strips a UTF-8 byte order mark, accepts CRLF and skips empty lines.
 * Blocks without a quote skip libcsv: a vectorised scan splits their lines
 * by libcsv's rules for unquoted fields.  The writer prints rows of doubles
 * in their shortest exact form.
 */
#ifndef ML_CSV_H
#define ML_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/ml_columns.h"
#include "core/ml_error.h"
#include "core/ml_util.h"
#include "io/ml_source.h"

#define ML_MAX_NA_VALUES 64
/* The longest line line_protocol reads; the rest of a longer one is skipped unread. */
#define ML_MAX_LINE_LENGTH ((size_t)16 << 20)

typedef struct ml_csv_options {
	char delimiter;          /* ',' */
	bool header;             /* first record names the columns (default) */
	/*
	 * A quote inside an unquoted field (12" pizza) is text, as pandas
	 * reads it, instead of an error; quoted fields still follow RFC 4180.
	 */
	bool lenient_quotes;
	bool line_at_a_time;     /* parse in the caller's thread, for services */
	/*
	 * A plain regular file is parsed in chunks on this many threads; 1
	 * reads it as a pipe is read (a parser thread and the caller's, which
	 * converts: two cores busy already).  0: ml_parallel_threads() (the
	 * program's -j) of them, when that is more than one.
	 * chunk_size (0: 1 MiB) is for tests.  See io/ml_csv_chunks.h.
	 */
	size_t n_threads;
	size_t chunk_size;
	/*
	 * The caller reads the whole input before it gives any result (it
	 * fits): a pipe or a compressed file is then parsed in chunks as
	 * well, read ahead by a thread of its own in 1 MiB blocks, which a
	 * co-process waiting for answers line by line could not fill.
	 */
	bool whole_input;
	/*
	 * For tests: libcsv parses every block, also those without quotes
	 * that the reader otherwise splits itself (the same records).
	 */
	bool always_libcsv;
	/*
	 * Also for services: malformed quoting, a NUL byte or an overlong
	 * field spoils only the record it is in, which ml_csv_next returns as
	 * ML_CSV_BAD_RECORD (the rest of its line skipped), and reading goes
	 * on: one bad request does not end a service.  Off by default.
	 */
	bool recover_lines;
	/*
	 * The service protocol (ml-predict -l): every LF-terminated line is one
	 * record, whatever its quotes, and recover_lines holds.  A line that is
	 * blank, ends inside quotes, holds a CR other than the one before its
	 * LF, has a field over 1 MiB or is longer than ML_MAX_LINE_LENGTH is
	 * one ML_CSV_BAD_RECORD; the next line is read afresh.  Off by default.
	 */
	bool line_protocol;
	size_t n_na_values;      /* strings read as missing, besides "" */
	const char *na_values[ML_MAX_NA_VALUES];
	/*
	 * Which of the dialect's parts (delimiter, header, na_values,
	 * lenient_quotes) the user chose: the others may come from a load
	 * stage's record of the training data's dialect (ml_stream_open).
	 */
	bool delimiter_given, header_given, na_given, quotes_given;
} ml_csv_options;

/* Defaults: ',', a header, missing = "", NA, NaN, nan, ?. */
void ml_csv_options_init(ml_csv_options *options);
/* Replaces the missing-value strings by a comma-separated list; -1 if too many. */
int ml_csv_options_set_na(ml_csv_options *options, char *list, ml_error *err);
/* True when text is one of the missing-value strings (or empty). */
bool ml_csv_is_missing(const ml_csv_options *options, const char *text, size_t length);

typedef struct ml_field {
	const char *text; /* NUL-terminated */
	size_t length;
} ml_field;

typedef struct ml_record {
	size_t n_fields;
	const ml_field *fields;
	size_t line; /* physical line where the record starts */
} ml_record;

typedef struct ml_csv_reader ml_csv_reader;

/*
 * Reads CSV from source (which the caller keeps, and frees after the
 * reader).  `name` is used in messages.  Reads the header (or, without
 * one, names the columns c1..cN from the first row).
 */
ml_csv_reader *ml_csv_reader_create(ml_source *source, const char *name,
				    const ml_csv_options *options, ml_error *err);
/* The same on a descriptor (not closed here), through a source of its own. */
ml_csv_reader *ml_csv_reader_create_fd(int fd, const char *name, const ml_csv_options *options,
				       ml_error *err);
/*
 * The same over text already in memory (a request body), parsed in the
 * caller's thread; text must stay until the header is read (the call
 * returns), the records are copied.
 */
ml_csv_reader *ml_csv_reader_from_memory(const void *text, size_t length, const char *name,
					 const ml_csv_options *options, ml_error *err);
void ml_csv_reader_free(ml_csv_reader *reader);
/* Column names from the header (or c1..cN without one); no target. */
const ml_columns *ml_csv_reader_columns(const ml_csv_reader *reader);
/* Whether the file is being parsed in chunks on several threads. */
bool ml_csv_reader_parallel(const ml_csv_reader *reader);
/*
 * Work done on each chunk's records in the thread that parsed them, before
 * ml_csv_next hands them out (numbers converted ahead, say): the chunks of
 * parallel reading, or the batches of the sequential reader's parsing
 * thread.  fn gets the slot its chunk sits in (below ml_csv_reader_slots):
 * results kept per slot need no lock, since a slot takes a new chunk only
 * after ml_csv_next has moved past all of the records of its last one.
 * Chunks parsed before fn is set get it in the reading thread.  False (and
 * nothing set) when the reading has no parsing thread (line_at_a_time).
 */
typedef struct ml_csv_batch ml_csv_chunk; /* one chunk's parsed records */
typedef void ml_csv_chunk_fn(void *context, size_t slot, const ml_csv_chunk *chunk);
bool ml_csv_reader_set_chunk_fn(ml_csv_reader *reader, ml_csv_chunk_fn *fn, void *context);
size_t ml_csv_reader_slots(const ml_csv_reader *reader);
/* The record ml_csv_next gave last: its chunk's slot and its index in the chunk. */
void ml_csv_reader_chunk_position(const ml_csv_reader *reader, size_t *slot, size_t *index);
/* A chunk's records, their field counts (fields past the first record's not kept) and fields. */
size_t ml_csv_chunk_records(const ml_csv_chunk *chunk);
size_t ml_csv_chunk_fields(const ml_csv_chunk *chunk, size_t record);
ml_field ml_csv_chunk_field(const ml_csv_chunk *chunk, size_t record, size_t field);
/*
 * The physical line a chunk's record starts on.  Every record starts on a
 * line of its own, so fewer than that many records come before it: a
 * place for the chunk's rows in an array of ml_csv_reader_line_bound rows
 * that no earlier chunk's rows can reach.
 */
size_t ml_csv_chunk_line(const ml_csv_chunk *chunk, size_t record);
/*
 * The physical lines of the whole input (so a bound on its records) when
 * they are counted before reading (a file parsed in chunks), or 0.
 */
size_t ml_csv_reader_line_bound(const ml_csv_reader *reader);
/*
 * Takes the records of the current chunk that ml_csv_next has not given
 * yet as given: the caller had the chunk function handle them all.  The
 * next ml_csv_next goes on with the next chunk (or the error that ended
 * this one).
 */
void ml_csv_reader_skip_chunk(ml_csv_reader *reader);
/* Whether the first record named the columns. */
bool ml_csv_reader_has_header(const ml_csv_reader *reader);
const char *ml_csv_reader_name(const ml_csv_reader *reader);
/*
 * 1 with the next record (valid until the next call), 0 at the end, -1 on
 * an error that ends reading, ML_CSV_BAD_RECORD when only this record is
 * wrong (its field count) and reading may go on.
 */
#define ML_CSV_BAD_RECORD (-2)
int ml_csv_next(ml_csv_reader *reader, ml_record *record, ml_error *err);

/*
 * Service mode (ml-predict --line-buffered), off unless asked for.
 *
 * With a wake descriptor, a reader that must wait for input waits for
 * wake_fd too, and ml_csv_next returns ML_CSV_WOKEN, having taken nothing,
 * as soon as wake_fd is readable: a signal handler's self-pipe so reaches
 * a reader blocked on a quiet client.  The caller drains wake_fd and
 * calls ml_csv_next again.  With line_at_a_time the wait is one poll(2);
 * waiting for the parser thread, wake_fd is looked at every 50 ms.
 * -1 turns it off.
 */
#define ML_CSV_WOKEN (-3)
void ml_csv_reader_set_wake_fd(ml_csv_reader *reader, int wake_fd);
/* True when ml_csv_next answers without reading: a record is queued, or the input ended. */
bool ml_csv_has_buffered(const ml_csv_reader *reader);
/* When (CLOCK_MONOTONIC seconds) the last read(2) that brought data returned. */
double ml_csv_arrival_time(const ml_csv_reader *reader);

typedef struct ml_csv_writer ml_csv_writer;

/*
 * Writes the header line at once.  When class_names is given, the target
 * column's values are written as those names (class indices inside).
 */
ml_csv_writer *ml_csv_writer_create(FILE *out, const char *name, const ml_columns *columns,
				    char *const *class_names, size_t n_classes, char delimiter,
				    ml_error *err);
/*
 * Numbers with `digits` significant digits (1 to 16) instead of the
 * shortest form that reads back exactly (0, the default).
 */
void ml_csv_writer_set_precision(ml_csv_writer *writer, int digits);
/* Rows of columns->count doubles; NaN is written as an empty field. */
int ml_csv_write_rows(ml_csv_writer *writer, const double *rows, size_t n_rows,
		      ml_error *err);
/* Flushes what is buffered; the caller closes the stream. */
int ml_csv_writer_finish(ml_csv_writer *writer, ml_error *err);
void ml_csv_writer_free(ml_csv_writer *writer);
/* Appends text to out as one CSV field, quoted when it needs to be. */
void ml_csv_quote(ml_buf *out, const char *text, char delimiter);

#endif
