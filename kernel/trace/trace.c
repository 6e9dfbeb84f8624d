/*
 * Scheduler trace: one ring of 24-byte records per CPU (trace.h), written
 * only by its CPU with interrupts masked for the few stores of one record,
 * so no lock and no atomic is needed; readers (the dump) stop recording
 * first. Overwrite mode keeps the newest records, stop mode the oldest;
 * both count what they lose.
 *
 * Thread names are records too (TR_NAME, two per thread): written when a
 * thread is made, and for every thread when recording starts, so a trace
 * that overwrote a thread's creation still names it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/thread.h>
#include <takt/time.h>
#include <takt/trace.h>

#include "../arch.h"
#include "../smp.h"
#include "../sched/dl.h"
#include "../thread_impl.h"
#include "trace.h"
#include "trace_impl.h"

#define SIZE_DEFAULT 4096u
#define SIZE_MIN 64u
#define SIZE_MAX_RECS (1u << 20)

bool trace_on;
struct trace_ring trace_rings[TK_CPUS_MAX];
unsigned trace_size;		/* records per CPU, a power of two */
bool trace_stop_mode;
static const char *labels[TRACE_LABELS];
static unsigned nlabels;
static uint64_t labels_dropped;

void trace_no_ring(struct trace_ring *r)
{
	__atomic_fetch_add(&r->refused, 1, __ATOMIC_RELAXED);
}

void trace_emit(unsigned type, unsigned extra, unsigned small, uint32_t id, uint32_t arg,
		uint32_t arg2)
{
	trace_put(type, extra, small, id, arg, arg2);
}

static uint32_t name_word(const char *name, unsigned at)
{
	uint32_t w = 0;

	for (unsigned i = 0; i < 4; i++)
		w |= (uint32_t)(uint8_t)name[at + i] << (8 * i);
	return w;
}

/* The last TRACE_NAMED threads named, for the dump: a thread that exited
 * before it, and whose TR_NAME records an overwriting ring lost, is still
 * named (a thread's record is cheap; its name per event would not be). */
struct trace_named *trace_named;	/* from the heap at the first start */
static unsigned named_next;

static void remember(const struct tk_thread *t, const char *n, unsigned small)
{
	unsigned long f = arch_irq_save();
	struct trace_named *e = &trace_named[named_next++ % TRACE_NAMED];

	e->id = t->id;
	e->small = (uint16_t)small;
	memcpy(e->name, n, sizeof(e->name));
	arch_irq_restore(f);
}

void trace_name(const struct tk_thread *t)
{
	char n[TK_NAME_MAX] = { 0 };
	unsigned small;

	if (!__builtin_expect(trace_on, 0))
		return;
	memcpy(n, t->name, sizeof(n) - 1);	/* NUL-terminated within TK_NAME_MAX */
	small = ((unsigned)t->sched.policy & 0xff) << 8 | ((unsigned)t->sched.prio & 0xff);
	remember(t, n, small);
	for (unsigned part = 0; part < 2; part++)
		trace_emit(TR_NAME, part, small, t->id, name_word(n, 8 * part),
			   name_word(n, 8 * part + 4));
}

void trace_dl_events(uint32_t id, unsigned ev)
{
	if (ev & DL_EV_OVERRUN)
		trace_emit(TR_OVERRUN, 0, 0, id, 0, 0);
	if (ev & DL_EV_MISS)
		trace_emit(TR_MISS, 0, 0, id, 0, 0);
	if (ev & DL_EV_THROTTLED)
		trace_emit(TR_THROTTLE, 0, 0, id, 0, 0);
	if (ev & DL_EV_REPLENISHED)
		trace_emit(TR_REPLENISH, 0, 0, id, 0, 0);
}

/* ---- the app's marks ---- */

/* A label's number: its index in a table kept by pointer (labels are
 * string literals); beyond the table, TRACE_LABELS ("?"). */
static unsigned label_id(const char *label)
{
	unsigned long f;
	unsigned i;

	for (i = 0; i < nlabels; i++)
		if (labels[i] == label)
			return i;
	f = arch_irq_save();
	for (i = 0; i < nlabels && labels[i] != label; i++)
		;
	if (i == nlabels && nlabels < TRACE_LABELS)
		labels[nlabels++] = label;
	else if (i == nlabels)
		labels_dropped++;
	arch_irq_restore(f);
	return i < TRACE_LABELS ? i : TRACE_LABELS;
}

const char *trace_label(unsigned i)
{
	return i < nlabels && labels[i] ? labels[i] : "?";
}

unsigned trace_nlabels(void)
{
	return nlabels;
}

static void mark(unsigned type, const char *label, uint64_t value)
{
	struct tk_thread *self;

	if (!__builtin_expect(trace_on, 0) || !label)
		return;
	self = sched_current;
	trace_emit(type, 0, label_id(label), self ? self->id : 0, (uint32_t)value,
		   (uint32_t)(value >> 32));
}

void tk_trace_mark(const char *label, uint64_t value)
{
	mark(TR_MARK, label, value);
}

void tk_trace_begin(const char *label)
{
	mark(TR_BEGIN, label, 0);
}

void tk_trace_end(const char *label)
{
	mark(TR_END, label, 0);
}

/* ---- starting and stopping ---- */

static void name_one(tk_thread_t *t, void *arg)
{
	(void)arg;
	trace_name(t);
}

int tk_trace_start(void)
{
	if (trace_on)
		return 0;
	if (trace_dumped) {	/* a new trace: the old one's stamps are ns now */
		for (unsigned c = 0; c < TK_CPUS_MAX; c++)
			trace_rings[c].head = trace_rings[c].refused = 0;
		trace_dumped = false;
	}
	if (!trace_size)
		trace_size = SIZE_DEFAULT;
	if (!trace_named)
		trace_named = calloc(TRACE_NAMED, sizeof(*trace_named));
	if (!trace_named || trace_dump_prepare())
		return -ENOMEM;
	for (unsigned c = 0; c < TK_CPUS_MAX && c < smp_ncpus_conf; c++) {
		if (trace_rings[c].buf)
			continue;
		trace_rings[c].buf = calloc(trace_size, sizeof(struct trace_rec));
		if (!trace_rings[c].buf)
			return -ENOMEM;
	}
	__atomic_store_n(&trace_on, true, __ATOMIC_RELEASE);
	tk_thread_foreach(name_one, 0);
	for (unsigned c = 0; c < smp_ncpus_conf && c < TK_CPUS_MAX; c++)
		if (cpus[c].idle)	/* not in the thread list */
			trace_name(cpus[c].idle);
	return 0;
}

void tk_trace_stop(void)
{
	__atomic_store_n(&trace_on, false, __ATOMIC_RELEASE);
}

void tk_trace_stats(struct tk_trace_stats *st)
{
	if (!st)
		return;
	memset(st, 0, sizeof(*st));
	for (unsigned c = 0; c < TK_CPUS_MAX; c++) {
		const struct trace_ring *r = &trace_rings[c];

		st->recorded += r->head;
		st->lost += r->refused + (r->head > trace_size ? r->head - trace_size : 0);
	}
	st->size = trace_size;
	st->on = trace_on;
}

/* trace=on, trace.size=N, trace.mode=overwrite|stop: a bad value is named
 * and ignored (the default kept). */
static void trace_bootargs(void)
{
	const char *on = tk_bootarg("trace"), *size = tk_bootarg("trace.size");
	const char *mode = tk_bootarg("trace.mode");

	if (size) {
		char *end;
		unsigned long n = strtoul(size, &end, 0);

		if (*size >= '0' && *size <= '9' && !*end && n >= SIZE_MIN && n <= SIZE_MAX_RECS &&
		    !(n & (n - 1)))	/* a digit first: no sign strtoul would wrap */
			trace_size = (unsigned)n;
		else
			tk_printk("trace: trace.size=%s ignored (a power of two, %u..%u records "
				  "per CPU)\n", size, SIZE_MIN, SIZE_MAX_RECS);
	}
	if (mode && strcmp(mode, "stop") == 0)
		trace_stop_mode = true;
	else if (mode && strcmp(mode, "overwrite") != 0)
		tk_printk("trace: trace.mode=%s ignored (overwrite or stop)\n", mode);
	if (!on || strcmp(on, "off") == 0)
		return;
	if (strcmp(on, "on") != 0) {
		tk_printk("trace: trace=%s ignored (on or off)\n", on);
		return;
	}
	if (tk_trace_start() != 0)
		tk_printk("trace: no memory for %u records per CPU; not tracing\n", trace_size);
	else
		tk_printk("trace: on, %u records per CPU (%s)\n", trace_size,
			  trace_stop_mode ? "stop when full" : "overwrite");
}
TK_INIT(trace_bootargs);
