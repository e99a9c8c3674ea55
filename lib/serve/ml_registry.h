/*
 * ml_registry: the models a server serves, each by a name, and reloading
 * them while requests run.
 *
 * Each name holds a snapshot of its model file: the model, read once and
 * read-only afterwards, what requests need to parse rows for it (an
 * ml_request_schema), and what a server shows about it (a JSON
 * description, the digest of its text, when and how fast it was read).
 * A request takes a reference to the snapshot it starts with
 * (ml_registry_acquire) and gives it back when done (ml_registry_release).
 * A reload reads the file again and swaps the new snapshot in under a
 * lock; the old one is freed when its last request gives it back, so
 * requests in flight finish on the model they started with.  A file that
 * fails to load leaves the old snapshot serving.
 *
 * Threads share a registry: acquire, release and reload lock it briefly.
 * Names are fixed once the server starts: add them all first.
 */
#ifndef ML_REGISTRY_H
#define ML_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/ml_error.h"
#include "models/ml_model.h"
#include "serve/ml_request.h"

typedef struct ml_registry ml_registry;
typedef struct ml_served ml_served;

ml_registry *ml_registry_create(ml_error *err);
/* Frees every snapshot: no request may hold one any more. */
void ml_registry_free(ml_registry *registry);

/*
 * Reads the model file at path and serves it as name (letters, digits,
 * '.', '_' and '-', so that it fits in a URL path); a name given twice is
 * an error.
 */
int ml_registry_add(ml_registry *registry, const char *name, const char *path, ml_error *err);
/* The name a file is served as by default: its base name without the extension. */
int ml_registry_default_name(const char *path, ml_buf *name, ml_error *err);

size_t ml_registry_count(const ml_registry *registry);
const char *ml_registry_name(const ml_registry *registry, size_t index);
/* Index of name, or SIZE_MAX. */
size_t ml_registry_find(const ml_registry *registry, const char *name);

/*
 * Reads model `index`'s file again; on success the new model serves every
 * request that starts from now on.  On failure err says why and the old
 * model goes on serving.
 */
int ml_registry_reload(ml_registry *registry, size_t index, ml_error *err);
/* Reloads that worked and that failed, since the start. */
void ml_registry_reloads(ml_registry *registry, size_t index, uint64_t *loaded,
			 uint64_t *failed);

/* The current snapshot of model `index`, held until released. */
ml_served *ml_registry_acquire(ml_registry *registry, size_t index);
void ml_registry_release(ml_registry *registry, ml_served *served);

const ml_model *ml_served_model(const ml_served *served);
const ml_request_schema *ml_served_schema(const ml_served *served);
/* The model's description as a JSON object (name, kind, task, inputs, classes, stages...). */
const char *ml_served_json(const ml_served *served);
/* FNV-1a 64 of the model file's text, as 16 hex digits. */
const char *ml_served_digest(const ml_served *served);
/* Seconds reading and checking the file took; when it was read (seconds since the epoch). */
double ml_served_load_seconds(const ml_served *served);
double ml_served_loaded_at(const ml_served *served);

#endif
