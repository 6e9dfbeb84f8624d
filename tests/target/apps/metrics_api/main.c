/* The registration API of the metrics endpoint (takt/metrics.h): what it
 * accepts and what it refuses. Needs no network: the server stays off. */
#include <errno.h>
#include <stdio.h>

#include <takt/metrics.h>

#include "tk_test.h"

static uint64_t counts[4], overflow[1], sum[1], v;

static struct tk_metrics_histogram hist(const char *name)
{
	return (struct tk_metrics_histogram){ name, "help", "thread", 1, 4, 1000, counts,
					      overflow, sum };
}

static void test_values(void)
{
	static struct tk_metrics_value ok = { "app_events_total", "events", 1, &v };
	static struct tk_metrics_value bad_name = { "9lives", "x", 0, &v };
	static struct tk_metrics_value no_value = { "app_x", "x", 0, 0 };
	static struct tk_metrics_value builtin = { "takt_uptime_seconds", "x", 0, &v };

	TK_CHECK("value_added", tk_metrics_add_value(&ok) == 0);
	TK_CHECK("value_twice_eexist", tk_metrics_add_value(&ok) == -EEXIST);
	TK_CHECK("value_bad_name", tk_metrics_add_value(&bad_name) == -EINVAL);
	TK_CHECK("value_null_pointer", tk_metrics_add_value(&no_value) == -EINVAL);
	TK_CHECK("value_null", tk_metrics_add_value(0) == -EINVAL);
	TK_CHECK("value_builtin_name_taken", tk_metrics_add_value(&builtin) == -EEXIST);
}

static void test_histograms(void)
{
	static struct tk_metrics_histogram h, clash, bad, zero;
	static struct tk_metrics_histogram many[TK_METRICS_MAX];
	static char names[TK_METRICS_MAX][24];
	int added = 0, last = 0;

	h = hist("app_latency_seconds");
	clash = hist("app_latency_seconds_bucket");
	bad = hist("app latency");
	zero = hist("app_zero_seconds");
	zero.buckets = 0;
	TK_CHECK("histogram_added", tk_metrics_add_histogram(&h) == 0);
	TK_CHECK("histogram_suffix_clash", tk_metrics_add_histogram(&clash) == -EEXIST);
	TK_CHECK("histogram_bad_name", tk_metrics_add_histogram(&bad) == -EINVAL);
	TK_CHECK("histogram_no_buckets", tk_metrics_add_histogram(&zero) == -EINVAL);
	for (int i = 0; i < TK_METRICS_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "app_h%d_seconds", i);
		many[i] = hist(names[i]);
		last = tk_metrics_add_histogram(&many[i]);
		if (last == 0)
			added++;
	}
	/* two registrations so far: the table fills before the loop ends */
	TK_CHECK("registry_full_enospc", last == -ENOSPC && added == TK_METRICS_MAX - 2);
}

static void test_pages(void)
{
	static const char body[] = "hello\n";

	TK_CHECK("page_added", tk_metrics_add_page("/", "text/plain", body, 6) == 0);
	TK_CHECK("page_twice", tk_metrics_add_page("/", "text/plain", body, 6) == -EEXIST);
	TK_CHECK("page_no_slash", tk_metrics_add_page("x", "text/plain", body, 6) == -EINVAL);
	TK_CHECK("page_space", tk_metrics_add_page("/a b", "text/plain", body, 6) == -EINVAL);
	TK_CHECK("page_metrics_reserved",
		 tk_metrics_add_page("/metrics", "text/plain", body, 6) == -EINVAL);
	TK_CHECK("page_header_injection",
		 tk_metrics_add_page("/b", "text/plain\r\nX: y", body, 6) == -EINVAL);
	TK_CHECK("page_empty_body", tk_metrics_add_page("/c", "text/plain", body, 0) == -EINVAL);
	for (int i = 1; i < TK_METRICS_PAGES_MAX; i++) {
		static char paths[TK_METRICS_PAGES_MAX][8];

		snprintf(paths[i], sizeof(paths[i]), "/p%d", i);
		tk_metrics_add_page(paths[i], "text/plain", body, 6);
	}
	TK_CHECK("pages_full_enospc", tk_metrics_add_page("/z", "text/plain", body, 6) == -ENOSPC);
}

int main(void)
{
	test_values();
	test_histograms();
	test_pages();
	return tk_test_done();
}
