/*
 * Thread supervision, the software side of the watchdog: a thread that asks
 * for a channel must check in within its timeout. The supervisor arms the
 * board's hardware watchdog (<takt/watchdog.h>; 4 checks, at least 2 s;
 * not with the bootarg watchdog.hw=off) and feeds it only after a check in
 * which every channel was fed. When one starves, the supervisor names that
 * thread on the console - how long since it checked in, when it was last
 * seen fed, its CPU and state - writes the crash record (<takt/crash.h>)
 * and lets the hardware reset the board (itself after twice the hardware's
 * timeout and a second, or at once without one). If the supervisor itself
 * cannot run for 4 checks, CPU 0's timer interrupt resets the board; not
 * when CPU 0 itself stood still (a VM not scheduled, interrupts masked that
 * long: the supervisor's wake-up is due in that late interrupt): then no
 * thread is blamed for the gap.
 *
 *   tk_supervisor_start(50, TK_SUPERVISE_DEADLINE);
 *   tk_supervise(NULL, 200);          // this thread: check in every < 200 ms
 *   for (;;) { work(); tk_checkin(); }
 *
 * The supervisor is a FIFO 99 thread on CPU 0 that wakes every check_ms.
 * With TK_SUPERVISE_DEADLINE every deadline thread without a channel of its
 * own is supervised from its period: it starves when it has been ready to
 * run, and not run, for two periods plus check_ms (one that is blocked,
 * waiting for its next period or anything else, is not starved). The bootarg
 * watchdog.supervise=CHECK_MS starts it so, before main. Each check walks
 * the thread list under the kernel lock (about 0.1 us per thread).
 */
#ifndef TAKT_SUPERVISOR_H
#define TAKT_SUPERVISOR_H

#include <stdint.h>

#include <takt/thread.h>

#define TK_SUPERVISE_DEADLINE 1u

/* @retval 0, -EINVAL check_ms 0 or above 60000 or unknown flags, -EALREADY
 *         running, -ENOMEM (its thread) */
int tk_supervisor_start(uint32_t check_ms, unsigned flags);
/* A channel for t (NULL: the caller): it must check in within timeout_ms
 * (counted from now); 0 removes it. @retval 0, -EINVAL (timeout above 1 h,
 * not a live thread) */
int tk_supervise(tk_thread_t *t, uint32_t timeout_ms);
/* The caller checks in. @retval 0, -ENOENT it has no channel */
int tk_checkin(void);

#endif
