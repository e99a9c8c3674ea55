#include "serve/ml_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/ml_clock.h"
#include "core/ml_escape.h"
#include "serve/ml_listen.h"
#include "serve/ml_request.h"
#include "serve/ml_telemetry.h"

#define MODELS_PATH "/v1/models"
#define NO_MODEL SIZE_MAX
/* A body is given this much room from its Content-Length at most, before it arrives. */
#define BODY_RESERVED ((int64_t)256 << 10)
/*
 * Each connection's memory in libmicrohttpd, half of it the read buffer.  At the library's
 * 32 KiB a 76 KB body (1000 rows) took five reads and three or four waits for the socket;
 * at 256 KiB one read takes a body of up to 128 KiB as it stands in the socket, in one
 * wake-up of the thread.  The pages are only touched as far as a connection's bodies reach.
 */
#define CONNECTION_MEMORY ((size_t)256 << 10)

/*
 * A thread of the pool: a libmicrohttpd daemon with its own epoll loop over the connections
 * it is given, and how many of those are open.
 */
typedef struct worker {
	struct MHD_Daemon *daemon;
	atomic_size_t open;
} worker;

struct ml_http {
	ml_listener *listener;
	worker *workers;
	size_t n_workers;
	size_t next_worker; /* where the acceptor's search starts: ties go to each in turn */
	ml_registry *models;
	ml_http_options options;
	unsigned port;
	double started;
	atomic_size_t in_flight;
	atomic_bool draining;
	/* Counters by model (the last one for requests that name none), under stats_lock. */
	pthread_mutex_t stats_lock;
	ml_telemetry **stats;
	size_t n_stats;
};

/* One request, from its first byte to its answer. */
typedef struct exchange {
	double started;
	ml_buf body;
	bool too_large;    /* the body went past max_body: answered 413 */
	bool answered;
	size_t model;      /* whose counters, or NO_MODEL */
	int status;
	size_t n_rows, bytes;
	char *access;      /* the start of its access-log line, when there is a log */
} exchange;

void ml_http_options_init(ml_http_options *options)
{
	memset(options, 0, sizeof *options);
	options->listen = ML_HTTP_DEFAULT_LISTEN;
	options->n_threads = 1;
	options->max_body = ML_HTTP_DEFAULT_MAX_BODY;
	options->timeout = ML_HTTP_DEFAULT_TIMEOUT;
	options->max_connections = ML_HTTP_DEFAULT_MAX_CONNECTIONS;
	options->max_rows = ML_REQUEST_MAX_ROWS;
}

int ml_http_options_check(const ml_http_options *options, ml_error *err)
{
	if (options->n_threads < 1 || options->n_threads > 1024) {
		ml_error_set(err, "threads: %zu is not within 1-1024", options->n_threads);
		return -1;
	}
	if (options->max_connections < options->n_threads || options->max_connections > 1000000) {
		ml_error_set(err, "--max-connections: %zu must be at least the thread count (%zu)"
			     " and at most 1000000", options->max_connections, options->n_threads);
		return -1;
	}
	if (options->max_body < 1 || options->max_rows < 1) {
		ml_error_set(err, "--max-body and --max-rows must be at least 1");
		return -1;
	}
	return 0;
}

static void log_line(const ml_http *server, ml_http_log_kind kind, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void log_line(const ml_http *server, ml_http_log_kind kind, const char *format, ...)
{
	if (!server->options.log)
		return;
	char line[2048];
	va_list args;
	va_start(args, format);
	vsnprintf(line, sizeof line, format, args);
	va_end(args);
	/*
	 * A request's path (unescaped), a model or column name may hold anything:
	 * escaped as ml-eval escapes names, the line stays one line and shows no
	 * terminal escape sequence to whoever reads the log.
	 */
	ml_buf escaped;
	ml_buf_init(&escaped);
	ml_escape_append(&escaped, line, strlen(line), 0);
	if (escaped.failed) {
		for (char *c = line; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
				*c = '?';
	}
	server->options.log(server->options.log_context, kind,
			    escaped.failed ? line : escaped.data);
	ml_buf_free(&escaped);
}

static void on_library_error(void *context, const char *format, va_list args)
{
	const ml_http *server = context;
	char text[1024];
	vsnprintf(text, sizeof text, format, args);
	size_t length = strlen(text);
	while (length && (text[length - 1] == '\n' || text[length - 1] == '\r'))
		text[--length] = '\0';
	log_line(server, ML_HTTP_LOG_ERROR, "libmicrohttpd: %s", text);
}

/* Queues body (taken over, whatever happens) as the answer. */
static enum MHD_Result respond(ml_http *server, struct MHD_Connection *connection,
			       exchange *x, int status, const char *content_type, ml_buf *body,
			       const char *allow)
{
	(void)server;
	if (body->failed) {
		ml_buf_free(body);
		ml_buf_puts(body, "{\"error\":\"out of memory\"}\n");
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		content_type = "application/json";
	}
	size_t length = body->length;
	struct MHD_Response *response = MHD_create_response_from_buffer(length, body->data,
									MHD_RESPMEM_MUST_FREE);
	if (!response) {
		ml_buf_free(body);
		return MHD_NO;
	}
	body->data = NULL; /* the response owns it now */
	ml_buf_free(body);
	MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (allow)
		MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
	if (atomic_load(&server->draining))
		MHD_add_response_header(response, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result queued = MHD_queue_response(connection, (unsigned)status, response);
	MHD_destroy_response(response);
	x->status = status;
	x->bytes = length;
	x->answered = true;
	return queued;
}

static enum MHD_Result respond_json(ml_http *server, struct MHD_Connection *connection,
				    exchange *x, int status, ml_buf *body)
{
	return respond(server, connection, x, status, "application/json", body, NULL);
}

static enum MHD_Result respond_error(ml_http *server, struct MHD_Connection *connection,
				     exchange *x, int status, const char *allow, const char *method,
				     const char *url, const char *message)
{
	ml_buf body;
	ml_buf_init(&body);
	ml_buf_puts(&body, "{\"error\":");
	ml_json_put_string(&body, message);
	ml_buf_puts(&body, "}\n");
	log_line(server, ML_HTTP_LOG_ERROR, "%s %.200s: %d: %s", method, url, status, message);
	return respond(server, connection, x, status, "application/json", &body, allow);
}

static enum MHD_Result respond_text(ml_http *server, struct MHD_Connection *connection,
				    exchange *x, const char *text)
{
	ml_buf body;
	ml_buf_init(&body);
	ml_buf_puts(&body, text);
	return respond_json(server, connection, x, MHD_HTTP_OK, &body);
}

static bool is_get(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static void put_model_list(ml_http *server, ml_buf *out)
{
	ml_buf_puts(out, "{\"models\":[");
	for (size_t i = 0; i < ml_registry_count(server->models); i++) {
		ml_served *served = ml_registry_acquire(server->models, i);
		ml_buf_puts(out, i ? "," : "");
		ml_buf_puts(out, ml_served_json(served));
		ml_registry_release(server->models, served);
	}
	ml_buf_puts(out, "]}\n");
}

/* One gauge or counter sample per model, labelled model="NAME". */
static void put_model_sample(ml_buf *out, const char *name, const char *model, double value)
{
	ml_telemetry_label label = { "model", model };
	ml_telemetry_put_sample(out, name, &label, 1, value);
}

static void put_model_metrics(ml_http *server, ml_buf *out)
{
	size_t n_models = ml_registry_count(server->models);
	ml_telemetry_put_family(out, "mlpipe_serve_model_info", "gauge",
				"The model served under each name: kind and file digest.");
	for (size_t i = 0; i < n_models; i++) {
		ml_served *served = ml_registry_acquire(server->models, i);
		ml_telemetry_label labels[] = {
			{ "model", ml_registry_name(server->models, i) },
			{ "kind", ml_model_kind(ml_served_model(served)) },
			{ "digest", ml_served_digest(served) },
		};
		ml_telemetry_put_sample(out, "mlpipe_serve_model_info", labels, 3, 1);
		ml_registry_release(server->models, served);
	}
	ml_telemetry_put_family(out, "mlpipe_serve_model_load_seconds", "gauge",
				"Seconds reading and checking the model file took.");
	for (size_t i = 0; i < n_models; i++) {
		ml_served *served = ml_registry_acquire(server->models, i);
		put_model_sample(out, "mlpipe_serve_model_load_seconds",
				 ml_registry_name(server->models, i), ml_served_load_seconds(served));
		ml_registry_release(server->models, served);
	}
	ml_telemetry_put_family(out, "mlpipe_serve_model_loaded_timestamp_seconds", "gauge",
				"When the model serving now was read, in seconds since the epoch.");
	for (size_t i = 0; i < n_models; i++) {
		ml_served *served = ml_registry_acquire(server->models, i);
		put_model_sample(out, "mlpipe_serve_model_loaded_timestamp_seconds",
				 ml_registry_name(server->models, i), ml_served_loaded_at(served));
		ml_registry_release(server->models, served);
	}
	ml_telemetry_put_family(out, "mlpipe_serve_model_reloads_total", "counter",
				"Reloads (SIGHUP) by result; a failed one leaves the old model serving.");
	for (size_t i = 0; i < n_models; i++) {
		uint64_t loaded, failed;
		ml_registry_reloads(server->models, i, &loaded, &failed);
		ml_telemetry_label labels[] = { { "model", ml_registry_name(server->models, i) },
						{ "result", "ok" } };
		ml_telemetry_put_sample(out, "mlpipe_serve_model_reloads_total", labels, 2,
					(double)loaded);
		labels[1].value = "failed";
		ml_telemetry_put_sample(out, "mlpipe_serve_model_reloads_total", labels, 2,
					(double)failed);
	}
}

/* The model label of counters i: its name, or "" for requests that name no model. */
static const char *stats_label(const ml_http *server, size_t i)
{
	return i < ml_registry_count(server->models) ? ml_registry_name(server->models, i) : "";
}

static void put_request_metrics(ml_http *server, ml_buf *out)
{
	static const struct {
		const char *name, *type, *help;
	} families[] = {
		{ "mlpipe_serve_requests_total", "counter",
		  "Requests answered, by model (empty: none named) and status code." },
		{ "mlpipe_serve_errors_total", "counter",
		  "Requests answered with an error status (400 and up), by model and code." },
		{ "mlpipe_serve_rows_total", "counter", "Rows predicted." },
		{ "mlpipe_serve_request_duration_seconds", "histogram",
		  "Seconds from a request's first byte to its answer sent." },
	};
	pthread_mutex_lock(&server->stats_lock);
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
		ml_telemetry_put_family(out, families[f].name, families[f].type, families[f].help);
		for (size_t i = 0; i < server->n_stats; i++) {
			ml_telemetry_label label = { "model", stats_label(server, i) };
			const ml_telemetry *stats = server->stats[i];
			if (f < 2)
				ml_telemetry_put_requests(out, stats, families[f].name, &label, 1, f == 1);
			else if (f == 2 && i + 1 < server->n_stats)
				ml_telemetry_put_sample(out, families[f].name, &label, 1,
							(double)ml_telemetry_rows(stats));
			else if (f == 3)
				ml_telemetry_put_histogram(out, stats, families[f].name, &label, 1);
		}
	}
	pthread_mutex_unlock(&server->stats_lock);
}

static enum MHD_Result answer_metrics(ml_http *server, struct MHD_Connection *connection,
				      exchange *x)
{
	ml_buf out;
	ml_buf_init(&out);
	put_request_metrics(server, &out);
	put_model_metrics(server, &out);
	ml_telemetry_put_family(&out, "mlpipe_serve_in_flight", "gauge",
				"Requests being read or answered.");
	ml_telemetry_put_sample(&out, "mlpipe_serve_in_flight", NULL, 0,
				(double)atomic_load(&server->in_flight));
	ml_telemetry_put_family(&out, "mlpipe_serve_connections", "gauge",
				"Open connections, by worker thread (a new one goes to the fewest).");
	for (size_t i = 0; i < server->n_workers; i++) {
		char thread[24];
		snprintf(thread, sizeof thread, "%zu", i);
		ml_telemetry_label label = { "thread", thread };
		ml_telemetry_put_sample(&out, "mlpipe_serve_connections", &label, 1,
					(double)atomic_load(&server->workers[i].open));
	}
	ml_telemetry_put_family(&out, "mlpipe_serve_uptime_seconds", "gauge",
				"Seconds since the server started.");
	ml_telemetry_put_sample(&out, "mlpipe_serve_uptime_seconds", NULL, 0,
				ml_clock_now() - server->started);
	return respond(server, connection, x, MHD_HTTP_OK, "text/plain; version=0.0.4", &out,
		       NULL);
}

static bool wants_csv(struct MHD_Connection *connection)
{
	const char *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	return type && strncasecmp(type, "text/csv", 8) == 0;
}

/* ?proba=1 (or true) and ?proba=0 (false); -1 for anything else. */
static int proba_argument(struct MHD_Connection *connection)
{
	const char *value = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND,
							"proba");
	if (!value || strcmp(value, "0") == 0 || strcmp(value, "false") == 0)
		return 0;
	if (strcmp(value, "1") == 0 || strcmp(value, "true") == 0 || value[0] == '\0')
		return 1;
	return -1;
}

static enum MHD_Result answer_predict(ml_http *server, struct MHD_Connection *connection,
				      exchange *x, size_t index, const char *method,
				      const char *url)
{
	ml_request_options request;
	ml_request_options_init(&request);
	request.format = wants_csv(connection) ? ML_BODY_CSV : ML_BODY_JSON;
	request.max_rows = server->options.max_rows;
	int proba = proba_argument(connection);
	if (proba < 0)
		return respond_error(server, connection, x, MHD_HTTP_BAD_REQUEST, NULL, method, url,
				     "proba: give 1 (or true) or 0 (or false)");
	request.probabilities = proba;
	ml_served *served = ml_registry_acquire(server->models, index);
	const ml_model *model = ml_served_model(served);
	ml_buf answer;
	ml_buf_init(&answer);
	ml_error err;
	int status = MHD_HTTP_OK;
	if (proba && ml_model_task(model) != ML_TASK_CLASSIFICATION) {
		ml_error_set(&err, "proba: '%s' is a %s regression model: it has no classes",
			     ml_registry_name(server->models, index), ml_model_kind(model));
		status = MHD_HTTP_BAD_REQUEST;
	} else if (ml_request_answer(ml_served_schema(served), &request, x->body.data,
				     x->body.length, &answer, &x->n_rows, &status, &err) < 0) {
		x->n_rows = 0;
	}
	ml_registry_release(server->models, served);
	if (status != MHD_HTTP_OK) {
		ml_buf_free(&answer);
		return respond_error(server, connection, x, status, NULL, method, url, err.message);
	}
	return respond_json(server, connection, x, MHD_HTTP_OK, &answer);
}

static enum MHD_Result not_found(ml_http *server, struct MHD_Connection *connection,
				 exchange *x, const char *method, const char *url,
				 const char *what)
{
	char message[512];
	snprintf(message, sizeof message, "%s", what);
	return respond_error(server, connection, x, MHD_HTTP_NOT_FOUND, NULL, method, url,
			     message);
}

static enum MHD_Result wrong_method(ml_http *server, struct MHD_Connection *connection,
				    exchange *x, const char *method, const char *url,
				    const char *allow)
{
	char message[256];
	snprintf(message, sizeof message, "%s is not allowed here; use %s", method, allow);
	return respond_error(server, connection, x, MHD_HTTP_METHOD_NOT_ALLOWED, allow, method,
			     url, message);
}

/* /v1/models/NAME and /v1/models/NAME/predict. */
static enum MHD_Result route_model(ml_http *server, struct MHD_Connection *connection,
				   exchange *x, const char *method, const char *url)
{
	const char *name = url + strlen(MODELS_PATH "/");
	const char *slash = strchr(name, '/');
	size_t length = slash ? (size_t)(slash - name) : strlen(name);
	bool predict = slash && strcmp(slash, "/predict") == 0;
	char wanted[256];
	if ((slash && !predict) || length >= sizeof wanted)
		return not_found(server, connection, x, method, url, "no such path");
	memcpy(wanted, name, length);
	wanted[length] = '\0';
	size_t index = ml_registry_find(server->models, wanted);
	if (index == SIZE_MAX) {
		char message[400];
		snprintf(message, sizeof message, "no model '%s' (GET " MODELS_PATH " lists them)",
			 wanted);
		return not_found(server, connection, x, method, url, message);
	}
	x->model = index;
	if (predict) {
		if (strcmp(method, "POST") != 0)
			return wrong_method(server, connection, x, method, url, "POST");
		return answer_predict(server, connection, x, index, method, url);
	}
	if (!is_get(method))
		return wrong_method(server, connection, x, method, url, "GET, HEAD");
	ml_served *served = ml_registry_acquire(server->models, index);
	ml_buf body;
	ml_buf_init(&body);
	ml_buf_puts(&body, ml_served_json(served));
	ml_buf_putc(&body, '\n');
	ml_registry_release(server->models, served);
	return respond_json(server, connection, x, MHD_HTTP_OK, &body);
}

static enum MHD_Result route(ml_http *server, struct MHD_Connection *connection, exchange *x,
			     const char *method, const char *url)
{
	bool get = is_get(method);
	size_t n_models = ml_registry_count(server->models);
	if (strcmp(url, "/predict") == 0) {
		if (strcmp(method, "POST") != 0)
			return wrong_method(server, connection, x, method, url, "POST");
		if (n_models != 1)
			return not_found(server, connection, x, method, url,
					 "several models are served: POST " MODELS_PATH
					 "/NAME/predict");
		x->model = 0;
		return answer_predict(server, connection, x, 0, method, url);
	}
	if (strncmp(url, MODELS_PATH "/", strlen(MODELS_PATH "/")) == 0)
		return route_model(server, connection, x, method, url);
	static const char *const gets[] = { "/healthz", "/readyz", "/metrics", MODELS_PATH };
	size_t which = 0;
	while (which < 4 && strcmp(url, gets[which]) != 0)
		which++;
	if (which == 4)
		return not_found(server, connection, x, method, url, "no such path");
	if (!get)
		return wrong_method(server, connection, x, method, url, "GET, HEAD");
	if (which == 0)
		return respond_text(server, connection, x, "{\"status\":\"alive\"}\n");
	if (which == 1) {
		if (atomic_load(&server->draining))
			return respond_error(server, connection, x, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
					     method, url, "draining: not taking new requests");
		return respond_text(server, connection, x, "{\"status\":\"ready\"}\n");
	}
	if (which == 2)
		return answer_metrics(server, connection, x);
	ml_buf body;
	ml_buf_init(&body);
	put_model_list(server, &body);
	return respond_json(server, connection, x, MHD_HTTP_OK, &body);
}

/* The access line's start: client, time, request; the end is added when it is answered. */
static char *access_start(struct MHD_Connection *connection, const char *method,
			  const char *url, const char *version)
{
	char address[INET6_ADDRSTRLEN] = "-";
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr) {
		const struct sockaddr *peer = info->client_addr;
		const void *where = peer->sa_family == AF_INET6
			? (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr
			: (const void *)&((const struct sockaddr_in *)peer)->sin_addr;
		inet_ntop(peer->sa_family, where, address, sizeof address);
	}
	char when[64];
	time_t now = time(NULL);
	struct tm utc;
	gmtime_r(&now, &utc);
	strftime(when, sizeof when, "%d/%b/%Y:%H:%M:%S +0000", &utc);
	ml_buf line;
	ml_buf_init(&line);
	ml_buf_printf(&line, "%s - - [%s] \"%s %.200s %s\"", address, when, method, url, version);
	if (line.failed) {
		ml_buf_free(&line);
		return NULL;
	}
	return line.data;
}

/* The first call for a request: counts it, and refuses it early when it can. */
static enum MHD_Result begin(ml_http *server, struct MHD_Connection *connection,
			     const char *method, const char *url, const char *version,
			     void **state)
{
	exchange *x = calloc(1, sizeof *x);
	if (!x)
		return MHD_NO;
	x->started = ml_clock_now();
	x->model = NO_MODEL;
	ml_buf_init(&x->body);
	if (server->options.access_log)
		x->access = access_start(connection, method, url, version);
	atomic_fetch_add(&server->in_flight, 1);
	*state = x;
	if (atomic_load(&server->draining))
		return respond_error(server, connection, x, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
				     method, url, "draining: not taking new requests");
	const char *declared = MHD_lookup_connection_value(connection, MHD_HEADER_KIND,
							   MHD_HTTP_HEADER_CONTENT_LENGTH);
	int64_t length = 0;
	bool known = declared && ml_parse_int64(declared, strlen(declared), 0, INT64_MAX, &length);
	if (known && (uint64_t)length > server->options.max_body) {
		char message[128];
		snprintf(message, sizeof message, "the body has %lld bytes; at most %zu (--max-body)",
			 (long long)length, server->options.max_body);
		x->too_large = true;
		return respond_error(server, connection, x, MHD_HTTP_CONTENT_TOO_LARGE, NULL, method,
				     url, message);
	}
	/*
	 * Room for the body at once, not grown and copied a dozen times; bounded, as a
	 * client may declare more than it sends.
	 */
	if (known && length > 0)
		ml_buf_reserve(&x->body, (size_t)(length < BODY_RESERVED ? length : BODY_RESERVED));
	return MHD_YES;
}

static enum MHD_Result on_request(void *context, struct MHD_Connection *connection,
				  const char *url, const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **state)
{
	ml_http *server = context;
	exchange *x = *state;
	if (!x)
		return begin(server, connection, method, url, version, state);
	if (*upload_size) {
		/* Past the limit, the rest is read and dropped: the answer is 413. */
		if (!x->answered && !x->too_large) {
			size_t total;
			if (!ml_size_add(x->body.length, *upload_size, &total) ||
			    total > server->options.max_body) {
				x->too_large = true;
				ml_buf_free(&x->body);
			} else {
				ml_buf_append(&x->body, upload_data, *upload_size);
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (x->answered)
		return MHD_YES;
	if (x->too_large) {
		char message[128];
		snprintf(message, sizeof message, "the body has more than %zu bytes (--max-body)",
			 server->options.max_body);
		return respond_error(server, connection, x, MHD_HTTP_CONTENT_TOO_LARGE, NULL, method,
				     url, message);
	}
	if (x->body.failed)
		return respond_error(server, connection, x, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL,
				     method, url, "out of memory for the body");
	return route(server, connection, x, method, url);
}

static void on_completed(void *context, struct MHD_Connection *connection, void **state,
			 enum MHD_RequestTerminationCode how)
{
	(void)connection;
	ml_http *server = context;
	exchange *x = *state;
	if (!x)
		return;
	*state = NULL;
	double latency = ml_clock_now() - x->started;
	if (x->status) {
		size_t which = x->model == NO_MODEL ? server->n_stats - 1 : x->model;
		pthread_mutex_lock(&server->stats_lock);
		ml_telemetry_add_request(server->stats[which], x->status, x->n_rows, latency);
		pthread_mutex_unlock(&server->stats_lock);
	}
	if (x->access)
		log_line(server, ML_HTTP_LOG_ACCESS, "%s %d %zu rows=%zu time=%.6f%s", x->access,
			 x->status ? x->status : 0, x->bytes, x->n_rows, latency,
			 how == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (not completed)");
	free(x->access);
	ml_buf_free(&x->body);
	free(x);
	atomic_fetch_sub(&server->in_flight, 1);
}

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT" (every IPv4 address) into an address. */
static int resolve(const char *listen, struct sockaddr_storage *address,
		   socklen_t *address_length, ml_error *err)
{
	const char *colon = strrchr(listen, ':');
	if (!colon) {
		ml_error_set(err, "--listen '%s': expected ADDRESS:PORT", listen);
		return -1;
	}
	int64_t port;
	if (!ml_parse_int64(colon + 1, strlen(colon + 1), 0, 65535, &port)) {
		ml_error_set(err, "--listen '%s': the port is not a number from 0 to 65535", listen);
		return -1;
	}
	char host[256];
	size_t length = (size_t)(colon - listen);
	const char *start = listen;
	if (length >= 2 && listen[0] == '[' && listen[length - 1] == ']') {
		start++;
		length -= 2;
	}
	if (length >= sizeof host) {
		ml_error_set(err, "--listen '%s': the address is too long", listen);
		return -1;
	}
	memcpy(host, start, length);
	host[length] = '\0';
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *found = NULL;
	char service[8];
	snprintf(service, sizeof service, "%d", (int)port);
	int status = getaddrinfo(length ? host : NULL, service, &hints, &found);
	if (status != 0 || !found) {
		ml_error_set(err, "--listen '%s': %s", listen, gai_strerror(status));
		return -1;
	}
	memset(address, 0, sizeof *address);
	memcpy(address, found->ai_addr, found->ai_addrlen);
	*address_length = found->ai_addrlen;
	freeaddrinfo(found);
	return 0;
}

static void on_connection(void *context, struct MHD_Connection *connection,
			  void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	(void)connection, (void)socket_context;
	worker *w = context;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&w->open, 1);
}

/*
 * Called on the acceptor's thread: a new connection to the worker with the fewest open, or
 * closed at once when --max-connections are open.  The counts are the acceptor's own, raised
 * before the worker knows of the connection, so a burst of connections is spread too.
 */
static void hand_over(void *context, int socket, const struct sockaddr *peer,
		      socklen_t peer_length)
{
	ml_http *server = context;
	size_t n = server->n_workers, best = 0, fewest = SIZE_MAX, total = 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = (server->next_worker + k) % n, open = atomic_load(&server->workers[i].open);
		total += open;
		if (open < fewest) {
			best = i;
			fewest = open;
		}
	}
	if (total >= server->options.max_connections) {
		close(socket);
		log_line(server, ML_HTTP_LOG_ERROR,
			 "%zu connections are open (--max-connections): closed a new one", total);
		return;
	}
	server->next_worker = best + 1;
	worker *w = &server->workers[best];
	atomic_fetch_add(&w->open, 1);
	if (MHD_add_connection(w->daemon, socket, peer, peer_length) != MHD_YES)
		atomic_fetch_sub(&w->open, 1); /* it closed the socket, and logged why */
}

static void report_accept_failure(void *context, const char *message)
{
	log_line(context, ML_HTTP_LOG_ERROR, "%s", message);
}

/*
 * n_threads daemons without a socket of their own.  The acceptor keeps to
 * max_connections; a daemon's own limit is far above what it can be given,
 * as libmicrohttpd 0.9.75 deadlocks the daemon's thread when it refuses a
 * connection handed to it (its count also drops a moment after ours).
 */
static int start_workers(ml_http *server, const ml_http_options *options, ml_error *err)
{
	size_t n = options->n_threads;
	if (!(server->workers = ml_calloc_array(n, sizeof *server->workers, err)))
		return -1;
	server->n_workers = n;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
	for (size_t i = 0; i < n; i++) {
		worker *w = &server->workers[i];
		atomic_init(&w->open, 0);
		w->daemon = MHD_start_daemon(
			flags, 0, NULL, NULL, on_request, server,
			/* First: the options before it would report through the default logger. */
			MHD_OPTION_EXTERNAL_LOGGER, on_library_error, server,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)(2 * options->max_connections + 16),
			MHD_OPTION_CONNECTION_TIMEOUT, options->timeout,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, server,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, w,
			MHD_OPTION_END);
		if (!w->daemon) {
			ml_error_set(err, "cannot start the threads that serve connections");
			return -1;
		}
	}
	return 0;
}

static void free_stats(ml_http *server)
{
	for (size_t i = 0; server->stats && i < server->n_stats; i++)
		ml_telemetry_free(server->stats[i]);
	free(server->stats);
}

ml_http *ml_http_start(ml_registry *models, const ml_http_options *options, ml_error *err)
{
	if (ml_http_options_check(options, err) < 0)
		return NULL;
	struct sockaddr_storage address;
	socklen_t address_length;
	if (resolve(options->listen, &address, &address_length, err) < 0)
		return NULL;
	ml_http *server = calloc(1, sizeof *server);
	if (!server) {
		ml_error_nomem(err);
		return NULL;
	}
	server->models = models;
	server->options = *options;
	server->options.listen = NULL; /* the caller's string need not outlive the call */
	server->started = ml_clock_now();
	atomic_init(&server->in_flight, 0);
	atomic_init(&server->draining, false);
	pthread_mutex_init(&server->stats_lock, NULL);
	server->n_stats = ml_registry_count(models) + 1;
	if (!(server->stats = ml_calloc_array(server->n_stats, sizeof *server->stats, err)))
		goto fail;
	for (size_t i = 0; i < server->n_stats; i++)
		if (!(server->stats[i] = ml_telemetry_create(err)))
			goto fail;
	if (start_workers(server, options, err) < 0)
		goto fail;
	server->listener = ml_listen_start((struct sockaddr *)&address, address_length, hand_over,
					   report_accept_failure, server, err);
	if (!server->listener) {
		ml_error_prefix(err, "cannot listen on %s", options->listen);
		goto fail;
	}
	server->port = ml_listen_port(server->listener);
	return server;
fail:
	ml_http_free(server);
	return NULL;
}

unsigned ml_http_port(const ml_http *server)
{
	return server->port;
}

size_t ml_http_drain(ml_http *server, double seconds)
{
	atomic_store(&server->draining, true);
	ml_listen_stop(server->listener);
	server->listener = NULL;
	double deadline = ml_clock_now() + seconds;
	while (atomic_load(&server->in_flight) > 0 && ml_clock_now() < deadline) {
		struct timespec pause = { 0, 10 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	return atomic_load(&server->in_flight);
}

void ml_http_free(ml_http *server)
{
	if (!server)
		return;
	ml_listen_stop(server->listener);
	for (size_t i = 0; server->workers && i < server->n_workers; i++)
		if (server->workers[i].daemon)
			MHD_stop_daemon(server->workers[i].daemon);
	free(server->workers);
	free_stats(server);
	pthread_mutex_destroy(&server->stats_lock);
	free(server);
}
