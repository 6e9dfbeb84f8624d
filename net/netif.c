/*
 * lwIP network interface on a tk_netdev (takt/netdev.h). Receive: a thread
 * per interface waits in tk_netdev_recv straight into a pool pbuf (one copy:
 * the device's buffer to the pbuf) and feeds the stack under the core lock
 * (LWIP_TCPIP_CORE_LOCKING_INPUT), so a frame costs no mailbox trip. Send:
 * the pbuf chain goes to the driver as segments it gathers into its
 * transmit buffer (one copy).
 */
#include <errno.h>
#include <string.h>

#include <lwip/etharp.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <lwip/stats.h>
#include <lwip/tcpip.h>
#include <netif/ethernet.h>

#include <takt/log.h>
#include <takt/netdev.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "net_internal.h"

#define TX_RETRIES	50
#define TX_RETRY_NS	20000u	/* the device drains its queue in host time */

static err_t send_chain(struct tk_netdev *nd, struct pbuf *p)
{
	struct tk_netdev_seg seg[TK_NETDEV_SEGS_MAX];
	unsigned n = 0;

	for (struct pbuf *q = p; q; q = q->next) {
		if (n == TK_NETDEV_SEGS_MAX)
			return ERR_BUF;	/* lwIP never chains this long for one frame */
		if (q->len)
			seg[n++] = (struct tk_netdev_seg){ q->payload, q->len };
	}
	for (int tries = 0;; tries++) {
		int err = tk_netdev_sendv(nd, seg, n);

		if (err == 0)
			return ERR_OK;
		if (err != -EAGAIN || tries == TX_RETRIES)
			return ERR_IF;
		tk_sleep_ns(TX_RETRY_NS);
	}
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	err_t err = send_chain(nif->state, p);

	if (err == ERR_OK) {
		LINK_STATS_INC(link.xmit);
	} else {
		LINK_STATS_INC(link.drop);
	}
	return err;
}

static err_t netif_setup(struct netif *nif)
{
	struct tk_netdev *nd = nif->state;

	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(nif->hwaddr, nd->mac, ETH_HWADDR_LEN);
	nif->mtu = 1500;
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	return ERR_OK;
}

/* A frame the pool has no room for is still taken off the device (into a
 * scratch buffer) so the device keeps receiving; it counts as dropped. */
static void drop_one(struct tk_netdev *nd)
{
	static uint8_t scratch[TK_ETH_FRAME_MAX];

	if (tk_netdev_recv(nd, scratch, sizeof(scratch), TK_FOREVER) >= 0) {
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
	}
}

static void *rx_thread(void *arg)
{
	struct netif *nif = arg;
	struct tk_netdev *nd = nif->state;

	for (;;) {
		struct pbuf *p = pbuf_alloc(PBUF_RAW, TK_ETH_FRAME_MAX, PBUF_POOL);

		if (!p || p->next) {	/* the pool's buffers hold a whole frame */
			if (p)
				pbuf_free(p);
			drop_one(nd);
			continue;
		}
		int n = tk_netdev_recv(nd, p->payload, p->len, TK_FOREVER);

		if (n < SIZEOF_ETH_HDR) {
			pbuf_free(p);
			continue;
		}
		pbuf_realloc(p, (u16_t)n);
		LINK_STATS_INC(link.recv);
		if (nif->input(p, nif) != ERR_OK)
			pbuf_free(p);
	}
	return 0;
}

int net_netif_add(struct netif *nif, struct tk_netdev *nd, const char *hostname, int prio)
{
	tk_thread_t *t;
	struct tk_thread_attr attr = {
		.name = "net-rx",
		.stack_size = 8192,
		.sched = { .policy = TK_SCHED_FIFO, .prio = prio },
		.detached = true,
	};

	LOCK_TCPIP_CORE();
	struct netif *ok = netif_add(nif, 0, 0, 0, nd, netif_setup, tcpip_input);

	if (ok) {
		netif_set_hostname(nif, hostname);
		netif_set_default(nif);
		netif_set_up(nif);
		if (tk_netdev_link_up(nd))
			netif_set_link_up(nif);
	}
	UNLOCK_TCPIP_CORE();
	if (!ok)
		return -EINVAL;
	return tk_thread_create(&t, &attr, rx_thread, nif);
}
