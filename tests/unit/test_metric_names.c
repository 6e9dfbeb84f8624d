/*
 * The metrics registry's name rules (net/http/parse.c): Prometheus metric
 * and label names, and names that clash through a histogram's _bucket,
 * _sum and _count series.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../net/http/parse.h"

static void test_metric_and_label_names(void **state)
{
	char long_name[HTTP_METRIC_NAME_MAX + 2];

	(void)state;
	assert_true(http_metric_name_ok("takt_cyclictest_latency_seconds"));
	assert_true(http_metric_name_ok("_x:y_1"));
	assert_true(http_metric_name_ok("A"));
	assert_false(http_metric_name_ok(NULL));
	assert_false(http_metric_name_ok(""));
	assert_false(http_metric_name_ok("1abc"));
	assert_false(http_metric_name_ok("a-b"));
	assert_false(http_metric_name_ok("a b"));
	assert_false(http_metric_name_ok("caf\xc3\xa9"));
	memset(long_name, 'm', sizeof(long_name) - 2);
	long_name[HTTP_METRIC_NAME_MAX] = 0;
	assert_true(http_metric_name_ok(long_name));
	long_name[HTTP_METRIC_NAME_MAX] = 'm';
	long_name[HTTP_METRIC_NAME_MAX + 1] = 0;
	assert_false(http_metric_name_ok(long_name));
	assert_true(http_label_name_ok("thread"));
	assert_true(http_label_name_ok("_t2"));
	assert_false(http_label_name_ok("a:b"));	/* colons are for metric names */
	assert_false(http_label_name_ok("le"));
	assert_false(http_label_name_ok("__name__"));
	assert_false(http_label_name_ok("9x"));
	assert_false(http_label_name_ok(""));
	assert_false(http_label_name_ok(NULL));
}

static void test_names_clash_through_histogram_suffixes(void **state)
{
	(void)state;
	assert_true(http_names_clash("a", false, "a", false));
	assert_false(http_names_clash("a", false, "ab", false));
	assert_false(http_names_clash("a_count", false, "a", false));	/* a is no histogram */
	assert_true(http_names_clash("a_count", false, "a", true));
	assert_true(http_names_clash("a", true, "a_bucket", false));
	assert_true(http_names_clash("x", true, "x", true));
	assert_false(http_names_clash("x", true, "y", true));
	assert_true(http_names_clash("x_sum", true, "x", true));	/* x_sum is x's sum */
	assert_false(http_names_clash("lat", true, "lat_seconds", true));
	assert_true(http_names_clash("takt_uptime", true, "takt_uptime_count", false));
	assert_false(http_names_clash("takt_uptime_seconds", true, "takt_uptime", false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_and_label_names),
		cmocka_unit_test(test_names_clash_through_histogram_suffixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
