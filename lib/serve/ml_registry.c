#include "serve/ml_registry.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ml_clock.h"
#include "stages/ml_stage.h"

struct ml_served {
	ml_model *model;
	ml_request_schema *schema;
	char *json;
	char digest[17];
	double load_seconds, loaded_at;
	size_t references; /* the registry's own while current, plus one per request */
};

typedef struct entry {
	char *name, *path;
	ml_served *current;
	uint64_t reloads, failed_reloads;
} entry;

struct ml_registry {
	pthread_mutex_t lock;
	entry *entries;
	size_t count, capacity;
};

static void served_free(ml_served *served)
{
	if (!served)
		return;
	ml_request_schema_free(served->schema);
	ml_model_free(served->model);
	free(served->json);
	free(served);
}

static void put_names(ml_buf *out, const char *key, char *const *names, size_t count)
{
	ml_buf_printf(out, ",\"%s\":[", key);
	for (size_t i = 0; i < count; i++) {
		if (i)
			ml_buf_putc(out, ',');
		ml_json_put_string(out, names[i]);
	}
	ml_buf_putc(out, ']');
}

static void put_stages(ml_buf *out, const ml_chain *chain)
{
	ml_buf_puts(out, ",\"stages\":[");
	for (size_t i = 0; i < ml_chain_length(chain); i++) {
		const ml_stage *stage = ml_chain_stage(chain, i);
		ml_buf_printf(out, "%s{\"kind\":", i ? "," : "");
		ml_json_put_string(out, ml_stage_kind_name(stage));
		ml_buf_printf(out, ",\"inputs\":%zu,\"outputs\":%zu,\"digest\":\"%016llx\"}",
			      ml_stage_inputs(stage)->count, ml_stage_outputs(stage)->count,
			      (unsigned long long)ml_stage_digest(stage));
	}
	ml_buf_putc(out, ']');
}

/* Metadata lines "key value..." as an object of strings. */
static void put_metadata(ml_buf *out, const ml_model *model)
{
	ml_buf key;
	ml_buf_init(&key);
	ml_buf_puts(out, ",\"metadata\":{");
	for (size_t i = 0; i < ml_model_n_meta(model); i++) {
		const char *line = ml_model_meta(model, i), *space = strchr(line, ' ');
		size_t key_length = space ? (size_t)(space - line) : strlen(line);
		ml_buf_reset(&key);
		ml_buf_append(&key, line, key_length);
		ml_buf_puts(out, i ? "," : "");
		ml_json_put_string(out, key.data ? key.data : "");
		ml_buf_putc(out, ':');
		ml_json_put_string(out, space ? space + 1 : "");
	}
	ml_buf_putc(out, '}');
	if (key.failed)
		out->failed = true;
	ml_buf_free(&key);
}

/* What ml-info says about the model, as one JSON object. */
static char *describe(const ml_served *served, const char *name, const char *path,
		      ml_error *err)
{
	const ml_model *model = served->model;
	const ml_chain *chain = ml_model_chain(model);
	const ml_columns *inputs = ml_request_schema_inputs(served->schema);
	ml_buf out;
	ml_buf_init(&out);
	ml_buf_puts(&out, "{\"name\":");
	ml_json_put_string(&out, name);
	ml_buf_puts(&out, ",\"file\":");
	ml_json_put_string(&out, path);
	ml_buf_puts(&out, ",\"kind\":");
	ml_json_put_string(&out, ml_model_kind(model));
	ml_buf_printf(&out, ",\"task\":\"%s\"", ml_model_task(model) == ML_TASK_CLASSIFICATION
							? "classification" : "regression");
	put_names(&out, "inputs", inputs->names, inputs->count);
	ml_buf_puts(&out, ",\"target\":");
	const ml_columns *columns = ml_model_columns(model);
	size_t n_stages = ml_chain_length(chain);
	const ml_columns *raw = n_stages ? ml_stage_inputs(ml_chain_stage(chain, 0)) : columns;
	if (raw->target != ML_NO_COLUMN)
		ml_json_put_string(&out, raw->names[raw->target]);
	else
		ml_buf_puts(&out, "null");
	if (ml_model_task(model) == ML_TASK_CLASSIFICATION) {
		ml_buf_puts(&out, ",\"classes\":[");
		for (size_t k = 0; k < ml_model_n_classes(model); k++) {
			if (k)
				ml_buf_putc(&out, ',');
			ml_json_put_string(&out, ml_model_class_name(model, k));
		}
		ml_buf_putc(&out, ']');
	}
	put_names(&out, "columns", columns->names, columns->count);
	put_stages(&out, chain);
	ml_buf_printf(&out, ",\"digest\":\"%s\",\"loaded_at\":", served->digest);
	ml_json_put_number(&out, served->loaded_at);
	ml_buf_puts(&out, ",\"load_seconds\":");
	ml_json_put_number(&out, served->load_seconds);
	put_metadata(&out, model);
	ml_buf_putc(&out, '}');
	if (out.failed) {
		ml_buf_free(&out);
		ml_error_nomem(err);
		return NULL;
	}
	return out.data;
}

/* Reads path into a new snapshot with one reference, the registry's. */
static ml_served *load(const char *name, const char *path, ml_error *err)
{
	ml_served *served = calloc(1, sizeof *served);
	if (!served) {
		ml_error_nomem(err);
		return NULL;
	}
	double started = ml_clock_now();
	served->references = 1;
	served->loaded_at = ml_clock_wall();
	if (!(served->model = ml_model_read(path, err)) ||
	    !(served->schema = ml_request_schema_create(served->model, err))) {
		served_free(served);
		return NULL;
	}
	served->load_seconds = ml_clock_now() - started;
	/* Writing a model back gives its file's bytes: this is the file's digest. */
	ml_buf text;
	ml_buf_init(&text);
	ml_model_write(served->model, &text);
	if (text.failed) {
		ml_buf_free(&text);
		ml_error_nomem(err);
		served_free(served);
		return NULL;
	}
	snprintf(served->digest, sizeof served->digest, "%016llx",
		 (unsigned long long)ml_hash_bytes(ML_HASH_INIT, text.data, text.length));
	ml_buf_free(&text);
	if (!(served->json = describe(served, name, path, err))) {
		served_free(served);
		return NULL;
	}
	return served;
}

ml_registry *ml_registry_create(ml_error *err)
{
	ml_registry *registry = calloc(1, sizeof *registry);
	if (!registry) {
		ml_error_nomem(err);
		return NULL;
	}
	pthread_mutex_init(&registry->lock, NULL);
	return registry;
}

void ml_registry_free(ml_registry *registry)
{
	if (!registry)
		return;
	for (size_t i = 0; i < registry->count; i++) {
		served_free(registry->entries[i].current);
		free(registry->entries[i].name);
		free(registry->entries[i].path);
	}
	free(registry->entries);
	pthread_mutex_destroy(&registry->lock);
	free(registry);
}

static bool valid_name(const char *name)
{
	if (!*name)
		return false;
	for (const char *c = name; *c; c++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *c))
			return false;
	return true;
}

int ml_registry_default_name(const char *path, ml_buf *name, ml_error *err)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t length = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	ml_buf_reset(name);
	ml_buf_append(name, base, length);
	if (name->failed)
		return ml_error_nomem(err);
	return 0;
}

int ml_registry_add(ml_registry *registry, const char *name, const char *path, ml_error *err)
{
	if (!valid_name(name)) {
		ml_error_set(err, "'%s': a model name is letters, digits, '.', '_' and '-'"
			     " (name it with NAME=FILE)", name);
		return -1;
	}
	if (ml_registry_find(registry, name) != SIZE_MAX) {
		ml_error_set(err, "two models named '%s' (name one with NAME=FILE)", name);
		return -1;
	}
	if (registry->count == registry->capacity) {
		size_t capacity = registry->capacity ? registry->capacity * 2 : 4;
		entry *entries = ml_realloc_array(registry->entries, capacity, sizeof *entries, err);
		if (!entries)
			return -1;
		registry->entries = entries;
		registry->capacity = capacity;
	}
	entry added = { 0 };
	if (!(added.name = ml_strdup(name, err)) || !(added.path = ml_strdup(path, err)) ||
	    !(added.current = load(name, path, err))) {
		free(added.name);
		free(added.path);
		return -1;
	}
	registry->entries[registry->count++] = added;
	return 0;
}

size_t ml_registry_count(const ml_registry *registry)
{
	return registry->count;
}

const char *ml_registry_name(const ml_registry *registry, size_t index)
{
	return registry->entries[index].name;
}

size_t ml_registry_find(const ml_registry *registry, const char *name)
{
	for (size_t i = 0; i < registry->count; i++)
		if (strcmp(registry->entries[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* Drops one reference; the caller frees the snapshot when true comes back. */
static bool drop(ml_served *served)
{
	return --served->references == 0;
}

int ml_registry_reload(ml_registry *registry, size_t index, ml_error *err)
{
	entry *e = &registry->entries[index];
	/* Reading takes long: only the swap holds the lock. */
	ml_served *fresh = load(e->name, e->path, err);
	pthread_mutex_lock(&registry->lock);
	ml_served *old = NULL;
	if (fresh) {
		old = e->current;
		e->current = fresh;
		e->reloads++;
	} else {
		e->failed_reloads++;
	}
	bool unused = old && drop(old);
	pthread_mutex_unlock(&registry->lock);
	if (unused)
		served_free(old);
	return fresh ? 0 : -1;
}

void ml_registry_reloads(ml_registry *registry, size_t index, uint64_t *loaded,
			 uint64_t *failed)
{
	pthread_mutex_lock(&registry->lock);
	*loaded = registry->entries[index].reloads;
	*failed = registry->entries[index].failed_reloads;
	pthread_mutex_unlock(&registry->lock);
}

ml_served *ml_registry_acquire(ml_registry *registry, size_t index)
{
	pthread_mutex_lock(&registry->lock);
	ml_served *served = registry->entries[index].current;
	served->references++;
	pthread_mutex_unlock(&registry->lock);
	return served;
}

void ml_registry_release(ml_registry *registry, ml_served *served)
{
	if (!served)
		return;
	pthread_mutex_lock(&registry->lock);
	bool unused = drop(served);
	pthread_mutex_unlock(&registry->lock);
	/* Freed outside the lock: other requests need not wait for it. */
	if (unused)
		served_free(served);
}

const ml_model *ml_served_model(const ml_served *served)
{
	return served->model;
}

const ml_request_schema *ml_served_schema(const ml_served *served)
{
	return served->schema;
}

const char *ml_served_json(const ml_served *served)
{
	return served->json;
}

const char *ml_served_digest(const ml_served *served)
{
	return served->digest;
}

double ml_served_load_seconds(const ml_served *served)
{
	return served->load_seconds;
}

double ml_served_loaded_at(const ml_served *served)
{
	return served->loaded_at;
}
