/* Stack overflows, each to be a PANIC naming the thread, status 1:
 *   (none)  a thread recursing past its stack: its guard page faults
 *   main    main itself, on the boot stack: the boot stack's guard page
 *   cpu1    the first case on CPU 1 (its own fault stack)
 *   canary  a thread on a stack the app gives (no guard page): the canary
 *           at its bottom, checked at the next switch
 *   ok      a thread using most of its stack, never past it: no panic */
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>

static int deep(volatile char *prev, int n)
{
	volatile char frame[256];

	for (int i = 0; i < 256; i++)	/* use the frame, as real code would */
		frame[i] = (char)(prev ? prev[i] + 1 : i);
	if (n == 0)
		return frame[0];
	return deep(frame, n - 1) + frame[255];
}

static void *recurse(void *arg)
{
	deep(0, (int)(intptr_t)arg);
	tk_sleep_ns(1000000);	/* switch away: the canary is checked */
	return 0;
}

/* The app's own stack for the canary case, with room below it: the
 * overflow lands in this array, not in someone else's memory. */
static char spare[16384] __attribute__((aligned(16)));
static char own_stack[8192] __attribute__((aligned(16)));

static int run_thread(const char *name, int depth, uint32_t cpus, bool own)
{
	struct tk_thread_attr a = { .name = name, .stack_size = 4096, .cpu_mask = cpus };
	tk_thread_t *t;

	if (own) {
		a.stack = own_stack;
		a.stack_size = sizeof(own_stack);
	}
	if (tk_thread_create(&t, &a, recurse, (void *)(intptr_t)depth))
		return 2;
	tk_thread_join(t, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int err;

	spare[0] = 1;
	if (strcmp(mode, "main") == 0) {
		deep(0, 100);	/* ~28 KiB into the 16 KiB boot stack */
		err = 0;
	} else if (strcmp(mode, "cpu1") == 0) {
		err = tk_cpu_count() < 2 ? 3 : run_thread("deep-on-cpu1", 32, 2, false);
	} else if (strcmp(mode, "canary") == 0) {
		err = run_thread("own-stack", 40, 0, true);
	} else if (strcmp(mode, "ok") == 0) {
		err = run_thread("within", 8, 0, false);	/* ~2.3 KiB of 7 */
		if (!err) {
			printf("stack_overflow: ok\n");
			return 0;
		}
	} else {
		err = run_thread("deep-recursion", 32, 0, false);	/* ~10 KiB into 7 */
	}
	printf("stack_overflow: not detected (%d)\n", err);
	return 0;
}
