/*
 * EL1 exception vectors. Every entry saves a struct arch_frame (see
 * frame.h) and calls arch_exception(frame, kind), which returns the frame to
 * resume: the same one, or another thread's once the scheduler switches from
 * the interrupt return path. IRQs also save the FP/SIMD caller state, because
 * handlers may call library code that uses the vector registers. The idle
 * thread takes none of these: it waits masked and dispatches the pending
 * interrupt as a call (arch_idle_wfi below, cpu.c's arch_idle_wait).
 */
#include "frame.h"

	.cfi_sections .debug_frame	/* for debuggers; .eh_frame is not linked */

.macro	ventry kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	vec_common
.endm

/* The current EL's synchronous exceptions: faults. One with sp below the
 * current thread's stack (an overflow into its guard page) would fault
 * again pushing its frame, for ever: check first, x0 parked in a spare
 * system register (nothing runs at EL0). Interrupts need no check: a push
 * into the guard faults, and lands here. */
.macro	ventry_checked
	.balign	0x80
	msr	tpidrro_el0, x0
	mrs	x0, tpidr_el1		/* struct cpu, 0 before it is set */
	cbz	x0, 1f
	ldr	x0, [x0, #CPU_CURRENT]
	cbz	x0, 1f
	ldr	x0, [x0, #THREAD_STACK_LO]
	add	x0, x0, #FRAME_SIZE	/* room for the frame above stack_lo */
	cmp	sp, x0
	b.lo	vec_stack_overflow
1:	mrs	x0, tpidrro_el0
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #VEC_SYNC
	b	vec_common
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global	arch_vectors
arch_vectors:
	ventry	VEC_SP0_SYNC
	ventry	VEC_SP0_IRQ
	ventry	VEC_SP0_FIQ
	ventry	VEC_SP0_SERROR
	ventry_checked
	ventry	VEC_IRQ
	ventry	VEC_FIQ
	ventry	VEC_SERROR
	ventry	VEC_LOWER_SYNC
	ventry	VEC_LOWER_IRQ
	ventry	VEC_LOWER_FIQ
	ventry	VEC_LOWER_SERROR
	ventry	VEC_LOWER32_SYNC
	ventry	VEC_LOWER32_IRQ
	ventry	VEC_LOWER32_FIQ
	ventry	VEC_LOWER32_SERROR

/* Unwind info for debuggers: from the handler's frames, the interrupted
 * code is the caller, with every register as the frame holds it: the CFA is
 * sp above the frame, the "return address" column is the pc (DWARF 32) at
 * the saved ELR, and it is a signal frame (the pc is exact, not a return
 * address). The entry's own sub/stp ran before vec_common: sp is already
 * the frame here. */
.macro	cfi_frame_regs
	.cfi_def_cfa sp, FRAME_SIZE
	.irp	r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	.cfi_offset \r, \r * 8 - FRAME_SIZE
	.endr
	.cfi_offset 32, 256 - FRAME_SIZE
.endm

	.text
/* From ventry_checked, sp below the stack, x0 in tpidrro_el0. Onto this
 * CPU's fault stack, the thread's sp in tpidr_el0 for the dump; when sp is
 * on the fault stack already (a fault in the panic itself), stay there. */
vec_stack_overflow:
	mrs	x0, tpidr_el1
	ldr	x0, [x0, #CPU_FAULT_STACK]
	cbz	x0, 9f
	sub	x0, x0, #(FAULT_STACK_SIZE >> 12), lsl #12
	cmp	sp, x0
	b.lo	1f
	add	x0, x0, #(FAULT_STACK_SIZE >> 12), lsl #12
	cmp	sp, x0
	b.lo	2f
1:	mov	x0, sp
	msr	tpidr_el0, x0
	mrs	x0, tpidr_el1
	ldr	x0, [x0, #CPU_FAULT_STACK]
	mov	sp, x0
	mrs	x0, tpidrro_el0
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #VEC_STACK_OVERFLOW
	b	vec_common
2:	mrs	x0, tpidrro_el0
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #VEC_SYNC
	b	vec_common
9:	wfe				/* no fault stack: nothing can be said */
	b	9b

/* The frame's general registers, sp, ELR, SPSR, ESR and FAR (x0, x1 are
 * in it already; x1 holds the kind). */
.macro	save_gprs
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x2, sp, #FRAME_SIZE
	stp	x30, x2, [sp, #240]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #256]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #272]
.endm

vec_common:
	.cfi_startproc
	.cfi_signal_frame
	.cfi_return_column 32
	cfi_frame_regs
	save_gprs
	stp	x1, xzr, [sp, #FRAME_KIND]
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [sp, #FRAME_FPSR]
	stp	q0, q1, [sp, #FRAME_Q + 0x000]
	stp	q2, q3, [sp, #FRAME_Q + 0x020]
	stp	q4, q5, [sp, #FRAME_Q + 0x040]
	stp	q6, q7, [sp, #FRAME_Q + 0x060]
	stp	q16, q17, [sp, #FRAME_Q + 0x080]
	stp	q18, q19, [sp, #FRAME_Q + 0x0a0]
	stp	q20, q21, [sp, #FRAME_Q + 0x0c0]
	stp	q22, q23, [sp, #FRAME_Q + 0x0e0]
	stp	q24, q25, [sp, #FRAME_Q + 0x100]
	stp	q26, q27, [sp, #FRAME_Q + 0x120]
	stp	q28, q29, [sp, #FRAME_Q + 0x140]
	stp	q30, q31, [sp, #FRAME_Q + 0x160]
	/* d8-d15 are callee-saved by the AAPCS64, but only their low 64 bits:
	 * save q8-q15 whole so a preempted thread keeps its upper halves. */
	stp	q8, q9, [sp, #FRAME_Q + 0x180]
	stp	q10, q11, [sp, #FRAME_Q + 0x1a0]
	stp	q12, q13, [sp, #FRAME_Q + 0x1c0]
	stp	q14, q15, [sp, #FRAME_Q + 0x1e0]
	mov	x0, sp
	bl	arch_exception
	mov	sp, x0
	.global	arch_frame_restore
arch_frame_restore:			/* x0 = sp = frame to resume */
	ldp	q0, q1, [sp, #FRAME_Q + 0x000]
	ldp	q2, q3, [sp, #FRAME_Q + 0x020]
	ldp	q4, q5, [sp, #FRAME_Q + 0x040]
	ldp	q6, q7, [sp, #FRAME_Q + 0x060]
	ldp	q16, q17, [sp, #FRAME_Q + 0x080]
	ldp	q18, q19, [sp, #FRAME_Q + 0x0a0]
	ldp	q20, q21, [sp, #FRAME_Q + 0x0c0]
	ldp	q22, q23, [sp, #FRAME_Q + 0x0e0]
	ldp	q24, q25, [sp, #FRAME_Q + 0x100]
	ldp	q26, q27, [sp, #FRAME_Q + 0x120]
	ldp	q28, q29, [sp, #FRAME_Q + 0x140]
	ldp	q30, q31, [sp, #FRAME_Q + 0x160]
	ldp	q8, q9, [sp, #FRAME_Q + 0x180]
	ldp	q10, q11, [sp, #FRAME_Q + 0x1a0]
	ldp	q12, q13, [sp, #FRAME_Q + 0x1c0]
	ldp	q14, q15, [sp, #FRAME_Q + 0x1e0]
	ldp	x2, x3, [sp, #FRAME_FPSR]
	msr	fpsr, x2
	msr	fpcr, x3
	ldp	x2, x3, [sp, #256]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME_SIZE
	eret
	.cfi_endproc

/* The idle thread's wait (cpu.c's arch_idle_wait): interrupts masked, so
 * a pending one wakes the WFI without being taken, and idle dispatches it
 * as a call. arch_idle_woken, the first instruction after the wake-up, is
 * where ./takt bench profile starts its idle wake-up window. */
	.global	arch_idle_wfi
	.global	arch_idle_woken
arch_idle_wfi:
	msr	daifset, #2
	dsb	sy
	wfi
arch_idle_woken:
	ret
