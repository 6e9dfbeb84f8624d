/* Pieces shared by the GICv2 and GICv3 drivers: the distributor's SPI set
 * up and the DT interrupt specifier (ARM GIC binding: <type number flags>,
 * type 0 = SPI -> line 32 + n, type 1 = PPI -> line 16 + n). */
#ifndef TAKT_GIC_COMMON_H
#define TAKT_GIC_COMMON_H

#include <errno.h>
#include <stdint.h>

#include <takt/dt.h>

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_IPRIORITYR	0x0400
#define GICD_ITARGETSR	0x0800
#define GIC_PRIO_DEFAULT 0xa0

static inline volatile uint32_t *gic_reg(uintptr_t base, unsigned off)
{
	return (volatile uint32_t *)(base + off);
}

/* Lines the distributor implements: 32 * (ITLinesNumber + 1), max 1020. */
static inline unsigned gic_nlines(uintptr_t dist)
{
	unsigned n = 32 * ((*gic_reg(dist, GICD_TYPER) & 0x1f) + 1);

	return n > 1020 ? 1020 : n;
}

static inline int gic_xlate(const uint32_t *c, uint32_t n, unsigned nlines, unsigned *line)
{
	if (n < 2)
		return -EINVAL;
	if (c[0] == 0 && c[1] < nlines - 32)
		*line = 32 + c[1];
	else if (c[0] == 1 && c[1] < 16)
		*line = 16 + c[1];
	else {	/* said: the device's driver may only pass the code on */
		tk_dt_err_begin(0, -1);
		tk_dt_err_str("GIC interrupt ");
		tk_dt_err_cells(c, 2);
		tk_dt_err_str(" is no SPI below ");
		tk_dt_err_num(nlines - 32, 10);
		tk_dt_err_str(" nor PPI below 16");
		return -EINVAL;
	}
	return 0;
}

/* All SPIs disabled, in the group given, at the default priority. */
static inline void gic_dist_init_spis(uintptr_t dist, unsigned nlines, uint32_t group)
{
	for (unsigned i = 32; i < nlines; i += 32) {
		*gic_reg(dist, GICD_ICENABLER + i / 8) = 0xffffffffu;
		*gic_reg(dist, GICD_IGROUPR + i / 8) = group;
	}
	for (unsigned i = 32; i < nlines; i += 4)
		*gic_reg(dist, GICD_IPRIORITYR + i) = 0x01010101u * GIC_PRIO_DEFAULT;
}

static inline void gic_enable_bit(uintptr_t base, unsigned off, unsigned line)
{
	*gic_reg(base, off + (line / 32) * 4) = 1u << (line % 32);
}

#endif
