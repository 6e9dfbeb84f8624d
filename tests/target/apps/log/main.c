/*
 * Leveled logging (<takt/log.h>, issue 13 item 3), booted with
 * "log.level=warning log.net=debug" and three bad log.* settings: filters
 * by level and module, the refusals, a backend that sees every message kept
 * in sequence (kernel lines too, the boot's included), and a flood that fills the ring while the
 * log thread cannot run: exactly the ring's size kept, the rest counted as
 * dropped, the kept ones written in order once main lets it run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/log.h>
#include <takt/time.h>
#include <takt/takt.h>

#include "tk_test.h"

#define FLOOD 1000

static struct {
	uint64_t n, last_seq, gaps, kernel, app;
	char first_module[TK_LOG_MODULE_MAX + 1];
	uint64_t first_seq;
} seen;

static void count(const struct tk_log_msg *m, void *arg)
{
	(void)arg;
	if (!seen.n) {
		seen.first_seq = m->seq;
		strcpy(seen.first_module, m->module);
	}
	if (seen.last_seq && m->seq != seen.last_seq + 1)
		seen.gaps++;
	seen.last_seq = m->seq;
	seen.n++;
	if (!strcmp(m->module, "kernel") && m->on_console)
		seen.kernel++;
	if (!strcmp(m->module, "app"))
		seen.app++;
}

static void filters(void)
{
	struct tk_log_stats a, b;

	tk_log_stats(&a);
	tk_log(TK_LOG_INFO, "hidden: info is below warning");
	tk_log(TK_LOG_WARNING, "shown: a warning");
	tk_log_module("net", TK_LOG_DEBUG, "shown: net debug (log.net=debug)");
	tk_log_module("disk", TK_LOG_NOTICE, "hidden: disk notice");
	tk_log_stats(&b);
	TK_CHECK("filtered_counted", b.filtered - a.filtered == 2);
	TK_CHECK("levels", tk_log_level_of("app") == TK_LOG_WARNING &&
			   tk_log_level_of("net") == TK_LOG_DEBUG);
	TK_CHECK("parse_level", tk_log_parse_level("err") == TK_LOG_ERR &&
				tk_log_parse_level("7") == TK_LOG_DEBUG &&
				tk_log_parse_level("loud") == -EINVAL);
	TK_CHECK("set_level_refusals", tk_log_set_level("Bad!", 3) == -EINVAL &&
				       tk_log_set_level("app", 8) == -EINVAL &&
				       tk_log_set_level("sixteen-chars-xx", 3) == -EINVAL);
	tk_log_stats(&a);
	tk_log_module(0, TK_LOG_ERR, "no module");
	tk_log_module("app", 8, "no such level");
	tk_log_module("app", TK_LOG_ERR, 0);
	tk_log_stats(&b);
	TK_CHECK("bad_calls_ignored", b.logged == a.logged && b.filtered == a.filtered &&
				      b.dropped == a.dropped);
	{
		char t[32] = "x";

		TK_CHECK("time_format_short_buffer", tk_realtime_format(0, t, 27) == 0 && !t[0]);
		TK_CHECK("time_format", tk_realtime_format(1764932100123456789ull, t, sizeof(t)) ==
				       27 && !strcmp(t, "2025-12-05T10:55:00.123456Z"));
	}
	TK_CHECK("backend_refusals", tk_log_backend_add(0) == -EINVAL &&
				     tk_log_backend_add(&(struct tk_log_backend){ "x", 0, 0 }) ==
				     -EINVAL);
}

static void flood(void)
{
	struct tk_log_stats a, b;

	/* main outranks the log thread on CPU 0: nothing is written meanwhile */
	TK_CHECK("flush_before", tk_log_flush(tk_after_ns(5000000000ull)) == 0);
	tk_log_stats(&a);
	for (unsigned i = 0; i < FLOOD; i++)
		tk_log(TK_LOG_ERR, "flood %u", i);
	tk_log_stats(&b);
	printf("log app: flood: %lu kept, %lu dropped\n", (unsigned long)(b.logged - a.logged),
	       (unsigned long)(b.dropped - a.dropped));
	TK_CHECK("flood_fills_the_ring", b.logged - a.logged == b.ring_size &&
					 b.dropped - a.dropped == FLOOD - b.ring_size);
	TK_CHECK("flush_after", tk_log_flush(tk_after_ns(10000000000ull)) == 0);
	tk_log_stats(&b);
	TK_CHECK("all_written", b.written == b.logged);
}

static void cost(void)
{
	uint64_t t0, t1, t2;

	tk_log_flush(tk_after_ns(5000000000ull));
	t0 = tk_now_ns();
	for (unsigned i = 0; i < 100; i++)
		tk_log(TK_LOG_DEBUG, "filtered %u", i);
	t1 = tk_now_ns();
	for (unsigned i = 0; i < 100; i++)
		tk_log(TK_LOG_ERR, "kept %u", i);
	t2 = tk_now_ns();
	printf("log app: a call costs %lu ns filtered, %lu ns kept (formatting included)\n",
	       (unsigned long)((t1 - t0) / 100), (unsigned long)((t2 - t1) / 100));
	tk_log_flush(tk_after_ns(5000000000ull));
}

int main(void)
{
	struct tk_log_stats st;

	TK_CHECK("backend_added", tk_log_backend_add(&(struct tk_log_backend){
		"counter", count, 0 }) == 0);
	tk_printk("log app: a kernel line\n");
	filters();
	flood();
	cost();
	tk_log_stats(&st);
	printf("log app: backend saw %lu messages (%lu kernel, %lu app), %lu gaps; "
	       "logged %lu\n", (unsigned long)seen.n, (unsigned long)seen.kernel,
	       (unsigned long)seen.app, (unsigned long)seen.gaps, (unsigned long)st.logged);
	TK_CHECK("backend_sees_every_message_in_order", seen.n == st.logged && !seen.gaps &&
		 seen.kernel >= 1);
	/* added in main, it still gets the boot's kernel lines, from the first */
	TK_CHECK("backend_gets_the_boot_lines", seen.first_seq == 1 &&
		 !strcmp(seen.first_module, "kernel") && seen.kernel > 5);
	return tk_test_done();
}
