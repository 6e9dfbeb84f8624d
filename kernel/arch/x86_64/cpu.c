/* Small x86_64 CPU hooks: interrupt masking, the TSC counter, idle. */
#include <string.h>

#include "../../arch.h"
#include "../../kernel.h"
#include "../../irqoff.h"
#include "x86.h"

uint64_t arch_boot_counter;
uint64_t x86_tsc_hz;	/* set by boot_x86.c before kernel_start() */

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
	__asm__ volatile("sti" ::: "memory");
}

/* sti's one-instruction shadow makes "sti; hlt" atomic: an interrupt that
 * is pending wakes the hlt instead of being taken before it. hlt wakes only
 * with interrupts on, so the interrupt is taken here (its IDT entry), then
 * the caller's masking is restored. */
void arch_idle_wait(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq\n pop %0" : "=r"(flags));
	if (__builtin_expect(irqoff_on, 0))
		irqoff_end();	/* waiting is not a masked stretch */
	__asm__ volatile("sti\n hlt\n cli" ::: "memory");
	if (!ARCH_IRQ_MASKED(flags))
		__asm__ volatile("sti" ::: "memory");
	else if (__builtin_expect(irqoff_on, 0))
		irqoff_begin();
}

uint64_t arch_counter(void)
{
	return arch_counter_inline();
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

/* Read by ap_start.S, found by the CPU's local APIC ID. */
struct ap_block {
	uint64_t hwid, stack_top, arg, pad;
};
struct ap_block x86_ap_blocks[AP_BLOCKS] __attribute__((aligned(64)));
extern const char x86_ap_trampoline[], x86_ap_trampoline_end[];

/* The trampoline's page: copied there once, before the first SIPI (the
 * page below 1 MiB that the SIPI vector names; nothing else lives there
 * once the boot has read the loader's data). */
uintptr_t arch_secondary_entry(void)
{
	static bool copied;

	if (!copied) {
		memcpy((void *)(uintptr_t)AP_TRAMPOLINE, x86_ap_trampoline,
		       (size_t)(x86_ap_trampoline_end - x86_ap_trampoline));
		copied = true;
	}
	return AP_TRAMPOLINE;
}

int arch_secondary_prepare(uint64_t hwid, void *stack_top, void *arg)
{
	for (unsigned i = 0; i < AP_BLOCKS; i++) {
		struct ap_block *b = &x86_ap_blocks[i];

		if (b->stack_top && b->hwid != hwid)
			continue;
		b->hwid = hwid;
		b->arg = (uint64_t)(uintptr_t)arg;
		__atomic_store_n(&b->stack_top, (uint64_t)(uintptr_t)stack_top, __ATOMIC_RELEASE);
		return 0;
	}
	return -1;
}

/* An AP in long mode, on its own stack: what x86_start does for the boot
 * CPU that is per CPU, then the kernel's secondary path. */
__attribute__((noreturn)) void x86_ap_start(void *arg);
__attribute__((noreturn)) void x86_ap_start(void *arg)
{
	x86_idt_load();
	__asm__ volatile("fninit");
	smp_secondary_main(arg);
}

const char *arch_cpu_default_method(void)
{
	return "x86-sipi";	/* ACPI-less x86: a cpu node is started by INIT-SIPI-SIPI */
}

/* x86 has no spin tables (APs wait for INIT-SIPI): never called. */
void arch_spin_table_release(uint64_t release_addr, uintptr_t entry)
{
	(void)release_addr;
	(void)entry;
}

/* Caches are coherent here, but a reset may drop their dirty lines: write
 * everything back (rare: once per crash). */
void arch_dcache_clean(const void *p, size_t len)
{
	(void)p;
	(void)len;
	__asm__ volatile("wbinvd" ::: "memory");
}
