/*
 * Register blocks for crash cores (kernel/crash_core.c): Linux's arm64
 * user_pt_regs as NT_PRSTATUS carries it, x0..x30, sp, pc, pstate, so gdb
 * reads them without help.
 */
#include <string.h>

#include "../../arch.h"
#include "frame.h"

#define R_SP 31
#define R_PC 32
#define R_PSTATE 33
#define PSTATE_EL1H 0x3c5	/* EL1 with SP_EL1, DAIF masked: where threads run */

_Static_assert(ARCH_CORE_NREGS == 34 && ARCH_CORE_SP == R_SP, "user_pt_regs layout");

void arch_core_regs_frame(uint64_t *regs, const struct arch_frame *f)
{
	memcpy(regs, f->x, sizeof(f->x));
	regs[R_SP] = f->sp;
	regs[R_PC] = f->elr;
	regs[R_PSTATE] = f->spsr;
}

/* The frame context.S pushes: x19..x30 at 0..88 (then d8..d15), 160 bytes.
 * The thread resumes at x30, in the function that called the switch. */
#define CTX_SIZE 160

void arch_core_regs_switched(uint64_t *regs, const void *ctx_sp)
{
	const uint64_t *f = ctx_sp;

	memset(regs, 0, ARCH_CORE_NREGS * sizeof(*regs));
	for (int i = 0; i < 12; i++)
		regs[19 + i] = f[i];
	regs[R_SP] = (uint64_t)(uintptr_t)ctx_sp + CTX_SIZE;
	regs[R_PC] = f[11];
	regs[R_PSTATE] = PSTATE_EL1H;
}

void arch_core_regs_call(uint64_t *regs, uint64_t pc, uint64_t sp, uint64_t fp)
{
	memset(regs, 0, ARCH_CORE_NREGS * sizeof(*regs));
	regs[29] = fp;
	regs[30] = pc;
	regs[R_SP] = sp;
	/* the bl itself: a call to a noreturn function may be the last
	 * instruction of its function, its return address the next one's */
	regs[R_PC] = pc - 4;
	regs[R_PSTATE] = PSTATE_EL1H;
}
