/*
 * ARM generic timer, EL1 virtual timer as the one-shot clock event (the
 * virtual counter is the clock source, read by the arch code). Binds
 * "arm,armv8-timer", "arm,armv7-timer"; the virtual timer is the third
 * entry of its interrupts (secure phys, non-secure phys, virt, hyp).
 */
#include <errno.h>

#include <takt/device.h>

#define VIRT_IRQ_IDX	2
#define CTL_ENABLE	1u
#define CTL_IMASK	2u

static void timer_set_oneshot(struct tk_device *dev, uint64_t cval)
{
	(void)dev;
	__asm__ volatile("msr cntv_cval_el0, %0\n msr cntv_ctl_el0, %1\n isb"
			 :: "r"(cval), "r"((uint64_t)CTL_ENABLE) : "memory");
}

static void timer_cancel(struct tk_device *dev)
{
	(void)dev;
	__asm__ volatile("msr cntv_ctl_el0, xzr\n isb" ::: "memory");
}

static void timer_irq(void *arg)
{
	timer_cancel(arg);	/* level-triggered: silence it until re-armed */
	tk_clockevent_fire();
}

static const struct tk_clockevent_ops timer_ops = {
	.set_oneshot = timer_set_oneshot,
	.cancel = timer_cancel,
};

static int timer_probe(struct tk_device *dev)
{
	int err;

	timer_cancel(dev);
	err = tk_irq_connect(dev, VIRT_IRQ_IDX, timer_irq, dev);
	if (err)
		return err;
	return tk_clockevent_register(dev, &timer_ops);
}

TK_DRIVER(arm_arch_timer, TK_LEVEL_TIMER, timer_probe, "arm,armv8-timer", "arm,armv7-timer");
