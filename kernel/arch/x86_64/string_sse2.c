/*
 * strlen, strnlen, strchr, strchrnul, memchr and memcmp for the whole
 * x86_64 image, in place of newlib-nano's generic C ones (as memmove.c is
 * for memmove): those take 40-90 instructions for the short strings the
 * boot compares (DT names and compatibles, console lines), a fifth of
 * microvm's boot to main (`./takt bench profile`). arm64's newlib has
 * assembly versions; it keeps them.
 *
 * strlen, strchr(nul) and memchr read whole aligned 16-byte blocks (SSE2,
 * on in the x86_64 ABI; every exception saves the SSE state, vectors.S):
 * a block holding a byte of the string holds no byte of another page, so
 * reading the rest of it is safe, though not inside the C object model
 * (the host's unit test builds them without AddressSanitizer). memcmp
 * reads only the bytes it compares. tests/unit/test_string_sse2.c checks
 * each against the C library's for every alignment and length up to 80.
 */
#include <emmintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* the image's names; others in the host unit test */
#ifndef TAKT_STRING
#define TAKT_STRING(name) name
#define NO_ASAN
#else
#define NO_ASAN __attribute__((no_sanitize_address))
#endif

size_t TAKT_STRING(strlen)(const char *s);
size_t TAKT_STRING(strnlen)(const char *s, size_t max);
char *TAKT_STRING(strchrnul)(const char *s, int c);
char *TAKT_STRING(strchr)(const char *s, int c);
void *TAKT_STRING(memchr)(const void *s, int c, size_t n);
int TAKT_STRING(memcmp)(const void *a, const void *b, size_t n);

/* Bit i set when byte i of the aligned block at a is c's. */
static inline NO_ASAN unsigned block_has(const unsigned char *a, __m128i c)
{
	__m128i v = _mm_load_si128((const __m128i *)(const void *)a);

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

static inline const unsigned char *block_of(const void *p)
{
	return (const unsigned char *)((uintptr_t)p & ~(uintptr_t)15);
}

NO_ASAN size_t TAKT_STRING(strlen)(const char *s)
{
	const unsigned char *a = block_of(s);
	__m128i zero = _mm_setzero_si128();
	unsigned m = block_has(a, zero) >> ((uintptr_t)s & 15);

	if (m)
		return (size_t)__builtin_ctz(m);
	for (;;) {
		a += 16;
		m = block_has(a, zero);
		if (m)
			return (size_t)(a - (const unsigned char *)s) + (size_t)__builtin_ctz(m);
	}
}

/* The first c or NUL: the two compares of a block or'ed. */
NO_ASAN char *TAKT_STRING(strchrnul)(const char *s, int c)
{
	const unsigned char *a = block_of(s);
	__m128i zero = _mm_setzero_si128(), want = _mm_set1_epi8((char)c);
	unsigned m = (block_has(a, zero) | block_has(a, want)) >> ((uintptr_t)s & 15);

	if (m)
		return (char *)(uintptr_t)s + __builtin_ctz(m);
	for (;;) {
		a += 16;
		m = block_has(a, zero) | block_has(a, want);
		if (m)
			return (char *)(uintptr_t)(a + __builtin_ctz(m));
	}
}

char *TAKT_STRING(strchr)(const char *s, int c)
{
	char *p = TAKT_STRING(strchrnul)(s, c);

	return *p == (char)c ? p : NULL;
}

/* Only blocks holding a byte of [s, s + n) are read. */
NO_ASAN void *TAKT_STRING(memchr)(const void *src, int c, size_t n)
{
	const unsigned char *s = src, *a = block_of(s);
	__m128i want = _mm_set1_epi8((char)c);
	size_t skip = (uintptr_t)s & 15, i;
	unsigned m;

	if (n == 0)
		return NULL;
	if (n > SIZE_MAX - 16)
		n = SIZE_MAX - 16;	/* "no bound" (no object is that large) */
	m = block_has(a, want) >> skip;
	n += skip;	/* from here on counted from a */
	for (;;) {
		if (m) {
			i = (size_t)__builtin_ctz(m) + skip;
			return i < n ? (void *)(uintptr_t)(a + i) : NULL;
		}
		if (n <= 16)
			return NULL;
		n -= 16;
		a += 16;
		skip = 0;
		m = block_has(a, want);
	}
}

NO_ASAN size_t TAKT_STRING(strnlen)(const char *s, size_t max)
{
	const char *end = TAKT_STRING(memchr)(s, 0, max);

	return end ? (size_t)(end - s) : max;
}

/* Eight bytes a compare, unaligned (x86 loads any address), then the
 * rest one by one; at a difference, the first differing byte decides.
 * no-tree-loop-distribute-patterns: GCC must not turn the byte loop into
 * a call to memcmp itself. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
int TAKT_STRING(memcmp)(const void *pa, const void *pb, size_t n)
{
	const unsigned char *a = pa, *b = pb;

	for (; n >= 8; n -= 8, a += 8, b += 8) {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y) {
			unsigned i = (unsigned)__builtin_ctzll(x ^ y) / 8;	/* little-endian */

			return a[i] - b[i];
		}
	}
	for (; n; n--, a++, b++)
		if (*a != *b)
			return *a - *b;
	return 0;
}
