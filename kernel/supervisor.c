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
#include <takt/watchdog.h>

#include "kernel.h"
#include "smp.h"
#include "thread_impl.h"

#define MS 1000000ull

#define HW_CHECKS 4		/* the hardware's timeout: this many checks, at least */
#define HW_MIN_MS 2000	/* ib700 counts in 2 s steps */
#define FALLBACK_CHECKS 4	/* the timer resets when the supervisor is this late */

static uint64_t check_ns;
static unsigned sup_flags;
static bool running;
static uint32_t hw_ms;		/* the armed hardware watchdog's timeout; 0: none */
/* The supervisor thread, and the end of its sleep while it sleeps (0
 * otherwise): the fallback tells a late timer interrupt from a starved
 * supervisor by them. */
static struct tk_thread *sup_self;
static uint64_t sup_due_ns;
static bool sup_forgive;	/* the fallback saw CPU 0 itself stand still */

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

/* The reason on the console, then the crash record (the next boot reports
 * it); from here on interrupts stay masked and the console is polled. */
static void say_and_record(const char *why)
{
	tk_printk("watchdog: %s\n", why);
	crash_write_here(TK_CRASH_WATCHDOG, why);
}

/* After the record: the armed hardware watchdog resets the board (it is
 * no longer fed); if it has not within twice its timeout and a second (a
 * driver rounds the timeout up to what its hardware counts; QEMU's Pi model
 * counts none), or there is none, the supervisor does. */
__attribute__((noreturn)) static void reset_board(void)
{
	if (hw_ms) {
		uint64_t until = tk_now_ns() + (2 * (uint64_t)hw_ms + 1000) * MS;

		tk_printk("watchdog: waiting for the hardware watchdog %s (%lu ms) to reset the board\n",
			  tk_watchdog_name(), (unsigned long)hw_ms);
		while (tk_now_ns() < until)
			tk_cpu_relax();
		tk_printk("watchdog: the hardware watchdog did not reset the board\n");
	}
	tk_printk("watchdog: resetting\n");
	tk_reset();
}

/* Name the thread, write the crash record (its core shows every thread),
 * then let the board reset. */
__attribute__((noreturn)) static void starved(const struct scan *s)
{
	const struct tk_thread *t = s->starved;
	char why[224];	/* the record keeps TK_CRASH_WHY_MAX - 1 of it */

	snprintf(why, sizeof(why), "thread '%s' (id %u) starved: no check-in for %lu ms "
		 "(timeout %lu ms); last seen fed at %lu ms, cpu %u, %s", t->name, (unsigned)t->id,
		 (unsigned long)((s->now - t->sup_fed_ns) / MS), (unsigned long)(s->timeout / MS),
		 (unsigned long)(t->sup_fed_ns / MS), (unsigned)t->cpu, state_name(t));
	say_and_record(why);
	reset_board();
}

static void fallback_after(uint64_t now)
{
	__atomic_store_n(&time_fallback_ns, now + FALLBACK_CHECKS * check_ns, __ATOMIC_RELAXED);
}

/* The fallback is due, but no thread kept the supervisor from running:
 * its own wake-up is due in this very interrupt (the interrupt came late),
 * or it is what this interrupt interrupted. CPU 0 did not run at all: its
 * VM was not scheduled, QEMU's vCPU thread was not, or interrupts stayed
 * masked that long. Once in a row (sup_forgive is cleared by its next
 * round): a supervisor that still has not checked by the next fallback is
 * stuck itself. A thread at its priority holding CPU 0 finds it woken, not
 * asleep, and not running. */
static bool cpu_stood_still(const struct tk_thread *cur, uint64_t now)
{
	uint64_t due = __atomic_load_n(&sup_due_ns, __ATOMIC_RELAXED);

	if (!sup_self || __atomic_load_n(&sup_forgive, __ATOMIC_RELAXED))
		return false;
	return cur == sup_self || (due && now >= due && sup_self->state == THREAD_BLOCKED);
}

/* CPU 0's timer interrupt (time.c), once the supervisor's next check is
 * FALLBACK_CHECKS late: the supervisor itself cannot run (a thread at its
 * priority or above holds CPU 0). A board without a hardware watchdog is
 * reset from here; one with it too, before its longer timeout. */
void supervisor_fallback(void)
{
	struct tk_thread *cur = cpu_self()->current;
	uint64_t now = tk_now_ns(), due = __atomic_load_n(&time_fallback_ns, __ATOMIC_RELAXED);
	uint64_t last = due - FALLBACK_CHECKS * check_ns;	/* its last check (fallback_after) */
	char why[160];

	if (now < due)
		return;
	if (cpu_stood_still(cur, now)) {
		/* the supervisor runs next, blaming no thread for the gap */
		__atomic_store_n(&sup_forgive, true, __ATOMIC_RELAXED);
		fallback_after(now);
		tk_printk("watchdog: cpu 0 did not run for a while (no check for %lu ms, the "
			  "supervisor not held off): no thread blamed for it\n",
			  (unsigned long)((now - last) / MS));
		return;
	}
	snprintf(why, sizeof(why), "the supervisor has not checked for %lu ms (a check every "
		 "%lu ms): cpu 0 runs '%s'", (unsigned long)(FALLBACK_CHECKS * check_ns / MS),
		 (unsigned long)(check_ns / MS), cur ? cur->name : "?");
	say_and_record(why);
	tk_printk("watchdog: resetting from the timer interrupt\n");
	tk_reset();
}

/* The board's hardware watchdog, armed for the supervisor to feed, unless
 * watchdog.hw=off (QEMU's Pi model resets as soon as its watchdog is armed). */
static void hw_arm(void)
{
	const char *v = tk_bootarg("watchdog.hw");
	uint32_t max = tk_watchdog_max_ms(), ms = (uint32_t)(check_ns / MS) * HW_CHECKS;

	if (v && strcmp(v, "on") && strcmp(v, "off"))
		tk_printk("watchdog: watchdog.hw=%s ignored (on or off)\n", v);
	if (!max) {
		tk_printk("watchdog: no hardware watchdog: the timer interrupt resets the board if "
			  "the supervisor stops checking\n");
		return;
	}
	if (v && !strcmp(v, "off")) {
		tk_printk("watchdog: hardware watchdog %s not armed (watchdog.hw=off)\n",
			  tk_watchdog_name());
		return;
	}
	ms = ms < HW_MIN_MS ? HW_MIN_MS : ms > max ? max : ms;
	if (tk_watchdog_start(ms) == 0) {
		hw_ms = ms;
		tk_printk("watchdog: hardware watchdog %s armed, %lu ms, fed while every channel "
			  "is\n", tk_watchdog_name(), (unsigned long)ms);
	}
}

/* After CPU 0 stood still: every channel fed now (the gap was nobody's). */
static void refeed(tk_thread_t *t, void *arg)
{
	__atomic_store_n(&t->sup_fed_ns, *(uint64_t *)arg, __ATOMIC_RELAXED);
	t->sup_switches = t->switches;
}

static void *supervisor(void *arg)
{
	uint64_t next = tk_now_ns();

	(void)arg;
	sup_self = sched_current;
	hw_arm();
	fallback_after(next);
	for (;;) {
		struct scan s = { 0, 0, 0 };

		next += check_ns;
		__atomic_store_n(&sup_due_ns, next, __ATOMIC_RELAXED);
		tk_sleep_until_ns(next);
		__atomic_store_n(&sup_due_ns, 0, __ATOMIC_RELAXED);
		s.now = tk_now_ns();
		if (s.now - next > check_ns)
			next = s.now;	/* late: the missed checks are not made up back to back */
		if (__atomic_exchange_n(&sup_forgive, false, __ATOMIC_RELAXED))
			tk_thread_foreach(refeed, &s.now);
		tk_thread_foreach(look, &s);
		if (s.starved)
			starved(&s);
		if (hw_ms)
			tk_watchdog_feed();
		fallback_after(s.now);
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
	if (*end || *v < '0' || *v > '9' || ms == 0 || ms > 60000) {	/* no sign */
		tk_printk("watchdog: watchdog.supervise=%s: not a check interval of 1..60000 ms; "
			  "not started\n", v);
		return;
	}
	if (tk_supervisor_start((uint32_t)ms, TK_SUPERVISE_DEADLINE) == 0)
		tk_printk("watchdog: supervising deadline threads, a check every %lu ms\n", ms);
}
TK_INIT(supervisor_bootargs);
