#define _GNU_SOURCE /* accept4 */
#include "serve/ml_listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/ml_clock.h"

/* While descriptors or memory run short: a pause between tries, a report a second at most. */
#define SHORTAGE_PAUSE_MS 10
#define REPORT_INTERVAL 1.0

struct ml_listener {
	int socket;
	int stop; /* an eventfd, written once to end the thread */
	unsigned port;
	pthread_t thread;
	bool running;
	ml_listen_take take;
	ml_listen_report report;
	void *context;
	double reported; /* when a failure was last reported */
};

static int open_socket(ml_listener *l, const struct sockaddr *address, socklen_t length,
		       ml_error *err)
{
	int on = 1;
	l->socket = socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->socket < 0)
		goto fail;
	/* A restarted server binds at once, while the last one's connections linger in TIME_WAIT. */
	if (setsockopt(l->socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0)
		goto fail;
	if (address->sa_family == AF_INET6 &&
	    setsockopt(l->socket, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0)
		goto fail;
	if (bind(l->socket, address, length) < 0 || listen(l->socket, SOMAXCONN) < 0)
		goto fail;
	struct sockaddr_storage bound;
	socklen_t bound_length = sizeof bound;
	if (getsockname(l->socket, (struct sockaddr *)&bound, &bound_length) < 0)
		goto fail;
	l->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						    : ((struct sockaddr_in *)&bound)->sin_port);
	return 0;
fail:
	ml_error_set(err, "%s", strerror(errno));
	return -1;
}

static void report_failure(ml_listener *l, const char *what, int error)
{
	double now = ml_clock_now();
	if (now - l->reported < REPORT_INTERVAL)
		return;
	l->reported = now;
	char message[160], reason[96];
	/* GNU's strerror_r: the text, in reason or static; strerror is not thread-safe. */
	snprintf(message, sizeof message, "%s: %s", what, strerror_r(error, reason, sizeof reason));
	l->report(l->context, message);
}

/* Waits up to ms for the stop signal: whether it came. */
static bool stop_within(const ml_listener *l, int ms)
{
	struct pollfd stop = { l->stop, POLLIN, 0 };
	return poll(&stop, 1, ms) > 0;
}

static void *accept_loop(void *context)
{
	ml_listener *l = context;
	struct pollfd watched[2] = { { l->socket, POLLIN, 0 }, { l->stop, POLLIN, 0 } };
	for (;;) {
		if (poll(watched, 2, -1) < 0) {
			if (errno != EINTR && stop_within(l, SHORTAGE_PAUSE_MS))
				return NULL;
			continue;
		}
		if (watched[1].revents)
			return NULL;
		struct sockaddr_storage peer;
		socklen_t length = sizeof peer;
		int client = accept4(l->socket, (struct sockaddr *)&peer, &length,
				     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (client >= 0) {
			l->take(l->context, client, (struct sockaddr *)&peer, length);
			continue;
		}
		/* A shortage leaves the connection queued: poll would wake at once, again and again. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			report_failure(l, "accept", errno);
			if (stop_within(l, SHORTAGE_PAUSE_MS))
				return NULL;
		}
	}
}

ml_listener *ml_listen_start(const struct sockaddr *address, socklen_t length,
			     ml_listen_take take, ml_listen_report report, void *context,
			     ml_error *err)
{
	ml_listener *l = calloc(1, sizeof *l);
	if (!l) {
		ml_error_nomem(err);
		return NULL;
	}
	*l = (ml_listener){ .socket = -1, .stop = -1, .take = take, .report = report,
			    .context = context, .reported = -REPORT_INTERVAL };
	if (open_socket(l, address, length, err) < 0)
		goto fail;
	if ((l->stop = eventfd(0, EFD_CLOEXEC)) < 0) {
		ml_error_set(err, "eventfd: %s", strerror(errno));
		goto fail;
	}
	if (pthread_create(&l->thread, NULL, accept_loop, l) != 0) {
		ml_error_set(err, "cannot start the thread that accepts connections");
		goto fail;
	}
	l->running = true;
	return l;
fail:
	ml_listen_stop(l);
	return NULL;
}

unsigned ml_listen_port(const ml_listener *listener)
{
	return listener->port;
}

void ml_listen_stop(ml_listener *l)
{
	if (!l)
		return;
	if (l->running) {
		uint64_t one = 1;
		/* An eventfd write of 1 cannot block or fail short of a counter near 2^64. */
		while (write(l->stop, &one, sizeof one) < 0 && errno == EINTR)
			;
		pthread_join(l->thread, NULL);
	}
	if (l->socket >= 0)
		close(l->socket);
	if (l->stop >= 0)
		close(l->stop);
	free(l);
}
