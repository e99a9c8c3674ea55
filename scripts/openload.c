/* openload: an open-loop HTTP load generator for the bench's latency rows.
 *
 * wrk is closed-loop: a request is sent when the previous answer on its connection is in,
 * so a slow answer delays the requests behind it and they are never charged for the wait
 * (coordinated omission), and its pauses come in whole milliseconds, in bursts.  Here
 * requests arrive as a Poisson process (exponential gaps from a seeded generator) at a
 * mean rate, each due at a time kept in nanoseconds and woken for by a timerfd armed at an
 * absolute CLOCK_MONOTONIC time (or polled for, when due within 30 us); a request's latency
 * counts from when it was due, so time
 * spent waiting for a free connection or for this program is charged to it.
 *
 * One fixed request over keep-alive connections (TCP_NODELAY), one request at a time on
 * each.  Answers are read by Content-Length; a chunked answer is refused.  Prints one line:
 *   scheduled=N completed=N rate=R p50_us=.. p90_us=.. p99_us=.. p999_us=.. max_us=..
 *   non2xx=N errors=N send_lag_p50_us=.. send_lag_p99_us=..
 * over the requests due after the warm-up (send lag: due to written, this program's own
 * delay and the wait for a free connection).
 * Build: cc -O2 -o openload openload.c -lm
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
#define TIMER_TAG (-1)
#define SPIN_NS 30000LL /* see drive() */

struct conn {
	int fd;
	int busy;              /* a request is out on it */
	int64_t due;           /* when that request was due (ns) */
	size_t sent;           /* bytes of the request written */
	int waits_to_write;    /* EPOLLOUT is asked for */
	char *buf;             /* the answer so far */
	size_t len, cap;
};

/* Durations (ns), sorted once at the end for exact percentiles. */
struct samples {
	int64_t *v;
	size_t n, cap;
};

struct run {
	const char *request;   /* the whole request, headers and body */
	size_t request_len;
	struct addrinfo *addr;
	const char *url;
	int epoll;
	struct conn *conns;
	int n_conns;
	int64_t *queue;        /* due times waiting for a free connection (a ring) */
	size_t queue_cap, queue_head, queue_len;
	int64_t measure_from, stop_at;
	struct samples lat;    /* of the measured requests: due to answered */
	struct samples lag;    /* and due to written: this program's share, and the wait for
				  a free connection */
	long scheduled, non2xx, errors;
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("openload: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (!p)
		die("out of memory");
	*cap = n;
	return p;
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * NS + t.tv_nsec;
}

static void add_sample(struct samples *s, int64_t ns)
{
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = ns;
}

/* splitmix64: a small seeded generator, the same gaps for the same seed. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t exponential_gap(uint64_t *state, double rate)
{
	double u = (next_random(state) >> 11) * 0x1.0p-53; /* [0, 1) */
	return (int64_t)(-log1p(-u) / rate * NS);
}

static void watch(struct run *r, int fd, uint32_t events, int tag, int op)
{
	struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)tag };
	if (epoll_ctl(r->epoll, op, fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
}

static void open_conn(struct run *r, int i)
{
	struct conn *c = &r->conns[i];
	c->fd = socket(r->addr->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(c->fd, r->addr->ai_addr, r->addr->ai_addrlen) < 0)
		die("connect to %s: %s", r->url, strerror(errno));
	int one = 1;
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
	    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0)
		die("socket options: %s", strerror(errno));
	c->busy = 0;
	c->len = 0;
	c->waits_to_write = 0;
	watch(r, c->fd, EPOLLIN, i, EPOLL_CTL_ADD);
}

/* A connection the server closed or broke: the request on it, if any, is an error. */
static void reopen_conn(struct run *r, int i)
{
	struct conn *c = &r->conns[i];
	if (c->busy && c->due >= r->measure_from)
		r->errors++;
	close(c->fd);
	open_conn(r, i);
}

static void write_more(struct run *r, int i)
{
	struct conn *c = &r->conns[i];
	while (c->sent < r->request_len) {
		ssize_t n = write(c->fd, r->request + c->sent, r->request_len - c->sent);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!c->waits_to_write)
				watch(r, c->fd, EPOLLIN | EPOLLOUT, i, EPOLL_CTL_MOD);
			c->waits_to_write = 1;
			return;
		}
		if (n < 0) {
			reopen_conn(r, i);
			return;
		}
		c->sent += (size_t)n;
	}
	if (c->waits_to_write)
		watch(r, c->fd, EPOLLIN, i, EPOLL_CTL_MOD);
	c->waits_to_write = 0;
}

static void send_on(struct run *r, int i, int64_t due)
{
	struct conn *c = &r->conns[i];
	c->busy = 1;
	c->due = due;
	c->sent = 0;
	c->len = 0;
	if (due >= r->measure_from)
		add_sample(&r->lag, now_ns() - due);
	write_more(r, i);
}

/* The head's status, and its body's length (-1: none given); exits on a chunked answer. */
static int parse_head(const char *head, size_t len, long *body_len, int *closes)
{
	int status;
	if (sscanf(head, "HTTP/1.%*d %d", &status) != 1)
		die("not an HTTP/1.x answer: %.40s", head);
	*body_len = -1;
	*closes = 0;
	const char *line = memchr(head, '\n', len);
	while (line && line + 1 < head + len) {
		line++;
		if (!strncasecmp(line, "Content-Length:", 15))
			*body_len = strtol(line + 15, NULL, 10);
		else if (!strncasecmp(line, "Transfer-Encoding:", 18))
			die("a chunked (Transfer-Encoding) answer: only Content-Length bodies are read");
		else if (!strncasecmp(line, "Connection:", 11))
			*closes = !strncasecmp(line + 11 + strspn(line + 11, " "), "close", 5);
		line = memchr(line, '\n', head + len - line);
	}
	if (*body_len < 0 && (status == 204 || status == 304 || status / 100 == 1))
		*body_len = 0;
	if (*body_len < 0)
		die("an answer (status %d) without Content-Length", status);
	return status;
}

static void record(struct run *r, int64_t due, int status)
{
	if (due < r->measure_from)
		return;
	add_sample(&r->lat, now_ns() - due);
	if (status / 100 != 2)
		r->non2xx++;
}

/*
 * The answer in c->buf when it is whole: recorded, the connection freed;
 * false while more is to come.
 */
static int take_answer(struct run *r, int i)
{
	struct conn *c = &r->conns[i];
	c->buf[c->len] = '\0';
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t head_len = (size_t)(end - c->buf) + 4;
	long body_len;
	int closes;
	int status = parse_head(c->buf, head_len, &body_len, &closes);
	if (c->len < head_len + (size_t)body_len)
		return 0;
	if (c->len > head_len + (size_t)body_len)
		die("more bytes than the answer's Content-Length");
	record(r, c->due, status);
	c->busy = 0;
	c->len = 0;
	if (closes) {
		close(c->fd);
		open_conn(r, i);
	}
	return 1;
}

/*
 * Reads what arrived; a whole answer frees the connection.  Stops reading
 * once the answer is whole, not at EAGAIN: one read, not two, per answer.
 */
static void read_answer(struct run *r, int i)
{
	struct conn *c = &r->conns[i];
	for (;;) {
		c->buf = grow(c->buf, &c->cap, c->len + 65536, 1);
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0 || !c->busy) {
			reopen_conn(r, i);
			return;
		}
		c->len += (size_t)n;
		if (take_answer(r, i))
			return;
	}
}

static void arm(int timer, int64_t at)
{
	struct itimerspec t = { .it_value = { .tv_sec = at / NS, .tv_nsec = at % NS } };
	if (at <= 0)
		t.it_value.tv_nsec = 1;
	if (timerfd_settime(timer, TFD_TIMER_ABSTIME, &t, NULL) < 0)
		die("timerfd_settime: %s", strerror(errno));
}

static void enqueue(struct run *r, int64_t due)
{
	if (r->queue_len == r->queue_cap) {
		size_t cap = r->queue_cap ? 2 * r->queue_cap : 256;
		int64_t *q = malloc(cap * sizeof *q);
		if (!q)
			die("out of memory");
		for (size_t k = 0; k < r->queue_len; k++)
			q[k] = r->queue[(r->queue_head + k) % r->queue_cap];
		free(r->queue);
		r->queue = q;
		r->queue_cap = cap;
		r->queue_head = 0;
	}
	r->queue[(r->queue_head + r->queue_len++) % r->queue_cap] = due;
}

/* Requests due wait in order for the lowest-numbered free connection. */
static void dispatch(struct run *r)
{
	for (int i = 0; i < r->n_conns && r->queue_len; i++) {
		if (r->conns[i].busy)
			continue;
		int64_t due = r->queue[r->queue_head];
		r->queue_head = (r->queue_head + 1) % r->queue_cap;
		r->queue_len--;
		send_on(r, i, due);
	}
}

static int busy_conns(const struct run *r)
{
	int n = 0;
	for (int i = 0; i < r->n_conns; i++)
		n += r->conns[i].busy;
	return n;
}

static int by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample at least a fraction q of them do not exceed. */
static double percentile_us(const struct samples *s, double q)
{
	if (!s->n)
		return NAN;
	size_t rank = (size_t)ceil(q * (double)s->n);
	return s->v[rank ? rank - 1 : 0] / 1e3;
}

static void usage(void)
{
	fputs("usage: openload -r RATE [-d SECONDS] [-w WARMUP] [-c CONNECTIONS] [-s SEED]\n"
	      "                [-m METHOD] [-b BODY_FILE] [-T CONTENT_TYPE] http://HOST:PORT/PATH\n"
	      "Sends one request at RATE a second on average, Poisson arrivals, for SECONDS (10)\n"
	      "after WARMUP (1) not counted, over up to CONNECTIONS (16) keep-alive connections;\n"
	      "latency counts from when a request was due.  METHOD is POST with a body, else GET;\n"
	      "CONTENT_TYPE application/json.  Prints one line of key=value.\n", stderr);
	exit(1);
}

static double positive(const char *text, const char *what)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || *end || !(v > 0) || !isfinite(v))
		die("%s: '%s' is not a positive number", what, text);
	return v;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("%s: %s", path, strerror(errno));
	char *text = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		text = grow(text, &cap, *len + 65536, 1);
		size_t n = fread(text + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	return text;
}

/* The request's bytes, and the server's address, from the options and the URL. */
static void build_request(struct run *r, const char *url, const char *method,
			  const char *body_path, const char *type)
{
	char host[256], port[16] = "80";
	const char *rest = !strncmp(url, "http://", 7) ? url + 7 : NULL;
	size_t host_len = rest ? strcspn(rest, ":/") : 0;
	if (!rest || !host_len || host_len >= sizeof host)
		die("%s: not a URL of the form http://HOST[:PORT]/PATH", url);
	memcpy(host, rest, host_len);
	host[host_len] = '\0';
	rest += host_len;
	if (*rest == ':') {
		size_t port_len = strcspn(++rest, "/");
		if (!port_len || port_len >= sizeof port)
			die("%s: a bad port", url);
		memcpy(port, rest, port_len);
		port[port_len] = '\0';
		rest += port_len;
	}
	const char *path = *rest ? rest : "/";
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	int e = getaddrinfo(host, port, &hints, &r->addr);
	if (e)
		die("%s:%s: %s", host, port, gai_strerror(e));

	size_t body_len = 0;
	char *body = body_path ? read_file(body_path, &body_len) : NULL;
	if (!method)
		method = body ? "POST" : "GET";
	size_t cap = body_len + strlen(path) + strlen(host) + strlen(type) + 256;
	char *req = malloc(cap);
	if (!req)
		die("out of memory");
	int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: %s:%s\r\n", method, path, host, port);
	if (body)
		n += snprintf(req + n, cap - (size_t)n, "Content-Type: %s\r\nContent-Length: %zu\r\n",
			      type, body_len);
	n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (body_len)
		memcpy(req + n, body, body_len);
	free(body);
	r->request = req;
	r->request_len = (size_t)n + body_len;
}

/* Handles one event; the timer's only says it fired (arming it again clears it). */
static void handle(struct run *r, const struct epoll_event *ev, int *timer_fired)
{
	int tag = (int)ev->data.u32;
	if (tag == TIMER_TAG) {
		*timer_fired = 1;
		return;
	}
	if (ev->events & EPOLLOUT)
		write_more(r, tag);
	if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		read_answer(r, tag);
}

/* The open loop: requests fall due on their schedule whatever the answers do. */
static void drive(struct run *r, double rate, uint64_t seed)
{
	int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer < 0)
		die("timerfd_create: %s", strerror(errno));
	watch(r, timer, EPOLLIN, TIMER_TAG, EPOLL_CTL_ADD);
	int64_t next = now_ns() + NS / 100;
	r->measure_from += next;
	r->stop_at += r->measure_from;
	int64_t give_up = r->stop_at + 5 * NS; /* answers still out then are not counted */
	/*
	 * The timer is armed again only when it fired or its time moved, not on
	 * every wake-up for an answer: on a virtual machine each arming costs
	 * about as much as writing a 76 KB request.
	 */
	int64_t armed_at = -1;
	int timer_fired = 0;
	for (;;) {
		int64_t now = now_ns();
		for (; next <= now && next < r->stop_at; next += exponential_gap(&seed, rate)) {
			enqueue(r, next);
			r->scheduled += next >= r->measure_from;
		}
		dispatch(r);
		if ((next >= r->stop_at && !r->queue_len && !busy_conns(r)) || now >= give_up)
			break;
		int64_t wake_at = next < r->stop_at ? next : give_up;
		/*
		 * A request due within SPIN_NS is waited for by polling: the timer's
		 * wake-up here comes 25 to 30 us late at the median, more than the
		 * wait, and polling for so short a time costs about what arming the
		 * timer and waking do (at 22,000/s: 2 us more a request, a send lag
		 * of 8 us at the median, not 25).
		 */
		int spin = wake_at - now_ns() < SPIN_NS;
		if (!spin && (wake_at != armed_at || timer_fired)) {
			arm(timer, wake_at);
			armed_at = wake_at;
			timer_fired = 0;
		}
		struct epoll_event events[64];
		int n = epoll_wait(r->epoll, events, 64, spin ? 0 : -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int k = 0; k < n; k++)
			handle(r, &events[k], &timer_fired);
	}
	close(timer);
}

static void release(struct run *r)
{
	for (int i = 0; i < r->n_conns; i++) {
		close(r->conns[i].fd);
		free(r->conns[i].buf);
	}
	free(r->conns);
	free(r->queue);
	free(r->lat.v);
	free(r->lag.v);
	free((char *)r->request);
	freeaddrinfo(r->addr);
	close(r->epoll);
}

int main(int argc, char **argv)
{
	struct run r = { .n_conns = 16 };
	double rate = 0, seconds = 10, warmup = 1;
	uint64_t seed = 1;
	const char *method = NULL, *body = NULL, *type = "application/json";
	int opt;
	while ((opt = getopt(argc, argv, "r:d:w:c:s:m:b:T:h")) != -1) {
		switch (opt) {
		case 'r': rate = positive(optarg, "-r"); break;
		case 'd': seconds = positive(optarg, "-d"); break;
		case 'w': warmup = optarg[0] == '0' && !optarg[1] ? 0 : positive(optarg, "-w"); break;
		case 'c': r.n_conns = (int)positive(optarg, "-c"); break;
		case 's': seed = (uint64_t)positive(optarg, "-s"); break;
		case 'm': method = optarg; break;
		case 'b': body = optarg; break;
		case 'T': type = optarg; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || rate <= 0)
		usage();
	if (r.n_conns < 1 || r.n_conns > 10000)
		die("-c: %d is not within 1-10000", r.n_conns);
	r.url = argv[optind];
	build_request(&r, r.url, method, body, type);
	prctl(PR_SET_TIMERSLACK, 1UL); /* wake when due, not up to 50 us later */
	r.epoll = epoll_create1(EPOLL_CLOEXEC);
	if (r.epoll < 0)
		die("epoll_create1: %s", strerror(errno));
	r.conns = calloc((size_t)r.n_conns, sizeof *r.conns);
	if (!r.conns)
		die("out of memory");
	for (int i = 0; i < r.n_conns; i++)
		open_conn(&r, i);
	r.measure_from = (int64_t)(warmup * NS);
	r.stop_at = (int64_t)(seconds * NS);
	drive(&r, rate, seed);

	qsort(r.lat.v, r.lat.n, sizeof *r.lat.v, by_value);
	qsort(r.lag.v, r.lag.n, sizeof *r.lag.v, by_value);
	printf("scheduled=%ld completed=%zu rate=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f "
	       "p999_us=%.1f max_us=%.1f non2xx=%ld errors=%ld send_lag_p50_us=%.1f "
	       "send_lag_p99_us=%.1f\n",
	       r.scheduled, r.lat.n, (double)r.lat.n / seconds, percentile_us(&r.lat, 0.50),
	       percentile_us(&r.lat, 0.90), percentile_us(&r.lat, 0.99),
	       percentile_us(&r.lat, 0.999), percentile_us(&r.lat, 1.0), r.non2xx, r.errors,
	       percentile_us(&r.lag, 0.50), percentile_us(&r.lag, 0.99));
	release(&r);
	return 0;
}
