/* Kernel log: formatted output to the console, buffered until one exists. */
#ifndef TAKT_LOG_H
#define TAKT_LOG_H

#include <stddef.h>

/* printf-style (newlib-nano's formats: no %ll - use %l, 64-bit on arm64
 * and x86_64, or <inttypes.h>'s PRIx64); callable from any context, lines stay whole (interrupts are
 * masked while a line is written). Before a console is bound the text goes
 * to a boot buffer (flushed when it binds) and to the debug channel. */
void tk_printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Raw console output of len bytes ('\n' becomes "\r\n"). */
void tk_console_write(const char *s, size_t len);

/* Print "PANIC: <message>" and power off with a failure status. */
__attribute__((noreturn, format(printf, 1, 2))) void tk_panic(const char *fmt, ...);

#endif
