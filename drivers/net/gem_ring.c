/*
 * Cadence GEM data path: receive and transmit rings, the interrupt handler
 * and the tk_netdev operations. The set-up and the design notes are in
 * cadence_gem.c, the MDIO/PHY side in gem_phy.c.
 */
#include <errno.h>
#include <string.h>

#include <takt/log.h>
#include <takt/thread.h>

#include "gem.h"

/* -------- receive -------- */

/* Give slot i to the device with buffer b (address word last: it carries
 * the ownership bit). */
void gem_rx_post(struct gem *g, unsigned i, uint8_t *b)
{
	struct gem_desc *d = gem_desc_at(g, g->rx, i);
	uint64_t pa = (uintptr_t)b;

	g->rx_slot[i] = b;
	if (g->addr64)
		d->addr_hi = (uint32_t)(pa >> 32);
	d->ctrl = 0;
	dma_wmb();
	d->addr = (uint32_t)pa | (i == RX_SLOTS - 1 ? RXD_WRAP : 0);
}

/* Refill emptied slots in ring order while spares last. QEMU's GEM reads a
 * descriptor again only when it moves on or receive is (re)enabled: after
 * refilling, network_control is written again with RXEN set (a no-op on
 * the hardware, which fetches the descriptor when a frame arrives).
 * Called with rx_lock held. */
static void rx_refill(struct gem *g)
{
	bool posted = false;

	while (g->rx_empty && g->nspare) {
		gem_rx_post(g, g->rx_refill, g->rx_spare[--g->nspare]);
		g->rx_refill = (g->rx_refill + 1) % RX_SLOTS;
		g->rx_empty--;
		posted = true;
	}
	if (posted) {
		dma_wmb();
		gem_wr(g, GEM_NWCTRL, g->nwctrl);
	}
}

/* The frame in the head slot if the device has filled it: NULL when none
 * is there, or the frame was bad (dropped, *bad set). Called with rx_lock. */
static uint8_t *rx_next(struct gem *g, uint32_t *len, bool *bad)
{
	struct gem_desc *d = gem_desc_at(g, g->rx, g->rx_head);

	if (!(d->addr & RXD_OWN) || !g->rx_slot[g->rx_head])
		return 0;
	dma_rmb();
	uint32_t st = d->ctrl;
	uint8_t *b = g->rx_slot[g->rx_head];

	g->rx_slot[g->rx_head] = 0;
	g->rx_head = (g->rx_head + 1) % RX_SLOTS;
	g->rx_empty++;
	*len = RXD_LEN(st);
	/* One buffer holds any frame we accept, so a frame must start and end
	 * in it; a length it cannot hold is a device fault, never trusted. */
	if ((st & (RXD_SOF | RXD_EOF)) != (RXD_SOF | RXD_EOF) || *len < 14 || *len > BUF_SIZE) {
		g->rx_spare[g->nspare++] = b;
		g->nd.rx_dropped++;
		*bad = true;
		return 0;
	}
	g->nd.rx_frames++;
	g->nd.rx_bytes += *len;
	return b;
}

/* The next received frame, waiting for the interrupt until the deadline.
 * rx_lock guards the ring only, never a wait, so frames can be released
 * while a receiver sleeps. */
static uint8_t *rx_take(struct gem *g, uint32_t *len, uint64_t deadline)
{
	for (;;) {
		bool bad = false;

		tk_mutex_lock(&g->rx_lock, TK_FOREVER);
		uint8_t *b = rx_next(g, len, &bad);

		rx_refill(g);
		tk_mutex_unlock(&g->rx_lock);
		if (b)
			return b;
		if (!bad && tk_sem_take(&g->rx_ready, deadline))
			return 0;
	}
}

static void rx_give_back_locked(struct gem *g, uint8_t *b)
{
	g->rx_spare[g->nspare++] = b;
	rx_refill(g);
}

static void rx_give_back(struct gem *g, uint8_t *b)
{
	tk_mutex_lock(&g->rx_lock, TK_FOREVER);
	rx_give_back_locked(g, b);
	tk_mutex_unlock(&g->rx_lock);
}

static int gem_recv(struct tk_netdev *nd, void *buf, size_t len, uint64_t deadline)
{
	struct gem *g = nd->priv;
	uint32_t flen;
	uint8_t *b = rx_take(g, &flen, deadline);

	if (!b)
		return -ETIMEDOUT;
	size_t c = flen < len ? flen : len;

	memcpy(buf, b, c);
	rx_give_back(g, b);
	return (int)c;
}

static int gem_recv_frame(struct tk_netdev *nd, struct tk_netdev_frame *f, uint64_t deadline)
{
	struct gem *g = nd->priv;
	uint32_t flen;
	uint8_t *b = rx_take(g, &flen, deadline);

	if (!b)
		return -ETIMEDOUT;
	tk_mutex_lock(&g->rx_lock, TK_FOREVER);
	g->rx_lent |= 1ull << ((b - (g->txbuf + TX_SLOTS * BUF_SIZE)) / BUF_SIZE);
	tk_mutex_unlock(&g->rx_lock);
	f->data = b;
	f->len = flen;
	f->token = b;
	return 0;
}

/* The token is a buffer this driver lent and not yet given back; anything
 * else (another pointer, a second release) would corrupt the spare list or
 * overrun it, so it is checked against the buffer area and the lent bits. */
static void gem_release(struct tk_netdev *nd, void *token)
{
	struct gem *g = nd->priv;
	uint8_t *b = token, *lo = g->txbuf + TX_SLOTS * BUF_SIZE;
	uintptr_t off = (uintptr_t)b - (uintptr_t)lo;
	uint64_t bit = 1ull << (off / BUF_SIZE % 64);
	bool lent;

	tk_mutex_lock(&g->rx_lock, TK_FOREVER);
	lent = off < (RX_SLOTS + RX_SPARE) * BUF_SIZE && off % BUF_SIZE == 0 && (g->rx_lent & bit);
	if (lent) {
		g->rx_lent &= ~bit;
		rx_give_back_locked(g, b);
	}
	tk_mutex_unlock(&g->rx_lock);
	if (!lent)
		tk_printk("gem: %s: release of a buffer not lent (%p) ignored\n", g->dev->path, token);
}

/* -------- transmit -------- */

static unsigned tx_reap(struct gem *g)
{
	while (g->tx_tail != g->tx_head &&
	       (gem_desc_at(g, g->tx, g->tx_tail % TX_SLOTS)->ctrl & TXD_USED))
		g->tx_tail++;
	return TX_SLOTS - (g->tx_head - g->tx_tail);
}

/* A free slot, waiting up to TX_WAIT_NS for the device to complete one.
 * Called with tx_lock held. */
static bool tx_room(struct gem *g)
{
	if (tx_reap(g))
		return true;
	gem_wr(g, GEM_IER, INT_TCOMP);
	tk_sem_take(&g->tx_space, tk_after_ns(TX_WAIT_NS));
	return tx_reap(g) != 0;
}

static int gem_send(struct tk_netdev *nd, const struct tk_netdev_seg *seg, unsigned nseg,
		    size_t len)
{
	struct gem *g = nd->priv;

	tk_mutex_lock(&g->tx_lock, TK_FOREVER);
	if (!tx_room(g)) {
		nd->tx_errors++;
		tk_mutex_unlock(&g->tx_lock);
		return -EAGAIN;
	}
	unsigned i = g->tx_head % TX_SLOTS;
	uint8_t *b = g->txbuf + i * BUF_SIZE;
	struct gem_desc *d = gem_desc_at(g, g->tx, i);

	for (size_t off = 0; nseg--; off += seg++->len)
		memcpy(b + off, seg->data, seg->len);	/* len <= TK_ETH_FRAME_MAX < BUF_SIZE */
	dma_wmb();
	d->ctrl = (uint32_t)len | TXD_LAST | (i == TX_SLOTS - 1 ? TXD_WRAP : 0);
	g->tx_head++;
	dma_wmb();
	gem_wr(g, GEM_NWCTRL, g->nwctrl | NWCTRL_TSTART);
	nd->tx_frames++;
	nd->tx_bytes += len;
	tk_mutex_unlock(&g->tx_lock);
	return 0;
}

/* The transmitter stopped on a used descriptor: restart it if the one it
 * points at has become ready since (it never re-reads on its own). */
static void tx_restart(struct gem *g)
{
	uintptr_t cur = gem_rd(g, GEM_TXQB), ring = (uintptr_t)g->tx & 0xffffffffu;

	if (cur < ring || cur >= ring + TX_SLOTS * gem_stride(g) || (cur - ring) % gem_stride(g))
		return;
	if (!(gem_desc_at(g, g->tx, (unsigned)((cur - ring) / gem_stride(g)))->ctrl & TXD_USED))
		gem_wr(g, GEM_NWCTRL, g->nwctrl | NWCTRL_TSTART);
}

/* int_status is clear-on-read on the ZynqMP (and in QEMU); writing the bits
 * back clears them on GEM versions where it is write-1-to-clear. */
void gem_isr(void *arg)
{
	struct gem *g = arg;
	uint32_t st = gem_rd(g, GEM_ISR);

	gem_wr(g, GEM_ISR, st);
	if (st & INT_RCOMP)
		tk_sem_give(&g->rx_ready);	/* -EOVERFLOW: already signalled */
	if (st & INT_TCOMP) {
		gem_wr(g, GEM_IDR, INT_TCOMP);
		tk_sem_give(&g->tx_space);
	}
	if (st & INT_TXUBR)
		tx_restart(g);
	if (st & INT_HRESP)
		g->hresp_errors++;	/* a DMA access the interconnect refused */
}

static bool gem_link_up(struct tk_netdev *nd)
{
	return gem_phy_link(nd->priv, true);
}

const struct tk_netdev_ops gem_ops = {
	.sendv = gem_send, .recv = gem_recv, .recv_frame = gem_recv_frame,
	.release = gem_release, .link_up = gem_link_up,
};
