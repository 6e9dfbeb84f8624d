/*
 * Thread context switch. Only the AAPCS64 callee-saved state is saved here
 * (x19-x29, x30, sp, and the low halves of d8-d15): the caller of
 * arch_context_switch expects everything else clobbered. A preempted
 * thread's full state is in the exception frame on its own stack, which
 * the interrupt path restores when the switch back returns into it.
 *
 * Frame on the stack (16-byte aligned, 160 bytes):
 *   0: x19 x20  16: x21 x22  32: x23 x24  48: x25 x26  64: x27 x28
 *  80: x29 x30  96: d8 d9  112: d10 d11  128: d12 d13  144: d14 d15
 */
#define CTX_SIZE 160

	.cfi_sections .debug_frame	/* for debuggers; .eh_frame is not linked */
	.text
	.global	arch_context_switch
arch_context_switch:			/* x0 = from, x1 = to */
	sub	sp, sp, #CTX_SIZE
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mov	x2, sp
	str	x2, [x0]
	ldr	x2, [x1]
	mov	sp, x2
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #CTX_SIZE
	ret

/* First run of a thread: arch_context_init put entry in x19 and its
 * argument in x20, and this trampoline as the saved x30. */
	.global	arch_thread_start
arch_thread_start:
	.cfi_startproc
	.cfi_undefined x30		/* the outermost frame: debuggers stop here */
	mov	x0, x20			/* interrupts stay masked: entry unmasks them */
	mov	x29, xzr		/* end of the frame-pointer chain */
	blr	x19
	b	arch_halt		/* entry must not return */
	.cfi_endproc
