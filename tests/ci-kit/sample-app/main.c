/* sample-app: an out-of-tree app whose tests.yaml has passing, failing, timing-out
 * and crashing cases, for the CI kit's own test (tests/host/test_cikit.py).
 * argv[1] picks what it does: ok, fail, hang, crash, echo (reads a line typed in). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int crash(void)
{
	/* Unmapped (the DT names nothing there): a crash dump and a PANIC line. */
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)0x7000000000ull;

	return (int)*p;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ok";

	printf("sample: mode %s\n", mode);
	if (!strcmp(mode, "ok")) {
		printf("sample: all good\n");
		return 0;
	}
	if (!strcmp(mode, "fail")) {
		printf("sample: failing on purpose\n");
		return 3;
	}
	if (!strcmp(mode, "hang")) {
		printf("sample: hanging on purpose\n");
		for (;;)
			__asm__ volatile("" ::: "memory");
	}
	if (!strcmp(mode, "crash"))
		return crash();
	if (!strcmp(mode, "echo")) {
		char line[64];

		printf("sample: type a line\n");
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return 4;
		line[strcspn(line, "\r\n")] = 0;
		printf("sample: got '%s'\n", line);
		return 0;
	}
	printf("sample: unknown mode '%s' (ok, fail, hang, crash, echo)\n", mode);
	return 2;
}
