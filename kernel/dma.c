/*
 * Memory shared with DMA masters that do not snoop the CPU's caches. A
 * non-coherent device (the ZynqMP GEM) and the CPU would otherwise each see
 * stale copies: descriptors pack several to a cache line, so cleaning one
 * could overwrite what the device just wrote next to it. One 2 MiB block
 * (the MMU's granule for RAM), carved at boot from the top of the largest
 * free region and mapped non-cacheable (arch_mmu_map_dma), serves every such
 * allocation; drivers take what they need at probe and never give it back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <takt/device.h>
#include <takt/log.h>

#include "arch.h"
#include "kernel.h"
#include "memmap.h"

#define POOL_SIZE (2u << 20)

static uintptr_t pool_next, pool_end;

int dma_pool_carve(struct tk_memmap *avail, struct tk_mem_region *pool)
{
	int err = tk_memmap_carve_top(avail, POOL_SIZE, POOL_SIZE, pool);

	if (err) {
		tk_printk("dma: no free 2 MiB block for the DMA pool; drivers that need "
			  "one will fail\n");
		return err;
	}
	return 0;
}

int dma_pool_map(const struct tk_mem_region *pool)
{
	int err = arch_mmu_map_dma(pool->base, pool->size);

	if (err)
		return err;
	pool_next = (uintptr_t)pool->base;
	pool_end = (uintptr_t)(pool->base + pool->size);
	return 0;
}

void *tk_dma_alloc(size_t size, size_t align)
{
	unsigned long key;
	uintptr_t p;

	if (size == 0 || align == 0 || (align & (align - 1)) || align > POOL_SIZE)
		return NULL;
	key = tk_irq_lock();	/* probes run at boot; a driver may start later */
	p = (pool_next + align - 1) & ~(uintptr_t)(align - 1);
	if (!pool_end || p > pool_end || size > pool_end - p) {
		tk_irq_unlock(key);
		return NULL;
	}
	pool_next = p + size;
	tk_irq_unlock(key);
	/* Normal non-cacheable memory takes memset's DC ZVA (only Device
	 * memory faults on it): 64 bytes an instruction. */
	memset((void *)p, 0, size);
	return (void *)p;
}
