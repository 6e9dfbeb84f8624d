/* The watchdog API (<takt/watchdog.h>) on whatever watchdog the board has.
 * No argument: the contract without letting it bite (refusals, feed
 * before start, stop twice; every call -ENODEV on a board without one).
 * "cycle": start, feed past the timeout, stop, outlive the timeout.
 * "expire": start and never feed; the board must reset (under QEMU with
 * -no-reboot: QEMU exits 0 without the FAIL line). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <takt/takt.h>

#include "tk_test.h"

static int no_watchdog(void)
{
	TK_CHECK("start_without_watchdog_enodev", tk_watchdog_start(1000) == -ENODEV);
	TK_CHECK("feed_without_watchdog_enodev", tk_watchdog_feed() == -ENODEV);
	TK_CHECK("stop_without_watchdog_enodev", tk_watchdog_stop() == -ENODEV);
	return tk_test_done();
}

static int api(uint32_t max)
{
	printf("watchdog: longest timeout %lu ms\n", (unsigned long)max);
	TK_CHECK("zero_timeout_einval", tk_watchdog_start(0) == -EINVAL);
	TK_CHECK("timeout_past_hardware_einval", tk_watchdog_start(max + 1) == -EINVAL);
	TK_CHECK("huge_timeout_einval", tk_watchdog_start(UINT32_MAX) == -EINVAL);
	TK_CHECK("feed_before_start_eperm", tk_watchdog_feed() == -EPERM);
	TK_CHECK("stop_when_stopped_ok", tk_watchdog_stop() == 0);
	TK_CHECK("stop_twice_ok", tk_watchdog_stop() == 0);
	TK_CHECK("feed_after_stop_eperm", tk_watchdog_feed() == -EPERM);
	return tk_test_done();
}

/* Fed every 100 ms for twice its 1 s timeout, then stopped and outlived. */
static int cycle(void)
{
	int fed = 0;

	TK_CHECK("start_1s", tk_watchdog_start(1000) == 0);
	for (int i = 0; i < 20; i++) {
		tk_sleep_ns(100000000);
		fed += tk_watchdog_feed() == 0;
	}
	TK_CHECK("fed_20_times", fed == 20);
	TK_CHECK("restart_with_new_timeout", tk_watchdog_start(500) == 0);
	TK_CHECK("stop", tk_watchdog_stop() == 0);
	tk_sleep_ns(1500000000);
	TK_CHECK("survived_past_timeout_after_stop", true);
	return tk_test_done();
}

static int expire(void)
{
	/* Said first, and given 20 ms to leave the UART: a watchdog may bite
	 * as soon as it is armed (QEMU 7.2's does). */
	printf("watchdog: starting with 100 ms, not fed\n");
	fflush(stdout);
	tk_sleep_ns(20000000);
	int err = tk_watchdog_start(100);

	printf("watchdog: started (%d)\n", err);
	tk_sleep_ns(3000000000ull);
	printf("FAIL watchdog_expiry_resets: still running 3 s after a 100 ms timeout\n");
	return 1;
}

int main(int argc, char **argv)
{
	uint32_t max = tk_watchdog_max_ms();

	if (max == 0)
		return no_watchdog();
	if (argc > 1 && strcmp(argv[1], "cycle") == 0)
		return cycle();
	if (argc > 1 && strcmp(argv[1], "expire") == 0)
		return expire();
	return api(max);
}
