/* ml_listen: the acceptor hands every connection over, in order, and stops cleanly. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "serve/ml_listen.h"

typedef struct taken {
	pthread_mutex_t lock;
	int sockets[8];
	unsigned ports[8]; /* each peer's port, to tell the connections apart */
	size_t count;
} taken;

static void take(void *context, int socket, const struct sockaddr *peer, socklen_t length)
{
	taken *t = context;
	ck_assert_uint_eq(length, sizeof(struct sockaddr_in));
	pthread_mutex_lock(&t->lock);
	if (t->count < 8) {
		t->ports[t->count] = ntohs(((const struct sockaddr_in *)peer)->sin_port);
		t->sockets[t->count++] = socket;
	} else {
		close(socket);
	}
	pthread_mutex_unlock(&t->lock);
}

static void report(void *context, const char *message)
{
	(void)context;
	ck_abort_msg("unexpected report: %s", message);
}

static struct sockaddr_in loopback(unsigned port)
{
	struct sockaddr_in address;
	memset(&address, 0, sizeof address);
	address.sin_family = AF_INET;
	address.sin_port = htons((unsigned short)port);
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return address;
}

/* Connects to the port: the socket, and its own port in *own. */
static int connect_to(unsigned port, unsigned *own)
{
	struct sockaddr_in address = loopback(port), local;
	socklen_t length = sizeof local;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s, 0);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&address, sizeof address), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&local, &length), 0);
	*own = ntohs(local.sin_port);
	return s;
}

static size_t wait_for(taken *t, size_t count)
{
	for (int tries = 0; tries < 500; tries++) {
		pthread_mutex_lock(&t->lock);
		size_t now = t->count;
		pthread_mutex_unlock(&t->lock);
		if (now >= count)
			return now;
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
	return t->count;
}

START_TEST(hands_over_each_connection_in_order)
{
	taken t = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct sockaddr_in any_port = loopback(0);
	ml_error err;
	ml_listener *l = ml_listen_start((struct sockaddr *)&any_port, sizeof any_port, take,
					 report, &t, &err);
	ck_assert_msg(l != NULL, "%s", err.message);
	unsigned port = ml_listen_port(l);
	ck_assert_uint_ne(port, 0);
	int clients[3];
	unsigned own[3];
	for (int i = 0; i < 3; i++)
		clients[i] = connect_to(port, &own[i]);
	ck_assert_uint_eq(wait_for(&t, 3), 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(t.ports[i], own[i]);
		/* What the client writes arrives on the socket handed over. */
		ck_assert_int_eq(write(clients[i], "x", 1), 1);
		char c = 0;
		ssize_t got; /* the socket handed over is non-blocking */
		for (int tries = 0; (got = read(t.sockets[i], &c, 1)) < 0 && tries < 500; tries++)
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		ck_assert_int_eq(got, 1);
		ck_assert_int_eq(c, 'x');
	}
	ml_listen_stop(l);
	/* Stopped: the port takes no connection. */
	struct sockaddr_in address = loopback(port);
	int late = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ne(connect(late, (struct sockaddr *)&address, sizeof address), 0);
	close(late);
	for (int i = 0; i < 3; i++) {
		close(clients[i]);
		close(t.sockets[i]);
	}
}
END_TEST

START_TEST(a_port_in_use_is_an_error)
{
	taken t = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct sockaddr_in any_port = loopback(0);
	ml_error err;
	ml_listener *first = ml_listen_start((struct sockaddr *)&any_port, sizeof any_port, take,
					     report, &t, &err);
	ck_assert_msg(first != NULL, "%s", err.message);
	struct sockaddr_in same = loopback(ml_listen_port(first));
	ml_listener *second = ml_listen_start((struct sockaddr *)&same, sizeof same, take, report,
					      &t, &err);
	ck_assert_ptr_null(second);
	ck_assert_msg(strstr(err.message, "in use") != NULL, "%s", err.message);
	ml_listen_stop(first);
	ml_listen_stop(NULL);
}
END_TEST

static Suite *listen_suite(void)
{
	Suite *s = suite_create("listen");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, hands_over_each_connection_in_order);
	tcase_add_test(tc, a_port_in_use_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

ML_CHECK_MAIN(listen_suite)
