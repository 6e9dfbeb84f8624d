/* Small x86_64 CPU hooks: interrupt masking, the TSC counter, idle. */
#include "../../arch.h"
#include "x86.h"

uint64_t arch_boot_counter;
uint64_t x86_tsc_hz;	/* set by boot_x86.c before kernel_start() */

unsigned long arch_irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq\n pop %0\n cli" : "=r"(flags) :: "memory");
	return flags;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & (1ul << 9))	/* IF */
		__asm__ volatile("sti" ::: "memory");
	else
		__asm__ volatile("cli" ::: "memory");
}

void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

/* sti's one-instruction shadow makes "sti; hlt" atomic: an interrupt that
 * is pending wakes the hlt instead of being taken before it. Then restore
 * the caller's masking (arch.h: returns with the interrupt taken or
 * pending; the caller's restore runs its handler). */
void arch_wait_for_irq(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq\n pop %0" : "=r"(flags));
	__asm__ volatile("sti\n hlt\n cli" ::: "memory");
	if (flags & (1ul << 9))
		__asm__ volatile("sti" ::: "memory");
}

uint64_t arch_counter(void)
{
	uint32_t lo, hi;

	/* lfence: the TSC read must not be hoisted above earlier code. */
	__asm__ volatile("lfence\n rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
}

uint64_t arch_counter_freq(void)
{
	return x86_tsc_hz;
}

extern char arch_thread_start[];

/* The first switch to ctx pops the frame context.S describes: entry in
 * rbx, arg in r12, default MXCSR/x87 control, and returns into
 * arch_thread_start with RSP 16-byte aligned for its call. */
void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg)
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *f = (uint64_t *)(top - 64);

	for (int i = 0; i < 8; i++)
		f[i] = 0;
	f[0] = 0x1f80 | (uint64_t)0x037f << 32;	/* reset MXCSR, x87 CW */
	f[4] = (uint64_t)(uintptr_t)arg;	/* r12 */
	f[6] = (uint64_t)(uintptr_t)entry;	/* rbx */
	f[7] = (uint64_t)(uintptr_t)arch_thread_start;
	ctx->sp = f;
}

uint64_t arch_cpu_hwid(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b >> 24;		/* initial local APIC ID */
}

/* The GS base points at this CPU's struct cpu, whose first word is its own
 * address: arch_percpu() is one load (%gs:0). */
void arch_percpu_set(void *cpu)
{
	uint64_t v = (uint64_t)(uintptr_t)cpu;

	__asm__ volatile("wrmsr" :: "c"(0xc0000101u), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/* Application processors are not started yet on x86_64 (INIT-SIPI needs a
 * real-mode trampoline): the kernel sees entry 0 and runs on the boot CPU. */
uintptr_t arch_secondary_entry(void)
{
	return 0;
}

int arch_secondary_prepare(uint64_t hwid, void *stack_top, void *arg)
{
	(void)hwid;
	(void)stack_top;
	(void)arg;
	return -1;
}

/* x86 has no spin tables (APs wait for INIT-SIPI): never called. */
void arch_spin_table_release(uint64_t release_addr, uintptr_t entry)
{
	(void)release_addr;
	(void)entry;
}
