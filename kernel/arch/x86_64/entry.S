/*
 * x86_64 entry through the PVH boot ABI (Xen's arch-x86/hvm/start_info.h,
 * which QEMU implements for ELF kernels): the ELF note below gives the
 * 32-bit entry point; we arrive in flat 32-bit protected mode, paging off,
 * with the physical address of struct hvm_start_info in ebx.
 *
 * Here: read the TSC first (boot-time origin), clear BSS, identity-map
 * [0, _end) with 2 MiB pages, enable PAE + long mode (and NX when the CPU
 * has it), load a 64-bit GDT and jump to x86_start(start_info) in C.
 */
#include "x86.h"

	/* XEN_ELFNOTE_PHYS32_ENTRY (18): the 32-bit physical entry point.
	 * The linker puts this section in a PT_NOTE segment of alignment 4. */
	.section .note.pvh, "a"
	.balign	4
	.long	4f - 3f			/* namesz */
	.long	6f - 5f			/* descsz */
	.long	18			/* type */
3:	.asciz	"Xen"
4:	.balign	4
5:	.long	_start32
6:	.balign	4

/* Zero [s, e), both 16-byte aligned, from xmm0 (zero): 256 bytes a round
 * in 16-byte stores, then 16 at a time. Under -icount a rep stos counts an
 * instruction for every 4 or 8 bytes: the boot's largest loop (13.8k of
 * microvm's 242k instructions to main). Clobbers s and t. */
.macro ZERO_XMM0 s, e, t
1:	lea	256(\s), \t
	cmp	\e, \t
	ja	2f
	.irp	o, 0, 16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240
	movaps	%xmm0, \o(\s)
	.endr
	mov	\t, \s
	jmp	1b
2:	cmp	\e, \s
	jae	3f
	movaps	%xmm0, (\s)
	add	$16, \s
	jmp	2b
3:
.endm

	.section .text.head, "ax"
	.code32
	.global	_start32, _head, gdt_ptr
_head:
_start32:
	cld
	rdtsc				/* boot-time origin, before anything else */
	mov	%eax, %ebp
	mov	%edx, %esi
	mov	$_boot_stack_top, %esp
	push	%ebx			/* hvm_start_info: cpuid below clobbers ebx */

	/* SSE on (what LONG_MODE_ON sets anyway), for the clears below. */
	mov	%cr4, %eax
	or	$(CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	%cr0, %eax
	and	$~CR0_EM, %eax
	or	$CR0_MP, %eax
	mov	%eax, %cr0
	xorps	%xmm0, %xmm0

	/* The page tables' part of BSS (16-byte aligned and sized by the
	 * linker script); the rest is cleared in 64-bit mode below. */
	mov	$__bss_start, %edi
	mov	$__bss_pt_end, %ecx
	ZERO_XMM0 %edi, %ecx, %eax

	/* pml4[0] -> pdpt, pdpt[0] -> pd0, pd0[i] = 2 MiB page i for
	 * [0, _end). mmu.c owns these tables and extends them later. */
	mov	$x86_pdpt, %eax
	or	$3, %eax		/* present, writable */
	mov	%eax, x86_pml4
	mov	$x86_pd_pool, %eax
	or	$3, %eax
	mov	%eax, x86_pdpt
	movl	$1, x86_pd_used
	mov	$_end + 0x1fffff, %ecx
	shr	$21, %ecx		/* number of 2 MiB pages */
	mov	$x86_pd_pool, %edi
	mov	$0x83, %eax		/* present, writable, 2 MiB page */
1:	mov	%eax, (%edi)
	add	$0x200000, %eax
	add	$8, %edi
	loop	1b

	/* The first 2 MiB again, in 4 KiB pages without page 0: a NULL
	 * pointer's access faults (with a dump and a crash core) instead of
	 * reading or writing low memory. Nothing of Takt's lives there. */
	mov	$(x86_pt_low + 8), %edi
	mov	$0x1003, %eax		/* 4 KiB page 1: present, writable */
	mov	$(x86_pt_low + 8 + 508 * 8), %ecx	/* page 509 */
2:	mov	%eax, (%edi)		/* pages 1, 2, 3 and 4 of ... 508 */
	lea	0x1000(%eax), %edx
	mov	%edx, 8(%edi)
	lea	0x2000(%eax), %edx
	mov	%edx, 16(%edi)
	lea	0x3000(%eax), %edx
	mov	%edx, 24(%edi)
	add	$0x4000, %eax
	add	$32, %edi
	cmp	%ecx, %edi
	jb	2b
	mov	%eax, (%edi)		/* 509, 510, 511 */
	add	$0x1000, %eax
	mov	%eax, 8(%edi)
	add	$0x1000, %eax
	mov	%eax, 16(%edi)
	mov	$x86_pt_low, %eax
	or	$3, %eax
	mov	%eax, x86_pd_pool	/* pd0[0] -> that table */

	LONG_MODE_ON			/* cpuid in it clobbers ebx */
	pop	%ebx
	lgdt	gdt_ptr
	ljmp	$SEL_CODE64, $long_entry

	.code64
long_entry:
	DATA_SEGMENTS
	/* The rest of BSS (xmm0 is still zero). */
	mov	$__bss_pt_end, %edi
	mov	$__bss_end, %ecx
	ZERO_XMM0 %rdi, %rcx, %rax
	mov	$_boot_stack_top, %rsp
	shl	$32, %rsi
	or	%rbp, %rsi
	mov	%rsi, arch_boot_counter(%rip)
	mov	%ebx, %edi		/* hvm_start_info (zero-extended) */
	call	x86_start		/* never returns */
	jmp	arch_halt

	.text
	.global	arch_halt
arch_halt:
	cli
1:	hlt
	jmp	1b

	.section .data.gdt, "aw"
	.balign	16
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.global	x86_gdt_tss
x86_gdt_tss:				/* 0x18 + 16 * cpu: its TSS (tss.c) */
	.fill	2 * X86_TSS_SLOTS, 8, 0
gdt_end:
	.balign	8
	.word	0
gdt_ptr:
	.word	gdt_end - gdt - 1
	.quad	gdt
