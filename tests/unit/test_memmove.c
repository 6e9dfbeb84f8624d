/*
 * x86_64's memmove (kernel/arch/x86_64/memmove.c, built here as takt_memmove): every
 * source and destination offset within a 64-byte window of one buffer (all
 * overlaps, both directions, every alignment pairing) and every length up to
 * 80, against a copy made through a separate buffer; the bytes around the
 * destination stay as they were.
 */
#include <stdint.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

void *takt_memmove(void *dst, const void *src, size_t n);

#define BUF 256

static void fill(uint8_t *b)
{
	for (unsigned i = 0; i < BUF; i++)
		b[i] = (uint8_t)(i * 37 + 11);
}

static void test_every_overlap(void **state)
{
	uint8_t buf[BUF], want[BUF], tmp[BUF];

	(void)state;
	for (size_t so = 0; so < 64; so++)
		for (size_t doff = 0; doff < 64; doff++)
			for (size_t n = 0; n <= 80; n++) {
				fill(buf);
				fill(want);
				memcpy(tmp, want + 32 + so, n);
				memcpy(want + 32 + doff, tmp, n);
				assert_ptr_equal(takt_memmove(buf + 32 + doff, buf + 32 + so, n),
						 buf + 32 + doff);
				if (memcmp(buf, want, BUF))
					fail_msg("src +%zu dst +%zu n %zu", so, doff, n);
			}
}

static void test_large_and_separate(void **state)
{
	static uint8_t a[70000], b[70000];

	(void)state;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i ^ (i >> 8));
	takt_memmove(b + 3, a + 3, sizeof(a) - 3);
	assert_memory_equal(b + 3, a + 3, sizeof(a) - 3);
	takt_memmove(a + 4, a, sizeof(a) - 4);	/* libfdt's insert: shift up */
	for (size_t i = 4; i < sizeof(a); i++)
		assert_int_equal(a[i], (uint8_t)((i - 4) ^ ((i - 4) >> 8)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_overlap),
		cmocka_unit_test(test_large_and_separate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
