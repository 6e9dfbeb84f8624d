/*
 * From entry.S to kernel_start() on x86_64. PVH passes no devicetree, so the
 * board DTB embedded at build time is the base; this file copies it into a
 * static buffer and merges what the loader knows and the DTB cannot: the
 * RAM from the PVH memory map (into /memory's reg) and the command line
 * (into /chosen/bootargs). kernel_start() then validates the result like
 * any boot loader's DTB. A loader may also pass a DTB as the first PVH
 * module (QEMU: -initrd board.dtb): when it carries the FDT magic it
 * replaces the built-in one as the base, after a full validation. With the
 * built-in base, the virtio-mmio slots are QEMU's: those its own DT (fw_cfg
 * "etc/fdt") lists, i.e. the ones with a device attached this run. The
 * checks of the loader's data are pure functions in pvh.c (unit-tested);
 * this file turns their errors into PANIC lines.
 */
#include <errno.h>
#include <string.h>

#include <libfdt.h>
#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "../../arch.h"
#include "../../dt_impl.h"
#include "../../kernel.h"
#include "qemu_dt.h"
#include "../../smp.h"
#include "x86.h"

#define MAX_RAM		16
/* What the merges may add to the base DTB (dt_buf_size): /memory's reg
 * (MAX_RAM entries), the reservation map's entry, /chosen and its bootargs
 * (the command line), /cpus with QEMU_DT_MAX_CPUS nodes; with the virtio
 * transport QEMU_DT_MAX_SLOTS slots of some 150 bytes each. */
#define DT_GROWTH	(PVH_CMDLINE_MAX + 2048)
#define DT_GROWTH_VIRTIO (QEMU_DT_MAX_SLOTS * 256)
#define QEMU_FDT_SIZE	(16 * 1024)

extern const char board_dtb[];
extern char _end[];
extern uint64_t x86_tsc_hz;
/* The virtio-mmio transport's entry, weak: linked only with a virtio device
 * driver (drivers/CMakeLists.txt). Without it no slot can bind, so QEMU's
 * slots are not merged (a third of hello's boot was that merge). */
extern const struct tk_driver tk_driver_virtio_mmio __attribute__((weak));

/*
 * The boot area: in RAM after the image (place_boot_area), not in its
 * .bss, where these 90 KiB were static RAM of every app (issue 18). The DT
 * buffer stays for good (kernel_start keeps the heap off the DTB, as off
 * any DTB): it is sized to the base DTB and what the merges may add (a
 * fixed 64 KiB was most of the RAM hello needs besides its image). QEMU's
 * etc/fdt, the command line's copy and the virtio merge's work space after
 * it are scratch that the boot is done with before kernel_start sets up
 * the heap, which may then take them. fdt_open_into writes what libfdt
 * reads of the DT buffer, so nothing needs clearing.
 */
static char *fdt_buf;		/* fdt_buf_size */
static uint64_t fdt_buf_size;
static char *args;		/* PVH_CMDLINE_MAX */
static char *qemu_fdt;		/* QEMU_FDT_SIZE, with the transport only */
static char *merge_ws;		/* QEMU_DT_MERGE_SCRATCH, likewise */

/* The DT buffer for base (which passed tk_dt_validate; the built-in DTB at
 * build time) and what the merges may add, in whole pages. */
static uint64_t dt_buf_size(const void *base)
{
	uint64_t n = fdt_totalsize(base) + DT_GROWTH +
		     (&tk_driver_virtio_mmio ? DT_GROWTH_VIRTIO : 0);

	return (n + 4095) & ~4095ull;
}

/* The area for a DT buffer of dt bytes. The merge of QEMU's slots is the
 * only user of its two buffers: an app without the virtio transport
 * (hello) boots in 24 KiB less RAM. */
static uint64_t area_size(uint64_t dt)
{
	uint64_t n = dt + PVH_CMDLINE_MAX;

	return &tk_driver_virtio_mmio ? n + QEMU_FDT_SIZE + QEMU_DT_MERGE_SCRATCH : n;
}

/* Loader data lives in low RAM, mapped by entry.S; anything above _end
 * (another loader's choice) is mapped before it is read. */
static const void *loader_ptr(uint64_t pa, uint64_t size, const char *what)
{
	if (pvh_check_range(pa, size) || arch_mmu_map(pa, size, false))
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
	uint64_t bytes;
	int r = pvh_memmap_where(si, &bytes);

	if (r == 0) {
		tk_printk("boot: no PVH memory map (start_info version %u); RAM from the built-in DTB\n",
			  si->version);
		return;
	}
	if (r == -E2BIG)
		tk_panic("memory: the PVH memory map claims %u entries (the limit is %d)",
			 si->memmap_entries, PVH_MEMMAP_MAX);
	if (r < 0)
		tk_panic("memory: the PVH memory map at 0x%lx (%u entries) is not readable memory",
			 (unsigned long)si->memmap_paddr, si->memmap_entries);
	const struct hvm_memmap_entry *m = loader_ptr(si->memmap_paddr, bytes, "memory map");
	struct pvh_ram ram[MAX_RAM];
	uint32_t dropped = 0, bad = 0;
	int n = pvh_ram_regions(m, si->memmap_entries, ram, MAX_RAM, &dropped, &bad);

	if (n == -ENOENT)
		tk_panic("memory: the PVH memory map (%u entries) has no usable RAM",
			 si->memmap_entries);
	if (n == -EOVERFLOW)
		tk_panic("memory: PVH memory map entry %u (0x%lx + 0x%lx) wraps past 2^64", bad,
			 (unsigned long)m[bad].addr, (unsigned long)m[bad].size);
	if (n < 0)
		tk_panic("memory: the PVH memory map is unusable (%d)", n);
	if (dropped)
		tk_printk("memory: %u RAM entries of the PVH map beyond the first %d ignored\n",
			  dropped, MAX_RAM);
	fdt32_t reg[MAX_RAM * 4];
	int cells = 0;

	if (!dt_raw_root_cells_are(fdt_buf, 2, 2))
		tk_panic("boot: the built-in DTB's root must have 2 address and 2 size cells");
	for (int i = 0; i < n; i++) {
		reg[cells++] = cpu_to_fdt32((uint32_t)(ram[i].addr >> 32));
		reg[cells++] = cpu_to_fdt32((uint32_t)ram[i].addr);
		reg[cells++] = cpu_to_fdt32((uint32_t)(ram[i].size >> 32));
		reg[cells++] = cpu_to_fdt32((uint32_t)ram[i].size);
	}
	int node = dt_raw_subnode(fdt_buf, 0, "memory");

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
	if (pvh_check_range(si->cmdline_paddr, PVH_CMDLINE_MAX))
		tk_panic("boot: PVH command line at 0x%lx is not readable memory",
			 (unsigned long)si->cmdline_paddr);
	const char *s = loader_ptr(si->cmdline_paddr, PVH_CMDLINE_MAX, "command line");
	long n = pvh_cmdline_len(s, PVH_CMDLINE_MAX);

	if (n < 0)
		tk_panic("boot: PVH command line not terminated within %d bytes", PVH_CMDLINE_MAX);
	if (n == 0 || pvh_cmdline_strip_qemu(args, PVH_CMDLINE_MAX, s) <= 0)
		return;
	int chosen = dt_raw_subnode(fdt_buf, 0, "chosen");

	if (chosen < 0)
		chosen = fdt_add_subnode(fdt_buf, 0, "chosen");
	fdt_must(chosen, "/chosen");
	fdt_must(fdt_setprop_string(fdt_buf, chosen, "bootargs", args), "/chosen/bootargs");
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

/*
 * The virtio-mmio slots populated this run, from QEMU's own DT (fw_cfg
 * "etc/fdt"): they replace the built-in DTB's eight. Read header first,
 * then only the blocks it names (QEMU's blob is 1 MiB of mostly free
 * space), by fw_cfg DMA (rep insb without it), validated before use. No
 * fw_cfg or no etc/fdt (not QEMU, or a QEMU without it): the built-in
 * slots stay, one line says so. A bad etc/fdt is logged and ignored: the
 * board boots on the built-in slots. The summary line waits for the TSC's
 * rate (report_qemu_virtio): the LAPIC calibrates while this runs.
 */
static struct virtio_merged {
	int n;			/* slots merged; -1: none (built-in slots kept) */
	size_t need;
	uint32_t fsize;
	bool dma;
	uint64_t read_ticks;
} merged = { .n = -1 };

static void merge_qemu_virtio(void)
{
	uint64_t t0 = arch_counter();
	bool dma;
	uint16_t sel;
	uint32_t fsize;
	size_t need;
	int err;

	if (x86_fwcfg_probe(&dma)) {
		tk_printk("virtio: no fw_cfg: keeping the built-in DTB's virtio-mmio slots\n");
		return;
	}
	if (x86_fwcfg_find("etc/fdt", &sel, &fsize)) {
		tk_printk("virtio: no fw_cfg etc/fdt: keeping the built-in DTB's virtio-mmio slots\n");
		return;
	}
	if (fsize < sizeof(struct fdt_header)) {
		tk_printk("virtio: QEMU's etc/fdt ignored (%u bytes, smaller than a header)\n", fsize);
		return;
	}
	err = x86_fwcfg_read(sel, qemu_fdt, sizeof(struct fdt_header));
	if (!err)
		err = qemu_fdt_prefix(qemu_fdt, sizeof(struct fdt_header), fsize, QEMU_FDT_SIZE,
				      &need);
	if (!err)
		err = x86_fwcfg_read(-1, qemu_fdt + sizeof(struct fdt_header),
				     (uint32_t)(need - sizeof(struct fdt_header)));
	if (err) {
		tk_printk("virtio: QEMU's etc/fdt ignored (%d: %s); built-in slots kept\n", err,
			  tk_dt_last_error());
		return;
	}
	uint64_t t1 = arch_counter();

	fdt_set_totalsize(qemu_fdt, (uint32_t)need);
	int n = qemu_dt_merge_virtio_in(fdt_buf, qemu_fdt, need, merge_ws);

	if (n == -ENOSPC)
		tk_panic("boot: merging QEMU's virtio slots: %s", tk_dt_last_error());
	if (n < 0) {
		tk_printk("virtio: QEMU's etc/fdt ignored (%d: %s); built-in slots kept\n", n,
			  tk_dt_last_error());
		return;
	}
	merged = (struct virtio_merged){ n, need, fsize, dma, t1 - t0 };
}

/* Said once the TSC's rate is known (the read's time needs it). */
static void report_qemu_virtio(void)
{
	if (merged.n < 0)
		return;
	tk_printk("virtio: %d virtio-mmio slots from QEMU's etc/fdt (%lu of %u bytes read by %s in %lu us)\n",
		  merged.n, (unsigned long)merged.need, merged.fsize,
		  merged.dma ? "fw_cfg DMA" : "rep insb",
		  (unsigned long)(merged.read_ticks * 1000000 / x86_tsc_hz));
	/* The merge's own list: the DT's virtio,mmio nodes are these now, in
	 * this order (two walks of the DT for them were 28k instructions). */
	for (int i = 0; i < merged.n; i++) {
		const char *name;
		uint64_t addr;
		uint32_t pin;

		if (qemu_dt_merged_slot(merge_ws, i, &name, &addr, &pin) == 0)
			tk_printk("virtio: /%s reg 0x%x irq %u\n", name, (uint32_t)addr, pin);
	}
}

/*
 * QEMU microvm's DT has no /cpus and the board DTS lists cpu@0 only: the
 * CPU count comes from fw_cfg key FW_CFG_NB_CPUS (16-bit, little-endian).
 * More than QEMU_DT_MAX_CPUS: the first ones run, and that is said; 0 is
 * named and the built-in cpu@0 stays (the system runs on the boot CPU).
 */
#define FW_CFG_NB_CPUS	0x05

static void merge_qemu_cpus(void)
{
	bool dma;
	uint16_t n = 0;

	if (x86_fwcfg_probe(&dma) || x86_fwcfg_read(FW_CFG_NB_CPUS, &n, sizeof(n))) {
		tk_printk("smp: no fw_cfg CPU count: /cpus as the built-in DTB lists it\n");
		return;
	}
	if (n > QEMU_DT_MAX_CPUS) {
		tk_printk("smp: QEMU reports %u CPUs; Takt runs %d at most: the first %d\n", n,
			  QEMU_DT_MAX_CPUS, QEMU_DT_MAX_CPUS);
		n = QEMU_DT_MAX_CPUS;
	}
	int err = qemu_dt_merge_cpus(fdt_buf, n);

	if (err == -EINVAL && n == 0) {
		tk_printk("smp: QEMU reports 0 CPUs: running on the boot CPU only\n");
		return;
	}
	fdt_must(err, "/cpus");
	tk_printk("smp: %u CPUs from fw_cfg (cpu@0..%u, reg = APIC ID)\n", n, n - 1u);
}

/*
 * The boot area's place: the first pages after the image that are RAM as
 * the PVH memory map has it (without a map, RAM comes from the built-in DTB
 * and the pages after the image are taken as the loader left them) and
 * clear of the loader's data (start_info, the map, the command line, the
 * module list and module 0, the DTB a loader may pass). Mapped here: QEMU
 * puts the image low, so these are usually in the image's last 2 MiB page.
 */
static void place_boot_area(const struct hvm_start_info *si, uint32_t info_pa, const void *base)
{
	struct pvh_ram ram[MAX_RAM], busy[5] = {
		{ info_pa, sizeof(*si) },
	};
	int n = 0, nbusy = 1;
	uint64_t bytes, pa, size;

	fdt_buf_size = dt_buf_size(base);
	size = area_size(fdt_buf_size);

	if (!pvh_check_range(si->cmdline_paddr, PVH_CMDLINE_MAX))
		busy[nbusy++] = (struct pvh_ram){ si->cmdline_paddr, PVH_CMDLINE_MAX };

	if (pvh_memmap_where(si, &bytes) == 1) {
		const struct hvm_memmap_entry *m = loader_ptr(si->memmap_paddr, bytes,
							      "memory map");

		busy[nbusy++] = (struct pvh_ram){ si->memmap_paddr, bytes };
		/* a map with no usable RAM: merge_memory names it */
		n = pvh_ram_regions(m, si->memmap_entries, ram, MAX_RAM, 0, 0);
		if (n < 0)
			n = 0;
	}
	if (si->nr_modules && si->modlist_paddr) {
		const struct hvm_modlist_entry *mod = loader_ptr(si->modlist_paddr, sizeof(*mod),
								 "module list");

		busy[nbusy++] = (struct pvh_ram){ si->modlist_paddr, sizeof(*mod) };
		if (mod->size <= TK_DT_MAX_SIZE && !pvh_check_range(mod->paddr, mod->size))
			busy[nbusy++] = (struct pvh_ram){ mod->paddr, mod->size };
	}
	if (pvh_place_area(ram, n, busy, nbusy, (uintptr_t)_end, size, &pa))
		tk_panic("boot: no RAM after the image (at 0x%lx) for the %d KiB boot area",
			 (unsigned long)(uintptr_t)_end, (int)(size >> 10));
	if (arch_mmu_map(pa, size, false))
		tk_panic("boot: cannot map the boot area at 0x%lx", (unsigned long)pa);
	fdt_buf = (char *)(uintptr_t)pa;
	args = fdt_buf + fdt_buf_size;
	if (&tk_driver_virtio_mmio) {
		qemu_fdt = args + PVH_CMDLINE_MAX;
		merge_ws = qemu_fdt + QEMU_FDT_SIZE;
	}
}

/* The calibration's end, once kernel_start has validated the DT (the
 * LAPIC's clock-frequency is read from it): its window has that walk in
 * it, where it spun ~5 us at the end of x86_start under -icount. */
void arch_counter_init(const void *fdt)
{
	x86_tsc_hz = x86_tsc_calibrate_end(fdt);
	report_qemu_virtio();	/* the boot area's scratch is not the heap's yet */
}

/* ebx from the loader: the physical address of struct hvm_start_info. */
__attribute__((noreturn)) void x86_start(uint32_t info_pa)
{
	smp_boot_cpu_init();	/* the log's lock reads the per-CPU pointer */
	x86_idt_init();
	/* The calibration's window (some 26 us under -icount) has the rest of
	 * this function and the DT's validation in it, up to its end
	 * (arch_counter_init): that work costs nothing more than the wait it
	 * replaces (so it begins before the image's W^X split, as soon as a
	 * fault in it would be reported). */
	x86_tsc_calibrate_begin();
	x86_mmu_protect();	/* W^X before anything else runs */
	__asm__ volatile("fninit");
	if (info_pa == 0)
		tk_panic("boot: no hvm_start_info (ebx = 0): not started through PVH");
	const struct hvm_start_info *si = loader_ptr(info_pa, sizeof(*si), "start_info");

	if (pvh_check_magic(si))
		tk_panic("boot: bad PVH magic 0x%08x in hvm_start_info at 0x%x (expected 0x%08x): not started through PVH",
			 si->magic, info_pa, PVH_MAGIC);
	const void *base = base_dtb(si);

	place_boot_area(si, info_pa, base);
	fdt_must(fdt_open_into(base, fdt_buf, (int)fdt_buf_size), "the PVH data");
	merge_memory(si);
	/* The APs' real-mode trampoline (ap_start.S): never heap or DMA pool. */
	fdt_must(fdt_add_mem_rsv(fdt_buf, AP_TRAMPOLINE, 4096), "the AP trampoline's page");
	merge_cmdline(si);
	/* A DTB the loader passed describes the machine as given. */
	if (base == board_dtb) {
		if (&tk_driver_virtio_mmio)
			merge_qemu_virtio();
		merge_qemu_cpus();
	} else if (&tk_driver_virtio_mmio)
		tk_printk("virtio: slots as the PVH module's DTB lists them (fw_cfg etc/fdt not merged)\n");
	kernel_start(fdt_buf, info_pa);
}
