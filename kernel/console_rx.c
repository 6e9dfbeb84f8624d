/*
 * Console input. The console driver's receive interrupt hands the bytes it
 * took from its FIFO to tk_console_rx; they wait in a ring for
 * tk_console_read (read(0), getchar and fgets through newlib, the shell).
 * A full ring drops the newest bytes and counts them; nothing waits in an
 * interrupt. Bytes are passed as they come: no echo, no line editing (the
 * shell does its own, kernel/shell/).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <takt/device.h>
#include <takt/log.h>
#include <takt/spinlock.h>
#include <takt/sync.h>

#include "kernel.h"

#define RX_SIZE 1024u	/* a power of two; a pasted screenful waits here */
#define RX_DRAIN_MAX 4096u	/* bytes one receive interrupt takes at most */

/* From the heap when the console binds with input (console_rx_enable):
 * only a console that delivers input needs it, and a static one was 1 KiB
 * of every app's static RAM. */
static char *rx;
static uint32_t rx_head, rx_tail;	/* head: the reader's; tail: the interrupt's */
static tk_spinlock_t rx_lock = TK_SPINLOCK_INIT;
static struct tk_sem rx_ready;		/* given when bytes arrive; at most 1 */
static bool rx_on;			/* the console driver delivers input */
static uint64_t rx_bytes, rx_dropped;

void console_rx_enable(void)
{
	rx = malloc(RX_SIZE);
	if (!rx) {
		tk_printk("console: no RAM for the %u-byte input ring: input off\n", RX_SIZE);
		return;
	}
	tk_sem_init(&rx_ready, 0, 1);
	rx_on = true;
}

void tk_console_rx(struct tk_device *dev, const char *buf, size_t n)
{
	unsigned long f;
	size_t took = 0;

	if (!rx_on || !console_is(dev) || !buf || !n)
		return;
	f = tk_spin_lock_irqsave(&rx_lock);
	for (; took < n && rx_tail - rx_head < RX_SIZE; took++)
		rx[rx_tail++ & (RX_SIZE - 1)] = buf[took];
	rx_bytes += took;
	rx_dropped += n - took;
	tk_spin_unlock_irqrestore(&rx_lock, f);
	if (took)
		tk_sem_give(&rx_ready);	/* -EOVERFLOW: a reader is told already */
}

void tk_console_rx_drain(struct tk_device *dev, int (*getc)(struct tk_device *dev))
{
	char buf[32];
	size_t n = 0;

	/* bounded: a device that never says empty cannot hold the CPU here */
	for (unsigned i = 0; i < RX_DRAIN_MAX; i++) {
		int c = getc(dev);

		if (c < 0)
			break;
		buf[n++] = (char)c;
		if (n == sizeof(buf)) {
			tk_console_rx(dev, buf, n);
			n = 0;
		}
	}
	tk_console_rx(dev, buf, n);
}

/* Bytes waiting, up to len, into buf. */
static size_t take(char *buf, size_t len)
{
	unsigned long f = tk_spin_lock_irqsave(&rx_lock);
	size_t n = 0;

	for (; n < len && rx_head != rx_tail; n++)
		buf[n] = rx[rx_head++ & (RX_SIZE - 1)];
	tk_spin_unlock_irqrestore(&rx_lock, f);
	return n;
}

int tk_console_read(void *buf, size_t len, uint64_t deadline)
{
	if (!buf && len)
		return -EINVAL;
	if (!rx_on)
		return -ENODEV;
	for (;;) {
		size_t n = take(buf, len > INT32_MAX ? INT32_MAX : len);

		if (n || !len)
			return (int)n;
		if (tk_sem_take(&rx_ready, deadline))
			return -ETIMEDOUT;
	}
}

void console_rx_stats(uint64_t *bytes, uint64_t *dropped)
{
	*bytes = rx_bytes;
	*dropped = rx_dropped;
}
