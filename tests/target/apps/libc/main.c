/* newlib-nano is linked and wired: formatted output, the heap from the DT's
 * memory, time, and exit(status) carrying the status out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <takt/takt.h>

#include "tk_test.h"

static void check_heap(void)
{
	enum { N = 64, SZ = 64 * 1024 };
	char *blocks[N];
	int ok = 1;

	for (int i = 0; i < N; i++) {
		blocks[i] = malloc(SZ);
		if (!blocks[i]) {
			ok = 0;
			break;
		}
		memset(blocks[i], i, SZ);
	}
	for (int i = 0; ok && i < N; i++)
		ok = blocks[i][0] == (char)i && blocks[i][SZ - 1] == (char)i;
	for (int i = 0; i < N; i++)
		free(ok ? blocks[i] : 0);
	TK_CHECK("malloc_4MiB_in_64KiB_blocks", ok);
	TK_CHECK("malloc_too_much_fails", malloc((size_t)1 << 40) == 0);
}

static void *nothing(void *arg)
{
	return arg;
}

/* newlib sets up main's stdio (the global one) on first use, marking it
 * done before stdout exists; a thread's first printf can do it for main,
 * and main printing meanwhile wrote to a placeholder FILE in .rodata. So
 * the first thread creation sets it up while main is alone: true here,
 * before main has printed anything. */
static int stdio_ready_after_first_thread(void)
{
	tk_thread_t *t;

	if (tk_thread_create(&t, 0, nothing, 0) != 0)
		return 0;
	tk_thread_join(t, 0);
	return _GLOBAL_REENT->__sdidinit && _GLOBAL_REENT->_stdout->_file == 1;
}

int main(int argc, char **argv)
{
	int stdio_ready = stdio_ready_after_first_thread();	/* first: nothing printed yet */
	char buf[64];
	struct timeval tv;

	TK_CHECK("stdio_set_up_before_threads", stdio_ready);

	snprintf(buf, sizeof(buf), "%d %s %5.2f %lx", 42, "x", 3.14159, 0xabcul);
	TK_CHECK("snprintf", strcmp(buf, "42 x  3.14 abc") == 0);
	const char *volatile six = "abcdef";	/* volatile: no compile-time truncation warning */

	TK_CHECK("snprintf_truncates", snprintf(buf, 4, "%s", six) == 6 && strcmp(buf, "abc") == 0);
	check_heap();
	struct timeval later;

	TK_CHECK("gettimeofday", gettimeofday(&tv, 0) == 0);
	usleep(1000);
	TK_CHECK("time_advances_by_a_sleep", gettimeofday(&later, 0) == 0 &&
		 (later.tv_sec - tv.tv_sec) * 1000000 + (later.tv_usec - tv.tv_usec) >= 1000);
	TK_CHECK("argv_from_bootargs", argc == 3 && strcmp(argv[1], "two words") == 0 &&
				       strcmp(argv[2], "x") == 0);
	int rc = tk_test_done();
	/* exit() with a chosen status: the test expects 3 when all passed. */
	exit(rc ? 1 : 3);
}
