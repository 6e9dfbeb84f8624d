/*
 * kernel/arch/x86_64/tsc_calib.h: when the TSC's calibration against the
 * LAPIC timer knows the rate within half a MHz.
 */
#include "fixture.h"

#include "tsc_calib.h"

#define GHZ 1000000000ull

/* The bound itself, in floating point: rate * (err / dt + 2 / dc), err
 * the midpoints' error (half the brackets, rounded up, and a tick). */
static double bound_hz(uint64_t dt, uint32_t dc, uint64_t brackets, uint64_t lapic_hz)
{
	double rate = (double)dt * (double)lapic_hz / dc;
	double err = (double)((brackets + 1) / 2 + 1);

	return rate * (err / dt + 2.0 / dc);
}

/* -icount: TSC and LAPIC both 1 GHz, each read bracketed by 9 ns (as
 * measured on microvm): not enough at 20 us, enough by 30 us; never before
 * the bound allows. */
static void test_icount_ends_early(void **state)
{
	(void)state;
	assert_false(tsc_calib_enough(20000, 20000, 18, GHZ));
	assert_true(tsc_calib_enough(30000, 30000, 18, GHZ));
	for (uint32_t dc = 1000; dc <= 100000; dc += 500) {
		for (uint64_t br = 0; br < 100; br += 7) {
			bool enough = tsc_calib_enough(dc, dc, br, GHZ);

			assert_true(enough == (bound_hz(dc, dc, br, GHZ) <= TSC_CALIB_TOLERANCE_HZ));
		}
	}
}

/* A host clock: a LAPIC read takes ~2 us of a 2.1 GHz TSC, so 100 us of
 * LAPIC time (the caller's cap) is far from enough; 20 ms would be. */
static void test_host_clock_needs_the_window(void **state)
{
	(void)state;
	assert_false(tsc_calib_enough(210000, 100000, 2 * 4200, GHZ));
	assert_true(tsc_calib_enough(42000000, 20000000, 2 * 4200, GHZ));
}

/* Degenerate inputs are never enough (no division, no wrap). */
static void test_degenerate_inputs(void **state)
{
	(void)state;
	assert_false(tsc_calib_enough(0, 1000, 0, GHZ));
	assert_false(tsc_calib_enough(1000, 0, 0, GHZ));
	assert_false(tsc_calib_enough(1000, 1000, 2000, GHZ));	/* brackets past dt */
	assert_false(tsc_calib_enough(1000, 1000, 0, (uint64_t)UINT32_MAX + 1));	/* not one cell */
	/* the largest of everything: no overflow either way */
	assert_false(tsc_calib_enough(UINT64_MAX, UINT32_MAX, UINT64_MAX, UINT32_MAX));
	assert_true(tsc_calib_enough(UINT32_MAX, UINT32_MAX, 0, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icount_ends_early),
		cmocka_unit_test(test_host_clock_needs_the_window),
		cmocka_unit_test(test_degenerate_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
