/*
 * x86_64 application processors (issue 19): INIT-SIPI-SIPI (the LAPIC
 * driver sends it) starts a CPU in 16-bit real mode at vector << 12. The
 * trampoline below is copied to AP_TRAMPOLINE (below 1 MiB, page aligned:
 * a SIPI vector can only name such a page) and takes the CPU to flat 32-bit
 * protected mode; ap_start32, in the image, then does what the boot CPU's
 * entry does (PAE, the boot page tables, long mode, NX) and finds its stack
 * by its local APIC ID in x86_ap_blocks (cpu.c): one block per CPU, so a
 * CPU that comes late finds its own stack or none, never another's.
 */
#include "x86.h"

	.section .rodata.ap_trampoline, "a"
	.code16
	.global	x86_ap_trampoline, x86_ap_trampoline_end
x86_ap_trampoline:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	AP_TRAMPOLINE + (tramp_gdt_ptr - x86_ap_trampoline)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $(AP_TRAMPOLINE + (tramp_pm32 - x86_ap_trampoline))

	.code32
tramp_pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$ap_start32, %eax	/* the image is identity-mapped: physical */
	jmp	*%eax

	.balign	8
tramp_gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: flat 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: flat data */
tramp_gdt_ptr:
	.word	tramp_gdt_ptr - tramp_gdt - 1
	.long	AP_TRAMPOLINE + (tramp_gdt - x86_ap_trampoline)
x86_ap_trampoline_end:

	.section .text.head, "ax"
	.code32
ap_start32:
	LONG_MODE_ON
	lgdt	gdt_ptr
	ljmp	$SEL_CODE64, $ap_long

	.code64
ap_long:
	DATA_SEGMENTS
	mov	$1, %eax
	cpuid
	shr	$24, %ebx		/* initial local APIC ID */
	lea	x86_ap_blocks(%rip), %rsi
	mov	$AP_BLOCKS, %ecx
1:	cmp	%rbx, (%rsi)		/* hwid */
	jne	2f
	mov	8(%rsi), %rsp		/* stack_top */
	test	%rsp, %rsp
	jz	2f
	mov	16(%rsi), %rdi		/* arg: the start record */
	call	x86_ap_start		/* never returns */
2:	add	$32, %rsi
	loop	1b
	jmp	arch_halt		/* no block names this CPU: park it */
