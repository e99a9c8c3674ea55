#define _XOPEN_SOURCE 700 /* realpath */
#include "core/ml_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/ml_util.h"

/*
 * The temporary files that exist now, for ml_file_remove_temporaries: a
 * fixed table, so that a signal handler reads it without locks or memory
 * that a commit may free.  A slot holds its name before the file is
 * created (O_EXCL) and until it is renamed or unlinked.
 */
#define MAX_TEMPORARIES 16
enum { SLOT_FREE, SLOT_CLAIMED, SLOT_LIVE };
static char temporary_paths[MAX_TEMPORARIES][PATH_MAX];
static atomic_int temporary_state[MAX_TEMPORARIES];
static atomic_uint_fast64_t temporary_counter;

void ml_file_remove_temporaries(void)
{
	for (size_t i = 0; i < MAX_TEMPORARIES; i++)
		if (atomic_load(&temporary_state[i]) == SLOT_LIVE)
			unlink(temporary_paths[i]);
}

static int claim_slot(const char *target, ml_error *err)
{
	if (strlen(target) + sizeof ".tmpXXXXXX" > PATH_MAX) {
		ml_error_set(err, "%s: %s", target, strerror(ENAMETOOLONG));
		return -1;
	}
	for (int i = 0; i < MAX_TEMPORARIES; i++) {
		int expected = SLOT_FREE;
		if (atomic_compare_exchange_strong(&temporary_state[i], &expected, SLOT_CLAIMED))
			return i;
	}
	ml_error_set(err, "%s: more than %d files being written at once", target,
		     MAX_TEMPORARIES);
	return -1;
}

/* Names need only differ, not be unpredictable: O_EXCL makes creation safe. */
static void name_temporary(int slot, const char *target)
{
	static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t bits = (uint64_t)getpid() << 32 ^ (uint64_t)now.tv_nsec ^
			(uint64_t)now.tv_sec << 20 ^ atomic_fetch_add(&temporary_counter, 1) << 40;
	bits = (bits ^ bits >> 30) * 0xbf58476d1ce4e5b9u; /* splitmix64's finaliser */
	bits = (bits ^ bits >> 27) * 0x94d049bb133111ebu;
	bits ^= bits >> 31;
	char suffix[7];
	for (size_t i = 0; i < 6; i++, bits /= 62)
		suffix[i] = letters[bits % 62];
	suffix[6] = '\0';
	snprintf(temporary_paths[slot], PATH_MAX, "%s.tmp%s", target, suffix);
}

/* Creates target.tmpXXXXXX in a claimed slot, listed before it exists. */
static int create_temporary(int slot, const char *target, ml_error *err)
{
	for (int attempt = 0; attempt < 100; attempt++) {
		name_temporary(slot, target);
		atomic_store(&temporary_state[slot], SLOT_LIVE);
		int fd = open(temporary_paths[slot], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		int saved = errno;
		atomic_store(&temporary_state[slot], SLOT_CLAIMED);
		if (saved != EEXIST) {
			ml_error_set(err, "%s: cannot create a temporary file beside it: %s", target,
				     strerror(saved));
			return -1;
		}
	}
	ml_error_set(err, "%s: cannot find a free name for a temporary file beside it", target);
	return -1;
}

static void release_slot(int slot)
{
	if (slot >= 0)
		atomic_store(&temporary_state[slot], SLOT_FREE);
}

struct ml_atomic_file {
	char *path;   /* as the user named it, for messages */
	char *target; /* what is replaced: path, or the file a symbolic link leads to */
	int slot;     /* the temporary file's, -1 when written in place */
	FILE *stream;
};

/* Where a symbolic link leads, relative to the link's directory. */
static char *follow_link(const char *link, ml_error *err)
{
	char target[PATH_MAX];
	ssize_t length = readlink(link, target, sizeof target - 1);
	if (length < 0) {
		ml_error_set(err, "%s: %s", link, strerror(errno));
		return NULL;
	}
	target[length] = '\0';
	const char *slash = strrchr(link, '/');
	ml_buf joined;
	ml_buf_init(&joined);
	if (target[0] != '/' && slash)
		ml_buf_printf(&joined, "%.*s/", (int)(slash - link), link);
	ml_buf_puts(&joined, target);
	if (joined.failed) {
		ml_buf_free(&joined);
		ml_error_nomem(err);
		return NULL;
	}
	return joined.data;
}

/*
 * The file path stands for: itself, or the end of its chain of symbolic
 * links, which need not exist yet (open(2) would create it too).
 */
static char *resolve_target(const char *path, ml_error *err)
{
	char *current = ml_strdup(path, err);
	for (int depth = 0; current; depth++) {
		struct stat info;
		if (lstat(current, &info) != 0 || !S_ISLNK(info.st_mode))
			return current;
		char *next = depth < 40 ? follow_link(current, err) : NULL;
		if (depth == 40)
			ml_error_set(err, "%s: %s", path, strerror(ELOOP));
		free(current);
		current = next;
	}
	return NULL;
}

/*
 * The replacement keeps the old file's mode and group (and owner, when we
 * may); a group it cannot keep gets no permissions.  A new file gets what
 * open(2) would give it.
 */
static int set_mode(int fd, const struct stat *old, bool existed, ml_error *err,
		    const char *path)
{
	mode_t mode;
	if (existed) {
		mode = old->st_mode & 0777;
		if (fchown(fd, old->st_uid, old->st_gid) != 0 &&
		    fchown(fd, (uid_t)-1, old->st_gid) != 0)
			mode &= ~(mode_t)S_IRWXG;
	} else {
		mode_t mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	if (fchmod(fd, mode) != 0) {
		ml_error_set(err, "%s: cannot set the mode of its temporary file: %s", path,
			     strerror(errno));
		return -1;
	}
	return 0;
}

static void free_atomic(ml_atomic_file *file)
{
	free(file->path);
	free(file->target);
	free(file);
}

ml_atomic_file *ml_atomic_open(const char *path, ml_error *err)
{
	ml_atomic_file *file = calloc(1, sizeof *file);
	if (!file) {
		ml_error_nomem(err);
		return NULL;
	}
	file->slot = -1;
	if (!(file->path = ml_strdup(path, err)) || !(file->target = resolve_target(path, err)))
		goto fail;
	struct stat info;
	bool existed = stat(file->target, &info) == 0;
	if (existed && S_ISDIR(info.st_mode)) {
		ml_error_set(err, "%s: %s", path, strerror(EISDIR));
		goto fail;
	}
	/* A device or a pipe (-o /dev/null, a fifo) cannot be replaced: write it in place. */
	if (existed && !S_ISREG(info.st_mode)) {
		if (!(file->stream = fopen(file->target, "w"))) {
			ml_error_set(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
		return file;
	}
	if ((file->slot = claim_slot(file->target, err)) < 0)
		goto fail;
	int fd = create_temporary(file->slot, file->target, err);
	if (fd < 0)
		goto fail;
	if (set_mode(fd, &info, existed, err, path) < 0)
		goto fail_created;
	if (!(file->stream = fdopen(fd, "w"))) {
		ml_error_set(err, "%s: %s", path, strerror(errno));
		goto fail_created;
	}
	return file;
fail_created:
	close(fd);
	unlink(temporary_paths[file->slot]);
fail:
	release_slot(file->slot);
	free_atomic(file);
	return NULL;
}

FILE *ml_atomic_stream(ml_atomic_file *file)
{
	return file->stream;
}

const char *ml_atomic_temp_path(const ml_atomic_file *file)
{
	return file->slot >= 0 ? temporary_paths[file->slot] : NULL;
}

int ml_atomic_close(ml_atomic_file *file, ml_error *err)
{
	if (!file->stream)
		return 0;
	int failed = fflush(file->stream) != 0 || ferror(file->stream) ||
		     (file->slot >= 0 && fsync(fileno(file->stream)) != 0);
	int saved = errno;
	failed |= fclose(file->stream) != 0;
	file->stream = NULL;
	if (failed) {
		ml_error_set(err, "%s: write error: %s", file->path, strerror(saved ? saved : errno));
		return -1;
	}
	return 0;
}

int ml_atomic_commit(ml_atomic_file *file, ml_error *err)
{
	if (ml_atomic_close(file, err) < 0) {
		ml_atomic_abort(file);
		return -1;
	}
	if (file->slot >= 0 && rename(temporary_paths[file->slot], file->target) != 0) {
		ml_error_set(err, "%s: cannot rename the finished file into place: %s", file->path,
			     strerror(errno));
		ml_atomic_abort(file);
		return -1;
	}
	release_slot(file->slot);
	free_atomic(file);
	return 0;
}

void ml_atomic_abort(ml_atomic_file *file)
{
	if (!file)
		return;
	if (file->stream)
		fclose(file->stream);
	if (file->slot >= 0)
		unlink(temporary_paths[file->slot]);
	release_slot(file->slot);
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

int ml_file_prepare(const char *path, const void *data, size_t length, ml_atomic_file **file,
		    ml_error *err)
{
	char *old = NULL;
	size_t old_length = 0;
	ml_error ignored;
	struct stat info;
	*file = NULL;
	/* Only a regular file is compared: reading a pipe would wait for a writer. */
	if (stat(path, &info) == 0 && S_ISREG(info.st_mode) &&
	    ml_file_read_all(path, length, &old, &old_length, &ignored) == 0) {
		bool unchanged = old_length == length && memcmp(old, data, length) == 0;
		free(old);
		if (unchanged)
			return 0;
	}
	ml_atomic_file *opened = ml_atomic_open(path, err);
	if (!opened)
		return -1;
	if (fwrite(data, 1, length, ml_atomic_stream(opened)) != length) {
		ml_error_set(err, "%s: write error: %s", path, strerror(errno));
		ml_atomic_abort(opened);
		return -1;
	}
	if (ml_atomic_close(opened, err) < 0) {
		ml_atomic_abort(opened);
		return -1;
	}
	*file = opened;
	return 0;
}

int ml_file_replace(const char *path, const void *data, size_t length, bool *unchanged,
		    ml_error *err)
{
	ml_atomic_file *file;
	if (ml_file_prepare(path, data, length, &file, err) < 0)
		return -1;
	*unchanged = !file;
	return file ? ml_atomic_commit(file, err) : 0;
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
