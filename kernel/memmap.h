/*
 * Physical memory map: a small sorted set of [base, base+size) regions.
 *
 * Boot builds it once from the DTB (RAM minus reserved regions minus the
 * image) and hands the largest piece to the heap. Fixed capacity, no
 * allocation: it runs before there is anything to allocate from.
 *
 * Invariant after every call: r[0..n) sorted by base, non-overlapping,
 * non-adjacent (touching regions are merged), no zero sizes, and
 * base + size never wraps past 2^64.
 */
#ifndef TAKT_MEMMAP_H
#define TAKT_MEMMAP_H

#include <stdint.h>

#define TK_MEMMAP_MAX 16

struct tk_mem_region {
	uint64_t base, size;
};

struct tk_memmap {
	int n;
	struct tk_mem_region r[TK_MEMMAP_MAX];
};

void tk_memmap_init(struct tk_memmap *m);

/* Add [base, base+size), merging overlapping and adjacent regions.
 * @retval 0 (also for size 0), -EOVERFLOW base+size wraps,
 *         -ENOSPC no free slot (m unchanged) */
int tk_memmap_add(struct tk_memmap *m, uint64_t base, uint64_t size);

/* Subtract [base, base+size); may split a region.
 * @retval 0, -EOVERFLOW base+size wraps, -ENOSPC a split does not fit (m unchanged) */
int tk_memmap_remove(struct tk_memmap *m, uint64_t base, uint64_t size);

uint64_t tk_memmap_total(const struct tk_memmap *m);

/* Largest region after aligning its base up to align (a power of two; 0 = 1).
 * @retval 0, -ENOMEM no region left after aligning, -EINVAL align not a power of two */
int tk_memmap_largest(const struct tk_memmap *m, uint64_t align, struct tk_mem_region *out);

/* Take an align-aligned block of size bytes (both powers of two) from the
 * top of the largest region that holds one, and remove it from m.
 * @retval 0, -ENOMEM no region holds such a block (m unchanged),
 *         -EINVAL size or align not a power of two, or size < align */
int tk_memmap_carve_top(struct tk_memmap *m, uint64_t size, uint64_t align,
			struct tk_mem_region *out);

/* RAM from every enabled child of the root with device_type = "memory"
 * (the "memory" / "memory@..." nodes), up to 8 'reg' entries each.
 * @retval 0, -ENOENT no RAM at all, or the errors of tk_dt_reg / tk_memmap_add
 *         (tk_dt_last_error() names the node) */
int tk_memmap_ram_from_dt(const void *fdt, struct tk_memmap *ram);

/* Subtract the /memreserve/ entries and the 'reg' of every enabled
 * /reserved-memory child (no-map or not: either way we must not use it).
 * Children without 'reg' (dynamic 'size' + 'alloc-ranges' pools) are for an
 * OS that allocates them, so they are skipped.
 * @retval 0, or the errors of tk_dt_reg / tk_memmap_remove */
int tk_memmap_reserved_from_dt(const void *fdt, struct tk_memmap *m);

#endif /* TAKT_MEMMAP_H */
