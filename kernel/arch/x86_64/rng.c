/*
 * RDRAND: a 64-bit random number from the CPU, present when CPUID leaf 1
 * says so (ECX bit 30; QEMU's -cpu max has it).
 */
#include <errno.h>
#include <stdint.h>

#include "../../arch.h"
#include "x86.h"

/* Intel's guidance: RDRAND may transiently fail (CF clear); ten retries
 * make a failure of a working unit vanishingly unlikely. */
#define RDRAND_TRIES 10

const char *arch_rng_name(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[2] & (1u << 30) ? "rdrand" : 0;
}

int arch_rng_read(uint64_t *v)
{
	for (int i = 0; i < RDRAND_TRIES; i++) {
		uint64_t x;
		uint8_t ok;

		__asm__ volatile("rdrand %0\n\tsetc %1" : "=r"(x), "=qm"(ok) : : "cc");
		if (ok) {
			*v = x;
			return 0;
		}
	}
	return -EIO;
}
