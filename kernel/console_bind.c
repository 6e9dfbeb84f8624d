/*
 * Which device is the console, and how it sends: the stdout-path node
 * binds (tk_console_register), the bootarg console.tx picks the transmit
 * path. The ring and the writes are console.c's.
 */
#include <stdbool.h>
#include <string.h>

#include <takt/board.h>
#include <takt/device.h>
#include <takt/log.h>

#include "console_impl.h"
#include "kernel.h"
#include "thread_impl.h"

static int stdout_node = -1;
struct tk_device *console_dev;
const struct tk_console_ops *console_ops;

void log_set_stdout_node(int node)
{
	stdout_node = node;
}

bool log_has_console(void)
{
	return console_ops != 0;
}

bool console_is(const struct tk_device *dev)
{
	return dev && dev == console_dev;
}

int tk_console_register(struct tk_device *dev, const struct tk_console_ops *ops)
{
	unsigned long flags = klock();

	/* The console is the stdout-path node, or the first one to bind
	 * when the DT names none. */
	if (!console_ops && (stdout_node < 0 || dev->node == stdout_node)) {
		console_dev = dev;
		console_ops = ops;
		if (ops->rx)
			console_rx_enable();
		console_ring_bind(ops->tx_start && !console_polled);
	}
	kunlock(flags);
	return 0;
}

/* console.tx=thread (the default): the transmit thread fills the FIFO
 * once main() runs (console_thread.c); console.tx=ring: the transmit
 * interrupt does; console.tx=polled: every write polled, as before the
 * ring (to compare, or to chase a hang with output that is out before the
 * next line runs). Read before the device probe, so a console that binds
 * is polled from its first line. */
void console_bootargs(void)
{
	const char *v = tk_bootarg("console.tx");

	if (v && strcmp(v, "polled") == 0)
		console_polled = true;
	else if (v && strcmp(v, "ring") == 0)
		console_thread_want(false);
	else if (v && strcmp(v, "thread") != 0)
		tk_printk("console: console.tx=%s unknown (thread, ring or polled); thread kept\n", v);
}
