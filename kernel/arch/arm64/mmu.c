/*
 * Identity-mapped MMU: 4 KiB granule, 39-bit addresses, translation starting
 * at level 1. 1 GiB blocks where a whole aligned GiB is mapped, else 2 MiB
 * blocks under a level-2 table from a small pool (static, then RAM after
 * the image).
 *
 *   L1 [512 x 1 GiB] --> block (RAM) | table --> L2 [512 x 2 MiB blocks]
 *                                        | table --> L3 [512 x 4 KiB pages]
 *
 * Permissions (W^X): the image's text is read-only and executable, its
 * rodata (with the driver, thread and init tables and .init_array: all
 * relocated before the MMU is on) read-only, everything else - data, bss,
 * stacks, heap, the DMA pool, devices - never executable. The image's 2 MiB
 * blocks are mapped in 4 KiB pages (L3) for that, as is RAM's first block
 * when RAM starts at 0, so that arch_mmu_seal can take page 0 away (a NULL
 * access faults) once the boot's spin-table writes there are done.
 *
 * arch_mmu_early() runs with the MMU off, where every access is Device
 * memory: this file is built with -mstrict-align and without builtins so no
 * unaligned access or library call (memset's DC ZVA) can happen there.
 * Only what the DT names gets mapped: any other access faults with a dump.
 */
#include <errno.h>

#include "../../arch.h"
#include "../page_fill.h"
#include "sysregs.h"

/* L2 tables: 4 at most, as before: 2 static for what is mapped with the MMU
 * off (the image's GiB and the boot loader's DTB's), the other 2 from RAM
 * after the image (arch_mmu_add_tables, before RAM and devices are mapped),
 * which were 8 KiB of every app's static RAM. */
#define L2_POOL		4
#define L2_STATIC	2
#define PAGE		4096ull
#define BLOCK_1G	(1ull << 30)
#define BLOCK_2M	(1ull << 21)
#define VA_LIMIT	(1ull << 39)

#define PTE_BLOCK	0x1ull
#define PTE_TABLE	0x3ull
#define PTE_TYPE_MASK	0x3ull
#define PTE_ATTR_DEV	(0ull << 2)	/* MAIR attr 0: Device-nGnRnE */
#define PTE_ATTR_NORMAL	(1ull << 2)	/* MAIR attr 1: Normal WB RA/WA */
#define PTE_ATTR_NC	(2ull << 2)	/* MAIR attr 2: Normal non-cacheable */
#define PTE_SH_INNER	(3ull << 8)
#define PTE_PAGE	0x3ull		/* at level 3 */
#define PTE_AP_RO	(1ull << 7)	/* AP[2]: read-only */
#define PTE_AF		(1ull << 10)
#define PTE_PXN		(1ull << 53)
#define PTE_UXN		(1ull << 54)
#define PTE_ADDR_MASK	0x0000fffffffff000ull

#define MAIR_VALUE	0x44ff00ull	/* attr 2 = 0x44, 1 = 0xff, 0 = 0x00 */
#define TCR_T0SZ	(64 - 39)
#define TCR_IRGN0_WBWA	(1ull << 8)
#define TCR_ORGN0_WBWA	(1ull << 10)
#define TCR_SH0_INNER	(3ull << 12)
#define TCR_EPD1	(1ull << 23)
#define TCR_IPS_SHIFT	32

#define FDT_MAGIC_BE	0xedfe0dd0u	/* 0xd00dfeed as read little-endian */

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2_pool[L2_STATIC][512] __attribute__((aligned(4096)));
static unsigned l2_used;
static uint64_t *l2_more[L2_POOL - L2_STATIC];	/* from arch_mmu_add_tables */
static unsigned nl2_more;
/* every entry of a table is written when it is taken (map_pages) */
/* the linker sizes this pool to the image (arm64.ld) */
extern uint64_t _l3_tables[][512], _l3_tables_end[][512];
static unsigned l3_used;
static uint64_t *l3_zero;	/* RAM's first block in pages, when RAM starts at 0 */
static bool image_unprotected;	/* an image too large for the L3 pool */

extern char _head[], _etext[], _erodata[], _end[];

enum kind { NORMAL, DEVICE, DMA };

#define NORMAL_RO	(PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_AP_RO)

static uint64_t block_attrs(enum kind k)
{
	if (k == DEVICE)
		return PTE_ATTR_DEV | PTE_AF | PTE_PXN | PTE_UXN;
	if (k == DMA)	/* shared with a non-snooping DMA master: never cached */
		return PTE_ATTR_NC | PTE_SH_INNER | PTE_AF | PTE_PXN | PTE_UXN;
	return PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_PXN | PTE_UXN;
}

static void publish(void)
{
	/* New entries only ever replace invalid ones, so no TLB maintenance
	 * is needed: make the store visible to the walker and resynchronise. */
	__asm__ volatile("dsb ishst\n isb" ::: "memory");
}

static uint64_t *l2_for(uint64_t pa, enum kind k, int *err)
{
	uint64_t *e = &l1[pa / BLOCK_1G];

	if ((*e & PTE_TYPE_MASK) == PTE_TABLE)
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
	if (*e & 1) {	/* already a 1 GiB block */
		*err = ((*e & 0x1c) == (block_attrs(k) & 0x1c)) ? 0 : -EEXIST;
		return 0;
	}
	uint64_t *t;

	if (l2_used < L2_STATIC) {
		t = l2_pool[l2_used];
	} else if (l2_used - L2_STATIC < nl2_more) {
		t = l2_more[l2_used - L2_STATIC];
		for (unsigned i = 0; i < 512; i++)	/* the static ones are clear */
			t[i] = 0;
		/* the zeros before the entry that makes the walker read them */
		__asm__ volatile("dsb ishst" ::: "memory");
	} else {
		*err = -ENOMEM;
		return 0;
	}
	l2_used++;
	*e = (uint64_t)(uintptr_t)t | PTE_TABLE;
	return t;
}

unsigned arch_mmu_tables_wanted(void)
{
	return L2_POOL - L2_STATIC - nl2_more;
}

/* With the MMU on: the pages are written through the cache like the static
 * pool, and published (dsb) before an entry points at them. */
void arch_mmu_add_tables(uint64_t pa, unsigned n)
{
	for (; n && nl2_more < L2_POOL - L2_STATIC; n--, pa += PAGE)
		l2_more[nl2_more++] = (uint64_t *)(uintptr_t)pa;
}

/* Pages [from, to) of the block at base, with attrs. */
static void fill_pages(uint64_t *l3, uint64_t base, unsigned from, unsigned to, uint64_t attrs)
{
	page_fill(l3, base, from, to, attrs | PTE_PAGE);
}

/* The 2 MiB block at pa as 512 pages, on an entry not yet valid (nothing
 * can have it in a TLB): the image's text read-only and executable, its
 * rodata read-only, any other page RAM's (never executable). Returns the
 * L3 table or NULL. */
static uint64_t *map_pages(uint64_t *e, uint64_t pa)
{
	uint64_t *l3, base = pa & ~(BLOCK_2M - 1);
	unsigned text = page_fill_index(base, (uintptr_t)_head);
	unsigned ro = page_fill_index(base, (uintptr_t)_etext);
	unsigned rw = page_fill_index(base, (uintptr_t)_erodata);

	if (&_l3_tables[l3_used] >= _l3_tables_end)
		return 0;
	l3 = _l3_tables[l3_used++];
	fill_pages(l3, base, 0, text, block_attrs(NORMAL));
	fill_pages(l3, base, text, ro, NORMAL_RO | PTE_UXN);	/* EL1 may run it */
	fill_pages(l3, base, ro, rw, NORMAL_RO | PTE_PXN | PTE_UXN);
	fill_pages(l3, base, rw, 512, block_attrs(NORMAL));
	*e = (uint64_t)(uintptr_t)l3 | PTE_TABLE;
	return l3;
}

/* The 2 MiB at pa in t, its GiB's L2 table. */
static int map_2m(uint64_t *t, uint64_t pa, enum kind k)
{
	uint64_t *e = &t[(pa % BLOCK_1G) / BLOCK_2M];
	uint64_t want = (pa & ~(BLOCK_2M - 1)) | block_attrs(k) | PTE_BLOCK;

	if ((*e & PTE_TYPE_MASK) == PTE_TABLE)	/* in pages already: RAM there */
		return k == NORMAL ? 0 : -EEXIST;
	if (!*e && k == NORMAL && pa < BLOCK_2M) {
		l3_zero = map_pages(e, pa);
		return l3_zero ? 0 : -ENOMEM;
	}
	if (*e & 1)
		return ((*e & 0x1c) == (want & 0x1c)) ? 0 : -EEXIST;
	*e = want;
	return 0;
}

static int map_range(uint64_t pa, uint64_t size, enum kind k)
{
	if (size == 0)
		return 0;
	if (pa >= VA_LIMIT || size > VA_LIMIT - pa)
		return -ERANGE;
	uint64_t end = (pa + size + BLOCK_2M - 1) & ~(BLOCK_2M - 1);

	for (pa &= ~(BLOCK_2M - 1); pa < end;) {
		uint64_t *e = &l1[pa / BLOCK_1G], *t, stop = (pa | (BLOCK_1G - 1)) + 1;
		int err = 0;

		if (pa % BLOCK_1G == 0 && end - pa >= BLOCK_1G && *e == 0 && pa) {
			*e = pa | block_attrs(k) | PTE_BLOCK;
			pa += BLOCK_1G;
			continue;
		}
		/* the GiB's table found once for all its 2 MiB blocks, not
		 * per block (RAM's hundreds were 4k instructions of the boot) */
		t = l2_for(pa, k, &err);
		if (err)
			return err;
		stop = stop < end ? stop : end;
		if (!t)		/* a 1 GiB block already, with these attributes */
			pa = stop;
		for (; pa < stop; pa += BLOCK_2M) {
			err = map_2m(t, pa, k);
			if (err)
				return err;
		}
	}
	publish();
	return 0;
}

int arch_mmu_map(uint64_t pa, uint64_t size, bool device)
{
	return map_range(pa, size, device ? DEVICE : NORMAL);
}

int arch_mmu_map_dma(uint64_t pa, uint64_t size)
{
	return map_range(pa, size, DMA);
}

/* The L2 entry of the 2 MiB at pa, or NULL when no L2 table covers it. */
static uint64_t *l2_entry(uint64_t pa)
{
	uint64_t e = pa < VA_LIMIT ? l1[pa / BLOCK_1G] : 0;

	if ((e & PTE_TYPE_MASK) != PTE_TABLE)
		return 0;
	return &((uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK))[(pa % BLOCK_1G) / BLOCK_2M];
}

/* Every CPU forgets the translation of the page or block at va. */
static void tlbi_all_cpus(uint64_t va)
{
	__asm__ volatile("dsb ishst\n tlbi vaae1is, %0\n dsb ish\n isb"
			 :: "r"(va >> 12) : "memory");
}

int arch_mmu_split_block(uint64_t pa, uint64_t *table)
{
	uint64_t *e;

	if (pa % BLOCK_2M)
		return -EINVAL;
	e = l2_entry(pa);
	if (!e || (*e & PTE_TYPE_MASK) != PTE_BLOCK)
		return -ENOTSUP;
	fill_pages(table, pa, 0, 512, block_attrs(NORMAL));
	/* Break before make: a block and a table for the same addresses must
	 * never be in a TLB together. Nothing touches the block meanwhile. */
	*e = 0;
	tlbi_all_cpus(pa);
	*e = (uint64_t)(uintptr_t)table | PTE_TABLE;
	publish();
	return 0;
}

int arch_mmu_set_page(uint64_t pa, bool present)
{
	uint64_t *e = l2_entry(pa), *l3, *p;

	if (!e || (*e & PTE_TYPE_MASK) != PTE_TABLE)
		return -EINVAL;
	l3 = (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
	p = &l3[(pa % BLOCK_2M) / PAGE];
	if (present && !*p) {
		*p = (pa & ~(PAGE - 1)) | block_attrs(NORMAL) | PTE_PAGE;
		publish();
	} else if (!present && *p) {
		*p = 0;
		tlbi_all_cpus(pa);
		return 1;
	}
	return 0;
}

void arch_tlb_flush_local(uint64_t va)
{
	(void)va;	/* arch_mmu_set_page's TLBI reached every CPU */
}

void arch_cpu_set_fault_stack(void *top)
{
	(void)top;	/* vectors.S reads struct cpu's fault_stack */
}

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static void enable_mmu(void)
{
	uint64_t mmfr0, tcr, sctlr;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	tcr = TCR_T0SZ | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER |
	      TCR_EPD1 | ((mmfr0 & 0x7) << TCR_IPS_SHIFT);
	__asm__ volatile("msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n"
			 "isb\n tlbi vmalle1\n dsb nsh\n isb"
			 :: "r"(MAIR_VALUE), "r"(tcr), "r"(l1) : "memory");
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	sctlr &= ~(uint64_t)SCTLR_A;
	__asm__ volatile("msr sctlr_el1, %0\n isb" :: "r"(sctlr) : "memory");
}

/* With the MMU off: the image's blocks in pages, with their permissions. */
static void map_image(uint64_t head, uint64_t end)
{
	for (uint64_t pa = head & ~(BLOCK_2M - 1); pa < end; pa += BLOCK_2M) {
		int err = 0;
		uint64_t *t = l2_for(pa, NORMAL, &err);

		uint64_t *e = t ? &t[(pa % BLOCK_1G) / BLOCK_2M] : 0, *l3;

		if (!e || *e)
			continue;
		l3 = map_pages(e, pa);
		if (!l3) {	/* out of L3 tables: this block unprotected */
			*e = pa | PTE_ATTR_NORMAL | PTE_SH_INNER | PTE_AF | PTE_BLOCK;
			image_unprotected = true;
		}
		if (pa == 0)
			l3_zero = l3;
	}
	publish();
}

bool arch_mmu_image_protected(void)
{
	return !image_unprotected;
}

void arch_mmu_seal(void)
{
	if (!l3_zero || !l3_zero[0])
		return;
	l3_zero[0] = 0;
	/* a valid entry made invalid: every CPU's TLB forgets page 0 */
	__asm__ volatile("dsb ishst\n tlbi vaae1is, xzr\n dsb ish\n isb" ::: "memory");
}

/* A secondary CPU, from start.S with its MMU off: the boot CPU's tables. */
void arch_mmu_secondary(void);
void arch_mmu_secondary(void)
{
	enable_mmu();
}

/* Called from start.S with the MMU off: map the image (code, data, bss and
 * boot stack) and the boot loader's DTB, then turn the MMU and caches on.
 * Returns the DTB when it carries the FDT magic (and so is mapped), else
 * NULL: x0 was 0, misaligned, or points at something else. */
const void *arch_mmu_early(const void *dtb)
{
	uintptr_t head = (uintptr_t)_head;
	const void *found = 0;

	map_image(head, (uintptr_t)_end);
	/* booting.rst: the DTB is 8-byte aligned; read its header with aligned
	 * word loads. Only a blob with the right magic is mapped; the kernel
	 * validates it fully once caches are on. */
	if (dtb && ((uintptr_t)dtb & 7) == 0) {
		const volatile uint32_t *h = dtb;

		if (h[0] == FDT_MAGIC_BE) {
			uint32_t size = be32(h[1]);

			if (size > (2u << 20))
				size = 2u << 20;
			if (arch_mmu_map((uintptr_t)dtb, size, false) == 0)
				found = dtb;
		}
	}
	enable_mmu();
	return found;
}
