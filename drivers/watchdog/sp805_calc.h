/* SP805 timeout arithmetic (sp805.c), kept apart for the host unit test
 * (tests/unit/test_sp805.c): the counter counts WdogLoad + 1 ticks of
 * WDOGCLK to its interrupt and as many again to the reset, so a timeout of
 * ms is two rounds of (load + 1) ticks, rounded up (never early). */
#ifndef TAKT_SP805_CALC_H
#define TAKT_SP805_CALC_H

#include <stdint.h>

/* The longest timeout in ms at rate_hz (the 32-bit load), at most UINT32_MAX;
 * 0 for a rate of 0. */
static inline uint32_t sp805_max_ms(uint64_t rate_hz)
{
	uint64_t ms;

	if (!rate_hz)
		return 0;
	ms = 2 * ((uint64_t)UINT32_MAX + 1) * 1000 / rate_hz;
	return ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* WdogLoad for a timeout of ms (1..sp805_max_ms) at rate_hz: ceil(ticks / 2)
 * - 1, at least 1. */
static inline uint32_t sp805_load(uint64_t rate_hz, uint32_t ms)
{
	uint64_t ticks = (rate_hz * ms + 999) / 1000;
	uint64_t half = (ticks + 1) / 2;

	if (half > (uint64_t)UINT32_MAX + 1)
		half = (uint64_t)UINT32_MAX + 1;
	return half > 1 ? (uint32_t)(half - 1) : 1;
}

#endif
