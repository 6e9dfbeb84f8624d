/*
 * Scheduler trace: per-CPU rings of fixed-size records (switch, wake, block,
 * throttle, replenish, deadline miss, overrun, interrupt entry and exit, and
 * the app's marks), 64-bit ns timestamps, thread names recorded once.
 *
 * Bootargs: trace=on starts it at boot; trace.size=N records per CPU (a
 * power of two, 64..1048576; default 4096, 24 bytes each); trace.mode=
 * overwrite (default: the newest records kept) or stop (the oldest kept).
 * Every record lost either way is counted. With tracing off an event costs
 * one predictable branch.
 *
 * Getting it out: tk_trace_dump() writes the rings to the console as a
 * framed base64 block (TRACE BEGIN .. TRACE END), and a traced run dumps by
 * itself at power-off; GET /trace on the metrics endpoint serves it (binary);
 * tools/takt_trace.py turns either into ftrace text (Perfetto) or CTF
 * (babeltrace2). `./takt run --trace` does both.
 */
#ifndef TAKT_TRACE_H
#define TAKT_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* Start (allocating the rings on first use) or stop recording.
 * @retval 0
 * @retval -ENOMEM the rings could not be allocated */
int tk_trace_start(void);
void tk_trace_stop(void);

/* App marks, shown as slices (begin/end) and instants. label must stay
 * valid for the run (a string literal); at most 64 different labels, later
 * ones are recorded as "?". value is free for the app. */
void tk_trace_mark(const char *label, uint64_t value);
void tk_trace_begin(const char *label);
void tk_trace_end(const char *label);

/* Write what the rings hold to the console (framed base64; recording is
 * stopped first). */
void tk_trace_dump(void);

/* The trace as the binary block tools/takt_trace.py reads (what the dump
 * base64-encodes), handed to put piece by piece; recording stops for the
 * copy, then a new trace starts (its rings emptied): each read gives what
 * happened since the previous one. GET /trace serves it.
 * @retval 0
 * @retval -EINVAL put NULL
 * @retval -ENODATA tracing was never started
 * @retval -ENOMEM the new trace could not start */
int tk_trace_read(void (*put)(void *ctx, const void *p, size_t n), void *ctx);

struct tk_trace_stats {
	uint64_t recorded;	/* records written, all CPUs */
	uint64_t lost;		/* overwritten (overwrite) or refused (stop) */
	unsigned size;		/* records per CPU; 0 before the first start */
	int on;
};
void tk_trace_stats(struct tk_trace_stats *st);

#endif /* TAKT_TRACE_H */
