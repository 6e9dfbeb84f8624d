/* arm64: secondary CPU start (spin-table release, the PSCI entry point) and
 * this CPU's hardware ID and per-CPU pointer. */
#include <stdint.h>

#include "../../arch.h"

extern char secondary_entry[];

/* Read by secondary_entry with the MMU off, found by the CPU's MPIDR: one
 * block per CPU, so a CPU that comes late still finds its own stack (never
 * another's) or none. Layout known to start.S. */
struct sec_block {
	uint64_t hwid, stack_top, arg, pad;
};
struct sec_block secondary_blocks[8] __attribute__((aligned(64)));

uint64_t arch_cpu_hwid(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff00ffffffull;	/* Aff3..Aff0, as the DT's cpu reg */
}

void arch_percpu_set(void *cpu)
{
	__asm__ volatile("msr tpidr_el1, %0" :: "r"(cpu) : "memory");
}

uintptr_t arch_secondary_entry(void)
{
	return (uintptr_t)secondary_entry;	/* identity map: virtual = physical */
}

/* Clean to the point of coherency: the reader has its caches off. */
static void clean(volatile void *p)
{
	__asm__ volatile("dc civac, %0\n dsb sy" :: "r"(p) : "memory");
}

int arch_secondary_prepare(uint64_t hwid, void *stack_top, void *arg)
{
	for (unsigned i = 0; i < 8; i++) {
		struct sec_block *b = &secondary_blocks[i];

		if (b->stack_top && b->hwid != hwid)
			continue;
		b->hwid = hwid;
		b->arg = (uint64_t)(uintptr_t)arg;
		b->stack_top = (uint64_t)(uintptr_t)stack_top;
		clean(b);
		return 0;
	}
	return -1;
}

/* The spinning CPU reads its slot with the MMU and caches off: the write is
 * cleaned to memory before the event wakes it. */
void arch_spin_table_release(uint64_t release_addr, uintptr_t entry)
{
	volatile uint64_t *slot = (volatile uint64_t *)(uintptr_t)release_addr;

	*slot = entry;
	clean(slot);
	__asm__ volatile("sev" ::: "memory");
}

/* arm64 cpu nodes name their enable-method (psci, spin-table). */
const char *arch_cpu_default_method(void)
{
	return 0;
}
