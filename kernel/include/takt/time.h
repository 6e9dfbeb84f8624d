/* Time: a 64-bit monotonic nanosecond clock and a one-shot event. */
#ifndef TAKT_TIME_H
#define TAKT_TIME_H

#include <stdint.h>

/* Nanoseconds since the image's first instruction. Any context. */
uint64_t tk_now_ns(void);
/* Sleep until tk_now_ns() >= t: the thread blocks and others run; woken
 * by the one-shot timer. Before a timer is bound it busy-waits. Thread
 * context: in an interrupt handler it busy-waits with interrupts masked,
 * and TK_FOREVER there is a panic (a hang otherwise). */
void tk_sleep_until_ns(uint64_t t);
void tk_sleep_ns(uint64_t ns);

/*
 * The wake-up lead (kernel/sleep.c; Xenomai's timer gravity): a
 * fixed-priority thread's sleep sets its timer this much before its time
 * and spins what is left when it runs, so it runs at its time rather than
 * one interrupt-and-switch after it. A sleep never ends before its time.
 * Deadline threads sleep to their time. Default: learned per CPU (the
 * shortest timer-to-thread path seen); bootarg sleep.lead=auto|off|NS.
 */
#define TK_SLEEP_LEAD_AUTO (-1)
#define TK_SLEEP_LEAD_MAX 100000	/* ns */
/* TK_SLEEP_LEAD_AUTO, 0 (off) or a fixed lead in ns up to
 * TK_SLEEP_LEAD_MAX, for every CPU. @retval 0, -EINVAL */
int tk_sleep_lead_set(int32_t ns);
struct tk_sleep_lead_stats {
	int32_t mode;		/* as set: TK_SLEEP_LEAD_AUTO, 0 or ns */
	uint32_t lead_ns;	/* the calling CPU's lead now */
	uint64_t wakes;		/* sleeps ended by a led timer, every CPU */
	uint64_t late;		/* of them, woken at or after their time (the lead too short) */
	uint64_t spun_ns;	/* time spun before the time (the lead too long) */
};
void tk_sleep_lead_stats(struct tk_sleep_lead_stats *st);
/* Timer interrupts taken so far (for tests and statistics). */
uint64_t tk_timer_irqs(void);

/*
 * Wall-clock time (kernel/realtime.c): the monotonic clock plus an offset,
 * set by SNTP (net/sntp.c, ntp=HOST[:PORT] or DHCP's NTP servers), by
 * clock_settime(CLOCK_REALTIME) or tk_realtime_set. Before that it counts
 * from the epoch at boot, and is not "synced". A step never moves the
 * monotonic clock, so sleeps and deadlines do not jump.
 */
enum tk_time_source { TK_TIME_NONE, TK_TIME_SET, TK_TIME_SNTP };

uint64_t tk_realtime_ns(void);		/* ns since 1970-01-01T00:00:00Z */
/* 0, -EINVAL (source unknown, or a time before 2000 or past 2100). */
int tk_realtime_set(uint64_t unix_ns, enum tk_time_source source);
/* The monotonic time at a wall-clock time (for absolute timeouts on
 * CLOCK_REALTIME); a time in the past gives now's monotonic time or less. */
uint64_t tk_realtime_to_mono(uint64_t unix_ns);

struct tk_realtime_state {
	enum tk_time_source source;	/* TK_TIME_NONE: never set: not synced */
	uint64_t sets;			/* times set */
	uint64_t last_set_mono_ns;	/* tk_now_ns() when last set */
	int64_t last_step_ns;		/* how far the last set moved the clock */
};
void tk_realtime_state(struct tk_realtime_state *st);
/* RFC 3339 UTC with microseconds, "2026-12-05T10:55:01.123456Z" (28 bytes
 * with the NUL); len too small: "". The length written. */
int tk_realtime_format(uint64_t unix_ns, char *buf, unsigned len);

#endif
