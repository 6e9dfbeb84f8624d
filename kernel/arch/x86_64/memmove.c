/*
 * memmove for the whole x86_64 image, in place of newlib-nano's generic one,
 * which copies a byte at a time (arm64's newlib has an assembly memmove,
 * faster than this; it keeps it): libfdt moves the rest of the blob with it on every
 * property it inserts, and the x86_64 boot's DT merge (fw_cfg's virtio
 * slots, the PVH memory map) moved 65 KB that way, a tenth of the boot
 * (`./takt bench profile`). Words where both ends are aligned alike, bytes
 * for the rest. (tests/unit/test_memmove.c checks every overlap, offset
 * and length against a reference copy.)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* memmove in the image; another name in the host unit test */
#ifndef TAKT_MEMMOVE
#define TAKT_MEMMOVE memmove
#endif
void *TAKT_MEMMOVE(void *dst, const void *src, size_t n);

typedef uint64_t __attribute__((may_alias)) word_t;
#define W sizeof(word_t)

/* no-tree-loop-distribute-patterns: GCC must not turn these loops back
 * into a call to memmove. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void *TAKT_MEMMOVE(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	bool words = (((uintptr_t)d ^ (uintptr_t)s) & (W - 1)) == 0;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n) {	/* forward: no overlap that a forward copy harms */
		for (; words && ((uintptr_t)d & (W - 1)) && n; n--)
			*d++ = *s++;
		for (; words && n >= W; n -= W, d += W, s += W)
			*(word_t *)d = *(const word_t *)s;
		while (n--)
			*d++ = *s++;
		return dst;
	}
	d += n;				/* backward: dst overlaps src's end */
	s += n;
	for (; words && ((uintptr_t)d & (W - 1)) && n; n--)
		*--d = *--s;
	for (; words && n >= W; n -= W) {
		d -= W;
		s -= W;
		*(word_t *)d = *(const word_t *)s;
	}
	while (n--)
		*--d = *--s;
	return dst;
}
