/*
 * Helpers shared by the harnesses: the input split into NUL-terminated
 * words, an exact-size (ASan-fenced) copy, and the stubs of the kernel
 * calls the code under test makes (printing only).
 */
#ifndef TAKT_FUZZ_COMMON_H
#define TAKT_FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An exact-size, 8-byte aligned copy: ASan flags any byte read past it
 * (a DTB must be 8-aligned, tk_dt_validate refuses it otherwise). */
static inline void *fuzz_copy(const uint8_t *data, size_t size)
{
	void *p = aligned_alloc(8, size ? (size + 7) & ~(size_t)7 : 8);

	if (!p)
		abort();
	memcpy(p, data, size);
	return p;
}

/* The input as a NUL-terminated string of exactly its bytes (an embedded
 * NUL simply ends it early, as it would in a boot loader's string). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Invariant broken: abort, so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #cond);                               \
			abort();                                                \
		}                                                               \
	} while (0)

#endif
