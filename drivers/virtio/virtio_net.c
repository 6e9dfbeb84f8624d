/*
 * virtio-net (virtio 1.2, 5.1) on the virtio transport (virtio.h): the MAC
 * from config space, one receive and one transmit queue, interrupt-driven
 * receive (the interrupt wakes the thread waiting in tk_netdev_recv), link
 * status from config space when VIRTIO_NET_F_STATUS is offered. A received
 * frame can be lent to the stack in its RX buffer (tk_netdev_recv_frame)
 * and the buffer goes back on the ring when released. Registered
 * as a tk_netdev (takt/netdev.h). No offloads, no mergeable RX buffers, no
 * control queue: every frame is one RX buffer of header + 1514 bytes.
 *
 * A device that does not offer VIRTIO_NET_F_MAC is refused (-ENOTSUP, with
 * the offered features in the log): Takt does not make addresses up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/log.h>
#include <takt/netdev.h>
#include <takt/sync.h>
#include <takt/dt.h>

#include "virtio.h"

#define NET_F_MAC	5
#define NET_F_STATUS	16
#define NET_S_LINK_UP	1
#define CFG_MAC		0
#define CFG_STATUS	6

#define RXQ		0
#define TXQ		1
#define RX_BUFS		32	/* at most 32: rx_lent is a bit each */
#define TX_BUFS		16
#define HDR_MAX		12	/* struct virtio_net_hdr with num_buffers */

struct nbuf {
	uint8_t hdr[HDR_MAX];
	uint8_t data[TK_ETH_FRAME_MAX + 4];	/* room for a VLAN tag */
};

struct vnet {
	struct tk_netdev nd;
	struct virtio_dev *v;
	struct virtq rx, tx;
	uint32_t hdr_len;
	struct tk_sem rx_ready;
	struct tk_mutex rxq_lock, tx_lock;
	struct nbuf *rxb, *txb;
	uint32_t rx_lent;	/* bit i: rxb[i] lent by recv_frame (under rxq_lock) */
	struct nbuf *tx_free[TX_BUFS];
	unsigned ntx_free;
};

static int rx_post(struct vnet *n, struct nbuf *b)
{
	struct virtio_buf pieces[2] = {
		{ b->hdr, n->hdr_len, true },
		{ b->data, sizeof(b->data), true },
	};

	return virtq_add(&n->rx, pieces, 2, b);
}

static void vnet_isr(struct virtio_dev *v, uint32_t status, void *arg)
{
	struct vnet *n = arg;

	(void)v;
	if (status & VIRTIO_ISR_QUEUE)
		tk_sem_give(&n->rx_ready);	/* -EOVERFLOW: already signalled */
}

static int vnet_send(struct tk_netdev *nd, const struct tk_netdev_seg *seg, unsigned nseg,
		     size_t len)
{
	struct vnet *n = nd->priv;
	struct nbuf *b;
	int err;

	tk_mutex_lock(&n->tx_lock, TK_FOREVER);
	while ((b = virtq_get_used(&n->tx, 0)))
		n->tx_free[n->ntx_free++] = b;
	if (!n->ntx_free) {
		nd->tx_errors++;
		tk_mutex_unlock(&n->tx_lock);
		return -EAGAIN;
	}
	b = n->tx_free[--n->ntx_free];
	memset(b->hdr, 0, sizeof(b->hdr));
	for (size_t off = 0; nseg--; off += seg++->len)
		memcpy(b->data + off, seg->data, seg->len);

	struct virtio_buf pieces[2] = {
		{ b->hdr, n->hdr_len, false },
		{ b->data, (uint32_t)len, false },
	};

	err = virtq_add(&n->tx, pieces, 2, b);
	if (err) {
		n->tx_free[n->ntx_free++] = b;
		nd->tx_errors++;
	} else {
		virtq_kick(&n->tx);
		nd->tx_frames++;
		nd->tx_bytes += len;
	}
	tk_mutex_unlock(&n->tx_lock);
	return err ? -EAGAIN : 0;
}

/* The next used RX buffer, waiting for the interrupt until the deadline.
 * rxq_lock guards the queue only, never a wait, so buffers can be given
 * back (vnet_release) while a receiver sleeps. */
static struct nbuf *rx_take(struct vnet *n, uint32_t *flen, uint64_t deadline)
{
	for (;;) {
		uint32_t used = 0;
		bool dropped = false;

		tk_mutex_lock(&n->rxq_lock, TK_FOREVER);
		struct nbuf *b = virtq_get_used(&n->rx, &used);

		/* a length the buffer cannot hold is a device bug: drop, look again */
		if (b && (used < n->hdr_len || used - n->hdr_len > sizeof(b->data))) {
			n->nd.rx_dropped++;
			rx_post(n, b);
			virtq_kick(&n->rx);
			b = 0;
			dropped = true;
		}
		tk_mutex_unlock(&n->rxq_lock);
		if (b) {
			*flen = used - n->hdr_len;
			n->nd.rx_frames++;
			n->nd.rx_bytes += *flen;
			return b;
		}
		if (!dropped && tk_sem_take(&n->rx_ready, deadline))
			return 0;
	}
}

static void rx_repost_locked(struct vnet *n, struct nbuf *b)
{
	rx_post(n, b);
	virtq_kick(&n->rx);
}

static void rx_repost(struct vnet *n, struct nbuf *b)
{
	tk_mutex_lock(&n->rxq_lock, TK_FOREVER);
	rx_repost_locked(n, b);
	tk_mutex_unlock(&n->rxq_lock);
}

static int vnet_recv(struct tk_netdev *nd, void *buf, size_t len, uint64_t deadline)
{
	struct vnet *n = nd->priv;
	uint32_t flen;
	struct nbuf *b = rx_take(n, &flen, deadline);

	if (!b)
		return -ETIMEDOUT;
	size_t c = flen < len ? flen : len;

	memcpy(buf, b->data, c);
	rx_repost(n, b);
	return (int)c;
}

static int vnet_recv_frame(struct tk_netdev *nd, struct tk_netdev_frame *f, uint64_t deadline)
{
	struct vnet *n = nd->priv;
	uint32_t flen;
	struct nbuf *b = rx_take(n, &flen, deadline);

	if (!b)
		return -ETIMEDOUT;
	tk_mutex_lock(&n->rxq_lock, TK_FOREVER);
	n->rx_lent |= 1u << (b - n->rxb);
	tk_mutex_unlock(&n->rxq_lock);
	f->data = b->data;
	f->len = flen;
	f->token = b;
	return 0;
}

/* Only a buffer recv_frame lent and not yet given back goes on the ring:
 * another pointer (f->data for f->token, 12 bytes off) would have the
 * device write past a buffer, and a second release put one buffer on the
 * ring twice. */
static void vnet_release(struct tk_netdev *nd, void *token)
{
	struct vnet *n = nd->priv;
	uintptr_t off = (uintptr_t)token - (uintptr_t)n->rxb;
	unsigned i = (unsigned)(off / sizeof(struct nbuf));
	bool lent;

	tk_mutex_lock(&n->rxq_lock, TK_FOREVER);
	lent = off < RX_BUFS * sizeof(struct nbuf) && off % sizeof(struct nbuf) == 0 &&
	       (n->rx_lent & (1u << i));
	if (lent) {
		n->rx_lent &= ~(1u << i);
		rx_repost_locked(n, token);
	}
	tk_mutex_unlock(&n->rxq_lock);
	if (!lent)
		tk_printk("virtio-net: release of a buffer not lent (%p) ignored\n", token);
}

static bool vnet_link_up(struct tk_netdev *nd)
{
	struct vnet *n = nd->priv;

	if (!virtio_has(n->v->accepted, NET_F_STATUS))
		return true;
	return virtio_config16(n->v, CFG_STATUS) & NET_S_LINK_UP;
}

static const struct tk_netdev_ops vnet_ops = {
	.sendv = vnet_send, .recv = vnet_recv, .recv_frame = vnet_recv_frame,
	.release = vnet_release, .link_up = vnet_link_up,
};

int virtio_net_probe(struct virtio_dev *v)
{
	struct tk_device *dev = v->dev;
	int err;

	if (!virtio_has(v->offered, NET_F_MAC)) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-net: the device offers no usable features (no VIRTIO_NET_F_MAC; offered ");
		tk_dt_err_num(v->offered, 16);
		tk_dt_err_str(")");
		return -ENOTSUP;
	}
	err = virtio_negotiate(v, (1ull << NET_F_MAC) | (1ull << NET_F_STATUS));
	if (err)
		return err;
	uint8_t mac[TK_ETH_ALEN];

	/* the device's address is input too, checked before any buffer is
	 * given to it: from a multicast or zero one no peer would answer */
	for (int i = 0; i < TK_ETH_ALEN; i++)
		mac[i] = virtio_config8(v, CFG_MAC + (unsigned)i);
	if ((mac[0] & 1) || !memcmp(mac, "\0\0\0\0\0", TK_ETH_ALEN)) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str(mac[0] & 1 ? "virtio-net: the device's MAC is a multicast address"
				       : "virtio-net: the device's MAC is zero");
		return -EINVAL;
	}

	struct vnet *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->v = v;
	v->priv = n;
	n->hdr_len = virtio_has(v->accepted, VIRTIO_F_VERSION_1) ? 12 : 10;
	tk_sem_init(&n->rx_ready, 0, 1);
	tk_mutex_init(&n->rxq_lock, 0);
	tk_mutex_init(&n->tx_lock, 0);
	n->rxb = calloc(RX_BUFS, sizeof(struct nbuf));
	n->txb = calloc(TX_BUFS, sizeof(struct nbuf));
	if (!n->rxb || !n->txb)
		return -ENOMEM;
	err = virtio_queue_setup(v, RXQ, 2 * RX_BUFS, &n->rx);
	if (!err)
		err = virtio_queue_setup(v, TXQ, 2 * TX_BUFS, &n->tx);
	if (err) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-net: cannot set the RX/TX queues up");
		return err;
	}
	virtq_no_interrupt(&n->tx, true);	/* completions reaped on send */
	for (unsigned i = 0; i < TX_BUFS; i++)
		n->tx_free[n->ntx_free++] = &n->txb[i];
	for (unsigned i = 0; i < RX_BUFS && rx_post(n, &n->rxb[i]) == 0; i++)
		;
	memcpy(n->nd.mac, mac, TK_ETH_ALEN);
	n->nd.ops = &vnet_ops;
	n->nd.priv = n;
	n->nd.name = dev->path;
	err = virtio_irq_connect(v, vnet_isr, n);
	if (err) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-net: cannot connect the interrupt");
		return err;
	}
	int idx = tk_netdev_register(&n->nd);

	if (idx < 0) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-net: too many network devices");
		return idx;
	}
	virtio_driver_ok(v);
	virtq_kick(&n->rx);
	const uint8_t *m = n->nd.mac;

	tk_printk("net%d: %s mac %02x:%02x:%02x:%02x:%02x:%02x, link %s%s\n", idx, dev->path,
		  m[0], m[1], m[2], m[3], m[4], m[5], vnet_link_up(&n->nd) ? "up" : "down",
		  virtio_has(v->accepted, NET_F_STATUS) ? "" : " (no status feature)");
	return 0;
}
