/* Kernel log: formatted output to the console, buffered until one exists. */
#ifndef TAKT_LOG_H
#define TAKT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* printf-style (newlib-nano's formats: no %ll - use %l, 64-bit on arm64
 * and x86_64, or <inttypes.h>'s PRIx64); callable from any context; a line
 * stays whole. Before a console is bound the text goes to a boot buffer
 * (flushed when it binds) and, on a panic, to the debug channel. */
void tk_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Console output of len bytes ('\n' becomes "\r\n"), kept whole: no other
 * thread's output lands inside it. With an interrupt-driven console the
 * bytes go into a transmit ring with interrupts masked only for a few
 * instructions; a thread waits (blocked) while the ring is full, an
 * interrupt handler never waits (it sends ring bytes polled to make room).
 * Polled, interrupts masked for the whole write: before the scheduler
 * runs, in a panic, for a console without a transmit interrupt, and with
 * the bootarg console.tx=polled. */
void tk_console_write(const char *s, size_t len);

/* Print "PANIC: <message>" after what the console still had to send, and
 * power off with a failure status. */
__attribute__((noreturn, format(printf, 1, 2))) void tk_panic(const char *fmt, ...);

struct tk_console_stats {
	uint64_t bytes;		/* given to tk_console_write ('\n' counted once) */
	uint64_t ring_waits;	/* a thread found the ring full and waited */
	uint64_t polled_writes;	/* writes sent polled (see tk_console_write), and
				 * interrupt-context writes that found the ring full */
	uint64_t stuck;		/* no byte sent for 0.5 s while a thread waited:
				 * the ring was drained polled */
	uint64_t max_masked_ns;	/* longest interrupts-masked stretch inside
				 * tk_console_write (its whole run when called
				 * with interrupts already masked) */
	uint32_t ring_size;	/* the transmit ring's bytes; 0: polled console */
	uint64_t rx_bytes;	/* console input received (since boot: not reset) */
	uint64_t rx_dropped;	/* input dropped: the ring was full (not reset) */
};
/* Console input (read(0), getchar): at least one byte, up to len, once there
 * is any; waits until deadline (TK_FOREVER: for good).
 * @retval bytes, -ETIMEDOUT, -EINVAL (buf NULL), -ENODEV (the console driver
 *         takes no input) */
int tk_console_read(void *buf, size_t len, uint64_t deadline);
/* Counters since boot or the last reset (reset: zero them after reading). */
void tk_console_stats(struct tk_console_stats *st, bool reset);

#endif
