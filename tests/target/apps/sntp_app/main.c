/*
 * Wall-clock time's peer test (tests/net/test_sntp.py, booted with
 * ntp=10.0.2.2:PORT at a real chronyd): waits for the first SNTP answer,
 * says the wall clock then (CLOCK_REALTIME, for the test to compare with
 * the host's), logs a message (the console shows it with its RFC 3339
 * time) and waits for a typed line while the test reads /metrics.
 */
#include <stdio.h>
#include <time.h>

#include <takt/log.h>
#include <takt/net.h>
#include <takt/takt.h>

#define MS 1000000ull

int main(void)
{
	struct tk_realtime_state st = { 0 };
	struct timespec now;
	char line[16];

	tk_log(TK_LOG_NOTICE, "before the wall clock is set");
	if (tk_net_wait_bound(tk_after_ns(60000 * MS)))
		return 1;
	for (int i = 0; i < 600 && st.source != TK_TIME_SNTP; i++) {
		tk_sleep_ns(100 * MS);		/* the app waits for the server: a poll */
		tk_realtime_state(&st);
	}
	if (st.source != TK_TIME_SNTP) {
		printf("sntp app: not synced in 60 s\n");
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	printf("sntp app: synced: unix %ld.%09ld, step %ld ms\n", (long)now.tv_sec, now.tv_nsec,
	       (long)(st.last_step_ns / (int64_t)MS));
	tk_log(TK_LOG_NOTICE, "hello with a wall-clock time");
	tk_log_flush(tk_after_ns(5000 * MS));
	printf("sntp app: type a line to end\n");
	return fgets(line, sizeof(line), stdin) ? 0 : 1;
}
