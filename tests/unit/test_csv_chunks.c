/*
 * ml_csv_chunks: a regular file parsed in chunks on several threads reads
 * exactly as the sequential reader reads it (records, fields, line
 * numbers, errors and where they stop the reading), on the bundled data,
 * every input of the CSV fuzz corpus and hand-made edge cases, at chunk
 * sizes from one byte up, so that boundaries fall everywhere: inside
 * quoted fields, between CR and LF, in the header, in blank lines.  The
 * same through a pipe read in chunks (whole_input): cut where a reader
 * thread's buffers end, at line ends outside quotes.
 */
#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "io/ml_csv.h"

static int fd_with(const void *text, size_t length)
{
	char path[] = "/tmp/test_csv_chunks.XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	if (length)
		ck_assert_int_eq(write(fd, text, length), (ssize_t)length);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

typedef struct pipe_writer {
	pthread_t thread;
	const unsigned char *text;
	size_t length;
	int fd;
} pipe_writer;

static void *write_pipe(void *data)
{
	pipe_writer *writer = data;
	for (size_t done = 0; done < writer->length;) {
		ssize_t wrote = write(writer->fd, writer->text + done, writer->length - done);
		if (wrote <= 0)
			break; /* the reader stopped early (an error): EPIPE */
		done += (size_t)wrote;
	}
	close(writer->fd);
	return NULL;
}

/* A pipe's read end, text written into it by a thread (joined by close_pipe). */
static int pipe_with(const void *text, size_t length, pipe_writer *writer)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	signal(SIGPIPE, SIG_IGN);
	*writer = (pipe_writer){ .text = text, .length = length, .fd = fds[1] };
	ck_assert_int_eq(pthread_create(&writer->thread, NULL, write_pipe, writer), 0);
	return fds[0];
}

/*
 * Everything a reader says, as text: the columns or the error of opening,
 * then every ml_csv_next result (records with their line and fields,
 * errors with their message) up to the end or an error that ends reading.
 */
static void transcript(const void *text, size_t length, size_t prefix,
		       const ml_csv_options *options, ml_buf *out, bool *parallel)
{
	ml_error err = { 0 };
	const unsigned char *bytes;
	pipe_writer writer;
	int fd = options->whole_input ? pipe_with(text, length, &writer) : fd_with(text, length);
	ml_source *source = ml_source_create(fd, "t.csv", &err);
	ck_assert_msg(source != NULL, "%s", err.message);
	ck_assert_int_ge(ml_source_peek(source, prefix, &bytes, &err), 0);
	ml_csv_reader *reader = ml_csv_reader_create(source, "t.csv", options, &err);
	*parallel = reader && ml_csv_reader_parallel(reader);
	if (!reader) {
		ml_buf_printf(out, "open failed: %s\n", err.message);
	} else {
		const ml_columns *columns = ml_csv_reader_columns(reader);
		for (size_t i = 0; i < columns->count; i++)
			ml_buf_printf(out, "%s|", columns->names[i]);
		ml_buf_putc(out, '\n');
		ml_record record;
		int got;
		while ((got = ml_csv_next(reader, &record, &err)) != 0) {
			if (got < 0) {
				ml_buf_printf(out, "%d %s\n", got, err.message);
				if (got != ML_CSV_BAD_RECORD)
					break;
				continue;
			}
			ml_buf_printf(out, "line %zu:", record.line);
			for (size_t i = 0; i < record.n_fields; i++) {
				ml_buf_putc(out, '[');
				ml_buf_append(out, record.fields[i].text, record.fields[i].length);
				ml_buf_putc(out, ']');
			}
			ml_buf_putc(out, '\n');
		}
		/* An error stays: the next call says it again. */
		if (got < 0 && got != ML_CSV_BAD_RECORD) {
			ml_error again = { 0 };
			ck_assert_int_eq(ml_csv_next(reader, &record, &again), got);
			ck_assert_str_eq(again.message, err.message);
		}
	}
	ck_assert(!out->failed);
	ml_csv_reader_free(reader);
	ml_source_free(source);
	close(fd);
	if (options->whole_input)
		pthread_join(writer.thread, NULL);
}

static const size_t chunk_sizes[] = { 1, 3, 7, 16, 61, 4096 };

static void assert_same(const ml_buf *expected, const ml_buf *got, const char *what,
			const char *how)
{
	ck_assert_msg(got->length == expected->length &&
		      memcmp(got->data, expected->data, got->length) == 0,
		      "%s, %s:\n--- sequential, libcsv only\n%.*s--- %s\n%.*s", what, how,
		      (int)(expected->length > 2000 ? 2000 : expected->length), expected->data,
		      how, (int)(got->length > 2000 ? 2000 : got->length), got->data);
}

/*
 * The reference: the sequential reader with libcsv parsing every block.
 * The sequential reader with its own split of quote-free blocks, in a
 * thread and in the caller's, must read text the same.
 */
static void reference(const void *text, size_t length, size_t prefix,
		      const ml_csv_options *options, const char *what, ml_buf *expected)
{
	ml_csv_options sequential = *options;
	sequential.n_threads = 1;
	sequential.always_libcsv = true;
	sequential.whole_input = false;
	bool parallel;
	transcript(text, length, prefix, &sequential, expected, &parallel);
	ck_assert_msg(!parallel, "%s: -j 1 must read sequentially", what);
	for (int in_caller = 0; in_caller <= 1; in_caller++) {
		sequential.always_libcsv = false;
		sequential.line_at_a_time = in_caller;
		ml_buf got;
		ml_buf_init(&got);
		transcript(text, length, prefix, &sequential, &got, &parallel);
		assert_same(expected, &got, what, in_caller ? "split here, in the caller's thread"
							    : "split here, in a thread");
		ml_buf_free(&got);
	}
}

/*
 * Compares the sequential reading of text with chunked readings at every
 * chunk size on 2 and 3 threads; how many of them ran in parallel.
 */
static size_t compare(const void *text, size_t length, size_t prefix,
		      const ml_csv_options *options, const char *what)
{
	ml_buf expected;
	ml_buf_init(&expected);
	bool parallel;
	reference(text, length, prefix, options, what, &expected);
	size_t n_parallel = 0;
	for (size_t s = 0; s < sizeof chunk_sizes / sizeof chunk_sizes[0]; s++) {
		for (size_t threads = 2; threads <= 5; threads++) {
			/* 4 and 5: 2 and 3 threads reading a pipe. */
			ml_csv_options chunked = *options;
			chunked.n_threads = threads > 3 ? threads - 2 : threads;
			chunked.whole_input = threads > 3;
			chunked.chunk_size = chunk_sizes[s];
			ml_buf got;
			ml_buf_init(&got);
			transcript(text, length, prefix, &chunked, &got, &parallel);
			n_parallel += parallel;
			char how[64];
			snprintf(how, sizeof how, "chunks of %zu bytes, %zu threads%s", chunk_sizes[s],
				 chunked.n_threads, chunked.whole_input ? ", a pipe" : "");
			assert_same(&expected, &got, what, how);
			ml_buf_free(&got);
		}
	}
	ml_buf_free(&expected);
	return n_parallel;
}

static size_t compare_text(const char *text, const ml_csv_options *options)
{
	ml_csv_options defaults;
	ml_csv_options_init(&defaults);
	return compare(text, strlen(text), 0, options ? options : &defaults, text);
}

static char *slurp(const char *path, size_t *length)
{
	FILE *file = fopen(path, "rb");
	ck_assert_msg(file != NULL, "cannot open %s", path);
	ml_buf text;
	ml_buf_init(&text);
	char block[4096];
	size_t got;
	while ((got = fread(block, 1, sizeof block, file)) > 0)
		ml_buf_append(&text, block, got);
	fclose(file);
	ck_assert(!text.failed);
	*length = text.length;
	if (!text.data)
		return calloc(1, 1);
	return text.data;
}

START_TEST(bundled_data_reads_the_same)
{
	static const char *const files[] = { "iris", "penguins", "wine", "diabetes",
					     "breast_cancer", "digits" };
	ml_csv_options options;
	ml_csv_options_init(&options);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char path[64];
		snprintf(path, sizeof path, "tests/data/%s.csv", files[i]);
		size_t length;
		char *text = slurp(path, &length);
		/* Small chunks on a large file only repeat themselves: 61 bytes and up. */
		ml_csv_options chunked = options;
		chunked.n_threads = 2;
		chunked.chunk_size = 61;
		ml_buf expected, got;
		ml_buf_init(&expected);
		ml_buf_init(&got);
		bool parallel;
		reference(text, length, 3, &options, path, &expected);
		transcript(text, length, 3, &chunked, &got, &parallel);
		ck_assert_msg(parallel, "%s was not read in parallel", path);
		ck_assert_msg(got.length == expected.length &&
			      memcmp(got.data, expected.data, got.length) == 0, "%s differs", path);
		ml_buf_free(&expected);
		ml_buf_free(&got);
		free(text);
	}
}
END_TEST

/* The fuzz harness's option byte, as far as the reader is concerned (tests/fuzz/fuzz_csv.c). */
static void fuzz_options(unsigned char flags, ml_csv_options *options)
{
	static const char delimiters[] = { ',', ';', '\t', '|' };
	ml_csv_options_init(options);
	options->header = !(flags & 1);
	options->delimiter = delimiters[(flags >> 2) & 3];
}

START_TEST(fuzz_corpus_reads_the_same)
{
	const char *directory = "tests/fuzz/corpus/csv";
	DIR *listing = opendir(directory);
	ck_assert_msg(listing != NULL, "cannot list %s", directory);
	struct dirent *entry;
	size_t n_inputs = 0, n_parallel = 0;
	while ((entry = readdir(listing))) {
		if (entry->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
		size_t length;
		char *data = slurp(path, &length);
		if (length >= 2) {
			ml_csv_options options;
			fuzz_options((unsigned char)data[0], &options);
			size_t prefix = (unsigned char)data[1] % 16;
			if (prefix > length - 2)
				prefix = length - 2;
			n_parallel += compare(data + 2, length - 2, prefix, &options, path) > 0;
			n_inputs++;
		}
		free(data);
	}
	closedir(listing);
	ck_assert_uint_gt(n_inputs, 20);
	/* Most inputs have two lines or more, and so two chunks at one byte a chunk. */
	ck_assert_uint_gt(n_parallel, n_inputs / 2);
}
END_TEST

START_TEST(edge_cases_read_the_same)
{
	static const char *const inputs[] = {
		"a,b\n1,2\n3,4\n5,6\n",
		"a,b\n1,2\n3,4\n5,6",                       /* no final line end */
		"a,b\r\n1,2\r\n\r\n3,4\r\n",                /* CRLF, a blank line */
		"\xef\xbb\xbf" "a,b\n1,2\n3,4\n",           /* byte order mark */
		"\n\n\na,b\n\n1,2\n\n\n3,4\n\n",            /* blank lines first and between */
		"a,b\n\"x\ny\",1\n\"\"\"\n\",2\n3,\"\n\n\"\n", /* line ends and quotes in quotes */
		"a,b\n\"x\r\ny\",1\n2,3\n",                 /* CRLF in quotes */
		"a,b\n1,2\n3\n4,5,6\n7,8\n",                /* ragged rows */
		"a,b\n1,2\n3,4\n\"5,6\n7,8\n",              /* the input ends inside quotes */
		"a,b\n1,2\n3,4\n5\"x,6\n7,8\n9,\"1\"0\n",   /* malformed quotes, later chunks */
		"a,b\n1,2\n3,4\n5,\0006\n7,8\n",            /* a NUL byte (the text stops there) */
		"a\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n",
		"\"a\nb\",c\n1,2\n",                        /* a line end in the header */
		"a,a\n1,2\n",                               /* a bad header */
		"\n\n\n\n\n\n\n",                           /* blank lines only */
		"",
		/* Quote-free text, split without libcsv: its rules all the same. */
		" a , b \n 1 ,\t2\t\n \t \n3,4 \n\t5\t,\t\t6\n",  /* blanks around fields */
		"a\tb\n 1\t 2 \n\t\n3 \t4\n  \n5\t\t\n",       /* tabs (the delimiter, below) */
		"a,b\r1,2\r\n3,4\n\r\r\n5,6\r",                 /* lone CRs among CRLF and LF */
		"a,b\n,\n , \n1,\n,2\n",                      /* empty fields */
		"a,b,c\n1,2\n3,4,5,6\n7,8,9\n",                /* narrower and wider rows */
		"a,b\nNA,2\nx,?\n1e400,-0\n0x1p3,inf\n",       /* missing values, text, odd numbers */
		" \n\t\n a;b , c\n1;2,3\n",                    /* blank lines first, other delimiters */
		"a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n11,12\n13,14", /* no final line end */
		"a,b\n1,2\n3,\0004\n5,6\n",                   /* a NUL byte, no quotes */
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		size_t length = strlen(inputs[i]);
		if (i == 10)
			length = 21;
		if (i == 24)
			length = 17;
		ml_csv_options options;
		ml_csv_options_init(&options);
		compare(inputs[i], length, i % 4, &options, inputs[i]);
		options.header = false;
		compare(inputs[i], length, 0, &options, inputs[i]);
		options.delimiter = '\t';
		compare(inputs[i], length, 1, &options, inputs[i]);
	}
}
END_TEST

/* Deterministic bytes for the generated inputs (no ml_random: tests of io only). */
static unsigned next_number(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 16;
}

/*
 * Lines of every kind the split of quote-free text meets, over several of
 * the sequential reader's 256 KiB blocks, so that records cross their
 * boundaries; with quoted fields in some blocks only, one of them holding
 * line ends across a whole block without a quote.
 */
static void generated_text(ml_buf *text, unsigned seed)
{
	static const char *const cells[] = { "1", "-2.5", " 3 ", "\t4", "", "NA", "x y", "1e5",
					     "  ", "7\t", "0.000123456789012345678" };
	unsigned state = seed;
	bool long_quoted = false;
	ml_buf_puts(text, "a,b,c\n");
	while (text->length < 1200000) {
		unsigned kind = next_number(&state) % 100;
		if (!long_quoted && text->length > 200000) {
			/* A quoted field of 600 KB of lines: whole blocks inside it have no quote. */
			ml_buf_puts(text, "1,2,\"");
			for (int i = 0; i < 60000; i++)
				ml_buf_puts(text, "123456789\n");
			ml_buf_puts(text, "\"\n");
			long_quoted = true;
		} else if (kind == 0) {
			ml_buf_puts(text, "\n");
		} else if (kind == 1) {
			ml_buf_puts(text, " \t \r\n");
		} else if (kind == 2 && seed % 2 == 0) {
			ml_buf_puts(text, "1,\"q,\n\"\"q\",3\n");
		} else {
			int n_fields = kind == 4 ? 2 : kind == 5 ? 4 : 3;
			for (int f = 0; f < n_fields; f++) {
				if (f)
					ml_buf_putc(text, ',');
				ml_buf_puts(text, cells[next_number(&state) % (sizeof cells / sizeof *cells)]);
			}
			ml_buf_puts(text, kind % 3 == 0 ? "\r\n" : "\n");
		}
	}
	ck_assert(!text->failed);
}

START_TEST(plain_blocks_read_the_same)
{
	for (unsigned seed = 1; seed <= 4; seed++) {
		ml_buf text;
		ml_buf_init(&text);
		generated_text(&text, seed);
		ml_csv_options options;
		ml_csv_options_init(&options);
		char what[64];
		snprintf(what, sizeof what, "generated text %u", seed);
		ml_buf expected, got;
		ml_buf_init(&expected);
		ml_buf_init(&got);
		reference(text.data, text.length, seed * 5, &options, what, &expected);
		ml_csv_options chunked = options;
		chunked.n_threads = 2;
		chunked.chunk_size = 65536;
		bool parallel;
		transcript(text.data, text.length, 0, &chunked, &got, &parallel);
		assert_same(&expected, &got, what, "chunks of 64 KiB");
		ml_buf_free(&expected);
		ml_buf_free(&got);
		ml_buf_free(&text);
	}
}
END_TEST

/* Fields near libcsv's bound of 1 MiB, trailing blanks included, in one chunk. */
START_TEST(long_fields_read_the_same)
{
	static const size_t lengths[] = { ML_MAX_FIELD_LENGTH - 100, ML_MAX_FIELD_LENGTH,
					  ML_MAX_FIELD_LENGTH + 1, ML_MAX_FIELD_LENGTH + 10000 };
	for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
		for (int blanks = 0; blanks <= 1; blanks++) {
			ml_buf text;
			ml_buf_init(&text);
			ml_buf_puts(&text, "a,b\n1,2\n3, ");
			for (size_t j = 0; j < lengths[i]; j++)
				ml_buf_putc(&text, blanks && j > lengths[i] - 5000 ? ' ' : 'x');
			ml_buf_puts(&text, "\n5,6\n");
			ck_assert(!text.failed);
			ml_csv_options options;
			ml_csv_options_init(&options);
			ml_buf expected, got;
			ml_buf_init(&expected);
			ml_buf_init(&got);
			char what[64];
			snprintf(what, sizeof what, "a field of %zu bytes", lengths[i]);
			reference(text.data, text.length, 0, &options, what, &expected);
			ml_csv_options chunked = options;
			chunked.n_threads = 2;
			chunked.chunk_size = 4096;
			bool parallel;
			transcript(text.data, text.length, 0, &chunked, &got, &parallel);
			assert_same(&expected, &got, what, "chunks");
			ml_buf_free(&expected);
			ml_buf_free(&got);
			ml_buf_free(&text);
		}
	}
}
END_TEST

START_TEST(chunks_where_they_can_be_trusted)
{
	ml_csv_options options;
	ml_csv_options_init(&options);
	ck_assert_uint_gt(compare_text("a,b\n1,2\n3,4\n5,6\n7,8\n", &options), 0);
	/* A lone CR ends a line only outside quotes: the quote count cannot say. */
	ck_assert_uint_eq(compare_text("a,b\r1,2\r3,4\r5,6\r", &options), 0);
	/* A stray quote is text with lenient quotes: the count cannot be trusted. */
	options.lenient_quotes = true;
	ck_assert_uint_eq(compare_text("a,b\n1\"2,3\n4,\"5\n6\"\n7,8\n", &options), 0);
	options.lenient_quotes = false;
	options.line_at_a_time = true;
	ck_assert_uint_eq(compare_text("a,b\n1,2\n3,4\n5,6\n7,8\n", &options), 0);
}
END_TEST

static Suite *csv_chunks_suite(void)
{
	Suite *suite = suite_create("ml_csv_chunks");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bundled_data_reads_the_same);
	tcase_add_test(tc, fuzz_corpus_reads_the_same);
	tcase_add_test(tc, edge_cases_read_the_same);
	tcase_add_test(tc, plain_blocks_read_the_same);
	tcase_add_test(tc, long_fields_read_the_same);
	tcase_add_test(tc, chunks_where_they_can_be_trusted);
	suite_add_tcase(suite, tc);
	return suite;
}

ML_CHECK_MAIN(csv_chunks_suite)
