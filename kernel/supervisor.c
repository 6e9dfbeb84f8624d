/* Thread supervision (see <takt/supervisor.h>). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include <takt/board.h>
#include <takt/crash.h>
#include <takt/log.h>
#include <takt/supervisor.h>
#include <takt/time.h>

#include "kernel.h"
#include "thread_impl.h"

#define MS 1000000ull

static uint64_t check_ns;
static unsigned sup_flags;
static bool running;

int tk_supervise(tk_thread_t *t, uint32_t timeout_ms)
{
	unsigned long f;

	if (!t)
		t = sched_current;
	if (timeout_ms > 3600000u)
		return -EINVAL;
	f = klock();
	if (!thread_valid(t)) {
		kunlock(f);
		return -EINVAL;
	}
	t->sup_timeout_ns = (uint64_t)timeout_ms * MS;
	t->sup_fed_ns = tk_now_ns();
	kunlock(f);
	return 0;
}

int tk_checkin(void)
{
	struct tk_thread *t = sched_current;

	if (!t || !t->sup_timeout_ns)
		return -ENOENT;
	__atomic_store_n(&t->sup_fed_ns, tk_now_ns(), __ATOMIC_RELAXED);
	return 0;
}

/* A deadline thread without a channel of its own: two periods plus a check. */
static uint64_t auto_timeout(const struct tk_thread *t)
{
	if (!(sup_flags & TK_SUPERVISE_DEADLINE) || t->se.cls != SCHED_CLASS_DL)
		return 0;
	return 2 * t->se.dl.dl_period + check_ns;
}

struct scan {
	uint64_t now;
	struct tk_thread *starved;
	uint64_t timeout;
};

/* Under klock: has t starved? A supervised deadline thread counts as fed
 * when it ran since the last look, or is not ready to run (it waits for its
 * next period or for something else: the CPUs did not deny it anything). */
static void look(tk_thread_t *t, void *arg)
{
	struct scan *s = arg;
	uint64_t timeout = t->sup_timeout_ns;

	if (!timeout) {
		timeout = auto_timeout(t);
		if (!timeout)
			return;
		if (t->sup_switches != t->switches || !t->sup_fed_ns ||
		    t->state != THREAD_READY) {
			t->sup_switches = t->switches;
			t->sup_fed_ns = s->now;
		}
	}
	if (!s->starved && s->now - __atomic_load_n(&t->sup_fed_ns, __ATOMIC_RELAXED) > timeout) {
		s->starved = t;
		s->timeout = timeout;
	}
}

static const char *state_name(const struct tk_thread *t)
{
	return t->state == THREAD_READY ? (t->on_cpu ? "running" : "ready") : "blocked";
}

/* Name the thread, write the crash record (its core shows every thread),
 * then reset the board. (The hardware watchdog stays the app's: QEMU's Pi
 * model resets as soon as it is armed, so the supervisor does not arm it.) */
__attribute__((noreturn)) static void starved(const struct scan *s)
{
	const struct tk_thread *t = s->starved;
	char why[224];	/* the record keeps TK_CRASH_WHY_MAX - 1 of it */

	snprintf(why, sizeof(why), "thread '%s' (id %u) starved: no check-in for %lu ms "
		 "(timeout %lu ms); last seen fed at %lu ms, cpu %u, %s", t->name, (unsigned)t->id,
		 (unsigned long)((s->now - t->sup_fed_ns) / MS), (unsigned long)(s->timeout / MS),
		 (unsigned long)(t->sup_fed_ns / MS), (unsigned)t->cpu, state_name(t));
	tk_printk("watchdog: %s\n", why);
	crash_write_here(TK_CRASH_WATCHDOG, why);
	tk_printk("watchdog: resetting\n");
	tk_reset();
}

static void *supervisor(void *arg)
{
	uint64_t next = tk_now_ns();

	(void)arg;
	for (;;) {
		struct scan s = { 0, 0, 0 };

		next += check_ns;
		tk_sleep_until_ns(next);
		s.now = tk_now_ns();
		tk_thread_foreach(look, &s);
		if (s.starved)
			starved(&s);
	}
	return 0;
}

int tk_supervisor_start(uint32_t check_ms, unsigned flags)
{
	struct tk_thread_attr a = { .name = "supervisor", .stack_size = 4096, .cpu_mask = 1,
				    .detached = true,
				    .sched = { .policy = TK_SCHED_FIFO, .prio = TK_PRIO_MAX } };
	tk_thread_t *t;
	int err;

	if (check_ms == 0 || check_ms > 60000 || (flags & ~TK_SUPERVISE_DEADLINE))
		return -EINVAL;
	if (__atomic_exchange_n(&running, true, __ATOMIC_ACQ_REL))
		return -EALREADY;
	check_ns = (uint64_t)check_ms * MS;
	sup_flags = flags;
	err = tk_thread_create(&t, &a, supervisor, 0);
	if (err)
		running = false;
	return err;
}

/* watchdog.supervise=CHECK_MS: deadline threads supervised from boot. */
static void supervisor_bootargs(void)
{
	const char *v = tk_bootarg("watchdog.supervise");
	char *end;
	unsigned long ms;

	if (!v)
		return;
	ms = strtoul(v, &end, 10);
	if (*end || end == v || ms == 0 || ms > 60000) {
		tk_printk("watchdog: watchdog.supervise=%s: not a check interval of 1..60000 ms; "
			  "not started\n", v);
		return;
	}
	if (tk_supervisor_start((uint32_t)ms, TK_SUPERVISE_DEADLINE) == 0)
		tk_printk("watchdog: supervising deadline threads, a check every %lu ms\n", ms);
}
TK_INIT(supervisor_bootargs);
