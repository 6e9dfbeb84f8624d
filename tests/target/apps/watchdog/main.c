/* The watchdog API (<takt/watchdog.h>) on whatever watchdog the board has.
 * No argument: the contract without letting it bite (refusals, feed
 * before start, stop twice; every call -ENODEV on a board without one).
 * "cycle": start, feed past the timeout, stop, outlive the timeout.
 * "expire": start and never feed; the board must reset (under QEMU with
 * -no-reboot: QEMU exits 0 without the FAIL line).
 * The supervisor (<takt/supervisor.h>): its refusals in every mode; with
 * "starve", a thread that checks in every 10 ms starved by a FIFO 50 spin on
 * its CPU: the supervisor must name it, write the crash record and reset
 * the board; booted again after that reset (no -no-reboot), "starve" finds
 * the record, says what it names and ends with status 3. With "hog", main
 * spins at the supervisor's own priority on CPU 0: the supervisor cannot
 * check, and CPU 0's timer interrupt must reset the board. With "stall",
 * CPU 0 itself stands still (interrupts masked): no reset, nobody named. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <takt/crash.h>
#include <takt/takt.h>

#include "tk_test.h"

static void supervisor_api(void)
{
	TK_CHECK("supervisor_zero_check_einval", tk_supervisor_start(0, 0) == -EINVAL);
	TK_CHECK("supervisor_long_check_einval", tk_supervisor_start(60001, 0) == -EINVAL);
	TK_CHECK("supervisor_bad_flags_einval", tk_supervisor_start(10, 0x80) == -EINVAL);
	TK_CHECK("checkin_without_channel_enoent", tk_checkin() == -ENOENT);
	TK_CHECK("supervise_over_an_hour_einval", tk_supervise(0, 3600001u) == -EINVAL);
	TK_CHECK("supervisor_start", tk_supervisor_start(50, 0) == 0);
	TK_CHECK("supervisor_twice_ealready", tk_supervisor_start(50, 0) == -EALREADY);
	TK_CHECK("channel_checkin", tk_supervise(0, 1000) == 0 && tk_checkin() == 0);
	TK_CHECK("channel_removed", tk_supervise(0, 0) == 0 && tk_checkin() == -ENOENT);
}

static void *victim_fn(void *arg)
{
	(void)arg;
	tk_supervise(0, 100);
	for (;;) {
		tk_checkin();
		tk_sleep_ns(10000000);
	}
	return 0;
}

/* The previous boot's crash record, when the watchdog wrote it: said, and
 * the run ends (status 3: x86 carries odd statuses only). */
static void previous_record(void)
{
	struct tk_crash_info ci;

	if (tk_crash_previous(&ci) || ci.reason != TK_CRASH_WATCHDOG)
		return;
	printf("watchdog: previous boot: %s\n", ci.why);
	exit(3);
}

static int hog(void)
{
	uint64_t t0;

	tk_thread_set_affinity(0, 1);
	TK_CHECK("supervisor_start_20ms", tk_supervisor_start(20, 0) == 0);
	tk_sleep_ns(100000000);	/* it checks: nothing is said */
	printf("watchdog: hogging cpu 0 at the supervisor's priority\n");
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = TK_PRIO_MAX });
	t0 = tk_now_ns();
	while (tk_now_ns() - t0 < 2000000000ull)
		tk_cpu_relax();
	printf("FAIL supervisor_fallback_resets: still running 2 s later\n");
	return 1;
}

static int starve(void)
{
	struct tk_thread_attr a = { .name = "victim", .stack_size = 4096, .cpu_mask = 1,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 10 } };
	tk_thread_t *v;
	uint64_t t0;

	previous_record();
	tk_thread_set_affinity(0, 1);
	TK_CHECK("supervisor_start_20ms", tk_supervisor_start(20, 0) == 0);
	TK_CHECK("victim_created", tk_thread_create(&v, &a, victim_fn, 0) == 0);
	tk_sleep_ns(200000000);	/* it checks in: nothing is said */
	printf("watchdog: starving the victim\n");
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	t0 = tk_now_ns();
	while (tk_now_ns() - t0 < 2000000000ull)
		tk_cpu_relax();
	printf("FAIL supervisor_names_starved_thread: still running 2 s later\n");
	return 1;
}

/* CPU 0 stands still: main masks interrupts for 200 ms, as a VM that is not
 * scheduled (or QEMU's vCPU thread) would leave it. The supervisor's
 * fallback comes 80 ms after its last check, but no thread held the
 * supervisor off: the board must not reset, and the victim (100 ms
 * timeout; it could not run either) is not named. */
static int stall(void)
{
	struct tk_thread_attr a = { .name = "victim", .stack_size = 4096, .cpu_mask = 1,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 10 } };
	tk_thread_t *v;
	unsigned long key;
	uint64_t t0;

	tk_thread_set_affinity(0, 1);
	TK_CHECK("supervisor_start_20ms", tk_supervisor_start(20, 0) == 0);
	TK_CHECK("victim_created", tk_thread_create(&v, &a, victim_fn, 0) == 0);
	tk_sleep_ns(100000000);	/* it checks, the victim checks in */
	printf("watchdog: cpu 0 standing still for 200 ms\n");
	key = tk_irq_lock();
	t0 = tk_now_ns();
	while (tk_now_ns() - t0 < 200000000ull)
		tk_cpu_relax();
	tk_irq_unlock(key);
	tk_sleep_ns(300000000);	/* fifteen checks more */
	TK_CHECK("stall_not_blamed", true);
	return tk_test_done();
}

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

	if (argc > 1 && strcmp(argv[1], "starve") == 0)
		return starve();
	if (argc > 1 && strcmp(argv[1], "hog") == 0)
		return hog();
	if (argc > 1 && strcmp(argv[1], "stall") == 0)
		return stall();
	supervisor_api();
	if (max == 0)
		return no_watchdog();
	if (argc > 1 && strcmp(argv[1], "cycle") == 0)
		return cycle();
	if (argc > 1 && strcmp(argv[1], "expire") == 0)
		return expire();
	return api(max);
}
