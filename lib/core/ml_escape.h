/*
 * ml_escape: text that came from input (column and class names, field
 * text, file names), made safe to show on a terminal or to put on one
 * line of a protocol.
 *
 * A hostile CSV file can name a column "\x1b[2J" or "\x1b]0;title\x07":
 * printed raw, that clears a screen or retitles a window.  Escaping writes
 * every control character (C0, DEL and the C1 range U+0080..U+009F) and
 * every byte that is not part of valid UTF-8 as \xHH, one escape per byte
 * (U+009B is \xc2\x9b); all other text, valid UTF-8 included, is kept as
 * it is.  A backslash is kept too, so the escaping is for eyes, not for
 * reading back.
 */
#ifndef ML_ESCAPE_H
#define ML_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_util.h"

/* Keep line feeds and tabs: the text is several lines (a report), not one. */
#define ML_ESCAPE_KEEP_LINES 1u

/* Appends text[0..length) to out, escaped. */
void ml_escape_append(ml_buf *out, const char *text, size_t length, unsigned flags);
/* True when ml_escape_append would change text[0..length). */
bool ml_escape_needed(const char *text, size_t length, unsigned flags);

#endif
