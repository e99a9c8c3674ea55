#define _GNU_SOURCE /* madvise, memrchr */
#include "io/ml_csv_chunks.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/ml_util.h"
#include "math/ml_parallel.h"

#define DEFAULT_CHUNK_SIZE ((size_t)1 << 20)
/* Chunks parsed ahead of the one being read, per worker thread: bounds memory. */
#define SLOTS_PER_THREAD 2

/* A chunk reader and the chunk it holds. */
typedef struct slot {
	ml_csv_reader *parser;
	unsigned char *text; /* the chunk's bytes, read into memory used again */
	size_t capacity;
	size_t chunk;
	/* Read from a stream (ml_csv_chunks.source): the chunk's text, line and end. */
	size_t length, first_line;
	bool last;
	bool ready;  /* parsed, not read to its end yet */
	bool worked; /* the chunk function ran on it */
} slot;

struct ml_csv_chunks {
	const char *name;
	void *map;
	size_t map_length;
	const unsigned char *text; /* the input, from the source's position */
	size_t length;
	int fd;              /* the file, text at this offset in it */
	off_t offset;
	/* Chunk i is text[starts[i] .. starts[i + 1]), its first line lines[i]. */
	size_t *starts, *lines;
	size_t n_chunks;
	size_t n_lines;     /* physical lines in text */
	size_t field_limit; /* the first record's field count */

	slot *slots;
	size_t n_slots;
	pthread_t *threads;
	size_t n_threads;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool synchronized; /* lock and changed initialized */
	size_t next_chunk; /* the next chunk a worker takes */
	size_t current;    /* the chunk being read */
	bool stopping;
	bool have_current; /* the reading side knows the current chunk is ready */
	/*
	 * A stream (a pipe, compressed input) instead of a mapped file: the
	 * feeder thread reads each chunk into its slot, cut after the last
	 * line end outside quotes, and keeps the rest (carry) for the next.
	 * n_chunks is SIZE_MAX until it has read the last one.
	 */
	ml_source *source;
	pthread_t feeder;
	bool feeding;        /* the feeder thread runs */
	size_t n_fed;        /* chunks whose text is in their slot */
	unsigned char *carry;
	size_t carry_length, carry_capacity;
	size_t next_line;    /* the first line of the next chunk read */
	size_t chunk_size;
	bool feed_failed;    /* reading failed after the last chunk read: feed_error */
	ml_error feed_error;
	ml_csv_chunk_fn *fn; /* work on each chunk after parsing (ml_csv_reader_set_chunk_fn) */
	void *fn_context;
	size_t fn_running; /* workers inside fn */
};

/* What the pre-pass learns of one block of chunk_size bytes. */
typedef struct block_counts {
	size_t quotes, newlines;
	bool lone_cr; /* a CR not followed by LF: lines end where quote counts cannot tell */
} block_counts;

static size_t count_byte(const unsigned char *bytes, size_t length, unsigned char byte)
{
	size_t count = 0;
	for (const unsigned char *p = bytes, *end = bytes + length;
	     (p = memchr(p, byte, (size_t)(end - p))); p++)
		count++;
	return count;
}

/*
 * Gives back the mapped pages that lie wholly inside text[start, end): the
 * file in the page cache is not ours to count, and resident memory stays
 * that of the chunks in flight.
 */
static void release(const unsigned char *text, size_t start, size_t end)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)(text + start) + page - 1) & ~(page - 1);
	uintptr_t to = (uintptr_t)(text + end) & ~(page - 1);
	if (from < to)
		madvise((void *)from, to - from, MADV_DONTNEED);
}

/*
 * Counts a block read into buffer (one more byte for the CR check): pread
 * from the page cache is a copy at memory speed, where touching the
 * mapping would fault its pages in twice (here, then for parsing).
 */
static int count_block(int fd, off_t offset, size_t length, size_t start, size_t size,
		       unsigned char *buffer, block_counts *counts)
{
	size_t wanted = start + size < length ? size + 1 : size, have = 0;
	while (have < wanted) {
		ssize_t got = pread(fd, buffer + have, wanted - have, offset + (off_t)(start + have));
		if (got <= 0)
			return -1;
		have += (size_t)got;
	}
	const unsigned char *bytes = buffer;
	counts->quotes = count_byte(bytes, size, '"');
	counts->newlines = count_byte(bytes, size, '\n');
	counts->lone_cr = false;
	for (const unsigned char *p = bytes, *end = bytes + size;
	     (p = memchr(p, '\r', (size_t)(end - p))); p++) {
		size_t at = (size_t)(p - bytes);
		if (at + 1 == wanted || bytes[at + 1] != '\n') {
			counts->lone_cr = true;
			break;
		}
	}
	return 0;
}

/*
 * The first line end outside quotes at or after start (length if none),
 * counting the line ends on the way into *lines.  Read by pread(2), as
 * count_block reads: a fault on the mapping maps a whole folio of the page
 * cache (hundreds of KiB), and these scans made 228 MiB of a 400 MB file
 * resident.
 */
static size_t line_end(const ml_csv_chunks *chunks, size_t start, bool quoted, size_t *lines)
{
	unsigned char buffer[4096];
	for (size_t at = start; at < chunks->length;) {
		size_t wanted = chunks->length - at < sizeof buffer ? chunks->length - at
								    : sizeof buffer;
		ssize_t got = pread(chunks->fd, buffer, wanted, chunks->offset + (off_t)at);
		if (got <= 0)
			return chunks->length; /* unreadable: no more boundaries */
		for (size_t i = 0; i < (size_t)got; i++) {
			if (buffer[i] == '"')
				quoted = !quoted;
			if (buffer[i] != '\n')
				continue;
			/* Quoted line ends count too: the reader counts physical lines. */
			++*lines;
			if (!quoted)
				return at + i;
		}
		at += (size_t)got;
	}
	return chunks->length;
}

/*
 * The chunk boundaries: after the first line end at or past each block's
 * start where the quote count says "outside quotes".  Up to the first
 * malformed quote the count is exact (strict quoting), and no chunk past
 * that one is ever read.  0, or -1 when the file must be read sequentially.
 */
static int split(ml_csv_chunks *chunks, int fd, off_t offset, size_t chunk_size,
		 size_t n_threads, ml_error *err)
{
	size_t n_blocks = chunks->length / chunk_size + (chunks->length % chunk_size != 0);
	block_counts *counts = ml_alloc_array(n_blocks, sizeof *counts, err);
	chunks->starts = ml_alloc_array(n_blocks + 1, sizeof *chunks->starts, err);
	chunks->lines = ml_alloc_array(n_blocks + 1, sizeof *chunks->lines, err);
	if (!counts || !chunks->starts || !chunks->lines) {
		free(counts);
		return -1;
	}
	size_t length = chunks->length;
	#pragma omp parallel num_threads(n_threads)
	{
		unsigned char *buffer = malloc(chunk_size + 1);
		#pragma omp for schedule(static)
		for (size_t b = 0; b < n_blocks; b++) {
			size_t start = b * chunk_size;
			size_t size = length - start < chunk_size ? length - start : chunk_size;
			if (!buffer || count_block(fd, offset, length, start, size, buffer,
						   &counts[b]) < 0)
				counts[b].lone_cr = true; /* unreadable: read sequentially */
		}
		free(buffer);
	}
	size_t quotes = 0, newlines = 0, n_chunks = 1, cursor = 0;
	chunks->starts[0] = 0;
	chunks->lines[0] = 1;
	int status = 0;
	for (size_t b = 0; b < n_blocks && status == 0; b++) {
		size_t start = b * chunk_size;
		if (counts[b].lone_cr)
			status = -1;
		if (b > 0 && start >= cursor) {
			size_t lines = newlines;
			size_t at = line_end(chunks, start, quotes % 2 == 1, &lines);
			if (at + 1 < length) {
				cursor = at + 1;
				chunks->starts[n_chunks] = cursor;
				chunks->lines[n_chunks++] = 1 + lines;
			} else {
				cursor = length;
			}
		}
		quotes += counts[b].quotes;
		newlines += counts[b].newlines;
	}
	chunks->starts[n_chunks] = length;
	chunks->n_chunks = n_chunks;
	chunks->n_lines = newlines + 1;
	free(counts);
	return status;
}

/*
 * text[start, start + length), read into the slot's buffer: where pages
 * are costly to map (a virtual machine with shadow page tables: some 13 us
 * a page, 3 ns a byte), a buffer mapped once and filled again and again by
 * pread(2) costs far less than parsing from the mapping.  The mapping
 * itself when the buffer cannot grow or the read fails.
 */
static const unsigned char *chunk_text(ml_csv_chunks *chunks, slot *into, size_t start,
				       size_t length)
{
	if (length == 0)
		return chunks->text + start;
	if (length > into->capacity) {
		unsigned char *grown = realloc(into->text, length);
		if (!grown)
			return chunks->text + start;
		into->text = grown;
		into->capacity = length;
	}
	for (size_t have = 0; have < length;) {
		ssize_t got = pread(chunks->fd, into->text + have, length - have,
				    chunks->offset + (off_t)(start + have));
		if (got <= 0)
			return chunks->text + start;
		have += (size_t)got;
	}
	return into->text;
}

static void parse_chunk(ml_csv_chunks *chunks, slot *into, size_t chunk)
{
	if (chunks->source) {
		ml_csv_chunk_reader_parse(into->parser, into->text, into->length, into->first_line,
					  chunk == 0 ? 0 : chunks->field_limit, into->last);
		into->chunk = chunk;
		return;
	}
	size_t start = chunks->starts[chunk], length = chunks->starts[chunk + 1] - start;
	const unsigned char *text = chunk_text(chunks, into, start, length);
	ml_csv_chunk_reader_parse(into->parser, text, length, chunks->lines[chunk],
				  chunk == 0 ? 0 : chunks->field_limit,
				  chunk + 1 == chunks->n_chunks);
	if (text != into->text)
		release(chunks->text, start, chunks->starts[chunk + 1]);
	into->chunk = chunk;
}

/*
 * Reading a stream in chunks (a pipe, compressed input): no pre-pass can
 * count ahead, so each chunk is cut after its last line end outside
 * quotes, counting the quotes in the chunk (it starts outside them).
 */

/* Where text[0, length) ends after its last line end outside quotes; 0 if none. */
static size_t last_line_end(const unsigned char *text, size_t length)
{
	size_t quotes = count_byte(text, length, '"'), after = 0, end = length;
	for (const unsigned char *p; (p = memrchr(text, '\n', end));) {
		size_t at = (size_t)(p - text);
		after += count_byte(p + 1, end - at - 1, '"');
		if ((quotes - after) % 2 == 0)
			return at + 1;
		end = at;
	}
	return 0;
}

/* A CR not followed by LF before text's last byte: lines the LF count does not see. */
static bool has_lone_cr(const unsigned char *text, size_t length)
{
	for (const unsigned char *p = text, *end = text + length;
	     (p = memchr(p, '\r', (size_t)(end - p))); p++)
		if (p + 1 < end && p[1] != '\n')
			return true;
	return false;
}

static bool grow_text(slot *into, size_t capacity)
{
	if (capacity <= into->capacity)
		return true;
	unsigned char *grown = realloc(into->text, capacity);
	if (!grown)
		return false;
	into->text = grown;
	into->capacity = capacity;
	return true;
}

/*
 * Reads into into->text until it holds wanted bytes or the input ends
 * (*end).  In the feeder thread (cancellable) a read waiting on a slow
 * pipe is where ml_csv_chunks_free may cancel it.
 */
static size_t read_until(ml_csv_chunks *chunks, slot *into, size_t have, size_t wanted,
			 bool cancellable, bool *end)
{
	if (!grow_text(into, wanted)) {
		ml_error_nomem(&chunks->feed_error);
		chunks->feed_failed = *end = true;
		return have;
	}
	while (have < wanted && !*end) {
		if (cancellable)
			pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
		long got = ml_source_read(chunks->source, into->text + have, wanted - have,
					  &chunks->feed_error);
		if (cancellable)
			pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		if (got < 0)
			chunks->feed_failed = true;
		if (got <= 0)
			*end = true;
		else
			have += (size_t)got;
	}
	return have;
}

/* Keeps text[cut, have) for the next chunk. */
static bool keep_carry(ml_csv_chunks *chunks, const slot *into, size_t cut, size_t have)
{
	size_t rest = have - cut;
	if (rest > chunks->carry_capacity) {
		unsigned char *grown = realloc(chunks->carry, rest);
		if (!grown)
			return false;
		chunks->carry = grown;
		chunks->carry_capacity = rest;
	}
	if (rest)
		memcpy(chunks->carry, into->text + cut, rest);
	chunks->carry_length = rest;
	return true;
}

/* Whether the input ends here (nothing carried, nothing more to read). */
static bool at_end(ml_csv_chunks *chunks, bool cancellable)
{
	const unsigned char *bytes;
	if (chunks->carry_length)
		return false;
	if (cancellable)
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	long got = ml_source_peek(chunks->source, 1, &bytes, &chunks->feed_error);
	if (cancellable)
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	chunks->feed_failed |= got < 0;
	return got <= 0;
}

/*
 * Reads the next chunk into its slot: the carry, then the stream up to
 * chunk_size bytes, cut after the last line end outside quotes (read on
 * while there is none).  A lone CR in it (lines the LF count misses)
 * makes it take the rest of the input.  Without a line end outside
 * quotes in far more than a field's length the quotes cannot be right:
 * the chunk ends there, the last, and its parser reports the overlong or
 * unterminated field, as the sequential reader would.  True for the last.
 */
static bool fill_chunk(ml_csv_chunks *chunks, slot *into, bool cancellable)
{
	size_t have = 0, cut, limit = chunks->chunk_size + 8 * ML_MAX_FIELD_LENGTH;
	size_t wanted = chunks->chunk_size > chunks->carry_length ? chunks->chunk_size
								  : chunks->carry_length;
	bool end = false, whole = false;
	if (grow_text(into, wanted)) {
		if (chunks->carry_length)
			memcpy(into->text, chunks->carry, chunks->carry_length);
		have = chunks->carry_length;
	} else {
		ml_error_nomem(&chunks->feed_error);
		chunks->feed_failed = end = true;
	}
	for (;;) {
		have = read_until(chunks, into, have, wanted, cancellable, &end);
		cut = end ? have : last_line_end(into->text, have);
		if (end || (cut && !has_lone_cr(into->text, cut) && !whole))
			break;
		whole |= cut != 0;
		if (!whole && have >= limit) {
			end = true; /* not read to the end: the parser fails first */
			cut = have;
			break;
		}
		wanted = have * 2;
	}
	if (!keep_carry(chunks, into, cut, have)) {
		ml_error_nomem(&chunks->feed_error);
		chunks->feed_failed = end = true;
		cut = have;
		chunks->carry_length = 0;
	}
	into->length = cut;
	into->first_line = chunks->next_line;
	chunks->next_line += count_byte(into->text, cut, '\n');
	into->last = end || at_end(chunks, cancellable);
	return into->last;
}

/* The feeder thread: reads chunks 1, 2, ... into their slots as they come free. */
static void *feed(void *data)
{
	ml_csv_chunks *chunks = data;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_mutex_lock(&chunks->lock);
	for (size_t chunk = 1;; chunk++) {
		while (!chunks->stopping && chunk >= chunks->current + chunks->n_slots)
			pthread_cond_wait(&chunks->changed, &chunks->lock);
		if (chunks->stopping)
			break;
		pthread_mutex_unlock(&chunks->lock);
		bool last = fill_chunk(chunks, &chunks->slots[chunk % chunks->n_slots], true);
		pthread_mutex_lock(&chunks->lock);
		chunks->n_fed = chunk + 1;
		if (last)
			chunks->n_chunks = chunk + 1;
		pthread_cond_broadcast(&chunks->changed);
		if (last)
			break;
	}
	pthread_mutex_unlock(&chunks->lock);
	return NULL;
}

/* Without threads: the reading side reads the current chunk itself. */
static void feed_here(ml_csv_chunks *chunks, slot *into)
{
	if (fill_chunk(chunks, into, false))
		chunks->n_chunks = chunks->current + 1;
	chunks->n_fed = chunks->current + 1;
}

static void *work(void *data)
{
	ml_csv_chunks *chunks = data;
	pthread_mutex_lock(&chunks->lock);
	for (;;) {
		while (!chunks->stopping && chunks->next_chunk < chunks->n_chunks &&
		       (chunks->next_chunk >= chunks->current + chunks->n_slots ||
			(chunks->source && chunks->next_chunk >= chunks->n_fed)))
			pthread_cond_wait(&chunks->changed, &chunks->lock);
		if (chunks->stopping || chunks->next_chunk >= chunks->n_chunks)
			break;
		size_t chunk = chunks->next_chunk++;
		/* Free: its previous chunk, n_slots before this one, has been read. */
		slot *into = &chunks->slots[chunk % chunks->n_slots];
		pthread_mutex_unlock(&chunks->lock);
		parse_chunk(chunks, into, chunk);
		pthread_mutex_lock(&chunks->lock);
		ml_csv_chunk_fn *fn = chunks->fn;
		void *context = chunks->fn_context;
		if (fn) {
			chunks->fn_running++;
			pthread_mutex_unlock(&chunks->lock);
			fn(context, (size_t)(into - chunks->slots),
			   ml_csv_chunk_reader_records(into->parser));
			pthread_mutex_lock(&chunks->lock);
			chunks->fn_running--;
		}
		/* A change of function while fn ran: this chunk did not get the new one. */
		if (fn != chunks->fn)
			fn = NULL;
		into->worked = fn != NULL;
		into->ready = true;
		pthread_cond_broadcast(&chunks->changed);
	}
	pthread_mutex_unlock(&chunks->lock);
	return NULL;
}

/*
 * Parses the first chunk here: it holds the first record, whose field
 * count the other chunks need.  Rare first chunks without a record (blank
 * lines only) take in the next chunk, until one has it.
 */
static void parse_first(ml_csv_chunks *chunks)
{
	slot *first = &chunks->slots[0];
	size_t end = 1;
	for (;;) {
		const unsigned char *text = chunk_text(chunks, first, 0, chunks->starts[end]);
		ml_csv_chunk_reader_parse(first->parser, text, chunks->starts[end], 1, 0,
					  end == chunks->n_chunks);
		chunks->field_limit = ml_csv_chunk_reader_field_limit(first->parser);
		if (chunks->field_limit || end == chunks->n_chunks)
			break;
		end++;
	}
	size_t merged = end - 1;
	for (size_t i = 1; i + merged <= chunks->n_chunks; i++) {
		chunks->starts[i] = chunks->starts[i + merged];
		chunks->lines[i] = chunks->lines[i + merged];
	}
	chunks->n_chunks -= merged;
	/* Without a first record the first chunk ended the input or failed: nothing follows. */
	if (!chunks->field_limit)
		chunks->n_chunks = 1;
	first->chunk = 0;
	first->ready = true;
	chunks->next_chunk = 1;
}

static int start_workers(ml_csv_chunks *chunks, size_t n_threads, ml_error *err)
{
	if (chunks->n_chunks == 1)
		return 0;
	if (n_threads > chunks->n_chunks - 1)
		n_threads = chunks->n_chunks - 1;
	if (!(chunks->threads = ml_alloc_array(n_threads, sizeof *chunks->threads, err)))
		return -1;
	pthread_mutex_init(&chunks->lock, NULL);
	pthread_cond_init(&chunks->changed, NULL);
	chunks->synchronized = true;
	/* Without threads (none could start) the reading side parses each chunk itself. */
	while (chunks->n_threads < n_threads &&
	       pthread_create(&chunks->threads[chunks->n_threads], NULL, work, chunks) == 0)
		chunks->n_threads++;
	return 0;
}

/* Ends the workers before any chunk past the first is taken (the reading side parses). */
static void stop_workers(ml_csv_chunks *chunks)
{
	pthread_mutex_lock(&chunks->lock);
	chunks->stopping = true;
	pthread_cond_broadcast(&chunks->changed);
	pthread_mutex_unlock(&chunks->lock);
	for (size_t i = 0; i < chunks->n_threads; i++)
		pthread_join(chunks->threads[i], NULL);
	chunks->n_threads = 0;
	chunks->stopping = false;
}

static bool eligible(const ml_csv_options *options, size_t n_threads)
{
	char delimiter = options->delimiter;
	return n_threads > 1 && !options->lenient_quotes && !options->line_at_a_time &&
	       !options->recover_lines && delimiter != '"' && delimiter != '\r' &&
	       delimiter != '\n' && delimiter != '\0';
}

static ml_csv_chunks *new_chunks(const char *name, ml_error *err)
{
	ml_csv_chunks *chunks = calloc(1, sizeof *chunks);
	if (!chunks)
		ml_error_nomem(err);
	else
		chunks->name = name;
	return chunks;
}

/* Slots with their chunk readers, two per thread. */
static int make_slots(ml_csv_chunks *chunks, const char *name, const ml_csv_options *options,
		      size_t n_threads, ml_error *err)
{
	chunks->n_slots = SLOTS_PER_THREAD * n_threads;
	if (!(chunks->slots = ml_calloc_array(chunks->n_slots, sizeof *chunks->slots, err)))
		return -1;
	for (size_t i = 0; i < chunks->n_slots; i++)
		if (!(chunks->slots[i].parser = ml_csv_chunk_reader_create(name, options, err)))
			return -1;
	return 0;
}

/*
 * Whether a stream's first bytes suit chunks: more than a chunk (a small
 * input gains nothing), a first byte that starts a record (the first
 * chunk must hold the first record, whose field count the other chunks
 * need), a line end outside quotes and no lone CR.  Peeked: refused, it
 * is read as before.
 */
static bool stream_suits(ml_source *source, size_t chunk_size)
{
	const unsigned char *bytes;
	ml_error ignored;
	long got = ml_source_peek(source, chunk_size + 1, &bytes, &ignored);
	/* Blank or byte-order-marked first lines go sequentially: few files start so. */
	if (got <= 0 || (size_t)got <= chunk_size || strchr(" \t\r\n\xef", bytes[0]))
		return false;
	return last_line_end(bytes, (size_t)got) > 0 && !has_lone_cr(bytes, (size_t)got);
}

/*
 * A stream in chunks: the first read and parsed here, the others read by
 * the feeder thread and parsed by the workers.
 */
static ml_csv_chunks *open_stream(ml_source *source, const char *name,
				  const ml_csv_options *options, size_t n_threads, ml_error *err)
{
	size_t chunk_size = options->chunk_size ? options->chunk_size : DEFAULT_CHUNK_SIZE;
	if (!stream_suits(source, chunk_size))
		return NULL;
	ml_csv_chunks *chunks = new_chunks(name, err);
	if (!chunks)
		return NULL;
	chunks->source = source;
	chunks->chunk_size = chunk_size;
	chunks->next_line = 1;
	chunks->n_chunks = SIZE_MAX;
	if (make_slots(chunks, name, options, n_threads, err) < 0) {
		ml_csv_chunks_free(chunks);
		return NULL;
	}
	slot *first = &chunks->slots[0];
	bool last = fill_chunk(chunks, first, false);
	ml_csv_chunk_reader_parse(first->parser, first->text, first->length, 1, 0, last);
	chunks->field_limit = ml_csv_chunk_reader_field_limit(first->parser);
	/* Without a first record the first chunk failed: nothing follows. */
	if (last || !chunks->field_limit)
		chunks->n_chunks = 1;
	chunks->n_fed = 1;
	first->chunk = 0;
	first->ready = true;
	chunks->next_chunk = 1;
	if (start_workers(chunks, n_threads, err) < 0) {
		ml_csv_chunks_free(chunks);
		return NULL;
	}
	/* Without workers (none could start) or a feeder the reading side does it all. */
	if (chunks->n_threads > 0 &&
	    !(chunks->feeding = pthread_create(&chunks->feeder, NULL, feed, chunks) == 0))
		stop_workers(chunks);
	return chunks;
}

ml_csv_chunks *ml_csv_chunks_open(ml_source *source, const char *name,
				  const ml_csv_options *options, ml_error *err)
{
	/*
	 * Measured on two cores (1M x 20 numeric, ml-load): with the rows
	 * written in place by the chunk threads (stages/ml_load), the reading
	 * thread has little left to do, and two chunk threads beat the
	 * sequential reader's parsing thread, the bottleneck of -j 1.  Streams
	 * that convert in the reading thread ask for -j 1 (ml_stream_open).
	 */
	size_t n_threads = options->n_threads;
	if (n_threads == 0)
		n_threads = ml_parallel_threads();
	off_t offset, size;
	if (!eligible(options, n_threads))
		return NULL;
	int fd = ml_source_regular_file(source, &offset, &size);
	if (fd < 0)
		return options->whole_input ? open_stream(source, name, options, n_threads, err)
					    : NULL;
	if (offset == size || (uintmax_t)size > SIZE_MAX)
		return NULL;
	ml_csv_chunks *chunks = new_chunks(name, err);
	if (!chunks)
		return NULL;
	chunks->map_length = (size_t)size;
	chunks->map = mmap(NULL, chunks->map_length, PROT_READ, MAP_PRIVATE, fd, 0);
	if (chunks->map == MAP_FAILED) {
		chunks->map = NULL;
		ml_error_set(err, "%s: cannot map the file", name);
		goto fail;
	}
	chunks->text = (const unsigned char *)chunks->map + offset;
	chunks->length = (size_t)(size - offset);
	chunks->fd = fd;
	chunks->offset = offset;
	size_t chunk_size = options->chunk_size ? options->chunk_size : DEFAULT_CHUNK_SIZE;
	if (split(chunks, fd, offset, chunk_size, n_threads, err) < 0)
		goto fail;
	if (make_slots(chunks, name, options, n_threads, err) < 0)
		goto fail;
	parse_first(chunks);
	if (start_workers(chunks, n_threads, err) < 0)
		goto fail;
	return chunks;
fail:
	ml_csv_chunks_free(chunks);
	return NULL;
}

/* Whether the chunk being read is the last (which the feeder may not have read yet). */
static bool is_last(ml_csv_chunks *chunks)
{
	bool locked = chunks->synchronized && chunks->source;
	if (locked)
		pthread_mutex_lock(&chunks->lock);
	bool last = chunks->current + 1 == chunks->n_chunks;
	if (locked)
		pthread_mutex_unlock(&chunks->lock);
	return last;
}

/* The current chunk's slot, once its chunk is parsed. */
static slot *current_slot(ml_csv_chunks *chunks)
{
	slot *from = &chunks->slots[chunks->current % chunks->n_slots];
	if (chunks->have_current)
		return from;
	if (chunks->n_threads == 0) {
		if (!from->ready || from->chunk != chunks->current) {
			if (chunks->source)
				feed_here(chunks, from);
			parse_chunk(chunks, from, chunks->current);
			from->ready = true;
			from->worked = false;
		}
	} else {
		pthread_mutex_lock(&chunks->lock);
		while (!from->ready || from->chunk != chunks->current)
			pthread_cond_wait(&chunks->changed, &chunks->lock);
		pthread_mutex_unlock(&chunks->lock);
	}
	/* Parsed before the function was set (or without threads): its work is done here. */
	if (chunks->fn && !from->worked) {
		chunks->fn(chunks->fn_context, (size_t)(from - chunks->slots),
			   ml_csv_chunk_reader_records(from->parser));
		from->worked = true;
	}
	chunks->have_current = true;
	return from;
}

int ml_csv_chunks_next(ml_csv_chunks *chunks, ml_record *record, size_t *n_extra,
		       ml_error *err)
{
	for (;;) {
		slot *from = current_slot(chunks);
		int got = ml_csv_chunk_reader_next(from->parser, record, n_extra, err);
		if (got != 0)
			return got;
		if (is_last(chunks)) {
			/* A stream that could not be read to its end ends in its error. */
			if (!chunks->feed_failed)
				return 0;
			*err = chunks->feed_error;
			return -1;
		}
		/* This chunk is read: its slot takes a later one. */
		chunks->have_current = false;
		if (chunks->synchronized)
			pthread_mutex_lock(&chunks->lock);
		from->ready = false;
		chunks->current++;
		if (chunks->synchronized) {
			pthread_cond_broadcast(&chunks->changed);
			pthread_mutex_unlock(&chunks->lock);
		}
	}
}

void ml_csv_chunks_set_fn(ml_csv_chunks *chunks, ml_csv_chunk_fn *fn, void *context)
{
	if (chunks->synchronized)
		pthread_mutex_lock(&chunks->lock);
	chunks->fn = fn;
	chunks->fn_context = context;
	/* Unset, it is not called any more when this returns: the context may go. */
	while (chunks->synchronized && chunks->fn_running) {
		pthread_cond_broadcast(&chunks->changed);
		pthread_cond_wait(&chunks->changed, &chunks->lock);
	}
	/* The chunks that had the old function (or none) must not count as worked by this one. */
	for (size_t i = 0; i < chunks->n_slots; i++)
		chunks->slots[i].worked = false;
	if (chunks->synchronized)
		pthread_mutex_unlock(&chunks->lock);
	/* The chunk being read gets it now; later ones when they become current, or from workers. */
	slot *from = &chunks->slots[chunks->current % chunks->n_slots];
	if (fn && chunks->have_current && !from->worked) {
		fn(context, (size_t)(from - chunks->slots), ml_csv_chunk_reader_records(from->parser));
		from->worked = true;
	}
}

size_t ml_csv_chunks_slots(const ml_csv_chunks *chunks)
{
	return chunks->n_slots;
}

size_t ml_csv_chunks_current(const ml_csv_chunks *chunks, const ml_csv_reader **chunk)
{
	size_t index = chunks->current % chunks->n_slots;
	*chunk = chunks->slots[index].parser;
	return index;
}

void ml_csv_chunks_unread(ml_csv_chunks *chunks)
{
	ml_csv_chunk_reader_unread(current_slot(chunks)->parser);
}

void ml_csv_chunks_skip(ml_csv_chunks *chunks)
{
	ml_csv_chunk_reader_skip(current_slot(chunks)->parser);
}

size_t ml_csv_chunks_lines(const ml_csv_chunks *chunks)
{
	return chunks->source ? 0 : chunks->n_lines;
}

size_t ml_csv_chunks_threads(const ml_csv_chunks *chunks)
{
	return chunks->n_threads;
}

void ml_csv_chunks_free(ml_csv_chunks *chunks)
{
	if (!chunks)
		return;
	if (chunks->synchronized) {
		pthread_mutex_lock(&chunks->lock);
		chunks->stopping = true;
		pthread_cond_broadcast(&chunks->changed);
		pthread_mutex_unlock(&chunks->lock);
		if (chunks->feeding) {
			/* It may sit in read(2) on a slow pipe: the only place it can be cancelled. */
			pthread_cancel(chunks->feeder);
			pthread_join(chunks->feeder, NULL);
		}
		for (size_t i = 0; i < chunks->n_threads; i++)
			pthread_join(chunks->threads[i], NULL);
		pthread_mutex_destroy(&chunks->lock);
		pthread_cond_destroy(&chunks->changed);
	}
	if (chunks->slots)
		for (size_t i = 0; i < chunks->n_slots; i++) {
			ml_csv_reader_free(chunks->slots[i].parser);
			free(chunks->slots[i].text);
		}
	free(chunks->slots);
	free(chunks->threads);
	free(chunks->starts);
	free(chunks->lines);
	free(chunks->carry);
	if (chunks->map)
		munmap(chunks->map, chunks->map_length);
	free(chunks);
}
