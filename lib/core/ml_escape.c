#include "core/ml_escape.h"

#include <stdint.h>

/* The bytes at text[0] to write as they are (0: escape text[0] alone). */
static size_t kept_bytes(const char *text, size_t length, unsigned flags)
{
	uint32_t code;
	size_t bytes = ml_utf8_char(text, length, &code);
	if (bytes == 0)
		return 0;
	if ((code == '\n' || code == '\t') && (flags & ML_ESCAPE_KEEP_LINES))
		return bytes;
	bool control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
	return control ? 0 : bytes;
}

bool ml_escape_needed(const char *text, size_t length, unsigned flags)
{
	for (size_t i = 0; i < length;) {
		size_t bytes = kept_bytes(text + i, length - i, flags);
		if (bytes == 0)
			return true;
		i += bytes;
	}
	return false;
}

void ml_escape_append(ml_buf *out, const char *text, size_t length, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;
	while (i < length) {
		size_t bytes = kept_bytes(text + i, length - i, flags);
		if (bytes) {
			ml_buf_append(out, text + i, bytes);
			i += bytes;
			continue;
		}
		/* A C1 control is two bytes in UTF-8: both are escaped. */
		uint32_t code;
		size_t escaped = ml_utf8_char(text + i, length - i, &code);
		for (size_t k = 0; k < (escaped ? escaped : 1); k++) {
			unsigned char c = (unsigned char)text[i + k];
			char escape[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
			ml_buf_append(out, escape, sizeof escape);
		}
		i += escaped ? escaped : 1;
	}
}
