/*
 * SP805 timeout arithmetic (drivers/watchdog/sp805_calc.h): the reset comes
 * after 2 x (WdogLoad + 1) ticks, never before the timeout asked for and
 * less than two ticks after it; the longest timeout fits the 32-bit load;
 * edge rates (1 Hz, 24 MHz, 4 GHz) and a zero rate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../drivers/watchdog/sp805_calc.h"

static void check_rate(uint64_t rate)
{
	uint32_t max = sp805_max_ms(rate);
	static const uint32_t some[] = { 1, 2, 3, 10, 999, 1000, 1001, 2000, 30000, 60000 };

	assert_true(max > 0);
	for (unsigned i = 0; i < sizeof(some) / sizeof(some[0]) + 1; i++) {
		uint32_t ms = i < sizeof(some) / sizeof(some[0]) ? some[i] : max;
		uint64_t load, reset_ticks, want;

		if (ms > max)
			continue;
		load = sp805_load(rate, ms);
		reset_ticks = 2 * (load + 1);
		want = (rate * ms + 999) / 1000;	/* ticks in ms, rounded up */
		if (reset_ticks < want && load != UINT32_MAX)
			fail_msg("rate %llu ms %u: resets after %llu ticks, before %llu",
				 (unsigned long long)rate, ms, (unsigned long long)reset_ticks,
				 (unsigned long long)want);
		if (reset_ticks > want + 3 && load > 1)
			fail_msg("rate %llu ms %u: resets after %llu ticks, %llu asked",
				 (unsigned long long)rate, ms, (unsigned long long)reset_ticks,
				 (unsigned long long)want);
	}
}

static void test_rates(void **state)
{
	(void)state;
	check_rate(1);
	check_rate(32768);
	check_rate(24000000);
	check_rate(100000000);
	check_rate(4000000000ull);
}

static void test_limits(void **state)
{
	(void)state;
	assert_int_equal(sp805_max_ms(0), 0);
	assert_int_equal(sp805_max_ms(24000000), 357913);	/* 2^33 / 24 MHz */
	assert_true(sp805_load(24000000, 357913) >= 0xffff0000u);	/* near the top */
	assert_int_equal(sp805_load(1, 1), 1);		/* at least 1 */
	assert_int_equal(sp805_max_ms(1), UINT32_MAX);	/* clamped */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
