/*
 * Internal interface between the Cadence GEM driver (cadence_gem.c) and its
 * MDIO/PHY half (gem_phy.c). Not a public header. Register offsets and bits
 * are from the Zynq UltraScale+ register reference (UG1087, module GEM) and
 * the TRM (UG1085, chapter 34 "Gigabit Ethernet Controller").
 */
#ifndef TAKT_DRIVERS_GEM_H
#define TAKT_DRIVERS_GEM_H

#include <stdbool.h>
#include <stdint.h>

#include <takt/device.h>
#include <takt/netdev.h>
#include <takt/sync.h>

#define GEM_NWCTRL	0x000	/* network_control */
#define GEM_NWCFG	0x004	/* network_config */
#define GEM_NWSR	0x008	/* network_status */
#define GEM_DMACFG	0x010	/* dma_config */
#define GEM_TSR		0x014	/* transmit_status, write 1 to clear */
#define GEM_RXQB	0x018	/* receive_q_ptr */
#define GEM_TXQB	0x01c	/* transmit_q_ptr: reads the current descriptor */
#define GEM_RSR		0x020	/* receive_status, write 1 to clear */
#define GEM_ISR		0x024	/* int_status */
#define GEM_IER		0x028
#define GEM_IDR		0x02c
#define GEM_PHYMNT	0x034	/* phy_management */
#define GEM_HASHB	0x080	/* hash_bottom / hash_top */
#define GEM_HASHT	0x084
#define GEM_SA1B	0x088	/* spec_add1_bottom: MAC bytes 0..3 */
#define GEM_SA1T	0x08c	/* spec_add1_top: bytes 4..5; writing it enables the filter */
#define GEM_MID		0x0fc	/* module_id */
#define GEM_DCFG1	0x280	/* designcfg_debug1 */
#define GEM_DCFG6	0x294	/* designcfg_debug6 */
#define GEM_TXQ1B	0x440	/* transmit_q1_ptr .. q7 */
#define GEM_RXQ1B	0x480	/* receive_q1_ptr .. q7 */
#define GEM_TBQPH	0x4c8	/* upper 32 bits of every TX queue pointer */
#define GEM_RBQPH	0x4d4	/* upper 32 bits of every RX queue pointer */
#define GEM_REG_SPAN	0x500

#define NWCTRL_RXEN	(1u << 2)
#define NWCTRL_TXEN	(1u << 3)
#define NWCTRL_MDEN	(1u << 4)	/* management (MDIO) port enable */
#define NWCTRL_CLRSTAT	(1u << 5)
#define NWCTRL_TSTART	(1u << 9)
#define NWSR_MDIO_IDLE	(1u << 2)

struct gem {
	struct tk_netdev nd;
	struct tk_device *dev;
	uintptr_t base;
	uint32_t nwctrl;		/* value kept in network_control */
	/* PHY */
	int phy;			/* MDIO address, -1 none */
	struct tk_mutex mdio_lock;
	bool link;
	/* rings (cadence_gem.c) */
	struct gem_desc *rx, *tx;
	uint8_t **rx_slot;		/* buffer posted in each RX slot, NULL when empty */
	uint8_t **rx_spare;		/* free RX buffers */
	uint8_t *txbuf;
	unsigned rx_head, rx_refill, rx_empty, nspare;
	uint64_t rx_lent;		/* bit i: RX buffer i lent by recv_frame (rx_lock) */
	unsigned tx_head, tx_tail;
	bool addr64;
	struct tk_sem rx_ready, tx_space;
	struct tk_mutex rx_lock, tx_lock;
	uint64_t hresp_errors;
};

static inline uint32_t gem_rd(struct gem *g, unsigned off)
{
	return *(volatile uint32_t *)(g->base + off);
}

static inline void gem_wr(struct gem *g, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(g->base + off) = v;
}

#define INT_RCOMP	(1u << 1)
#define INT_TXUBR	(1u << 3)
#define INT_TCOMP	(1u << 7)
#define INT_HRESP	(1u << 11)
#define INT_ALL		0xffffffffu

#define RXD_OWN		(1u << 0)	/* address word: 1 = software's (a frame is in it) */
#define RXD_WRAP	(1u << 1)
#define RXD_LEN(x)	((x) & 0x1fffu)
#define RXD_SOF		(1u << 14)
#define RXD_EOF		(1u << 15)
#define TXD_LAST	(1u << 15)
#define TXD_WRAP	(1u << 30)
#define TXD_USED	(1u << 31)	/* 1 = software's */

#define RX_SLOTS	32
#define RX_SPARE	16		/* frames lent at once: net/netif.c lends up to 16 */
#define TX_SLOTS	32
#define BUF_SIZE	1536		/* 24 x 64: a 1518-byte frame with a VLAN tag */
_Static_assert(RX_SLOTS + RX_SPARE <= 64, "rx_lent: a bit per RX buffer");
#define TX_WAIT_NS	2000000ull

struct gem_desc {
	uint32_t addr;
	uint32_t ctrl;
	uint32_t addr_hi;		/* 64-bit descriptors only */
	uint32_t unused;
};

/* Order our descriptor and buffer writes before the device may see the
 * ownership change, and its writes before our reads (as virtio does). */
static inline void dma_wmb(void)
{
#if defined(__aarch64__)
	__asm__ volatile("dmb oshst" ::: "memory");
#else
	__asm__ volatile("sfence" ::: "memory");
#endif
}

static inline void dma_rmb(void)
{
#if defined(__aarch64__)
	__asm__ volatile("dmb oshld" ::: "memory");
#else
	__asm__ volatile("lfence" ::: "memory");
#endif
}

static inline unsigned gem_stride(struct gem *g)
{
	return g->addr64 ? 16 : 8;
}

static inline struct gem_desc *gem_desc_at(struct gem *g, struct gem_desc *ring, unsigned i)
{
	return (struct gem_desc *)((uint8_t *)ring + i * gem_stride(g));
}

/* gem_ring.c: the data path. */
void gem_rx_post(struct gem *g, unsigned i, uint8_t *b);
void gem_isr(void *arg);
extern const struct tk_netdev_ops gem_ops;

/* gem_phy.c. Clause 22 MDIO through phy_management (UG1085 34.2.8). */
int gem_mdio_read(struct gem *g, unsigned phy, unsigned reg, uint16_t *val);
int gem_mdio_write(struct gem *g, unsigned phy, unsigned reg, uint16_t val);
/* Find the PHY (the DT's address first, then the bus 0..31), turn
 * auto-negotiation on. -ENODEV: none answers (the link is then taken as
 * up: a fixed link or a switch without MDIO). */
int gem_phy_init(struct gem *g);
/* Link from the PHY's BMSR; when it comes up network_config gets the
 * negotiated speed and duplex. Thread context (lock = true), or the probe
 * before threads run (lock = false). */
bool gem_phy_link(struct gem *g, bool lock);

#endif
