/* The one-shot timer interrupt fires through whichever interrupt controller
 * the DT names, and sleeps last at least as long as asked. */
#include <takt/takt.h>

#include "tk_test.h"

int main(void)
{
	uint64_t irqs = tk_timer_irqs();
	uint64_t t0 = tk_now_ns();

	for (int i = 0; i < 5; i++)
		tk_sleep_ns(1000000);
	uint64_t dt = tk_now_ns() - t0;

	TK_CHECK("timer_irq_fires", tk_timer_irqs() >= irqs + 5);
	TK_CHECK("sleep_lasts_at_least_5ms", dt >= 5000000);
	TK_CHECK("clock_is_monotonic", tk_now_ns() >= t0 + dt);
	TK_CHECK("an_intc_is_bound", tk_dev_count() >= 3);
	return tk_test_done();
}
