#include <stdio.h>
#include <takt/net.h>
#include <takt/thread.h>

int main(void)
{
	int r = tk_net_wait_bound(tk_after_ns(10000000000ull));
	printf("bound: %d\n", r);
	return r;
}
