/* Power off and reset: the debug exit channel first (it carries the status
 * out of QEMU), then the bound power driver (PSCI), then halt. */
#include <errno.h>

#include <takt/board.h>
#include <takt/device.h>
#include <takt/log.h>

#include "arch.h"
#include "kernel.h"

static struct tk_device *power_dev;
static const struct tk_power_ops *power_ops;

int tk_power_register(struct tk_device *dev, const struct tk_power_ops *ops)
{
	if (power_ops)
		return -EBUSY;
	power_dev = dev;
	power_ops = ops;
	return 0;
}

/* Both send what the console's transmit ring still holds first, and any
 * later line, polled: the last lines before power-off are the ones that
 * matter, and no transmit interrupt comes any more. The status line is for
 * whoever reads only the console: a real board, a LAVA job. */
void tk_poweroff(int status)
{
	arch_irq_save();
	console_flush();
	trace_dump_at_exit();
	tk_printk("power: off (exit status %d)\n", status);
	arch_debug_exit(status);
	if (power_ops)
		power_ops->off(power_dev);
	tk_printk("power: no way to power off; halted (status %d)\n", status);
	arch_halt();
}

void tk_reset(void)
{
	arch_irq_save();
	console_flush();
	if (power_ops && power_ops->reset)
		power_ops->reset(power_dev);
	arch_reset();
	tk_printk("power: no way to reset; halted\n");
	arch_halt();
}
