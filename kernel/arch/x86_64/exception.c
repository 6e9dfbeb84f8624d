/*
 * IDT, exception dispatch and crash dumps. Vectors 32..255 are interrupts
 * and go to the interrupt core; a CPU exception (0..31) is fatal: a dump of
 * the frame and a PANIC line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <takt/log.h>

#include "../../arch.h"
#include "../../irq.h"
#include "../../kernel.h"
#include "../../smp.h"
#include "../../stack_pool.h"
#include "../../thread_impl.h"
#include "frame.h"
#include "x86.h"

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};

/* every gate written (x86_idt_init) before the table is loaded */
static struct idt_entry idt[256] __attribute__((aligned(16))) TK_NOINIT;
extern const char x86_vector_stubs[];

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
	"#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD exception",
	"#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
	"reserved 24", "reserved 25", "reserved 26", "reserved 27",
	"#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved 31",
};

/* This CPU's IDTR: every CPU shares the one table. */
void x86_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" :: "m"(idtr));
}

/* The gate to a as the entry's two little-endian words (SDM 6.14.1): two
 * stores where the fields one by one were 18 instructions a vector. 0x8e:
 * present, DPL 0, 64-bit interrupt gate (IF cleared on entry). */
static void set_gate(struct idt_entry *e, uint64_t a, unsigned ist)
{
	uint64_t w[2] = { (a & 0xffff) | (a & 0xffff0000) << 32 | (uint64_t)SEL_CODE64 << 16 |
				  (uint64_t)ist << 32 | 0x8eull << 40,
			  a >> 32 };

	_Static_assert(sizeof(*e) == sizeof(w), "an IDT entry is 16 bytes");
	memcpy(e, w, sizeof(w));
}

void x86_idt_init(void)
{
	uint64_t a = (uint64_t)(uintptr_t)x86_vector_stubs;

	if ((a & 0xffff) + 16 * 255 <= 0xffff) {
		/* the stubs inside one 64 KiB block: only a gate's low
		 * offset field changes, by 16 a vector (a third of the
		 * instructions of each gate computed anew) */
		uint64_t w[2];

		set_gate((struct idt_entry *)w, a, 0);
		for (int v = 0; v < 256; v++, w[0] += 16)
			memcpy(&idt[v], w, sizeof(w));
	} else {
		for (int v = 0; v < 256; v++)
			set_gate(&idt[v], a + 16 * (unsigned)v, 0);
	}
	/* the double fault on IST 1, this CPU's fault stack (tss.c) */
	set_gate(&idt[VEC_DF], a + 16 * VEC_DF, 1);
	x86_idt_load();
}

static const char *vec_name(uint64_t v)
{
	return v < 32 ? exc_names[v] : "interrupt";
}

void arch_dump_frame(const struct arch_frame *f)
{
	tk_printk("exception: %s (vector %lu), error 0x%lx\n", vec_name(f->vector),
		  (unsigned long)f->vector, (unsigned long)f->error);
	tk_printk("  RIP 0x%016lx  CS 0x%04lx  RFLAGS 0x%016lx\n", (unsigned long)f->rip,
		  (unsigned long)f->cs, (unsigned long)f->rflags);
	tk_printk("  RSP 0x%016lx  SS 0x%04lx  CR2 0x%016lx\n", (unsigned long)f->rsp,
		  (unsigned long)f->ss, (unsigned long)f->cr2);
	if (f->vector == VEC_PF)
		tk_printk("  page fault: %s, %s%s%s\n",
			  f->error & 1 ? "protection violation" : "page not present",
			  f->error & 2 ? "write" : "read",
			  f->error & 16 ? ", instruction fetch" : "",
			  f->error & 8 ? ", reserved bit set" : "");
	tk_printk("  rax 0x%016lx  rbx 0x%016lx  rcx 0x%016lx\n", (unsigned long)f->rax,
		  (unsigned long)f->rbx, (unsigned long)f->rcx);
	tk_printk("  rdx 0x%016lx  rsi 0x%016lx  rdi 0x%016lx\n", (unsigned long)f->rdx,
		  (unsigned long)f->rsi, (unsigned long)f->rdi);
	tk_printk("  rbp 0x%016lx  r8  0x%016lx  r9  0x%016lx\n", (unsigned long)f->rbp,
		  (unsigned long)f->r8, (unsigned long)f->r9);
	tk_printk("  r10 0x%016lx  r11 0x%016lx  r12 0x%016lx\n", (unsigned long)f->r10,
		  (unsigned long)f->r11, (unsigned long)f->r12);
	tk_printk("  r13 0x%016lx  r14 0x%016lx  r15 0x%016lx\n", (unsigned long)f->r13,
		  (unsigned long)f->r14, (unsigned long)f->r15);
}

/* What a page fault means, from its error code: P set is a protection
 * fault (W^X at work, mmu.c), P clear an address nothing maps (page 0
 * included). "" for other exceptions. */
static void fault_reason(const struct arch_frame *f, char *out, size_t len)
{
	bool present = f->error & 1, write = f->error & 2, insn = f->error & 16;
	const char *what;

	out[0] = 0;
	if (f->vector != VEC_PF)
		return;
	if (present)
		what = insn ? "execute from non-executable memory" :
		       write ? "write to read-only memory" : "read of protected memory";
	else
		what = f->cr2 < 4096 ? (insn ? "NULL function pointer call" :
					write ? "NULL pointer write" : "NULL pointer read") :
		       insn ? "execute from unmapped memory" :
		       write ? "write to unmapped memory" : "read of unmapped memory";
	snprintf(out, len, ": %s at 0x%lx", what, (unsigned long)f->cr2);
}

/* Out of arch_exception: its message buffer would put the stack
 * protector's check on every interrupt's path. */
static __attribute__((noinline, noreturn)) void fault(struct arch_frame *f)
{
	char why[96];

	arch_dump_frame(f);
	crash_core_fault(f);	/* the core's thread 1 shows the faulting code */
	/* a page fault in a guard page, or the double fault it becomes when
	 * its frame cannot be pushed (on the IST stack, tss.c) */
	if (f->vector == VEC_PF || f->vector == VEC_DF)
		stack_guard_check_fault(f->cr2, f->rsp);
	fault_reason(f, why, sizeof(why));
	tk_panic("unexpected exception: %s (vector %lu, error 0x%lx) at 0x%lx%s",
		 vec_name(f->vector), (unsigned long)f->vector,
		 (unsigned long)f->error, (unsigned long)f->rip, why);
}

struct arch_frame *arch_exception(struct arch_frame *f)
{
	if (f->vector >= VEC_IRQ_FIRST)
		return irq_dispatch_vector(f, (unsigned)f->vector);
	fault(f);
}

/* Debug channel: COM1 (I/O port 0x3f8), the PC's first serial port, which
 * QEMU microvm always has; written raw, polling the transmit-empty bit with
 * a bound so that a missing UART cannot hang a panic. A '\n' goes out as
 * "\r\n", once (the console's boot log has them so already). */
#define COM1 0x3f8
void arch_debug_puts(const char *s)
{
	for (char prev = 0; *s; prev = *s++) {
		if (*s == '\n' && prev != '\r')
			arch_debug_puts("\r");
		for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
			;
		outb(COM1, (uint8_t)*s);
	}
}

/* QEMU's isa-debug-exit at I/O port 0xf4 (-device isa-debug-exit,
 * iobase=0xf4,iosize=4) exits with (v << 1) | 1: only odd statuses. A
 * status s odd is written as (s - 1) / 2, so exit(1) and exit(3) arrive as
 * 1 and 3. Status 0 cannot go through it: QEMU exits 0 on a guest reset
 * when started with -no-reboot, so 0 resets the CPU with a triple fault
 * (an empty IDT and an exception), the last-resort reset Linux uses too.
 * An even non-zero status comes out as status + 1 (said on the log). */
void arch_reset(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) none = { 0, 0 };

	__asm__ volatile("lidt %0\n int3" :: "m"(none));
}

void arch_debug_exit(int status)
{
	if (status == 0)
		arch_reset();
	if ((status & 1) == 0)
		tk_printk("power: status %d is even; isa-debug-exit carries only odd ones: exiting %d\n",
			  status, status | 1);
	outl(0xf4, (uint32_t)status >> 1);
}
