/* Time: a 64-bit monotonic nanosecond clock and a one-shot event. */
#ifndef TAKT_TIME_H
#define TAKT_TIME_H

#include <stdint.h>

/* Nanoseconds since the image's first instruction. Any context. */
uint64_t tk_now_ns(void);
/* Sleep until tk_now_ns() >= t: the thread blocks and others run; woken
 * by the one-shot timer. Before a timer is bound it busy-waits. Thread
 * context only. */
void tk_sleep_until_ns(uint64_t t);
void tk_sleep_ns(uint64_t ns);
/* Timer interrupts taken so far (for tests and statistics). */
uint64_t tk_timer_irqs(void);

#endif
