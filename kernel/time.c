/*
 * Monotonic time from the arch counter, and the one-shot clock event. The
 * counter-to-ns factors are 32.32 fixed point, computed once, so reading
 * the clock is a multiply and a shift (no 64-bit division on the hot path).
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/log.h>
#include <takt/time.h>

#include "arch.h"
#include "kernel.h"
#include "thread_impl.h"

uint64_t time_ns_per_tick_32;		/* 1e9 / freq, 32.32 (kernel.h: time_now_ns) */
static uint64_t ticks_per_ns_32;	/* freq / 1e9, 32.32 */
static struct tk_device *ce_dev;
static const struct tk_clockevent_ops *ce_ops;

/* 32.32 fixed-point a/b for a, b < 2^32 * 1e9, without 128-bit division
 * (x86_64's libgcc __udivti3 uses the red zone, unsafe in a kernel). */
static uint64_t ratio_32(uint64_t a, uint64_t b)
{
	uint64_t q = a / b, r = a % b;

	/* r < b: shift the remainder in 16 bits at a time to keep it in range */
	r <<= 16;
	uint64_t hi = r / b;

	r = (r % b) << 16;
	return (q << 32) | (hi << 16) | (r / b);
}

void time_init(void)
{
	uint64_t freq = arch_counter_freq();

	if (freq == 0)
		tk_panic("time: counter frequency is 0 (firmware did not set CNTFRQ)");
	time_ns_per_tick_32 = ratio_32(1000000000u, freq);
	ticks_per_ns_32 = ratio_32(freq, 1000000000u);
}

uint64_t tk_now_ns(void)
{
	return time_now_ns();
}

static uint64_t ns_to_counter(uint64_t ns)
{
	/* round up: an event must never fire before its time */
	__uint128_t ticks = ((__uint128_t)ns * ticks_per_ns_32 + 0xffffffffu) >> 32;

	/* saturating: a time centuries away (a 1 GHz TSC reaches 2^64 in
	 * 584 years) wrapped to one long past, an interrupt at once, again
	 * and again */
	if (ticks > UINT64_MAX - arch_boot_counter)
		return UINT64_MAX;
	return arch_boot_counter + (uint64_t)ticks;
}

bool time_has_clockevent(void)
{
	return ce_ops != 0;
}

int tk_clockevent_register(struct tk_device *dev, const struct tk_clockevent_ops *ops)
{
	if (ce_ops)
		return -EBUSY;
	ce_dev = dev;
	ce_ops = ops;
	return 0;
}

/* What this CPU's one-shot timer is set to (struct cpu armed_ns): the
 * scheduler asks after every decision, and most leave it unchanged, so
 * only a change is written. The clock event is per CPU (the generic
 * timer's and the local APIC's registers are banked). */
uint64_t time_fallback_ns;
uint64_t time_console_ns;
unsigned time_console_cpu;

void tk_clockevent_fire(void)
{
	struct cpu *c = cpu_self();

	c->timer_irqs++;
	c->armed_ns = TIMERQ_NEVER;	/* the driver silenced the fired event */
	if (__builtin_expect(__atomic_load_n(&time_fallback_ns, __ATOMIC_RELAXED) != 0, 0) &&
	    c->id == 0) {
		supervisor_fallback();
		c->armed_ns = 0;	/* not NEVER: the next decision sets the fallback again */
	}
	uint64_t cd = __atomic_load_n(&time_console_ns, __ATOMIC_RELAXED), now;

	if (__builtin_expect(cd != 0, 0) && (now = time_now_ns()) >= cd)
		console_deadline(now);
	sched_timer_event();
}

void time_program_event(uint64_t ns)
{
	struct cpu *c = cpu_self();
	uint64_t fb = __atomic_load_n(&time_fallback_ns, __ATOMIC_RELAXED);

	/* CPU 0 wakes by the supervisor's fallback deadline, whatever else
	 * it waits for (a tickless CPU held by a spinning thread would not) */
	if (__builtin_expect(fb != 0, 0) && fb < ns && c->id == 0)
		ns = fb;
	uint64_t cd = __atomic_load_n(&time_console_ns, __ATOMIC_RELAXED);

	if (__builtin_expect(cd != 0, 0) && cd < ns &&
	    c->id == __atomic_load_n(&time_console_cpu, __ATOMIC_RELAXED))
		ns = cd;	/* the CPU that armed it (console_thread.c) */
	if (!ce_ops || ns == c->armed_ns)
		return;
	c->armed_ns = ns;
	if (ns == TIMERQ_NEVER)
		ce_ops->cancel(ce_dev);
	else
		ce_ops->set_oneshot(ce_dev, ns_to_counter(ns));
}

void time_event_by(uint64_t ns)
{
	if (ns < cpu_self()->armed_ns)
		time_program_event(ns);
}

/* Every CPU's: the sum of the per-CPU counts (no shared counter on the
 * interrupt path). */
uint64_t tk_timer_irqs(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		n += __atomic_load_n(&cpus[i].timer_irqs, __ATOMIC_RELAXED);
	return n;
}

uint64_t tk_after_ns(uint64_t ns)
{
	uint64_t now = tk_now_ns();

	return ns >= TK_FOREVER - now ? TK_FOREVER : now + ns;
}
