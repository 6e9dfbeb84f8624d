/*
 * The console's transmit ring (kernel/console.c) under load. The host
 * checks the output (tests/target/CMakeLists.txt, console block): every
 * line below has fixed content, so a regex that lists one thread's lines
 * in order checks each of its bytes, and a torn line fails the REJECTs.
 *
 * Under QEMU the UART never throttles: the transmit thread (or, with
 * console.tx=ring, the transmit interrupt) empties the ring as soon as it
 * runs. To fill it, one writer writes with
 * interrupts masked (tk_irq_lock) - more than the ring holds in one go - so
 * the ring fills and it must wait for room, blocked, while the others queue
 * for their turn. It runs on CPU 0, which takes the UART's interrupt and
 * runs the transmit thread: with several CPUs, one elsewhere raced the
 * interrupt on CPU 0 emptying the ring under it, and waited or not by the
 * host's timing (seen: a warm `./takt test` on the ZCU102 with no wait). "burst" mode fills the ring the same way and panics with
 * it full: the whole burst, then the PANIC line, must come out. "hog"
 * mode prints a line and keeps CPU 0 above the transmit thread for 200 ms:
 * the line must come out meanwhile (the thread's deadline hands the ring
 * to the transmit interrupt). "hogged" mode runs the load with such a hog
 * coming back every 32 ms: the ring changes hands under the writers.
 * First of all, main checks how the boot's own lines went out: into the
 * ring, none polled (console.tx=polled: polled, from the probe on).
 * "quiet" mode writes nothing for 100 ms first: the boot's lines must not
 * wait for a writer (the transmit thread's deadline sends them).
 *
 *   ct T SS <80 x letter T>   printer thread T (0..3), lines 00..39, printf
 *   cm SS <100 x M>           the masked writer, lines 00..99, tk_printk
 *   cb SS <90 x Z>            one write(1, ...) of 64 lines, 6.3 KB at once
 *   burst SS <60 x B>         burst mode, lines 00..29, then the panic
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <takt/takt.h>

#include "tk_test.h"

#define PRINTERS 4
#define PRINTER_LINES 40
#define MASKED_LINES 100
#define MASKED_PER_LOCK 50	/* 50 x 107 bytes: more than the 4 KiB ring */
#define BIG_LINES 64
#define BURST_LINES 30
#define HOG_SPIN_NS 30000000ull		/* "hogged" mode, at cpu0_hog */
#define HOG_REST_NS 2000000ull
#define PRINTER_GAP_NS 500000ull

static bool hogged;	/* "hogged" mode (below) */

static void *printer(void *arg)
{
	int t = (int)(intptr_t)arg;
	char pay[81];

	memset(pay, 'A' + t, 80);
	pay[80] = 0;
	for (int i = 0; i < PRINTER_LINES; i++) {
		printf("ct %d %02d %s\n", t, i, pay);
		if (hogged)	/* spread over several of the hog's rounds */
			tk_sleep_ns(PRINTER_GAP_NS);
		else
			tk_yield();	/* let the others in between lines */
	}
	return 0;
}

/* Its waits for room switch away and back inside its masked section:
 * tk_irq_lock's masking holds across them. (The kernel's own check is in
 * schedule(): a switch from a thread running with interrupts on once
 * resumed this writer unmasked inside the kernel, where an interrupt
 * found klock half taken and spun on it for good.) @retval lines written
 * unmasked */
static void *masked_writer(void *arg)
{
	char pay[101];
	uintptr_t unmasked = 0;

	(void)arg;
	memset(pay, 'M', 100);
	pay[100] = 0;
	for (int i = 0; i < MASKED_LINES; i += MASKED_PER_LOCK) {
		unsigned long key = tk_irq_lock();

		for (int j = i; j < i + MASKED_PER_LOCK; j++) {
			tk_printk("cm %02d %s\n", j, pay);
			unmasked += !tk_irq_masked();
		}
		tk_irq_unlock(key);
		tk_yield();
	}
	return (void *)unmasked;
}

static char big[BIG_LINES * 97];

static void *big_writer(void *arg)
{
	size_t n = 0;

	(void)arg;
	for (int i = 0; i < BIG_LINES; i++) {
		n += (size_t)snprintf(big + n, sizeof(big) - n, "cb %02d ", i);
		memset(big + n, 'Z', 90);
		n += 90;
		big[n++] = '\n';
	}
	return (void *)(intptr_t)write(1, big, n);
}

/* Transmit interrupts taken by the bound consoles. */
static uint64_t console_irqs(void)
{
	uint64_t n = 0;

	for (int i = 0; i < tk_dev_count(); i++) {
		const struct tk_device *d = tk_dev_get(i);

		if (d->drv->level == TK_LEVEL_CONSOLE)
			n += tk_irq_count((struct tk_device *)d, 0);
	}
	return n;
}

/* cpus: the thread's CPU mask, 0 for any */
static int start(tk_thread_t **t, const char *name, tk_thread_fn fn, void *arg, uint32_t cpus)
{
	struct tk_thread_attr a = { .name = name, .cpu_mask = cpus,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 10 } };

	if (hogged && tk_cpu_count() > 1)
		a.cpu_mask = tk_cpu_online_mask() & ~1u;	/* they write on while the hog has CPU 0 */
	return tk_thread_create(t, &a, fn, arg);
}

/* "hogged" mode: a FIFO 50 thread on CPU 0 spins HOG_SPIN_NS (past the
 * transmit thread's 20 ms deadline) then sleeps HOG_REST_NS, over and over
 * while the load runs, so the ring passes from the transmit thread to the
 * interrupt (the rescue) and back several times in the middle of the
 * writers' lines: they must still come out whole and in order. The
 * printers sleep PRINTER_GAP_NS between lines, so the load lasts several
 * of the hog's rounds (under -icount it would be over within one). */

static volatile bool load_done;

static void *cpu0_hog(void *arg)
{
	unsigned rounds = 0;

	(void)arg;
	while (!load_done) {
		uint64_t end = tk_now_ns() + HOG_SPIN_NS;

		while (tk_now_ns() < end && !load_done)
			;
		tk_sleep_ns(HOG_REST_NS);
		rounds++;
	}
	return (void *)(uintptr_t)rounds;
}

/* The boot's lines (before main()) went into the ring, the transmitter
 * held till main() (kernel/console.c, "The boot"): none was polled. With
 * console.tx=polled they were, from the probe on (the bootarg is read
 * before it): the way to chase a hang before main(). */
static bool boot_lines_checked(void)
{
	struct tk_console_stats st;
	const char *mode = tk_bootarg("console.tx");
	bool polled = mode && strcmp(mode, "polled") == 0;

	tk_console_stats(&st, false);
	printf("boot: %lu bytes, %lu polled writes before main\n", (unsigned long)st.bytes,
	       (unsigned long)st.polled_writes);
	if (polled)
		TK_CHECK("boot_lines_polled", st.bytes > 0 && st.polled_writes > 0);
	else
		TK_CHECK("boot_lines_not_polled", st.bytes > 0 && st.polled_writes == 0);
	return polled;
}

/* No thread writes: the transmit thread, which the first writer starts,
 * is not there, and the deadline set when main() was next hands the
 * boot's lines to the transmit interrupt (one rescue; -icount: exact). */
static int quiet(void)
{
	struct tk_console_stats st;

	tk_sleep_ns(100000000ull);
	tk_console_stats(&st, false);
	printf("quiet: %lu rescues, %lu bytes by the thread\n", (unsigned long)st.thread_rescues,
	       (unsigned long)st.thread_bytes);
	TK_CHECK("boot_lines_out_without_a_writer", st.thread_rescues == 1 && st.thread_bytes == 0);
	return tk_test_done();
}

/* tk_console_drain, on CPU 0 above the transmit thread (FIFO 1 there):
 * lines written with interrupts masked wait in the ring, since nothing
 * sends them while this runs (with console.tx=ring the transmit interrupt
 * does, at once on QEMU); a drain whose deadline has passed says so, one
 * for good waits till they are out, then one at once finds the ring
 * empty. Not from a tk_irq_lock section. */
static void *drainer(void *arg)
{
	bool thread_mode = arg != 0;
	unsigned long key = tk_irq_lock();
	int masked, past, forever, after;	/* checked once all ran: a check prints */

	for (int i = 0; i < 8; i++)
		tk_printk("drain %d: a line in the ring\n", i);
	masked = tk_console_drain(TK_FOREVER);
	tk_irq_unlock(key);
	past = tk_console_drain(tk_now_ns());
	forever = tk_console_drain(TK_FOREVER);
	after = tk_console_drain(tk_now_ns());
	TK_CHECK("drain_refused_masked", masked == -EPERM);
	if (thread_mode)
		TK_CHECK("drain_past_deadline_times_out", past == -ETIMEDOUT);
	TK_CHECK("drain_waits_till_sent", forever == 0);
	TK_CHECK("drained_ring_is_empty", after == 0);
	return 0;
}

static void drain_checked(void)
{
	struct tk_thread_attr a = { .name = "drainer", .cpu_mask = 1,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 20 } };
	const char *mode = tk_bootarg("console.tx");
	tk_thread_t *t;

	if (tk_thread_create(&t, &a, drainer, (void *)(uintptr_t)(!mode || !strcmp(mode, "thread"))))
		TK_CHECK("drainer_started", 0);
	else
		tk_thread_join(t, 0);
}

static int load(void)
{
	tk_thread_t *t[PRINTERS + 2] = { 0 }, *hog_t = 0;
	void *ret[PRINTERS + 2] = { 0 };
	struct tk_console_stats st;
	uint64_t irqs = console_irqs();
	const char *mode = tk_bootarg("console.tx");
	bool thread_mode = !mode || strcmp(mode, "thread") == 0;	/* the default */
	int err = 0;

	tk_console_stats(&st, true);
	TK_CHECK("console_is_interrupt_driven", st.ring_size > 0);
	if (hogged) {
		struct tk_thread_attr a = { .name = "hog", .cpu_mask = 1,
					    .sched = { .policy = TK_SCHED_FIFO, .prio = 50 } };

		err |= tk_thread_create(&hog_t, &a, cpu0_hog, 0);
	}
	for (int i = 0; i < PRINTERS; i++)
		err |= start(&t[i], "printer", printer, (void *)(intptr_t)i, 0);
	err |= start(&t[PRINTERS], "masked", masked_writer, 0, 1u);	/* the ring's CPU (above) */
	err |= start(&t[PRINTERS + 1], "big", big_writer, 0, 0);
	TK_CHECK("threads_started", err == 0);
	for (int i = 0; i < PRINTERS + 2; i++)
		if (t[i])	/* started */
			tk_thread_join(t[i], &ret[i]);
	load_done = true;
	void *rounds = 0;

	if (hog_t)
		tk_thread_join(hog_t, &rounds);
	tk_console_stats(&st, false);
	if (hog_t)
		printf("hog: %lu rounds on CPU 0, the ring rescued %lu times\n",
		       (unsigned long)(uintptr_t)rounds, (unsigned long)st.thread_rescues);
	printf("console: %lu bytes, %lu waits for room, %lu polled, max masked %lu ns\n",
	       (unsigned long)st.bytes, (unsigned long)st.ring_waits,
	       (unsigned long)st.polled_writes, (unsigned long)st.max_masked_ns);
	TK_CHECK("big_write_whole", (size_t)(intptr_t)ret[PRINTERS + 1] == BIG_LINES * 97u);
	TK_CHECK("masked_writer_stayed_masked", ret[PRINTERS] == 0);
	TK_CHECK("more_than_the_ring", st.bytes > 3u * st.ring_size);
	TK_CHECK("writer_waited_for_room", st.ring_waits > 0);
	TK_CHECK("never_polled", st.polled_writes == 0 && st.stuck == 0);
	if (hogged)
		TK_CHECK("ring_rescued_under_load", st.thread_rescues > 0);
	if (thread_mode)	/* the thread sends; its interrupt only wakes it, when
				 * the FIFO is full (QEMU's UARTs never are) */
		TK_CHECK("sent_by_transmit_thread", st.thread_bytes > 0);
	else
		TK_CHECK("sent_by_tx_interrupt", console_irqs() > irqs && st.thread_bytes == 0);
	return tk_test_done();
}

/* Fill the ring with interrupts masked, so nothing of it is sent yet, and
 * panic: the panic must send the burst first. */
static int burst_then_panic(void)
{
	char pay[61];

	memset(pay, 'B', 60);
	pay[60] = 0;
	tk_irq_lock();
	for (int i = 0; i < BURST_LINES; i++)
		tk_printk("burst %02d %s\n", i, pay);
	tk_panic("after a burst of %d lines", BURST_LINES);
}

/* With a second CPU: a thread there sleeps SLEEPS x 1 ms while the
 * console's deadline (armed on CPU 0 by the line) is pending. Only the
 * arming CPU's timer carries the deadline, so each of its sleeps is one
 * timer interrupt there at most (with the deadline in every CPU's timer,
 * CPU 1 took one more each 20 ms). At most, not exactly: the test runs on
 * the wall clock, and a sleep whose 1 ms has passed before it blocks (the
 * host held the vCPU that long) returns without a timer (sleep.c); one in
 * a warm `./takt test` counted 99. Most must take theirs. */
#define SLEEPS 100

static void *cpu1_sleeper(void *arg)
{
	struct tk_cpu_stats a, b;

	(void)arg;
	tk_cpu_stats(1, &a);
	for (int i = 0; i < SLEEPS; i++)
		tk_sleep_ns(1000000);
	tk_cpu_stats(1, &b);
	return (void *)(uintptr_t)(b.timer_irqs - a.timer_irqs);
}

/* A line, then CPU 0 kept by a FIFO 50 thread (main) spinning on the
 * clock for 200 ms, which the transmit thread (FIFO 1, CPU 0) cannot
 * preempt: the line is out during the spin, by the rescue. */
static int hog(void)
{
	struct tk_console_stats st;
	struct tk_thread_attr a = { .name = "cpu1", .cpu_mask = 2,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 60 } };
	tk_thread_t *t = 0;
	void *irqs = 0;
	uint64_t end;

	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	tk_console_stats(&st, true);
	printf("hog: spinning on CPU 0 now\n");
	if (tk_cpu_count() > 1)
		TK_CHECK("cpu1_sleeper_started", tk_thread_create(&t, &a, cpu1_sleeper, 0) == 0);
	end = tk_now_ns() + 200000000;
	while (tk_now_ns() < end)
		;
	tk_console_stats(&st, false);
	TK_CHECK("line_out_while_spinning", st.thread_rescues >= 1);
	if (t) {
		tk_thread_join(t, &irqs);
		printf("hog: CPU 1: %lu timer interrupts for %d sleeps\n",
		       (unsigned long)(uintptr_t)irqs, SLEEPS);
		TK_CHECK("deadline_only_on_arming_cpu",
			 (uintptr_t)irqs <= SLEEPS && (uintptr_t)irqs >= SLEEPS / 2);
	}
	return tk_test_done();
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "quiet") == 0)
		return quiet();
	if (boot_lines_checked())
		return tk_test_done();	/* console.tx=polled: no ring to load */
	drain_checked();
	if (argc > 1 && strcmp(argv[1], "burst") == 0)
		return burst_then_panic();
	if (argc > 1 && strcmp(argv[1], "hog") == 0)
		return hog();
	hogged = argc > 1 && strcmp(argv[1], "hogged") == 0;
	return load();
}
