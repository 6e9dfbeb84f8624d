/*
 * The metrics endpoint's HTTP/1.1 server (takt/metrics.h): one thread, one
 * poll() loop over non-blocking sockets, up to CLIENTS connections at once.
 *
 * What each request is answered is respond.c's part; struct conn is conn.h.
 *
 * A connection goes round
 *
 *   accept -> READING --head parsed--> WRITING --sent--> READING (keep-alive)
 *                |                        |
 *                +--bad head, timeout---->+--sent, Connection: close--> DRAINING -> closed
 *
 * Every state has a deadline (bootarg metrics.timeout_ms, default 5 s):
 * READING from the end of the previous response (or the accept) to the
 * end of the head, not pushed back by a byte now and then, so a client
 * trickling a head (slowloris) is cut off as surely as an idle one; an
 * idle keep-alive connection is closed quietly, a half-sent head gets a
 * 408. WRITING has as long to take the response. An answer that closes
 * the connection is closed at once when the client has nothing more in
 * flight, else DRAINING: what it still sends (the rest of a 1 MiB header,
 * a body) is read and dropped until it pauses, closes, or DRAIN_MS_MAX
 * passes (see sent()). Closing with unread data instead would make lwIP
 * send a reset, and a client still writing could lose the answer along
 * with its receive queue.
 *
 * A request with a body (Content-Length > 0) is answered and the
 * connection closed: nothing here takes a body, and skipping it is not
 * worth the code. Pipelined requests are served in order from the
 * connection's input buffer.
 *
 * When all CLIENTS slots are taken the listening socket is left out of
 * the poll set: new connections wait in lwIP's accept queue (the listen
 * backlog, LISTEN_BACKLOG; beyond it the SYN is dropped and the client
 * retries) and are taken as slots free up, at the latest when a slot's
 * deadline passes. No 503: answering one would take a socket of lwIP's
 * MEMP_NUM_NETCONN (20, shared with the app) at the moment they run out.
 *
 * Started by a TK_INIT hook: the bootargs are checked there, the thread
 * waits for the network to be bound, then listens on metrics.port (80)
 * and prints "metrics: http://A.B.C.D:PORT/metrics".
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/net.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "../config.h"
#include "conn.h"
#include "http_internal.h"

#define CLIENTS			12	/* of MEMP_NUM_NETCONN 20: the listener, the app's */
#define TLS_CLIENTS		2	/* ~25 KiB of heap each (tls_listen.c) */
#define TLS_PORT_DEFAULT	443
#define LISTEN_BACKLOG		8	/* lwIP's DEFAULT_ACCEPTMBOX_SIZE */
#define PORT_DEFAULT		80
#define TIMEOUT_MS_DEFAULT	5000
#define TIMEOUT_MS_MIN		10
#define TIMEOUT_MS_MAX		600000
#define DRAIN_MS_MAX		2000
#define DRAIN_IDLE_MS		200	/* a pause this long ends a drain */
#define DRAIN_GULP		16	/* recv()s of in[] per poll round */
#define STACK_SIZE		8192
#define MS			1000000ull

static struct {
	int port;
	uint64_t timeout_ns;
	int lfd;
	unsigned open, max;	/* max: CLIENTS, TLS_CLIENTS with TLS */
	struct conn c[CLIENTS];
	struct pollfd pfd[CLIENTS + 1];
	int owner[CLIENTS + 1];	/* pfd[i] is c[owner[i]], -1 the listener */
} srv;

struct http_counters http_counters;

void http_start_sending(struct conn *c, const char *p, size_t n)
{
	c->send_ptr = p;
	c->send_left = n;
	c->state = WRITING;
	c->deadline = tk_after_ns(srv.timeout_ns);
}

/* ---- connections --------------------------------------------------------------- */

static void drop(struct conn *c)
{
	hbuf_free(&c->out);
	http_io_close(c->tls, c->fd);
	c->tls = NULL;
	c->fd = -1;
	c->state = FREE;
	srv.open--;
	http_counters.open = srv.open;
}

static void wait_request(struct conn *c)
{
	http_parser_init(&c->p);
	c->state = READING;
	c->deadline = tk_after_ns(srv.timeout_ns);
}

/* When a draining client that stopped sending is closed. */
static uint64_t drain_pause(const struct conn *c)
{
	uint64_t t = tk_after_ns(DRAIN_IDLE_MS * MS);

	return t < c->drain_end ? t : c->drain_end;
}

/* Nothing received and left unread: closing now is a clean FIN. */
static bool nothing_unread(struct conn *c)
{
	int pending = 0;

	return c->in_off >= c->in_len && !http_io_buffered(c->tls) &&
	       ioctl(c->fd, FIONREAD, &pending) == 0 && pending == 0;
}

/* The response is out: next request, or close. A client that sent nothing
 * more is closed at once: lwIP detaches the connection from the socket, and
 * no half-closed socket is left whose TIME_WAIT connection lwIP 2.1 could
 * free under it (tcp_kill_timewait frees TIME_WAIT control blocks without
 * telling a socket that still holds one - a use after free that corrupted
 * the stack under connection churn). Otherwise linger: read and drop what
 * the client still sends until it pauses for DRAIN_IDLE_MS (or closes, or
 * DRAIN_MS_MAX passes), then close. Without a shutdown(SHUT_WR) first, so
 * the same hazard cannot arise on this path either. */
static void sent(struct conn *c)
{
	hbuf_free(&c->out);
	if (!c->close_after) {
		wait_request(c);
		return;
	}
	if (nothing_unread(c)) {
		drop(c);
		return;
	}
	c->state = DRAINING;
	c->drain_end = tk_after_ns(srv.timeout_ns < DRAIN_MS_MAX * MS ? srv.timeout_ns :
				   DRAIN_MS_MAX * MS);
	c->deadline = drain_pause(c);
}

/* Send what the socket takes. @retval 0 all sent, 1 later, -1 failed */
static int pump(struct conn *c)
{
	while (c->send_left) {
		ssize_t n = http_io_send(c->tls, c->fd, c->send_ptr, c->send_left);

		if (n > 0) {
			c->send_ptr += n;
			c->send_left -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 1;
		} else {
			return -1;
		}
	}
	return 0;
}

static void parse_input(struct conn *c)
{
	size_t used;
	int r = http_parser_feed(&c->p, c->in + c->in_off, c->in_len - c->in_off, &used);

	c->in_off += used;
	if (r == HTTP_DONE)
		http_serve(c);
	else if (r == HTTP_ERROR)
		http_respond_error(c, c->p.status);
}

/* Run c until it waits for the network (or is closed). */
static void advance(struct conn *c)
{
	for (;;) {
		if (c->state == READING && c->in_off < c->in_len) {
			parse_input(c);
		} else if (c->state == WRITING) {
			int r = pump(c);

			if (r > 0)
				return;
			if (r < 0) {
				drop(c);
				return;
			}
			sent(c);
		} else {
			return;
		}
	}
}

static void readable(struct conn *c)
{
	ssize_t n;

	if (c->state == DRAINING) {
		/* A bounded gulp per round: a client still flooding must not
		 * keep the loop from the others. */
		for (int i = 0; i < DRAIN_GULP; i++)
			if ((n = http_io_recv(c->tls, c->fd, c->in, sizeof(c->in))) <= 0)
				break;
		if (n > 0 || (n < 0 && errno == EAGAIN)) {
			c->deadline = drain_pause(c);
			return;
		}
	} else {
		n = http_io_recv(c->tls, c->fd, c->in, sizeof(c->in));
		if (n > 0) {
			c->in_off = 0;
			c->in_len = (size_t)n;
			advance(c);
			return;
		}
	}
	if (n == 0 || errno != EAGAIN)
		drop(c);	/* closed by the client, or reset */
}

static void timed_out(struct conn *c)
{
	if (c->state != DRAINING)
		http_counters.timeouts++;	/* draining is on our side of the close */
	if (c->state == READING && c->p.head_len) {
		http_respond_error(c, 408);	/* a half-sent head: say why */
		advance(c);
	} else {
		drop(c);	/* idle, a stuck reader, or done draining */
	}
}

static void accept_all(void)
{
	while (srv.open < srv.max) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		int one = 1, fd = accept(srv.lfd, (struct sockaddr *)&peer, &plen);
		struct conn *c = srv.c;

		if (fd < 0)
			return;
		if (!http_access_allowed(&peer)) {	/* access.c: metrics.allow */
			close(fd);
			http_counters.refused++;
			continue;
		}
		while (c->state != FREE)
			c++;
		c->tls = http_tls_accept(fd);
		if (http_tls_on() && !c->tls) {	/* no memory for a TLS context now */
			close(fd);
			return;
		}
		fcntl(fd, F_SETFL, O_NONBLOCK);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->fd = fd;
		c->in_off = c->in_len = 0;
		hbuf_init(&c->out);
		wait_request(c);
		srv.open++;
		http_counters.open = srv.open;
		http_counters.connections++;
	}
}

/* ---- the loop ----------------------------------------------------------------- */

/* Fill the poll set; the poll timeout in ms for the nearest deadline. */
static int poll_set(nfds_t *nfds)
{
	uint64_t now = tk_now_ns(), first = UINT64_MAX;
	nfds_t n = 0;

	if (srv.open < srv.max) {
		srv.pfd[n] = (struct pollfd){ .fd = srv.lfd, .events = POLLIN };
		srv.owner[n++] = -1;
	}
	for (int i = 0; i < CLIENTS; i++) {
		struct conn *c = &srv.c[i];

		if (c->state == FREE)
			continue;
		srv.pfd[n] = (struct pollfd){ .fd = c->fd,
					      .events = c->state == WRITING ? POLLOUT : POLLIN };
		srv.owner[n++] = i;
		if (c->deadline < first)
			first = c->deadline;
		if (http_io_buffered(c->tls))	/* TLS holds input poll cannot see */
			first = now;
	}
	*nfds = n;
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)((first - now + MS - 1) / MS);
}

static void expire(void)
{
	uint64_t now = tk_now_ns();

	for (int i = 0; i < CLIENTS; i++)
		if (srv.c[i].state != FREE && srv.c[i].deadline <= now)
			timed_out(&srv.c[i]);
}

static __attribute__((noreturn)) void serve_forever(void)
{
	for (;;) {
		nfds_t n;
		int ms = poll_set(&n);

		if (poll(srv.pfd, n, ms) < 0) {
			tk_sleep_ns(10 * MS);	/* lwIP out of something: do not spin */
			continue;
		}
		for (nfds_t i = 0; i < n; i++) {
			struct conn *c = srv.owner[i] < 0 ? NULL : &srv.c[srv.owner[i]];
			short ev = srv.pfd[i].revents;

			if (!ev)
				continue;
			if (!c)
				accept_all();
			else if (c->state == WRITING && !(ev & POLLOUT))
				drop(c);	/* POLLERR: reset */
			else if (c->state == WRITING)
				advance(c);
			else
				readable(c);
		}
		for (int i = 0; i < CLIENTS; i++) {
			struct conn *c = &srv.c[i];

			if ((c->state == READING || c->state == DRAINING) && http_io_buffered(c->tls))
				readable(c);
		}
		expire();
	}
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, LISTEN_BACKLOG) ||
	    fcntl(fd, F_SETFL, O_NONBLOCK)) {
		int err = -errno;

		close(fd);
		return err;
	}
	srv.lfd = fd;
	return 0;
}

/* Below the network's own threads, so that a scrape never holds up the
 * stack (the receive thread always drains the NIC first); deadline
 * threads sit above every FIFO thread anyway, so neither the server nor
 * the network can take the bandwidth reserved for them. */
static void set_prio(int net_prio)
{
	struct tk_sched s = { .policy = TK_SCHED_FIFO,
			      .prio = net_prio > TK_PRIO_MIN ? net_prio - 1 : TK_PRIO_MIN };

	tk_thread_setsched(NULL, &s);
}

static void *server_main(void *arg)
{
	struct tk_net_info info;
	int err = tk_net_wait_bound(TK_FOREVER);

	(void)arg;
	if (!err)
		err = tk_net_info(&info);
	if (err) {
		tk_printk("metrics: no network (%d); the server stays off\n", err);
		return NULL;
	}
	set_prio(info.prio);
	if (http_tls_start())
		return NULL;	/* tls_listen.c said why */
	err = listen_on(srv.port);
	if (err) {
		tk_printk("metrics: cannot listen on port %d (%d); the server stays off\n",
			  srv.port, err);
		return NULL;
	}
	tk_printk("metrics: %s://%u.%u.%u.%u:%d/metrics%s%s\n", http_tls_on() ? "https" : "http",
		  info.addr[0], info.addr[1],
		  info.addr[2], info.addr[3], srv.port,
		  http_access_count() ? " (metrics.allow: others refused)" : "",
		  http_auth_on() ? " (basic auth)" : "");
	serve_forever();
}

/* ---- start-up ------------------------------------------------------------------ */

/* key=N within [lo, hi], or the default. @retval 0, -EINVAL (reported) */
static int bootarg_num(const char *key, unsigned long lo, unsigned long hi, unsigned long *v,
		       const char *what)
{
	const char *s = tk_bootarg(key);

	if (!s)
		return 0;
	if (net_parse_ulong(s, lo, hi, v) == 0)
		return 0;
	tk_printk("metrics: bad %s=%s (want %s, %lu..%lu); the server stays off\n", key, s,
		  what, lo, hi);
	return -EINVAL;
}

static int configure(void)
{
	const char *off = tk_bootarg("metrics");
	unsigned long port = PORT_DEFAULT, ms = TIMEOUT_MS_DEFAULT;

	if (off && strcmp(off, "off") == 0) {
		tk_printk("metrics: off (metrics=off)\n");
		return -ENODEV;
	}
	if (off) {
		tk_printk("metrics: bad metrics=%s (only metrics=off); the server stays off\n", off);
		return -EINVAL;
	}
	if (bootarg_num("metrics.port", 1, 65535, &port, "a TCP port") ||
	    bootarg_num("metrics.timeout_ms", TIMEOUT_MS_MIN, TIMEOUT_MS_MAX, &ms,
			"milliseconds"))
		return -EINVAL;
	if (http_access_configure(tk_bootarg("metrics.allow")) || http_tls_configure())
		return -EINVAL;
	if (http_tls_on() && !tk_bootarg("metrics.port"))
		port = TLS_PORT_DEFAULT;
	srv.max = http_tls_on() ? TLS_CLIENTS : CLIENTS;
	http_auth_init();
	srv.port = (int)port;
	srv.timeout_ns = ms * MS;
	return 0;
}

static void metrics_boot(void)
{
	/* Created at the network's default priority: it blocks at once in
	 * tk_net_wait_bound, then moves below the network's actual one. */
	struct tk_thread_attr a = {
		.name = "metrics", .stack_size = STACK_SIZE, .detached = true,
		.sched = { .policy = TK_SCHED_FIFO, .prio = NET_PRIO_DEFAULT - 1 },
		.cpu_mask = NET_CPU_MASK,
	};
	tk_thread_t *t;
	int err;

	for (int i = 0; i < CLIENTS; i++)
		srv.c[i].fd = -1;
	if (configure())
		return;
	err = tk_thread_create(&t, &a, server_main, NULL);
	if (err)
		tk_printk("metrics: cannot start the server thread (%d)\n", err);
}
TK_INIT(metrics_boot);
