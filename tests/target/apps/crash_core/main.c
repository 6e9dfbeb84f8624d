/* Crash core test app (tests/target/crash_core.py): named threads in known
 * places - one blocked on a semaphore, one sleeping - then a write to an unmapped address in
 * a known function (or, with the argument "panic", a tk_panic call). The
 * panic's core must show them all to gdb: thread 1 at the faulting line,
 * the others unwinding to their entry functions. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <takt/takt.h>

static struct tk_sem never;

__attribute__((noinline)) static void wait_forever(void)
{
	tk_sem_take(&never, TK_FOREVER);
}

static void *core_waiter(void *arg)
{
	(void)arg;
	wait_forever();
	return 0;
}

static void *core_sleeper(void *arg)
{
	(void)arg;
	for (;;)
		tk_sleep_ns(1000000000ull);
	return 0;
}

/* The fault: a store to an address no board maps (far above RAM and the
 * devices; not NULL: the Pi and the ZCU102 have RAM at 0). */
#define UNMAPPED 0x7ff0000000ull
__attribute__((noinline)) void crash_bad_write(volatile int *p)
{
	*p = 42;	/* CRASH_LINE: the test finds this line by this marker */
}

/* A panic without an exception: thread 1 is shown at this call. */
__attribute__((noinline)) void crash_panic_call(int code)
{
	tk_panic("crash_core: deliberate panic %d", code);	/* PANIC_LINE */
}

static void spawn(const char *name, tk_thread_fn fn)
{
	struct tk_thread_attr a = { .name = name, .stack_size = 8192,
		.sched = { .policy = TK_SCHED_FIFO, .prio = 20 } };
	tk_thread_t *t = 0;
	int err = tk_thread_create(&t, &a, fn, 0);

	if (err)
		printf("crash_core: spawn %s: %d\n", name, err);
}

int main(int argc, char **argv)
{
	bool panic = argc > 1 && strcmp(argv[1], "panic") == 0;

	tk_sem_init(&never, 0, 1);
	/* above main: each runs at once and reaches where it waits */
	spawn("core_waiter", core_waiter);
	spawn("core_sleeper", core_sleeper);
	tk_sleep_ns(10000000);
	printf("crash_core: threads waiting; %s\n", panic ? "panicking" : "writing to an unmapped address");
	if (panic)
		crash_panic_call(7);
	crash_bad_write((volatile int *)(uintptr_t)UNMAPPED);
	printf("crash_core: wrote to an unmapped address (should not get here)\n");
	return 0;
}
