/*
 * The CPU's random number instruction (arm64 RNDR, x86 RDRAND; the arch
 * says which, kernel/arch/<arch>/rng.c) as an entropy source (takt/entropy.h).
 * Registered after the devices, so a board's RNG device stays the first
 * source and the instruction serves when there is none.
 */
#include <errno.h>
#include <string.h>

#include <takt/entropy.h>
#include <takt/log.h>

#include "arch.h"
#include "kernel.h"

static int cpu_rng_read(struct tk_entropy_source *src, void *buf, size_t len, uint64_t deadline)
{
	uint64_t v;

	(void)src, (void)deadline;	/* an instruction: no waiting to bound */
	if (arch_rng_read(&v) != 0)
		return -EIO;
	if (len > sizeof(v))
		len = sizeof(v);
	memcpy(buf, &v, len);
	return (int)len;
}

static struct tk_entropy_source cpu_rng = { .read = cpu_rng_read };

void entropy_cpu_register(void)
{
	cpu_rng.name = arch_rng_name();
	if (!cpu_rng.name)
		return;
	if (tk_entropy_register(&cpu_rng) == 0)
		tk_printk("entropy: cpu %s\n", cpu_rng.name);
}
