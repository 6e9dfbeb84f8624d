/*
 * The tail of the console output, kept for crash cores (crash_core.c): the
 * last LOG_TAIL_SIZE bytes every tk_console_write was given (log lines,
 * printf, the boot log alike), whichever path then sent them. Kept apart
 * from the console's transmit ring because a panic writes polled, past
 * that ring, and its own lines are the ones a core most needs.
 *
 * Writers on any CPU claim their bytes with one atomic add on a
 * free-running position and copy without a lock: lines from two CPUs at
 * once may mix here (the console itself keeps them whole). A panic freezes
 * the tail first, so the core's own base64 lines do not overwrite it while
 * it is being sent.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel.h"

#define LOG_TAIL_SIZE 4096u	/* a power of two */

_Static_assert((LOG_TAIL_SIZE & (LOG_TAIL_SIZE - 1)) == 0, "LOG_TAIL_SIZE: a power of two");

static char tail_buf[LOG_TAIL_SIZE] TK_NOINIT;	/* read only where written */
static uint32_t tail_pos;	/* bytes ever written */
static volatile bool frozen;

void log_tail_add(const char *s, size_t len)
{
	if (frozen)
		return;
	if (len > LOG_TAIL_SIZE) {	/* only its end can stay */
		s += len - LOG_TAIL_SIZE;
		len = LOG_TAIL_SIZE;
	}
	uint32_t pos = __atomic_fetch_add(&tail_pos, (uint32_t)len, __ATOMIC_RELAXED);
	size_t at = pos & (LOG_TAIL_SIZE - 1);
	size_t first = len < LOG_TAIL_SIZE - at ? len : LOG_TAIL_SIZE - at;

	/* two copies, up to the buffer's end and from its start (a byte
	 * loop was a seventh of every boot line's cost) */
	memcpy(tail_buf + at, s, first);
	memcpy(tail_buf, s + first, len - first);
}

void log_tail_freeze(void)
{
	frozen = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

size_t log_tail_len(void)
{
	uint32_t n = __atomic_load_n(&tail_pos, __ATOMIC_RELAXED);

	return n < LOG_TAIL_SIZE ? n : LOG_TAIL_SIZE;
}

size_t log_tail_read(size_t off, char *out, size_t len)
{
	uint32_t end = __atomic_load_n(&tail_pos, __ATOMIC_RELAXED);
	size_t have = log_tail_len();
	uint32_t start = end - (uint32_t)have;
	size_t n = 0;

	for (; n < len && off + n < have; n++)
		out[n] = tail_buf[(start + off + n) & (LOG_TAIL_SIZE - 1)];
	return n;
}
