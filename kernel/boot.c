/*
 * From the arch entry to main(): pick and validate the DTB, find memory,
 * bind devices, build argv from /chosen/bootargs, run the app, power off.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#include <takt/board.h>
#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>
#include <takt/time.h>

#include "arch.h"
#include "bootargs.h"
#include "dt_impl.h"
#include "irq.h"
#include "kernel.h"
#include "memmap.h"
#include "smp.h"

#define MAX_ARGS BOOTARGS_MAX_ARGS
#define BOOTARGS_MAX 1024

extern int main(int argc, char **argv);
extern const char tk_app_name[];	/* the app build's app_name.c */
extern const char board_dtb[], board_dtb_end[];
extern char _head[], _end[];

uintptr_t heap_start, heap_end;
static const void *fdt;
static struct tk_memmap ram;	/* /memory, as parsed at boot */
static uint64_t boot_ns;

const char *tk_board_name(void) { return TAKT_BOARD; }
uint64_t tk_mem_total(void) { return tk_memmap_total(&ram); }
uint64_t tk_boot_ns(void) { return boot_ns; }
const void *tk_fdt(void) { return fdt; }
const struct tk_memmap *boot_ram(void) { return &ram; }

const char *tk_board_model(void)
{
	const char *model;

	return tk_dt_prop_str(fdt, 0, "model", &model) ? "" : model;
}

/* The boot loader's DTB when it passed one, else the one built in, with
 * the node index built in mem by the walk that validates it (*nodes: as
 * dt_validate_index_in says). A blob that carries the FDT magic but does
 * not validate is corrupt, not absent: booting on the built-in description
 * instead could put the heap on top of memory that is not there, so that
 * is a panic. */
static const void *pick_dtb(const void *loader_dtb, uintptr_t x0, void *mem, size_t bytes,
			    int *nodes)
{
	int err;

	if (loader_dtb) {
		err = dt_validate_index_in(loader_dtb, TK_DT_MAX_SIZE, mem, bytes, nodes);
		if (err)
			tk_panic("dtb: the boot loader's DTB at %p is invalid (%d: %s)",
				 loader_dtb, err, tk_dt_last_error());
		return loader_dtb;
	}
	tk_printk("dtb: no DTB from the boot loader (x0 = 0x%lx); using the built-in DTB\n",
		  (unsigned long)x0);
	err = dt_validate_index_in(board_dtb, (size_t)(board_dtb_end - board_dtb), mem, bytes,
				   nodes);
	if (err)
		tk_panic("dtb: the built-in DTB is invalid (%d: %s)", err, tk_dt_last_error());
	return board_dtb;
}

/* Map RAM (cacheable) except the DMA pool's block (non-cacheable). */
static void map_memory(const struct tk_memmap *ram, const struct tk_mem_region *pool)
{
	struct tk_memmap cached = *ram;
	int err = pool->size ? tk_memmap_remove(&cached, pool->base, pool->size) : 0;

	for (int i = 0; !err && i < cached.n; i++) {
		err = arch_mmu_map(cached.r[i].base, cached.r[i].size, false);
		if (err)
			tk_panic("memory: cannot map 0x%lx+0x%lx (%d)",
				 (unsigned long)cached.r[i].base,
				 (unsigned long)cached.r[i].size, err);
	}
	if (!err && pool->size)
		err = dma_pool_map(pool);
	if (err)
		tk_panic("memory: cannot map the DMA pool at 0x%lx (%d)",
			 (unsigned long)pool->base, err);
}

/*
 * The page tables the MMU code wants past its small static pool, from free
 * RAM that is mapped already: after the image, up to the end of its last
 * 2 MiB (the arch code maps the image's blocks whole). The tables cover
 * what the boot maps next (RAM, the DMA pool, devices) and stay; they were
 * static RAM of every app (arch_mmu_tables_wanted says how many). Fewer
 * fit: fewer are given, and a mapping past them fails as a full pool did.
 */
#define PAGE_4K	4096ull
#define BLOCK_2M (2ull << 20)

static void give_page_tables(struct tk_memmap *avail)
{
	uint64_t lo = ((uintptr_t)_end + PAGE_4K - 1) & ~(PAGE_4K - 1);
	uint64_t hi = ((uintptr_t)_end + BLOCK_2M - 1) & ~(BLOCK_2M - 1);
	unsigned want = arch_mmu_tables_wanted();

	for (int i = 0; want && i < avail->n; i++) {
		const struct tk_mem_region *r = &avail->r[i];
		uint64_t a = r->base > lo ? (r->base + PAGE_4K - 1) & ~(PAGE_4K - 1) : lo;
		uint64_t b = r->base + r->size < hi ? (r->base + r->size) & ~(PAGE_4K - 1) : hi;

		if (a >= b)
			continue;
		uint64_t n = (b - a) / PAGE_4K < want ? (b - a) / PAGE_4K : want;

		if (tk_memmap_remove(avail, a, n * PAGE_4K))
			break;	/* a split with no room left: keep what is given */
		arch_mmu_add_tables(a, (unsigned)n);
		want -= (unsigned)n;
		i = -1;	/* avail changed: from its start again */
	}
}

/* RAM from /memory, mapped; the DMA pool and the heap come from what is not
 * the image, the DTB or a reserved region: the pool from the top of the
 * largest part, the heap is then the largest part left. */
static void setup_memory(void)
{
	struct tk_memmap avail;
	struct tk_mem_region heap, pool = { 0, 0 };
	int err = tk_memmap_ram_from_dt(fdt, &ram);

	if (err)
		tk_panic("memory: %s (%d)", tk_dt_last_error(), err);
	avail = ram;
	if (tk_memmap_remove(&avail, (uintptr_t)_head, (uintptr_t)(_end - _head)) ||
	    tk_memmap_remove(&avail, (uintptr_t)fdt, fdt_totalsize(fdt)) ||
	    tk_memmap_reserved_from_dt(fdt, &avail))
		tk_panic("memory: too many regions after reservations (%s)", tk_dt_last_error());
	give_page_tables(&avail);
	if (dma_pool_carve(&avail, &pool))
		pool.size = 0;
	map_memory(&ram, &pool);
	if (tk_memmap_largest(&avail, 16, &heap))
		tk_panic("memory: no free RAM left for the heap");
	heap_start = (uintptr_t)heap.base;
	heap_end = (uintptr_t)(heap.base + heap.size);
}

/* Kernel parameters that are not the app's: taken out of argv (as Linux
 * keeps its own parameters from init). maxcpus=N (Linux's): start at most
 * N CPUs, the boot CPU included. */
static unsigned maxcpus = TK_CPUS_MAX;

static int take_kernel_params(char **argv, int argc)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "maxcpus=", 8) != 0) {
			argv[out++] = argv[i];
			continue;
		}
		char *end;
		unsigned long n = strtoul(argv[i] + 8, &end, 10);

		/* a digit first: strtoul takes "-18446744073709551614" as 2 */
		if (*end || argv[i][8] < '0' || argv[i][8] > '9' || n < 1 || n > TK_CPUS_MAX)
			tk_printk("boot: %s: not a number of CPUs from 1 to %d; ignored\n", argv[i],
				  TK_CPUS_MAX);
		else
			maxcpus = (unsigned)n;
	}
	argv[out] = 0;
	return out;
}

/* argv from /chosen/bootargs (its copy, args, is kept for good), before
 * the probe: a bootarg such as console.tx= then holds for the probe's own
 * lines. A failure is said by args_checked, after the probe, once the
 * console has bound (a panic now would reach only the debug channel).
 * @retval argc; -ENAMETOOLONG, -ENOMEM, -E2BIG or -EINVAL (argc 0 till then) */
static int build_argv(char **argv, const char **args)
{
	int chosen = tk_dt_subnode(fdt, 0, "chosen");
	char *bootargs = 0;	/* argv's strings: split in place, kept for good */

	*args = 0;
	if (chosen >= 0 && tk_dt_prop_str(fdt, chosen, "bootargs", args) == 0) {
		size_t n = strlen(*args);

		if (n >= BOOTARGS_MAX)
			return -ENAMETOOLONG;
		/* sized to them, from the heap (set up by now): a static copy
		 * for the longest was 1 KiB of every app's static RAM */
		bootargs = malloc(n + 1);
		if (!bootargs)
			return -ENOMEM;
		memcpy(bootargs, *args, n + 1);
	}
	return tk_bootargs_split(bootargs, tk_app_name, argv, MAX_ARGS + 1);
}

static int args_checked(int n, const char *args)
{
	if (n == -ENAMETOOLONG)
		tk_panic("bootargs: %u bytes, the limit is %u", (unsigned)strlen(args),
			 (unsigned)BOOTARGS_MAX - 1);
	if (n == -ENOMEM)
		tk_panic("bootargs: no RAM for a copy of %u bytes", (unsigned)strlen(args) + 1);
	if (n == -E2BIG)
		tk_panic("bootargs: more than %d arguments", MAX_ARGS);
	if (n < 0)
		tk_panic("bootargs: unterminated quote or trailing backslash in \"%s\"", args);
	return n;
}

/* The console is the node stdout-path names; a DT whose stdout-path names no
 * node is missing its console, and booting silently would hide that. */
static int console_node = -1;	/* the stdout-path node, or -1: none named */

static void setup_console(void)
{
	int node = tk_dt_stdout_node(fdt);

	if (node == -ENODEV)
		tk_panic("console: %s", tk_dt_last_error());
	if (node >= 0) {
		console_node = node;
		log_set_stdout_node(node);
	}
}

/* After probing: the console stdout-path names must have bound (the probe's
 * own failure line, just above in the log, says why it did not). */
static void check_console(void)
{
	char path[128];

	if (log_has_console())
		return;
	if (console_node < 0) {
		tk_printk("console: no serial port bound; output goes to the debug channel only\n");
		return;
	}
	if (tk_dt_path(fdt, console_node, path, sizeof(path)) < 0)
		path[0] = 0;
	tk_panic("console: %s (stdout-path) did not bind to a driver", path);
}

/* After probing: the kernel cannot run without its root interrupt
 * controller (DESIGN.md 3). One that found other hardware than the DT
 * describes (a GICv3 DT on a GICv2) refused with its own line above; stop
 * here with a failure status instead of running on with no interrupts. A
 * router that bound (x86's IOAPIC) is no root, and a root that registered
 * but then failed its probe (the LAPIC without its timer) is not bound. */
static void check_intc(void)
{
	int node = irq_root_node();

	for (int i = 0; node >= 0 && i < tk_dev_count(); i++)
		if (tk_dev_get(i)->node == node && tk_dev_get(i)->drv->level == TK_LEVEL_INTC)
			return;
	tk_panic("irq: no interrupt controller bound (the lines above say why)");
}

/* Without a one-shot timer nothing that sleeps or waits with a timeout ever
 * wakes (cyclictest sat at C: 0): a board whose timer did not bind stops
 * here, the lines above saying why, rather than hanging at the first sleep. */
static void check_timer(void)
{
	if (!time_has_clockevent())
		tk_panic("time: no system timer bound (the lines above say why)");
}

/* main()'s arguments, kept for tk_bootarg. */
static char *argv[MAX_ARGS + 1];
static int argc;

const char *const *bootargs_argv(void)
{
	return (const char *const *)argv;
}

const char *tk_bootarg(const char *key)
{
	size_t n = key ? strlen(key) : 0;
	const char *found = 0;

	for (int i = 1; n && i < argc; i++) {
		if (strncmp(argv[i], key, n) == 0 && (argv[i][n] == '=' || !argv[i][n]))
			found = argv[i][n] ? argv[i] + n + 1 : argv[i] + n;
	}
	return found;
}

static void run_init_hooks(void)
{
	extern const tk_init_fn __takt_init_start[], __takt_init_end[];

	for (const tk_init_fn *f = __takt_init_start; f < __takt_init_end; f++)
		(*f)();
}

/*
 * The DTB, the console and memory, with the DT's node index (built by the
 * walk that validates the DTB: one decode of each tag). Its arrays are sized to
 * the blob (DT_INDEX_NODE_BYTES a node) and live on the heap, but the heap
 * is what setup_memory finds, with index lookups (without them the boot to
 * main took twice as long on QEMU's virt DTB): so the index is built in
 * this frame's array first, for TK_DT_INDEX_MAX nodes (10 KiB of the 16 KiB
 * boot stack, which has its guard page below and little else on it yet:
 * the Raspberry Pi 4's and the ZCU102's DTBs have about 250 nodes), and
 * moved to the heap, sized to the blob, before the frame goes. (The static
 * index was these 10 KiB of every app's static RAM.)
 */
#define EARLY_INDEX (TK_DT_INDEX_MAX * DT_INDEX_NODE_BYTES)

static void index_failed(int err)
{
	if (err == -ENOSPC)
		tk_printk("dtb: more than %d nodes; lookups walk the blob (slower boot)\n",
			  TK_DT_INDEX_MAX);
	else
		tk_printk("dtb: no node index (%d); lookups walk the blob (slower boot)\n", err);
}

static __attribute__((noinline)) void early_boot(const void *loader_dtb, uintptr_t x0)
{
	uint32_t mem[EARLY_INDEX / 4];
	int err;	/* the index: -ENOSPC, too many nodes */

	fdt = pick_dtb(loader_dtb, x0, mem, sizeof(mem), &err);
	arch_counter_init(fdt);	/* the DT's walk inside x86's calibration window */
	time_init();
	setup_console();
	/* arm64 images are position-independent: say where this one runs. */
	tk_printk("boot: image at 0x%lx, %lu KiB\n", (unsigned long)(uintptr_t)_head,
		  (unsigned long)((_end - _head) >> 10));
	stack_guard_report();
	setup_memory();
	if (err >= 0)
		err = dt_index_keep();
	if (err < 0)
		index_failed(err);
}

/* loader_dtb: the boot loader's blob when it has the FDT magic (the arch
 * code mapped it), else NULL; x0: what the boot loader passed, for the log. */
__attribute__((noreturn)) void kernel_start(const void *loader_dtb, uintptr_t x0)
{
	const char *args;
	int split;

	stack_guard_init(x0 ^ (uintptr_t)loader_dtb);
	early_boot(loader_dtb, x0);
	split = build_argv(argv, &args);
	argc = split > 0 ? split : 0;
	console_bootargs();	/* console.tx=polled: the probe's lines too */
	crash_record_boot(fdt, &ram);
	device_probe_all(fdt);
	entropy_cpu_register();
	check_intc();
	check_timer();
	check_console();
	argc = take_kernel_params(argv, args_checked(split, args));
	thread_boot();
	arch_irq_enable();
	smp_start_secondaries(fdt, maxcpus);
	arch_mmu_seal();
	if (!arch_mmu_image_protected())
		tk_printk("mmu: the image is too large for its page tables: not write-protected\n");
	irq_affinity_from_dt();
	boot_ns = tk_now_ns();	/* TK_INIT work is the subsystems', not boot's */
	run_init_hooks();
	log_boot_done();
	console_boot_done();
	exit(main(argc, argv));
}
