#include "core/ml_string_map.h"

#include <stdlib.h>
#include <string.h>

#include "core/ml_util.h"

static uint64_t hash_string(const char *text, size_t length)
{
	return ml_hash_bytes(ML_HASH_INIT, text, length);
}

void ml_string_map_free(ml_string_map *map)
{
	for (size_t i = 0; i < map->count; i++)
		free(map->keys[i]);
	free(map->keys);
	free(map->slots);
	memset(map, 0, sizeof *map);
}

size_t ml_string_map_find(const ml_string_map *map, const char *text, size_t length)
{
	if (map->n_slots == 0)
		return ML_STRING_NOT_FOUND;
	size_t mask = map->n_slots - 1;
	for (size_t slot = hash_string(text, length) & mask;; slot = (slot + 1) & mask) {
		size_t entry = map->slots[slot];
		if (entry == 0)
			return ML_STRING_NOT_FOUND;
		const char *key = map->keys[entry - 1];
		if (strncmp(key, text, length) == 0 && key[length] == '\0')
			return entry - 1;
	}
}

static int rehash(ml_string_map *map, size_t n_slots, ml_error *err)
{
	size_t *slots = ml_calloc_array(n_slots, sizeof *slots, err);
	if (!slots)
		return -1;
	free(map->slots);
	map->slots = slots;
	map->n_slots = n_slots;
	for (size_t i = 0; i < map->count; i++) {
		size_t slot = hash_string(map->keys[i], strlen(map->keys[i])) & (n_slots - 1);
		while (slots[slot])
			slot = (slot + 1) & (n_slots - 1);
		slots[slot] = i + 1;
	}
	return 0;
}

size_t ml_string_map_intern(ml_string_map *map, const char *text, size_t length, ml_error *err)
{
	size_t found = ml_string_map_find(map, text, length);
	if (found != ML_STRING_NOT_FOUND)
		return found;
	if ((map->count + 1) * 2 > map->n_slots &&
	    rehash(map, map->n_slots ? map->n_slots * 2 : 16, err) < 0)
		return ML_STRING_NOT_FOUND;
	if (map->count == map->key_capacity) {
		size_t capacity = map->key_capacity ? map->key_capacity * 2 : 8;
		char **keys = ml_realloc_array(map->keys, capacity, sizeof *keys, err);
		if (!keys)
			return ML_STRING_NOT_FOUND;
		map->keys = keys;
		map->key_capacity = capacity;
	}
	if (!(map->keys[map->count] = ml_strndup(text, length, err)))
		return ML_STRING_NOT_FOUND;
	map->count++;
	/* Only the new key needs a slot: rehashing all of them made filling quadratic. */
	size_t mask = map->n_slots - 1, slot = hash_string(text, length) & mask;
	while (map->slots[slot])
		slot = (slot + 1) & mask;
	map->slots[slot] = map->count;
	return map->count - 1;
}

typedef struct ranked_key {
	char *key;
	size_t old_number;
	int (*compare)(const char *, const char *);
} ranked_key;

static int compare_ranked(const void *a, const void *b)
{
	const ranked_key *left = a, *right = b;
	int order = left->compare(left->key, right->key);
	/* Equal under a coarse order: first seen first, so the sort is stable. */
	if (order == 0)
		order = (left->old_number > right->old_number) - (left->old_number < right->old_number);
	return order;
}

int ml_string_map_sort(ml_string_map *map, int (*compare)(const char *, const char *),
		       size_t *renumber, ml_error *err)
{
	size_t count = map->count;
	if (count == 0)
		return 0;
	ranked_key *ranked = ml_alloc_array(count, sizeof *ranked, err);
	if (!ranked)
		return -1;
	for (size_t i = 0; i < count; i++)
		ranked[i] = (ranked_key){ map->keys[i], i, compare ? compare : strcmp };
	qsort(ranked, count, sizeof *ranked, compare_ranked);
	for (size_t rank = 0; rank < count; rank++) {
		if (renumber)
			renumber[ranked[rank].old_number] = rank;
		map->keys[rank] = ranked[rank].key;
	}
	free(ranked);
	return rehash(map, map->n_slots, err);
}
