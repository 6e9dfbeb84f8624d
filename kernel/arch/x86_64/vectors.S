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
