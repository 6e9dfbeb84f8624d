/* The scheduler's hot path and the stack protector (kernel/stack_guard.c).
 * -fstack-protector-strong guards every function with an array or an
 * address-taken local. In a decision, the timer event and a deadline
 * wake-up the only such locals are scalars and small structs handed by
 * address to inlined helpers (a run key, an event mask, a 128-bit product's
 * halves): nothing there can be overrun, and the check cost 9 instructions
 * per context switch and 16 per timer wake-up (./takt bench sched). Those
 * few functions go without it; every other one keeps it. */
#ifndef TAKT_SCHED_HOT_H
#define TAKT_SCHED_HOT_H

#define SCHED_HOT __attribute__((no_stack_protector))

#endif
