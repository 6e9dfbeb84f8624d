/* The kernel log's own formatter (log_fmt.c): pure, so the host unit tests
 * compare it with the C library's vsnprintf. */
#ifndef TAKT_LOG_FMT_H
#define TAKT_LOG_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* vsnprintf's text and return value for a format whose conversions are
 * all %s %c %d %i %u %x %X %% (flags '-' '0', a width, the lengths l ll z);
 * for any other format -1, buf's bytes undefined and ap untouched (a copy
 * is read), so the caller can hand the same ap to vsnprintf. */
int log_fmt(char *buf, size_t size, const char *fmt, va_list ap);

#endif
