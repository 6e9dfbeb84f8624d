/*
 * The wake-up lead's learning rule (kernel/sleep_lead.h): the first path
 * seen is taken whole, a shorter one at once, a longer one a sixteenth of
 * its excess at a time (at most SLEEP_LEAD_STEP_MAX), never past the cap;
 * a steady path is converged on and an occasional long one moves little.
 */
#include <stdint.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "sleep_lead.h"

static void test_first_path_taken(void **state)
{
	(void)state;
	assert_int_equal(sleep_lead_next(0, 512), 512);
	assert_int_equal(sleep_lead_next(0, 1000000), SLEEP_LEAD_AUTO_MAX);
}

static void test_shorter_path_at_once(void **state)
{
	(void)state;
	assert_int_equal(sleep_lead_next(600, 512), 512);
	assert_int_equal(sleep_lead_next(600, 1), 1);
}

static void test_longer_path_slowly(void **state)
{
	(void)state;
	assert_int_equal(sleep_lead_next(512, 512), 512);
	assert_int_equal(sleep_lead_next(512, 528), 513);	/* 16 / 16 */
	assert_int_equal(sleep_lead_next(512, 520), 512);	/* under a sixteenth of a ns */
	assert_int_equal(sleep_lead_next(512, 1000000), 512 + SLEEP_LEAD_STEP_MAX);
	assert_int_equal(sleep_lead_next(SLEEP_LEAD_AUTO_MAX - 1, 1000000), SLEEP_LEAD_AUTO_MAX);
	assert_int_equal(sleep_lead_next(SLEEP_LEAD_AUTO_MAX, UINT64_MAX), SLEEP_LEAD_AUTO_MAX);
}

static void test_steady_path_with_outliers(void **state)
{
	uint32_t lead = 0;

	(void)state;
	/* 520 and 536 (a 16 ns counter), a 50 us preemption every 100th */
	for (int i = 0; i < 1000; i++) {
		uint64_t path = i % 100 == 99 ? 50000 : i % 2 ? 536 : 520;

		lead = sleep_lead_next(lead, path);
		assert_true(lead >= 520 && lead <= 520 + SLEEP_LEAD_STEP_MAX + 1);
	}
	/* a path that grew for good (700) is reached, to within the shift's 16 ns */
	for (int i = 0; i < 200; i++)
		lead = sleep_lead_next(lead, 700);
	assert_true(lead > 700 - 16 && lead <= 700);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_path_taken),
		cmocka_unit_test(test_shorter_path_at_once),
		cmocka_unit_test(test_longer_path_slowly),
		cmocka_unit_test(test_steady_path_with_outliers),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
