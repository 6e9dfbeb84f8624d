/* The log, trace and wall-clock families of /metrics: messages kept,
 * dropped (the ring was full) and filtered by level (<takt/log.h>); trace
 * records written and lost (<takt/trace.h>); whether the wall clock is set,
 * by what, and its last step (<takt/time.h>). */
#include <takt/log.h>
#include <takt/time.h>
#include <takt/trace.h>

#include "http_internal.h"

static void counter(struct hbuf *b, const char *name, const char *help, uint64_t v)
{
	hbuf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n", name, help, name, name,
		    (unsigned long)v);
}

static void put_time(struct hbuf *b)
{
	struct tk_realtime_state st;
	static const char *const src[] = { "none", "set", "sntp" };
	int64_t step;

	tk_realtime_state(&st);
	step = st.last_step_ns;
	hbuf_printf(b, "# HELP takt_time_synced 1 once the wall clock was set, by source "
		    "(sntp, or set by clock_settime).\n# TYPE takt_time_synced gauge\n"
		    "takt_time_synced{source=\"%s\"} %d\n",
		    src[st.source <= TK_TIME_SNTP ? st.source : 0], st.source != TK_TIME_NONE);
	counter(b, "takt_time_sets_total", "Times the wall clock was set.", st.sets);
	hbuf_printf(b, "# HELP takt_time_last_step_seconds How far the last set moved the wall "
		    "clock (its offset from the server, for SNTP).\n"
		    "# TYPE takt_time_last_step_seconds gauge\n"
		    "takt_time_last_step_seconds %s%lu.%09lu\n", step < 0 ? "-" : "",
		    (unsigned long)((step < 0 ? -step : step) / 1000000000),
		    (unsigned long)((step < 0 ? -step : step) % 1000000000));
}

void put_log(struct hbuf *b)
{
	struct tk_log_stats ls;
	struct tk_trace_stats ts;
	const char *m = "takt_log_messages_total";

	tk_log_stats(&ls);
	hbuf_printf(b, "# HELP %s Log messages (tk_log, and kernel lines while a backend is "
		    "registered), by outcome.\n# TYPE %s counter\n", m, m);
	hbuf_printf(b, "%s{outcome=\"kept\"} %lu\n%s{outcome=\"dropped\"} %lu\n"
		    "%s{outcome=\"filtered\"} %lu\n", m, (unsigned long)ls.logged, m,
		    (unsigned long)ls.dropped, m, (unsigned long)ls.filtered);
	tk_trace_stats(&ts);
	counter(b, "takt_trace_records_total", "Scheduler trace records written.", ts.recorded);
	counter(b, "takt_trace_lost_total", "Scheduler trace records overwritten or refused.",
		ts.lost);
	put_time(b);
}
