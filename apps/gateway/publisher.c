/*
 * The publisher: a FIFO thread that owns lwIP's MQTT client (raw API, so
 * every call is made with the core lock held) and publishes the sampler's
 * queue to the broker as JSON, QoS 0.
 *
 * QoS 0 because the client cannot do better across the failures that
 * matter: lwIP's client always connects with a clean session and drops its
 * pending requests when the connection closes, so a QoS 1 sample in flight
 * at a disconnect is lost just the same. While the connection lives, TCP
 * already delivers in order; QoS 1 would add a PUBACK per sample and hold
 * one of MQTT_REQ_MAX_IN_FLIGHT slots per round trip. For periodic
 * telemetry the next sample supersedes a lost one anyway.
 *
 * States (one thread moves between them; lwIP's callbacks, in the stack's
 * context, only record what happened and wake it through p->wake):
 *
 *   DOWN --retry_at--> CONNECTING --CONNACK accepted--> UP
 *    ^                    |  refused, closed, timeout      | closed, keep-alive
 *    +--------------------+--------------------------------+ timeout
 *         (backoff 250 ms, doubling to 5 s; reset once UP)
 *
 * Each change is logged once; repeated failures with the same reason while
 * DOWN are not. The sampler's queue keeps the newest GW_QUEUE_LEN samples
 * meanwhile; once UP again they are published, oldest first.
 *
 * mqtts://: the same states; TLS runs under the MQTT client (tls.c). A
 * handshake that fails ends CONNECTING like a refused connection, the
 * reason taken from what the TLS hooks saw (our verdict on the broker's
 * certificate, or the broker's alert), and counted. There is no plain
 * fallback: every attempt is TLS.
 *
 * Accounting: every sample taken is published (TCP-acknowledged), dropped
 * (pushed out of the full queue), lost (in flight when the connection
 * broke, or unacknowledged for MQTT_REQ_TIMEOUT), queued or in flight.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/apps/mqtt.h>
#include <lwip/ip_addr.h>
#include <lwip/tcpip.h>
#include <netdb.h>

#include <takt/thread.h>
#include <takt/time.h>
#include <takt/tls.h>

#include "gateway.h"

#define NS_PER_MS		1000000ull
#define BACKOFF_MIN_MS		250u
#define BACKOFF_MAX_MS		5000u
#define KEEPALIVE_S		10	/* a silent broker is dropped after 1.5x this */
#define CONNECT_TIMEOUT_NS	(10000 * NS_PER_MS)	/* TCP + CONNACK */
#define BLOCKED_RETRY_NS	(100 * NS_PER_MS)	/* lwIP full: retry at least this often */
#define NO_EVENT		(-1)
#define WHY_MAX			128	/* "tls: server certificate: ..." */

enum pub_state { PUB_DOWN, PUB_CONNECTING, PUB_UP };

struct gw_publisher {
	const struct gw_config *cfg;
	struct gw_sampler *smp;
	struct tk_sem *wake;
	mqtt_client_t *client;
	struct mqtt_connect_client_info_t info;
	enum pub_state state;
	uint64_t deadline;		/* DOWN: next attempt; CONNECTING: give up */
	uint64_t attempt_ns;		/* CONNECTING: when the attempt started */
	unsigned backoff_ms;
	bool blocked;			/* lwIP had no room for the last publish */
	char why[WHY_MAX];		/* the last reason logged */
	char where[GW_HOST_MAX + 32];	/* "host:port" or "name:port (a.b.c.d)" */
	bool have_pending;
	struct gw_sample pending;	/* taken from the queue, not yet accepted */
	/* shared with lwIP's callbacks: accessed with the core lock held */
	int event;			/* last mqtt_connection_status_t, or NO_EVENT */
	unsigned in_flight;		/* publishes whose callback has not run */
	struct gw_pub_counters n;
	struct tk_tls_status tls;	/* the current attempt's handshake (mqtts://) */
	uint64_t attempt_cpu_ns;	/* net_cpu_ns() at the attempt's start */
};

/* -- callbacks: the stack's context, core locked; record and wake -------- */

static void conn_cb(mqtt_client_t *client, void *arg, mqtt_connection_status_t status)
{
	struct gw_publisher *p = arg;

	(void)client;
	p->event = (int)status;
	tk_sem_give(p->wake);
}

/* QoS 0: called when TCP has the PUBLISH acknowledged (ERR_OK), or after
 * MQTT_REQ_TIMEOUT without that (ERR_TIMEOUT). */
static void published_cb(void *arg, err_t err)
{
	struct gw_publisher *p = arg;

	if (p->in_flight)
		p->in_flight--;
	if (err == ERR_OK)
		p->n.published++;
	else
		p->n.lost++;
	tk_sem_give(p->wake);
}

/* -- connection ---------------------------------------------------------------- */

static const char *status_text(int status, bool was_up)
{
	switch (status) {
	case MQTT_CONNECT_REFUSED_PROTOCOL_VERSION: return "refused: protocol version";
	case MQTT_CONNECT_REFUSED_IDENTIFIER: return "refused: client id rejected";
	case MQTT_CONNECT_REFUSED_SERVER: return "refused: server unavailable";
	case MQTT_CONNECT_REFUSED_USERNAME_PASS: return "refused: bad user name or password";
	case MQTT_CONNECT_REFUSED_NOT_AUTHORIZED_: return "refused: not authorized";
	case MQTT_CONNECT_TIMEOUT: return was_up ? "keep-alive timeout" : "no CONNACK";
	case MQTT_CONNECT_DISCONNECTED: return was_up ? "connection closed" : "connection failed";
	default: return "unknown status";
	}
}

static void went_down(struct gw_publisher *p, const char *why)
{
	unsigned ms = p->backoff_ms;

	if (p->state == PUB_UP) {
		/* mqtt_close dropped the requests in flight without callbacks */
		LOCK_TCPIP_CORE();
		p->n.lost += p->in_flight;
		p->in_flight = 0;
		UNLOCK_TCPIP_CORE();
		printf("mqtt: disconnected (%s), retrying in %u ms\n", why, ms);
	} else if (strcmp(why, p->why)) {
		printf("mqtt: cannot connect to %s (%s), retrying in %u ms\n", p->where, why, ms);
	}
	snprintf(p->why, sizeof(p->why), "%s", why);
	p->state = PUB_DOWN;
	p->blocked = false;
	p->deadline = tk_after_ns(ms * NS_PER_MS);
	p->backoff_ms = ms * 2 < BACKOFF_MAX_MS ? ms * 2 : BACKOFF_MAX_MS;
}

/* a: the name's address, NULL while unknown */
static void set_where(struct gw_publisher *p, const uint8_t *a)
{
	const struct gw_config *c = p->cfg;

	if (c->numeric || !a)
		snprintf(p->where, sizeof(p->where), "%s:%u", c->host, c->port);
	else
		snprintf(p->where, sizeof(p->where), "%s:%u (%u.%u.%u.%u)", c->host, c->port, a[0],
			 a[1], a[2], a[3]);
}

/* The broker's address: the dotted quad, or the name through lwIP's
 * resolver (getaddrinfo blocks on the tcpip thread: core lock NOT held).
 * Resolved at every attempt, so a broker that moves is followed. */
static int resolve(struct gw_publisher *p, ip_addr_t *ip, char *why, size_t len)
{
	const struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	uint8_t a[4];

	memcpy(a, p->cfg->addr, 4);
	if (!p->cfg->numeric) {
		int err = getaddrinfo(p->cfg->host, 0, &hints, &res);

		if (err) {
			set_where(p, 0);
			snprintf(why, len, "cannot resolve: %s", gai_strerror(err));
			return -EHOSTUNREACH;
		}
		memcpy(a, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
		freeaddrinfo(res);
	}
	IP_ADDR4(ip, a[0], a[1], a[2], a[3]);
	set_where(p, a);
	return 0;
}

/* The CPU time the network's threads have run: lwIP's (timers, calls) and
 * the receive threads (net/netif.c "net-rx", which feed the stack
 * themselves: the TLS handshake runs there, on the broker's packets). The
 * connect line's figure of what an attempt cost the guest, which unlike
 * the elapsed time does not count waiting for the broker: under -icount it
 * repeats whatever the host and sleep= do. */
static void net_cpu_of(tk_thread_t *t, void *arg)
{
	const char *name = tk_thread_name(t);
	struct tk_thread_stats st;

	if ((strcmp(name, TCPIP_THREAD_NAME) == 0 || strcmp(name, "net-rx") == 0) &&
	    tk_thread_stats(t, &st) == 0)
		*(uint64_t *)arg += st.cpu_ns;
}

static uint64_t net_cpu_ns(void)
{
	uint64_t ns = 0;

	tk_thread_foreach(net_cpu_of, &ns);
	return ns;
}

static void start_connect(struct gw_publisher *p)
{
	char why[WHY_MAX];
	ip_addr_t ip;
	err_t err;

	if (resolve(p, &ip, why, sizeof(why))) {
		went_down(p, why);
		return;
	}
	LOCK_TCPIP_CORE();
	p->event = NO_EVENT;
	err = mqtt_client_connect(p->client, &ip, p->cfg->port, conn_cb, p, &p->info);
	/* before the stack runs again: the handshake starts on the SYN-ACK */
	if (err == ERR_OK && p->cfg->tls && gw_tls_attach(p->client, p->cfg->host, &p->tls)) {
		mqtt_disconnect(p->client);
		err = ERR_MEM;
	}
	UNLOCK_TCPIP_CORE();
	if (err != ERR_OK) {
		snprintf(why, sizeof(why), "lwIP error %d", err);
		went_down(p, why);
		return;
	}
	p->state = PUB_CONNECTING;
	p->deadline = tk_after_ns(CONNECT_TIMEOUT_NS);
	p->attempt_ns = tk_now_ns();
	p->attempt_cpu_ns = net_cpu_ns();
}

/* Give up on an attempt: mqtt_disconnect closes without a callback; an
 * event that came in meanwhile is about the attempt, so it goes too. */
static void abort_connect(struct gw_publisher *p)
{
	LOCK_TCPIP_CORE();
	mqtt_disconnect(p->client);
	p->event = NO_EVENT;
	UNLOCK_TCPIP_CORE();
	went_down(p, "timed out");
}

static void came_up(struct gw_publisher *p)
{
	/* connect time: TCP, the TLS handshake (mqtts://) and CONNECT/CONNACK,
	 * elapsed and as the network threads' CPU time (net_cpu_ns: under -icount
	 * the repeatable figure of the handshake's cost, ./takt bench tls) */
	printf("mqtt: connected to %s (queued %u, dropped %lu, %lu us to connect, "
	       "%lu us of network CPU)\n", p->where,
	       (unsigned)tk_msgq_count(&p->smp->q), (unsigned long)p->smp->dropped,
	       (unsigned long)((tk_now_ns() - p->attempt_ns) / 1000),
	       (unsigned long)((net_cpu_ns() - p->attempt_cpu_ns) / 1000));
	p->state = PUB_UP;
	p->n.connects++;
	p->backoff_ms = BACKOFF_MIN_MS;
	p->why[0] = '\0';
}

/* -- publishing -------------------------------------------------------------------- */

static int format(char *buf, size_t len, const struct gw_sample *s)
{
	return snprintf(buf, len, "{\"seq\":%lu,\"t_ns\":%lu,\"latency_ns\":%lu,\"value\":%lu}",
			(unsigned long)s->seq, (unsigned long)s->t_ns,
			(unsigned long)s->latency_ns, (unsigned long)s->value);
}

/* Hand one sample to lwIP. @retval ERR_OK, ERR_MEM (no request slot or
 * ring space: try again after a publish completes), ERR_CONN (closing). */
static err_t publish_one(struct gw_publisher *p, const struct gw_sample *s)
{
	char payload[160];
	int n = format(payload, sizeof(payload), s);
	err_t err;

	LOCK_TCPIP_CORE();
	err = mqtt_publish(p->client, p->cfg->topic, payload, (u16_t)n, 0, 0, published_cb, p);
	if (err == ERR_OK)
		p->in_flight++;
	UNLOCK_TCPIP_CORE();
	return err;
}

/* Publish what the queue holds, oldest first, until it is empty or lwIP
 * is full; a sample lwIP refused stays pending for the next round. */
static void drain(struct gw_publisher *p)
{
	p->blocked = false;
	for (;;) {
		if (!p->have_pending && tk_msgq_get(&p->smp->q, &p->pending, 0))
			return;
		p->have_pending = true;
		err_t err = publish_one(p, &p->pending);

		if (err != ERR_OK) {
			p->blocked = err == ERR_MEM;	/* else the connection callback follows */
			return;
		}
		p->have_pending = false;
	}
}

/* -- the thread ------------------------------------------------------------------------- */

static int take_event(struct gw_publisher *p)
{
	int ev;

	LOCK_TCPIP_CORE();
	ev = p->event;
	p->event = NO_EVENT;
	UNLOCK_TCPIP_CORE();
	return ev;
}

/* A TLS attempt that ended before CONNACK: the reason the hooks saw. The
 * status is read with the core lock held: the hooks run in the stack. */
static bool tls_failed(struct gw_publisher *p, char *why, size_t len)
{
	char text[WHY_MAX - 8];

	LOCK_TCPIP_CORE();
	gw_tls_why(&p->tls, text, sizeof(text));
	bool rejected = p->tls.verify_flags != 0, refused = !rejected && p->tls.alert >= 0;
	UNLOCK_TCPIP_CORE();
	p->n.tls_failed++;
	p->n.tls_rejected += rejected;
	p->n.tls_refused += refused;
	if (!text[0])
		return false;
	snprintf(why, len, "tls: %.*s", (int)(len - 6), text);
	return true;
}

static void on_event(struct gw_publisher *p, int ev)
{
	char why[WHY_MAX];

	if (p->state == PUB_CONNECTING && ev == MQTT_CONNECT_ACCEPTED)
		came_up(p);
	else if (p->state == PUB_CONNECTING && p->cfg->tls && ev == MQTT_CONNECT_DISCONNECTED &&
		 tls_failed(p, why, sizeof(why)))
		went_down(p, why);
	else if (p->state != PUB_DOWN)	/* DOWN: a late word about an aborted attempt */
		went_down(p, status_text(ev, p->state == PUB_UP));
}

/* One round; returns when to run the next one at the latest. */
static uint64_t step(struct gw_publisher *p)
{
	int ev = take_event(p);

	if (ev != NO_EVENT)
		on_event(p, ev);
	if (p->state == PUB_DOWN && tk_now_ns() >= p->deadline)
		start_connect(p);
	else if (p->state == PUB_CONNECTING && tk_now_ns() >= p->deadline)
		abort_connect(p);
	if (p->state == PUB_UP) {
		drain(p);
		return p->blocked ? tk_after_ns(BLOCKED_RETRY_NS) : TK_FOREVER;
	}
	return p->deadline;
}

static void *publisher_run(void *arg)
{
	struct gw_publisher *p = arg;

	for (;;)
		tk_sem_take(p->wake, step(p));	/* woken by a sample or a callback */
	return 0;
}

int gw_publisher_start(struct gw_publisher **out, const struct gw_config *cfg,
		       struct gw_sampler *s, struct tk_sem *wake, int prio)
{
	static struct gw_publisher pub;	/* one broker, one client */
	struct gw_publisher *p = &pub;
	tk_thread_t *t;
	struct tk_thread_attr attr = {
		.name = "mqtt",
		.stack_size = 8192,	/* getaddrinfo, snprintf */
		.sched = { .policy = TK_SCHED_FIFO, .prio = prio },
		.detached = true,
	};

	p->cfg = cfg;
	p->smp = s;
	p->wake = wake;
	p->event = NO_EVENT;
	p->state = PUB_DOWN;
	p->deadline = 0;	/* the first attempt at once */
	p->backoff_ms = BACKOFF_MIN_MS;
	p->info = (struct mqtt_connect_client_info_t){ .client_id = cfg->id,
						       .keep_alive = KEEPALIVE_S };
	if (cfg->user[0]) {
		p->info.client_user = cfg->user;
		p->info.client_pass = cfg->pass[0] ? cfg->pass : 0;
	}
	if (cfg->tls) {
		int err = gw_tls_init(cfg, &p->info);

		if (err)
			return err;
	}
	set_where(p, 0);
	LOCK_TCPIP_CORE();
	p->client = mqtt_client_new();
	UNLOCK_TCPIP_CORE();
	if (!p->client)
		return -ENOMEM;
	*out = p;
	return tk_thread_create(&t, &attr, publisher_run, p);
}

const struct gw_pub_counters *gw_publisher_counters(const struct gw_publisher *p)
{
	return &p->n;
}
