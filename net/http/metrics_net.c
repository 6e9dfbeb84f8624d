/* The network families of /metrics: netdev counters, lwIP's stats, pools and TCP states. */
#include <lwip/memp.h>
#include <lwip/priv/tcp_priv.h>
#include <lwip/stats.h>
#include <lwip/tcpip.h>

#include <takt/netdev.h>

#include "metrics_internal.h"

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
		metrics_fam_head(b, f);
		for (int i = 0; i < n; i++) {
			const struct tk_netdev *nd = tk_netdev_get(i);

			if (nd)
				hbuf_printf(b, "%s{interface=\"net%d\"} %lu\n", metrics_fams[f].name, i,
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
		metrics_fam_head(b, f);
		for (size_t i = 0; i < NPROTOS; i++) {
			const struct stats_proto *st = protos[i].st;

			hbuf_printf(b, "%s{proto=\"%s\"} %lu\n", metrics_fams[f].name, protos[i].name,
				    (unsigned long)(f == IP_SENT ? st->xmit : f == IP_RECEIVED ?
						    st->recv : st->drop));
		}
	}
	metrics_fam_head(b, IP_ERRORS);
	for (size_t i = 0; i < NPROTOS; i++) {
		const struct stats_proto *st = protos[i].st;
		const STAT_COUNTER v[] = { st->chkerr, st->lenerr, st->memerr, st->rterr,
					   st->proterr, st->opterr, st->err };

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			hbuf_printf(b, "%s{proto=\"%s\",kind=\"%s\"} %lu\n", metrics_fams[IP_ERRORS].name,
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
		metrics_fam_head(b, f);
		for (int i = 0; i < MEMP_MAX; i++) {
			const struct stats_mem *m = lwip_stats.memp[i];

			if (!m)
				continue;
			hbuf_printf(b, "%s{pool=\"%s\"} %lu\n", metrics_fams[f].name, pool_names[i],
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
	metrics_fam_head(b, TCP_PCBS);
	for (unsigned i = 2; i < sizeof(names) / sizeof(names[0]); i++)
		hbuf_printf(b, "%s{state=\"%s\"} %u\n", metrics_fams[TCP_PCBS].name, names[i], n[i]);
}

void put_network(struct hbuf *b)
{
	put_netdevs(b);
	put_lwip_protos(b);
	put_lwip_pools(b);
	put_tcp_states(b);
}
