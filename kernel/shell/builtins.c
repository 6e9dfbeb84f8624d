/*
 * The shell's built-in commands: threads, stats, log, reboot (help is the
 * shell's own).
 */
#include <stdio.h>
#include <string.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/shell.h>
#include <takt/takt.h>

#include "shell_impl.h"

#define LIST_MAX 64

struct row {
	tk_thread_t *t;
	char name[TK_NAME_MAX];
};

struct list {
	unsigned n, more;
	struct row rows[LIST_MAX];
};

/* tk_thread_foreach's callback: under the sync lock, copy only. */
static void collect(tk_thread_t *t, void *arg)
{
	struct list *l = arg;

	if (l->n == LIST_MAX) {
		l->more++;
		return;
	}
	l->rows[l->n].t = t;
	strncpy(l->rows[l->n].name, tk_thread_name(t), TK_NAME_MAX - 1);
	l->rows[l->n++].name[TK_NAME_MAX - 1] = 0;
}

static const char *policy(const struct tk_sched *s)
{
	return s->policy == TK_SCHED_DEADLINE ? "deadline" : s->policy == TK_SCHED_RR ? "rr" : "fifo";
}

static int cmd_threads(int argc, char **argv)
{
	static struct list l;	/* one shell thread: no other user */
	struct tk_thread_stats st;
	struct tk_sched s;

	(void)argc, (void)argv;
	l.n = l.more = 0;
	tk_thread_foreach(collect, &l);
	printf("  %4s %-16s %3s %-8s %12s %8s %6s\n", "id", "name", "cpu", "policy", "cpu_ns",
	       "switches", "misses");
	for (unsigned i = 0; i < l.n; i++) {
		/* it may have exited since: then its figures are not read */
		if (tk_thread_stats(l.rows[i].t, &st) || tk_thread_getsched(l.rows[i].t, &s))
			continue;
		printf("  %4u %-16s %3u %-8s %12lu %8lu %6u\n", (unsigned)st.id, l.rows[i].name,
		       st.cpu, policy(&s), (unsigned long)st.cpu_ns,
		       (unsigned long)st.switches, (unsigned)st.misses);
	}
	if (l.more)
		printf("  (%u more)\n", l.more);
	return 0;
}

static int cmd_stats(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("  %3s %12s %8s %8s %8s\n", "cpu", "idle_ns", "irqs", "ipis", "threads");
	for (unsigned c = 0; c < tk_cpu_count(); c++) {
		struct tk_cpu_stats st;

		if (tk_cpu_stats(c, &st) == 0)
			printf("  %3u %12lu %8lu %8lu %8u\n", c, (unsigned long)st.idle_ns,
			       (unsigned long)st.irqs, (unsigned long)st.ipi_received,
			       st.threads);
	}
	struct tk_sleep_lead_stats ls;

	tk_sleep_lead_stats(&ls);
	if (ls.mode == TK_SLEEP_LEAD_AUTO)
		printf("  sleep lead: auto, %u ns here", (unsigned)ls.lead_ns);
	else
		printf("  sleep lead: %s%u ns", ls.mode ? "fixed, " : "off, ", (unsigned)ls.lead_ns);
	printf("; %lu led wake-ups, %lu late, %lu ns spun\n", (unsigned long)ls.wakes,
	       (unsigned long)ls.late, (unsigned long)ls.spun_ns);
	return 0;
}

static int cmd_log(int argc, char **argv)
{
	struct tk_console_stats st;

	(void)argc, (void)argv;
	tk_console_stats(&st, false);
	/* newlib-nano's printf has no %ll: unsigned long is 64-bit on both arches */
	printf("  console: %lu bytes out (%lu by the transmit thread, %lu rescues), %lu waits "
	       "for room, %lu polled; %lu bytes in, %lu dropped\n", (unsigned long)st.bytes,
	       (unsigned long)st.thread_bytes, (unsigned long)st.thread_rescues,
	       (unsigned long)st.ring_waits, (unsigned long)st.polled_writes,
	       (unsigned long)st.rx_bytes, (unsigned long)st.rx_dropped);
	return 0;
}

static int cmd_reboot(int argc, char **argv)
{
	(void)argc, (void)argv;
	printf("shell: resetting the board\n");
	fflush(stdout);
	tk_reset();
}

void shell_builtins(void)
{
	tk_shell_register("threads", "every thread: id, name, cpu, policy, figures", cmd_threads);
	tk_shell_register("stats", "per CPU: idle time, interrupts, IPIs, threads", cmd_stats);
	tk_shell_register("log", "the console's counters", cmd_log);
	tk_shell_register("reboot", "reset the board", cmd_reboot);
}
