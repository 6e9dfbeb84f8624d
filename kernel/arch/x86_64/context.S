/*
 * Thread context switch. Only the SysV x86_64 callee-saved state is saved
 * here (rbx, rbp, r12-r15, the return address, and the MXCSR and x87
 * control words, whose control bits the ABI also makes callee-saved): the
 * caller of arch_context_switch expects everything else clobbered. A
 * preempted thread's full state is in the interrupt frame on its own stack,
 * which the interrupt path restores when the switch back returns into it.
 *
 * Frame on the stack (16-byte aligned, 64 bytes):
 *   0: mxcsr (4) fcw (2) pad (2)   8: r15  16: r14  24: r13  32: r12
 *  40: rbp  48: rbx  56: return address
 */
	.cfi_sections .debug_frame	/* for debuggers; .eh_frame is not linked */
	.text
	.global	arch_context_switch
arch_context_switch:			/* rdi = from, rsi = to */
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	sub	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	mov	%rsp, (%rdi)
	mov	(%rsi), %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

/* First run of a thread: arch_context_init put entry in rbx, its argument
 * in r12 and this trampoline as the return address. */
	.global	arch_thread_start
arch_thread_start:
	.cfi_startproc
	.cfi_undefined rip		/* the outermost frame: debuggers stop here */
	mov	%r12, %rdi		/* interrupts stay masked: entry unmasks them */
	xor	%ebp, %ebp		/* end of the frame-pointer chain */
	call	*%rbx
	jmp	arch_halt		/* entry must not return */
	.cfi_endproc
