/*
 * ml_csv_chunks: a plain CSV file parsed in chunks on several threads.
 *
 * Internal to io: ml_csv's reader uses it when its input is a regular
 * file, uncompressed, read with the default dialect rules (strict quotes,
 * no service mode).  The file is mapped; a pre-pass on all threads counts
 * its quotes and line ends per chunk-sized block, which gives, exactly,
 * where the quote state is "outside" at a line end (chunk boundaries) and
 * each chunk's first line number.  Each chunk is then read (pread into a
 * buffer of its slot) and parsed by its own chunk reader (below: libcsv,
 * or the split of quote-free text) on a worker thread, and the
 * records are handed out in input order, so that records, line numbers
 * and errors are those of the sequential reader.  At most two chunks per
 * thread are parsed ahead of the one being read: memory is bounded by the
 * chunks in flight, not by the file.
 *
 * Where the quote count cannot tell (--quotes lenient reads a stray quote
 * as text), or a lone CR ends lines (classic Mac), the file is read
 * sequentially instead: ml_csv_chunks_open returns NULL without an error.
 *
 * A stream (a pipe, compressed input) is read in chunks too when the
 * caller reads it whole (ml_csv_options.whole_input): a feeder thread
 * reads each chunk into its slot, cut after its last line end outside
 * quotes (counted in the chunk, which starts outside them), the rest
 * carried to the next; lines are counted as it goes.  Its first bytes
 * decide (peeked, so that a refusal reads them sequentially): more than
 * one chunk, starting a record, without a lone CR.
 */
#ifndef ML_CSV_CHUNKS_H
#define ML_CSV_CHUNKS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "io/ml_csv.h"
#include "io/ml_source.h"

typedef struct ml_csv_chunks ml_csv_chunks;

/*
 * Maps source's file and parses its first chunk (which holds the header)
 * in the calling thread, then starts the workers.  NULL when the input is
 * not for chunks (err untouched) or on an error (err set; the caller may
 * read sequentially all the same).
 */
ml_csv_chunks *ml_csv_chunks_open(ml_source *source, const char *name,
				  const ml_csv_options *options, ml_error *err);
/*
 * The next record as ml_csv_reader's next_raw gives it: 1, 0 at the end,
 * -1 on an error (again at every later call).  *n_extra gets the fields
 * past the first record's count, counted but not kept.
 */
int ml_csv_chunks_next(ml_csv_chunks *chunks, ml_record *record, size_t *n_extra,
		       ml_error *err);
/* Hands the record just taken out again at the next call (a first row that is data). */
void ml_csv_chunks_unread(ml_csv_chunks *chunks);
/* Takes the rest of the current chunk's records as read (ml_csv_reader_skip_chunk). */
void ml_csv_chunks_skip(ml_csv_chunks *chunks);
/* See ml_csv_reader_set_chunk_fn. */
void ml_csv_chunks_set_fn(ml_csv_chunks *chunks, ml_csv_chunk_fn *fn, void *context);
size_t ml_csv_chunks_slots(const ml_csv_chunks *chunks);
/* The slot of the chunk being read and its reader. */
size_t ml_csv_chunks_current(const ml_csv_chunks *chunks, const ml_csv_reader **chunk);
/* The physical lines of the input (the pre-pass counts them), 0 for a stream. */
size_t ml_csv_chunks_lines(const ml_csv_chunks *chunks);
/* Worker threads running (0 when the file was a single chunk). */
size_t ml_csv_chunks_threads(const ml_csv_chunks *chunks);
void ml_csv_chunks_free(ml_csv_chunks *chunks);

/*
 * Chunk readers, implemented in ml_csv.c: an ml_csv_reader without a
 * source or a thread, parsing one chunk at a time in the calling thread
 * with the callbacks of the sequential reader.
 */
ml_csv_reader *ml_csv_chunk_reader_create(const char *name, const ml_csv_options *options,
					  ml_error *err);
/*
 * Parses text, which starts a record at line first_line, into the reader
 * (dropping what it held).  field_limit is the first record's field count,
 * or 0 when this is the input's start (byte order mark, first record).
 * last: the input ends with text.  Failures are kept for _next.
 */
void ml_csv_chunk_reader_parse(ml_csv_reader *chunk, const unsigned char *text, size_t length,
			       size_t first_line, size_t field_limit, bool last);
/* The first record's field count once it is parsed, or 0. */
size_t ml_csv_chunk_reader_field_limit(const ml_csv_reader *chunk);
int ml_csv_chunk_reader_next(ml_csv_reader *chunk, ml_record *record, size_t *n_extra,
			     ml_error *err);
void ml_csv_chunk_reader_unread(ml_csv_reader *chunk);
/* Takes the rest of its records as read (ml_csv_reader_skip_chunk). */
void ml_csv_chunk_reader_skip(ml_csv_reader *chunk);
/* The index in its chunk of the record _next gave last. */
size_t ml_csv_chunk_reader_index(const ml_csv_reader *chunk);
/* The records parsed, for the chunk function. */
const ml_csv_chunk *ml_csv_chunk_reader_records(const ml_csv_reader *chunk);

#endif
