/*
 * Crash cores: a panic (or an unexpected exception, which panics) writes an
 * ELF core that plain gdb opens with takt.elf: `gdb-multiarch takt.elf
 * crash.core`, then `info threads`, `thread N`, `bt`.
 *
 * The file, in the order it is sent:
 *
 *   ELF header (ET_CORE, the arch's machine)
 *   program headers: PT_NOTE, then one PT_LOAD per thread stack
 *   PT_NOTE:  "CORE" NT_PRPSINFO     (the panic message as the command line)
 *             "CORE" NT_PRSTATUS     one per thread, Linux's elf_prstatus:
 *                                    pr_pid = Takt thread id + 1000 (as
 *                                    ./takt debug's thread ids), pr_reg the
 *                                    arch's elf_gregset_t (arch.h)
 *             "TAKT" NT_TAKT_THREADS {pid, state, name[16]} per thread
 *                                    (tools/takt_core_gdb.py names gdb's
 *                                    threads from it)
 *             "TAKT" NT_TAKT_LOG     the last 4 KiB of console output (log_tail.c)
 *   PT_LOAD data: each thread's stack from its sp to the stack's top (the
 *             used part: enough for gdb to unwind it), at most 64 KiB
 *
 * Thread 1 (the first NT_PRSTATUS) is the one that panicked: with the
 * exception frame's registers when an exception brought the panic, else
 * its caller's at the tk_panic call (pc, sp, frame pointer). A switched-out thread's registers come
 * from the frame its context switch left on its stack (the callee-saved
 * ones, sp and pc; the rest are 0). The other CPUs are stopped first, by
 * an IPI (smp_stop_others): a thread running on one of them has the
 * registers of the interrupt that stopped it; one on a CPU that did not
 * stop within 0.5 s (interrupts masked) has none: 0, and its whole stack
 * is in the core.
 *
 * The same bytes go to the crash record (crash_record.c) when the DT
 * reserves a region for it: the next boot reports them.
 *
 * Under QEMU the core leaves on the console, polled, as
 *   CORE BEGIN <bytes>
 *   <base64, 76 characters a line>
 *   CORE END <crc32 of the bytes, 8 hex digits>
 * (the CRC at the end: the core is encoded as it is read, in one pass, so
 * other CPUs that still run cannot make a checksum sent first wrong).
 * tools/takt_crash.py turns the block back into the file; ./takt run does
 * it by itself. Nothing here allocates: the heap may be what broke. The
 * thread list is snapshotted into a static table first (bounded, magic
 * checked) so that the layout computed up front is the one sent.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <takt/crash.h>
#include <takt/log.h>

#include "arch.h"
#include "console_b64.h"
#include "kernel.h"
#include "smp.h"
#include "thread_impl.h"

#define CORE_THREADS_MAX 64
#define STACK_CORE_MAX (64u * 1024)	/* a stack's bytes in the core, from its top */
#define CORE_LINE 64			/* gdb's dcache line (see stack_range) */
#define TID_BASE 1000			/* pr_pid = Takt id + 1000, as the gdb proxy's */

#define NT_PRSTATUS 1
#define NT_PRPSINFO 3
/* Takt's own notes: types no reader of "CORE" notes knows (BFD takes a
 * note of type 1 or 2 for a prstatus or FP registers whatever its name). */
#define NT_TAKT_THREADS 0x54414b01u
#define NT_TAKT_LOG 0x54414b02u

/* Linux's 64-bit elf_prstatus: siginfo, cursig, sigpend, sighold, pid,
 * ppid, pgrp, sid, four timevals (112 bytes), pr_reg, pr_fpvalid, padding
 * to 8: 392 bytes on arm64, 336 on x86_64, as BFD checks. */
#define PRSTATUS_REG_OFF 112
#define PRSTATUS_SIZE (PRSTATUS_REG_OFF + ARCH_CORE_NREGS * 8 + 8)
#define PRPSINFO_SIZE 136		/* fname at 40 (16), psargs at 56 (80) */
#define THREAD_REC_SIZE (8 + TK_NAME_MAX)
#define NOTE_HDR 12
#define NAME_PAD 8			/* "CORE\0" and "TAKT\0", padded to 4 */

#define SIGABRT 6
#define SIGSEGV 11

/* what NT_TAKT_THREADS says of a thread */
enum core_state { CS_READY, CS_BLOCKED, CS_RUNNING, CS_OTHER_CPU };

struct core_thread {
	const struct tk_thread *t;	/* NULL: the boot context (no thread yet) */
	uint64_t lo, hi;		/* stack bytes in the core */
	uint32_t pid;
	uint32_t state;
};

extern struct list_node all_threads;	/* thread.c */
extern char _boot_stack_top[];		/* the linker script */

static struct {
	const struct arch_frame *frame;	/* crash_core_fault's, for thread 1 */
	bool busy;			/* a core is on its way: no second one */
	bool console;			/* it goes to the console (else the record only) */
	struct core_thread th[CORE_THREADS_MAX];
	unsigned n;
	uint64_t here[ARCH_CORE_NREGS];	/* thread 1's registers */
	uint64_t regs[ARCH_CORE_NREGS];	/* scratch for the others */
	struct b64_out out;		/* the core as it goes out */
} core;

void crash_core_fault(const struct arch_frame *f)
{
	core.frame = f;
}

/* ---- output: console_b64.c's framed base64 ---- */

static void emit(const void *p, size_t len)
{
	if (core.console)
		b64_put(&core.out, p, len);
	crash_record_put(p, len);	/* and the crash record, if the DT has one */
}

static void emit_zero(size_t len)
{
	static const uint8_t zero[16];

	while (len) {
		size_t n = len < sizeof(zero) ? len : sizeof(zero);

		emit(zero, n);
		len -= n;
	}
}

/* little-endian on both arches: the values as they sit in memory */
static void emit_u16(uint16_t v) { emit(&v, 2); }
static void emit_u32(uint32_t v) { emit(&v, 4); }
static void emit_u64(uint64_t v) { emit(&v, 8); }

/* ---- the snapshot ---- */

static bool stack_has(const struct tk_thread *t, uint64_t sp)
{
	uint64_t lo = (uint64_t)(uintptr_t)t->stack_lo;

	return t->stack_lo && sp >= lo && sp <= lo + t->stack_size;
}

/* The stack bytes of a thread whose sp is sp (0: unknown): from sp to the
 * top when sp is in the stack, else all of it. At most STACK_CORE_MAX: the
 * innermost frames when sp is known (where the unwind starts), else the
 * outermost ones. */
static void stack_range(struct core_thread *c, uint64_t sp)
{
	const struct tk_thread *t = c->t;
	uint64_t lo, hi;
	bool at_sp = false;

	if (t) {
		lo = (uint64_t)(uintptr_t)t->stack_lo;
		hi = t->stack_lo ? lo + t->stack_size : lo;
		if (stack_has(t, sp))
			lo = sp, at_sp = true;
	} else {	/* the boot context: the boot stack, if sp is in it */
		hi = (uint64_t)(uintptr_t)_boot_stack_top;
		at_sp = sp >= hi - TAKT_BOOT_STACK_SIZE && sp <= hi;
		lo = at_sp ? sp : hi;
	}
	if (hi - lo > STACK_CORE_MAX) {
		if (at_sp)
			hi = lo + STACK_CORE_MAX;
		else
			lo = hi - STACK_CORE_MAX;
	}
	/* Whole 64-byte lines: gdb reads stack memory through its stack cache
	 * in such lines, and a line only partly in the core reads as missing
	 * (an unwind that stops at a 0 return address). A line never reaches
	 * into another page than the stack's own byte next to it. */
	if (hi > lo) {
		lo &= ~(uint64_t)(CORE_LINE - 1);
		hi = (hi + CORE_LINE - 1) & ~(uint64_t)(CORE_LINE - 1);
	}
	c->lo = lo;
	c->hi = hi;
}

/* The other CPU t runs on (its registers are that CPU's), or NULL. */
static struct cpu *running_elsewhere(const struct tk_thread *t)
{
	struct cpu *self = cpu_self();

	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		if (&cpus[i] != self && cpus[i].online && cpus[i].current == t)
			return &cpus[i];
	return 0;
}

static bool known(const struct tk_thread *t)
{
	for (unsigned i = 0; i < core.n; i++)
		if (core.th[i].t == t)
			return true;
	return false;
}

/* The registers of thread c (not thread 1) into core.regs; sp returned. A
 * thread on another CPU has them when that CPU stopped for the core (its
 * interrupt frame, or the stop's call when the interrupt had none), else
 * none. */
static uint64_t thread_regs(const struct core_thread *c)
{
	struct cpu *other;

	memset(core.regs, 0, sizeof(core.regs));
	if (c->state == CS_OTHER_CPU) {
		other = running_elsewhere(c->t);
		if (!other || !__atomic_load_n(&other->stopped, __ATOMIC_ACQUIRE))
			return 0;
		const struct smp_call_site *call = smp_stopped_call(other);

		if (other->stopped_frame)
			arch_core_regs_frame(core.regs, other->stopped_frame);
		else
			arch_core_regs_call(core.regs, (uintptr_t)call->pc, (uintptr_t)call->sp,
					    (uintptr_t)call->fp);
		return core.regs[ARCH_CORE_SP];
	}
	if (!c->t->ctx.sp || !stack_has(c->t, (uintptr_t)c->t->ctx.sp))
		return 0;
	arch_core_regs_switched(core.regs, c->t->ctx.sp);
	return core.regs[ARCH_CORE_SP];
}

static void add_thread(const struct tk_thread *t)
{
	if (core.n >= CORE_THREADS_MAX || !t || t->magic != THREAD_MAGIC ||
	    t->state == THREAD_EXITED || known(t))
		return;
	struct core_thread *c = &core.th[core.n++];

	c->t = t;
	c->pid = TID_BASE + t->id;
	c->state = running_elsewhere(t) ? CS_OTHER_CPU :
		   t->state == THREAD_READY ? CS_READY : CS_BLOCKED;
	stack_range(c, thread_regs(c));
}

/* Thread 1 = this CPU's current thread (or the boot context), then the
 * thread list (bounded: a corrupt list gives fewer threads, never a hang),
 * then every online CPU's idle thread (not on the list). */
static void snapshot(void)
{
	const struct tk_thread *cur = cpu_self()->current;
	struct core_thread *c = &core.th[0];

	core.n = 1;
	c->t = cur && cur->magic == THREAD_MAGIC ? cur : 0;
	c->pid = TID_BASE + (c->t ? c->t->id : 0);
	c->state = CS_RUNNING;
	if (core.frame)
		arch_core_regs_frame(core.here, core.frame);
	stack_range(c, core.here[ARCH_CORE_SP]);

	const struct list_node *n = all_threads.next;

	for (unsigned steps = 0; n && n != &all_threads && steps < 4 * CORE_THREADS_MAX; steps++) {
		const struct tk_thread *t = container_of(n, struct tk_thread, all_node);

		if (t->magic != THREAD_MAGIC)
			break;
		add_thread(t);
		n = n->next;
	}
	for (unsigned i = 0; i < TK_CPUS_MAX; i++)
		if (cpus[i].online)
			add_thread(cpus[i].idle);
}

/* ---- the file ---- */

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static size_t notes_size(size_t log_len)
{
	return NOTE_HDR + NAME_PAD + PRPSINFO_SIZE +
	       core.n * (NOTE_HDR + NAME_PAD + PRSTATUS_SIZE) +
	       NOTE_HDR + NAME_PAD + core.n * THREAD_REC_SIZE +
	       NOTE_HDR + NAME_PAD + pad4(log_len);
}

static unsigned loads(void)
{
	unsigned k = 0;

	for (unsigned i = 0; i < core.n; i++)
		k += core.th[i].hi > core.th[i].lo;
	return k;
}

static void emit_ehdr(unsigned phnum)
{
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 2 /* 64-bit */,
					   1 /* little-endian */, 1 /* EV_CURRENT */ };

	emit(ident, sizeof(ident));
	emit_u16(4);			/* ET_CORE */
	emit_u16(ARCH_CORE_MACHINE);
	emit_u32(1);			/* EV_CURRENT */
	emit_u64(0);			/* entry */
	emit_u64(64);			/* phoff: right after this header */
	emit_u64(0);			/* shoff: no sections */
	emit_u32(0);			/* flags */
	emit_u16(64);			/* ehsize */
	emit_u16(56);			/* phentsize */
	emit_u16((uint16_t)phnum);
	emit_u16(64);			/* shentsize */
	emit_u16(0);			/* shnum */
	emit_u16(0);			/* shstrndx */
}

static void emit_phdr(uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		      uint64_t size, uint64_t align)
{
	emit_u32(type);
	emit_u32(flags);
	emit_u64(off);
	emit_u64(vaddr);
	emit_u64(vaddr);		/* paddr: identity-mapped */
	emit_u64(size);			/* filesz */
	emit_u64(size);			/* memsz */
	emit_u64(align);
}

static void emit_note_hdr(const char *name, size_t desc, uint32_t type)
{
	char n[NAME_PAD] = { 0 };

	memcpy(n, name, 4);
	emit_u32(5);
	emit_u32((uint32_t)desc);
	emit_u32(type);
	emit(n, sizeof(n));
}

static void emit_prpsinfo(const char *why)
{
	char buf[80] = { 0 };

	emit_note_hdr("CORE", PRPSINFO_SIZE, NT_PRPSINFO);
	emit_u32(0);				/* state, sname, zomb, nice */
	emit_zero(4);
	emit_u64(0);				/* flag */
	emit_u32(0);				/* uid */
	emit_u32(0);				/* gid */
	emit_u32(core.th[0].pid);		/* pid */
	emit_zero(12);				/* ppid, pgrp, sid */
	strncpy(buf, "takt.elf", 16);		/* gdb checks it against the executable */
	emit(buf, 16);				/* fname */
	memset(buf, 0, sizeof(buf));
	strncpy(buf, why ? why : "", sizeof(buf) - 1);
	emit(buf, sizeof(buf));			/* psargs: the panic message */
}

static void emit_prstatus(const struct core_thread *c, const uint64_t *regs, int sig)
{
	emit_note_hdr("CORE", PRSTATUS_SIZE, NT_PRSTATUS);
	emit_u32((uint32_t)sig);		/* si_signo */
	emit_zero(8);				/* si_code, si_errno */
	emit_u16((uint16_t)sig);		/* pr_cursig */
	emit_zero(2 + 16);			/* padding, sigpend, sighold */
	emit_u32(c->pid);			/* pr_pid */
	emit_zero(12 + 64);			/* ppid, pgrp, sid, times */
	emit(regs, ARCH_CORE_NREGS * 8);
	emit_zero(8);				/* pr_fpvalid 0, padding */
}

static void emit_notes(const char *why, size_t log_len)
{
	emit_prpsinfo(why);
	emit_prstatus(&core.th[0], core.here, core.frame ? SIGSEGV : SIGABRT);
	for (unsigned i = 1; i < core.n; i++) {
		thread_regs(&core.th[i]);
		emit_prstatus(&core.th[i], core.regs, 0);
	}
	emit_note_hdr("TAKT", core.n * THREAD_REC_SIZE, NT_TAKT_THREADS);
	for (unsigned i = 0; i < core.n; i++) {
		char name[TK_NAME_MAX] = "boot";

		if (core.th[i].t)
			memcpy(name, core.th[i].t->name, sizeof(name));
		name[TK_NAME_MAX - 1] = 0;
		emit_u32(core.th[i].pid);
		emit_u32(core.th[i].state);
		emit(name, sizeof(name));
	}
	emit_note_hdr("TAKT", log_len, NT_TAKT_LOG);
	for (size_t off = 0; off < log_len;) {
		char chunk[64];
		size_t n = log_tail_read(off, chunk, sizeof(chunk));

		if (!n)
			break;
		emit(chunk, n);
		off += n;
	}
	emit_zero(pad4(log_len) - log_len);
}

static void emit_core(const char *why)
{
	size_t log_len = log_tail_len();
	unsigned phnum = 1 + loads();
	uint64_t notes_off = 64 + 56 * (uint64_t)phnum;
	uint64_t off = notes_off + notes_size(log_len);
	uint64_t total = off;

	for (unsigned i = 0; i < core.n; i++)
		total += core.th[i].hi - core.th[i].lo;
	if (core.console) {
		tk_printk("crash: core of %u threads follows (./takt run saves it as crash.core)\n",
			  core.n);
		b64_begin(&core.out, "CORE", total);
	}
	crash_record_begin();
	emit_ehdr(phnum);
	emit_phdr(4 /* PT_NOTE */, 0, notes_off, 0, notes_size(log_len), 4);
	for (unsigned i = 0; i < core.n; i++) {
		const struct core_thread *c = &core.th[i];

		if (c->hi > c->lo) {
			emit_phdr(1 /* PT_LOAD */, 6 /* RW */, off, c->lo, c->hi - c->lo, 1);
			off += c->hi - c->lo;
		}
	}
	emit_notes(why, log_len);
	for (unsigned i = 0; i < core.n; i++)
		emit((const void *)(uintptr_t)core.th[i].lo, core.th[i].hi - core.th[i].lo);
	if (!core.console)
		return;
	b64_end(&core.out, "CORE");
	if (core.out.sent != total)	/* a bug in the layout above: say so, the tool refuses it */
		tk_printk("crash: core sent %lu bytes, announced %lu\n",
			  (unsigned long)core.out.sent, (unsigned long)total);
}

void crash_core_write(unsigned reason, const char *why, const void *pc, const void *sp,
		      const void *fp)
{
	/* not to the boot buffer (2 KiB) before a console binds */
	core.console = log_has_console();
	if (!core.console && !crash_record_armed())
		return;
	/* One core: not again for a fault inside its writing, nor for a
	 * second CPU that panics meanwhile. */
	if (__atomic_exchange_n(&core.busy, true, __ATOMIC_ACQ_REL))
		return;
	arch_core_regs_call(core.here, (uintptr_t)pc, (uintptr_t)sp, (uintptr_t)fp);
	log_tail_freeze();
	/* a still system, and the other CPUs' registers: 0.5 s at most (a CPU
	 * answers in microseconds; under a loaded host's TCG a vCPU thread may
	 * wait tens of ms for its turn; one with interrupts masked for good
	 * costs the panic that long) */
	smp_stop_others(arch_counter_freq() / 2);
	snapshot();
	emit_core(why);
	crash_record_end(reason == TK_CRASH_PANIC && core.frame ? TK_CRASH_FAULT : reason, why);
}
