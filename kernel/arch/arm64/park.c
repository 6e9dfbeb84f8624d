/* arm64: sending a spin-table CPU to a parking loop (kernel/cpus_park.c). */
#include <stdint.h>

#include "../../arch.h"

/* Runs with the MMU off at whatever EL the loader left; never returns. */
void arch_park_loop(void);
__asm__(".pushsection .text.arch_park_loop, \"ax\"\n"
	".balign 4\n"
	".global arch_park_loop\n"
	".hidden arch_park_loop\n"
	".type arch_park_loop, %function\n"
	"arch_park_loop:\n"
	"	msr daifset, #0xf\n"
	"1:	wfi\n"
	"	b 1b\n"
	".size arch_park_loop, . - arch_park_loop\n"
	".popsection\n");

uint64_t arch_cpu_hwid(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
	return v & 0xff00ffffffull;	/* Aff3..Aff0, as the DT's cpu reg */
}

/* The spinning CPU reads its slot with the MMU and caches off: the write is
 * cleaned to memory before the event wakes it. */
void arch_spin_table_park(uint64_t release_addr)
{
	volatile uint64_t *slot = (volatile uint64_t *)(uintptr_t)release_addr;

	*slot = (uint64_t)(uintptr_t)arch_park_loop;
	__asm__ volatile("dc civac, %0\n dsb sy\n sev" :: "r"(slot) : "memory");
}
