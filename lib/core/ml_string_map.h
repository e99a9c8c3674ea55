/*
 * ml_string_map: strings numbered 0, 1, 2... in the order they were first
 * seen, found again by hashing.  A load stage's vocabulary of categories,
 * ml-split's strata and ml-eval's class names are such maps.  A plain
 * struct (zeroed, it is empty), freed with ml_string_map_free.
 */
#ifndef ML_STRING_MAP_H
#define ML_STRING_MAP_H

#include <stddef.h>

#include "core/ml_error.h"

#define ML_STRING_NOT_FOUND ((size_t)-1)

typedef struct ml_string_map {
	char **keys; /* count keys, NUL-terminated, keys[i] numbered i */
	size_t count, key_capacity;
	size_t *slots; /* index + 1, 0 = empty */
	size_t n_slots;
} ml_string_map;

void ml_string_map_free(ml_string_map *map);
/* The number of text[0..length), or ML_STRING_NOT_FOUND. */
size_t ml_string_map_find(const ml_string_map *map, const char *text, size_t length);
/* The number of text[0..length), added at the end when new; ML_STRING_NOT_FOUND on failure. */
size_t ml_string_map_intern(ml_string_map *map, const char *text, size_t length, ml_error *err);
/*
 * Sorts the keys with compare (strcmp when NULL) and renumbers them:
 * renumber[old] gets the new number of what was numbered old (count entries,
 * may be NULL).
 */
int ml_string_map_sort(ml_string_map *map, int (*compare)(const char *, const char *),
		       size_t *renumber, ml_error *err);

#endif
