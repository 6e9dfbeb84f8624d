/* The watchdog registry (a class registry lives in the kernel, DESIGN.md
 * 3): argument checks and the started state here, the hardware in the
 * driver. Each call is a few register writes, done with interrupts masked
 * so that a feed from an interrupt handler cannot cut a start in half. */
#include <errno.h>
#include <stdbool.h>

#include <takt/device.h>
#include <takt/watchdog.h>

static struct tk_device *wd_dev;
static const struct tk_watchdog_ops *wd_ops;
static bool wd_running;

int tk_watchdog_register(struct tk_device *dev, const struct tk_watchdog_ops *ops)
{
	if (!ops || !ops->start || !ops->feed || !ops->stop || !ops->max_timeout_ms)
		return -EINVAL;
	if (wd_ops)
		return -EBUSY;
	wd_dev = dev;
	wd_ops = ops;
	return 0;
}

int tk_watchdog_start(uint32_t timeout_ms)
{
	if (!wd_ops)
		return -ENODEV;
	if (timeout_ms == 0 || timeout_ms > wd_ops->max_timeout_ms)
		return -EINVAL;
	unsigned long key = tk_irq_lock();

	wd_ops->start(wd_dev, timeout_ms);
	wd_running = true;
	tk_irq_unlock(key);
	return 0;
}

int tk_watchdog_feed(void)
{
	int err = 0;

	if (!wd_ops)
		return -ENODEV;
	unsigned long key = tk_irq_lock();

	if (wd_running)
		wd_ops->feed(wd_dev);
	else
		err = -EPERM;
	tk_irq_unlock(key);
	return err;
}

int tk_watchdog_stop(void)
{
	if (!wd_ops)
		return -ENODEV;
	unsigned long key = tk_irq_lock();

	wd_ops->stop(wd_dev);
	wd_running = false;
	tk_irq_unlock(key);
	return 0;
}

const char *tk_watchdog_name(void)
{
	return wd_dev ? wd_dev->path : 0;
}

uint32_t tk_watchdog_max_ms(void)
{
	return wd_ops ? wd_ops->max_timeout_ms : 0;
}
