/*
 * Cadence GEM Ethernet MAC (Zynq UltraScale+ GEM0..3: UG1085 chapter 34,
 * registers UG1087 module GEM), registered as a tk_netdev (takt/netdev.h).
 *
 * One receive and one transmit ring of buffer descriptors on queue 0; the
 * other priority queues (designcfg_debug6 says which exist) point at one
 * descriptor that is always owned by software, so the DMA never walks
 * memory we did not give it. Descriptors are 64-bit (16 bytes: address low,
 * control, address high, unused) when designcfg_debug6 offers 64-bit
 * addressing (the ZynqMP does; DRAM above 4 GiB is at 0x8_0000_0000), else
 * 8 bytes with every buffer below 4 GiB.
 *
 * Receive: RX_SLOTS descriptors, each with a BUF_SIZE buffer (a whole frame:
 * no frame spans two); the receive-complete interrupt wakes the receiver. A
 * frame can be lent to the stack (recv_frame/release): its slot is refilled
 * at once from RX_SPARE spare buffers, so lending out of order never stalls
 * the ring while spares last. Transmit: a frame is gathered into the slot's
 * buffer, one descriptor per frame; completed descriptors are reaped on the
 * next send. When the ring is full the sender waits for the
 * transmit-complete interrupt (enabled only then). A "used bit read"
 * interrupt restarts the transmitter if it stopped on a descriptor that
 * became ready meanwhile (the race between TSTART and the DMA reading the
 * used bit, UG1085 34.2.4).
 *
 * MAC address: local-mac-address / mac-address from the DT, else what the
 * boot loader left in spec_add1 (u-boot and QEMU both put theirs there),
 * else a locally administered one made from the controller's address.
 *
 * DMA coherency: the ZynqMP GEM does not snoop the CPU's caches, and its
 * descriptors pack four to a cache line (cleaning one could overwrite the
 * used bit the GEM just wrote into its neighbour). Rings and buffers come
 * from tk_dma_alloc, mapped non-cacheable, so no cache maintenance is needed
 * and the barriers order every access; addresses are physical (identity
 * map).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>
#include <takt/log.h>
#include <takt/thread.h>

#include "gem.h"

#define NWCFG_FD	(1u << 1)
#define NWCFG_MCHASH	(1u << 6)	/* multicast hash: all ones accepts every group */
#define NWCFG_LERR_DISC	(1u << 16)
#define NWCFG_FCS_STRIP	(1u << 17)
#define NWCFG_MDC_224	(7u << 18)	/* pclk / 224: <= 2.5 MHz for any pclk up to 560 MHz */
#define NWCFG_DBW_SHIFT	21
#define NWCFG_KEEP	0x00000403u	/* speed, duplex, gigabit: set from the PHY */
#define DMACFG_BURST16	0x10u
#define DMACFG_RXPBUF	(3u << 8)	/* full 8 KiB (ZynqMP: 4 KiB) receive packet buffer */
#define DMACFG_TXPBUF	(1u << 10)
#define DMACFG_RXBUF_SHIFT 16		/* receive buffer size in 64-byte units */
#define DMACFG_ADDR64	(1u << 30)
#define DCFG1_DBW(x)	(((x) >> 25) & 7u)	/* 1 = 32, 2 = 64, 4 = 128 bits */
#define DCFG6_ADDR64	(1u << 23)
#define DCFG6_QUEUES(x)	(((x) >> 1) & 0x7fu)	/* bit q-1: priority queue q exists */

/* -------- set-up -------- */

/* module_id bits 27:16 name the design: 1 is the 10/100 MACB, 2 and up a
 * GEM (UG1087 module_id); all ones is no device at all. */
static int gem_check(struct gem *g)
{
	uint32_t mid;

	tk_dt_err_begin(g->dev->fdt, g->dev->node);
	mid = gem_rd(g, GEM_MID);
	if (mid == 0xffffffffu || ((mid >> 16) & 0xfff) < 2) {
		tk_dt_err_str("cadence-gem: module_id ");
		tk_dt_err_num(mid, 16);
		tk_dt_err_str(" is not a GEM");
		return -EIO;
	}
	return 0;
}

static bool mac_usable(const uint8_t *m)
{
	static const uint8_t zero[TK_ETH_ALEN];

	return !(m[0] & 1) && memcmp(m, zero, TK_ETH_ALEN) != 0;
}

/* A DT address property that is present must be 6 bytes and not multicast;
 * all zeros means "for the boot loader to fill in" and is skipped. */
static int mac_from_dt(struct gem *g, const char *prop, bool *found)
{
	int len;
	const uint8_t *p = fdt_getprop(g->dev->fdt, g->dev->node, prop, &len);
	static const uint8_t zero[TK_ETH_ALEN];

	*found = false;
	if (!p || (len == TK_ETH_ALEN && !memcmp(p, zero, TK_ETH_ALEN)))
		return 0;
	if (len != TK_ETH_ALEN || (p[0] & 1)) {
		tk_dt_err_begin(g->dev->fdt, g->dev->node);
		tk_dt_err_str("cadence-gem: ");
		tk_dt_err_str(prop);
		tk_dt_err_str(len != TK_ETH_ALEN ? " is not 6 bytes" : " is a multicast address");
		return -EINVAL;
	}
	memcpy(g->nd.mac, p, TK_ETH_ALEN);
	*found = true;
	return 0;
}

static int mac_choose(struct gem *g, const char **from)
{
	static const char *const props[] = { "local-mac-address", "mac-address" };
	bool found;

	for (unsigned i = 0; i < 2; i++) {
		int err = mac_from_dt(g, props[i], &found);

		if (err || found) {
			*from = props[i];
			return err;
		}
	}
	uint32_t lo = gem_rd(g, GEM_SA1B), hi = gem_rd(g, GEM_SA1T);
	uint8_t m[TK_ETH_ALEN] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
				   (uint8_t)(lo >> 24), (uint8_t)hi, (uint8_t)(hi >> 8) };

	*from = "the boot loader";
	if (!mac_usable(m)) {
		/* Locally administered, unicast, stable across boots; two
		 * boards on one LAN need local-mac-address in their DTs. */
		uint32_t b = (uint32_t)g->base;

		m[0] = 0x02;
		m[1] = 0x00;
		for (int i = 0; i < 4; i++)
			m[2 + i] = (uint8_t)(b >> (24 - 8 * i));
		*from = "generated (locally administered)";
	}
	memcpy(g->nd.mac, m, TK_ETH_ALEN);
	return 0;
}

static bool below_4g(const void *p, size_t n)
{
	return (uint64_t)(uintptr_t)p + n <= 0x100000000ull;
}

/* Rings (RX, TX, the dummy for the other queues) in one block that does
 * not cross a 4 GiB line (the upper address bits are one register per
 * direction); buffers 64-byte aligned. */
static int rings_alloc(struct gem *g)
{
	size_t rsz = (RX_SLOTS + TX_SLOTS + 1) * sizeof(struct gem_desc);
	size_t bsz = (size_t)(TX_SLOTS + RX_SLOTS + RX_SPARE) * BUF_SIZE;
	uint8_t *r = tk_dma_alloc(rsz, 64);
	uint8_t *b = tk_dma_alloc(bsz, 64);

	g->rx_slot = calloc(RX_SLOTS, sizeof(*g->rx_slot));
	g->rx_spare = calloc(RX_SLOTS + RX_SPARE, sizeof(*g->rx_spare));
	if (!r || !b || !g->rx_slot || !g->rx_spare)
		goto fail_free;
	if ((uintptr_t)r >> 32 != ((uintptr_t)r + rsz - 1) >> 32 ||
	    (!g->addr64 && (!below_4g(r, rsz) || !below_4g(b, bsz))))
		goto fail_free;
	g->rx = (struct gem_desc *)r;	/* zeroed by tk_dma_alloc */
	g->tx = gem_desc_at(g, g->rx, RX_SLOTS);
	g->txbuf = b;
	return 0;
fail_free:	/* the DMA pool is never given back: a failed probe keeps its part */
	free(g->rx_slot);
	free(g->rx_spare);
	tk_dt_err_begin(g->dev->fdt, g->dev->node);
	tk_dt_err_str("cadence-gem: no DMA-reachable memory for the rings and buffers");
	return -ENOMEM;
}

static void rings_init(struct gem *g)
{
	uint8_t *rxb = g->txbuf + TX_SLOTS * BUF_SIZE;
	struct gem_desc *dummy = gem_desc_at(g, g->tx, TX_SLOTS);

	for (unsigned i = 0; i < RX_SLOTS; i++)
		gem_rx_post(g, i, rxb + i * BUF_SIZE);
	for (unsigned i = 0; i < RX_SPARE; i++)
		g->rx_spare[g->nspare++] = rxb + (RX_SLOTS + i) * BUF_SIZE;
	for (unsigned i = 0; i < TX_SLOTS; i++) {
		struct gem_desc *d = gem_desc_at(g, g->tx, i);
		uint64_t pa = (uintptr_t)(g->txbuf + i * BUF_SIZE);

		d->addr = (uint32_t)pa;
		if (g->addr64)
			d->addr_hi = (uint32_t)(pa >> 32);
		d->ctrl = TXD_USED | (i == TX_SLOTS - 1 ? TXD_WRAP : 0);
	}
	/* Software's as a receive descriptor and as a transmit one. */
	dummy->addr = RXD_OWN | RXD_WRAP;
	dummy->ctrl = TXD_USED | TXD_WRAP;
	dma_wmb();
}

static uint32_t nwcfg_value(struct gem *g)
{
	static const uint8_t dbw[8] = { 0, 0, 1, 0, 2, 0, 0, 0 };	/* DCFG1 -> NWCFG code */
	uint32_t keep = gem_rd(g, GEM_NWCFG) & NWCFG_KEEP;

	return keep | NWCFG_MCHASH | NWCFG_LERR_DISC | NWCFG_FCS_STRIP | NWCFG_MDC_224 |
	       (uint32_t)dbw[DCFG1_DBW(gem_rd(g, GEM_DCFG1))] << NWCFG_DBW_SHIFT;
}

/* UG1085 34.3 "Programming Model": quiesce, configure, point the DMA at
 * the rings; receive and transmit are enabled by the caller. */
static void hw_init(struct gem *g)
{
	uint64_t rx = (uintptr_t)g->rx, tx = (uintptr_t)g->tx;
	uint32_t dummy = (uint32_t)(uintptr_t)gem_desc_at(g, g->tx, TX_SLOTS);
	uint32_t queues = DCFG6_QUEUES(gem_rd(g, GEM_DCFG6));
	const uint8_t *m = g->nd.mac;

	gem_wr(g, GEM_NWCTRL, 0);
	gem_wr(g, GEM_NWCTRL, NWCTRL_CLRSTAT);
	gem_wr(g, GEM_IDR, INT_ALL);
	gem_wr(g, GEM_ISR, gem_rd(g, GEM_ISR));
	gem_wr(g, GEM_RSR, 0xf);
	gem_wr(g, GEM_TSR, 0x1ff);
	gem_wr(g, GEM_NWCFG, nwcfg_value(g));
	gem_wr(g, GEM_DMACFG, DMACFG_BURST16 | DMACFG_RXPBUF | DMACFG_TXPBUF |
				      (BUF_SIZE / 64) << DMACFG_RXBUF_SHIFT |
				      (g->addr64 ? DMACFG_ADDR64 : 0));
	gem_wr(g, GEM_HASHB, 0xffffffffu);
	gem_wr(g, GEM_HASHT, 0xffffffffu);
	gem_wr(g, GEM_SA1B, (uint32_t)m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24);
	gem_wr(g, GEM_SA1T, (uint32_t)m[4] | m[5] << 8);
	if (g->addr64) {
		gem_wr(g, GEM_RBQPH, (uint32_t)(rx >> 32));
		gem_wr(g, GEM_TBQPH, (uint32_t)(tx >> 32));
	}
	gem_wr(g, GEM_RXQB, (uint32_t)rx);
	gem_wr(g, GEM_TXQB, (uint32_t)tx);
	for (unsigned q = 1; q < 8; q++) {
		if (queues & (1u << (q - 1))) {
			gem_wr(g, GEM_RXQ1B + 4 * (q - 1), dummy);
			gem_wr(g, GEM_TXQ1B + 4 * (q - 1), dummy);
		}
	}
	g->nwctrl = NWCTRL_MDEN;
	gem_wr(g, GEM_NWCTRL, g->nwctrl);
}

static void gem_report(struct gem *g, int idx, const char *mac_from)
{
	const uint8_t *m = g->nd.mac;

	tk_printk("net%d: %s mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", idx, g->dev->path,
		  m[0], m[1], m[2], m[3], m[4], m[5], gem_phy_link(g, false) ? "up" : "down");
	tk_printk("gem: %s: module_id 0x%08lx, %s descriptors, mac from %s\n", g->dev->path,
		  (unsigned long)gem_rd(g, GEM_MID), g->addr64 ? "64-bit" : "32-bit", mac_from);
}

static int gem_start(struct gem *g)
{
	struct tk_device *dev = g->dev;
	int err = tk_irq_connect(dev, 0, gem_isr, g);

	if (err) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("cadence-gem: cannot connect the interrupt");
		return err;
	}
	int idx = tk_netdev_register(&g->nd);

	if (idx < 0) {
		gem_wr(g, GEM_NWCTRL, 0);
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("cadence-gem: too many network devices");
		return idx;
	}
	gem_wr(g, GEM_IER, INT_RCOMP | INT_TXUBR | INT_HRESP);
	g->nwctrl |= NWCTRL_RXEN | NWCTRL_TXEN;
	gem_wr(g, GEM_NWCTRL, g->nwctrl);
	return idx;
}

static int gem_probe(struct tk_device *dev)
{
	uintptr_t base;
	const char *mac_from;
	int err = tk_dev_mmio_regs(dev, 0, GEM_REG_SPAN, &base);

	if (err)
		return err;
	struct gem *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->dev = dev;
	g->base = base;
	err = gem_check(g);
	if (!err)
		err = mac_choose(g, &mac_from);
	g->addr64 = gem_rd(g, GEM_DCFG6) & DCFG6_ADDR64;
	if (!err)
		err = rings_alloc(g);
	if (err) {
		free(g);
		return err;
	}
	dev->priv = g;
	tk_sem_init(&g->rx_ready, 0, 1);
	tk_sem_init(&g->tx_space, 0, 1);
	tk_mutex_init(&g->rx_lock, 0);
	tk_mutex_init(&g->tx_lock, 0);
	tk_mutex_init(&g->mdio_lock, 0);
	g->nd.ops = &gem_ops;
	g->nd.priv = g;
	g->nd.name = dev->path;
	rings_init(g);
	hw_init(g);
	gem_phy_init(g);	/* -ENODEV: no PHY, the link counts as up */
	int idx = gem_start(g);

	if (idx < 0)
		return idx;	/* memory kept: the interrupt may still name it */
	gem_report(g, idx, mac_from);
	return 0;
}

TK_DRIVER(cadence_gem, TK_LEVEL_DEVICE, gem_probe, "cdns,zynqmp-gem", "cdns,gem", "xlnx,zynqmp-gem");
