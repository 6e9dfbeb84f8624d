/*
 * The Takt side of `./takt bench net`: the same small page as busybox httpd
 * serves on Linux (tools/bench_net.py PAGE; the bench checks that the two
 * answers match), registered with the metrics endpoint's HTTP server.
 */
#include <stdio.h>
#include <string.h>

#include <takt/metrics.h>
#include <takt/net.h>
#include <takt/thread.h>
#include <takt/time.h>

static const char page[] = "Takt bench net: the same small page from both guests, for wrk "
			   "through QEMU user networking.\n";

int main(void)
{
	int err = tk_metrics_add_page("/", "text/html", page, strlen(page));

	if (err) {
		printf("net_page: cannot register / (%d)\n", err);
		return 1;
	}
	if (tk_net_wait_bound(tk_after_ns(60000000000ull)))
		return 3;
	printf("net_page: serving /\n");
	for (;;)
		tk_sleep_ns(1000000000ull);
}
