/*
 * Kernel log. Lines are formatted by log_fmt (the common conversions) or
 * newlib's vsnprintf (the rest) into a stack buffer
 * (no allocation) and handed whole to tk_console_write (console.c), which
 * keeps them whole: through the console's transmit ring, or polled before
 * the scheduler runs and in a panic. Until a console binds, output is kept
 * in a boot buffer, flushed to the console when it binds, or to the debug
 * channel (semihosting under QEMU) by a panic that comes first, so early
 * panics are never silent.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <takt/board.h>
#include <takt/crash.h>
#include <takt/log.h>

#include "kernel.h"
#include "log_fmt.h"

#define LINE_MAX 256

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[LINE_MAX];
	size_t n = strlen(prefix);

	memcpy(line, prefix, n);
	int r = log_fmt(line + n, sizeof(line) - n, fmt, ap);

	if (r == -1)	/* a conversion log_fmt leaves to newlib */
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);

	if (r < 0)
		r = 0;
	n += (size_t)r;
	if (n >= sizeof(line)) {	/* truncated: keep the line break */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	line[n] = 0;
	tk_console_write(line, n);
	log_kernel_line(line, n);
}

void tk_printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

bool log_panicking;

void tk_panic(const char *fmt, ...)
{
	char msg[LINE_MAX - 16];
	va_list ap;
	/* The caller as it called (for the crash core's thread 1): the line
	 * that panicked, unwound by gdb from there. tk_panic's own frame is
	 * left out: it never returns, so its unwind info need not say where
	 * its return address went, and gdb would loop on it. */
	const void *pc, *sp, *fp;

	CALLER_AS_CALLED(pc, sp, fp);

	log_panicking = true;
	/* What is already in the transmit ring goes out first (polled), so
	 * the lines before the panic are all there, then the panic line. */
	console_flush();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tk_printk("PANIC: %s\n", msg);
	crash_core_write(TK_CRASH_PANIC, msg, pc, sp, fp);
	console_debug_dump();
	if (crash_panic_resets()) {
		tk_printk("panic: resetting (panic=reset)\n");
		tk_reset();
	}
	tk_poweroff(1);
}

__attribute__((noinline)) void crash_write_here(unsigned reason, const char *why)
{
	const void *pc, *sp, *fp;

	CALLER_AS_CALLED(pc, sp, fp);	/* as in tk_panic */
	console_flush();
	crash_core_write(reason, why, pc, sp, fp);
}
