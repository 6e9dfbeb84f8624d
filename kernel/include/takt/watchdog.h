/*
 * Hardware watchdog: once started, the board resets unless it is fed
 * within the timeout. One watchdog (the first to register) serves the
 * system; its driver registers it from probe.
 *
 *   tk_watchdog_start(2000);       // reset unless fed within 2 s
 *   for (;;) { work(); tk_watchdog_feed(); }
 */
#ifndef TAKT_WATCHDOG_H
#define TAKT_WATCHDOG_H

#include <stdint.h>

struct tk_device;

struct tk_watchdog_ops {
	/* Arm with timeout_ms (1..max_timeout_ms, checked by the kernel). */
	void (*start)(struct tk_device *dev, uint32_t timeout_ms);
	/* Restart the countdown from the timeout start set. */
	void (*feed)(struct tk_device *dev);
	void (*stop)(struct tk_device *dev);
	uint32_t max_timeout_ms;	/* the longest the hardware counts */
};

/* From a driver's probe. @retval 0, -EBUSY (one is registered already),
 * -EINVAL (an op missing or max_timeout_ms 0) */
int tk_watchdog_register(struct tk_device *dev, const struct tk_watchdog_ops *ops);

/* Start (or restart with a new timeout). Any thread or interrupt handler.
 * @retval 0, -ENODEV no watchdog, -EINVAL timeout_ms 0 or above
 *         tk_watchdog_max_ms() */
int tk_watchdog_start(uint32_t timeout_ms);
/* Restart the countdown. Any thread or interrupt handler.
 * @retval 0, -ENODEV no watchdog, -EPERM not started */
int tk_watchdog_feed(void);
/* Stop it; stopping a stopped watchdog is not an error.
 * @retval 0, -ENODEV no watchdog */
int tk_watchdog_stop(void);
/* The watchdog's DT path ("/watchdog@441"), or NULL when there is none. */
const char *tk_watchdog_name(void);
/* The longest timeout the watchdog takes, in ms; 0 when there is none. */
uint32_t tk_watchdog_max_ms(void);

#endif
