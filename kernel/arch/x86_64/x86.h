/* x86_64 registers, MSRs and port I/O used by the arch code (Intel SDM). */
#ifndef TAKT_X86_64_X86_H
#define TAKT_X86_64_X86_H

#define CR0_PE		(1 << 0)
#define CR0_MP		(1 << 1)
#define CR0_EM		(1 << 2)
#define CR0_NE		(1 << 5)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define CR4_OSFXSR	(1 << 9)
#define CR4_OSXMMEXCPT	(1 << 10)
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define CPUID_NX_BIT	20	/* CPUID 0x80000001 EDX */

#define SEL_CODE64	0x08
#define SEL_DATA	0x10
#define SEL_TSS0	0x18	/* then one 16-byte TSS descriptor per CPU */
#define X86_TSS_SLOTS	8	/* TK_CPUS_MAX (checked in tss.c) */

/* Application processors (ap_start.S, cpu.c): the real-mode trampoline's
 * page (below 1 MiB, page aligned: the SIPI vector is its page number) and
 * the start blocks, one per CPU: {hwid, stack_top, arg, pad}. */
#define AP_TRAMPOLINE	0x8000
#define AP_BLOCKS	8

#ifdef __ASSEMBLER__
/* From flat 32-bit protected mode, paging off: PAE, the boot page tables,
 * long mode (and NX when CPUID says so), paging. Clobbers eax, ecx, edx,
 * ebx, edi. The caller then loads the 64-bit GDT and jumps to 64-bit code. */
.macro LONG_MODE_ON
	mov	%cr4, %eax
	or	$(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
	mov	%eax, %cr4
	mov	$x86_pml4, %eax
	mov	%eax, %cr3
	mov	$0x80000000, %eax
	cpuid
	xor	%edi, %edi
	cmp	$0x80000001, %eax
	jb	98f
	mov	$0x80000001, %eax
	cpuid
	bt	$CPUID_NX_BIT, %edx
	jnc	98f
	mov	$EFER_NXE, %edi
98:	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	or	%edi, %eax
	wrmsr
	mov	%cr0, %eax
	and	$~CR0_EM, %eax
	or	$(CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_WP), %eax
	mov	%eax, %cr0
.endm

/* In 64-bit code after the far jump: the flat data selector, fs/gs null
 * (their bases are MSRs). Clobbers eax. */
.macro DATA_SEGMENTS
	mov	$SEL_DATA, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
.endm
#endif

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#include "pvh.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}


/* x86 boot steps in C (boot_x86.c, cpu.c) */
void x86_idt_init(void);
/* mmu.c: the image in 4 KiB pages with its permissions (W^X), first thing. */
void x86_mmu_protect(void);
void x86_idt_load(void);
/* tsc.c: begin starts the LAPIC count (or takes CPUID's figure), end
 * reads the LAPIC's clock-frequency from the DT at fdt (as merged by then),
 * waits out the rest of the 100 us window and says the rate. */
void x86_tsc_calibrate_begin(void);
uint64_t x86_tsc_calibrate_end(const void *fdt);

/* QEMU fw_cfg (fwcfg.c). probe: -ENODEV when no fw_cfg answers; find: the
 * selector and size of a named file, -ENOENT; read: len bytes of item sel,
 * or of the current item from where the last read ended (sel < 0). */
int x86_fwcfg_probe(bool *dma);
int x86_fwcfg_find(const char *name, uint16_t *sel, uint32_t *size);
int x86_fwcfg_read(int sel, void *buf, uint32_t len);
#endif
#endif
