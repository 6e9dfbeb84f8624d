/*
 * Remote syslog (<takt/syslog.h>): a log backend (<takt/log.h>) that
 * formats each message as RFC 5424 into a queue, and a "syslog" thread that
 * sends the queue to the collector once the network is up.
 *
 * The queue is a byte ring of frames [u16 length][message], with three
 * positions that only grow: tail (the oldest frame kept), next (the next to
 * send) and head (where the next frame goes). Over TCP a frame is not known
 * to have arrived when send() took it: a collector that restarts loses what
 * sat in its socket. So tail follows next only once a connection has stayed
 * up for HOLD_NS after the send, and a broken connection rewinds next to
 * tail: the frames of the last moments before a break are sent again
 * (RFC 5424 collectors see a duplicate rather than a gap). Over UDP a frame
 * is done once sent.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/net.h>
#include <takt/sync.h>
#include <takt/syslog.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "lwip/etharp.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"

#include "syslog_target.h"

#define QUEUE (32u * 1024)
#define FRAME_MAX 400
#define MS 1000000ull
#define HOLD_NS (1000 * MS)
#define ROOM_WAIT_NS (2000 * MS)
#define BACKOFF_MIN_NS (100 * MS)
#define BACKOFF_MAX_NS (5000 * MS)
#define FACILITY_USER 1

static struct syslog_target target;
static uint8_t queue[QUEUE];
static uint64_t tail, next, head, max_sent;
static uint64_t mark_pos, mark_ns;	/* next at mark_ns: tail may move there at + HOLD_NS */
static struct tk_mutex lock;
static struct tk_cond changed;
static struct tk_syslog_stats stats;
static int fd = -1;
static uint32_t peer;		/* the collector's IPv4 address, network order */

/* ---- the queue (under lock) ---- */

static void put_bytes(uint64_t pos, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		queue[(pos + i) % QUEUE] = ((const uint8_t *)p)[i];
}

static void get_bytes(uint64_t pos, void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = queue[(pos + i) % QUEUE];
}

static size_t frame_len(uint64_t pos)
{
	uint16_t n;

	get_bytes(pos, &n, sizeof(n));
	return n;
}

/* RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG; the
 * nil timestamp "-" for a message logged before the wall clock was set. */
static size_t format(const struct tk_log_msg *m, char *out, size_t cap)
{
	char when[32] = "-";
	int n;

	if (m->realtime_ns)
		tk_realtime_format(m->realtime_ns, when, sizeof(when));
	n = snprintf(out, cap, "<%u>1 %s takt %s - - [takt@32473 seq=\"%lu\"] %s",
		     FACILITY_USER * 8 + m->level, when, m->module[0] ? m->module : "-",
		     (unsigned long)m->seq, m->text);

	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* The log thread's backend: into the queue. Full: frames sent at least
 * once go first, oldest first (only a break within HOLD_NS would have sent
 * them again, and a new message outranks a probable duplicate); then, while
 * connected, room comes as frames go out, so wait a while; not connected,
 * drop at once (a collector that is down must not slow the console). */
static void emit(const struct tk_log_msg *m, void *arg)
{
	char frame[FRAME_MAX];
	uint16_t n = (uint16_t)format(m, frame, sizeof(frame));
	uint64_t until = tk_after_ns(ROOM_WAIT_NS);

	(void)arg;
	tk_mutex_lock(&lock, TK_FOREVER);
	while (head + sizeof(n) + n - tail > QUEUE) {
		if (tail < max_sent) {
			tail += sizeof(n) + frame_len(tail);
			if (next < tail)
				next = tail;
			if (mark_pos < tail)
				mark_pos = tail;
			continue;
		}
		bool gave_up = !stats.connected ||
			       tk_cond_wait(&changed, &lock, until) == -ETIMEDOUT;

		if (gave_up && head + sizeof(n) + n - tail > QUEUE) {
			stats.dropped++;
			tk_mutex_unlock(&lock);
			return;
		}
	}
	put_bytes(head, &n, sizeof(n));
	put_bytes(head + sizeof(n), frame, n);
	head += sizeof(n) + n;
	stats.queued++;
	tk_cond_broadcast(&changed);
	tk_mutex_unlock(&lock);
}

/* ---- the sender ---- */

static int resolve(struct sockaddr_in *sa)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *res = 0;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)target.port);
	if (inet_pton(AF_INET, target.host, &sa->sin_addr) == 1) {
		peer = sa->sin_addr.s_addr;
		return 0;
	}
	hints.ai_socktype = target.tcp ? SOCK_STREAM : SOCK_DGRAM;
	if (getaddrinfo(target.host, 0, &hints, &res) != 0 || !res)
		return -EHOSTUNREACH;
	sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	peer = sa->sin_addr.s_addr;
	freeaddrinfo(res);
	return 0;
}

static int open_socket(void)
{
	struct sockaddr_in sa;
	int s;

	if (resolve(&sa))
		return -EHOSTUNREACH;
	s = socket(AF_INET, target.tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = -errno;

		close(s);
		return e;
	}
	return s;
}

/* UDP: is the next hop's Ethernet address known? lwIP queues only
 * ARP_QUEUE_LEN frames while it asks, and drops older ones without a word:
 * a burst to a new next hop would vanish. TCP's handshake does the asking. */
static bool next_hop_known(uint32_t dst)
{
	struct tk_net_info ni;
	ip4_addr_t hop;
	struct eth_addr *eth;
	const ip4_addr_t *ip;
	uint32_t addr, mask, gw;
	ssize_t i;

	if (tk_net_info(&ni) || !netif_default)
		return true;	/* nothing to check against: send */
	memcpy(&addr, ni.addr, 4);
	memcpy(&mask, ni.mask, 4);
	memcpy(&gw, ni.gw, 4);
	ip4_addr_set_u32(&hop, (dst & mask) == (addr & mask) ? dst : gw);
	LOCK_TCPIP_CORE();
	i = etharp_find_addr(netif_default, &hop, &eth, &ip);
	UNLOCK_TCPIP_CORE();
	return i >= 0;
}

static int send_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, 0);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One frame at next (lock dropped while sending). 0, or -1: the socket broke. */
static int send_next(void)
{
	char buf[8 + FRAME_MAX];
	uint64_t pos = next;
	size_t n = frame_len(pos), off = 0;
	int err;

	if (target.tcp)		/* RFC 6587 octet counting: "LEN SP MSG" */
		off = (size_t)snprintf(buf, sizeof(buf), "%u ", (unsigned)n);
	get_bytes(pos + 2, buf + off, n);
	tk_mutex_unlock(&lock);
	if (target.tcp) {
		err = send_all(buf, off + n);
	} else {
		bool known = next_hop_known(peer);

		err = send(fd, buf, n, 0) < 0 ? -1 : 0;
		/* this one waits in lwIP's ARP queue; the next only once answered */
		for (int i = 0; !known && !err && i < 200 && !next_hop_known(peer); i++)
			tk_sleep_ns(5 * MS);
	}
	tk_mutex_lock(&lock, TK_FOREVER);
	if (err)
		return -1;
	if (pos + 2 + n > next)	/* emit may have let this frame go, and next on */
		next = pos + 2 + n;
	if (next > max_sent) {
		max_sent = next;
		stats.sent++;
	} else {
		stats.resent++;
	}
	if (!target.tcp)
		tail = next;
	return 0;
}

/* TCP: frames sent before mark_ns are taken as arrived once the connection
 * has held for HOLD_NS since; the mark then moves on. */
static void advance_tail(uint64_t now)
{
	if (!target.tcp || now < mark_ns + HOLD_NS)
		return;
	if (mark_pos > tail)	/* emit may have let sent frames go already */
		tail = mark_pos;
	mark_pos = next;
	mark_ns = now;
	tk_cond_broadcast(&changed);
}

static void disconnect(void)
{
	close(fd);
	fd = -1;
	stats.connected = false;
	next = tail;		/* resend what may not have arrived */
	mark_pos = tail;
}

static void *syslog_main(void *arg)
{
	uint64_t backoff = BACKOFF_MIN_NS;
	bool ever = false;

	(void)arg;
	if (tk_net_wait_bound(TK_FOREVER)) {
		tk_printk("syslog: the network is down; not sending\n");
		return 0;	/* emit drops at once: never connected */
	}
	tk_mutex_lock(&lock, TK_FOREVER);
	for (;;) {
		if (fd < 0) {
			int s;

			tk_mutex_unlock(&lock);
			s = open_socket();
			tk_mutex_lock(&lock, TK_FOREVER);
			if (s < 0) {
				tk_cond_wait(&changed, &lock, tk_after_ns(backoff));
				backoff = backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : backoff * 2;
				continue;
			}
			fd = s;
			stats.connected = true;
			stats.reconnects += ever && target.tcp;
			ever = true;
			backoff = BACKOFF_MIN_NS;
			mark_pos = next;
			mark_ns = tk_now_ns();
		}
		if (next == head) {
			advance_tail(tk_now_ns());
			tk_cond_wait(&changed, &lock, tk_after_ns(HOLD_NS));
			continue;
		}
		if (send_next() != 0) {
			disconnect();
			continue;
		}
		advance_tail(tk_now_ns());
		tk_cond_broadcast(&changed);
	}
	return 0;
}

/* ---- API and start ---- */

void tk_syslog_stats(struct tk_syslog_stats *st)
{
	if (!st)
		return;
	if (!target.host[0]) {
		*st = (struct tk_syslog_stats){ 0 };
		return;
	}
	tk_mutex_lock(&lock, TK_FOREVER);
	*st = stats;
	tk_mutex_unlock(&lock);
}

int tk_syslog_flush(uint64_t deadline)
{
	int err = 0;
	uint64_t want;

	if (!target.host[0])
		return -ENODEV;
	tk_mutex_lock(&lock, TK_FOREVER);
	want = head;
	/* sent on a connection that is up: after a break, next is rewound and
	 * the frames go again */
	while ((next < want || !stats.connected) && err != -ETIMEDOUT)
		err = tk_cond_wait(&changed, &lock, deadline);
	err = next < want || !stats.connected ? -ETIMEDOUT : 0;
	tk_mutex_unlock(&lock);
	return err;
}

static void syslog_boot(void)
{
	const char *v = tk_bootarg("syslog");
	struct tk_thread_attr a = { .name = "syslog", .stack_size = 16384,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 1 },
				    .detached = true };
	tk_thread_t *t;
	char err[96];

	if (!v)
		return;
	if (syslog_parse_target(v, &target, err, sizeof(err))) {
		tk_printk("syslog: syslog=%s ignored: %s\n", v, err);
		target.host[0] = 0;
		return;
	}
	tk_mutex_init(&lock, 0);
	tk_cond_init(&changed);
	stats.configured = true;
	if (tk_thread_create(&t, &a, syslog_main, 0) != 0 ||
	    tk_log_backend_add(&(struct tk_log_backend){ "syslog", emit, 0 }) != 0) {
		tk_printk("syslog: cannot start; not sending\n");
		target.host[0] = 0;
		return;
	}
	tk_printk("syslog: to %s:%u over %s (RFC 5424%s)\n", target.host, target.port,
		  target.tcp ? "TCP" : "UDP", target.tcp ? ", octet counting" : "");
}
TK_INIT(syslog_boot);
