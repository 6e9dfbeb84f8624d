/*
 * The heap's RAM, shared by two users growing towards each other: newlib's
 * malloc takes it from the bottom with _sbrk, and the guarded thread stacks
 * (stack_pool.c) take whole 2 MiB blocks from the top, because a guard page
 * needs the block mapped in 4 KiB pages and only a block nobody uses can be
 * remapped safely. Neither has to guess the other's share at boot.
 *
 *   heap_start      brk ->               <- top          heap_end
 *   [ malloc's arena | free ............ | stack blocks ]
 */
#include <errno.h>
#include <stdint.h>

#include <takt/spinlock.h>

#include "kernel.h"

/* newlib's _sbrk_r copies the global errno into the caller's reent */
#undef errno
extern int errno;

#define BLOCK (2ull << 20)

static tk_spinlock_t heap_lock = TK_SPINLOCK_INIT;
static uintptr_t brk, top;	/* 0 until the first call */

static void heap_first_use(void)
{
	if (!brk) {
		brk = heap_start;
		top = heap_end;
	}
}

/* newlib's malloc asks for more (or gives some back) here. */
void *_sbrk(ptrdiff_t incr)
{
	unsigned long flags = tk_spin_lock_irqsave(&heap_lock);
	uintptr_t old;

	heap_first_use();
	old = brk;
	if ((incr > 0 && (uintptr_t)incr > top - brk) ||
	    (incr < 0 && (uintptr_t)-incr > brk - heap_start)) {
		tk_spin_unlock_irqrestore(&heap_lock, flags);
		errno = ENOMEM;
		return (void *)-1;
	}
	brk += (uintptr_t)incr;
	tk_spin_unlock_irqrestore(&heap_lock, flags);
	return (void *)old;
}

uintptr_t heap_take_block(void)
{
	unsigned long flags = tk_spin_lock_irqsave(&heap_lock);
	uintptr_t b;

	heap_first_use();
	b = (top & ~(uintptr_t)(BLOCK - 1)) - BLOCK;
	if (top < BLOCK || b < brk || b < heap_start)
		b = 0;	/* malloc's arena reaches into it: no block left */
	else
		top = b;
	tk_spin_unlock_irqrestore(&heap_lock, flags);
	return b;
}
