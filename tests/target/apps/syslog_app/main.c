/*
 * Remote syslog's peer test (tests/net/test_syslog.py, booted with
 * syslog=10.0.2.2:PORT/tcp or /udp): "COUNT" messages "message K" through
 * tk_log. Every 50 it waits for the log thread and the syslog queue, so
 * nothing is dropped however slow the collector; half way it says so and
 * waits for a typed line (the test stops the collector there), and while
 * the collector is unreachable it says so once (the test starts it again).
 * At the end: the log's and syslog's figures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <takt/log.h>
#include <takt/net.h>
#include <takt/syslog.h>
#include <takt/takt.h>

#define SEC 1000000000ull

static void pace(unsigned i)
{
	static int said;

	tk_log_flush(tk_after_ns(60 * SEC));
	while (tk_syslog_flush(tk_after_ns(1 * SEC)) == -ETIMEDOUT)
		if (!said++)
			printf("syslog app: %u logged, collector unreachable\n", i);
}

int main(int argc, char **argv)
{
	unsigned count = 100;
	struct tk_syslog_stats ss;
	struct tk_log_stats ls;
	char line[16];

	for (int i = 1; i < argc; i++)		/* the kernel's syslog= is here too */
		if (!strchr(argv[i], '='))
			count = (unsigned)strtoul(argv[i], 0, 10);
	if (tk_net_wait_bound(tk_after_ns(60 * SEC))) {
		printf("syslog app: no network\n");
		return 1;
	}
	printf("syslog app: logging %u messages\n", count);
	for (unsigned i = 1; i <= count; i++) {
		tk_log(TK_LOG_INFO, "message %u", i);
		if (i % 50 == 0 || i == count)
			pace(i);
		if (i == count / 2) {
			printf("syslog app: half, type a line\n");
			if (!fgets(line, sizeof(line), stdin))
				return 1;
		}
	}
	tk_syslog_stats(&ss);
	tk_log_stats(&ls);
	printf("syslog app: done %u; queued %lu sent %lu resent %lu dropped %lu reconnects %lu; "
	       "log dropped %lu\n", count, (unsigned long)ss.queued, (unsigned long)ss.sent,
	       (unsigned long)ss.resent, (unsigned long)ss.dropped, (unsigned long)ss.reconnects,
	       (unsigned long)ls.dropped);
	/* Not off yet: a datagram handed to the socket may still be on its way
	 * out of QEMU; the test says when the collector has them all. */
	printf("syslog app: type a line to end\n");
	return fgets(line, sizeof(line), stdin) ? 0 : 1;
}
