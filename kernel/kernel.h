/* Functions shared between kernel files; not part of the public API. */
#ifndef TAKT_KERNEL_H
#define TAKT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"

/* boot.c: from the arch entry code, MMU on; see arch_mmu_early(). */
__attribute__((noreturn)) void kernel_start(const void *loader_dtb, uintptr_t x0);

/* console.c (the console device and its transmit ring; log.c formats) */
void log_set_stdout_node(int node);
bool log_has_console(void);
/* The end (panic, power-off, reset): interrupts masked for good, what the
 * transmit ring holds sent polled, and every later write polled. */
void console_flush(void);
/* No console bound: the boot buffer to the debug channel. */
void console_debug_dump(void);
/* log.c: a panic is under way. newlib's locks are not taken from then on:
 * the system is stopping, and the panic may have come from a handler. */
extern bool log_panicking;

/* log_tail.c: the last bytes of console output (for crash cores). add is
 * called by tk_console_write for every write; after freeze nothing is added
 * (a panic's core is being sent). read copies from off bytes into the
 * oldest kept byte; @retval bytes copied. */
void log_tail_add(const char *s, size_t len);
void log_tail_freeze(void);
size_t log_tail_len(void);
size_t log_tail_read(size_t off, char *out, size_t len);

/* crash_core.c: the exception frame a following tk_panic's core shows as the
 * faulting thread's registers (arch_exception, just before its panic). */
struct arch_frame;
void crash_core_fault(const struct arch_frame *f);
/* From tk_panic, console already flushed and polled: an ELF core of every
 * thread on the console as a framed base64 block, and into the crash record.
 * reason: enum tk_crash_reason (a panic after crash_core_fault is a fault).
 * pc, sp and fp are the panic's caller's (return address, sp at the call,
 * frame pointer): thread 1's registers when no exception frame was given.
 * Never allocates; a panic inside it (a wild thread pointer) does not start
 * a second core. */
void crash_core_write(unsigned reason, const char *why, const void *pc, const void *sp,
		      const void *fp);
/* The calling function's caller as it called: return address, sp at the
 * call (the CFA) and its frame pointer (the frame record at ours holds
 * it), for a core to unwind from there. Only in a function not inlined. */
#define CALLER_AS_CALLED(pc, sp, fp)                                  \
	do {                                                          \
		(pc) = __builtin_return_address(0);                   \
		(sp) = __builtin_dwarf_cfa();                         \
		(fp) = *(void *const *)__builtin_frame_address(0);    \
	} while (0)

/* crash_record.c: the DT's crash record region, checked and reported at boot
 * (after the memory map); the core's bytes as crash_core.c sends them. */
struct tk_memmap;
void crash_record_boot(const void *fdt, const struct tk_memmap *ram);
bool crash_record_armed(void);
/* the bootarg panic=reset: a panic resets after its core (else powers off) */
bool crash_panic_resets(void);
/* time.c: the supervisor's fallback deadline (0: none): CPU 0's timer fires
 * by then and calls supervisor_fallback, which resets the board once the
 * supervisor is that late (supervisor.c). */
extern uint64_t time_fallback_ns;
void supervisor_fallback(void);
/* time.c: the console transmit thread's deadline (0: none): the timer of
 * the CPU that armed it (time_console_cpu) fires by then, and any CPU's
 * timer event past it calls console_deadline (console_thread.c). */
extern uint64_t time_console_ns;
extern unsigned time_console_cpu;
void console_deadline(uint64_t now);	/* now: the timer's clock reading */
/* This CPU's one-shot fires by ns at the latest (interrupts masked). */
void time_event_by(uint64_t ns);

/* log.c: the end of the system short of a panic (the watchdog's): interrupts
 * masked and the console polled from here on, then the core of every thread
 * (the caller's as thread 1) on the console and into the crash record. */
void crash_write_here(unsigned reason, const char *why);
void crash_record_begin(void);
void crash_record_put(const void *p, size_t n);
void crash_record_end(unsigned reason, const char *why);

struct tk_device;
/* console.c: dev is the console; console_rx.c: input on (the console's
 * driver said rx), and its counters. */
bool console_is(const struct tk_device *dev);
void console_rx_enable(void);
void console_rx_stats(uint64_t *bytes, uint64_t *dropped);

/* stack_guard.c: set the stack protector's guard (first thing at boot: no
 * protected frame that would return is live yet), and say where it came from
 * once the console is up. */
void stack_guard_init(uintptr_t seed);
void stack_guard_report(void);

/* entropy_cpu.c: register the CPU's random number instruction as an
 * entropy source, if it has one (after the devices: a device stays first). */
void entropy_cpu_register(void);
/* entropy.c: the first registered source (the one read), NULL when none. */
struct tk_entropy_source;
struct tk_entropy_source *entropy_first(void);

/* time.c sets the rate (1e9 / counter frequency, 32.32). Inline: the
 * scheduler reads the clock on every decision. */
extern uint64_t time_ns_per_tick_32;

/* A counter value (arch_counter) as ns since boot, like tk_now_ns. */
static inline uint64_t time_counter_ns(uint64_t counter)
{
	uint64_t d = counter - arch_boot_counter;

	return (uint64_t)(((__uint128_t)d * time_ns_per_tick_32) >> 32);
}

/* tk_now_ns, inline. */
static inline uint64_t time_now_ns(void)
{
	return time_counter_ns(arch_counter_inline());
}

/* trace/trace_dump.c: a traced run's trace to the console at power-off. */
void trace_dump_at_exit(void);

/* boot.c: the command line as split (argv[0] the app's name, NULL-ended),
 * for settings with a key pattern (log.MODULE=). */
const char *const *bootargs_argv(void);

/* log_ring.c: a kernel line (tk_printk, on the console already) for the log
 * backends: kept from boot, and after main() is called while there are any.
 * log_boot_done: main() is next (the boot's backends are added). */
void log_kernel_line(const char *line, size_t len);
void log_boot_done(void);
/* console.c: main() is next; the first write from a thread after this
 * starts the console's transmit thread. */
void console_boot_done(void);
/* console.c: the console's bootargs (console.tx=), before the probe. */
void console_bootargs(void);

/* device.c: probe every enabled node with a linked driver, level by level. */
void device_probe_all(const void *fdt);

/* dma.c: the pool behind tk_dma_alloc, carved from avail at boot (before
 * RAM is mapped, so its 2 MiB block is mapped non-cacheable only). */
struct tk_memmap;
struct tk_mem_region;
int dma_pool_carve(struct tk_memmap *avail, struct tk_mem_region *pool);
int dma_pool_map(const struct tk_mem_region *pool);

/* thread.c: the boot context becomes thread "main"; the scheduler starts. */
void thread_boot(void);

/* smp.c */
struct cpu;
void smp_ipi_handler(void *arg);
struct start_rec;
__attribute__((noreturn)) void smp_secondary_main(struct start_rec *r);
/* sched/start.c: a secondary's idle thread on [stack, stack + size), ready
 * before the CPU starts; the CPU itself then starts its scheduler. */
int sched_cpu_prepare(struct cpu *c, void *stack, size_t size);	/* 0, -ENOMEM */
void sched_cpu_start(struct cpu *c);
/* sched/start.c, on the boot CPU before the first secondary is started:
 * publish what runs here, and from now on at every decision (alone, the
 * boot CPU's run key has no reader, and its decisions skip it). */
void sched_keys_on(void);

/* time.c */
void time_init(void);
bool time_has_clockevent(void);	/* a system timer driver registered */

/* boot.c: RAM as /memory gave it (valid once main's thread runs). */
const struct tk_memmap *boot_ram(void);

/* boot.c: the heap's RAM, shared by newlib's _sbrk and the stack blocks. */
extern uintptr_t heap_start, heap_end;
/* heap.c: a 2 MiB block taken from the heap's top for thread stacks, never
 * given back; 0 when malloc's arena has grown into it. */
uintptr_t heap_take_block(void);

#endif
