/* Layout of struct arch_frame, shared by vectors.S and the C code. */
#ifndef TAKT_ARM64_FRAME_H
#define TAKT_ARM64_FRAME_H

#define FRAME_KIND	288
#define FRAME_FPSR	304
#define FRAME_Q		320
#define FRAME_SIZE	(FRAME_Q + 32 * 16)

#define VEC_SP0_SYNC		0
#define VEC_SP0_IRQ		1
#define VEC_SP0_FIQ		2
#define VEC_SP0_SERROR		3
#define VEC_SYNC		4
#define VEC_IRQ			5
#define VEC_FIQ			6
#define VEC_SERROR		7
#define VEC_LOWER_SYNC		8
#define VEC_LOWER_IRQ		9
#define VEC_LOWER_FIQ		10
#define VEC_LOWER_SERROR	11
#define VEC_LOWER32_SYNC	12
#define VEC_LOWER32_IRQ		13
#define VEC_LOWER32_FIQ		14
#define VEC_LOWER32_SERROR	15
#define VEC_STACK_OVERFLOW	16	/* VEC_SYNC below the stack: on the fault stack */

/* What vectors.S reads of the kernel's structures (checked in exception.c) */
#define CPU_FAULT_STACK		32	/* struct cpu: fault_stack */
#define CPU_CURRENT		40	/* struct cpu: current */
#define THREAD_STACK_LO		368	/* struct tk_thread: stack_lo */
#define FAULT_STACK_SIZE	16384	/* stack_pool.c's FAULT_STACK */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct arch_frame {
	uint64_t x[31];		/* 0 */
	uint64_t sp;		/* 248: sp before the exception */
	uint64_t elr, spsr;	/* 256 */
	uint64_t esr, far;	/* 272 */
	uint64_t kind, pad;	/* 288 */
	uint64_t fpsr, fpcr;	/* 304 */
	__uint128_t q[32];	/* 320: q0-7, q16-31, then q8-15 */
};
_Static_assert(sizeof(struct arch_frame) == FRAME_SIZE, "frame layout");
#endif
#endif
