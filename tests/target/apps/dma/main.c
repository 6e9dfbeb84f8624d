/*
 * tk_dma_alloc: memory for DMA masters that do not snoop the caches. Its
 * arguments are checked, blocks come aligned, zeroed and apart, the pool ends
 * with NULL (never an overlap), and on arm64 the MMU really maps it normal
 * non-cacheable: the address translation instruction (AT S1E1R) reports the
 * MAIR attribute in PAR_EL1 (0x44), where the heap's is 0xff (write-back).
 */
#include <stdint.h>
#include <stdlib.h>

#include <takt/device.h>

#include "tk_test.h"

#if defined(__aarch64__)
static unsigned mem_attr(const void *p)
{
	uint64_t par;

	__asm__ volatile("at s1e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(p));
	return (par & 1) ? 0x100 : (unsigned)(par >> 56);	/* 0x100: no translation */
}
#endif

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	TK_CHECK("size_0_refused", tk_dma_alloc(0, 64) == NULL);
	TK_CHECK("align_not_power_of_two_refused", tk_dma_alloc(100, 3) == NULL);
	TK_CHECK("align_0_refused", tk_dma_alloc(100, 0) == NULL);
	TK_CHECK("larger_than_pool_refused", tk_dma_alloc(3u << 20, 64) == NULL);

	uint8_t *a = tk_dma_alloc(1000, 64);
	uint8_t *b = tk_dma_alloc(10, 4096);

	TK_CHECK("alloc_ok", a && b);
	TK_CHECK("aligned", a && b && ((uintptr_t)a % 64) == 0 && ((uintptr_t)b % 4096) == 0);
	TK_CHECK("zeroed", a && all_zero(a, 1000));
	TK_CHECK("apart", a && b && (b >= a + 1000 || b + 10 <= a));
#if defined(__aarch64__)
	void *heap = malloc(64);

	printf("dma: attr 0x%x, heap attr 0x%x\n", a ? mem_attr(a) : 0, mem_attr(heap));
	TK_CHECK("dma_mapped_non_cacheable", a && mem_attr(a) == 0x44);
	TK_CHECK("heap_mapped_write_back", mem_attr(heap) == 0xff);
	free(heap);
#endif
	/* Use the pool up: it ends with NULL, and the last block is writable. */
	size_t got = 0;
	uint8_t *last = NULL, *p;

	while ((p = tk_dma_alloc(64 << 10, 64)) != NULL) {
		last = p;
		got += 64 << 10;
	}
	if (last)
		last[(64 << 10) - 1] = 0x5a;
	printf("dma: %lu KiB more before the pool ran out\n", (unsigned long)(got >> 10));
	TK_CHECK("pool_ends_with_null", got > 0 && got <= (2u << 20));
	TK_CHECK("alloc_after_the_end_is_null", tk_dma_alloc(1u << 20, 64) == NULL);
	return tk_test_done();
}
