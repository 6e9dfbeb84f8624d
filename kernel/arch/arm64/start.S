/*
 * arm64 entry. The image starts with the 64-byte arm64 Image header
 * (Linux Documentation/arch/arm64/booting.rst), so QEMU -kernel and u-boot
 * booti both load it and pass the DTB in x0.
 *
 * The image is position-independent (linked -pie): it runs wherever the
 * loader put it, as long as that is 4 KiB-aligned (adrp is page-relative).
 * RAM is at 0 on the Raspberry Pi and the ZCU102 and at 1 GiB on QEMU virt,
 * and the Pi firmware, u-boot and QEMU each choose their own address, so one
 * image serves every board. The only absolute addresses are the pointers in
 * data (the link's R_AARCH64_RELATIVE entries, packed into RELR form in
 * .rela.dyn after the link by tools/takt_relr.py); relocate() fixes them up
 * first thing, before any of them is read. Until then only PC-relative
 * addressing (adr/adrp) is used.
 */
#include "sysregs.h"

/* x<reg> = run-time address of sym (PC-relative, +-4 GiB). */
.macro	adr_l reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
.endm

	.section .text.head, "ax"
	.global _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	TAKT_TEXT_OFFSET	/* text_offset: load at DRAM base + this */
	.quad	_image_size		/* image_size incl. bss, from the linker */
	.quad	0xa			/* flags: LE, 4K pages, placed anywhere (bit 3) */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 (PE header offset): none */

	.text
primary_entry:
	mrs	x22, cntvct_el0		/* boot-time origin, before anything else */
	mov	x21, x0			/* DTB pointer from the boot loader */
	bl	relocate

	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	el1_entry
	bl	el2_to_el1		/* returns at el1_entry, in EL1 */

el1_entry:
	mov	x1, #CPACR_FPEN		/* FP/SIMD: newlib and gcc use it */
	msr	cpacr_el1, x1
	msr	tpidr_el1, xzr		/* no struct cpu yet (vectors.S reads it) */
	adr_l	x1, arch_vectors
	msr	vbar_el1, x1
	isb
	adr_l	x1, _boot_stack_top
	mov	sp, x1

	/* BSS is 64-byte aligned and sized by the linker script: 512 bytes a
	 * round in SIMD pairs (FP is on: just above; the MMU is off, so every
	 * store is aligned: 16-byte pairs at 64-byte multiples), then 64 at a
	 * time. 21 instructions per 512 bytes (9 per 128 before, 14 before
	 * that): the boot's largest loop (hello's 100 KB were 7.2k). */
	adr_l	x1, __bss_start
	adr_l	x2, __bss_end
	movi	v0.2d, #0
1:	sub	x3, x2, x1
	cmp	x3, #512
	b.lo	3f
	.irp	o, 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 480
	stp	q0, q0, [x1, #\o]
	.endr
	add	x1, x1, #512
	b	1b
3:	cbz	x3, 2f
	stp	q0, q0, [x1]
	stp	q0, q0, [x1, #32]
	add	x1, x1, #64
	sub	x3, x3, #64
	b	3b
2:
	adr_l	x1, arch_boot_counter
	str	x22, [x1]
	mov	x0, x21
	bl	arch_mmu_early		/* identity map image + DTB, MMU and caches on */
	mov	x19, x0
	bl	smp_boot_cpu_init	/* TPIDR_EL1: reset leaves it UNKNOWN */
	mov	x0, x19
	mov	x1, x21			/* x0: the DTB if it has the magic, else 0 */
	bl	kernel_start		/* never returns */
	b	arch_halt

/*
 * Secondary CPUs (PSCI CPU_ON, spin-table release) enter here with the MMU
 * off, at EL2 or EL1. The image is already relocated and its page tables
 * built: go to EL1, find this CPU's start block by its MPIDR (the boot CPU
 * cleaned the table to memory: read with the MMU off), take its stack, turn
 * the MMU on with the boot CPU's tables, and call smp_secondary_main(arg).
 * A CPU with no block (started by mistake, or given up on) parks.
 */
#define SEC_BLOCKS	8	/* TK_CPUS_MAX */
#define SEC_BLOCK_SIZE	32	/* hwid, stack top, arg, pad */
	.global	secondary_entry
secondary_entry:
	mrs	x1, CurrentEL
	lsr	x1, x1, #2
	cmp	x1, #2
	b.ne	1f
	bl	el2_to_el1
1:	mov	x1, #CPACR_FPEN
	msr	cpacr_el1, x1
	msr	tpidr_el1, xzr		/* no struct cpu yet (vectors.S reads it) */
	adr_l	x1, arch_vectors
	msr	vbar_el1, x1
	isb
	mrs	x2, mpidr_el1
	mov	x3, #0xffffff
	movk	x3, #0xff, lsl #32
	and	x2, x2, x3		/* Aff3..Aff0, as arch_cpu_hwid */
	adr_l	x1, secondary_blocks
	mov	x4, #SEC_BLOCKS
2:	ldp	x5, x6, [x1]		/* hwid, stack top */
	cbz	x6, 3f			/* an empty block */
	cmp	x5, x2
	b.eq	4f
3:	add	x1, x1, #SEC_BLOCK_SIZE
	subs	x4, x4, #1
	b.ne	2b
	b	arch_halt		/* not ours to run */
4:	ldr	x19, [x1, #16]		/* argument */
	mov	sp, x6
	bl	arch_mmu_secondary
	mov	x0, x19
	bl	smp_secondary_main	/* never returns */
	b	arch_halt

/*
 * Apply .rela.dyn for the load offset (run-time _head - link-time _head).
 * Runs with the MMU off (Device memory: every access aligned, as RELR words
 * and pointers are). The link only produces R_AARCH64_RELATIVE
 * (cmake/check-relocs.cmake fails the build otherwise), which
 * tools/takt_relr.py packs as RELR words, ended by a 1 (an empty bitmap,
 * which readers of standard RELR skip; the rest of the section is zero):
 *   even word A: the pointer at link address A; next = A + 8
 *   odd word:    bit i (1..63) set: the pointer at next + (i-1)*8;
 *                then next += 63 * 8
 * Each pointer holds its link-time value; the load offset is added.
 * Clobbers x9-x15.
 */
relocate:
	adr	x9, _head
	ldr	x10, =__link_base	/* absolute symbol: no relocation of its own */
	sub	x9, x9, x10		/* the load offset */
	cbz	x9, 3f
	adr_l	x10, __rela_start
	adr_l	x11, __rela_end
	mov	x13, x9			/* next, run-time */
1:	cmp	x10, x11
	b.hs	3f
	ldr	x12, [x10], #8
	cmp	x12, #1			/* the end */
	b.eq	3f
	tbnz	x12, #0, 2f
	add	x13, x12, x9		/* an address */
	ldr	x14, [x13]
	add	x14, x14, x9
	str	x14, [x13], #8
	b	1b
2:	mov	x15, x13		/* a bitmap */
4:	lsr	x12, x12, #1
	cbz	x12, 5f
	tbz	x12, #0, 6f
	ldr	x14, [x15]
	add	x14, x14, x9
	str	x14, [x15]
6:	add	x15, x15, #8
	b	4b
5:	add	x13, x13, #(63 * 8)
	b	1b
3:	ret

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
1:	mov	x1, #(SCTLR_EL1_RES1 & 0xffff)
	movk	x1, #(SCTLR_EL1_RES1 >> 16), lsl #16
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
