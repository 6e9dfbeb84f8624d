/*
 * Checked devicetree access (see <takt/dt.h> for the contracts): phandles and
 * interrupts, split out of dt.c, on its private helpers (dt_impl.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "dt_impl.h"

int tk_dt_prop_phandle(const void *fdt, int node, const char *name, int *target)
{
	int len;
	const uint8_t *p = dt_get_prop(fdt, node, name, &len);

	if (!p)
		return len;
	if (len < 4 || len % 4)
		return dt_len_err(fdt, node, name, len, "not a list of cells");
	int t = dt_phandle_node(fdt, node, name, dt_be32(p));

	if (t < 0)
		return t;
	*target = t;
	return 0;
}

bool tk_dt_prop_bool(const void *fdt, int node, const char *name)
{
	return dt_getprop(fdt, node, name, NULL) != NULL;
}

/* A node's hot property by its index position when it has one (looked up
 * once a node, not once a property: x86's IOAPIC reads every node's
 * interrupts at boot), else as dt_getprop. */
struct at {
	const void *fdt;
	int node, i;
};

static struct at at_node(const void *fdt, int node)
{
	return (struct at){ fdt, node, dt_index_of(fdt, node) };
}

static const uint8_t *at_prop(const struct at *a, enum dt_hot id, int *len)
{
	return dt_props_hot_at(a->fdt, a->i, a->node, id, len);
}

/* interrupt-parent is inherited (devicetree spec 2.4.1): the nearest of
 * node and its ancestors that has one decides. */
static int irq_parent(const struct at *n)
{
	for (struct at cur = *n; cur.node >= 0;) {
		int len;
		const uint8_t *p = at_prop(&cur, DT_HOT_INTERRUPT_PARENT, &len);

		if (p && len != 4)
			return dt_len_err(n->fdt, cur.node, "interrupt-parent", len, "not 4");
		if (p)
			return dt_phandle_node(n->fdt, n->node, "interrupt-parent", dt_be32(p));
		cur = at_node(n->fdt, dt_fast_parent(n->fdt, cur.node));
	}
	return dt_prop_err(n->fdt, n->node, "interrupts", "has no interrupt-parent in any ancestor",
			   -ENXIO);
}

/* "<node>: interrupt parent <ctl> <why>" -> -EINVAL */
COLD static int ctl_err(const void *fdt, int node, int ctl, const char *why)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str("interrupt parent ");
	tk_dt_err_str(fdt_get_name(fdt, ctl, NULL));
	tk_dt_err_str(why);
	return -EINVAL;
}

/* The last controller irq_cells accepted, for the indexed (so immutable)
 * blob: a board's devices mostly name one, and x86's IOAPIC checks every
 * node's interrupts (two lookups each on the same controller). Set only
 * while fdt is the indexed blob, forgotten with the index (dt_irq_forget). */
static struct {
	const void *fdt;
	int ctl;
	uint32_t nc;
} ctl_memo;

void dt_irq_forget(void)
{
	ctl_memo.fdt = 0;
}

/* The #interrupt-cells of controller ctl, which must be one. */
static int irq_cells_read(const void *fdt, int node, int ctl, uint32_t *nc)
{
	int len;
	const uint8_t *p;

	if (!dt_getprop_hot(fdt, ctl, DT_HOT_INTERRUPT_CONTROLLER, NULL))
		return ctl_err(fdt, node, ctl, " has no 'interrupt-controller'");
	p = dt_getprop_hot(fdt, ctl, DT_HOT_INTERRUPT_CELLS, &len);
	if (!p || len != 4)
		return ctl_err(fdt, node, ctl, " has no valid '#interrupt-cells'");
	*nc = dt_be32(p);
	if (*nc < 1 || *nc > TK_DT_MAX_IRQ_CELLS) {
		ctl_err(fdt, node, ctl, " has '#interrupt-cells' = ");
		tk_dt_err_num(*nc, 10);
		tk_dt_err_str(", not 1..4");
		return -EINVAL;
	}
	return 0;
}

static int irq_cells(const void *fdt, int node, int ctl, uint32_t *nc)
{
	int rc;

	if (fdt == ctl_memo.fdt && ctl == ctl_memo.ctl) {
		*nc = ctl_memo.nc;
		return 0;
	}
	rc = irq_cells_read(fdt, node, ctl, nc);
	if (!rc && dt_indexed(fdt))
		ctl_memo.fdt = fdt, ctl_memo.ctl = ctl, ctl_memo.nc = *nc;
	return rc;
}

static void irq_fill(struct tk_dt_irq *irq, int ctl, uint32_t nc, const uint8_t *p)
{
	irq->parent = ctl;
	irq->ncells = nc;
	memset(irq->cells, 0, sizeof(irq->cells));
	for (uint32_t i = 0; i < nc; i++)
		irq->cells[i] = dt_be32(p + 4 * i);
}

COLD static int too_many_irqs(const void *fdt, int node, const char *prop, int max)
{
	dt_prop_err(fdt, node, prop, "has more entries than the ", -E2BIG);
	tk_dt_err_num(max < 0 ? 0 : (uint64_t)max, 10);
	tk_dt_err_str(" expected");
	return -E2BIG;
}

/* 'interrupts-extended': <phandle cells...> per entry, each its own controller. */
static int irqs_extended(const void *fdt, int node, const uint8_t *p, int len,
			 struct tk_dt_irq *out, int max)
{
	static const char prop[] = "interrupts-extended";
	int n = 0;

	for (int off = 0; off < len; n++) {
		uint32_t nc;
		int ctl, rc;

		if (len - off < 4)
			return dt_len_err(fdt, node, prop, len, "ends inside a phandle");
		ctl = dt_phandle_node(fdt, node, prop, dt_be32(p + off));
		if (ctl < 0)
			return ctl;
		rc = irq_cells(fdt, node, ctl, &nc);
		if (rc)
			return rc;
		off += 4;
		if ((uint32_t)(len - off) < nc * 4)
			return dt_len_err(fdt, node, prop, len, "ends inside an entry's cells");
		if (n >= max)
			return too_many_irqs(fdt, node, prop, max);
		irq_fill(&out[n], ctl, nc, p + off);
		off += (int)nc * 4;
	}
	return n;
}

int tk_dt_irqs(const void *fdt, int node, struct tk_dt_irq *out, int max)
{
	uint32_t nc;
	int len, ctl, n, rc;
	struct at a = at_node(fdt, node);
	const uint8_t *p = at_prop(&a, DT_HOT_INTERRUPTS_EXTENDED, &len);

	/* interrupts-extended wins over interrupts (devicetree spec 2.4.1.3). */
	if (p)
		return irqs_extended(fdt, node, p, len, out, max);
	p = at_prop(&a, DT_HOT_INTERRUPTS, &len);
	if (!p) {
		dt_prop_failed(fdt, node, "interrupts", &len);
		return len;
	}
	ctl = irq_parent(&a);
	if (ctl < 0)
		return ctl;
	rc = irq_cells(fdt, node, ctl, &nc);
	if (rc)
		return rc;
	if ((uint32_t)len % (nc * 4)) {
		dt_len_err(fdt, node, "interrupts", len, "not a multiple of #interrupt-cells=");
		tk_dt_err_num(nc, 10);
		tk_dt_err_str(" cells");
		return -EINVAL;
	}
	n = len / (int)(nc * 4);
	if (n > max)
		return too_many_irqs(fdt, node, "interrupts", max);
	for (int i = 0; i < n; i++)
		irq_fill(&out[i], ctl, nc, p + (size_t)i * nc * 4);
	return n;
}

/* ---- node identity ---------------------------------------------------- */
