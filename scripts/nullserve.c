/* nullserve: an HTTP server that does no work, the floor under the bench's latency rows.
 *
 * It reads each request whole (by Content-Length) and answers 200 with a fixed body of a
 * given size, from THREADS epoll threads like ml-serve's.  Driven by the same load as
 * ml-serve (the same request bytes, rate, connections, answer size), its latency is what the
 * machine, the kernel's loopback and the client cost without any server work: the part of
 * ml-serve's tail that is not ml-serve's.  -s spends CPU time per request before answering,
 * to model a server's work.
 *
 * The main thread accepts connections on 127.0.0.1:PORT and gives them to the threads in
 * turn, so 16 connections opened at once are 8 and 8, as ml-serve's acceptor spreads them.  Keep-alive HTTP/1.1,
 * TCP_NODELAY; a request may arrive over several reads and several may come in one read.
 * Once every socket listens it prints "nullserve: listening on 127.0.0.1:PORT" on standard
 * output (PORT 0 picks a free port).  It runs until killed.
 * Build: cc -O2 -o nullserve nullserve.c -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
#define READ_BUFFER (128 * 1024) /* a 76 KB body in one read, as ml-serve reads it */
#define MAX_HEAD (16 * 1024)

struct conn {
	int fd;
	char *buf;             /* bytes read and not yet consumed: at most a partial head */
	size_t len;
	size_t body_left;      /* bytes of the current request's body still to come */
	int in_body;
	size_t answers_owed;   /* whole requests read and not yet answered */
	size_t answer_sent;    /* bytes of the first owed answer already sent */
	int eof;               /* the client sends no more */
	uint32_t events;       /* what epoll watches for it */
};

struct server {
	const char *answer;    /* head and body */
	size_t answer_len;
	int64_t spin_ns;
};

struct worker {
	const struct server *server;
	int epoll;
	pthread_t thread;
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("nullserve: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(void)
{
	fputs("usage: nullserve [-j THREADS] [-n ANSWER_BYTES] [-s SPIN_US] PORT\n"
	      "Answers every HTTP/1.1 request on 127.0.0.1:PORT with 200 and a fixed JSON body of\n"
	      "ANSWER_BYTES (100, at least 10), from THREADS (the processors online) epoll threads,\n"
	      "after spending SPIN_US (0) microseconds of the thread's CPU time.  PORT 0 picks one;\n"
	      "\"nullserve: listening on 127.0.0.1:PORT\" on standard output says which.\n", stderr);
	exit(1);
}

/* A whole number within [lo, hi], or exit 1 naming the option. */
static long number(const char *text, const char *what, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (end == text || *end || errno || v < lo || v > hi)
		die("%s: '%s' is not a whole number within %ld-%ld", what, text, lo, hi);
	return v;
}

/* The status line, the headers, and {"pad":"xx...x"}: body_len bytes of JSON. */
static char *make_answer(size_t body_len, size_t *len)
{
	char head[128];
	int head_len = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
				"Content-Length: %zu\r\n\r\n", body_len);
	char *a = malloc((size_t)head_len + body_len);
	if (!a)
		die("out of memory");
	memcpy(a, head, (size_t)head_len);
	char *body = a + head_len;
	memcpy(body, "{\"pad\":\"", 8);
	memset(body + 8, 'x', body_len - 10);
	memcpy(body + body_len - 2, "\"}", 2);
	*len = (size_t)head_len + body_len;
	return a;
}

/* Listens on 127.0.0.1:port (blocking accepts); sets *bound to the port it got (port 0: a
 * free one). */
static int listen_on(int port, int *bound)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		die("SO_REUSEADDR: %s", strerror(errno));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t a_len = sizeof a;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("127.0.0.1:%d: %s", port, strerror(errno));
	if (listen(fd, 1024) < 0 || getsockname(fd, (struct sockaddr *)&a, &a_len) < 0)
		die("listen on 127.0.0.1:%d: %s", port, strerror(errno));
	*bound = ntohs(a.sin_port);
	return fd;
}

static void watch(int epoll, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };
	if (epoll_ctl(epoll, op, fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
}

/* Accepts connections for ever, giving each to the next worker in turn. */
static void accept_all(int listener, const struct worker *workers, long threads)
{
	for (long next = 0;; next = (next + 1) % threads) {
		int fd;
		while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				fprintf(stderr, "nullserve: accept: %s\n", strerror(errno));
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
				nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
		}
		int one = 1;
		struct conn *c = calloc(1, sizeof *c);
		if (!c || !(c->buf = malloc(READ_BUFFER)))
			die("out of memory");
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->fd = fd;
		c->events = EPOLLIN;
		watch(workers[next].epoll, EPOLL_CTL_ADD, fd, c->events, c);
	}
}

static void drop(struct conn *c)
{
	close(c->fd); /* also leaves the epoll set */
	free(c->buf);
	free(c);
}

/* The body length a request head gives (0 without Content-Length); -1 if it is not a
 * request nullserve reads (a chunked body, a bad length). */
static long body_length(const char *head, size_t len)
{
	long body = 0;
	const char *line = memchr(head, '\n', len);
	while (line && line + 1 < head + len) {
		line++;
		if (!strncasecmp(line, "Content-Length:", 15)) {
			char *end;
			errno = 0;
			body = strtol(line + 15, &end, 10);
			if (errno || body < 0 || end == line + 15 || (*end != '\r' && *end != '\n'))
				return -1;
		} else if (!strncasecmp(line, "Transfer-Encoding:", 18)) {
			return -1;
		}
		line = memchr(line, '\n', (size_t)(head + len - line));
	}
	return body;
}

/* Burns the thread's own CPU time, not wall time: a preempted thread still owes its work. */
static void spin(int64_t ns)
{
	if (ns <= 0)
		return;
	struct timespec t;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	int64_t until = t.tv_sec * NS + t.tv_nsec + ns;
	do
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	while (t.tv_sec * NS + t.tv_nsec < until);
}

/* Consumes what was read: body bytes are counted off, heads are parsed, a request read
 * whole is owed an answer.  0, or -1 for a request it cannot read. */
static int consume(const struct server *s, struct conn *c)
{
	size_t pos = 0;
	while (pos < c->len) {
		if (c->in_body) {
			size_t take = c->len - pos < c->body_left ? c->len - pos : c->body_left;
			pos += take;
			c->body_left -= take;
		} else {
			char *end = memmem(c->buf + pos, c->len - pos, "\r\n\r\n", 4);
			if (!end)
				break;
			long body = body_length(c->buf + pos, (size_t)(end - c->buf) - pos);
			if (body < 0)
				return -1;
			pos = (size_t)(end - c->buf) + 4;
			c->body_left = (size_t)body;
			c->in_body = 1;
		}
		if (c->in_body && !c->body_left) {
			c->in_body = 0;
			spin(s->spin_ns);
			c->answers_owed++;
		}
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
	return c->len >= MAX_HEAD ? -1 : 0;
}

enum read_end { READ_ALL, READ_EOF, READ_BROKEN, READ_BAD };

/* Reads until the socket is empty, the client has closed its side, or a request is bad. */
static enum read_end read_requests(const struct server *s, struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, READ_BUFFER - c->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return READ_ALL;
		if (n <= 0)
			return n == 0 ? READ_EOF : READ_BROKEN;
		c->len += (size_t)n;
		if (consume(s, c) < 0)
			return READ_BAD;
	}
}

/* A 400, when nothing else is on its way to the client, and a line on stderr. */
static void refuse(struct conn *c)
{
	static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
				  "Connection: close\r\n\r\n";
	fprintf(stderr, "nullserve: a request without a readable Content-Length, or a head over "
		"%d bytes: closing its connection\n", MAX_HEAD);
	if (!c->answers_owed)
		send(c->fd, bad, sizeof bad - 1, MSG_NOSIGNAL);
}

/* Sends the owed answers until done or the socket is full.  0, or -1 on a broken one. */
static int send_answers(const struct server *s, struct conn *c)
{
	while (c->answers_owed) {
		ssize_t n = send(c->fd, s->answer + c->answer_sent, s->answer_len - c->answer_sent,
				 MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -1;
		c->answer_sent += (size_t)n;
		if (c->answer_sent == s->answer_len) {
			c->answer_sent = 0;
			c->answers_owed--;
		}
	}
	return 0;
}

/* While answers wait for room to send, stop reading: a client that sends and never reads
 * does not make nullserve's memory grow. */
static void rewatch(int epoll, struct conn *c)
{
	uint32_t events = c->answers_owed ? EPOLLOUT : EPOLLIN;
	if (events != c->events)
		watch(epoll, EPOLL_CTL_MOD, c->fd, events, c);
	c->events = events;
}

/* Answers first, then reads: a client that closed its side still gets what it asked for. */
static void serve(const struct server *s, int epoll, struct conn *c, uint32_t events)
{
	if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && send_answers(s, c) < 0) {
		drop(c);
		return;
	}
	if (!c->answers_owed && !c->eof && (events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
		enum read_end end = read_requests(s, c);
		if (end == READ_BAD)
			refuse(c);
		if (end == READ_BROKEN || end == READ_BAD || send_answers(s, c) < 0) {
			drop(c);
			return;
		}
		c->eof = end == READ_EOF;
	}
	if (c->eof && !c->answers_owed)
		drop(c);
	else
		rewatch(epoll, c);
}

static void *run_worker(void *arg)
{
	const struct worker *w = arg;
	for (;;) {
		struct epoll_event events[64];
		int n = epoll_wait(w->epoll, events, 64, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++)
			serve(w->server, w->epoll, events[i].data.ptr, events[i].events);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long threads = sysconf(_SC_NPROCESSORS_ONLN), body_len = 100, spin_us = 0;
	int opt;
	while ((opt = getopt(argc, argv, "j:n:s:h")) != -1) {
		switch (opt) {
		case 'j': threads = number(optarg, "-j", 1, 256); break;
		case 'n': body_len = number(optarg, "-n", 10, 1L << 30); break;
		case 's': spin_us = number(optarg, "-s", 0, 10000000); break;
		default: usage();
		}
	}
	if (optind != argc - 1)
		usage();
	int port = (int)number(argv[optind], "PORT", 0, 65535);
	if (threads < 1)
		threads = 1;
	signal(SIGPIPE, SIG_IGN);

	struct server s = { .spin_ns = spin_us * 1000 };
	s.answer = make_answer((size_t)body_len, &s.answer_len);
	struct worker *workers = calloc((size_t)threads, sizeof *workers);
	if (!workers)
		die("out of memory");
	int listener = listen_on(port, &port);
	for (long i = 0; i < threads; i++) {
		workers[i].server = &s;
		if ((workers[i].epoll = epoll_create1(EPOLL_CLOEXEC)) < 0)
			die("epoll_create1: %s", strerror(errno));
		int e = pthread_create(&workers[i].thread, NULL, run_worker, &workers[i]);
		if (e)
			die("pthread_create: %s", strerror(e));
	}
	printf("nullserve: listening on 127.0.0.1:%d\n", port);
	fflush(stdout);
	accept_all(listener, workers, threads);
	return 0;
}
