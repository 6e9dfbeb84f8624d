/* shell-app: an out-of-tree app that leaves its console to Takt's shell
 * (takt_app(... SHELL)); its tests.yaml drives it with pytest scripts. */
#include <takt/takt.h>

int main(void)
{
	for (;;)
		tk_sleep_ns(1000000000ull);
}
