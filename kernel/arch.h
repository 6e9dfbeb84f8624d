/*
 * The only place the kernel meets the CPU architecture. Every hook has a
 * one-line contract; kernel/arch/<arch>/ implements them.
 */
#ifndef TAKT_ARCH_H
#define TAKT_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "irqoff.h"

/* A buffer the boot does not clear (the linker's .noinit): for large ones
 * that are always written before they are read. */
#define TK_NOINIT __attribute__((section(".bss.noinit")))

/* Saved register state of an exception, as pushed by the vector stubs. */
struct arch_frame;

/* With the MMU off, from the entry code: map the image and the boot
 * loader's DTB, turn MMU and caches on. Returns the DTB if it has the FDT
 * magic, else NULL. */
const void *arch_mmu_early(const void *dtb);

/* Identity-map [pa, pa+size) as normal cacheable memory (device = false) or as
 * device memory, execute-never (device = true). Safe to call with the MMU on.
 * Returns 0, or -ENOMEM when the page-table pool is exhausted. */
int arch_mmu_map(uint64_t pa, uint64_t size, bool device);

/* Page tables past the small static pool (the ones the boot needs before
 * it knows RAM: the image's and the DTB's): arch_mmu_tables_wanted pages,
 * which setup_memory gives with arch_mmu_add_tables from free RAM the MMU
 * maps already (after the image in its last 2 MiB), before it maps RAM.
 * n pages at pa (4 KiB aligned; fewer than wanted when no more fit). */
unsigned arch_mmu_tables_wanted(void);
void arch_mmu_add_tables(uint64_t pa, unsigned n);

/* After the boot's last write to low memory (the secondaries' spin table):
 * page 0 unmapped where RAM starts at 0, so that a NULL access faults. */
void arch_mmu_seal(void);
/* false when part of the image could not be mapped with its permissions
 * (text read-only, nothing else executable): it runs unprotected. */
bool arch_mmu_image_protected(void);

/* Identity-map [pa, pa+size) as memory shared with DMA masters that do not
 * snoop the CPU's caches (the ZynqMP GEM): normal, non-cacheable, never
 * executable on arm64, so neither side needs cache maintenance; the same as
 * RAM where DMA is coherent (x86_64). Same granularity and errors as
 * arch_mmu_map; -EEXIST when part of the range is mapped otherwise. */
int arch_mmu_map_dma(uint64_t pa, uint64_t size);

/* Guarded thread stacks (kernel/stack_pool.c), in 2 MiB blocks of RAM
 * remapped in 4 KiB pages. arch_mmu_split_block: the block at pa, mapped
 * RAM that nothing uses yet, becomes 512 pages, readable and writable,
 * never executable, under the page table written into table (a page of
 * the block itself may hold it). 0, -EINVAL (not 2 MiB aligned) or
 * -ENOTSUP (not mapped as one 2 MiB block). arch_mmu_set_page: a page of
 * such a block, or of the image, made present or absent: 1 when a present
 * page became absent, else 0; -EINVAL when pa is not mapped in pages.
 * Making it absent drops the translation from this
 * CPU's TLB, and from every CPU's where ARCH_TLB_BROADCAST is 1; else the
 * caller runs arch_tlb_flush_local(pa) on the other CPUs, as it does after
 * a split. */
int arch_mmu_split_block(uint64_t pa, uint64_t *table);
int arch_mmu_set_page(uint64_t pa, bool present);
void arch_tlb_flush_local(uint64_t va);
#if defined(__aarch64__)
#define ARCH_TLB_BROADCAST 1	/* TLBI ...IS reaches the inner-shareable domain */
#else
#define ARCH_TLB_BROADCAST 0	/* invlpg is this CPU's only: an IPI for the rest */
#endif
/* This CPU's stack for faults that find their own stack unusable (a guard
 * page hit): x86's TSS IST for the double fault; arm64's vectors read it
 * from struct cpu, so there it is a no-op. Called on the CPU itself. */
void arch_cpu_set_fault_stack(void *top);

/* Write [p, p+len) back from the data caches to memory, where a reset
 * (which may drop dirty lines) keeps it: the crash record. */
void arch_dcache_clean(const void *p, size_t len);

/* Mask / unmask interrupts on this CPU; save returns the previous state.
 * The _inline forms are for the scheduler's hot paths (a yield, a sleep),
 * where the call and return were half of each; everywhere else the calls
 * (arch_irq_save, cpu.c) keep the image small. The irqoff hooks time a
 * stretch only when irqoff_on. */
#if defined(__aarch64__)
#define ARCH_IRQ_MASKED(flags) (((flags) & 0x80u) != 0)	/* DAIF.I */
#else
#define ARCH_IRQ_MASKED(flags) (((flags) & (1ul << 9)) == 0)	/* RFLAGS.IF clear */
#endif

/* This CPU's interrupt state as arch_irq_save returns it (nothing changed). */
static inline unsigned long arch_irq_flags(void)
{
	unsigned long flags;

#if defined(__aarch64__)
	__asm__ volatile("mrs %0, daif" : "=r"(flags) :: "memory");
#else
	__asm__ volatile("pushfq\n pop %0" : "=r"(flags) :: "memory");
#endif
	return flags;
}

static inline unsigned long arch_irq_save_inline(void)
{
	unsigned long flags = arch_irq_flags();

#if defined(__aarch64__)
	__asm__ volatile("msr daifset, #2" ::: "memory");
#else
	__asm__ volatile("cli" ::: "memory");
#endif
	if (__builtin_expect(irqoff_on, 0) && !ARCH_IRQ_MASKED(flags))
		irqoff_begin();
	return flags;
}

static inline void arch_irq_restore_inline(unsigned long flags)
{
	if (__builtin_expect(irqoff_on, 0) && !ARCH_IRQ_MASKED(flags))
		irqoff_end();
#if defined(__aarch64__)
	__asm__ volatile("msr daif, %0" :: "r"(flags) : "memory");
#else
	if (ARCH_IRQ_MASKED(flags))
		__asm__ volatile("cli" ::: "memory");
	else
		__asm__ volatile("sti" ::: "memory");
#endif
}

/* This CPU's interrupts masked now. */
static inline bool arch_irq_masked(void)
{
	return ARCH_IRQ_MASKED(arch_irq_flags());
}

unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);
void arch_irq_enable(void);

/* The idle thread's wait for an interrupt. With ARCH_IDLE_POLLS it
 * returns with interrupts masked and one pending, for the caller to
 * dispatch as a call (irq_dispatch(0)): arm64's WFI wakes on a pending
 * interrupt even masked, so idle takes no exception, saves no frame and
 * restores none on its way to a woken thread and back. Without, the
 * interrupt was taken already (x86's hlt wakes only with interrupts on). */
void arch_idle_wait(void);
#if defined(__aarch64__)
#define ARCH_IDLE_POLLS 1
#else
#define ARCH_IDLE_POLLS 0
#endif

/* Free-running counter and its frequency in Hz (generic timer / TSC). */
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);
/* The frequency known from here on (the boot calls it once, the DTB
 * validated, before time_init): x86's TSC calibration ends here, so its
 * window has the boot's DT walk in it rather than a wait; arm64: CNTFRQ. */
void arch_counter_init(const void *fdt);

/* The counter read inline, unordered (no isb / lfence): for timestamps
 * where a few cycles of reordering do not matter (the trace), and a call
 * and a barrier would cost more than the record. */
static inline uint64_t arch_counter_fast(void)
{
#if defined(__aarch64__)
	uint64_t v;

	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
	return v;
#else
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#endif
}

/* arch_counter inline (ordered: isb / lfence first), for the scheduler's
 * clock reads: a call and a return cost more than the read. */
static inline uint64_t arch_counter_inline(void)
{
#if defined(__aarch64__)
	uint64_t v;

	__asm__ volatile("isb\n mrs %0, cntvct_el0" : "=r"(v) :: "memory");
	return v;
#else
	uint32_t lo, hi;

	__asm__ volatile("lfence\n rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
#endif
}

/* Counter value latched at the first instruction of the image. */
extern uint64_t arch_boot_counter;

/* Print the frame as a crash dump to the log (registers, fault address). */
void arch_dump_frame(const struct arch_frame *f);

/* Crash cores (kernel/crash_core.c). Registers are packed as Linux's
 * elf_gregset_t for the arch (NT_PRSTATUS pr_reg), so gdb reads the core
 * natively: arm64 user_pt_regs (x0..x30, sp, pc, pstate), x86_64
 * user_regs_struct (r15, r14, ..., rip, cs, eflags, rsp, ss, ...). */
#if defined(__aarch64__)
#define ARCH_CORE_MACHINE 183	/* EM_AARCH64 */
#define ARCH_CORE_NREGS 34
#define ARCH_CORE_SP 31		/* index of sp in the block */
#else
#define ARCH_CORE_MACHINE 62	/* EM_X86_64 */
#define ARCH_CORE_NREGS 27
#define ARCH_CORE_SP 19		/* rsp */
#endif
/* The block of the exception frame f (the faulting code's registers). */
void arch_core_regs_frame(uint64_t *regs, const struct arch_frame *f);
/* The block of a switched-out thread, from the frame arch_context_switch
 * left at ctx_sp: callee-saved registers, sp after the switch, pc = its
 * return address; the registers the switch does not save are 0. */
void arch_core_regs_switched(uint64_t *regs, const void *ctx_sp);
/* The block of code that called a function (a panic without an exception
 * frame) from its return address pc, its sp at the call and its frame
 * pointer: pc shown at the call instruction; what gdb needs to unwind the
 * caller. The rest are 0. */
void arch_core_regs_call(uint64_t *regs, uint64_t pc, uint64_t sp, uint64_t fp);

/* Try the QEMU / debugger exit (semihosting, isa-debug-exit); returns only
 * when no such channel exists. */
void arch_debug_exit(int status);
/* Write a string to the debug channel if one exists (early panic output). */
void arch_debug_puts(const char *s);

/* A thread's saved context: its stack pointer. Everything else a switch
 * must keep (the callee-saved registers) is pushed on that stack. */
struct arch_context {
	void *sp;
};

/* Prepare ctx so that the first switch to it runs entry(arg) on the stack
 * [stack, stack + size) with interrupts still masked (the scheduler
 * finishes the switch first; entry then unmasks them). entry must not return.
 * stack is aligned down to 16 bytes; size must leave room for one frame. */
void arch_context_init(struct arch_context *ctx, void *stack, size_t size,
		       void (*entry)(void *), void *arg);

/* Save the caller's callee-saved state in from, resume to. Returns when
 * another switch resumes from. Interrupts: the caller's mask is kept
 * across the switch (call with them masked from the scheduler). The
 * interrupt path saves the rest of a preempted thread's state itself. */
void arch_context_switch(struct arch_context *from, struct arch_context *to);

/* This CPU's hardware ID as the DT's /cpus/cpu@N reg gives it (MPIDR
 * affinity on arm64, the local APIC ID on x86_64). */
uint64_t arch_cpu_hwid(void);

/* Multicore. The kernel keeps one struct cpu per CPU; arch_percpu() is
 * this CPU's (TPIDR_EL1 on arm64, the GS base on x86_64), one instruction. */
void arch_percpu_set(void *cpu);
static inline void *arch_percpu(void)
{
	void *p;
#if defined(__aarch64__)
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(p));
#else
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));	/* struct cpu starts with itself */
#endif
	return p;
}

/* Spin-wait politely (arm64 wfe, x86 pause); arch_cpu_kick wakes the CPUs
 * waiting so (sev; nothing on x86). */
static inline void arch_cpu_relax(void)
{
#if defined(__aarch64__)
	__asm__ volatile("wfe" ::: "memory");
#else
	__asm__ volatile("pause" ::: "memory");
#endif
}
static inline void arch_cpu_kick(void)
{
#if defined(__aarch64__)
	__asm__ volatile("dsb ishst\n sev" ::: "memory");
#endif
}

/* Where a secondary CPU enters the image (a physical address: PSCI CPU_ON
 * and the spin-table release send it there), after arch_secondary_prepare
 * said which stack the CPU with hardware ID hwid runs on and what it passes
 * to smp_secondary_main (kernel.h). The entry turns the MMU on with the boot
 * CPU's tables. @retval 0, -1 (no room: more CPUs than TK_CPUS_MAX) */
uintptr_t arch_secondary_entry(void);
int arch_secondary_prepare(uint64_t hwid, void *stack_top, void *arg);
/* Send the CPU spinning on the spin-table slot release_addr to entry. */
void arch_spin_table_release(uint64_t release_addr, uintptr_t entry);
/* The start method of a cpu node without enable-method (a driver
 * registers it, tk_cpu_method_register), or NULL: the node is refused. */
const char *arch_cpu_default_method(void);

/* The CPU's random number instruction (arm64 RNDR, x86 RDRAND): its name,
 * or NULL when this CPU has none. arch_rng_read gives one 64-bit value.
 * @retval 0, -EIO (the instruction kept reporting no entropy) */
const char *arch_rng_name(void);
int arch_rng_read(uint64_t *v);

/* Stop this CPU for good, interrupts off. */
__attribute__((noreturn)) void arch_halt(void);
/* The CPU's own last-resort reset, for a board whose DT gives no reset
 * (x86_64: a triple fault, as Linux's reboot=t; arm64 has none: PSCI is a
 * driver). Returns when there is none. */
void arch_reset(void);

#endif
