/* Kernel log: formatted output to the console, buffered until one exists. */
#ifndef TAKT_LOG_H
#define TAKT_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* printf-style (newlib-nano's formats: no %ll - use %l, 64-bit on arm64
 * and x86_64, or <inttypes.h>'s PRIx64); callable from any context; a line
 * stays whole. Before a console is bound the text goes to a boot buffer
 * (flushed when it binds) and, on a panic, to the debug channel. In an
 * interrupt handler, no %e/%f/%g (takt_app FLOAT_PRINTF): newlib's float
 * conversion may call malloc, a panic there (<takt/thread.h>, deadline
 * handlers). */
void tk_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Console output of len bytes ('\n' becomes "\r\n"), kept whole: no other
 * thread's output lands inside it. With an interrupt-driven console the
 * bytes go into a transmit ring with interrupts masked only for a few
 * instructions, drained by the transmit thread once main() runs
 * (console.tx=ring: by the transmit interrupt); a thread waits (blocked) while the ring is full, an
 * interrupt handler never waits (it sends ring bytes polled to make room).
 * Polled, interrupts masked for the whole write: before the scheduler
 * runs, in a panic, for a console without a transmit interrupt, and with
 * the bootarg console.tx=polled. */
void tk_console_write(const char *s, size_t len);

/*
 * Leveled logging (RFC 5424 severities) by module. tk_log(level, fmt, ...)
 * formats into a lock-free ring and returns: it never blocks, never waits
 * for the UART and masks no interrupts (a slot is claimed with one
 * compare-and-swap); a low-priority thread ("log", FIFO 1, started by the
 * first message) writes the ring to the console and hands every message to
 * the backends (remote syslog). A message that finds the ring full is
 * dropped and counted. Every message gets a sequence number (contiguous
 * over the messages kept) and a timestamp.
 *
 * Filters: bootargs log.level=LEVEL (default info) and log.MODULE=LEVEL,
 * or tk_log_set_level at run time; LEVEL is a name (emerg, alert, crit,
 * err, warning, notice, info, debug) or 0..7. A file names its module by
 * defining TK_LOG_MODULE before including this header (default "app").
 * Kernel lines (tk_printk) stay synchronous on the console and are also
 * handed to the backends as module "kernel", level info (crit for a
 * panic), in sequence with tk_log's messages. The boot's kernel lines are
 * held in the ring for the backends (remote syslog gets them once the
 * network is up); they fill it if a boot prints more than its size.
 */
enum tk_log_level {
	TK_LOG_EMERG, TK_LOG_ALERT, TK_LOG_CRIT, TK_LOG_ERR,
	TK_LOG_WARNING, TK_LOG_NOTICE, TK_LOG_INFO, TK_LOG_DEBUG
};
#ifndef TK_LOG_MODULE
#define TK_LOG_MODULE "app"
#endif
#define tk_log(level, ...) tk_log_module(TK_LOG_MODULE, (level), __VA_ARGS__)
void tk_log_module(const char *module, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TK_LOG_MODULE_MAX 15	/* characters of a module name */
#define TK_LOG_TEXT_MAX 160	/* characters of a message kept (longer: cut) */

/* 0; -EINVAL: level not 0..7, or a module name empty, too long or not
 * [a-z0-9_-]; -ENOSPC: 16 module filters already. module NULL: the default. */
int tk_log_set_level(const char *module, int level);
int tk_log_level_of(const char *module);
/* A level's name, or NULL; and a name's (or digit's) level, or -EINVAL. */
const char *tk_log_level_name(int level);
int tk_log_parse_level(const char *s);

struct tk_log_msg {
	uint64_t seq;		/* 1, 2, ... over the messages kept */
	uint64_t ts_ns;		/* tk_now_ns at the call */
	uint64_t realtime_ns;	/* the wall clock at the call; 0 before it was set
				 * (SNTP, clock_settime): <takt/time.h> */
	uint8_t level;
	bool on_console;	/* a kernel line: printed already */
	char module[TK_LOG_MODULE_MAX + 1];
	uint16_t len;
	char text[TK_LOG_TEXT_MAX + 1];	/* no line break at the end */
};

/* A backend gets every message kept, in order, from the log thread (it may
 * block briefly; a slow one delays the console, never a caller of tk_log).
 * At most 4. 0, -EINVAL, -ENOSPC. */
struct tk_log_backend {
	const char *name;
	void (*emit)(const struct tk_log_msg *m, void *arg);
	void *arg;
};
int tk_log_backend_add(const struct tk_log_backend *b);

struct tk_log_stats {
	uint64_t logged;	/* kept: the last sequence number */
	uint64_t dropped;	/* the ring was full */
	uint64_t filtered;	/* below their module's level */
	uint64_t written;	/* handed out by the log thread */
	unsigned ring_size;	/* messages the ring holds */
};
void tk_log_stats(struct tk_log_stats *st);
/* Wait until the log thread has handed out every message kept so far.
 * 0, -ETIMEDOUT; -EAGAIN from an interrupt handler or the log thread. */
int tk_log_flush(uint64_t deadline);

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
	uint64_t thread_bytes;	/* sent by the transmit thread ("console"), the
				 * rest by the transmit interrupt or polled */
	uint64_t thread_rescues;	/* the thread sent nothing for 20 ms (CPU 0 held
					 * by a higher thread): the transmit interrupt
					 * emptied the ring */
	uint32_t ring_size;	/* the transmit ring's bytes; 0: polled console */
	uint64_t rx_bytes;	/* console input received (since boot: not reset) */
	uint64_t rx_dropped;	/* input dropped: the ring was full (not reset) */
};
/* Console input (read(0), getchar): at least one byte, up to len, once there
 * is any; waits until deadline (TK_FOREVER: for good). In an interrupt
 * handler it does not wait: what is there, else -ETIMEDOUT.
 * @retval bytes, -ETIMEDOUT, -EINVAL (buf NULL), -ENODEV (the console driver
 *         takes no input) */
int tk_console_read(void *buf, size_t len, uint64_t deadline);
/* Counters since boot or the last reset (reset: zero them after reading). */
void tk_console_stats(struct tk_console_stats *st, bool reset);
/* Wait until everything written to the console so far has gone to the UART
 * (the transmit ring empty), or until deadline (tk_now_ns time, TK_FOREVER:
 * for good): POSIX tcdrain's job, for a phase that must not share the CPU
 * with console output (a measurement; the boot's own lines are in the ring
 * when main() starts). Starts the transmit thread if no line has yet.
 * Thread context only. @retval 0 (at once with a polled console or none),
 * -ETIMEDOUT, -EPERM (an interrupt handler, or interrupts masked) */
int tk_console_drain(uint64_t deadline);

#endif
