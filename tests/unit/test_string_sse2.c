/*
 * x86_64's strlen, strnlen, strchr, strchrnul, memchr and memcmp
 * (kernel/arch/x86_64/string_sse2.c, built here with a takt_ prefix)
 * against the C library's:
 * every start alignment in a 16-byte block, every length up to 80, the
 * byte looked for (or the difference) at every place, before and after
 * the bound, with bytes above 0x7f, and the bytes around the object
 * never zero or the one looked for unless the case puts them there.
 */
#define _GNU_SOURCE	/* strchrnul */
#include <stdint.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#define TAKT_STRING(name) takt_##name
#include "../../kernel/arch/x86_64/string_sse2.c"

#define BUF 256
#define MAXLEN 80

static _Alignas(16) unsigned char buf[BUF], other[BUF];

/* Non-zero bytes, none equal to 'x', some above 0x7f. */
static void fill(unsigned char *b)
{
	for (unsigned i = 0; i < BUF; i++) {
		unsigned char v = (unsigned char)(i * 37 + 11);

		b[i] = v == 0 || v == 'x' ? 0x5a : v;
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void test_strlen_every_alignment_and_length(void **state)
{
	(void)state;
	for (size_t al = 0; al < 32; al++)
		for (size_t len = 0; len <= MAXLEN; len++) {
			char *s = (char *)buf + 16 + al;

			fill(buf);
			s[len] = 0;
			assert_int_equal(takt_strlen(s), len);
			for (size_t max = 0; max <= len + 2; max++)
				assert_int_equal(takt_strnlen(s, max), strnlen(s, max));
			assert_int_equal(takt_strnlen(s, SIZE_MAX), len);
		}
}

static void test_strchr_every_alignment_and_place(void **state)
{
	static const int wants[] = { 'x', 0, 0xff, 0x100 + 'x' };

	(void)state;
	for (size_t al = 0; al < 32; al++)
		for (size_t len = 0; len <= MAXLEN; len++)
			for (size_t at = 0; at <= len + 1; at++)	/* at >= len: not in the string */
				for (unsigned w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
					char *s = (char *)buf + 16 + al;

					fill(buf);
					s[at] = (char)wants[w];
					s[len] = 0;
					assert_ptr_equal(takt_strchr(s, wants[w]), strchr(s, wants[w]));
					assert_ptr_equal(takt_strchrnul(s, wants[w]),
							 strchrnul(s, wants[w]));
				}
}

static void test_memchr_every_place_and_bound(void **state)
{
	static const int wants[] = { 'x', 0, 0xff, 0x100 + 'x', -256 + 'x' };

	(void)state;
	for (size_t al = 0; al < 16; al++)
		for (size_t n = 0; n <= MAXLEN; n++)
			for (size_t at = 0; at <= n + 20; at++)	/* at > n: outside the bound */
				for (unsigned w = 0; w < sizeof(wants) / sizeof(wants[0]); w++) {
					unsigned char *s = buf + 16 + al;

					fill(buf);
					s[at] = (unsigned char)wants[w];
					assert_ptr_equal(takt_memchr(s, wants[w], n),
							 memchr(s, wants[w], n));
				}
	fill(buf);
	buf[200] = 'x';
	assert_ptr_equal(takt_memchr(buf + 3, 'x', SIZE_MAX), buf + 200);	/* "no bound" */
	assert_ptr_equal(takt_memchr(buf + 3, 'x', 197), NULL);
	assert_ptr_equal(takt_memchr(buf + 3, 'x', 198), buf + 200);
}

static void test_memcmp_every_alignment_and_difference(void **state)
{
	(void)state;
	for (size_t aa = 0; aa < 16; aa++)
		for (size_t ab = 0; ab < 16; ab++)
			for (size_t n = 0; n <= 40; n++) {
				unsigned char *a = buf + 16 + aa, *b = other + 16 + ab;

				fill(buf);
				memcpy(b, a, n + 8);
				assert_int_equal(takt_memcmp(a, b, n), 0);
				for (size_t d = 0; d < n; d++) {
					unsigned char keep = b[d];

					b[d] = (unsigned char)(a[d] + 0x81);	/* either way, over 0x7f too */
					assert_int_equal(sign(takt_memcmp(a, b, n)),
							 sign(memcmp(a, b, n)));
					assert_int_equal(sign(takt_memcmp(b, a, n)),
							 sign(memcmp(b, a, n)));
					b[d + 1] ^= 0x40;	/* a later difference does not decide */
					assert_int_equal(sign(takt_memcmp(a, b, n)),
							 sign(memcmp(a, b, n)));
					b[d + 1] ^= 0x40;
					b[d] = keep;
				}
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strlen_every_alignment_and_length),
		cmocka_unit_test(test_strchr_every_alignment_and_place),
		cmocka_unit_test(test_memchr_every_place_and_bound),
		cmocka_unit_test(test_memcmp_every_alignment_and_difference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
