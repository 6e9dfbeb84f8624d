/*
 * Identity-mapped 4-level paging with 2 MiB pages, covering the first
 * 512 GiB (one PML4 entry, one PDPT). entry.S fills the tables for
 * [0, _end) before paging is on; arch_mmu_map() adds what the DT names.
 *
 *   PML4[0] --> PDPT [512 x 1 GiB] --> PD (from a small pool) [512 x 2 MiB pages]
 *   PD[0] of the first GiB --> x86_pt_low [512 x 4 KiB], page 0 not present:
 *   a NULL pointer faults (the null guard, entry.S)
 *
 * RAM is write-back; device memory is uncached (PCD|PWT) and, when the CPU
 * has NX (entry.S then set EFER.NXE), not executable. Anything else is not
 * present and faults with a dump.
 */
#include <errno.h>

#include "../../arch.h"
#include "x86.h"

#define PD_POOL		8
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

/* Shared with entry.S, which uses pd_pool[0] for the first GiB. */
uint64_t x86_pml4[512] __attribute__((aligned(4096)));
uint64_t x86_pdpt[512] __attribute__((aligned(4096)));
uint64_t x86_pd_pool[PD_POOL][512] __attribute__((aligned(4096)));
uint32_t x86_pd_used;
uint64_t x86_pt_low[512] __attribute__((aligned(4096)));

static uint64_t page_attrs(bool device)
{
	uint64_t a = PTE_P | PTE_RW | PTE_PS;

	if (device) {
		a |= PTE_PCD | PTE_PWT;
		if (rdmsr(MSR_EFER) & EFER_NXE)
			a |= PTE_NX;
	}
	return a;
}

static uint64_t *pd_for(uint64_t pa)
{
	uint64_t *e = &x86_pdpt[pa / GIB];

	if (*e & PTE_P)
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR_MASK);
	if (x86_pd_used == PD_POOL)
		return 0;
	uint64_t *t = x86_pd_pool[x86_pd_used++];

	*e = (uint64_t)(uintptr_t)t | PTE_P | PTE_RW;
	return t;
}

int arch_mmu_map(uint64_t pa, uint64_t size, bool device)
{
	uint64_t want = page_attrs(device);

	if (size == 0)
		return 0;
	if (pa >= VA_LIMIT || size > VA_LIMIT - pa)
		return -ERANGE;
	uint64_t end = (pa + size + PAGE_2M - 1) & ~(PAGE_2M - 1);

	for (pa &= ~(PAGE_2M - 1); pa < end; pa += PAGE_2M) {
		uint64_t *pd = pd_for(pa);

		if (!pd)
			return -ENOMEM;
		uint64_t *e = &pd[(pa % GIB) / PAGE_2M];

		if (*e & PTE_P) {
			/* New entries only replace non-present ones (which the
			 * TLB never caches), so no invalidation is needed. */
			if ((*e & PTE_ATTR_MASK) != (want & PTE_ATTR_MASK))
				return -EEXIST;
			continue;
		}
		*e = pa | want;
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
