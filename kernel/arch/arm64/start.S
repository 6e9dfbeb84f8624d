/*
 * arm64 entry. The image starts with the 64-byte arm64 Image header
 * (Linux Documentation/arch/arm64/booting.rst), so QEMU -kernel and u-boot
 * booti both load it at DRAM base + text_offset and pass the DTB in x0.
 */
#include "sysregs.h"

	.section .text.head, "ax"
	.global _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	TAKT_TEXT_OFFSET	/* text_offset: load at DRAM base + this */
	.quad	_image_size		/* image_size incl. bss, from the linker */
	.quad	0x2			/* flags: LE, 4K pages, 2 MiB-aligned base at DRAM start */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 (PE header offset): none */

	.text
primary_entry:
	mrs	x22, cntvct_el0		/* boot-time origin, before anything else */
	mov	x21, x0			/* DTB pointer from the boot loader */

	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	el1_entry
	bl	el2_to_el1		/* returns at el1_entry, in EL1 */

el1_entry:
	mov	x1, #CPACR_FPEN		/* FP/SIMD: newlib and gcc use it */
	msr	cpacr_el1, x1
	ldr	x1, =arch_vectors
	msr	vbar_el1, x1
	isb
	ldr	x1, =_boot_stack_top
	mov	sp, x1

	/* BSS is 16-byte aligned and sized by the linker script. */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =arch_boot_counter
	str	x22, [x1]
	mov	x0, x21
	bl	arch_mmu_early		/* identity map image + DTB, MMU and caches on */
	mov	x1, x21			/* x0: the DTB if it has the magic, else 0 */
	bl	kernel_start		/* never returns */
	b	arch_halt

/* Entered at EL2 (u-boot, QEMU virtualization=on): run the kernel at EL1. */
el2_to_el1:
	mov	x1, #HCR_EL2_RW		/* EL1 is AArch64 */
	msr	hcr_el2, x1
	mrs	x1, cnthctl_el2
	orr	x1, x1, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr	/* virtual counter == physical counter */
	mov	x1, #CPTR_EL2_RES1	/* no FP/SIMD traps to EL2 */
	msr	cptr_el2, x1
	mrs	x1, id_aa64pfr0_el1	/* GICv3 system registers present? */
	ubfx	x1, x1, #24, #4
	cbz	x1, 1f
	mrs	x1, ICC_SRE_EL2
	mov	x2, #(ICC_SRE_SRE | ICC_SRE_ENABLE)
	orr	x1, x1, x2
	msr	ICC_SRE_EL2, x1
	isb
1:	ldr	x1, =SCTLR_EL1_RES1
	msr	sctlr_el1, x1
	mov	x1, #SPSR_EL1H_MASKED
	msr	spsr_el2, x1
	msr	elr_el2, x30
	eret

	.global arch_halt
arch_halt:
	msr	daifset, #0xf
1:	wfi
	b	1b
