/*
 * kernel/bootargs.c: /chosen/bootargs -> argv, shell-like quoting, and the
 * limits (argv capacity, unterminated quotes, trailing backslash).
 */
#include <errno.h>

#include "fixture.h"

#include "bootargs.h"

#define MAXV 8

/* Split a copy of line (in an exact-size buffer, for ASan) and compare. */
static void expect_split(const char *line, int want_argc, const char *const *want)
{
	char *buf = strdup(line);
	char *argv[MAXV];

	assert_int_equal(tk_bootargs_split(buf, "app", argv, MAXV), want_argc);
	assert_string_equal(argv[0], "app");
	for (int i = 1; i < want_argc; i++)
		assert_string_equal(argv[i], want[i - 1]);
	assert_null(argv[want_argc]);
	free(buf);
}

static int split_rc(const char *line, int max)
{
	char *buf = strdup(line);
	char *argv[MAXV];
	int rc = tk_bootargs_split(buf, "app", argv, max);

	free(buf);
	return rc;
}

static void test_split_null_buf_gives_prog_only(void **state)
{
	char *argv[2] = { (char *)"x", (char *)"y" };

	(void)state;
	assert_int_equal(tk_bootargs_split(NULL, "hello", argv, 2), 1);
	assert_string_equal(argv[0], "hello");
	assert_null(argv[1]);
}

static void test_split_empty_string_gives_prog_only(void **state)
{
	(void)state;
	expect_split("", 1, NULL);
}

static void test_split_blanks_only_give_prog_only(void **state)
{
	(void)state;
	expect_split(" \t\n  ", 1, NULL);
}

static void test_split_separates_on_space_tab_newline(void **state)
{
	static const char *const want[] = { "a", "bc", "d", "e" };

	(void)state;
	expect_split("  a bc\td\n\ne  ", 5, want);
}

static void test_split_double_quotes_group_and_are_removed(void **state)
{
	static const char *const want[] = { "big world", "x=a b", "it's" };

	(void)state;
	expect_split("\"big world\" x=\"a b\" \"it's\"", 4, want);
}

static void test_split_single_quotes_keep_backslash_and_double_quote(void **state)
{
	static const char *const want[] = { "a\\b \"c\"" };

	(void)state;
	expect_split("'a\\b \"c\"'", 2, want);
}

static void test_split_backslash_escapes_blank_quote_and_backslash(void **state)
{
	static const char *const want[] = { "a b", "\"q\"", "back\\slash", "in\"side" };

	(void)state;
	expect_split("a\\ b \\\"q\\\" back\\\\slash \"in\\\"side\"", 5, want);
}

static void test_split_empty_quotes_give_empty_argument(void **state)
{
	static const char *const want[] = { "", "x", "" };

	(void)state;
	expect_split("\"\" x ''", 4, want);
}

static void test_split_rejects_unterminated_quote(void **state)
{
	(void)state;
	assert_int_equal(split_rc("a \"bc", MAXV), -EINVAL);
	assert_int_equal(split_rc("'abc", MAXV), -EINVAL);
}

static void test_split_rejects_trailing_backslash(void **state)
{
	(void)state;
	assert_int_equal(split_rc("abc\\", MAXV), -EINVAL);
	assert_int_equal(split_rc("'\\'", MAXV), 2); /* literal inside single quotes */
}

static void test_split_too_many_args_returns_e2big(void **state)
{
	(void)state;
	/* max 4: prog + 2 args + NULL */
	assert_int_equal(split_rc("a b", 4), 3);
	assert_int_equal(split_rc("a b c", 4), -E2BIG);
	assert_int_equal(split_rc("a b c d e f g h", MAXV), -E2BIG);
}

static void test_split_rejects_argv_without_room(void **state)
{
	char *argv[1];
	char buf[] = "a";

	(void)state;
	assert_int_equal(tk_bootargs_split(buf, "app", argv, 1), -EINVAL);
	assert_int_equal(tk_bootargs_split(buf, "app", NULL, 4), -EINVAL);
}

/* The real path: /chosen/bootargs read through the checked accessor. */
static void test_split_chosen_bootargs_of_virt_fixture(void **state)
{
	void *fdt = dtb_load("virt");
	const char *line;
	char buf[64];
	char *argv[MAXV];

	(void)state;
	assert_int_equal(tk_dt_prop_str(fdt, dt_node(fdt, "/chosen"), "bootargs", &line), 0);
	snprintf(buf, sizeof(buf), "%s", line);
	assert_int_equal(tk_bootargs_split(buf, "hello", argv, MAXV), 3);
	assert_string_equal(argv[1], "hello");
	assert_string_equal(argv[2], "big world");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_null_buf_gives_prog_only),
		cmocka_unit_test(test_split_empty_string_gives_prog_only),
		cmocka_unit_test(test_split_blanks_only_give_prog_only),
		cmocka_unit_test(test_split_separates_on_space_tab_newline),
		cmocka_unit_test(test_split_double_quotes_group_and_are_removed),
		cmocka_unit_test(test_split_single_quotes_keep_backslash_and_double_quote),
		cmocka_unit_test(test_split_backslash_escapes_blank_quote_and_backslash),
		cmocka_unit_test(test_split_empty_quotes_give_empty_argument),
		cmocka_unit_test(test_split_rejects_unterminated_quote),
		cmocka_unit_test(test_split_rejects_trailing_backslash),
		cmocka_unit_test(test_split_too_many_args_returns_e2big),
		cmocka_unit_test(test_split_rejects_argv_without_room),
		cmocka_unit_test(test_split_chosen_bootargs_of_virt_fixture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
