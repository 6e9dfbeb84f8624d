/*
 * IDT entry stubs. Each pushes a zero error code when the CPU pushes none,
 * then its vector, and joins vec_common, which saves a struct arch_frame
 * (frame.h): general registers, cr2, and the FPU/SSE state with FXSAVE,
 * because handlers may call library code that uses the xmm registers. It
 * calls arch_exception(frame), which returns the frame to resume: the same
 * one, or another thread's once the scheduler switches from the interrupt
 * return path. No IST: interrupts run on the interrupted stack, which is
 * why everything is built with -mno-red-zone.
 */
#include "frame.h"

	.cfi_sections .debug_frame	/* for debuggers; .eh_frame is not linked */

/* Unwind info for debuggers, valid from the call of arch_exception on (the
 * frame is complete there): the interrupted code is the caller, its rsp
 * the one the CPU pushed (CFA = *(rsp + 688)), and each register where
 * vec_common saved it (DW_CFA_expression: at rsp + off, DW_OP_breg7). The
 * offsets follow the pushes below: FXSAVE area 512, cr2, 0, r15 .. rax,
 * vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS. */
.macro	cfi_at reg, off
	.cfi_escape 0x10, \reg, 0x03, 0x77, (((\off) & 0x7f) | 0x80), ((\off) >> 7)
.endm
.macro	cfi_frame_regs
	.cfi_escape 0x0f, 0x04, 0x77, 0xb0, 0x05, 0x06
	cfi_at 16, 664	/* rip: the return address column */
	cfi_at 15, 528
	cfi_at 14, 536
	cfi_at 13, 544
	cfi_at 12, 552
	cfi_at 11, 560
	cfi_at 10, 568
	cfi_at 9, 576
	cfi_at 8, 584
	cfi_at 6, 592	/* rbp */
	cfi_at 5, 600	/* rdi */
	cfi_at 4, 608	/* rsi */
	cfi_at 1, 616	/* rdx */
	cfi_at 2, 624	/* rcx */
	cfi_at 3, 632	/* rbx */
	cfi_at 0, 640	/* rax */
.endm

/* Vectors for which the CPU pushes an error code (SDM vol. 3, 6.13). */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.balign	16
	.global	x86_vector_stubs
x86_vector_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	.if	!HAS_ERR(vec)
	pushq	$0
	.endif
	pushq	$vec
	jmp	vec_common
	.set	vec, vec + 1
	.endr

vec_common:
	.cfi_startproc
	.cfi_signal_frame
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%cr2, %rax
	push	$0
	push	%rax
	sub	$512, %rsp
	fxsave64 (%rsp)
	cld
	cfi_frame_regs
	mov	%rsp, %rdi
	call	arch_exception
	mov	%rax, %rsp
	fxrstor64 (%rsp)
	add	$(512 + 16), %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq
	.cfi_endproc
