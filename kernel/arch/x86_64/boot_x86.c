/*
 * From entry.S to kernel_start() on x86_64. PVH passes no devicetree, so the
 * board DTB embedded at build time is the base; this file copies it into a
 * static buffer and merges what the loader knows and the DTB cannot: the
 * RAM from the PVH memory map (into /memory's reg) and the command line
 * (into /chosen/bootargs). kernel_start() then validates the result like
 * any boot loader's DTB. A loader may also pass a DTB as the first PVH
 * module (QEMU: -initrd board.dtb): when it carries the FDT magic it
 * replaces the built-in one as the base, after a full validation.
 */
#include <string.h>

#include <libfdt.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "../../arch.h"
#include "../../kernel.h"
#include "x86.h"

#define FDT_BUF_SIZE	(64 * 1024)
#define MAX_RAM		16
#define CMDLINE_MAX	4096

extern const char board_dtb[];
extern char _end[];
extern uint64_t x86_tsc_hz;

static char fdt_buf[FDT_BUF_SIZE] __attribute__((aligned(8)));

/* Loader data lives in low RAM, mapped by entry.S; anything above _end
 * (another loader's choice) is mapped before it is read. */
static const void *loader_ptr(uint64_t pa, uint64_t size, const char *what)
{
	if (pa == 0 || pa + size < pa || arch_mmu_map(pa, size, false))
		tk_panic("boot: PVH %s at 0x%lx cannot be read", what, (unsigned long)pa);
	return (const void *)(uintptr_t)pa;
}

static void fdt_must(int err, const char *what)
{
	if (err < 0)
		tk_panic("boot: merging %s into the built-in DTB: %s", what, fdt_strerror(err));
}

/* /memory's reg = the PVH map's RAM entries (type 1), in the root's cells. */
static void merge_memory(const struct hvm_start_info *si)
{
	if (si->version < 1 || si->memmap_entries == 0) {
		tk_printk("boot: no PVH memory map (start_info version %u); RAM from the built-in DTB\n",
			  si->version);
		return;
	}
	const struct hvm_memmap_entry *m = loader_ptr(si->memmap_paddr,
		(uint64_t)si->memmap_entries * sizeof(*m), "memory map");
	int ac = fdt_address_cells(fdt_buf, 0), sc = fdt_size_cells(fdt_buf, 0);
	fdt32_t reg[MAX_RAM * 4];
	int n = 0, cells = 0;

	if (ac != 2 || sc != 2)
		tk_panic("boot: the built-in DTB's root must have 2 address and 2 size cells");
	for (uint32_t i = 0; i < si->memmap_entries && n < MAX_RAM; i++) {
		if (m[i].type != HVM_MEMMAP_RAM || m[i].size == 0)
			continue;
		reg[cells++] = cpu_to_fdt32((uint32_t)(m[i].addr >> 32));
		reg[cells++] = cpu_to_fdt32((uint32_t)m[i].addr);
		reg[cells++] = cpu_to_fdt32((uint32_t)(m[i].size >> 32));
		reg[cells++] = cpu_to_fdt32((uint32_t)m[i].size);
		n++;
	}
	if (n == 0)
		tk_panic("memory: the PVH memory map (%u entries) has no usable RAM",
			 si->memmap_entries);
	int node = fdt_path_offset(fdt_buf, "/memory");

	if (node < 0)
		node = fdt_add_subnode(fdt_buf, 0, "memory");
	fdt_must(node, "/memory");
	fdt_must(fdt_setprop_string(fdt_buf, node, "device_type", "memory"), "/memory");
	fdt_must(fdt_setprop(fdt_buf, node, "reg", reg, cells * 4), "/memory reg");
}

static void merge_cmdline(const struct hvm_start_info *si)
{
	if (!si->cmdline_paddr)
		return;
	const char *s = loader_ptr(si->cmdline_paddr, CMDLINE_MAX, "command line");
	size_t n = strnlen(s, CMDLINE_MAX);

	if (n == CMDLINE_MAX)
		tk_panic("boot: PVH command line not terminated within %d bytes", CMDLINE_MAX);
	if (n == 0)
		return;
	int chosen = fdt_path_offset(fdt_buf, "/chosen");

	if (chosen < 0)
		chosen = fdt_add_subnode(fdt_buf, 0, "chosen");
	fdt_must(chosen, "/chosen");
	fdt_must(fdt_setprop_string(fdt_buf, chosen, "bootargs", s), "/chosen/bootargs");
}

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

/* The first PVH module if it is a DTB (validated), else the built-in DTB. */
static const void *base_dtb(const struct hvm_start_info *si)
{
	if (si->nr_modules == 0 || si->modlist_paddr == 0)
		return board_dtb;
	const struct hvm_modlist_entry *m = loader_ptr(si->modlist_paddr, sizeof(*m), "module list");

	if (m->size < 4 || m->size > TK_DT_MAX_SIZE)
		return board_dtb;
	const void *dtb = loader_ptr(m->paddr, m->size, "module 0");

	if (fdt_magic(dtb) != FDT_MAGIC)
		return board_dtb;
	int err = tk_dt_validate(dtb, (size_t)m->size);

	if (err)
		tk_panic("dtb: the DTB passed as PVH module 0 is invalid (%d: %s)", err,
			 tk_dt_last_error());
	tk_printk("dtb: using the DTB passed as PVH module 0 instead of the built-in one\n");
	return dtb;
}

/* ebx from the loader: the physical address of struct hvm_start_info. */
__attribute__((noreturn)) void x86_start(uint32_t info_pa)
{
	x86_idt_init();
	__asm__ volatile("fninit");
	if (info_pa == 0)
		tk_panic("boot: no hvm_start_info (ebx = 0): not started through PVH");
	const struct hvm_start_info *si = loader_ptr(info_pa, sizeof(*si), "start_info");

	if (si->magic != PVH_MAGIC)
		tk_panic("boot: bad PVH magic 0x%08x in hvm_start_info at 0x%x (expected 0x%08x): not started through PVH",
			 si->magic, info_pa, PVH_MAGIC);
	fdt_must(fdt_open_into(base_dtb(si), fdt_buf, sizeof(fdt_buf)), "the PVH data");
	merge_memory(si);
	merge_cmdline(si);
	x86_tsc_hz = x86_tsc_calibrate(fdt_buf);
	kernel_start(fdt_buf, info_pa);
}
