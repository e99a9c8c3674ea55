#include "core/ml_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ml_util.h"

struct ml_atomic_file {
	char *path;
	char *temp_path;
	FILE *stream;
};

ml_atomic_file *ml_atomic_open(const char *path, ml_error *err)
{
	ml_atomic_file *file = calloc(1, sizeof *file);
	ml_buf temp;
	ml_buf_init(&temp);
	ml_buf_printf(&temp, "%s.tmpXXXXXX", path);
	if (!file || temp.failed || !(file->path = ml_strdup(path, err))) {
		ml_buf_free(&temp);
		free(file);
		ml_error_nomem(err);
		return NULL;
	}
	struct stat info;
	/* A device or a pipe (-o /dev/null, a fifo) cannot be replaced: write it in place. */
	if (stat(path, &info) == 0 && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode)) {
		ml_buf_free(&temp);
		if (!(file->stream = fopen(path, "w"))) {
			ml_error_set(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
		return file;
	}
	file->temp_path = temp.data;
	int fd = mkstemp(file->temp_path);
	if (fd < 0) {
		ml_error_set(err, "%s: cannot create a temporary file beside it: %s", path,
			     strerror(errno));
		goto fail;
	}
	/* mkstemp makes 0600; outputs get the usual mode under the umask. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	if (!(file->stream = fdopen(fd, "w"))) {
		close(fd);
		unlink(file->temp_path);
		ml_error_set(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return file;
fail:
	free(file->path);
	free(file->temp_path);
	free(file);
	return NULL;
}

FILE *ml_atomic_stream(ml_atomic_file *file)
{
	return file->stream;
}

const char *ml_atomic_temp_path(const ml_atomic_file *file)
{
	return file->temp_path;
}

static void free_atomic(ml_atomic_file *file)
{
	free(file->path);
	free(file->temp_path);
	free(file);
}

int ml_atomic_commit(ml_atomic_file *file, ml_error *err)
{
	int failed = fflush(file->stream) != 0 || ferror(file->stream) ||
		     (file->temp_path && fsync(fileno(file->stream)) != 0);
	int saved = errno;
	failed |= fclose(file->stream) != 0;
	file->stream = NULL;
	if (failed) {
		ml_error_set(err, "%s: write error: %s", file->path, strerror(saved ? saved : errno));
		ml_atomic_abort(file);
		return -1;
	}
	if (file->temp_path && rename(file->temp_path, file->path) != 0) {
		ml_error_set(err, "%s: cannot rename the finished file into place: %s", file->path,
			     strerror(errno));
		ml_atomic_abort(file);
		return -1;
	}
	free_atomic(file);
	return 0;
}

void ml_atomic_abort(ml_atomic_file *file)
{
	if (!file)
		return;
	if (file->stream)
		fclose(file->stream);
	if (file->temp_path)
		unlink(file->temp_path);
	free_atomic(file);
}

int ml_file_read_all(const char *path, size_t max, char **data, size_t *length,
		     ml_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ml_error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	ml_buf text;
	ml_buf_init(&text);
	int status = 0;
	for (;;) {
		if (!ml_buf_reserve(&text, 65536)) {
			status = ml_error_nomem(err);
			break;
		}
		long got = ml_read_some(fd, text.data + text.length, 65536);
		if (got < 0) {
			ml_error_set(err, "%s: read error: %s", path, strerror(errno));
			status = -1;
			break;
		}
		if (got == 0)
			break;
		text.length += (size_t)got;
		text.data[text.length] = '\0';
		if (text.length > max) {
			ml_error_set(err, "%s: larger than %zu bytes: not an mlpipe file?", path, max);
			status = -1;
			break;
		}
	}
	close(fd);
	if (status < 0) {
		ml_buf_free(&text);
		return -1;
	}
	if (!text.data && !ml_buf_reserve(&text, 1)) {
		ml_buf_free(&text);
		return ml_error_nomem(err);
	}
	text.data[text.length] = '\0';
	*data = text.data;
	*length = text.length;
	return 0;
}

int ml_file_replace(const char *path, const void *data, size_t length, bool *unchanged,
		    ml_error *err)
{
	char *old = NULL;
	size_t old_length = 0;
	ml_error ignored;
	struct stat info;
	*unchanged = false;
	/* Only a regular file is compared: reading a pipe would wait for a writer. */
	if (stat(path, &info) == 0 && S_ISREG(info.st_mode) &&
	    ml_file_read_all(path, length, &old, &old_length, &ignored) == 0) {
		*unchanged = old_length == length && memcmp(old, data, length) == 0;
		free(old);
		if (*unchanged)
			return 0;
	}
	ml_atomic_file *file = ml_atomic_open(path, err);
	if (!file)
		return -1;
	if (fwrite(data, 1, length, ml_atomic_stream(file)) != length) {
		ml_error_set(err, "%s: write error: %s", path, strerror(errno));
		ml_atomic_abort(file);
		return -1;
	}
	return ml_atomic_commit(file, err);
}

/* Bytes copied at a time into a spool file. */
#define SPOOL_BLOCK ((size_t)1 << 16)

static int write_all(int fd, const char *bytes, size_t length)
{
	while (length > 0) {
		ssize_t wrote = write(fd, bytes, length);
		if (wrote < 0 && errno == EINTR)
			continue;
		if (wrote <= 0)
			return -1;
		bytes += wrote;
		length -= (size_t)wrote;
	}
	return 0;
}

/* Copies what cannot be read twice into an unlinked temporary file. */
static int spool(int input, const char *name, ml_error *err)
{
	const char *directory = getenv("TMPDIR");
	ml_buf path;
	ml_buf_init(&path);
	ml_buf_printf(&path, "%s/mlpipe-input.XXXXXX", directory && *directory ? directory : "/tmp");
	if (path.failed)
		return ml_error_nomem(err);
	int fd = mkstemp(path.data);
	if (fd < 0) {
		ml_error_set(err, "%s: cannot make a temporary file to hold the input: %s",
			     path.data, strerror(errno));
		ml_buf_free(&path);
		return -1;
	}
	unlink(path.data);
	char *block = malloc(SPOOL_BLOCK);
	int status = block ? 0 : ml_error_nomem(err);
	long got;
	while (status == 0 && (got = ml_read_some(input, block, SPOOL_BLOCK)) != 0) {
		if (got < 0) {
			ml_error_set(err, "%s: read error: %s", name, strerror(errno));
			status = -1;
		} else if (write_all(fd, block, (size_t)got) < 0) {
			ml_error_set(err, "%s: cannot keep a copy of the input: %s", path.data,
				     strerror(errno));
			status = -1;
		}
	}
	free(block);
	ml_buf_free(&path);
	if (status == 0 && lseek(fd, 0, SEEK_SET) != 0) {
		ml_error_set(err, "%s: cannot read the copy of the input: %s", name,
			     strerror(errno));
		status = -1;
	}
	if (status < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int ml_file_open_rereadable(const char *path, const char *name, ml_error *err)
{
	/* Standard input is copied even from a file: it may not stand at its start. */
	bool is_stdin = !path || strcmp(path, "-") == 0;
	int input = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	struct stat status;
	if (input < 0 || fstat(input, &status) != 0) {
		ml_error_set(err, "%s: %s", name, strerror(errno));
		if (input >= 0 && !is_stdin)
			close(input);
		return -1;
	}
	if (S_ISREG(status.st_mode) && !is_stdin)
		return input;
	int fd = spool(input, name, err);
	if (!is_stdin)
		close(input);
	return fd;
}
