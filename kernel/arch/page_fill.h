/*
 * Page-table entries for a run of consecutive 4 KiB pages, shared by the
 * arches' MMU code: four a round, each entry the one before plus a page.
 * A loop of one was six instructions a page; the boot fills whole tables
 * of 512 (the image's 2 MiB blocks in pages for W^X, the stack pool's
 * guard pages), 3-6k instructions of it.
 */
#ifndef TAKT_ARCH_PAGE_FILL_H
#define TAKT_ARCH_PAGE_FILL_H

#include <stdint.h>

#define PAGE_FILL_SIZE 4096ull

/* Entries [from, to) of table: page i is base + i pages, with attrs (bits
 * below 12 and above the address: the address bits never carry into them
 * for addresses below 2^48). One copy: it is called for runs of a table,
 * never a page at a time. */
static __attribute__((noinline, unused)) void page_fill(uint64_t *table, uint64_t base,
						      unsigned from, unsigned to, uint64_t attrs)
{
	uint64_t v = (base + from * PAGE_FILL_SIZE) | attrs;
	unsigned i = from;

	for (; i + 4 <= to; i += 4, v += 4 * PAGE_FILL_SIZE) {
		table[i] = v;
		table[i + 1] = v + PAGE_FILL_SIZE;
		table[i + 2] = v + 2 * PAGE_FILL_SIZE;
		table[i + 3] = v + 3 * PAGE_FILL_SIZE;
	}
	for (; i < to; i++, v += PAGE_FILL_SIZE)
		table[i] = v;
}

/* The page index of address a in the 2 MiB block at base, clamped to
 * 0..512. */
static inline unsigned page_fill_index(uint64_t base, uintptr_t a)
{
	return a <= base ? 0 : a - base >= 512 * PAGE_FILL_SIZE ? 512
							      : (unsigned)((a - base) / PAGE_FILL_SIZE);
}

#endif
