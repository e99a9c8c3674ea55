#include "stages/ml_pipefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ml_file.h"

void ml_pipefile_begin(ml_buf *out, int argc, char *const *argv)
{
	ml_buf_printf(out, "mlpipe %d\n", ML_FILE_FORMAT_VERSION);
	ml_text_key(out, "created-by");
	ml_text_string(out, "mlpipe");
	ml_text_string(out, ML_VERSION);
	ml_text_newline(out);
	ml_text_key(out, "command");
	/* The program's name only, so the file does not depend on where it ran from. */
	if (argc > 0) {
		const char *slash = strrchr(argv[0], '/');
		ml_text_string(out, slash ? slash + 1 : argv[0]);
	}
	for (int i = 1; i < argc; i++)
		ml_text_string(out, argv[i]);
	ml_text_newline(out);
}

/* Metadata keys a file may carry before its stages; others are refused. */
static const char *const metadata_keys[] = {
	"created-by", "command", "data-rows", "data-hash", "seed", NULL,
};

struct ml_pipefile {
	char *path;
	int fd;
	ml_text_reader *reader;
	ml_chain *chain;
	ml_text_line next_line;
	char **meta;
	size_t n_meta;
};

static bool is_metadata_key(const char *key)
{
	for (size_t i = 0; metadata_keys[i]; i++)
		if (strcmp(metadata_keys[i], key) == 0)
			return true;
	return false;
}

static int keep_metadata(ml_pipefile *file, const ml_text_line *line, ml_error *err)
{
	ml_buf joined;
	ml_buf_init(&joined);
	ml_text_key(&joined, line->tokens[0]);
	for (size_t i = 1; i < line->n_tokens; i++)
		ml_text_string(&joined, line->tokens[i]);
	char **meta = ml_realloc_array(file->meta, file->n_meta + 1, sizeof *meta, err);
	if (!meta || joined.failed) {
		ml_buf_free(&joined);
		return ml_error_nomem(err);
	}
	file->meta = meta;
	file->meta[file->n_meta++] = joined.data;
	return 0;
}

/* Where the first line that is not blank or a comment starts (length if none does). */
static size_t first_content_line(const char *bytes, size_t length)
{
	size_t at = 0;
	while (at < length) {
		size_t start = at;
		while (at < length && (bytes[at] == ' ' || bytes[at] == '\t' || bytes[at] == '\r'))
			at++;
		if (at < length && bytes[at] != '\n' && bytes[at] != '#')
			return start;
		const char *newline = memchr(bytes + at, '\n', length - at);
		if (!newline)
			return length;
		at = (size_t)(newline - bytes) + 1;
	}
	return length;
}

bool ml_pipefile_sniff(const char *bytes, size_t length)
{
	size_t at = first_content_line(bytes, length);
	return length - at > 6 && memcmp(bytes + at, "mlpipe", 6) == 0 &&
	       (bytes[at + 6] == ' ' || bytes[at + 6] == '\t');
}

/* The start of the first line, for a message: printable ASCII, other bytes as \xHH. */
static void show_first_line(const char *bytes, size_t length, char *shown, size_t size)
{
	size_t at = first_content_line(bytes, length), used = 0;
	if (at == length)
		at = 0;
	for (; at < length && bytes[at] != '\n' && used + 8 < size; at++) {
		unsigned char c = (unsigned char)bytes[at];
		if (used >= 40) {
			used += (size_t)snprintf(shown + used, size - used, "...");
			break;
		}
		if (c >= ' ' && c < 0x7f && c != '\\' && c != '\'')
			shown[used++] = (char)c;
		else
			used += (size_t)snprintf(shown + used, size - used, "\\x%02x", c);
	}
	shown[used] = '\0';
}

/* Refuses what is not a stage or model file from its first bytes, before reading on. */
static int check_start(ml_pipefile *file, ml_error *err)
{
	const char *bytes;
	size_t length;
	if (ml_text_peek(file->reader, ML_PIPEFILE_SNIFF, &bytes, &length, err) < 0)
		return -1;
	if (ml_pipefile_sniff(bytes, length))
		return 0;
	char shown[64];
	show_first_line(bytes, length, shown, sizeof shown);
	if (length == 0)
		ml_error_set(err, "%s: not an mlpipe stage or model file (it is empty)", file->path);
	else
		ml_error_set(err, "%s: not an mlpipe stage or model file (first line is '%s',"
			     " not 'mlpipe VERSION')", file->path, shown);
	return -1;
}

static int read_version(ml_pipefile *file, ml_error *err)
{
	ml_text_line line;
	int got = ml_text_next(file->reader, &line, err);
	if (got < 0)
		return -1;
	size_t version;
	if (got == 0 || !ml_text_is(&line, "mlpipe") || line.n_tokens != 2) {
		ml_error_set(err, "%s: not an mlpipe stage or model file (no 'mlpipe VERSION' line)",
			     file->path);
		return -1;
	}
	if (ml_text_get_size(file->reader, &line, 1, 1000000, &version, err) < 0)
		return -1;
	if (version < ML_FILE_FORMAT_OLDEST || version > ML_FILE_FORMAT_VERSION) {
		ml_error_set(err, "%s: file format version %zu; this mlpipe (%s) reads versions %d"
			     " to %d%s", file->path, version, ML_VERSION, ML_FILE_FORMAT_OLDEST,
			     ML_FILE_FORMAT_VERSION,
			     version > ML_FILE_FORMAT_VERSION ? ": it was made by a newer mlpipe" : "");
		return -1;
	}
	ml_text_set_max_line(file->reader, ML_MAX_TEXT_LINE);
	return 0;
}

/* Reads metadata lines; leaves the reader before the first other line. */
static int read_metadata(ml_pipefile *file, ml_error *err)
{
	for (;;) {
		ml_text_line line;
		int got = ml_text_next(file->reader, &line, err);
		if (got <= 0)
			return got;
		if (!is_metadata_key(line.tokens[0])) {
			ml_text_unread(file->reader);
			return 0;
		}
		if (keep_metadata(file, &line, err) < 0)
			return -1;
	}
}

static int open_file(ml_pipefile *file, const char *path, ml_error *err)
{
	file->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (file->fd < 0) {
		ml_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Until the version line is read, a line is as long as the bytes sniffed. */
	file->reader = ml_text_reader_open_fd(file->fd, path, ML_PIPEFILE_SNIFF,
					      ML_MAX_TEXT_FILE, err);
	return file->reader ? 0 : -1;
}

ml_pipefile *ml_pipefile_open(const char *path, ml_error *err)
{
	ml_pipefile *file = calloc(1, sizeof *file);
	if (!file) {
		ml_error_nomem(err);
		return NULL;
	}
	file->fd = -1;
	if (!(file->path = ml_strdup(path, err)) || open_file(file, path, err) < 0 ||
	    check_start(file, err) < 0 || read_version(file, err) < 0 ||
	    read_metadata(file, err) < 0 || !(file->chain = ml_chain_create(err)) ||
	    ml_chain_parse(file->chain, file->reader, &file->next_line, err) < 0) {
		ml_pipefile_close(file);
		return NULL;
	}
	return file;
}

void ml_pipefile_close(ml_pipefile *file)
{
	if (!file)
		return;
	ml_text_reader_free(file->reader);
	ml_chain_free(file->chain);
	for (size_t i = 0; i < file->n_meta; i++)
		free(file->meta[i]);
	free(file->meta);
	if (file->fd >= 0)
		close(file->fd);
	free(file->path);
	free(file);
}

const char *ml_pipefile_path(const ml_pipefile *file)
{
	return file->path;
}

const ml_chain *ml_pipefile_chain(const ml_pipefile *file)
{
	return file->chain;
}

size_t ml_pipefile_n_meta(const ml_pipefile *file)
{
	return file->n_meta;
}

const char *ml_pipefile_meta(const ml_pipefile *file, size_t index)
{
	return file->meta[index];
}

const ml_text_line *ml_pipefile_next_line(ml_pipefile *file)
{
	return &file->next_line;
}

ml_text_reader *ml_pipefile_reader(ml_pipefile *file)
{
	return file->reader;
}

int ml_pipefile_expect_end(ml_pipefile *file, ml_error *err)
{
	if (file->next_line.n_tokens == 0)
		return 0;
	return ml_text_fail(file->reader, &file->next_line, err,
			    "unexpected '%s' after the stages (a model file? this needs a stage"
			    " file)", file->next_line.tokens[0]);
}
