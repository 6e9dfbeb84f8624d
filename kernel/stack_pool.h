/*
 * Guarded thread stacks: whole pages with an absent page below them, so an
 * overflow faults at its first access past the stack (stack_pool.c).
 */
#ifndef TAKT_STACK_POOL_H
#define TAKT_STACK_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STACK_PAGE 4096u

struct tk_thread;

/* size bytes (rounded up to pages) above a guard page, or NULL when no
 * RAM block is left for stacks (the caller falls back to malloc). */
void *stack_pool_alloc(size_t size);
/* Give back what stack_pool_alloc(size) gave; false when p is not from
 * the pool (a malloc fallback: the caller frees it). */
bool stack_pool_free(void *p, size_t size);
/* A stack for this CPU's faults that find their own stack unusable;
 * returns its top, or NULL. Once per CPU, at its bring-up. */
void *stack_pool_fault_stack(void);
/* Whether addr lies in the guard page below t's stack. */
bool stack_guard_page_hit(const struct tk_thread *t, uint64_t addr);
/* A fault at addr with the stack pointer at sp, in the current thread:
 * when either is in its guard page, a panic naming the thread; else it
 * returns (the arch's fault handler goes on). */
void stack_guard_check_fault(uint64_t addr, uint64_t sp);
/* The boot stack's guard page (the linker leaves a page for it): unmapped
 * once the MMU tables are final. */
void stack_pool_guard_boot_stack(void);

#endif
