/* Layout of struct arch_frame, shared by vectors.S and the C code. */
#ifndef TAKT_X86_64_FRAME_H
#define TAKT_X86_64_FRAME_H

/*
 * The stubs build the frame downwards from what the CPU pushed. In 64-bit
 * mode the CPU aligns RSP to 16 before pushing SS, so after its 5 words,
 * error code and vector, 15 GPRs and cr2/pad the FXSAVE area at the bottom
 * is 16-byte aligned, as FXSAVE requires (Intel SDM vol. 1, 10.5.1).
 */
#define FRAME_FX	0
#define FRAME_CR2	512
#define FRAME_GPR	528	/* r15 first, rax last */
#define FRAME_VECTOR	648
#define FRAME_ERROR	656
#define FRAME_RIP	664
#define FRAME_SIZE	704

#define VEC_DF		8	/* double fault: taken on IST 1 (tss.c) */
#define VEC_PF		14
#define VEC_IRQ_FIRST	32

#ifndef __ASSEMBLER__
#include <stdint.h>

struct arch_frame {
	uint8_t fx[512];	/* 0: FXSAVE image: x87, MXCSR, xmm0-15 */
	uint64_t cr2, pad;	/* 512: cr2 read at entry (page faults) */
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;	/* 528 */
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;	/* 648: pushed by the stub (error 0 if none) */
	uint64_t rip, cs, rflags, rsp, ss;	/* 664: pushed by the CPU */
};
_Static_assert(sizeof(struct arch_frame) == FRAME_SIZE, "frame layout");
_Static_assert(__builtin_offsetof(struct arch_frame, vector) == FRAME_VECTOR, "frame layout");
_Static_assert(__builtin_offsetof(struct arch_frame, rip) == FRAME_RIP, "frame layout");
#endif
#endif
