/*
 * ml-serve: the prediction service over HTTP/JSON: serves model files by
 * name, with health, readiness and Prometheus metrics.
 *
 * Signals are blocked in every thread and taken by the main thread with
 * sigwait(2), so nothing runs in a handler: SIGHUP reloads the model files
 * (one that fails to load leaves the old model serving), SIGTERM and
 * SIGINT drain (stop accepting, let the requests in flight finish, exit).
 * Requests themselves run on libmicrohttpd's threads (lib/serve/ml_http).
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "math/ml_blas.h"
#include "math/ml_parallel.h"
#include "serve/ml_http.h"
#include "serve/ml_registry.h"

enum { OPT_LISTEN = 256, OPT_MAX_BODY, OPT_TIMEOUT, OPT_MAX_CONNECTIONS, OPT_MAX_ROWS,
       OPT_ACCESS_LOG };

static const cli_option options[] = {
	{ OPT_LISTEN, "listen", "ADDR:PORT", "where to listen (default " ML_HTTP_DEFAULT_LISTEN
					     "; port 0 picks a free one)" },
	{ 'j', "threads", "N", "worker threads (default: the processors online)" },
	{ OPT_MAX_BODY, "max-body", "BYTES", "larger request bodies get 413 (default 16 MiB)" },
	{ OPT_MAX_ROWS, "max-rows", "N", "more rows in one request get 413 (default 100000)" },
	{ OPT_TIMEOUT, "timeout", "SECONDS", "close idle connections after this; also the longest"
					     " wait for requests when draining (default 30)" },
	{ OPT_MAX_CONNECTIONS, "max-connections", "N", "open connections at most (default 1000)" },
	{ OPT_ACCESS_LOG, "access-log", "FILE", "append a line per request to FILE ('-': stdout)" },
	{ 0 },
};

static const cli_command command = {
	.name = "ml-serve",
	.synopsis = "[OPTION]... [NAME=]MODEL...",
	.summary = "Serve model files (from ml-fit) over HTTP/JSON, each by NAME (default: the\n"
		   "file name without its extension), with /healthz, /readyz and /metrics.",
	.options = options,
	.footer = "Examples:\n"
		  "  ml-serve --listen 127.0.0.1:8080 iris.model\n"
		  "  curl -d '{\"features\": [5.1, 3.5, 1.4, 0.2]}' localhost:8080/predict\n"
		  "  curl -d '{\"rows\": [{\"sepal_length\": 5.1, ...}]}' \\\n"
		  "       'localhost:8080/v1/models/iris/predict?proba=1'\n"
		  "  kill -HUP PID      # reload the model files\n"
		  "  kill -TERM PID     # finish the requests in flight and exit\n",
};

typedef struct settings {
	ml_http_options http;
	const char *access_log;
	char **models;
	int n_models;
} settings;

static FILE *access_file;

static void parse_arguments(int argc, char **argv, settings *s)
{
	ml_http_options_init(&s->http);
	s->http.n_threads = ml_parallel_default_threads();
	int code;
	while ((code = cli_next_option(argc, argv)) != -1) {
		switch (code) {
		case OPT_LISTEN: s->http.listen = cli_arg; break;
		case 'j': s->http.n_threads = cli_size("-j", cli_arg, 1, 1024); break;
		case OPT_MAX_BODY:
			s->http.max_body = cli_size("--max-body", cli_arg, 1, (size_t)1 << 40);
			break;
		case OPT_MAX_ROWS:
			s->http.max_rows = cli_size("--max-rows", cli_arg, 1, (size_t)1 << 40);
			break;
		case OPT_TIMEOUT:
			s->http.timeout = (unsigned)cli_size("--timeout", cli_arg, 0, 86400);
			break;
		case OPT_MAX_CONNECTIONS:
			s->http.max_connections = cli_size("--max-connections", cli_arg, 1, 1000000);
			break;
		case OPT_ACCESS_LOG: s->access_log = cli_arg; break;
		default: cli_usage_error("unhandled option");
		}
	}
	if (optind >= argc)
		cli_usage_error("no model file given");
	s->models = argv + optind;
	s->n_models = argc - optind;
	ml_error err;
	if (ml_http_options_check(&s->http, &err) < 0)
		cli_usage_error("%s", err.message);
}

/* Called from the server's threads: each line is written whole. */
static void log_line(void *context, ml_http_log_kind kind, const char *line)
{
	(void)context;
	if (kind == ML_HTTP_LOG_ACCESS && access_file) {
		fprintf(access_file, "%s\n", line);
		return;
	}
	if (kind == ML_HTTP_LOG_ERROR) {
		flockfile(stderr);
		cli_warn("%s", line);
		funlockfile(stderr);
	}
}

/* NAME=FILE, or FILE served as its base name without the extension. */
static void add_model(ml_registry *registry, const char *argument)
{
	ml_error err;
	const char *equals = strchr(argument, '=');
	ml_buf name;
	ml_buf_init(&name);
	if (equals && !memchr(argument, '/', (size_t)(equals - argument))) {
		ml_buf_append(&name, argument, (size_t)(equals - argument));
		argument = equals + 1;
		if (name.failed)
			cli_die("out of memory");
	} else if (ml_registry_default_name(argument, &name, &err) < 0) {
		cli_fail(&err);
	}
	if (ml_registry_add(registry, name.data ? name.data : "", argument, &err) < 0)
		cli_fail(&err);
	ml_buf_free(&name);
}

static void reload(ml_registry *registry)
{
	for (size_t i = 0; i < ml_registry_count(registry); i++) {
		ml_error err;
		const char *name = ml_registry_name(registry, i);
		flockfile(stderr);
		if (ml_registry_reload(registry, i, &err) < 0) {
			cli_warn("reload of '%s' failed; the old model goes on serving: %s", name,
				 err.message);
		} else {
			ml_served *served = ml_registry_acquire(registry, i);
			cli_warn("reloaded '%s' (digest %s)", name, ml_served_digest(served));
			ml_registry_release(registry, served);
		}
		funlockfile(stderr);
	}
}

static void open_access_log(const char *path)
{
	if (!path)
		return;
	access_file = strcmp(path, "-") == 0 ? stdout : fopen(path, "a");
	if (!access_file)
		cli_die("%s: %s", path, strerror(errno));
	/* Each request's line reaches the file when it is answered. */
	setvbuf(access_file, NULL, _IOLBF, 0);
}

int main(int argc, char **argv)
{
	settings s = { 0 };
	ml_error err;
	cli_init(&command, argc, argv);
	parse_arguments(argc, argv, &s);
	/* A client that goes away must not end the server. */
	signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
	/*
	 * A request's scratch (its body, tokens and answer: a few hundred KiB for
	 * 1000 rows) stays in the heap between requests, not mapped and given back
	 * each time: page faults cost a large request more than its parsing.
	 */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
	/* Requests are the parallel work: each runs on one core, BLAS included. */
	ml_parallel_set_threads(1);
	ml_blas_threads_set(1);
	ml_blas_load(); /* here, not on the first request that needs it */
	open_access_log(s.access_log);

	ml_registry *registry = ml_registry_create(&err);
	if (!registry)
		cli_fail(&err);
	for (int i = 0; i < s.n_models; i++)
		add_model(registry, s.models[i]);

	/* Blocked before the server's threads start, so that they inherit the mask. */
	sigset_t signals;
	sigemptyset(&signals);
	sigaddset(&signals, SIGHUP);
	sigaddset(&signals, SIGTERM);
	sigaddset(&signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);

	s.http.access_log = access_file != NULL;
	s.http.log = log_line;
	ml_http *server = ml_http_start(registry, &s.http, &err);
	if (!server)
		cli_fail(&err);
	/* The port it got, for port 0: scripts read it from this line. */
	const char *colon = strrchr(s.http.listen, ':');
	cli_warn("listening on %.*s:%u: %zu model%s, %zu thread%s",
		 (int)(colon - s.http.listen), s.http.listen, ml_http_port(server),
		 ml_registry_count(registry),
		 ml_registry_count(registry) == 1 ? "" : "s", s.http.n_threads,
		 s.http.n_threads == 1 ? "" : "s");

	int signal_number = 0;
	while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP)
		reload(registry);
	double wait = s.http.timeout ? s.http.timeout : ML_HTTP_DEFAULT_TIMEOUT;
	cli_warn("%s: draining", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
	size_t unfinished = ml_http_drain(server, wait);
	ml_http_free(server);
	ml_registry_free(registry);
	if (unfinished)
		cli_die("draining: %zu request%s cut off after %.0f s", unfinished,
			unfinished == 1 ? "" : "s", wait);
	if (access_file && access_file != stdout && fclose(access_file) != 0)
		cli_die("%s: %s", s.access_log, strerror(errno));
	return 0;
}
