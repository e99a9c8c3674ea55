/*
 * ml_error: how the library reports failure.
 *
 * The library never prints and never exits.  A function that can fail
 * returns -1 (or NULL) and fills an ml_error with one line that names the
 * place and the problem, "train.csv:17: row has 4 fields, header has 5";
 * the command in cmd/ prefixes its own name and chooses the exit status.
 */
#ifndef ML_ERROR_H
#define ML_ERROR_H

#include <stddef.h>

#define ML_ERROR_SIZE 1024

typedef struct ml_error {
	char message[ML_ERROR_SIZE];
} ml_error;

/* Sets the message (printf-style).  err may be NULL. */
void ml_error_set(ml_error *err, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* Puts "prefix: " in front of the message already there. */
void ml_error_prefix(ml_error *err, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* The usual out-of-memory failure; always returns -1. */
int ml_error_nomem(ml_error *err);

/*
 * Progress (-v) and warnings take the same road: the library formats a
 * line, the command prints it.
 */
typedef void (*ml_progress_fn)(void *context, const char *message);

#endif
