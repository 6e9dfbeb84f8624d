/* newlib-nano is linked and wired: formatted output, the heap from the DT's
 * memory, time, and exit(status) carrying the status out. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

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

int main(int argc, char **argv)
{
	char buf[64];
	struct timeval tv;

	snprintf(buf, sizeof(buf), "%d %s %5.2f %lx", 42, "x", 3.14159, 0xabcul);
	TK_CHECK("snprintf", strcmp(buf, "42 x  3.14 abc") == 0);
	const char *volatile six = "abcdef";	/* volatile: no compile-time truncation warning */

	TK_CHECK("snprintf_truncates", snprintf(buf, 4, "%s", six) == 6 && strcmp(buf, "abc") == 0);
	check_heap();
	TK_CHECK("gettimeofday", gettimeofday(&tv, 0) == 0);
	TK_CHECK("time_advances", tv.tv_sec > 0 || tv.tv_usec > 0);
	TK_CHECK("argv_from_bootargs", argc == 3 && strcmp(argv[1], "two words") == 0 &&
				       strcmp(argv[2], "x") == 0);
	int rc = tk_test_done();
	/* exit() with a chosen status: the test expects 3 when all passed. */
	exit(rc ? 1 : 3);
}
