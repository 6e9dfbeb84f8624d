/*
 * Guarded thread stacks (DESIGN.md section 8). Each stack is whole pages
 * with an absent page below it: an overflow faults at its first access
 * past the stack, in the thread that made it, and the fault handler names
 * the thread (arch exception.c). The canary at the stack's bottom stays as
 * the second line, for stacks the app provides itself.
 *
 * Pages need the RAM mapped in 4 KiB pages, but the heap is mapped in
 * 2 MiB blocks, and a block in use cannot be remapped safely (arm64's
 * break-before-make would fault every access to it meanwhile). So stacks
 * live in blocks taken whole from the heap's top (heap.c), before anything
 * uses them, each remapped once:
 *
 *   block: [ page table | page map | guard | stack ... | guard | stack ... ]
 *
 * A freed stack's pages stay as they are; the next stack there makes its
 * own guard absent (with a TLB invalidation on every CPU) and its other
 * pages present.
 */
#include <errno.h>
#include <string.h>

#include <takt/log.h>
#include <takt/spinlock.h>

#include "arch.h"
#include "kernel.h"
#include "smp.h"
#include "stack_pool.h"
#include "thread_impl.h"

#define BLOCK (2u << 20)
#define PAGES (BLOCK / STACK_PAGE)
#define BLOCKS_MAX 64		/* 128 MiB of stacks */
#define FAULT_STACK (16u * 1024)	/* a panic, its core and its record */

struct block_map {		/* a block's second page */
	uint64_t used[PAGES / 64];
	unsigned free;
};

static tk_spinlock_t pool_lock = TK_SPINLOCK_INIT;
static uintptr_t blocks[BLOCKS_MAX];
static unsigned nblocks;
static bool no_more;		/* a block could not be split: stop asking */

static struct block_map *map_of(uintptr_t b)
{
	return (struct block_map *)(b + STACK_PAGE);
}

static bool page_used(const struct block_map *m, unsigned i)
{
	return m->used[i / 64] >> (i % 64) & 1;
}

static void mark(struct block_map *m, unsigned first, unsigned n, bool used)
{
	for (unsigned i = first; i < first + n; i++) {
		if (used)
			m->used[i / 64] |= 1ull << (i % 64);
		else
			m->used[i / 64] &= ~(1ull << (i % 64));
	}
}

/* The first run of n free pages, or -1. */
static int find_run(const struct block_map *m, unsigned n)
{
	unsigned run = 0;

	for (unsigned i = 0; i < PAGES; i++) {
		if (i % 64 == 0 && m->used[i / 64] == ~0ull) {
			i += 63;
			run = 0;
			continue;
		}
		if (page_used(m, i))
			run = 0;
		else if (++run == n)
			return (int)(i + 1 - n);
	}
	return -1;
}

/* n pages from a block that has them, marked used; 0 if none has. */
static uintptr_t take_pages(unsigned n)
{
	unsigned long flags = tk_spin_lock_irqsave(&pool_lock);
	uintptr_t p = 0;

	for (unsigned k = 0; k < nblocks && !p; k++) {
		struct block_map *m = map_of(blocks[k]);
		int first = m->free >= n ? find_run(m, n) : -1;

		if (first >= 0) {
			mark(m, (unsigned)first, n, true);
			m->free -= n;
			p = blocks[k] + (uintptr_t)first * STACK_PAGE;
		}
	}
	tk_spin_unlock_irqrestore(&pool_lock, flags);
	return p;
}

static void flush_fn(void *va)
{
	arch_tlb_flush_local((uint64_t)(uintptr_t)va);
}

/* Where invlpg is per CPU (x86), the other CPUs drop va too. Every CPU,
 * this one included (smp_call runs it here directly): the caller may have
 * moved since its own invalidation. */
static void flush_others(uintptr_t va)
{
	if (ARCH_TLB_BROADCAST)
		return;
	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		if (cpus[i].online)
			smp_call(&cpus[i], flush_fn, (void *)va);
}

/* One more block from the heap's top, remapped in pages; false if none. */
static bool add_block(void)
{
	uintptr_t b;
	int err;

	if (no_more || nblocks == BLOCKS_MAX || !(b = heap_take_block()))
		return false;
	err = arch_mmu_split_block(b, (uint64_t *)b);
	if (err) {
		tk_printk("stack: cannot map RAM at 0x%lx in pages (%d): thread stacks get "
			  "no guard page\n", (unsigned long)b, err);
		no_more = true;
		return false;
	}
	flush_others(b);
	struct block_map *m = map_of(b);

	memset(m, 0, sizeof(*m));
	mark(m, 0, 2, true);	/* the table and this map */
	m->free = PAGES - 2;
	unsigned long flags = tk_spin_lock_irqsave(&pool_lock);

	blocks[nblocks++] = b;
	tk_spin_unlock_irqrestore(&pool_lock, flags);
	return true;
}

void *stack_pool_alloc(size_t size)
{
	unsigned n = (unsigned)((size + STACK_PAGE - 1) / STACK_PAGE) + 1;	/* + guard */
	uintptr_t p;

	if (size == 0 || size > BLOCK || n > PAGES - 2)
		return NULL;
	while (!(p = take_pages(n)))
		if (!add_block())
			return NULL;
	if (arch_mmu_set_page(p, false) > 0)
		flush_others(p);
	for (unsigned i = 1; i < n; i++)
		arch_mmu_set_page(p + i * STACK_PAGE, true);
	return (void *)(p + STACK_PAGE);
}

bool stack_pool_free(void *stack, size_t size)
{
	uintptr_t p = (uintptr_t)stack - STACK_PAGE, b = p & ~(uintptr_t)(BLOCK - 1);
	unsigned n = (unsigned)((size + STACK_PAGE - 1) / STACK_PAGE) + 1;
	unsigned long flags = tk_spin_lock_irqsave(&pool_lock);
	bool ours = false;

	for (unsigned k = 0; k < nblocks && !ours; k++)
		ours = blocks[k] == b;
	if (ours) {
		mark(map_of(b), (unsigned)((p - b) / STACK_PAGE), n, false);
		map_of(b)->free += n;
	}
	tk_spin_unlock_irqrestore(&pool_lock, flags);
	return ours;
}

void *stack_pool_fault_stack(void)
{
	char *s = stack_pool_alloc(FAULT_STACK);

	return s ? s + FAULT_STACK : NULL;
}

bool stack_guard_page_hit(const struct tk_thread *t, uint64_t addr)
{
	uint64_t lo;

	if (!t || !t->stack_lo)
		return false;
	lo = (uint64_t)(uintptr_t)t->stack_lo & ~(uint64_t)(STACK_PAGE - 1);
	return addr < lo && lo - addr <= STACK_PAGE;
}

void stack_guard_check_fault(uint64_t addr, uint64_t sp)
{
	struct tk_thread *t = sched_current;

	if (stack_guard_page_hit(t, addr) || stack_guard_page_hit(t, sp))
		tk_panic("stack overflow in thread '%s': it ran into the guard page below its "
			 "stack at 0x%lx (sp 0x%lx; stack %u bytes at %p)", t->name,
			 (unsigned long)addr, (unsigned long)sp, (unsigned)t->stack_size,
			 (void *)t->stack_lo);
}

void stack_pool_guard_boot_stack(void)
{
	extern char _boot_stack_guard[];

	if (arch_mmu_set_page((uintptr_t)_boot_stack_guard, false) < 0)
		tk_printk("stack: the boot stack has no guard page (the image is not "
			  "mapped in pages)\n");
}
