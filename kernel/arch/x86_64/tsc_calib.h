/*
 * When the TSC's calibration against the LAPIC timer (tsc.c) has run long
 * enough: pure, unit-tested on the host (tests/unit/test_tsc_calib.c).
 */
#ifndef TAKT_X86_64_TSC_CALIB_H
#define TAKT_X86_64_TSC_CALIB_H

#include <stdbool.h>
#include <stdint.h>

/* The rate is rounded to 1 MHz: known within half of that, the rounding
 * makes it right when it is a whole number of MHz (QEMU's 1 GHz under
 * -icount), and off by under 1 MHz otherwise. */
#define TSC_CALIB_TOLERANCE_HZ 500000u

/*
 * True when dt TSC ticks against dc LAPIC ticks (lapic_hz) give the TSC's
 * rate within TSC_CALIB_TOLERANCE_HZ. The moment of each LAPIC read is
 * known only between the TSC reads around it, a and b: it is taken as
 * their midpoint, off by at most (b - a) / 2 and a tick of rounding.
 * brackets is the sum of both reads' b - a, so dt is off by at most
 * err = ceil(brackets / 2) + 1 ticks, and dc by under 2 (each count under
 * one tick). The relative error of rate = dt * lapic_hz / dc is, to first
 * order, err / dt + 2 / dc; times the rate, in integers (dc multiplied
 * through, the division rounded up; under 2^98 for a 32-bit lapic_hz, so
 * no overflow):
 *   lapic_hz * err + ceil(2 * lapic_hz * dt / dc) <= tolerance * dc.
 * Under -icount each read's bracket is 9 instructions (microvm) and this
 * holds after 26 us; on a host clock (TCG without -icount) a LAPIC read
 * takes microseconds, and the caller's window (100 us) ends first.
 */
static inline bool tsc_calib_enough(uint64_t dt, uint32_t dc, uint64_t brackets,
				    uint64_t lapic_hz)
{
	if (dt == 0 || dc == 0 || brackets > dt || lapic_hz > UINT32_MAX)
		return false;
	uint64_t err = brackets / 2 + (brackets & 1) + 1;
	__uint128_t slope = ((__uint128_t)2 * lapic_hz * dt + dc - 1) / dc;

	return (__uint128_t)lapic_hz * err + slope <= (__uint128_t)TSC_CALIB_TOLERANCE_HZ * dc;
}

#endif
