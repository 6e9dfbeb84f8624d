/* The arch context switch, the base of the coming scheduler: two contexts
 * hand control back and forth, keep their callee-saved integer and FP
 * registers, start with the interrupt mask of the switch that started them
 * (the scheduler switches with them masked and the entry unmasks them once
 * the switch is finished; here main switches with them on), and survive timer
 * interrupts taken in between. */
#include <takt/takt.h>

#include "../../../../kernel/arch.h"
#include "tk_test.h"

static struct arch_context main_ctx, worker_ctx;
static uint64_t worker_stack[2048] __attribute__((aligned(16)));
static volatile int turns;
static volatile bool irqs_on_in_worker;

static void worker(void *arg)
{
	unsigned long flags = arch_irq_save();

#if defined(__x86_64__)
	irqs_on_in_worker = (flags & 0x200) != 0;	/* RFLAGS.IF set on entry */
#else
	irqs_on_in_worker = (flags & 0x80) == 0;	/* DAIF.I clear on entry */
#endif
	arch_irq_restore(flags);
	for (;;) {
		turns += (int)(uintptr_t)arg;
		arch_context_switch(&worker_ctx, &main_ctx);
	}
}

/* Values kept in callee-saved registers across the switches: the
 * compiler keeps acc and f live across the calls, so a switch that lost
 * x19-x28 or d8-d15 would change the result. */
static bool registers_survive(void)
{
	uint64_t acc = 0x1234;
	double f = 1.5;

	for (int i = 0; i < 100; i++) {
		arch_context_switch(&main_ctx, &worker_ctx);
		acc = acc * 31 + (uint64_t)i;
		f = f * 1.0001 + 0.5;
	}
	uint64_t want = 0x1234;
	double fw = 1.5;

	for (int i = 0; i < 100; i++) {
		want = want * 31 + (uint64_t)i;
		fw = fw * 1.0001 + 0.5;
	}
	return acc == want && f == fw;
}

int main(void)
{
	arch_context_init(&worker_ctx, worker_stack, sizeof(worker_stack), worker, (void *)2);
	arch_context_switch(&main_ctx, &worker_ctx);
	TK_CHECK("first_switch_runs_entry_with_arg", turns == 2);
	TK_CHECK("entry_keeps_the_switchers_interrupt_mask", irqs_on_in_worker);
	TK_CHECK("callee_saved_registers_survive_100_round_trips", registers_survive());
	TK_CHECK("worker_ran_each_time", turns == 2 * 101);
	uint64_t before = tk_timer_irqs();
	for (int i = 0; i < 1000 && tk_timer_irqs() == before; i++) {
		tk_sleep_ns(1000000);
		arch_context_switch(&main_ctx, &worker_ctx);
	}
	TK_CHECK("switching_survives_timer_interrupts", tk_timer_irqs() > before);
	return tk_test_done();
}
