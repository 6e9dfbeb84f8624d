/*
 * RNDR (FEAT_RNG, Armv8.5): a 64-bit random number from the CPU, present
 * when ID_AA64ISAR0_EL1.RNDR is non-zero (QEMU's -cpu max has it, the
 * Cortex-A53/A72 of the boards do not). The register is named by its
 * encoding so a Cortex-A53 assembler target still takes it.
 */
#include <errno.h>
#include <stdint.h>

#include "../../arch.h"

/* The architecture allows a transient "no entropy now" (Z set); a few
 * retries ride it out, a source that keeps failing is an error. */
#define RNDR_TRIES 16

const char *arch_rng_name(void)
{
	uint64_t isar0;

	__asm__ volatile("mrs %0, id_aa64isar0_el1" : "=r"(isar0));
	return (isar0 >> 60) & 0xf ? "rndr" : 0;
}

int arch_rng_read(uint64_t *v)
{
	for (int i = 0; i < RNDR_TRIES; i++) {
		uint64_t x, ok;

		__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne" : "=r"(x), "=r"(ok) : : "cc");
		if (ok) {
			*v = x;
			return 0;
		}
	}
	return -EIO;
}
