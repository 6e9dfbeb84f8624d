/*
 * Task state segments. 64-bit mode uses a TSS only for the interrupt stack
 * table: the double fault (#DF) runs on IST 1, this CPU's fault stack. A
 * thread that overflows into its guard page takes a page fault whose frame
 * cannot be pushed on that stack, which makes a double fault; without a
 * stack switch that would fault a third time and reset the machine.
 */
#include <stdint.h>

#include "../../arch.h"
#include "../../smp.h"
#include "x86.h"

_Static_assert(X86_TSS_SLOTS == TK_CPUS_MAX, "one GDT slot per CPU");

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap;
} __attribute__((packed));

static struct tss tss[TK_CPUS_MAX];
extern uint64_t x86_gdt_tss[2 * X86_TSS_SLOTS];

void arch_cpu_set_fault_stack(void *top)
{
	unsigned id = cpu_self()->id;
	struct tss *t = &tss[id];
	uint64_t base = (uint64_t)(uintptr_t)t;
	uint16_t sel = (uint16_t)(SEL_TSS0 + 16 * id);

	t->ist[0] = (uint64_t)(uintptr_t)top;
	t->iomap = sizeof(*t);	/* no I/O permission bitmap */
	/* a 64-bit available TSS (type 9), present, DPL 0 */
	x86_gdt_tss[2 * id] = (sizeof(*t) - 1) | (base & 0xffffff) << 16 | 0x89ull << 40 |
			      ((base >> 24) & 0xff) << 56;
	x86_gdt_tss[2 * id + 1] = base >> 32;
	__asm__ volatile("ltr %0" :: "r"(sel) : "memory");
}
