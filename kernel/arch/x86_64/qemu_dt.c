/*
 * The virtio-mmio slots of QEMU's microvm DT, merged into the kernel's DT
 * copy (see qemu_dt.h). Pure: built as it is by the host unit tests.
 */
#include <errno.h>
#include <string.h>

#include <libfdt.h>
#include <takt/dt.h>

#include "qemu_dt.h"

#define NAME_MAX_LEN	64

struct slot {
	char name[NAME_MAX_LEN];
	uint64_t addr, size;
	uint32_t pin, parent_phandle;
};

static int fail(const void *fdt, int node, const char *what, int err)
{
	tk_dt_err_begin(fdt, node);
	tk_dt_err_str(what);
	return err;
}

int qemu_fdt_prefix(const void *hdr, size_t hdr_len, uint64_t file_size, size_t bufmax,
		    size_t *need)
{
	if (!hdr || hdr_len < sizeof(struct fdt_header) || fdt_magic(hdr) != FDT_MAGIC ||
	    fdt_version(hdr) < 17)
		return fail(NULL, -1, "QEMU's etc/fdt: bad header (magic or version)", -EBADMSG);
	uint64_t total = fdt_totalsize(hdr);
	uint64_t end = sizeof(struct fdt_header);
	uint64_t e[3] = {
		(uint64_t)fdt_off_mem_rsvmap(hdr) + sizeof(struct fdt_reserve_entry),
		(uint64_t)fdt_off_dt_struct(hdr) + fdt_size_dt_struct(hdr),
		(uint64_t)fdt_off_dt_strings(hdr) + fdt_size_dt_strings(hdr),
	};

	for (int i = 0; i < 3; i++)
		end = e[i] > end ? e[i] : end;
	if (total > file_size || end > total)
		return fail(NULL, -1, "QEMU's etc/fdt: blocks past totalsize or the file", -EBADMSG);
	if (end > bufmax)
		return fail(NULL, -1, "QEMU's etc/fdt: larger than the buffer for it", -E2BIG);
	*need = (size_t)end;
	return 0;
}

/* One slot of QEMU's blob, checked; its interrupt parent resolved in fdt. */
static int read_slot(const void *fdt, const void *q, int node, struct slot *s)
{
	struct tk_dt_reg reg[2];
	struct tk_dt_irq irq[2];
	int len, n;
	const char *name = fdt_get_name(q, node, &len);

	if (tk_dt_depth(q, node) != 1)
		return fail(q, node, "virtio,mmio slot is not a child of the root", -EINVAL);
	if (!name || len <= 0 || len >= NAME_MAX_LEN)
		return fail(q, node, "virtio,mmio slot name empty or too long", -EINVAL);
	memcpy(s->name, name, (size_t)len);
	s->name[len] = 0;
	n = tk_dt_reg(q, node, reg, 2);
	if (n != 1 || reg[0].size == 0)
		return n < 0 ? n : fail(q, node, "virtio,mmio slot needs exactly one non-empty reg",
					-EINVAL);
	s->addr = reg[0].addr;
	s->size = reg[0].size;
	n = tk_dt_irqs(q, node, irq, 2);
	if (n != 1 || irq[0].ncells != 2)
		return n < 0 ? n : fail(q, node, "virtio,mmio slot needs one <pin type> interrupt",
					-EINVAL);
	s->pin = irq[0].cells[0];
	const char *pname = fdt_get_name(q, irq[0].parent, NULL);
	int p = pname ? fdt_subnode_offset(fdt, 0, pname) : -1;

	s->parent_phandle = p >= 0 ? fdt_get_phandle(fdt, p) : 0;
	if (s->parent_phandle == 0 || s->parent_phandle == (uint32_t)-1)
		return fail(q, irq[0].parent,
			    "QEMU's interrupt parent has no node with a phandle in the kernel's DT",
			    -ENXIO);
	/* The name must not belong to anything but a slot in fdt. */
	int mine = fdt_subnode_offset(fdt, 0, s->name);

	if (mine >= 0 && tk_dt_compat_index(fdt, mine, "virtio,mmio") < 0)
		return fail(q, node, "virtio,mmio slot's name is a different node in the kernel's DT",
			    -EINVAL);
	return 0;
}

static int write_slot(void *fdt, const struct slot *s)
{
	fdt32_t reg[4] = {
		cpu_to_fdt32((uint32_t)(s->addr >> 32)), cpu_to_fdt32((uint32_t)s->addr),
		cpu_to_fdt32((uint32_t)(s->size >> 32)), cpu_to_fdt32((uint32_t)s->size),
	};
	fdt32_t irq[2] = { cpu_to_fdt32(s->pin), cpu_to_fdt32(QEMU_DT_VIRTIO_IRQ_TYPE) };
	int node = fdt_add_subnode(fdt, 0, s->name);

	if (node < 0 || fdt_setprop_string(fdt, node, "compatible", "virtio,mmio") ||
	    fdt_setprop(fdt, node, "reg", reg, sizeof(reg)) ||
	    fdt_setprop_u32(fdt, node, "interrupt-parent", s->parent_phandle) ||
	    fdt_setprop(fdt, node, "interrupts", irq, sizeof(irq)) ||
	    fdt_setprop_empty(fdt, node, "dma-coherent"))
		return fail(NULL, -1, "no room in the kernel's DT buffer for QEMU's virtio slots",
			    -ENOSPC);
	return 0;
}

int qemu_dt_merge_virtio(void *fdt, const void *q, size_t qlen)
{
	static struct slot slots[QEMU_DT_MAX_SLOTS];
	int n = 0, node, err = tk_dt_validate(q, qlen);

	if (err)
		return err;
	if (fdt_address_cells(fdt, 0) != 2 || fdt_size_cells(fdt, 0) != 2)
		return fail(fdt, 0, "the kernel's DT root must have 2 address and 2 size cells",
			    -EINVAL);
	for (node = fdt_node_offset_by_compatible(q, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(q, node, "virtio,mmio")) {
		if (!tk_dt_node_enabled(q, node))
			continue;
		if (n == QEMU_DT_MAX_SLOTS)
			return fail(q, node, "more virtio,mmio slots than QEMU has", -E2BIG);
		err = read_slot(fdt, q, node, &slots[n]);
		if (err)
			return err;
		for (int i = 0; i < n; i++)
			if (!strcmp(slots[i].name, slots[n].name) || slots[i].addr == slots[n].addr)
				return fail(q, node, "two virtio,mmio slots with one name or address",
					    -EINVAL);
		n++;
	}
	/* Checked: now replace. fdt_add_subnode puts a node first among its
	 * siblings, so adding in reverse keeps QEMU's order. */
	while ((node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio")) >= 0)
		if (fdt_del_node(fdt, node))
			return fail(fdt, node, "cannot delete a built-in virtio,mmio node", -ENOSPC);
	for (int i = n - 1; i >= 0; i--) {
		err = write_slot(fdt, &slots[i]);
		if (err)
			return err;
	}
	return n;
}

static int cpus_node(void *fdt)
{
	int node = fdt_path_offset(fdt, "/cpus");

	if (node >= 0)
		return node;
	node = fdt_add_subnode(fdt, 0, "cpus");
	if (node < 0)
		return node;
	int err = fdt_setprop_u32(fdt, node, "#address-cells", 1);

	if (!err)
		err = fdt_setprop_u32(fdt, node, "#size-cells", 0);
	return err ? err : node;
}

/* libfdt errors become the negative errno this file's callers expect. */
static int fdt_errno(int err)
{
	return err == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL;
}

int qemu_dt_merge_cpus(void *fdt, uint32_t ncpus)
{
	if (ncpus == 0 || ncpus > QEMU_DT_MAX_CPUS)
		return -EINVAL;
	int parent = cpus_node(fdt);

	if (parent < 0)
		return fdt_errno(parent);
	/* Last first: fdt_add_subnode puts a node first among its siblings,
	 * so the CPUs end up in APIC ID order (started in that order). */
	for (uint32_t id = ncpus; id-- > 0;) {
		char name[8] = "cpu@0";	/* QEMU_DT_MAX_CPUS <= 10: one digit */

		name[4] = (char)('0' + id);
		if (fdt_subnode_offset(fdt, parent, name) >= 0)
			continue;
		int node = fdt_add_subnode(fdt, parent, name);
		int err = node < 0 ? node : fdt_setprop_string(fdt, node, "device_type", "cpu");

		if (!err)
			err = fdt_setprop_u32(fdt, node, "reg", id);
		if (err)
			return fdt_errno(err);
		/* fdt_add_subnode moved later offsets: find /cpus again. */
		parent = fdt_path_offset(fdt, "/cpus");
		if (parent < 0)
			return fdt_errno(parent);
	}
	return 0;
}
