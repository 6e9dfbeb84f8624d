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
 *
 * This file holds the family table, the printing the other parts share
 * (metrics_internal.h), the system, memory and server families, and the
 * page's order. The threads are metrics_threads.c (with /threads), the
 * network metrics_net.c, the registry metrics_registry.c, the CPUs
 * metrics_cpu.c, the log metrics_log.c; the body buffer is hbuf.c.
 */
#include <malloc.h>
#include <stdio.h>

#include <takt/board.h>
#include <takt/time.h>

#include "metrics_internal.h"

/* ---- formatting ------------------------------------------------------------ */

/* ns as decimal seconds without trailing zeros: "12.5", "0.000001", "3". */
const char *metrics_secs(char out[24], uint64_t ns)
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
void metrics_put_text(struct hbuf *b, const char *s, bool quote)
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

/* ---- the families ---------------------------------------------------------- */

const struct fam metrics_fams[FAMS] = {
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

void metrics_put_family(struct hbuf *b, const char *name, const char *type, const char *help)
{
	if (help) {
		hbuf_printf(b, "# HELP %s ", name);
		metrics_put_text(b, help, false);
		hbuf_put(b, "\n", 1);
	}
	hbuf_printf(b, "# TYPE %s %s\n", name, type);
}

void metrics_fam_head(struct hbuf *b, enum fam_id f)
{
	metrics_put_family(b, metrics_fams[f].name, metrics_fams[f].type, metrics_fams[f].help);
}

/* A family of one unlabelled sample. */
static void fam_value(struct hbuf *b, enum fam_id f, uint64_t v)
{
	metrics_fam_head(b, f);
	hbuf_printf(b, "%s %lu\n", metrics_fams[f].name, (unsigned long)v);
}

static void fam_seconds(struct hbuf *b, enum fam_id f, uint64_t ns)
{
	char s[24];

	metrics_fam_head(b, f);
	hbuf_printf(b, "%s %s\n", metrics_fams[f].name, metrics_secs(s, ns));
}

static void put_system(struct hbuf *b)
{
	metrics_fam_head(b, INFO);
	hbuf_put(b, "takt_info{board=\"", 17);
	metrics_put_text(b, tk_board_name(), true);
	hbuf_put(b, "\",app=\"", 7);
	metrics_put_text(b, TAKT_APP, true);
	hbuf_put(b, "\",model=\"", 9);
	metrics_put_text(b, tk_board_model(), true);
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

static void put_http(struct hbuf *b)
{
	const struct http_counters *c = &http_counters;

	metrics_fam_head(b, HTTP_REQUESTS);
	for (int i = 0; i < HTTP_CODES; i++)
		hbuf_printf(b, "%s{code=\"%d\"} %lu\n", metrics_fams[HTTP_REQUESTS].name, http_codes[i],
			    (unsigned long)c->by_code[i]);
	fam_value(b, HTTP_CONNECTIONS, c->connections);
	fam_value(b, HTTP_OPEN, c->open);
	fam_value(b, HTTP_TIMEOUTS, c->timeouts);
	fam_value(b, HTTP_REFUSED, c->refused);
	fam_value(b, HTTP_TLS_OK, c->tls_handshakes);
	fam_value(b, HTTP_TLS_FAILED, c->tls_failed);
}

int metrics_page(struct hbuf *b)
{
	put_system(b);
	put_cpus(b);
	put_log(b);
	if (put_threads(b))
		return b->err;
	put_memory(b);
	put_network(b);
	put_http(b);
	put_registered(b);
	return b->err;
}
