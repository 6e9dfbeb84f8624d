/* Small arm64 CPU hooks: interrupt masking, counter, idle. */
#include "../../arch.h"
#include "../../irqoff.h"

uint64_t arch_boot_counter;

unsigned long arch_irq_save(void)
{
	return arch_irq_save_inline();
}

void arch_irq_restore(unsigned long flags)
{
	arch_irq_restore_inline(flags);
}

void arch_irq_enable(void)
{
	if (__builtin_expect(irqoff_on, 0))
		irqoff_end();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void arch_idle_wfi(void);	/* vectors.S */

/* Masked: WFI still wakes on a pending interrupt (a wake-up event whatever
 * PSTATE.I says), which the idle loop then dispatches as a call. Waiting is
 * not a masked stretch; the dispatch opens one (sched_irq_enter). */
void arch_idle_wait(void)
{
	if (__builtin_expect(irqoff_on, 0))
		irqoff_end();
	arch_idle_wfi();
}

uint64_t arch_counter(void)
{
	return arch_counter_inline();
}

uint64_t arch_counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

void arch_counter_init(const void *fdt)
{
	(void)fdt;	/* CNTFRQ, set by the firmware */
}

extern void arch_thread_start(void);

void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *frame = (uint64_t *)(top - 160);	/* see context.S */

	for (int i = 0; i < 20; i++)
		frame[i] = 0;
	frame[0] = (uint64_t)(uintptr_t)entry;		/* x19 */
	frame[1] = (uint64_t)(uintptr_t)arg;		/* x20 */
	frame[11] = (uint64_t)(uintptr_t)arch_thread_start;	/* x30 */
	ctx->sp = frame;
}

void arch_dcache_clean(const void *p, size_t len)
{
	uint64_t ctr, line;
	uintptr_t a, end = (uintptr_t)p + len;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ull << ((ctr >> 16) & 0xf);	/* DminLine: log2 of words */
	for (a = (uintptr_t)p & ~(uintptr_t)(line - 1); a < end; a += line)
		__asm__ volatile("dc cvac, %0" :: "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}
