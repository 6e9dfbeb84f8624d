/*
 * Register blocks for crash cores (kernel/crash_core.c): Linux's x86_64
 * user_regs_struct as NT_PRSTATUS carries it, so gdb reads them without
 * help. Segment registers are the kernel's flat selectors (x86.h).
 */
#include <string.h>

#include "../../arch.h"
#include "frame.h"
#include "x86.h"

/* user_regs_struct, in its order */
enum { R15, R14, R13, R12, RBP, RBX, R11, R10, R9, R8, RAX, RCX, RDX, RSI, RDI,
       ORIG_RAX, RIP, CS, EFLAGS, RSP, SS, FS_BASE, GS_BASE, DS, ES, FS, GS, NREGS };

_Static_assert(ARCH_CORE_NREGS == NREGS && ARCH_CORE_SP == RSP, "user_regs_struct layout");

static void segments(uint64_t *regs)
{
	regs[CS] = SEL_CODE64;
	regs[SS] = regs[DS] = regs[ES] = SEL_DATA;
	regs[ORIG_RAX] = (uint64_t)-1;	/* not in a system call */
}

void arch_core_regs_frame(uint64_t *regs, const struct arch_frame *f)
{
	memset(regs, 0, NREGS * sizeof(*regs));
	segments(regs);
	regs[R15] = f->r15; regs[R14] = f->r14; regs[R13] = f->r13; regs[R12] = f->r12;
	regs[R11] = f->r11; regs[R10] = f->r10; regs[R9] = f->r9; regs[R8] = f->r8;
	regs[RBP] = f->rbp; regs[RBX] = f->rbx; regs[RAX] = f->rax; regs[RCX] = f->rcx;
	regs[RDX] = f->rdx; regs[RSI] = f->rsi; regs[RDI] = f->rdi;
	regs[RIP] = f->rip; regs[CS] = f->cs; regs[EFLAGS] = f->rflags;
	regs[RSP] = f->rsp; regs[SS] = f->ss;
}

/* The frame context.S pushes (64 bytes): mxcsr/fcw, r15, r14, r13, r12,
 * rbp, rbx, then the return address the switch resumes at. */
#define CTX_SIZE 64

void arch_core_regs_switched(uint64_t *regs, const void *ctx_sp)
{
	const uint64_t *f = ctx_sp;

	memset(regs, 0, NREGS * sizeof(*regs));
	segments(regs);
	regs[R15] = f[1]; regs[R14] = f[2]; regs[R13] = f[3]; regs[R12] = f[4];
	regs[RBP] = f[5]; regs[RBX] = f[6];
	regs[RIP] = f[7];
	regs[RSP] = (uint64_t)(uintptr_t)ctx_sp + CTX_SIZE;
	regs[EFLAGS] = 0x2;	/* the always-one bit; interrupts masked across a switch */
}

void arch_core_regs_call(uint64_t *regs, uint64_t pc, uint64_t sp, uint64_t fp)
{
	memset(regs, 0, NREGS * sizeof(*regs));
	segments(regs);
	regs[RBP] = fp;
	/* inside the call: a call to a noreturn function may be the last
	 * instruction of its function, its return address the next one's */
	regs[RIP] = pc - 1;
	regs[RSP] = sp;
	regs[EFLAGS] = 0x2;
}
