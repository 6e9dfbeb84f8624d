/* Console input through newlib (the test types into QEMU's serial port
 * after each prompt, tools/qemu_test.py --send): fgets reads lines, getchar
 * a byte, read(0) what came; tk_console_read times out when nothing comes;
 * a flood past the input ring is dropped and counted, and input works on.
 * Run without -icount: the flood's arrival is QEMU's, in host time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <takt/log.h>
#include <takt/takt.h>

static void prompt(const char *what)
{
	printf("console_input: %s\n", what);
	fflush(stdout);
}

int main(void)
{
	char line[64], c[16];
	struct tk_console_stats st;

	prompt("type two lines");
	for (int i = 0; i < 2; i++) {
		if (!fgets(line, sizeof(line), stdin))
			return 2;
		line[strcspn(line, "\r\n")] = 0;
		printf("console_input: line %d '%s'\n", i, line);
	}
	prompt("type a byte");
	printf("console_input: getchar '%c'\n", getchar());
	prompt("type some bytes");
	/* stdin's buffer is empty: read(0) takes what the ring holds, at least a
	 * byte, as it comes (QEMU may pass the three one by one) */
	int n = 0;

	for (int k; n < 3 && (k = (int)read(0, c + n, (size_t)(3 - n))) > 0;)
		n += k;
	printf("console_input: read '%.*s'\n", n, c);
	int rc = tk_console_read(c, sizeof(c), tk_after_ns(20000000));

	printf("console_input: nothing typed: %s (%d)\n", rc == -ETIMEDOUT ? "timed out" : "?", rc);
	rc = tk_console_read(NULL, 4, 0);
	printf("console_input: bad buffer: %s (%d)\n", rc == -EINVAL ? "EINVAL" : "?", rc);
	tk_console_stats(&st, false);
	uint64_t seen = st.rx_bytes + st.rx_dropped, t0 = tk_now_ns();

	prompt("flood me");	/* 3000 bytes, none read until all came: 1024 fit */
	while (st.rx_bytes + st.rx_dropped < seen + 3000 && tk_now_ns() - t0 < 20000000000ull) {
		tk_sleep_ns(1000000);
		tk_console_stats(&st, false);
	}
	uint64_t kept = 0;

	for (int k; (k = tk_console_read(c, sizeof(c), tk_after_ns(20000000))) > 0;)
		kept += (uint64_t)k;
	printf("console_input: flood: %lu kept, %lu dropped\n", (unsigned long)kept,
	       (unsigned long)(st.rx_dropped));
	prompt("type a last line");
	if (!fgets(line, sizeof(line), stdin))
		return 2;
	line[strcspn(line, "\r\n")] = 0;
	printf("console_input: last '%s'\n", line);
	return 0;
}
