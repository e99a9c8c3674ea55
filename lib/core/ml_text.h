/*
 * ml_text: the line-oriented keyword-value text that stage chains and model
 * files are written in (see mlpipe-model(5)).
 *
 * A line is a keyword followed by values separated by single spaces.  A
 * value is a bare word, a quoted string ("a b", with \" \\ \n \t \r \xHH
 * escapes) or a number written to read back bit-exactly.  Blank lines and
 * lines starting with '#' are ignored by the reader.  A bare word holds no
 * control character (they are refused, naming the line).  The same text is
 * embedded in binary matrix headers, so a stage serialises one way only.
 *
 * Every section parser (stages, models, their kinds) reads and writes its
 * lines with the toolkit at the end: "KEY VALUE" lines of one type, lists
 * written "KEY COUNT NAME...", booleans as true / false, and "end".
 */
#ifndef ML_TEXT_H
#define ML_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "core/ml_util.h"

/* Writing: a line starts with a key; values follow; the newline ends it. */
void ml_text_key(ml_buf *out, const char *key);
void ml_text_string(ml_buf *out, const char *value);
void ml_text_double(ml_buf *out, double value);
void ml_text_size(ml_buf *out, size_t value);
void ml_text_newline(ml_buf *out);

/* One parsed line: tokens[0] is the keyword. */
typedef struct ml_text_line {
	size_t n_tokens;
	char **tokens;
	size_t number; /* 1-based line number in the source */
} ml_text_line;

typedef struct ml_text_reader ml_text_reader;

/*
 * Reads text[0..length) (not copied: it must outlive the reader).  source
 * names it in error messages ("iris.model", "data.bin: header").
 * first_line is the line number of text[0] in that source.
 */
ml_text_reader *ml_text_reader_create(const char *text, size_t length,
				      const char *source, size_t first_line,
				      ml_error *err);
/*
 * Reads the descriptor fd (not closed by the reader) as it parses, holding
 * one line at a time: a line longer than max_line bytes, or more than
 * max_total bytes in all, is an error naming the source and the line.
 */
ml_text_reader *ml_text_reader_open_fd(int fd, const char *source, size_t max_line,
				       size_t max_total, ml_error *err);
void ml_text_set_max_line(ml_text_reader *reader, size_t max_line);
void ml_text_reader_free(ml_text_reader *reader);

/*
 * The next bytes, not consumed: up to length of them (fewer only at the
 * end of the text).  Valid until the next call on the reader.
 */
int ml_text_peek(ml_text_reader *reader, size_t length, const char **bytes, size_t *got,
		 ml_error *err);

/* 1 and fills *line (valid until the next call), 0 at the end, -1 on error. */
int ml_text_next(ml_text_reader *reader, ml_text_line *line, ml_error *err);
/*
 * The next line's bytes as they are, without the newline, for a parser
 * with a fast path for well-formed lines (valid until the next call): 1
 * and *bytes, *length and the line's *number, 0 at the end, -1 on error.
 * Nothing is checked: blank lines, comments, any byte come back as read.
 * After ml_text_unread, *bytes is NULL: that line is ml_text_next's.
 */
int ml_text_next_bytes(ml_text_reader *reader, const char **bytes, size_t *length,
		       size_t *number, ml_error *err);
/*
 * Makes the next ml_text_next return the line it returned last again; after
 * ml_text_next_bytes, makes the next call of either read that line anew (a
 * parser's slow path, with its checks and messages).
 */
void ml_text_unread(ml_text_reader *reader);
/* Like ml_text_next, but the end of the text is an error ("expected 'end'"). */
int ml_text_next_required(ml_text_reader *reader, ml_text_line *line,
			  const char *expected, ml_error *err);
/* The text position just after the line last returned (bytes consumed). */
size_t ml_text_offset(const ml_text_reader *reader);
/* The number of the line last returned (0 before any). */
size_t ml_text_last_line(const ml_text_reader *reader);
const char *ml_text_source(const ml_text_reader *reader);

/* Sets err to "source:line: message" and returns -1. */
int ml_text_fail(const ml_text_reader *reader, const ml_text_line *line,
		 ml_error *err, const char *format, ...)
	__attribute__((format(printf, 4, 5)));

/* True when the line's keyword is key. */
bool ml_text_is(const ml_text_line *line, const char *key);
/* Checks the keyword and that the line has exactly n_values values. */
int ml_text_expect(const ml_text_reader *reader, const ml_text_line *line,
		   const char *key, size_t n_values, ml_error *err);
/* Value i (1-based after the keyword) as a number ("nan", "inf" allowed). */
int ml_text_get_double(const ml_text_reader *reader, const ml_text_line *line,
		       size_t index, double *value, ml_error *err);
/* Value i as an integer in [0, max]. */
int ml_text_get_size(const ml_text_reader *reader, const ml_text_line *line,
		     size_t index, size_t max, size_t *value, ml_error *err);
/* Value i as one of the names in choices (NULL-terminated); *choice its index. */
int ml_text_get_choice(const ml_text_reader *reader, const ml_text_line *line,
		       size_t index, const char *const *choices, size_t *choice,
		       ml_error *err);

/*
 * Value i as a list "COUNT NAME..." that runs to the end of the line: the
 * count at most max and equal to the names that follow.  *names points
 * into the line's tokens.
 */
int ml_text_get_list(const ml_text_reader *reader, const ml_text_line *line, size_t index,
		     size_t max, size_t *count, char *const **names, ml_error *err);

/* ---- the toolkit: one "KEY VALUE" line at a time ---------------------- */

void ml_text_write_bool(ml_buf *out, const char *key, bool value);
void ml_text_write_double(ml_buf *out, const char *key, double value);
void ml_text_write_size(ml_buf *out, const char *key, size_t value);
void ml_text_write_word(ml_buf *out, const char *key, const char *value);
void ml_text_write_list(ml_buf *out, const char *key, size_t count, char *const *names);
void ml_text_write_end(ml_buf *out);

/*
 * Reads the next line, which must be key with n_values values (or at
 * least one, for ML_TEXT_LIST): the end of the text and any other key are
 * errors naming the line.
 */
#define ML_TEXT_LIST ((size_t)-1)
int ml_text_read_key(ml_text_reader *reader, const char *key, size_t n_values,
		     ml_text_line *line, ml_error *err);
/* "key true" / "key false" ("yes" / "no" too: format 1 wrote them in poly stages). */
int ml_text_read_bool(ml_text_reader *reader, const char *key, bool *value, ml_error *err);

/* What a number read by ml_text_read_double may be. */
typedef enum ml_text_number {
	ML_TEXT_ANY,          /* nan and inf included */
	ML_TEXT_FINITE,
	ML_TEXT_NONNEGATIVE,  /* finite and >= 0 */
	ML_TEXT_POSITIVE      /* finite and > 0 */
} ml_text_number;
int ml_text_read_double(ml_text_reader *reader, const char *key, ml_text_number kind,
			double *value, ml_error *err);
int ml_text_read_size(ml_text_reader *reader, const char *key, size_t max, size_t *value,
		      ml_error *err);
int ml_text_read_choice(ml_text_reader *reader, const char *key, const char *const *choices,
			size_t *choice, ml_error *err);
/* "key COUNT NAME..." (see ml_text_get_list); line keeps the tokens. */
int ml_text_read_list(ml_text_reader *reader, const char *key, size_t max, ml_text_line *line,
		      size_t *count, char *const **names, ml_error *err);
/* "end" and nothing else; what says which section, for the message. */
int ml_text_read_end(ml_text_reader *reader, const char *what, ml_error *err);
/* The same check on a line read already. */
int ml_text_expect_end(const ml_text_reader *reader, const ml_text_line *line,
		       const char *what, ml_error *err);
/* Value i as a number of the given kind (what ml_text_read_double checks). */
int ml_text_get_number(const ml_text_reader *reader, const ml_text_line *line, size_t index,
		       ml_text_number kind, double *value, ml_error *err);

#endif
