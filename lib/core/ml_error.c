#include "core/ml_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ml_error_set(ml_error *err, const char *format, ...)
{
	if (!err)
		return;
	va_list args;
	va_start(args, format);
	vsnprintf(err->message, sizeof err->message, format, args);
	va_end(args);
}

void ml_error_prefix(ml_error *err, const char *format, ...)
{
	if (!err)
		return;
	char prefix[ML_ERROR_SIZE], old[ML_ERROR_SIZE];
	va_list args;
	va_start(args, format);
	vsnprintf(prefix, sizeof prefix, format, args);
	va_end(args);
	memcpy(old, err->message, sizeof old);
	/* Truncation is fine: a long message keeps its beginning. */
	size_t used = strlen(prefix);
	memcpy(err->message, prefix, used);
	const char *parts[2] = { ": ", old };
	for (int i = 0; i < 2; i++) {
		size_t room = sizeof err->message - 1 - used;
		size_t length = strlen(parts[i]);
		if (length > room)
			length = room;
		memcpy(err->message + used, parts[i], length);
		used += length;
	}
	err->message[used] = '\0';
}

int ml_error_nomem(ml_error *err)
{
	ml_error_set(err, "out of memory");
	return -1;
}
