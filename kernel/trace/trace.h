/* The kernel's trace points (kernel/trace/trace.c); <takt/trace.h> is the
 * app's side. Each is one predictable branch while tracing is off. */
#ifndef TAKT_TRACE_IMPL_H
#define TAKT_TRACE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

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

extern bool trace_on;
void trace_emit(unsigned type, unsigned extra, unsigned small, uint32_t id, uint32_t arg,
		uint32_t arg2);

struct tk_thread;
void trace_name(const struct tk_thread *t);
void trace_switch(const struct tk_thread *prev, const struct tk_thread *next);
/* ev: a mask of DL_EV_* (sched/dl.h) */
void trace_dl_events(uint32_t id, unsigned ev);

#define TRACE(type, id, arg) \
	do { if (__builtin_expect(trace_on, 0)) trace_emit(type, 0, 0, id, arg, 0); } while (0)

#endif
