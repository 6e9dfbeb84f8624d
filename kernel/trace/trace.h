/* The kernel's trace points (kernel/trace/trace.c); <takt/trace.h> is the
 * app's side. Each is one predictable branch while tracing is off. */
#ifndef TAKT_TRACE_IMPL_H
#define TAKT_TRACE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "../arch.h"
#include "../smp.h"

/* Record types: tools/takt_trace.py knows the same list and layout. */
enum trace_type {
	TR_SWITCH = 1,		/* id prev, arg next, extra prev's state (0 R, 1 S, 2 X) */
	TR_WAKE,		/* id woken, arg its CPU */
	TR_BLOCK,		/* id */
	TR_THROTTLE,		/* id */
	TR_REPLENISH,		/* id */
	TR_MISS,		/* id */
	TR_OVERRUN,		/* id */
	TR_IRQ_ENTER,		/* arg line */
	TR_IRQ_EXIT,		/* arg line */
	TR_MARK,		/* id thread, small label, arg/arg2 the value's low/high half */
	TR_BEGIN,		/* id thread, small label */
	TR_END,			/* id thread, small label */
	TR_NAME,		/* id, extra part (0, 1), small policy << 8 | prio,
				 * arg/arg2 name bytes 8 * part .. + 8 */
};

/* 24 bytes: the bound, and three to a 64-byte line and a half. */
struct trace_rec {
	uint64_t ts;		/* ns since boot (tk_now_ns) */
	uint8_t type, extra;
	uint16_t small;
	uint32_t id;
	uint32_t arg, arg2;
};

/* 32 bytes: a CPU's ring is found with a shift, not a multiply. */
struct trace_ring {
	struct trace_rec *buf;
	uint64_t head;		/* slots taken (the next goes to head % size); in stop
				 * mode those past size were dropped */
	uint64_t refused;	/* records with no ring (a CPU started after it) */
} __attribute__((aligned(32)));

extern bool trace_on;
extern struct trace_ring trace_rings[];
extern unsigned trace_size;
extern bool trace_stop_mode;
void trace_no_ring(struct trace_ring *r);

/* One record, inline at every trace point: the call and its argument moves
 * were a quarter of an event's cost. A slot is reserved by an atomic
 * increment of the ring's head, so an interrupt that traces in the middle
 * of a record takes the next slot instead of masking interrupts around it;
 * a thread moved to another CPU meanwhile still fills the slot it reserved.
 * The timestamp is the raw counter, made ns at the dump (trace_dump.c). */
static inline void trace_put(unsigned type, unsigned extra, unsigned small, uint32_t id,
			     uint32_t arg, uint32_t arg2)
{
	uint64_t ts = arch_counter_fast();
	struct trace_ring *r = &trace_rings[cpu_self()->id];
	struct trace_rec *buf = r->buf, *e;
	uint64_t mask = trace_size - 1, i;	/* read once: the atomic below
						 * would make the compiler read again */

	if (__builtin_expect(!buf, 0)) {	/* a CPU started after the rings */
		trace_no_ring(r);
		return;
	}
	i = __atomic_fetch_add(&r->head, 1, __ATOMIC_RELAXED);
	if (__builtin_expect(trace_stop_mode && i > mask, 0))
		return;		/* full: the oldest are kept, head - size lost */
	e = &buf[i & mask];
	e->ts = ts;
	e->type = (uint8_t)type;
	e->extra = (uint8_t)extra;
	e->small = (uint16_t)small;
	e->id = id;
	e->arg = arg;
	e->arg2 = arg2;
}

/* The same out of line, for the rarer records (names, marks, deadline events). */
void trace_emit(unsigned type, unsigned extra, unsigned small, uint32_t id, uint32_t arg,
		uint32_t arg2);

struct tk_thread;
void trace_name(const struct tk_thread *t);
/* ev: a mask of DL_EV_* (sched/dl.h) */
void trace_dl_events(uint32_t id, unsigned ev);

#define TRACE(type, id, arg) \
	do { if (__builtin_expect(trace_on, 0)) trace_put(type, 0, 0, id, arg, 0); } while (0)

#endif
