/* The log and trace families of /metrics: messages kept, dropped (the ring
 * was full) and filtered by level (<takt/log.h>); trace records written and
 * lost (<takt/trace.h>). */
#include <takt/log.h>
#include <takt/trace.h>

#include "http_internal.h"

static void counter(struct hbuf *b, const char *name, const char *help, uint64_t v)
{
	hbuf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n", name, help, name, name,
		    (unsigned long)v);
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
}
