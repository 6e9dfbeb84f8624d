/*
 * lwIP network interface on a tk_netdev (takt/netdev.h). Receive: a thread
 * per interface waits for a frame and feeds the stack under the core lock
 * (LWIP_TCPIP_CORE_LOCKING_INPUT), so a frame costs no mailbox trip. The
 * frame stays in the driver's buffer, wrapped in a custom pbuf that gives
 * the buffer back when lwIP frees it (zero copy) - but only for up to half
 * the receive ring: data waiting unread in socket queues must not pin
 * every buffer, or the device could not receive the ACK that frees them;
 * past that, or with a driver that cannot lend, frames are copied into
 * pool pbufs. Send: the pbuf chain goes to the driver as segments it
 * gathers into its transmit buffer (one copy).
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

#include "config.h"
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

#define LENT_MAX 16	/* frames lent at once: half of virtio-net's 32 RX buffers */

struct lent {
	struct pbuf_custom pc;	/* first: lwIP hands the pbuf back */
	struct tk_netdev *nd;
	void *token;
	struct lent *next;
};

static struct lent lent_pool[LENT_MAX], *lent_free;
static uint32_t lent_frames, copied_frames;

static struct lent *lent_get(void)
{
	SYS_ARCH_DECL_PROTECT(key);
	SYS_ARCH_PROTECT(key);
	struct lent *l = lent_free;

	if (l)
		lent_free = l->next;
	SYS_ARCH_UNPROTECT(key);
	return l;
}

/* lwIP freed a lent frame's pbuf (any thread): the buffer goes back. */
static void lent_done(struct pbuf *p)
{
	struct lent *l = (struct lent *)p;

	tk_netdev_release(l->nd, l->token);
	SYS_ARCH_DECL_PROTECT(key);
	SYS_ARCH_PROTECT(key);
	l->next = lent_free;
	lent_free = l;
	SYS_ARCH_UNPROTECT(key);
}

/* The frame as a pbuf: lent when a wrapper is free, else copied into the
 * pool (and the buffer given back at once). NULL: no memory; dropped. */
static struct pbuf *frame_pbuf(struct tk_netdev *nd, const struct tk_netdev_frame *f)
{
	struct lent *l = lent_get();
	struct pbuf *p;

	if (l) {
		l->nd = nd;
		l->token = f->token;
		l->pc.custom_free_function = lent_done;
		lent_frames++;
		return pbuf_alloced_custom(PBUF_RAW, (u16_t)f->len, PBUF_REF, &l->pc, f->data,
					   (u16_t)f->len);
	}
	p = pbuf_alloc(PBUF_RAW, (u16_t)f->len, PBUF_POOL);
	if (p)
		pbuf_take(p, f->data, (u16_t)f->len);
	tk_netdev_release(nd, f->token);
	copied_frames++;
	return p;
}

/* A driver that cannot lend: receive straight into a pool pbuf. A frame
 * the pool has no room for is still taken off the device (into a scratch
 * buffer) so the device keeps receiving. */
static int copy_recv(struct tk_netdev *nd, struct pbuf **out, uint64_t deadline)
{
	static uint8_t scratch[TK_ETH_FRAME_MAX];
	struct pbuf *p = pbuf_alloc(PBUF_RAW, TK_ETH_FRAME_MAX, PBUF_POOL);
	int n;

	*out = 0;
	if (!p || p->next) {	/* the pool's buffers hold a whole frame */
		if (p)
			pbuf_free(p);
		n = tk_netdev_recv(nd, scratch, sizeof(scratch), deadline);
		return n < 0 ? n : 0;
	}
	n = tk_netdev_recv(nd, p->payload, p->len, deadline);
	if (n < 0) {
		pbuf_free(p);
		return n;
	}
	pbuf_realloc(p, (u16_t)n);
	copied_frames++;
	*out = p;
	return 0;
}

/* 0 with *out the frame (NULL: dropped for want of memory), or -ETIMEDOUT. */
static int next_frame(struct tk_netdev *nd, struct pbuf **out, uint64_t deadline)
{
	struct tk_netdev_frame f;
	int err = tk_netdev_recv_frame(nd, &f, deadline);

	if (err == -ENOTSUP)
		return copy_recv(nd, out, deadline);
	*out = err ? 0 : frame_pbuf(nd, &f);
	return err;
}

/* The link state is polled when the receive thread has been idle for
 * LINK_POLL_NS: cheaper than a configuration interrupt path, and a cable
 * pulled under load is noticed by TCP anyway. */
#define LINK_POLL_NS 1000000000ull

static void link_check(struct netif *nif)
{
	bool up = tk_netdev_link_up(nif->state);

	if (up == !!netif_is_link_up(nif))
		return;
	LOCK_TCPIP_CORE();
	if (up)
		netif_set_link_up(nif);
	else
		netif_set_link_down(nif);
	UNLOCK_TCPIP_CORE();
	tk_printk("net: net%u link %s\n", nif->num, up ? "up" : "down");
}

static void *rx_thread(void *arg)
{
	struct netif *nif = arg;
	struct tk_netdev *nd = nif->state;

	for (;;) {
		struct pbuf *p;

		if (next_frame(nd, &p, tk_after_ns(LINK_POLL_NS)) == -ETIMEDOUT) {
			link_check(nif);
			continue;
		}
		if (!p) {
			LINK_STATS_INC(link.memerr);
			LINK_STATS_INC(link.drop);
			continue;
		}
		if (p->tot_len < SIZEOF_ETH_HDR) {
			pbuf_free(p);
			LINK_STATS_INC(link.lenerr);
			continue;
		}
		LINK_STATS_INC(link.recv);
		if (nif->input(p, nif) != ERR_OK)
			pbuf_free(p);
	}
	return 0;
}

void net_netif_rx_counts(uint32_t *lent, uint32_t *copied)
{
	*lent = lent_frames;
	*copied = copied_frames;
}

int net_netif_add(struct netif *nif, struct tk_netdev *nd, const char *hostname, int prio)
{
	tk_thread_t *t;
	struct tk_thread_attr attr = {
		.name = "net-rx",
		.stack_size = 8192,
		.sched = { .policy = TK_SCHED_FIFO, .prio = prio },
		.detached = true,
		.cpu_mask = NET_CPU_MASK,
	};

	for (int i = 0; i < LENT_MAX; i++) {
		lent_pool[i].next = lent_free;
		lent_free = &lent_pool[i];
	}
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
