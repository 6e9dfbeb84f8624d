/*
 * kernel/arch/x86_64/qemu_dt.c: QEMU microvm's etc/fdt, read header first
 * (qemu_fdt_prefix), and its virtio,mmio slots replacing the kernel DT's
 * (qemu_dt_merge_virtio). Fixtures: dts/microvm_base.dts (the kernel's
 * side), dts/microvm_qemu.dts (QEMU's DT with two virtio-blk devices).
 */
#include <errno.h>

#include "fixture.h"

#include "qemu_dt.h"

struct ctx {
	void *base, *qemu, *before;
	size_t qlen;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->base = dtb_edit(dtb_load("microvm_base"));
	c->before = malloc(fdt_totalsize(c->base));
	memcpy(c->before, c->base, fdt_totalsize(c->base));
	c->qemu = dtb_load("microvm_qemu");
	c->qlen = fdt_totalsize(c->qemu);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	free(c->base);
	free(c->before);
	free(c->qemu);
	free(c);
	return 0;
}

static void assert_base_unchanged(const struct ctx *c)
{
	assert_memory_equal(c->base, c->before, fdt_totalsize(c->before));
}

/* Edit QEMU's blob, then seal it into an exact-size buffer. */
static void qemu_edit_begin(struct ctx *c)
{
	c->qemu = dtb_edit(c->qemu);
}

static void qemu_edit_end(struct ctx *c)
{
	c->qemu = dtb_seal(c->qemu);
	c->qlen = fdt_totalsize(c->qemu);
}

static int count_virtio(const void *fdt)
{
	int n = 0;

	for (int node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio"))
		n++;
	return n;
}

static void assert_slot(const void *fdt, int node, const char *name, uint64_t addr,
			uint32_t pin)
{
	struct tk_dt_reg r;
	struct tk_dt_irq irq;

	assert_string_equal(fdt_get_name(fdt, node, NULL), name);
	assert_int_equal(tk_dt_reg(fdt, node, &r, 1), 1);
	assert_int_equal(r.addr, addr);
	assert_int_equal(r.size, 0x200);
	assert_int_equal(tk_dt_irqs(fdt, node, &irq, 1), 1);
	assert_int_equal(irq.parent, fdt_path_offset(fdt, "/ioapic1@fec00000"));
	assert_int_equal(irq.ncells, 2);
	assert_int_equal(irq.cells[0], pin);
	assert_int_equal(irq.cells[1], QEMU_DT_VIRTIO_IRQ_TYPE);
	assert_non_null(fdt_getprop(fdt, node, "dma-coherent", NULL));
	assert_int_equal(tk_dt_compat_index(fdt, node, "virtio,mmio"), 0);
}

/* The two slots QEMU lists replace the two built-in ones, in QEMU's order,
 * with the kernel's IOAPIC phandle; nothing else changes. */
static void test_qemu_slots_replace_builtin(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 2);
	assert_int_equal(tk_dt_validate(c->base, fdt_totalsize(c->base)), 0);
	assert_int_equal(count_virtio(c->base), 2);
	assert_true(fdt_path_offset(c->base, "/virtio_mmio@feb00000") < 0);
	assert_true(fdt_path_offset(c->base, "/virtio_mmio@feb00200") < 0);
	int first = fdt_node_offset_by_compatible(c->base, -1, "virtio,mmio");
	int second = fdt_node_offset_by_compatible(c->base, first, "virtio,mmio");

	assert_slot(c->base, first, "virtio_mmio@feb00e00", 0xfeb00e00, 12);
	assert_slot(c->base, second, "virtio_mmio@feb00c00", 0xfeb00c00, 11);
	/* The serial keeps the kernel's own specifier <4 3>. */
	struct tk_dt_irq irq;

	assert_int_equal(tk_dt_irqs(c->base, fdt_path_offset(c->base, "/serial@3f8"), &irq, 1), 1);
	assert_int_equal(irq.cells[1], 3);
}

/* QEMU's two slots renamed after the kernel's (same length, in place). */
static void rename_qemu_slots(struct ctx *c, const char *for_e00, const char *for_c00)
{
	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00e00"),
				      for_e00), 0);
	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00c00"),
				      for_c00), 0);
}

static void assert_two_slots(const void *fdt, const char *first, uint64_t a1, uint32_t p1,
			     const char *second, uint64_t a2, uint32_t p2)
{
	int n1 = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	int n2 = fdt_node_offset_by_compatible(fdt, n1, "virtio,mmio");

	assert_int_equal(tk_dt_validate(fdt, fdt_totalsize(fdt)), 0);
	assert_int_equal(count_virtio(fdt), 2);
	assert_slot(fdt, n1, first, a1, p1);
	assert_slot(fdt, n2, second, a2, p2);
}

/* Slots named as the built-in ones, in their order: written over them in
 * place (the nodes stay where they were), QEMU's values in them. */
static void test_slots_named_like_builtin_written_in_place(void **state)
{
	struct ctx *c = *state;
	int at0 = fdt_path_offset(c->base, "/virtio_mmio@feb00000");
	int at2 = fdt_path_offset(c->base, "/virtio_mmio@feb00200");

	rename_qemu_slots(c, "virtio_mmio@feb00000", "virtio_mmio@feb00200");
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 2);
	/* added nodes would come first among the root's children */
	assert_int_equal(fdt_path_offset(c->base, "/virtio_mmio@feb00000"), at0);
	assert_int_equal(fdt_path_offset(c->base, "/virtio_mmio@feb00200"), at2);
	assert_two_slots(c->base, "virtio_mmio@feb00000", 0xfeb00e00, 12,
			 "virtio_mmio@feb00200", 0xfeb00c00, 11);
}

/* The same names in the other order: QEMU's order still wins. */
static void test_builtin_names_in_other_order_keep_qemus_order(void **state)
{
	struct ctx *c = *state;

	rename_qemu_slots(c, "virtio_mmio@feb00200", "virtio_mmio@feb00000");
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 2);
	assert_two_slots(c->base, "virtio_mmio@feb00200", 0xfeb00e00, 12,
			 "virtio_mmio@feb00000", 0xfeb00c00, 11);
}

/* A built-in node with more than a slot's properties is replaced whole:
 * nothing of it is left (here, its status). */
static void test_builtin_with_other_properties_replaced(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(fdt_setprop_string(c->base, fdt_path_offset(c->base,
				"/virtio_mmio@feb00200"), "status", "okay"), 0);
	rename_qemu_slots(c, "virtio_mmio@feb00000", "virtio_mmio@feb00200");
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 2);
	assert_two_slots(c->base, "virtio_mmio@feb00000", 0xfeb00e00, 12,
			 "virtio_mmio@feb00200", 0xfeb00c00, 11);
	assert_null(fdt_getprop(c->base, fdt_path_offset(c->base, "/virtio_mmio@feb00200"),
				"status", NULL));
}

/* One slot QEMU lists is a built-in one; the other built-in one goes. */
static void test_unlisted_builtin_deleted_beside_one_in_place(void **state)
{
	struct ctx *c = *state;

	qemu_edit_begin(c);
	assert_int_equal(fdt_del_node(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00e00")),
			 0);
	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00c00"),
				      "virtio_mmio@feb00200"), 0);
	qemu_edit_end(c);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 1);
	assert_int_equal(count_virtio(c->base), 1);
	assert_true(fdt_path_offset(c->base, "/virtio_mmio@feb00000") < 0);
	assert_slot(c->base, fdt_path_offset(c->base, "/virtio_mmio@feb00200"),
		    "virtio_mmio@feb00200", 0xfeb00c00, 11);
}

/* The merge's list of its slots (what the boot prints) is what a walk of
 * the merged DT reads: names, reg addresses, pins, in DT order. */
static void merge_and_compare_list(struct ctx *c, int want)
{
	void *ws = aligned_alloc(8, QEMU_DT_MERGE_SCRATCH);
	const char *name;
	uint64_t addr;
	uint32_t pin;
	int i = 0;

	assert_non_null(ws);
	assert_int_equal(qemu_dt_merge_virtio_in(c->base, c->qemu, c->qlen, ws), want);
	for (int node = fdt_node_offset_by_compatible(c->base, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(c->base, node, "virtio,mmio"), i++) {
		const fdt32_t *r = fdt_getprop(c->base, node, "reg", NULL);
		const fdt32_t *irq = fdt_getprop(c->base, node, "interrupts", NULL);

		assert_int_equal(qemu_dt_merged_slot(ws, i, &name, &addr, &pin), 0);
		assert_string_equal(name, fdt_get_name(c->base, node, NULL));
		assert_int_equal((uint32_t)addr, fdt32_to_cpu(r[1]));
		assert_int_equal(pin, fdt32_to_cpu(irq[0]));
	}
	assert_int_equal(i, want);
	assert_int_equal(qemu_dt_merged_slot(ws, -1, &name, &addr, &pin), -EINVAL);
	assert_int_equal(qemu_dt_merged_slot(ws, QEMU_DT_MAX_SLOTS, &name, &addr, &pin), -EINVAL);
	free(ws);
}

static void test_merged_list_matches_dt_when_added(void **state)
{
	merge_and_compare_list(*state, 2);
}

static void test_merged_list_matches_dt_when_written_in_place(void **state)
{
	struct ctx *c = *state;

	rename_qemu_slots(c, "virtio_mmio@feb00000", "virtio_mmio@feb00200");
	merge_and_compare_list(c, 2);
}

/* QEMU's name without a unit address matches the built-in "name@unit":
 * the list gives the DT node's own name. */
static void test_merged_list_names_the_node_written_over(void **state)
{
	struct ctx *c = *state;

	qemu_edit_begin(c);
	assert_int_equal(fdt_del_node(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00e00")),
			 0);
	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00c00"),
				      "virtio_mmio"), 0);
	qemu_edit_end(c);
	merge_and_compare_list(c, 1);
}

/* QEMU without devices lists no slot: the kernel's DT then has none. */
static void test_no_slots_listed_leaves_none(void **state)
{
	struct ctx *c = *state;
	int node;

	qemu_edit_begin(c);
	while ((node = fdt_node_offset_by_compatible(c->qemu, -1, "virtio,mmio")) >= 0)
		assert_int_equal(fdt_del_node(c->qemu, node), 0);
	qemu_edit_end(c);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 0);
	assert_int_equal(count_virtio(c->base), 0);
	assert_true(fdt_path_offset(c->base, "/serial@3f8") >= 0);
}

static void test_garbage_blob_ignored(void **state)
{
	struct ctx *c = *state;
	uint64_t junk[64];

	memset(junk, 0xa5, sizeof(junk));
	assert_int_equal(qemu_dt_merge_virtio(c->base, junk, sizeof(junk)), -EBADMSG);
	assert_base_unchanged(c);
}

static void test_truncated_blob_ignored(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen - 8), -E2BIG);
	assert_base_unchanged(c);
}

static void test_damaged_structure_ignored(void **state)
{
	struct ctx *c = *state;

	/* A property name offset past the strings block. */
	fdt_set_size_dt_strings(c->qemu, 4);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -EBADMSG);
	assert_base_unchanged(c);
}

static void test_unknown_interrupt_parent_ignored(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/ioapic1@fec00000"),
				      "ioapic9@fec00000"), 0);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -ENXIO);
	assert_non_null(strstr(tk_dt_last_error(), "ioapic9@fec00000"));
	assert_base_unchanged(c);
}

static void test_slot_with_two_regs_ignored(void **state)
{
	struct ctx *c = *state;
	const fdt32_t reg[8] = { 0, cpu_to_fdt32(0xfeb00c00), 0, cpu_to_fdt32(0x200),
				 0, cpu_to_fdt32(0xfeb01000), 0, cpu_to_fdt32(0x200) };

	qemu_edit_begin(c);
	assert_int_equal(fdt_setprop(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00c00"),
				     "reg", reg, sizeof(reg)), 0);
	qemu_edit_end(c);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -EINVAL);
	assert_base_unchanged(c);
}

static void test_slot_without_interrupts_ignored(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(fdt_delprop(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00e00"),
				     "interrupts"), 0);
	assert_true(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen) < 0);
	assert_base_unchanged(c);
}

/* A slot named like one of the kernel's other nodes would replace it. */
static void test_slot_named_like_other_node_ignored(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/serial@3f8"),
				      "uart@3f8"), 0);
	assert_int_equal(fdt_set_name(c->qemu, fdt_path_offset(c->qemu, "/virtio_mmio@feb00c00"),
				      "serial@3f8"), 0);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -EINVAL);
	assert_base_unchanged(c);
}

static void test_too_many_slots_ignored(void **state)
{
	struct ctx *c = *state;
	char name[32];

	qemu_edit_begin(c);
	int ioapic = fdt_path_offset(c->qemu, "/ioapic1@fec00000");
	uint32_t ph = fdt_get_phandle(c->qemu, ioapic);

	for (int i = 0; i < QEMU_DT_MAX_SLOTS; i++) {
		snprintf(name, sizeof(name), "virtio_mmio@%x", 0xd0000000 + i * 0x200);
		int n = fdt_add_subnode(c->qemu, 0, name);
		fdt32_t reg[4] = { 0, cpu_to_fdt32(0xd0000000 + i * 0x200), 0, cpu_to_fdt32(0x200) };
		fdt32_t irq[2] = { cpu_to_fdt32(5), 0 };

		assert_true(n >= 0);
		assert_int_equal(fdt_setprop_string(c->qemu, n, "compatible", "virtio,mmio"), 0);
		assert_int_equal(fdt_setprop(c->qemu, n, "reg", reg, sizeof(reg)), 0);
		assert_int_equal(fdt_setprop_u32(c->qemu, n, "interrupt-parent", ph), 0);
		assert_int_equal(fdt_setprop(c->qemu, n, "interrupts", irq, sizeof(irq)), 0);
	}
	qemu_edit_end(c);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -E2BIG);
	assert_base_unchanged(c);
}

/* The kernel's own DT with more virtio,mmio nodes than the merge keeps
 * track of (its 8 and 64 more) is refused before anything changes. */
static void test_too_many_builtin_slots_refused(void **state)
{
	struct ctx *c = *state;
	const int size = 1 << 16;
	char name[16];

	c->base = realloc(c->base, (size_t)size);
	assert_int_equal(fdt_open_into(c->base, c->base, size), 0);
	for (int i = 0; i < 64; i++) {
		snprintf(name, sizeof(name), "v@%x", i);
		int n = fdt_add_subnode(c->base, 0, name);

		assert_true(n >= 0);
		assert_int_equal(fdt_setprop_string(c->base, n, "compatible", "virtio,mmio"), 0);
	}
	c->before = realloc(c->before, (size_t)size);
	memcpy(c->before, c->base, (size_t)size);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -E2BIG);
	assert_non_null(strstr(tk_dt_last_error(), "too many virtio,mmio nodes"));
	assert_base_unchanged(c);
}

/* A kernel DT whose structure block is cut short (its size in the header
 * ends inside the root) is refused, named, and left as it was: the scan of
 * its tags stops at the block's end and never reads past it. */
static void test_truncated_kernel_dt_refused(void **state)
{
	struct ctx *c = *state;

	fdt_set_size_dt_struct(c->base, fdt_size_dt_struct(c->base) / 2);
	memcpy(c->before, c->base, fdt_totalsize(c->base));
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -EINVAL);
	assert_non_null(strstr(tk_dt_last_error(), "kernel's DT ends inside a node"));
	assert_base_unchanged(c);
}

/* A kernel DT whose root does not have 2 address and 2 size cells (here
 * libfdt's default of 1 size cell) is refused, named, and left as it was:
 * the merge writes 64-bit reg values. */
static void test_kernel_dt_root_cells_refused(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(fdt_delprop(c->base, 0, "#size-cells"), 0);
	memcpy(c->before, c->base, fdt_totalsize(c->base));
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), -EINVAL);
	assert_non_null(strstr(tk_dt_last_error(), "2 address and 2 size cells"));
	assert_base_unchanged(c);
}

/* The scan finds virtio,mmio nodes at any depth and anywhere in a
 * compatible list (fdt_node_check_compatible's rule): both go with the
 * other built-in slots; a node merely named like one stays. */
static void test_kernel_dt_virtio_nodes_anywhere(void **state)
{
	struct ctx *c = *state;
	static const char list[] = "acme,thing\0virtio,mmio";
	int bus = fdt_add_subnode(c->base, 0, "bus");

	assert_true(bus >= 0);
	int nested = fdt_add_subnode(c->base, bus, "virtio_mmio@1000");

	assert_true(nested >= 0);
	assert_int_equal(fdt_setprop_string(c->base, nested, "compatible", "virtio,mmio"), 0);
	int second = fdt_add_subnode(c->base, 0, "thing@2000");

	assert_true(second >= 0);
	assert_int_equal(fdt_setprop(c->base, second, "compatible", list, sizeof(list)), 0);
	int named = fdt_add_subnode(c->base, 0, "virtio_mmio@3000");

	assert_true(named >= 0);
	assert_int_equal(fdt_setprop_string(c->base, named, "compatible", "acme,other"), 0);
	assert_int_equal(qemu_dt_merge_virtio(c->base, c->qemu, c->qlen), 2);
	assert_int_equal(count_virtio(c->base), 2);
	assert_true(fdt_path_offset(c->base, "/bus/virtio_mmio@1000") < 0);
	assert_true(fdt_path_offset(c->base, "/thing@2000") < 0);
	assert_true(fdt_path_offset(c->base, "/virtio_mmio@3000") >= 0);
	assert_true(fdt_path_offset(c->base, "/bus") >= 0);
}

/* QEMU's blob as fw_cfg holds it: 1 MiB of totalsize, the used blocks at
 * the start. The prefix covers them; sealed to it, the copy validates. */
static void test_prefix_of_qemu_sized_blob(void **state)
{
	struct ctx *c = *state;
	const size_t file = 1 << 20;
	char *big = malloc(file);
	size_t need = 0;

	assert_int_equal(fdt_open_into(c->qemu, big, (int)file), 0);
	assert_int_equal(fdt_totalsize(big), file);
	assert_int_equal(qemu_fdt_prefix(big, sizeof(struct fdt_header), file, 16384, &need), 0);
	assert_true(need <= c->qlen + 64 && need >= sizeof(struct fdt_header));
	char *copy = malloc(need);	/* exact size: ASan on any read past it */

	memcpy(copy, big, need);
	fdt_set_totalsize(copy, (uint32_t)need);
	assert_int_equal(tk_dt_validate(copy, need), 0);
	assert_int_equal(qemu_dt_merge_virtio(c->base, copy, need), 2);
	/* Too small a buffer; a file shorter than totalsize; a short header. */
	assert_int_equal(qemu_fdt_prefix(big, sizeof(struct fdt_header), file, need - 1, &need),
			 -E2BIG);
	assert_int_equal(qemu_fdt_prefix(big, sizeof(struct fdt_header), file - 1, 16384, &need),
			 -EBADMSG);
	assert_int_equal(qemu_fdt_prefix(big, 39, file, 16384, &need), -EBADMSG);
	free(copy);
	free(big);
}

static void test_prefix_rejects_bad_headers(void **state)
{
	struct ctx *c = *state;
	struct fdt_header h;
	size_t need;

	memcpy(&h, c->qemu, sizeof(h));
	h.magic = cpu_to_fdt32(0xfeedd00d);
	assert_int_equal(qemu_fdt_prefix(&h, sizeof(h), 1 << 20, 16384, &need), -EBADMSG);
	memcpy(&h, c->qemu, sizeof(h));
	h.version = cpu_to_fdt32(16);
	assert_int_equal(qemu_fdt_prefix(&h, sizeof(h), 1 << 20, 16384, &need), -EBADMSG);
	memcpy(&h, c->qemu, sizeof(h));
	h.size_dt_strings = cpu_to_fdt32(0xfffffff0);	/* past totalsize (no wrap: 64-bit sums) */
	assert_int_equal(qemu_fdt_prefix(&h, sizeof(h), 1 << 20, 16384, &need), -EBADMSG);
	memcpy(&h, c->qemu, sizeof(h));
	h.off_dt_struct = cpu_to_fdt32(0xfffffff0);
	assert_int_equal(qemu_fdt_prefix(&h, sizeof(h), 1 << 20, 16384, &need), -EBADMSG);
}

static void assert_cpu(const void *fdt, unsigned id)
{
	char path[16] = "/cpus/cpu@0";
	int len;

	path[10] = (char)('0' + id);
	int node = fdt_path_offset(fdt, path);

	assert_true(node >= 0);
	assert_string_equal(fdt_getprop(fdt, node, "device_type", NULL), "cpu");
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	assert_int_equal(len, 4);
	assert_int_equal(fdt32_to_cpu(reg[0]), id);
}

static int count_cpus(const void *fdt)
{
	int parent = fdt_path_offset(fdt, "/cpus"), n = 0, node;

	fdt_for_each_subnode(node, fdt, parent)
		n++;
	return n;
}

static void test_cpus_filled_from_count(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(qemu_dt_merge_cpus(c->base, 4), 0);
	assert_int_equal(count_cpus(c->base), 4);
	for (unsigned id = 0; id < 4; id++)
		assert_cpu(c->base, id);
	int cpus = fdt_path_offset(c->base, "/cpus");

	assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(c->base, cpus,
								     "#address-cells", NULL)), 1);
	/* Again with 8: cpu@0..3 kept, 4..7 added, no duplicates. */
	assert_int_equal(qemu_dt_merge_cpus(c->base, 8), 0);
	assert_int_equal(count_cpus(c->base), 8);
	for (unsigned id = 0; id < 8; id++)
		assert_cpu(c->base, id);
	assert_int_equal(tk_dt_validate(c->base, fdt_totalsize(c->base)), 0);
}

static void test_cpus_bad_count_rejected(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(qemu_dt_merge_cpus(c->base, 0), -EINVAL);
	assert_int_equal(qemu_dt_merge_cpus(c->base, QEMU_DT_MAX_CPUS + 1), -EINVAL);
	assert_int_equal(qemu_dt_merge_cpus(c->base, 0xffffffffu), -EINVAL);
	assert_base_unchanged(c);
}

static void test_cpus_no_space(void **state)
{
	struct ctx *c = *state;
	void *tight = dtb_seal(c->base);	/* no free space left */

	c->base = tight;
	assert_int_equal(qemu_dt_merge_cpus(c->base, 2), -ENOSPC);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_qemu_slots_replace_builtin),
		T(test_no_slots_listed_leaves_none),
		T(test_garbage_blob_ignored),
		T(test_truncated_blob_ignored),
		T(test_damaged_structure_ignored),
		T(test_unknown_interrupt_parent_ignored),
		T(test_slot_with_two_regs_ignored),
		T(test_slot_without_interrupts_ignored),
		T(test_slot_named_like_other_node_ignored),
		T(test_too_many_slots_ignored),
		T(test_too_many_builtin_slots_refused),
		T(test_truncated_kernel_dt_refused),
		T(test_kernel_dt_root_cells_refused),
		T(test_kernel_dt_virtio_nodes_anywhere),
		T(test_slots_named_like_builtin_written_in_place),
		T(test_builtin_names_in_other_order_keep_qemus_order),
		T(test_builtin_with_other_properties_replaced),
		T(test_unlisted_builtin_deleted_beside_one_in_place),
		T(test_merged_list_matches_dt_when_added),
		T(test_merged_list_matches_dt_when_written_in_place),
		T(test_merged_list_names_the_node_written_over),
		T(test_prefix_of_qemu_sized_blob),
		T(test_prefix_rejects_bad_headers),
		T(test_cpus_filled_from_count),
		T(test_cpus_bad_count_rejected),
		T(test_cpus_no_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
