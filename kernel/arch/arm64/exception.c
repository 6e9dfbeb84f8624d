/*
 * Exception dispatch and crash dumps. IRQs go to the interrupt core; every
 * other exception is fatal except the semihosting probe below.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <takt/log.h>

#include "../../arch.h"
#include "../../irq.h"
#include "../../kernel.h"
#include "../../smp.h"
#include "../../stack_pool.h"
#include "../../thread_impl.h"
#include "frame.h"

#define ESR_EC(esr) (((esr) >> 26) & 0x3f)

static const char *const vec_names[16] = {
	"sync (SP_EL0)", "irq (SP_EL0)", "fiq (SP_EL0)", "serror (SP_EL0)",
	"sync", "irq", "fiq", "serror",
	"sync (lower EL)", "irq (lower EL)", "fiq (lower EL)", "serror (lower EL)",
	"sync (lower EL32)", "irq (lower EL32)", "fiq (lower EL32)", "serror (lower EL32)",
};

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00: return "unknown/undefined instruction";
	case 0x07: return "FP/SIMD access trap";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x18: return "system register trap";
	case 0x20: case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x3c: return "BRK";
	default: return "other";
	}
}

void arch_dump_frame(const struct arch_frame *f)
{
	unsigned ec = ESR_EC(f->esr);

	tk_printk("exception: %s, class 0x%02x (%s)\n",
		  f->kind < 16 ? vec_names[f->kind] : "?", ec, ec_name(ec));
	tk_printk("  ESR 0x%016lx  FAR 0x%016lx\n",
		  (unsigned long)f->esr, (unsigned long)f->far);
	tk_printk("  ELR 0x%016lx  SPSR 0x%016lx  SP 0x%016lx\n",
		  (unsigned long)f->elr, (unsigned long)f->spsr,
		  (unsigned long)f->sp);
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			tk_printk("  x30 0x%016lx\n", (unsigned long)f->x[30]);
		else
			tk_printk("  x%-2d 0x%016lx  x%-2d 0x%016lx\n", i,
				  (unsigned long)f->x[i], i + 1,
				  (unsigned long)f->x[i + 1]);
	}
}

/* Semihosting (ARM IHI 0069) traps with HLT #0xF000. Without a debugger or
 * QEMU -semihosting the HLT is an undefined instruction: the handler below
 * turns that into a -1 result and remembers not to try again. */
extern const char semihost_hlt[];
static bool semihost_absent;

static bool semihost_fixup(struct arch_frame *f)
{
	if (f->kind != VEC_SYNC || ESR_EC(f->esr) != 0 ||
	    f->elr != (uint64_t)(uintptr_t)semihost_hlt)
		return false;
	semihost_absent = true;
	f->x[0] = (uint64_t)-1;
	f->elr += 4;
	return true;
}

/* noinline: the HLT's label must exist exactly once. */
static __attribute__((noinline)) long semihost(unsigned op, const void *arg)
{
	register long x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = arg;

	if (semihost_absent)
		return -1;
	__asm__ volatile(".global semihost_hlt\nsemihost_hlt: hlt #0xf000"
			 : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

void arch_debug_puts(const char *s)
{
	semihost(0x04 /* SYS_WRITE0 */, s);
}

void arch_reset(void)
{
	/* none of its own: PSCI SYSTEM_RESET is the psci driver's */
}

void arch_debug_exit(int status)
{
	/* SYS_EXIT_EXTENDED with ADP_Stopped_ApplicationExit: QEMU exits with
	 * the status as its own exit code. */
	uint64_t block[2] = { 0x20026, (uint64_t)(int64_t)status };

	semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
}

/* What a data or instruction abort means, from its fault status code:
 * a permission fault is W^X at work (mmu.c), a translation fault an
 * address nothing maps (page 0 included). "" for other exceptions. */
static void abort_reason(const struct arch_frame *f, char *out, size_t len)
{
	unsigned ec = ESR_EC(f->esr), fsc = f->esr & 0x3f;
	bool data = ec == 0x24 || ec == 0x25, insn = ec == 0x20 || ec == 0x21;
	bool write = data && (f->esr & (1u << 6));
	const char *what;

	out[0] = 0;
	if (!data && !insn)
		return;
	if ((fsc & 0x3c) == 0x0c)	/* permission fault, level 0-3 */
		what = insn ? "execute from non-executable memory" :
		       write ? "write to read-only memory" : "read of protected memory";
	else if ((fsc & 0x3c) == 0x04)	/* translation fault */
		what = f->far < 4096 ? (insn ? "NULL function pointer call" :
					write ? "NULL pointer write" : "NULL pointer read") :
		       insn ? "execute from unmapped memory" :
		       write ? "write to unmapped memory" : "read of unmapped memory";
	else
		return;
	snprintf(out, len, ": %s at 0x%lx", what, (unsigned long)f->far);
}

_Static_assert(offsetof(struct cpu, fault_stack) == CPU_FAULT_STACK, "vectors.S");
_Static_assert(offsetof(struct cpu, current) == CPU_CURRENT, "vectors.S");
_Static_assert(offsetof(struct tk_thread, stack_lo) == THREAD_STACK_LO, "vectors.S");

/* Out of arch_exception: its message buffer would put the stack
 * protector's check on every interrupt's path. */
static __attribute__((noinline, noreturn)) void fault(struct arch_frame *f)
{
	char why[96];

	arch_dump_frame(f);
	crash_core_fault(f);	/* the core's thread 1 shows the faulting code */
	stack_guard_check_fault(f->far, f->sp);
	abort_reason(f, why, sizeof(why));
	tk_panic("unexpected exception: %s (class 0x%02x, %s) at 0x%lx%s",
		 f->kind < 16 ? vec_names[f->kind] : "?",
		 (unsigned)ESR_EC(f->esr), ec_name(ESR_EC(f->esr)),
		 (unsigned long)f->elr, why);
}

struct arch_frame *arch_exception(struct arch_frame *f)
{
	if (f->kind == VEC_IRQ)
		return irq_dispatch(f);
	if (f->kind == VEC_STACK_OVERFLOW) {	/* on the fault stack: the thread's sp */
		__asm__ volatile("mrs %0, tpidr_el0" : "=r"(f->sp));
		f->kind = VEC_SYNC;
	}
	if (semihost_fixup(f))
		return f;
	fault(f);
}
