/*
 * The crash record across a warm reset (<takt/crash.h>, kernel/crash_record.c;
 * tests/target/crash_record.py boots it with panic=reset and without
 * -no-reboot). Boot 1 finds no previous crash and panics, with a thread
 * blocked for the core to show; boot 2 finds the record, checks it, and
 * ends with status 3 (odd: x86 carries only odd statuses, and 0 would reset
 * it again). With the argument "report" it says what it found and ends with
 * status 3 (the corrupt-record cases, where nothing may be found). With
 * "serve", boot 2 waits for the network and a typed line while the test
 * takes the core from GET /crash (tests/net/test_crash.py).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/crash.h>
#include <takt/net.h>
#include <takt/takt.h>

#include "tk_test.h"

#define WHY "crash_record: deliberate panic 42"

static struct tk_sem never;

static void *rec_waiter(void *arg)
{
	(void)arg;
	tk_sem_take(&never, TK_FOREVER);
	return 0;
}

static void bad_input(void)
{
	TK_CHECK("previous_null", tk_crash_previous(NULL) == -EINVAL);
	TK_CHECK("reason_names", !tk_crash_reason_name(0) && !tk_crash_reason_name(9) &&
				 !strcmp(tk_crash_reason_name(TK_CRASH_WATCHDOG), "watchdog"));
}

static void check_record(const struct tk_crash_info *ci)
{
	const unsigned char *core = ci->core;
	uint16_t type = 0;

	printf("crash_record: previous %s at %lu ms: %s; core %lu bytes%s\n",
	       tk_crash_reason_name(ci->reason), (unsigned long)(ci->uptime_ns / 1000000u),
	       ci->why, (unsigned long)ci->core_len, ci->core_truncated ? " (truncated)" : "");
	TK_CHECK("reason_panic", ci->reason == TK_CRASH_PANIC);
	TK_CHECK("why_kept", !strcmp(ci->why, WHY));
	TK_CHECK("uptime_kept", ci->uptime_ns > 0);
	TK_CHECK("core_is_elf", ci->core_len > 64 && !memcmp(core, "\177ELF", 4));
	memcpy(&type, core + 16, 2);
	TK_CHECK("core_is_et_core", type == 4);
	TK_CHECK("core_whole", !ci->core_truncated);
}

/* bootargs (panic=reset) stay in argv too */
static bool has_arg(int argc, char **argv, const char *word)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], word))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct tk_crash_info ci;
	bool report = has_arg(argc, argv, "report"), serve = has_arg(argc, argv, "serve");
	int r = tk_crash_previous(&ci);

	bad_input();
	if (r == -ENODEV) {
		printf("crash_record: no crash record region in the DT\n");
		return 1;
	}
	if (r == -ENOENT && !report) {
		struct tk_thread_attr a = { .name = "rec_waiter", .stack_size = 8192,
			.sched = { .policy = TK_SCHED_FIFO, .prio = 20 } };
		tk_thread_t *t;

		tk_sem_init(&never, 0, 1);
		/* above main: it runs at once and blocks */
		tk_thread_create(&t, &a, rec_waiter, 0);
		printf("crash_record: no previous crash; a panic follows\n");
		tk_panic(WHY);
	}
	if (r == -ENOENT)
		printf("crash_record: no previous crash\n");
	else
		check_record(&ci);
	if (serve && r == 0) {
		char line[16];

		if (tk_net_wait_bound(tk_after_ns(60000000000ull)))
			return 1;
		printf("crash_record: serving GET /crash; type a line to end\n");
		if (!fgets(line, sizeof(line), stdin))
			return 1;
	}
	return tk_test_done() ? 1 : 3;
}
