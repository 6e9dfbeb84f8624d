/*
 * The stack protector: the kernel, the drivers and the app are built with
 * -fstack-protector-strong (cmake/takt.cmake), so a function with a local
 * array or an address-taken local keeps __stack_chk_guard below its return
 * address and checks it before returning. The guard is set once per boot,
 * first thing in kernel_start: the only frames that hold the image's
 * initial value then are the entry code's and kernel_start's, which never
 * return. Its source is the CPU's random number instruction (arm64 RNDR,
 * x86 RDRAND) where there is one; else boot-time counters, which is weak
 * (a boot that repeats its timing repeats the guard) and is said so on the
 * console. A virtio-rng comes up only with the devices, after the guard is
 * in use, and does not feed it.
 */
#include <stdint.h>

#include <takt/log.h>

#include "arch.h"
#include "kernel.h"
#include "thread_impl.h"

/* In .data: defined from the image's load on, before any code runs. */
uintptr_t __stack_chk_guard = (uintptr_t)0x2f8a5c61e39d4b00ull;
static const char *guard_source;

/* splitmix64's finaliser: every input bit moves every output bit. */
static __attribute__((no_stack_protector)) uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

__attribute__((no_stack_protector)) void stack_guard_init(uintptr_t seed)
{
	uint64_t v = 0;

	guard_source = arch_rng_name();
	if (!guard_source || arch_rng_read(&v) != 0) {
		guard_source = 0;
		/* the counter since reset (firmware and loader timing) and what the
		 * loader passed: differs between boots on real hardware, not under
		 * QEMU -icount */
		v = mix(arch_counter() ^ mix(seed ^ (uint64_t)(uintptr_t)&v));
	}
	/* A NUL low byte: a runaway string copy stops at the canary instead of
	 * copying its way past it (as glibc's guard). */
	v &= ~(uint64_t)0xff;
	__stack_chk_guard = (uintptr_t)(v ? v : 0x7e3c9b2d51a84f00ull);
}

void stack_guard_report(void)
{
	if (guard_source)
		tk_printk("stack: protector guard from %s\n", guard_source);
	else
		tk_printk("stack: protector guard from boot-time counters (weak: no random number "
			  "instruction on this CPU)\n");
}

__attribute__((noreturn, no_stack_protector)) void __stack_chk_fail(void)
{
	const struct tk_thread *t = cpu_self()->current;

	tk_panic("stack: smashed frame in thread '%s' (the stack protector's canary was overwritten)",
		 t ? t->name : "(boot)");
}
