/*
 * The pages of the metrics endpoint, and the registry apps add their own
 * figures to (takt/metrics.h).
 *
 * GET /metrics is the Prometheus text exposition format 0.0.4: per family
 * a "# HELP" and a "# TYPE" line, then its samples, all together. Built-in
 * families (the table fams[] below has every name; apps cannot register
 * one of them):
 *   takt_info{board,app,model} 1, takt_uptime_seconds, takt_boot_seconds
 *   takt_thread_*{thread,id}: cpu_seconds_total, switches_total,
 *     overruns_total, deadline_misses_total, stack_bytes, info{policy,prio},
 *     and for deadline threads dl_runtime/dl_deadline/dl_period_seconds
 *   takt_memory_*: heap_used_bytes, heap_free_bytes, heap_arena_bytes
 *     (newlib-nano's mallinfo fills only arena, uordblks and fordblks:
 *     taken from the heap so far, in use, free in what was taken) and
 *     ram_bytes (all RAM, the DT's /memory)
 *   takt_net_{rx,tx}_*_total{interface="netN"}: the tk_netdev counters
 *   takt_lwip_packets_{sent,received,dropped}_total{proto},
 *     takt_lwip_errors_total{proto,kind}: lwIP's link/ip/udp/tcp stats
 *   takt_lwip_pool_{used,size,max_used}, _failures_total {pool}: memp pools
 *   takt_http_*: the server's own requests_total{code}, connections_total,
 *     connections_open, timeouts_total
 * then every registered histogram and value.
 *
 * A thread's id label is the kernel's thread id (tk_thread_stats: 1 = main,
 * then in creation order, never reused), since names repeat (two
 * "worker"s). Strings are printed as ASCII: a byte
 * outside printable ASCII becomes '?' in the text format (which must be
 * UTF-8) and \u00XX in JSON.
 *
 * GET /threads is a JSON array of {id, name, policy, prio, runtime_ns,
 * deadline_ns, period_ns, cpu_ns, switches, overruns, misses, stack_size}.
 *
 * Numbers are printed with %lu (64 bits on both arches; newlib-nano has
 * no %llu) and seconds as integer.fraction by hand (no float printf).
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lwip/memp.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/stats.h>
#include <lwip/tcpip.h>

#include <takt/board.h>
#include <takt/metrics.h>
#include <takt/netdev.h>
#include <takt/sync.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "http_internal.h"
#include "parse.h"

/* A registered histogram with more buckets than this publishes only the
 * edges after 1, 2, 5, 10, 20, 50, ... buckets and the last one: a
 * 1000000-bucket histogram stays a page, not 80 MB. */
#define HIST_ALL_EDGES 100

/* ---- the body buffer ------------------------------------------------------ */

void hbuf_init(struct hbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void hbuf_free(struct hbuf *b)
{
	free(b->buf);
	hbuf_init(b);
}

/* Room for need more body bytes (and vsnprintf's NUL). @retval 0, -1 */
static int hbuf_room(struct hbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : HBUF_START;
	char *nb;

	if (b->err)
		return -1;
	if (b->buf && b->len + need <= b->cap)
		return 0;
	while (cap < b->len + need && cap < HBUF_MAX)
		cap *= 2;
	if (cap > HBUF_MAX)
		cap = HBUF_MAX;
	if (b->len + need > cap) {
		b->err = -E2BIG;
		return -1;
	}
	nb = realloc(b->buf, HBUF_HEADROOM + cap + 1);
	if (!nb) {
		b->err = -ENOMEM;
		return -1;
	}
	b->buf = nb;
	b->cap = cap;
	return 0;
}

void hbuf_put(struct hbuf *b, const char *s, size_t n)
{
	if (hbuf_room(b, n))
		return;
	memcpy(hbuf_body(b) + b->len, s, n);
	b->len += n;
}

void hbuf_printf(struct hbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (hbuf_room(b, 1))
		return;
	va_start(ap, fmt);
	n = vsnprintf(hbuf_body(b) + b->len, b->cap - b->len + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if ((size_t)n > b->cap - b->len) {	/* cut short: grow and print again */
		if (hbuf_room(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(hbuf_body(b) + b->len, b->cap - b->len + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* ---- formatting ------------------------------------------------------------ */

/* ns as decimal seconds without trailing zeros: "12.5", "0.000001", "3". */
static const char *secs(char out[24], uint64_t ns)
{
	unsigned long s = (unsigned long)(ns / 1000000000u);
	unsigned long f = (unsigned long)(ns % 1000000000u);
	int n;

	if (!f) {
		snprintf(out, 24, "%lu", s);
		return out;
	}
	n = snprintf(out, 24, "%lu.%09lu", s, f);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = 0;
	return out;
}

/* Text-format escaping (a label value when quote, else HELP text): \\, \"
 * and \n, and '?' for what is not printable ASCII. */
static void put_text(struct hbuf *b, const char *s, bool quote)
{
	char tmp[64];
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (n > sizeof(tmp) - 2) {
			hbuf_put(b, tmp, n);
			n = 0;
		}
		if (c == '\\' || (quote && c == '"')) {
			tmp[n++] = '\\';
			tmp[n++] = (char)c;
		} else if (c == '\n') {
			tmp[n++] = '\\';
			tmp[n++] = 'n';
		} else {
			tmp[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
	}
	hbuf_put(b, tmp, n);
}

/* A JSON string, quotes included. */
static void put_json(struct hbuf *b, const char *s)
{
	hbuf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			hbuf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			hbuf_printf(b, "\\u%04x", c);
		else
			hbuf_put(b, (const char *)&c, 1);
	}
	hbuf_put(b, "\"", 1);
}

/* ---- the families ---------------------------------------------------------- */

enum fam_id {
	INFO, UPTIME, BOOT,
	T_CPU, T_SWITCHES, T_OVERRUNS, T_MISSES, T_STACK, T_INFO, T_DL_RUNTIME,
	T_DL_DEADLINE, T_DL_PERIOD, T_CPUNUM, T_MIGRATIONS,
	HEAP_USED, HEAP_FREE, HEAP_ARENA, RAM,
	NET_RX_FRAMES, NET_RX_BYTES, NET_RX_DROPPED, NET_TX_FRAMES, NET_TX_BYTES,
	NET_TX_ERRORS,
	IP_SENT, IP_RECEIVED, IP_DROPPED, IP_ERRORS,
	POOL_USED, POOL_SIZE, POOL_MAX, POOL_FAILURES, TCP_PCBS,
	HTTP_REQUESTS, HTTP_CONNECTIONS, HTTP_OPEN, HTTP_TIMEOUTS, HTTP_REFUSED, HTTP_TLS_OK, HTTP_TLS_FAILED,
	FAMS
};

static const struct fam {
	const char *name, *type, *help;
} fams[FAMS] = {
	[INFO] = { "takt_info", "gauge", "The board and app the image was built for." },
	[UPTIME] = { "takt_uptime_seconds", "gauge", "Time since the image started." },
	[BOOT] = { "takt_boot_seconds", "gauge", "Time from the image's entry to main()." },
	[T_CPU] = { "takt_thread_cpu_seconds_total", "counter", "CPU time the thread ran." },
	[T_SWITCHES] = { "takt_thread_switches_total", "counter", "Times the thread was switched in." },
	[T_OVERRUNS] = { "takt_thread_overruns_total", "counter",
			 "Deadline threads: times the budget ran out." },
	[T_MISSES] = { "takt_thread_deadline_misses_total", "counter",
		       "Deadline threads: jobs that ended late." },
	[T_STACK] = { "takt_thread_stack_bytes", "gauge", "The thread's stack size." },
	[T_INFO] = { "takt_thread_info", "gauge",
		     "The thread's scheduling policy and FIFO/RR priority." },
	[T_DL_RUNTIME] = { "takt_thread_dl_runtime_seconds", "gauge",
			   "Deadline threads: budget per period." },
	[T_DL_DEADLINE] = { "takt_thread_dl_deadline_seconds", "gauge",
			    "Deadline threads: relative deadline." },
	[T_DL_PERIOD] = { "takt_thread_dl_period_seconds", "gauge", "Deadline threads: period." },
	[T_CPUNUM] = { "takt_thread_cpu", "gauge", "The CPU the thread lives on." },
	[T_MIGRATIONS] = { "takt_thread_migrations_total", "counter",
			   "Times the thread moved to another CPU." },
	[HEAP_USED] = { "takt_memory_heap_used_bytes", "gauge", "Heap (malloc) bytes in use." },
	[HEAP_FREE] = { "takt_memory_heap_free_bytes", "gauge",
			"Free bytes in what malloc has taken from the heap so far." },
	[HEAP_ARENA] = { "takt_memory_heap_arena_bytes", "gauge",
			 "Bytes malloc has taken from the heap so far." },
	[RAM] = { "takt_memory_ram_bytes", "gauge", "RAM the devicetree describes." },
	[NET_RX_FRAMES] = { "takt_net_rx_frames_total", "counter", "Frames received." },
	[NET_RX_BYTES] = { "takt_net_rx_bytes_total", "counter", "Bytes received." },
	[NET_RX_DROPPED] = { "takt_net_rx_dropped_total", "counter", "Received frames dropped." },
	[NET_TX_FRAMES] = { "takt_net_tx_frames_total", "counter", "Frames sent." },
	[NET_TX_BYTES] = { "takt_net_tx_bytes_total", "counter", "Bytes sent." },
	[NET_TX_ERRORS] = { "takt_net_tx_errors_total", "counter", "Frames that could not be sent." },
	[IP_SENT] = { "takt_lwip_packets_sent_total", "counter", "lwIP: packets sent, by layer." },
	[IP_RECEIVED] = { "takt_lwip_packets_received_total", "counter",
			  "lwIP: packets received, by layer." },
	[IP_DROPPED] = { "takt_lwip_packets_dropped_total", "counter",
			 "lwIP: packets dropped, by layer." },
	[IP_ERRORS] = { "takt_lwip_errors_total", "counter", "lwIP: errors, by layer and kind." },
	[POOL_USED] = { "takt_lwip_pool_used", "gauge", "lwIP memory pools: elements in use." },
	[POOL_SIZE] = { "takt_lwip_pool_size", "gauge", "lwIP memory pools: elements in all." },
	[POOL_MAX] = { "takt_lwip_pool_max_used", "gauge",
		       "lwIP memory pools: most elements ever in use." },
	[POOL_FAILURES] = { "takt_lwip_pool_failures_total", "counter",
			    "lwIP memory pools: allocations that failed." },
	[HTTP_REQUESTS] = { "takt_http_requests_total", "counter",
			    "Metrics server: responses, by status code." },
	[HTTP_CONNECTIONS] = { "takt_http_connections_total", "counter",
			       "Metrics server: connections accepted." },
	[HTTP_OPEN] = { "takt_http_connections_open", "gauge", "Metrics server: open connections." },
	[TCP_PCBS] = { "takt_lwip_tcp_connections", "gauge",
		       "lwIP TCP connections (control blocks) by state." },
	[HTTP_TIMEOUTS] = { "takt_http_timeouts_total", "counter",
			    "Metrics server: connections closed for a slow or idle client." },
	[HTTP_REFUSED] = { "takt_http_refused_total", "counter",
			   "Metrics server: connections closed at once, not from metrics.allow." },
	[HTTP_TLS_OK] = { "takt_http_tls_handshakes_total", "counter",
			  "Metrics server: TLS handshakes completed (metrics.tls=on)." },
	[HTTP_TLS_FAILED] = { "takt_http_tls_failures_total", "counter",
			      "Metrics server: TLS handshakes that failed (metrics.tls=on)." },
};

static void put_family(struct hbuf *b, const char *name, const char *type, const char *help)
{
	if (help) {
		hbuf_printf(b, "# HELP %s ", name);
		put_text(b, help, false);
		hbuf_put(b, "\n", 1);
	}
	hbuf_printf(b, "# TYPE %s %s\n", name, type);
}

static void fam_head(struct hbuf *b, enum fam_id f)
{
	put_family(b, fams[f].name, fams[f].type, fams[f].help);
}

/* A family of one unlabelled sample. */
static void fam_value(struct hbuf *b, enum fam_id f, uint64_t v)
{
	fam_head(b, f);
	hbuf_printf(b, "%s %lu\n", fams[f].name, (unsigned long)v);
}

static void fam_seconds(struct hbuf *b, enum fam_id f, uint64_t ns)
{
	char s[24];

	fam_head(b, f);
	hbuf_printf(b, "%s %s\n", fams[f].name, secs(s, ns));
}

static void put_system(struct hbuf *b)
{
	fam_head(b, INFO);
	hbuf_put(b, "takt_info{board=\"", 17);
	put_text(b, tk_board_name(), true);
	hbuf_put(b, "\",app=\"", 7);
	put_text(b, TAKT_APP, true);
	hbuf_put(b, "\",model=\"", 9);
	put_text(b, tk_board_model(), true);
	hbuf_put(b, "\"} 1\n", 5);
	fam_seconds(b, UPTIME, tk_now_ns());
	fam_seconds(b, BOOT, tk_boot_ns());
}

static void put_memory(struct hbuf *b)
{
	struct mallinfo mi = mallinfo();

	fam_value(b, HEAP_USED, mi.uordblks);
	fam_value(b, HEAP_FREE, mi.fordblks);
	fam_value(b, HEAP_ARENA, mi.arena);
	fam_value(b, RAM, tk_mem_total());
}

/* ---- threads --------------------------------------------------------------- */

struct tsnap {
	unsigned long id;
	char name[TK_NAME_MAX];
	struct tk_sched sched;
	struct tk_thread_stats st;
};

struct tlist {
	struct tsnap *v;
	size_t n, cap;
};

static void count_one(tk_thread_t *t, void *arg)
{
	(void)t;
	++*(size_t *)arg;
}

/* Interrupts are masked here (tk_thread_foreach): copy, nothing more. */
static void snap_one(tk_thread_t *t, void *arg)
{
	struct tlist *l = arg;
	struct tsnap *s;
	const char *name = tk_thread_name(t);
	size_t n = strnlen(name, TK_NAME_MAX - 1);

	if (l->n == l->cap)
		return;		/* started since they were counted: next time */
	s = &l->v[l->n];
	if (tk_thread_stats(t, &s->st) || tk_thread_getsched(t, &s->sched))
		return;
	s->id = s->st.id;
	memcpy(s->name, name, n);
	s->name[n] = 0;
	l->n++;
}

static int snapshot(struct tlist *l)
{
	size_t count = 0;

	tk_thread_foreach(count_one, &count);
	l->n = 0;
	l->cap = count + 8;
	l->v = malloc(l->cap * sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	tk_thread_foreach(snap_one, l);
	return 0;
}

static const char *policy_name(enum tk_policy p)
{
	switch (p) {
	case TK_SCHED_FIFO:
		return "fifo";
	case TK_SCHED_RR:
		return "rr";
	case TK_SCHED_DEADLINE:
		return "deadline";
	default:
		return "other";
	}
}

/* name{thread="...",id="N"  (the caller closes the braces) */
static void thread_labels(struct hbuf *b, enum fam_id f, const struct tsnap *s)
{
	hbuf_printf(b, "%s{thread=\"", fams[f].name);
	put_text(b, s->name, true);
	hbuf_printf(b, "\",id=\"%lu\"", s->id);
}

/* The figure of family f for one thread; false when it has none. */
static bool thread_figure(enum fam_id f, const struct tsnap *s, uint64_t *v)
{
	bool dl = s->sched.policy == TK_SCHED_DEADLINE;

	switch (f) {
	case T_SWITCHES: *v = s->st.switches; return true;
	case T_OVERRUNS: *v = s->st.overruns; return true;
	case T_MISSES: *v = s->st.misses; return true;
	case T_STACK: *v = s->st.stack_size; return true;
	case T_DL_RUNTIME: *v = s->sched.runtime; return dl;
	case T_DL_DEADLINE: *v = s->sched.deadline; return dl;
	case T_DL_PERIOD:
		*v = s->sched.period ? s->sched.period : s->sched.deadline;	/* 0 = deadline */
		return dl;
	case T_CPUNUM: *v = s->st.cpu; return true;
	case T_MIGRATIONS: *v = s->st.migrations; return true;
	default: *v = s->st.cpu_ns; return true;
	}
}

static void put_thread_family(struct hbuf *b, enum fam_id f, const struct tlist *l)
{
	bool seconds = f == T_CPU || (f >= T_DL_RUNTIME && f <= T_DL_PERIOD);
	bool head = false;
	uint64_t v;
	char s[24];

	for (size_t i = 0; i < l->n; i++) {
		if (!thread_figure(f, &l->v[i], &v))
			continue;
		if (!head)
			fam_head(b, f);
		head = true;
		thread_labels(b, f, &l->v[i]);
		if (seconds)
			hbuf_printf(b, "} %s\n", secs(s, v));
		else
			hbuf_printf(b, "} %lu\n", (unsigned long)v);
	}
}

static void put_thread_info(struct hbuf *b, const struct tlist *l)
{
	fam_head(b, T_INFO);
	for (size_t i = 0; i < l->n; i++) {
		const struct tk_sched *sc = &l->v[i].sched;
		bool fp = sc->policy == TK_SCHED_FIFO || sc->policy == TK_SCHED_RR;

		thread_labels(b, T_INFO, &l->v[i]);
		if (fp)
			hbuf_printf(b, ",policy=\"%s\",prio=\"%d\"} 1\n", policy_name(sc->policy),
				    sc->prio);
		else
			hbuf_printf(b, ",policy=\"%s\",prio=\"\"} 1\n", policy_name(sc->policy));
	}
}

static int put_threads(struct hbuf *b)
{
	static const enum fam_id order[] = { T_CPU, T_SWITCHES, T_OVERRUNS, T_MISSES, T_STACK,
					     T_DL_RUNTIME, T_DL_DEADLINE, T_DL_PERIOD, T_CPUNUM,
					     T_MIGRATIONS };
	struct tlist l;

	if (snapshot(&l))
		return b->err = -ENOMEM;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		put_thread_family(b, order[i], &l);
	put_thread_info(b, &l);
	free(l.v);
	return 0;
}

int threads_page(struct hbuf *b)
{
	struct tlist l;

	if (snapshot(&l))
		return b->err = -ENOMEM;
	hbuf_put(b, "[", 1);
	for (size_t i = 0; i < l.n; i++) {
		const struct tsnap *s = &l.v[i];

		hbuf_printf(b, "%s\n{\"id\":%lu,\"name\":", i ? "," : "", s->id);
		put_json(b, s->name);
		hbuf_printf(b, ",\"policy\":\"%s\",\"prio\":%d,\"runtime_ns\":%lu,\"deadline_ns\":%lu,"
			    "\"period_ns\":%lu,", policy_name(s->sched.policy),
			    s->sched.policy == TK_SCHED_DEADLINE ? 0 : s->sched.prio,
			    (unsigned long)s->sched.runtime, (unsigned long)s->sched.deadline,
			    (unsigned long)s->sched.period);
		hbuf_printf(b, "\"cpu_ns\":%lu,\"switches\":%lu,\"overruns\":%lu,\"misses\":%lu,"
			    "\"stack_size\":%lu}", (unsigned long)s->st.cpu_ns,
			    (unsigned long)s->st.switches, (unsigned long)s->st.overruns,
			    (unsigned long)s->st.misses, (unsigned long)s->st.stack_size);
	}
	hbuf_put(b, "\n]\n", 3);
	free(l.v);
	return b->err;
}

/* ---- network --------------------------------------------------------------- */

static uint64_t netdev_figure(enum fam_id f, const struct tk_netdev *nd)
{
	switch (f) {
	case NET_RX_FRAMES: return nd->rx_frames;
	case NET_RX_BYTES: return nd->rx_bytes;
	case NET_RX_DROPPED: return nd->rx_dropped;
	case NET_TX_FRAMES: return nd->tx_frames;
	case NET_TX_BYTES: return nd->tx_bytes;
	default: return nd->tx_errors;
	}
}

static void put_netdevs(struct hbuf *b)
{
	int n = tk_netdev_count();

	for (int f = NET_RX_FRAMES; f <= NET_TX_ERRORS; f++) {
		fam_head(b, f);
		for (int i = 0; i < n; i++) {
			const struct tk_netdev *nd = tk_netdev_get(i);

			if (nd)
				hbuf_printf(b, "%s{interface=\"net%d\"} %lu\n", fams[f].name, i,
					    (unsigned long)netdev_figure(f, nd));
		}
	}
}

static const struct {
	const char *name;
	const struct stats_proto *st;
} protos[] = {
	{ "link", &lwip_stats.link }, { "ip", &lwip_stats.ip },
	{ "udp", &lwip_stats.udp }, { "tcp", &lwip_stats.tcp },
};
#define NPROTOS (sizeof(protos) / sizeof(protos[0]))

static void put_lwip_protos(struct hbuf *b)
{
	static const char *const kinds[] = { "checksum", "length", "memory", "routing",
					     "protocol", "option", "other" };

	for (int f = IP_SENT; f <= IP_DROPPED; f++) {
		fam_head(b, f);
		for (size_t i = 0; i < NPROTOS; i++) {
			const struct stats_proto *st = protos[i].st;

			hbuf_printf(b, "%s{proto=\"%s\"} %lu\n", fams[f].name, protos[i].name,
				    (unsigned long)(f == IP_SENT ? st->xmit : f == IP_RECEIVED ?
						    st->recv : st->drop));
		}
	}
	fam_head(b, IP_ERRORS);
	for (size_t i = 0; i < NPROTOS; i++) {
		const struct stats_proto *st = protos[i].st;
		const STAT_COUNTER v[] = { st->chkerr, st->lenerr, st->memerr, st->rterr,
					   st->proterr, st->opterr, st->err };

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			hbuf_printf(b, "%s{proto=\"%s\",kind=\"%s\"} %lu\n", fams[IP_ERRORS].name,
				    protos[i].name, kinds[k], (unsigned long)v[k]);
	}
}

/* The pools' names, in memp_t order: lwIP's own list, with the
 * description strings (the struct has none without LWIP_DEBUG). */
static const char *const pool_names[] = {
#define LWIP_MEMPOOL(name, num, size, desc) desc,
#include <lwip/priv/memp_std.h>
};
_Static_assert(sizeof(pool_names) / sizeof(pool_names[0]) == MEMP_MAX, "one name per pool");

static void put_lwip_pools(struct hbuf *b)
{
	for (int f = POOL_USED; f <= POOL_FAILURES; f++) {
		fam_head(b, f);
		for (int i = 0; i < MEMP_MAX; i++) {
			const struct stats_mem *m = lwip_stats.memp[i];

			if (!m)
				continue;
			hbuf_printf(b, "%s{pool=\"%s\"} %lu\n", fams[f].name, pool_names[i],
				    (unsigned long)(f == POOL_USED ? m->used : f == POOL_SIZE ?
						    m->avail : f == POOL_MAX ? m->max : m->err));
		}
	}
}

/* TCP control blocks by state: the pool is small, and what holds it
 * (TIME_WAIT, FIN_WAIT_2, ...) says why a connection was refused. Read
 * under the core lock: lwIP's lists change in the stack's context. */
static void put_tcp_states(struct hbuf *b)
{
	static const char *const names[] = { "closed", "listen", "syn_sent", "syn_received",
					     "established", "fin_wait_1", "fin_wait_2",
					     "close_wait", "closing", "last_ack", "time_wait" };
	unsigned n[sizeof(names) / sizeof(names[0])] = { 0 };
	struct tcp_pcb *const *lists[] = { &tcp_active_pcbs, &tcp_tw_pcbs };

	LOCK_TCPIP_CORE();
	for (unsigned l = 0; l < 2; l++)
		for (struct tcp_pcb *p = *lists[l]; p; p = p->next)
			if ((unsigned)p->state < sizeof(names) / sizeof(names[0]))
				n[p->state]++;
	UNLOCK_TCPIP_CORE();
	fam_head(b, TCP_PCBS);
	for (unsigned i = 2; i < sizeof(names) / sizeof(names[0]); i++)
		hbuf_printf(b, "%s{state=\"%s\"} %u\n", fams[TCP_PCBS].name, names[i], n[i]);
}

static void put_http(struct hbuf *b)
{
	const struct http_counters *c = &http_counters;

	fam_head(b, HTTP_REQUESTS);
	for (int i = 0; i < HTTP_CODES; i++)
		hbuf_printf(b, "%s{code=\"%d\"} %lu\n", fams[HTTP_REQUESTS].name, http_codes[i],
			    (unsigned long)c->by_code[i]);
	fam_value(b, HTTP_CONNECTIONS, c->connections);
	fam_value(b, HTTP_OPEN, c->open);
	fam_value(b, HTTP_TIMEOUTS, c->timeouts);
	fam_value(b, HTTP_REFUSED, c->refused);
	fam_value(b, HTTP_TLS_OK, c->tls_handshakes);
	fam_value(b, HTTP_TLS_FAILED, c->tls_failed);
}

/* ---- the registry ----------------------------------------------------------- */

static const struct tk_metrics_histogram *reg_hist[TK_METRICS_MAX];
static const struct tk_metrics_value *reg_val[TK_METRICS_MAX];
static unsigned reg_count;	/* entries published: store-release, load-acquire */
static TK_MUTEX_DEFINE(reg_lock);

static bool name_taken(const char *name, bool hist)
{
	for (int f = 0; f < FAMS; f++)
		if (http_names_clash(name, hist, fams[f].name, false))
			return true;
	for (unsigned i = 0; i < reg_count; i++) {
		const char *other = reg_hist[i] ? reg_hist[i]->name : reg_val[i]->name;

		if (http_names_clash(name, hist, other, reg_hist[i] != NULL))
			return true;
	}
	return false;
}

static int reg_add(const struct tk_metrics_histogram *h, const struct tk_metrics_value *v)
{
	const char *name = h ? h->name : v->name;
	int err = 0;

	tk_mutex_lock(&reg_lock, TK_FOREVER);
	if (reg_count == TK_METRICS_MAX) {
		err = -ENOSPC;
	} else if (name_taken(name, h != NULL)) {
		err = -EEXIST;
	} else {
		reg_hist[reg_count] = h;
		reg_val[reg_count] = v;
		__atomic_store_n(&reg_count, reg_count + 1, __ATOMIC_RELEASE);
	}
	tk_mutex_unlock(&reg_lock);
	return err;
}

int tk_metrics_add_histogram(const struct tk_metrics_histogram *h)
{
	if (!h || !http_metric_name_ok(h->name) || !http_label_name_ok(h->label) || !h->series ||
	    !h->buckets || !h->bucket_ns || !h->counts || !h->overflow || !h->sum_ns)
		return -EINVAL;
	if (h->series > 4096 || h->buckets > (1u << 24) ||
	    h->bucket_ns > UINT64_MAX / h->buckets)
		return -EINVAL;	/* beyond any page; and the edges must not wrap */
	return reg_add(h, NULL);
}

int tk_metrics_add_value(const struct tk_metrics_value *v)
{
	if (!v || !http_metric_name_ok(v->name) || !v->value)
		return -EINVAL;
	return reg_add(NULL, v);
}

/* ---- registered figures ----------------------------------------------------- */

static uint64_t load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Is the upper edge of bucket i (0-based) of n published? */
static bool edge_shown(unsigned i, unsigned n)
{
	unsigned k = i + 1;

	if (n <= HIST_ALL_EDGES || k == n)
		return true;
	while (k % 10 == 0)
		k /= 10;
	return k == 1 || k == 2 || k == 5;
}

/* name_bucket{label="s",le="..."} cumulative counts, then _sum and _count.
 * The counts are read once each, so the buckets never decrease even as
 * the app adds samples meanwhile. */
static void put_series(struct hbuf *b, const struct tk_metrics_histogram *h, unsigned s)
{
	const uint64_t *c = h->counts + (size_t)s * h->buckets;
	uint64_t cum = 0;
	char le[24];

	for (unsigned i = 0; i < h->buckets; i++) {
		cum += load64(&c[i]);
		if (edge_shown(i, h->buckets))
			hbuf_printf(b, "%s_bucket{%s=\"%u\",le=\"%s\"} %lu\n", h->name, h->label, s,
				    secs(le, (uint64_t)(i + 1) * h->bucket_ns), (unsigned long)cum);
	}
	cum += load64(&h->overflow[s]);
	hbuf_printf(b, "%s_bucket{%s=\"%u\",le=\"+Inf\"} %lu\n", h->name, h->label, s,
		    (unsigned long)cum);
	hbuf_printf(b, "%s_sum{%s=\"%u\"} %s\n", h->name, h->label, s,
		    secs(le, load64(&h->sum_ns[s])));
	hbuf_printf(b, "%s_count{%s=\"%u\"} %lu\n", h->name, h->label, s, (unsigned long)cum);
}

static void put_registered(struct hbuf *b)
{
	unsigned n = __atomic_load_n(&reg_count, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		const struct tk_metrics_histogram *h = reg_hist[i];
		const struct tk_metrics_value *v = reg_val[i];

		if (h) {
			put_family(b, h->name, "histogram", h->help);
			for (unsigned s = 0; s < h->series; s++)
				put_series(b, h, s);
		} else {
			put_family(b, v->name, v->is_counter ? "counter" : "gauge", v->help);
			hbuf_printf(b, "%s %lu\n", v->name, (unsigned long)load64(v->value));
		}
	}
}

int metrics_page(struct hbuf *b)
{
	put_system(b);
	put_cpus(b);
	put_log(b);
	if (put_threads(b))
		return b->err;
	put_memory(b);
	put_netdevs(b);
	put_lwip_protos(b);
	put_lwip_pools(b);
	put_tcp_states(b);
	put_http(b);
	put_registered(b);
	return b->err;
}
