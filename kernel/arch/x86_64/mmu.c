/*
 * Identity-mapped 4-level paging with 2 MiB pages, covering the first
 * 512 GiB (one PML4 entry, one PDPT). entry.S fills the tables for
 * [0, _end) before paging is on; arch_mmu_map() adds what the DT names.
 *
 *   PML4[0] --> PDPT [512 x 1 GiB] --> PD (from a small pool) [512 x 2 MiB pages]
 *   PD[0] of the first GiB --> x86_pt_low [512 x 4 KiB], page 0 not present:
 *   a NULL pointer faults (the null guard, entry.S)
 *
 * RAM is write-back; device memory is uncached (PCD|PWT). Permissions
 * (W^X, with CR0.WP so that they bind ring 0 too): the image's text is
 * read-only and executable, its rodata read-only, and when the CPU has NX
 * (entry.S then set EFER.NXE) nothing else is executable: x86_mmu_protect
 * maps the image's 2 MiB pages in 4 KiB pages for that. Anything else is
 * not present and faults with a dump.
 */
#include <errno.h>

#include "../../arch.h"
#include "../page_fill.h"
#include "x86.h"

/* PDs: 8 GiB mapped at most (RAM and devices), as before: 2 static (entry.S's
 * for the first GiB and one for what the loader put elsewhere), the other 6
 * from RAM after the image (arch_mmu_add_tables), which were 24 KiB of every
 * app's static RAM. */
#define PD_POOL		8
#define PD_STATIC	2
#define PAGE		4096ull
#define PAGE_2M		(1ull << 21)
#define GIB		(1ull << 30)
#define VA_LIMIT	(1ull << 39)

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)
#define PTE_NX		(1ull << 63)
#define PTE_ATTR_MASK	(PTE_PWT | PTE_PCD | PTE_NX)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

/* Shared with entry.S, which uses pd_pool[0] for the first GiB. In their
 * own part of .bss, which entry.S clears before it fills them in 32-bit
 * mode; the rest of .bss is cleared in 64-bit mode, 8 bytes a store. */
#define PAGETABLES __attribute__((section(".bss.pagetables")))
PAGETABLES uint64_t x86_pml4[512] __attribute__((aligned(4096)));
PAGETABLES uint64_t x86_pdpt[512] __attribute__((aligned(4096)));
PAGETABLES uint64_t x86_pd_pool[PD_STATIC][512] __attribute__((aligned(4096)));
PAGETABLES uint32_t x86_pd_used;
static uint64_t *pd_more[PD_POOL - PD_STATIC];	/* from arch_mmu_add_tables */
static unsigned npd_more;
PAGETABLES uint64_t x86_pt_low[512] __attribute__((aligned(4096)));
/* every entry of a table is written when it is taken (x86_mmu_protect) */
/* for the image's 2 MiB pages past the first; sized by the linker (x86_64.ld) */
extern uint64_t _pt_tables[][512], _pt_tables_end[][512];
static bool image_unprotected;

extern char _head[], _etext[], _erodata[], _end[];

static uint64_t nx(void)
{
	return (rdmsr(MSR_EFER) & EFER_NXE) ? PTE_NX : 0;
}

static uint64_t page_attrs(bool device)
{
	return PTE_P | PTE_RW | PTE_PS | nx() | (device ? PTE_PCD | PTE_PWT : 0);
}

/* The image's 2 MiB block at pa as 4 KiB pages in pt: RAM before and
 * after the image read-write, its text read-only and executable, its
 * rodata read-only; page 0 absent. no_exec: nx(), read once (an MSR read
 * a page was 512 a block). */
static void image_pages(uint64_t *pt, uint64_t pa, uint64_t no_exec)
{
	unsigned first = pa == 0;	/* page 0 stays absent */
	unsigned text = page_fill_index(pa, (uintptr_t)_head);
	unsigned ro = page_fill_index(pa, (uintptr_t)_etext);
	unsigned rw = page_fill_index(pa, (uintptr_t)_erodata);

	text = text > first ? text : first;
	ro = ro > text ? ro : text;
	rw = rw > ro ? rw : ro;
	page_fill(pt, pa, first, text, PTE_P | PTE_RW | no_exec);
	page_fill(pt, pa, text, ro, PTE_P);
	page_fill(pt, pa, ro, rw, PTE_P | no_exec);
	page_fill(pt, pa, rw, 512, PTE_P | PTE_RW | no_exec);
}

void x86_mmu_protect(void)
{
	uint64_t *pd = x86_pd_pool[0];	/* entry.S's, for the first GiB */
	uint64_t no_exec = nx();
	unsigned used = 0;

	for (uint64_t pa = 0; pa < (uintptr_t)_end; pa += PAGE_2M) {
		uint64_t *pt = pa == 0 ? x86_pt_low :
			       &_pt_tables[used] < _pt_tables_end ? _pt_tables[used++] : 0;

		if (!pt) {
			image_unprotected = true;
			continue;
		}
		image_pages(pt, pa, no_exec);
		pd[pa / PAGE_2M] = (uint64_t)(uintptr_t)pt | PTE_P | PTE_RW;
	}
	/* one CPU so far: reloading CR3 flushes the 2 MiB translations */
	__asm__ volatile("mov %%cr3, %%rax\n mov %%rax, %%cr3" ::: "rax", "memory");
}

bool arch_mmu_image_protected(void)
{
	return !image_unprotected;
}

/* Page 0 is never mapped here (entry.S). */
void arch_mmu_seal(void)
{
}

static uint64_t *pd_for(uint64_t pa)
{
	uint64_t *e = &x86_pdpt[pa / GIB];

	if (*e & PTE_P)
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
	uint64_t *t;

	if (x86_pd_used < PD_STATIC)
		t = x86_pd_pool[x86_pd_used];
	else if (x86_pd_used - PD_STATIC < npd_more)
		t = pd_more[x86_pd_used - PD_STATIC];
	else
		return 0;
	x86_pd_used++;
	for (unsigned i = 0; i < 512; i++)	/* static ones are clear, given ones not */
		t[i] = 0;
	*e = (uint64_t)(uintptr_t)t | PTE_P | PTE_RW;
	return t;
}

unsigned arch_mmu_tables_wanted(void)
{
	return PD_POOL - PD_STATIC - npd_more;
}

void arch_mmu_add_tables(uint64_t pa, unsigned n)
{
	for (; n && npd_more < PD_POOL - PD_STATIC; n--, pa += PAGE)
		pd_more[npd_more++] = (uint64_t *)(uintptr_t)pa;
}

int arch_mmu_map(uint64_t pa, uint64_t size, bool device)
{
	uint64_t want = page_attrs(device);

	if (size == 0)
		return 0;
	if (pa >= VA_LIMIT || size > VA_LIMIT - pa)
		return -ERANGE;
	uint64_t end = (pa + size + PAGE_2M - 1) & ~(PAGE_2M - 1);

	/* a GiB's PD found once for all its 2 MiB entries, not per entry
	 * (RAM's hundreds were a thousand instructions a 64 MiB) */
	for (pa &= ~(PAGE_2M - 1); pa < end;) {
		uint64_t *pd = pd_for(pa), stop = (pa | (GIB - 1)) + 1;

		if (!pd)
			return -ENOMEM;
		for (stop = stop < end ? stop : end; pa < stop; pa += PAGE_2M) {
			uint64_t *e = &pd[(pa % GIB) / PAGE_2M];

			if (!(*e & PTE_P)) {
				*e = pa | want;
				continue;
			}
			/* New entries only replace non-present ones (which the
			 * TLB never caches), so no invalidation is needed. In
			 * 4 KiB pages (the image's): RAM. */
			if ((*e & PTE_PS) && (*e & PTE_ATTR_MASK) != (want & PTE_ATTR_MASK))
				return -EEXIST;
		}
	}
	return 0;
}

/* The PD entry of the 2 MiB at pa, or NULL when no PD covers it. */
static uint64_t *pd_entry(uint64_t pa)
{
	uint64_t e = pa < VA_LIMIT ? x86_pdpt[pa / GIB] : 0;

	if (!(e & PTE_P))
		return 0;
	return &((uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK))[(pa % GIB) / PAGE_2M];
}

void arch_tlb_flush_local(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"((uintptr_t)va) : "memory");
}

int arch_mmu_split_block(uint64_t pa, uint64_t *table)
{
	uint64_t *e, no_exec = nx();

	if (pa % PAGE_2M)
		return -EINVAL;
	e = pd_entry(pa);
	if (!e || !(*e & PTE_P) || !(*e & PTE_PS) || (*e & (PTE_PCD | PTE_PWT)))
		return -ENOTSUP;
	page_fill(table, pa, 0, 512, PTE_P | PTE_RW | no_exec);
	*e = (uint64_t)(uintptr_t)table | PTE_P | PTE_RW;
	arch_tlb_flush_local(pa);	/* the 2 MiB translation */
	return 0;
}

int arch_mmu_set_page(uint64_t pa, bool present)
{
	uint64_t *e = pd_entry(pa), *p;

	if (!e || !(*e & PTE_P) || (*e & PTE_PS))
		return -EINVAL;
	p = &((uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK))[(pa % PAGE_2M) / PAGE];
	if (present && !(*p & PTE_P))
		*p = (pa & ~(PAGE - 1)) | PTE_P | PTE_RW | nx();
	else if (!present && (*p & PTE_P)) {
		*p = 0;
		arch_tlb_flush_local(pa);
		return 1;
	}
	return 0;
}

/* x86 passes no DTB: the board DTB is embedded (see boot_x86.c). */
const void *arch_mmu_early(const void *dtb)
{
	(void)dtb;
	return 0;
}

/* x86 DMA is cache-coherent: memory shared with devices is ordinary RAM. */
int arch_mmu_map_dma(uint64_t pa, uint64_t size)
{
	return arch_mmu_map(pa, size, false);
}
