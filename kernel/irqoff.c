/*
 * The longest stretch each CPU runs with interrupts masked (issue 19's
 * `./takt bench smp` figure), off unless the bootarg irqoff.stats=on: then
 * every mask that starts a stretch (arch_irq_save from unmasked, exception
 * entry) stamps the counter, and every unmask that ends one (arch_irq_restore
 * to unmasked, arch_irq_enable, the last exception exit, waiting for an
 * interrupt) takes the difference. Off, it costs each mask and unmask one
 * predictable branch on irqoff_on. A stretch begun on one thread may end on
 * another (a switch): it is the CPU's, which is what an interrupt waits for.
 */
#include <string.h>

#include <takt/board.h>
#include <takt/log.h>

#include "arch.h"
#include "irqoff.h"
#include "smp.h"

bool irqoff_on;

void irqoff_begin(void)
{
	cpu_self()->irqoff_t0 = arch_counter();
}

void irqoff_end(void)
{
	struct cpu *c = cpu_self();
	uint64_t t0 = c->irqoff_t0, d;

	if (!t0)
		return;	/* no stretch open (stats switched on inside one) */
	c->irqoff_t0 = 0;
	d = arch_counter() - t0;
	if (d > c->irqoff_max)
		c->irqoff_max = d;
}

uint64_t irqoff_max_ns(unsigned cpu)
{
	return cpus[cpu].irqoff_max * 1000000000ull / arch_counter_freq();
}

static void irqoff_bootargs(void)
{
	const char *v = tk_bootarg("irqoff.stats");

	if (v && strcmp(v, "on") == 0)
		irqoff_on = true;
	else if (v && strcmp(v, "off") != 0)
		tk_printk("irqoff: irqoff.stats=%s unknown (on or off); off\n", v);
}
TK_INIT(irqoff_bootargs);
