/*
 * ml_http: the prediction service over HTTP/JSON (libmicrohttpd), the
 * engine of ml-serve.
 *
 * Endpoints: POST /v1/models/NAME/predict (and POST /predict when one
 * model is served), bodies and answers as in ml_request.h, ?proba=1 for
 * probabilities; GET /v1/models and /v1/models/NAME (what the registry
 * says of each model); GET /healthz (alive), /readyz (models loaded and
 * not draining), /metrics (the Prometheus text format).  Every error is
 * JSON {"error": "..."} with its status: 400, 404, 405 (with Allow), 413,
 * 500, 503 while draining.  A request is answered from the model snapshot
 * it started with, whatever a reload does meanwhile.
 *
 * Threads: n_threads libmicrohttpd daemons without a socket of their own,
 * each with its own epoll loop over its connections, so a slow client holds
 * a connection, not a thread; a request is parsed and predicted in the
 * thread that read it.  One more thread (ml_listen) accepts connections and
 * gives each to the daemon with the fewest open.  Bodies are bounded by
 * max_body as they arrive (Content-Length is checked first), connections by
 * max_connections (a new one past it is closed at once) and an idle timeout.
 *
 * The server never prints: each request may be reported to `log` (an
 * access line), and each error answer and internal failure to `log` as
 * an error line; the callback is called from the pool's threads at once.
 */
#ifndef ML_HTTP_H
#define ML_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ml_error.h"
#include "serve/ml_registry.h"

typedef enum ml_http_log_kind { ML_HTTP_LOG_ACCESS, ML_HTTP_LOG_ERROR } ml_http_log_kind;

typedef struct ml_http_options {
	const char *listen;        /* "ADDR:PORT", "[ADDR6]:PORT"; port 0 picks a free one */
	size_t n_threads;          /* the pool: 1 and up */
	size_t max_body;           /* bytes */
	unsigned timeout;          /* seconds a connection may stay idle; 0 never */
	size_t max_connections;
	size_t max_rows;           /* per request */
	bool access_log;           /* report every request, not only the errors */
	void (*log)(void *context, ml_http_log_kind kind, const char *line);
	void *log_context;
} ml_http_options;

#define ML_HTTP_DEFAULT_LISTEN "127.0.0.1:8080"
#define ML_HTTP_DEFAULT_MAX_BODY ((size_t)16 << 20)
#define ML_HTTP_DEFAULT_TIMEOUT 30
#define ML_HTTP_DEFAULT_MAX_CONNECTIONS 1000

void ml_http_options_init(ml_http_options *options);
int ml_http_options_check(const ml_http_options *options, ml_error *err);

typedef struct ml_http ml_http;

/* Starts serving the registry's models; the registry must outlive the server. */
ml_http *ml_http_start(ml_registry *models, const ml_http_options *options, ml_error *err);
/* The port it listens on (the one picked, for port 0). */
unsigned ml_http_port(const ml_http *server);
/*
 * Stops accepting connections, answers 503 to requests that come on open
 * ones, and waits up to `seconds` for the requests in flight to finish.
 * Returns how many were still running when it gave up (0: all finished).
 */
size_t ml_http_drain(ml_http *server, double seconds);
/* Stops the threads and closes every connection; accepts NULL. */
void ml_http_free(ml_http *server);

#endif
