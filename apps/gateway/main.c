/* Placeholder until the gateway lands: wait for the network, then idle. */
#include <stdio.h>
#include <takt/net.h>
#include <takt/thread.h>
#include <takt/time.h>

int main(void)
{
	int r = tk_net_wait_bound(tk_after_ns(30000000000ull));

	printf("gateway: network %s\n", r ? "down" : "up");
	for (;;)
		tk_sleep_ns(1000000000ull);
}
