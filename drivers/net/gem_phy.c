/*
 * The GEM's MDIO bus and its PHY (IEEE 802.3 clause 22 registers). The PHY
 * is found at the address the DT gives (phy-handle, or an ethernet-phy
 * child of the MAC or of its "mdio" node); when nothing answers there the
 * whole bus (0..31) is searched and the log says where it was found - QEMU's
 * xlnx-zcu102 answers at 23 while the ZCU102 DT says 0xc.
 *
 * The PHY is not reset: a reset would drop the vendor settings the boot
 * loader made (the ZCU102's TI DP83867 needs its RGMII delays programmed,
 * ti,rx-internal-delay / ti,tx-internal-delay, which Takt does not do).
 * Auto-negotiation is turned on if it is off.
 */
#include <errno.h>

#include <libfdt.h>

#include <takt/dt.h>
#include <takt/log.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "gem.h"

#define MII_BMCR	0
#define MII_BMSR	1
#define MII_PHYID1	2
#define MII_PHYID2	3
#define MII_ANAR	4
#define MII_ANLPAR	5
#define MII_CTRL1000	9
#define MII_STAT1000	10
#define BMCR_SPEED100	(1u << 13)
#define BMCR_ANENABLE	(1u << 12)
#define BMCR_ANRESTART	(1u << 9)
#define BMCR_FULLDPLX	(1u << 8)
#define BMCR_SPEED1000	(1u << 6)
#define BMSR_ESTATEN	(1u << 8)
#define BMSR_LSTATUS	(1u << 2)	/* latched low: read twice for the state now */
#define ADV_100FULL	(1u << 8)
#define ADV_100HALF	(1u << 7)
#define ADV_10FULL	(1u << 6)
#define ADV_1000FULL	(1u << 9)	/* CTRL1000; STAT1000 has the partner's two bits higher */
#define ADV_1000HALF	(1u << 8)

#define PHYMNT_C22	(1u << 30)	/* start bits 01 */
#define PHYMNT_READ	(2u << 28)
#define PHYMNT_WRITE	(1u << 28)
#define PHYMNT_MUST10	(2u << 16)
#define MDIO_TIMEOUT_NS	10000000ull	/* a frame takes ~150 us at MDC = 100 MHz / 224 */

#define NWCFG_SPEED100	(1u << 0)
#define NWCFG_FD	(1u << 1)
#define NWCFG_GIGE	(1u << 10)

static int mdio_wait(struct gem *g)
{
	uint64_t end = tk_now_ns() + MDIO_TIMEOUT_NS;

	while (!(gem_rd(g, GEM_NWSR) & NWSR_MDIO_IDLE))
		if (tk_now_ns() > end)
			return -ETIMEDOUT;
	return 0;
}

static int mdio_op(struct gem *g, uint32_t op, unsigned phy, unsigned reg, uint16_t *val)
{
	if (phy > 31 || reg > 31)
		return -EINVAL;
	int err = mdio_wait(g);

	if (err)
		return err;
	gem_wr(g, GEM_PHYMNT, PHYMNT_C22 | op | phy << 23 | reg << 18 | PHYMNT_MUST10 | *val);
	err = mdio_wait(g);
	if (!err)
		*val = (uint16_t)gem_rd(g, GEM_PHYMNT);
	return err;
}

int gem_mdio_read(struct gem *g, unsigned phy, unsigned reg, uint16_t *val)
{
	*val = 0;
	return mdio_op(g, PHYMNT_READ, phy, reg, val);
}

int gem_mdio_write(struct gem *g, unsigned phy, unsigned reg, uint16_t val)
{
	return mdio_op(g, PHYMNT_WRITE, phy, reg, &val);
}

/* A PHY answers with an ID; an empty address reads all ones (pull-ups) or
 * zeros. */
static bool phy_present(struct gem *g, unsigned phy, uint32_t *id)
{
	uint16_t hi, lo;

	if (gem_mdio_read(g, phy, MII_PHYID1, &hi) || gem_mdio_read(g, phy, MII_PHYID2, &lo))
		return false;
	*id = (uint32_t)hi << 16 | lo;
	return *id != 0xffffffffu && *id != 0;
}

/* The address the DT gives: phy-handle's node, else the first
 * ethernet-phy child of the MAC or of its mdio node. -ENOENT: none;
 * -EINVAL: one that is no address, said here (the bus is searched). */
static int dt_phy_addr(struct gem *g)
{
	const void *fdt = g->dev->fdt;
	int node = -1, err;
	uint32_t ph, reg;

	if (tk_dt_prop_u32(fdt, g->dev->node, "phy-handle", &ph) == 0) {
		node = fdt_node_offset_by_phandle(fdt, ph);
		if (node < 0) {
			tk_printk("gem: %s: phy-handle 0x%lx names no node\n", g->dev->path,
				  (unsigned long)ph);
			return -EINVAL;
		}
	}
	if (node < 0) {
		int mdio = tk_dt_subnode(fdt, g->dev->node, "mdio");

		node = tk_dt_subnode(fdt, mdio >= 0 ? mdio : g->dev->node, "ethernet-phy");
	}
	if (node < 0)
		return -ENOENT;
	err = tk_dt_prop_u32(fdt, node, "reg", &reg);
	if (err == -ENOENT)
		return -ENOENT;
	if (err || reg > 31) {
		tk_printk("gem: %s: the PHY's reg is not an MDIO address 0..31%s\n", g->dev->path,
			  err ? " (not one cell)" : "");
		return -EINVAL;
	}
	return (int)reg;
}

static int phy_search(struct gem *g, int want, uint32_t *id)
{
	if (want >= 0 && phy_present(g, (unsigned)want, id))
		return want;
	for (unsigned a = 0; a < 32; a++)
		if ((int)a != want && phy_present(g, a, id))
			return (int)a;
	return -ENODEV;
}

int gem_phy_init(struct gem *g)
{
	int want = dt_phy_addr(g);
	uint32_t id = 0;
	uint16_t bmcr;

	g->phy = phy_search(g, want, &id);
	if (g->phy < 0) {
		tk_printk("gem: %s: no PHY answers on MDIO (0..31); link taken as up\n",
			  g->dev->path);
		return -ENODEV;
	}
	if (want >= 0 && g->phy != want)
		tk_printk("gem: %s: no PHY at MDIO address %d (the DT's); found one at %d (id 0x%08lx)\n",
			  g->dev->path, want, g->phy, (unsigned long)id);
	else if (want < 0)
		tk_printk("gem: %s: %s; found one at MDIO address %d (id 0x%08lx)\n", g->dev->path,
			  want == -ENOENT ? "the DT names no PHY" : "searched the bus", g->phy,
			  (unsigned long)id);
	if (gem_mdio_read(g, (unsigned)g->phy, MII_BMCR, &bmcr) == 0 && !(bmcr & BMCR_ANENABLE))
		gem_mdio_write(g, (unsigned)g->phy, MII_BMCR, bmcr | BMCR_ANENABLE | BMCR_ANRESTART);
	return 0;
}

/* Speed and duplex both ends agreed on (802.3 annex 28B.3 priority), or
 * the forced ones when auto-negotiation is off. */
static uint32_t phy_resolve(struct gem *g, uint16_t bmcr, uint16_t bmsr)
{
	unsigned a = (unsigned)g->phy;
	uint16_t adv = 0, lpa = 0, c1000 = 0, s1000 = 0;

	if (!(bmcr & BMCR_ANENABLE))
		return (bmcr & BMCR_SPEED1000 ? NWCFG_GIGE : 0) |
		       (bmcr & BMCR_SPEED100 ? NWCFG_SPEED100 : 0) | (bmcr & BMCR_FULLDPLX ? NWCFG_FD : 0);
	if (bmsr & BMSR_ESTATEN && !gem_mdio_read(g, a, MII_CTRL1000, &c1000) &&
	    !gem_mdio_read(g, a, MII_STAT1000, &s1000)) {
		uint16_t both = c1000 & (s1000 >> 2);

		if (both & ADV_1000FULL)
			return NWCFG_GIGE | NWCFG_FD;
		if (both & ADV_1000HALF)
			return NWCFG_GIGE;
	}
	gem_mdio_read(g, a, MII_ANAR, &adv);
	gem_mdio_read(g, a, MII_ANLPAR, &lpa);
	adv &= lpa;
	if (adv & ADV_100FULL)
		return NWCFG_SPEED100 | NWCFG_FD;
	if (adv & ADV_100HALF)
		return NWCFG_SPEED100;
	return adv & ADV_10FULL ? NWCFG_FD : 0;
}

/* Speed and duplex go into network_config. On the ZynqMP the RGMII
 * transmit clock (CRL_APB GEMx_REF_CTRL) must change with the speed too;
 * that belongs to the clock controller and stays as the boot loader set it
 * (u-boot sets it for the speed it negotiated). */
static void mac_set_speed(struct gem *g, uint32_t bits)
{
	uint32_t cfg = gem_rd(g, GEM_NWCFG) & ~(NWCFG_GIGE | NWCFG_SPEED100 | NWCFG_FD);

	gem_wr(g, GEM_NWCFG, cfg | bits);
	tk_printk("gem: %s: link up, %s Mb/s %s duplex\n", g->dev->path,
		  bits & NWCFG_GIGE ? "1000" : bits & NWCFG_SPEED100 ? "100" : "10",
		  bits & NWCFG_FD ? "full" : "half");
}

static bool link_poll(struct gem *g)
{
	uint16_t bmcr, bmsr;
	unsigned a = (unsigned)g->phy;

	if (gem_mdio_read(g, a, MII_BMSR, &bmsr) || gem_mdio_read(g, a, MII_BMSR, &bmsr) ||
	    gem_mdio_read(g, a, MII_BMCR, &bmcr))
		return g->link;	/* the bus did not answer: keep what we knew */
	bool up = bmsr & BMSR_LSTATUS;

	if (up && !g->link)
		mac_set_speed(g, phy_resolve(g, bmcr, bmsr));
	g->link = up;
	return up;
}

bool gem_phy_link(struct gem *g, bool lock)
{
	if (g->phy < 0)
		return true;
	if (lock)
		tk_mutex_lock(&g->mdio_lock, TK_FOREVER);
	bool up = link_poll(g);

	if (lock)
		tk_mutex_unlock(&g->mdio_lock);
	return up;
}
