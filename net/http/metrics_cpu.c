/* The per-CPU families of /metrics: CPUs online, and per CPU its idle time
 * (utilisation is 1 - rate(idle)), threads, interrupts, IPIs and wake-ups
 * it posted to other CPUs with and without an IPI. */
#include <takt/thread.h>

#include "http_internal.h"

static void head(struct hbuf *b, const char *name, const char *type, const char *help)
{
	hbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void per_cpu(struct hbuf *b, const char *name, const char *type, const char *help,
		    uint64_t (*get)(const struct tk_cpu_stats *st))
{
	struct tk_cpu_stats st;

	head(b, name, type, help);
	for (unsigned c = 0; c < 32; c++)
		if (tk_cpu_stats(c, &st) == 0)
			hbuf_printf(b, "%s{cpu=\"%u\"} %lu\n", name, c, (unsigned long)get(&st));
}

static uint64_t threads(const struct tk_cpu_stats *st) { return st->threads; }
static uint64_t irqs(const struct tk_cpu_stats *st) { return st->irqs; }
static uint64_t ipi_sent(const struct tk_cpu_stats *st) { return st->ipi_sent; }
static uint64_t ipi_received(const struct tk_cpu_stats *st) { return st->ipi_received; }
static uint64_t wakes_no_ipi(const struct tk_cpu_stats *st) { return st->remote_wakes_no_ipi; }
static uint64_t wakes(const struct tk_cpu_stats *st) { return st->remote_wakes; }

static void idle_seconds(struct hbuf *b)
{
	struct tk_cpu_stats st;
	const char *name = "takt_cpu_idle_seconds_total";

	head(b, name, "counter", "Time the CPU ran its idle thread (utilisation: 1 - rate).");
	for (unsigned c = 0; c < 32; c++)
		if (tk_cpu_stats(c, &st) == 0)
			hbuf_printf(b, "%s{cpu=\"%u\"} %lu.%09lu\n", name, c,
				    (unsigned long)(st.idle_ns / 1000000000u),
				    (unsigned long)(st.idle_ns % 1000000000u));
}

void put_cpus(struct hbuf *b)
{
	head(b, "takt_cpus_online", "gauge", "CPUs running the scheduler.");
	hbuf_printf(b, "takt_cpus_online %u\n", tk_cpu_count());
	idle_seconds(b);
	per_cpu(b, "takt_cpu_threads", "gauge", "Threads living on the CPU.", threads);
	per_cpu(b, "takt_cpu_interrupts_total", "counter", "Interrupts the CPU took.", irqs);
	per_cpu(b, "takt_cpu_ipis_sent_total", "counter", "IPIs the CPU sent.", ipi_sent);
	per_cpu(b, "takt_cpu_ipis_received_total", "counter", "IPIs the CPU took.", ipi_received);
	per_cpu(b, "takt_cpu_remote_wakeups_total", "counter",
		"Wake-ups the CPU posted to other CPUs.", wakes);
	per_cpu(b, "takt_cpu_remote_wakeups_without_ipi_total", "counter",
		"Of those, wake-ups that did not preempt there: no IPI sent.", wakes_no_ipi);
}
