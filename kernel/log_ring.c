/*
 * tk_log's ring (<takt/log.h>): a bounded multi-producer queue of
 * fixed-size messages (Vyukov's design). A producer claims the next
 * position with one compare-and-swap, formats the message into its slot
 * and publishes it; no lock, no masked interrupts, no waiting: a full ring
 * drops the message and counts it. Each slot has a turn: 2L when free for
 * lap L of the ring, 2L + 1 once lap L's message is in it.
 *
 * One consumer, the "log" thread (FIFO 1, started by the first message or
 * backend), writes each message to the console (kernel lines are there
 * already) and hands it to the backends, in order.
 *
 * The boot's kernel lines are kept for the backends that the TK_INIT
 * functions add (remote syslog): every kernel line goes into the ring until
 * main() is called, and the log thread hands nothing out before then
 * unless a backend is there to take it. After that, kernel lines go into
 * the ring only while there is a backend. A backend an app adds in main()
 * still gets the boot's lines if no tk_log call had started the thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <takt/log.h>
#include <takt/spinlock.h>
#include <takt/sync.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "kernel.h"
#include "log_ring.h"
#include "thread_impl.h"

/* messages: the app's choice (log_ring.h) */
#define RING (1u << log_ring_order)
#define BACKENDS_MAX 4
#define KERNEL_POLL_MS 50

#define ring log_ring
static uint64_t enq, deq;	/* next position to claim / to hand out */
static uint64_t dropped, filtered, written;
static struct tk_log_backend backends[BACKENDS_MAX];
static unsigned nbackends;
static struct tk_sem wake, flushed;
static bool thread_started, sems_ready, waiting, flush_wanted, boot_done;
static tk_thread_t *log_thread;

/* Claim a slot: its message, or NULL when the ring is full. */
static struct tk_log_msg *claim(uint64_t *pos_out)
{
	uint64_t pos = __atomic_load_n(&enq, __ATOMIC_RELAXED);

	for (;;) {
		struct log_slot *s = &ring[pos & (RING - 1)];
		uint64_t turn = __atomic_load_n(&s->turn, __ATOMIC_ACQUIRE),
			 lap = pos >> log_ring_order;

		if (turn == 2 * lap) {
			if (__atomic_compare_exchange_n(&enq, &pos, pos + 1, true, __ATOMIC_RELAXED,
							__ATOMIC_RELAXED)) {
				*pos_out = pos;
				return &s->msg;
			}
		} else if (turn < 2 * lap) {
			return 0;	/* lap L - 1's message not handed out yet: full */
		} else {
			pos = __atomic_load_n(&enq, __ATOMIC_RELAXED);
		}
	}
}

/* wake: give the log thread's semaphore. Not for kernel lines: tk_printk
 * runs under the scheduler's lock too, where a wake-up may not switch; the
 * log thread looks for them every KERNEL_POLL_MS instead. */
static void publish(uint64_t pos, bool wake_now)
{
	__atomic_store_n(&ring[pos & (RING - 1)].turn, 2 * (pos >> log_ring_order) + 1,
			 __ATOMIC_RELEASE);
	if (wake_now && __atomic_exchange_n(&waiting, false, __ATOMIC_SEQ_CST))
		tk_sem_give(&wake);
}

static void start_thread(void);

static bool realtime_known(void)
{
	struct tk_realtime_state st;

	tk_realtime_state(&st);
	return st.source != TK_TIME_NONE;
}

static void put(const char *module, int level, bool on_console, const char *text, size_t len)
{
	uint64_t pos;
	struct tk_log_msg *m = claim(&pos);

	if (!m) {
		__atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	m->seq = pos + 1;
	m->ts_ns = tk_now_ns();
	m->realtime_ns = realtime_known() ? tk_realtime_ns() : 0;
	m->level = (uint8_t)level;
	m->on_console = on_console;
	/* not strncpy: its padding of the rest went a byte at a time, 90
	 * instructions a kernel line; readers stop at the NUL */
	size_t mlen = 0;

	for (; mlen < TK_LOG_MODULE_MAX && module[mlen]; mlen++)
		m->module[mlen] = module[mlen];
	m->module[mlen] = 0;
	if (len > TK_LOG_TEXT_MAX)
		len = TK_LOG_TEXT_MAX;
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	memcpy(m->text, text, len);
	m->text[len] = 0;
	m->len = (uint16_t)len;
	publish(pos, !on_console);
}

void tk_log_module(const char *module, int level, const char *fmt, ...)
{
	char text[TK_LOG_TEXT_MAX + 2];
	va_list ap;
	int n;

	if (!module || !fmt || level < 0 || level > TK_LOG_DEBUG)
		return;
	if (level > tk_log_level_of(module)) {
		__atomic_fetch_add(&filtered, 1, __ATOMIC_RELAXED);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	put(module, level, false, text, n < 0 ? 0 : (size_t)n < sizeof(text) ? (size_t)n :
	    sizeof(text) - 1);
	start_thread();
}

void log_kernel_line(const char *line, size_t len)
{
	if (__atomic_load_n(&nbackends, __ATOMIC_ACQUIRE) ||
	    !__atomic_load_n(&boot_done, __ATOMIC_ACQUIRE))
		put("kernel", !strncmp(line, "PANIC:", 6) ? TK_LOG_CRIT :
		    TK_LOG_INFO, true, line, len);
}

/* ---- the log thread ---- */

/* [RFC 3339 time] once the wall clock is set, [seconds since boot] before. */
static void write_console(const struct tk_log_msg *m)
{
	char line[TK_LOG_TEXT_MAX + 80], when[32];
	int n;

	if (m->realtime_ns)
		tk_realtime_format(m->realtime_ns, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "%lu.%06lu", (unsigned long)(m->ts_ns / 1000000000u),
			 (unsigned long)(m->ts_ns / 1000u % 1000000u));
	n = snprintf(line, sizeof(line), "[%s] #%lu %s %s: %s\n", when, (unsigned long)m->seq,
		     tk_log_level_name(m->level), m->module, m->text);

	tk_console_write(line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* Hand out what is published, in order; false when the next is not yet. */
static bool hand_out_one(void)
{
	struct log_slot *s = &ring[deq & (RING - 1)];
	uint64_t lap = deq >> log_ring_order;
	unsigned nb;

	if (__atomic_load_n(&s->turn, __ATOMIC_ACQUIRE) != 2 * lap + 1)
		return false;
	nb = __atomic_load_n(&nbackends, __ATOMIC_ACQUIRE);
	if (!nb && !__atomic_load_n(&boot_done, __ATOMIC_ACQUIRE))
		return false;	/* held for the backends the boot may add */
	if (!s->msg.on_console)
		write_console(&s->msg);
	for (unsigned i = 0; i < nb; i++)
		backends[i].emit(&s->msg, backends[i].arg);
	__atomic_store_n(&s->turn, 2 * (lap + 1), __ATOMIC_RELEASE);
	deq++;
	__atomic_store_n(&written, written + 1, __ATOMIC_RELEASE);
	return true;
}

static void *log_main(void *arg)
{
	(void)arg;
	for (;;) {
		while (hand_out_one())
			;
		if (__atomic_exchange_n(&flush_wanted, false, __ATOMIC_SEQ_CST))
			tk_sem_give(&flushed);
		__atomic_store_n(&waiting, true, __ATOMIC_SEQ_CST);
		if (hand_out_one()) {	/* published meanwhile: no wake-up may come */
			__atomic_store_n(&waiting, false, __ATOMIC_SEQ_CST);
			continue;
		}
		tk_sem_take(&wake, __atomic_load_n(&nbackends, __ATOMIC_ACQUIRE) ?
			    tk_after_ns(KERNEL_POLL_MS * 1000000ull) : TK_FOREVER);
	}
	return 0;
}

/* From thread context, once: an interrupt handler's message waits for the
 * next caller (or backend) to start it. */
static void start_thread(void)
{
	/* On the boot CPU: there it yields to every other thread, and a flood
	 * from a busier thread there fills the ring the same way every run. */
	struct tk_thread_attr a = { .name = "log", .stack_size = 8192,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = 1 },
				    .detached = true, .cpu_mask = 1 };
	bool no = false;

	if (__atomic_load_n(&thread_started, __ATOMIC_ACQUIRE) || sched_in_irq() ||
	    !tk_thread_self())
		return;
	if (!__atomic_compare_exchange_n(&thread_started, &no, true, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return;
	tk_sem_init(&wake, 0, 1);
	tk_sem_init(&flushed, 0, 1);
	__atomic_store_n(&sems_ready, true, __ATOMIC_RELEASE);
	if (tk_thread_create(&log_thread, &a, log_main, 0) != 0) {
		tk_printk("log: cannot start the log thread; messages stay in the ring\n");
		__atomic_store_n(&sems_ready, false, __ATOMIC_RELEASE);
	}
}

void log_boot_done(void)
{
	__atomic_store_n(&boot_done, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sems_ready, __ATOMIC_ACQUIRE) &&
	    __atomic_exchange_n(&waiting, false, __ATOMIC_SEQ_CST))
		tk_sem_give(&wake);
}

/* ---- backends, figures, flush ---- */

int tk_log_backend_add(const struct tk_log_backend *b)
{
	static tk_spinlock_t add_lock = TK_SPINLOCK_INIT;	/* adders one at a time */
	unsigned long f;
	unsigned n;

	if (!b || !b->emit || !b->name)
		return -EINVAL;
	f = tk_spin_lock_irqsave(&add_lock);
	n = __atomic_load_n(&nbackends, __ATOMIC_ACQUIRE);
	if (n < BACKENDS_MAX) {
		backends[n] = *b;
		__atomic_store_n(&nbackends, n + 1, __ATOMIC_RELEASE);
	}
	tk_spin_unlock_irqrestore(&add_lock, f);
	if (n == BACKENDS_MAX)
		return -ENOSPC;
	start_thread();
	return 0;
}

void tk_log_stats(struct tk_log_stats *st)
{
	if (!st)
		return;
	st->logged = __atomic_load_n(&enq, __ATOMIC_RELAXED);
	st->dropped = __atomic_load_n(&dropped, __ATOMIC_RELAXED);
	st->filtered = __atomic_load_n(&filtered, __ATOMIC_RELAXED);
	st->written = __atomic_load_n(&written, __ATOMIC_ACQUIRE);
	st->ring_size = RING;
}

int tk_log_flush(uint64_t deadline)
{
	uint64_t target = __atomic_load_n(&enq, __ATOMIC_RELAXED);

	if (sched_in_irq() || !tk_thread_self() || tk_thread_self() == log_thread)
		return -EAGAIN;
	start_thread();
	while (__atomic_load_n(&written, __ATOMIC_ACQUIRE) < target) {
		if (!__atomic_load_n(&sems_ready, __ATOMIC_ACQUIRE))
			return -EAGAIN;
		__atomic_store_n(&flush_wanted, true, __ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&waiting, false, __ATOMIC_SEQ_CST))
			tk_sem_give(&wake);
		if (tk_sem_take(&flushed, deadline) == -ETIMEDOUT &&
		    __atomic_load_n(&written, __ATOMIC_ACQUIRE) < target)
			return -ETIMEDOUT;
	}
	return 0;
}
