/* arm64: secondary CPU start (spin-table release, the PSCI entry point) and
 * this CPU's hardware ID and per-CPU pointer. */
#include <stdint.h>

#include "../../arch.h"

extern char secondary_entry[];

/* Read by secondary_entry with the MMU off. */
struct { uint64_t stack_top, arg; } secondary_block __attribute__((aligned(64)));

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

void arch_secondary_prepare(void *stack_top, void *arg)
{
	secondary_block.stack_top = (uint64_t)(uintptr_t)stack_top;
	secondary_block.arg = (uint64_t)(uintptr_t)arg;
	clean(&secondary_block);
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
