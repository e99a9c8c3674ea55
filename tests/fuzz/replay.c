/*
 * Replays a fuzz corpus without libFuzzer: runs the harness it is linked
 * with (tests/fuzz/fuzz_*.c) over every file named on the command line,
 * and every file inside a directory named there, in name order.  A crash
 * or a failed check aborts; otherwise it prints how many inputs ran.
 * `make check` runs it over tests/fuzz/corpus/ (see the fuzz-replay target).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t capacity = 4096, size = 0;
	uint8_t *data = malloc(capacity);
	for (;;) {
		if (!data) {
			fprintf(stderr, "replay: %s: out of memory\n", path);
			fclose(f);
			return -1;
		}
		size += fread(data + size, 1, capacity - size, f);
		if (size < capacity)
			break;
		uint8_t *grown = realloc(data, capacity * 2);
		if (!grown)
			free(data);
		data = grown;
		capacity *= 2;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(data);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat info;
		if (stat(argv[i], &info) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (!S_ISDIR(info.st_mode)) {
			failed |= replay_file(argv[i]) < 0;
			count++;
			continue;
		}
		struct dirent **entries;
		int n = scandir(argv[i], &entries, NULL, NULL);
		if (n < 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		char **names = malloc((size_t)n * sizeof *names + 1);
		size_t n_names = 0;
		for (int k = 0; k < n; k++) {
			if (entries[k]->d_name[0] != '.' && names) {
				size_t length = strlen(argv[i]) + strlen(entries[k]->d_name) + 2;
				if ((names[n_names] = malloc(length)))
					snprintf(names[n_names++], length, "%s/%s", argv[i],
						 entries[k]->d_name);
			}
			free(entries[k]);
		}
		free(entries);
		if (!names)
			return 1;
		qsort(names, n_names, sizeof *names, by_name);
		for (size_t k = 0; k < n_names; k++) {
			failed |= replay_file(names[k]) < 0;
			count++;
			free(names[k]);
		}
		free(names);
	}
	printf("replay: %zu inputs%s\n", count, failed ? ", some unreadable" : "");
	return failed;
}
