/*
 * Kernel log. Lines are formatted by newlib's vsnprintf into a stack buffer
 * (no allocation) and written with interrupts masked so they stay whole.
 * Until a console binds, output is kept in a boot buffer, flushed to the
 * console when it binds, or to the debug channel (semihosting under QEMU) by
 * a panic that comes first, so early panics are never silent.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <takt/board.h>
#include <takt/device.h>
#include <takt/log.h>

#include "arch.h"
#include "kernel.h"

#define LINE_MAX 256
#define BOOTBUF_SIZE 2048

static int stdout_node = -1;
static struct tk_device *console_dev;
static const struct tk_console_ops *console_ops;
static char bootbuf[BOOTBUF_SIZE];
static size_t bootbuf_len;

static void raw_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			console_ops->putc(console_dev, '\r');
		console_ops->putc(console_dev, s[i]);
	}
}

void tk_console_write(const char *s, size_t len)
{
	unsigned long flags = arch_irq_save();

	if (console_ops) {
		raw_write(s, len);
	} else {
		size_t room = BOOTBUF_SIZE - bootbuf_len;
		size_t n = len < room ? len : room;

		memcpy(bootbuf + bootbuf_len, s, n);
		bootbuf_len += n;
	}
	arch_irq_restore(flags);
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[LINE_MAX];
	size_t n = strlen(prefix);

	memcpy(line, prefix, n);
	int r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);

	if (r < 0)
		r = 0;
	n += (size_t)r;
	if (n >= sizeof(line)) {	/* truncated: keep the line break */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	line[n] = 0;
	tk_console_write(line, n);
}

void log_set_stdout_node(int node)
{
	stdout_node = node;
}

bool log_has_console(void)
{
	return console_ops != 0;
}

void tk_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

int tk_console_register(struct tk_device *dev, const struct tk_console_ops *ops)
{
	unsigned long flags = arch_irq_save();

	/* The console is the stdout-path node, or the first one to bind
	 * when the DT names none. */
	if (!console_ops && (stdout_node < 0 || dev->node == stdout_node)) {
		console_dev = dev;
		console_ops = ops;
		raw_write(bootbuf, bootbuf_len);
		bootbuf_len = 0;
	}
	arch_irq_restore(flags);
	return 0;
}

void tk_panic(const char *fmt, ...)
{
	char msg[LINE_MAX - 16];
	va_list ap;

	arch_irq_save();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tk_printk("PANIC: %s\n", msg);
	if (!console_ops) {
		/* Nowhere to print yet: hand the boot log, which ends with the
		 * panic line, to the debug channel (semihosting under QEMU). */
		bootbuf[bootbuf_len < BOOTBUF_SIZE ? bootbuf_len : BOOTBUF_SIZE - 1] = 0;
		arch_debug_puts(bootbuf);
	}
	tk_poweroff(1);
}

/* Until the transmit ring lands, output is polled: nothing waits here. */
int tk_console_tx_pull(struct tk_device *dev)
{
	(void)dev;
	return -1;
}
