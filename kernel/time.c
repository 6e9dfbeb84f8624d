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

static uint64_t ns_per_tick_32;		/* 1e9 / freq, 32.32 */
static uint64_t ticks_per_ns_32;	/* freq / 1e9, 32.32 */
static struct tk_device *ce_dev;
static const struct tk_clockevent_ops *ce_ops;
static volatile uint64_t timer_irqs;

void time_init(void)
{
	uint64_t freq = arch_counter_freq();

	if (freq == 0)
		tk_panic("time: counter frequency is 0 (firmware did not set CNTFRQ)");
	ns_per_tick_32 = (uint64_t)(((__uint128_t)1000000000u << 32) / freq);
	ticks_per_ns_32 = (uint64_t)(((__uint128_t)freq << 32) / 1000000000u);
}

uint64_t tk_now_ns(void)
{
	uint64_t d = arch_counter() - arch_boot_counter;

	return (uint64_t)(((__uint128_t)d * ns_per_tick_32) >> 32);
}

static uint64_t ns_to_counter(uint64_t ns)
{
	/* round up: an event must never fire before its time */
	__uint128_t t = (__uint128_t)ns * ticks_per_ns_32 + 0xffffffffu;

	return arch_boot_counter + (uint64_t)(t >> 32);
}

int tk_clockevent_register(struct tk_device *dev, const struct tk_clockevent_ops *ops)
{
	if (ce_ops)
		return -EBUSY;
	ce_dev = dev;
	ce_ops = ops;
	return 0;
}

void tk_clockevent_fire(void)
{
	timer_irqs++;
}

uint64_t tk_timer_irqs(void)
{
	return timer_irqs;
}

void tk_sleep_until_ns(uint64_t t)
{
	while (tk_now_ns() < t) {
		if (!ce_ops)
			continue;	/* no timer bound: busy-wait */
		/* Program and wait with interrupts masked: wfi still wakes on a
		 * pending interrupt, and unmasking then runs its handler. */
		unsigned long flags = arch_irq_save();

		ce_ops->set_oneshot(ce_dev, ns_to_counter(t));
		if (tk_now_ns() < t)
			arch_wait_for_irq();
		arch_irq_restore(flags);
	}
}

void tk_sleep_ns(uint64_t ns)
{
	tk_sleep_until_ns(tk_now_ns() + ns);
}
