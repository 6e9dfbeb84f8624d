/* A thread that recurses past its stack: the canary check at the next
 * switch must end the run with a PANIC naming the thread. */
#include <stdio.h>

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
	(void)arg;
	deep(0, 32);		/* ~10 KiB into a 4 KiB stack */
	tk_sleep_ns(1000000);	/* switch away: the canary is checked */
	return 0;
}

int main(void)
{
	struct tk_thread_attr a = { .name = "deep-recursion", .stack_size = 4096 };
	tk_thread_t *t;

	if (tk_thread_create(&t, &a, recurse, 0))
		return 2;
	tk_thread_join(t, 0);
	printf("stack_overflow: not detected\n");
	return 0;
}
