/* The kernel log's formatter gives vsnprintf's text and return value for
 * every format it takes, and refuses (-1) the others. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "log_fmt.h"

static int fmt_both(size_t size, char *ours, char *libc, const char *fmt, ...)
{
	va_list ap, aq;
	int r;

	va_start(ap, fmt);
	va_copy(aq, ap);
	r = log_fmt(ours, size, fmt, ap);
	assert_int_equal(r, vsnprintf(libc, size, fmt, aq));
	va_end(aq);
	va_end(ap);
	return r;
}

/* log_fmt on fmt with one argument that no conversion it takes would read. */
static int fmt_refused(char *buf, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = log_fmt(buf, 16, fmt, ap);
	va_end(ap);
	return r;
}

#define SAME(size, ...)                                                        \
	do {                                                                   \
		char a[64], b[64];                                             \
		memset(a, 'x', sizeof(a));                                     \
		memset(b, 'x', sizeof(b));                                     \
		fmt_both(size, a, b, __VA_ARGS__);                             \
		assert_memory_equal(a, b, sizeof(a));                          \
	} while (0)

static void test_boot_lines_as_vsnprintf_writes_them(void **state)
{
	(void)state;
	SAME(64, "dev: %s -> %s\n", "/pl011@9000000", "pl011");
	SAME(64, "boot: image at 0x%lx, %lu KiB\n", 0x40200000ul, 260ul);
	SAME(64, "features 0x%x_%08x of 0x%x_%08x\n", 0u, 0u, 0u, 0x39000000u);
	SAME(64, "dev: %s failed (%d): %s\n", "/x", -19, "why");
	SAME(64, "100%% %c%c", 'o', 'k');
}

static void test_widths_flags_and_lengths_as_vsnprintf(void **state)
{
	(void)state;
	SAME(64, "[%5d|%-5d|%05d|%-05d]", -42, -42, -42, -42);
	SAME(64, "[%3u|%03u|%1u|%0u]", 12345u, 7u, 0u, 0u);
	SAME(64, "[%d|%d|%i]", INT_MIN, INT_MAX, 0);
	SAME(64, "[%ld|%lld|%llu]", LONG_MIN, LLONG_MIN, ULLONG_MAX);
	SAME(64, "[%lx|%llX|%zu|%zx]", ~0ul, 0xabcdefull, (size_t)12, (size_t)255);
	SAME(64, "[%8s|%-8s|%2s|%s]", "ab", "ab", "abcdef", (char *)NULL);
	SAME(64, "[%3c|%-3c]", 'a', 'b');
	SAME(64, "no conversions");
	SAME(64, "");
}

static void test_truncation_as_vsnprintf(void **state)
{
	(void)state;
	SAME(8, "dev: %s -> %s\n", "/pl011@9000000", "pl011");
	SAME(1, "abc%d", 5);
	SAME(5, "%08x", 0x1234u);
	SAME(0, "abc%s", "def");
}

static void test_other_conversions_are_left_to_vsnprintf(void **state)
{
	const char *refused[] = { "%p", "%.3s", "%*d", "%+d", "% d", "%#x", "%o", "%f",
				  "%ls", "%lc", "%05s", "%5%", "%hd", "%jd", "trailing %" };
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_int_equal(fmt_refused(buf, refused[i]), -1);
	/* a refusal after conversions it did: still -1, the caller redoes all */
	assert_int_equal(fmt_refused(buf, "%s %d %p", "a", 1, (void *)buf), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_lines_as_vsnprintf_writes_them),
		cmocka_unit_test(test_widths_flags_and_lengths_as_vsnprintf),
		cmocka_unit_test(test_truncation_as_vsnprintf),
		cmocka_unit_test(test_other_conversions_are_left_to_vsnprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
