/*
 * The console's transmit thread (PREEMPT_RT's threaded console, in small),
 * the default once main() runs; bootarg console.tx=ring leaves the FIFO to
 * the transmit interrupt (console.c).
 *
 * A thread "console" (FIFO 1 on CPU 0) drains the ring TX_CHUNK bytes per
 * masked stretch with interrupts let in between, calling the driver's FIFO
 * functions directly; the transmit interrupt is on only while the FIFO is
 * full, and its handler then just wakes the thread. A higher-priority
 * thread's wake-up then waits for one chunk at most, and no transmit
 * interrupt comes between its wake-up and its work (with the handler
 * filling, a burst of output did both: cyclictest's max on microvm 1591 ns,
 * 602 without output).
 *
 * The deadline: a thread above FIFO 1 that keeps CPU 0 (one that hangs
 * spinning, say) would keep the ring's last lines from going out. So
 * whenever the thread has work, a deadline TX_DUE_NS away is set in every
 * CPU's one-shot timer (time.c); a timer that finds nothing sent since
 * hands the ring to the transmit interrupt (the rescue) until it is empty,
 * then the thread has it again. Progress moves the deadline on.
 */
#include <errno.h>
#include <stdbool.h>

#include <takt/log.h>
#include <takt/sync.h>
#include <takt/time.h>

#include "arch.h"
#include "console_impl.h"
#include "kernel.h"
#include "sync/sync_impl.h"
#include "thread_impl.h"

#define TX_CHUNK 8			/* bytes per masked stretch */
#define TX_STACK 4096
#define TX_DUE_NS 20000000ull		/* 20 ms without a byte sent: the rescue */

bool console_threaded;		/* it runs and owns the FIFO */
bool console_rescue;		/* it missed its deadline: the interrupt fills */
uint64_t console_thread_bytes, console_rescues;

static bool wanted = true;	/* console.tx=thread (the default) */
static bool due_at_main;	/* main() runs: the next thread writer starts it */
static bool kicked;		/* work for it: new bytes, or the FIFO drained */
static bool irq_wait;		/* it left the FIFO full, its interrupt on */
static unsigned credit;		/* FIFO room it was told of and has not used */
static uint32_t due_sent;	/* console_ring_sent() when the deadline was set */
static struct waitq wq;
/* The driver's FIFO calls, as its tx_start passed them: the thread's
 * chunks call them directly (through tx_start and a nested klock a chunk
 * was 300 instructions with interrupts masked, 8 bytes of it the FIFO's). */
static unsigned (*room_fn)(struct tk_device *dev);
static void (*put_fn)(struct tk_device *dev, const uint8_t *buf, unsigned n);

/* klock held: the deadline in this CPU's timer only. One CPU's is
 * enough (the writer's, which may be any, is woken by it even if CPU 0
 * is held), and the others', which may run real-time threads, take no
 * extra interrupt for it (console_thread_rescue_smp). */
static void due_here(uint64_t due)
{
	__atomic_store_n(&time_console_cpu, cpu_self()->id, __ATOMIC_RELAXED);
	__atomic_store_n(&time_console_ns, due, __ATOMIC_RELAXED);
	time_event_by(due);
}

/* klock held: the thread has work and must have sent some by a deadline. */
static void due_arm(void)
{
	uint64_t due;

	if (__atomic_load_n(&time_console_ns, __ATOMIC_RELAXED))
		return;
	due_sent = console_ring_sent();
	due = time_now_ns() + TX_DUE_NS;
	due_here(due);
}

static void due_disarm(void)
{
	__atomic_store_n(&time_console_ns, 0, __ATOMIC_RELAXED);
}

void console_deadline(uint64_t now)
{
	unsigned long f = klock();
	uint64_t due = time_console_ns;
	/* bytes still the thread's to send (not polled, not rescued yet) */
	bool owed = console_ring_pending() && !console_polled && !console_rescue;

	if (!due || now < due) {
		/* not due (another CPU's timer event, or moved on) */
	} else if (owed && console_ring_sent() != due_sent) {
		due_sent = console_ring_sent();	/* it is getting on: more time */
		due_here(now + TX_DUE_NS);
	} else {
		if (owed) {
			console_rescue = true;
			console_rescues++;
			console_tx_busy = true;
			console_ops->tx_start(console_dev);
		}
		due_disarm();
	}
	kunlock(f);
}

void console_thread_kick(void)
{
	kicked = true;
	if (!waitq_empty(&wq))
		waitq_wake_one(&wq, 0);
	due_arm();
}

void console_thread_fifo_used(void)
{
	credit = 0;	/* asked again before its next put */
}

/* klock held: a chunk straight to the FIFO. @retval true when it is full
 * with bytes still to send (or the calls are not known yet): tx_start's
 * turn, which turns the interrupt on */
static bool chunk(void)
{
	if (!put_fn)
		return true;
	console_thread_bytes += console_fifo_put(console_dev, TX_CHUNK, &credit, room_fn, put_fn);
	if (console_ring_pending() && !credit)
		credit = room_fn(console_dev);
	return console_ring_pending() && !credit;
}

bool console_thread_fill(bool in_irq, unsigned (*room)(struct tk_device *dev),
			 void (*put)(struct tk_device *dev, const uint8_t *buf, unsigned n))
{
	if (in_irq) {
		console_thread_kick();	/* the FIFO drained: the thread goes on, the interrupt off */
		return false;
	}
	/* its chunk through tx_start, which learns the driver's calls here */
	room_fn = room;
	put_fn = put;
	irq_wait = chunk();
	return irq_wait;
}

/* Chunks while the ring has bytes and the FIFO room, interrupts let in
 * between; asleep while the ring is empty, the FIFO full (then its
 * interrupt, on, wakes it) or the interrupt has the ring (the rescue). */
static void *tx_main(void *arg)
{
	unsigned long f = klock();

	(void)arg;
	for (;;) {
		while (!kicked)
			sched_block(&wq, TK_FOREVER);
		kicked = false;
		irq_wait = false;
		while (console_ring_pending() && !console_polled && !irq_wait && !console_rescue) {
			if (chunk())
				console_ops->tx_start(console_dev);
			kunlock(f);
			sched_preempt_point();	/* a writer it woke, if that one outranks it */
			f = klock();
		}
		if (irq_wait || console_rescue)
			continue;
		console_tx_busy = console_ring_pending() && !console_polled;
		if (!console_tx_busy)
			due_disarm();
	}
	return 0;
}

/* Once, from the first thread writer after main() is called (so not in
 * the boot's time). */
static void start(void)
{
	struct tk_thread_attr a = { .name = "console", .stack_size = TX_STACK,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 1 },
				    .detached = true, .cpu_mask = 1 };
	tk_thread_t *t;
	unsigned long flags;

	if (!console_ops || !console_ops->tx_start || console_polled)
		return;
	waitq_init(&wq);
	if (tk_thread_create(&t, &a, tx_main, 0) != 0) {
		tk_printk("console: no transmit thread; the transmit interrupt fills the FIFO\n");
		return;
	}
	flags = klock();
	console_threaded = true;
	console_tx_busy = false;	/* the interrupt may be on: its next call wakes the thread */
	console_kick();
	kunlock(flags);
}

void console_thread_maybe_start(void)
{
	if (due_at_main && __atomic_exchange_n(&due_at_main, false, __ATOMIC_ACQ_REL))
		start();
}

void console_thread_want(bool on)
{
	wanted = on;
}

void console_thread_boot_done(void)
{
	due_at_main = wanted && !console_polled;
}

bool console_thread_boot_due(void)
{
	if (!due_at_main)
		return false;
	if (console_ring_pending())
		due_arm();
	return true;
}
