/* Bad arguments to the scheduler's and the sync objects' calls (the sched
 * test): what once wrapped, slept for good or lost its waiters. */
#include <errno.h>
#include <stdint.h>

#include "sched_test.h"

/* Absurd arguments: a stack size the TCB and page rounding would wrap to a
 * small allocation (once: a thread with a tiny stack, or the TCB written
 * below a malloc(0)), and a sleep of TK_FOREVER (once: the wrapped deadline
 * lay in the past, no sleep at all). The sleeper outranks main on its CPU,
 * so it has blocked, or returned, before main goes on. */
static volatile int forever_returned;

static void *sleep_forever(void *arg)
{
	if (arg)
		tk_sleep_until_ns((uint64_t)(uintptr_t)arg);	/* an absolute time */
	else
		tk_sleep_ns(TK_FOREVER);
	forever_returned = 1;
	return 0;
}

void test_absurd_arguments(void)
{
	/* NULL where a pointer is wanted, in calls that return nothing:
	 * ignored (each once dereferenced it) */
	tk_console_stats(0, false);
	tk_console_write(0, 5);
	tk_thread_foreach(0, 0);
	tk_sleep_lead_stats(0);
	TK_CHECK("null_pointers_ignored", true);	/* reached: nothing faulted */
	static const size_t sizes[] = { SIZE_MAX, SIZE_MAX - 100, SIZE_MAX / 2 + 1 };
	struct tk_thread_attr a = { .name = "huge", .cpu_mask = 1 };
	tk_thread_t *t;
	bool refused = true;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		t = 0;
		a.stack_size = sizes[i];
		refused = refused && tk_thread_create(&t, &a, sleep_forever, 0) == -EINVAL && !t;
	}
	TK_CHECK("create_huge_stack_einval", refused);
	tk_thread_setsched(0, P_FIFO(1));
	t = spawn("forever", fifo(30), sleep_forever, 0);
	TK_CHECK("sleep_ns_forever_blocks", t && !forever_returned);
	/* until 2^64 - 2 ns (584 years): its timer's counter value once
	 * wrapped on x86 (a 1 GHz TSC, plus the boot's count), a timer
	 * interrupt at once and again for ever; now a few in main's 10 ms
	 * sleep (a storm is thousands) */
	t = spawn("584y", fifo(30), sleep_forever, (void *)(uintptr_t)(TK_FOREVER - 1));
	uint64_t irqs = tk_timer_irqs();

	tk_sleep_ns(10 * MS);
	irqs = tk_timer_irqs() - irqs;
	if (irqs >= 50)
		printf("sched: %lu timer interrupts in a 10 ms sleep\n", (unsigned long)irqs);
	TK_CHECK("sleep_584_years_blocks_quietly", t && !forever_returned && irqs < 50);
}

/* An _init of an object a thread waits on is refused (-EBUSY): the waiter
 * would sleep for good, its list lost (a timeout then unlinked it from a
 * list head made anew). Each waiter outranks main on its CPU: it has
 * blocked before main goes on. */
static struct tk_sem busy_sem;
static struct tk_mutex busy_mutex;
static struct tk_cond busy_cond;
static struct tk_msgq busy_q;
static int busy_qbuf[2];

static void *wait_sem(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)tk_sem_take(&busy_sem, TK_FOREVER);
}

static void *wait_mutex(void *arg)
{
	int err = tk_mutex_lock(&busy_mutex, TK_FOREVER);

	(void)arg;
	if (err == 0) {
		err = tk_cond_wait(&busy_cond, &busy_mutex, TK_FOREVER);	/* the next case */
		tk_mutex_unlock(&busy_mutex);
	}
	return (void *)(intptr_t)err;
}

static void *wait_msgq(void *arg)
{
	int msg;

	(void)arg;
	return (void *)(intptr_t)tk_msgq_get(&busy_q, &msg, TK_FOREVER);
}

static bool joined_ok(tk_thread_t *t)
{
	void *r = (void *)1;

	return t && tk_thread_join(t, &r) == 0 && r == 0;
}

void test_init_in_use(void)
{
	int msg = 1;

	tk_sem_init(&busy_sem, 0, 1);
	tk_thread_t *t = spawn("sem-waiter", fifo(30), wait_sem, 0);

	TK_CHECK("sem_init_waited_on_ebusy", tk_sem_init(&busy_sem, 0, 1) == -EBUSY &&
		 tk_sem_give(&busy_sem) == 0 && joined_ok(t));
	tk_mutex_init(&busy_mutex, 0);
	tk_cond_init(&busy_cond);
	tk_mutex_lock(&busy_mutex, TK_FOREVER);
	t = spawn("mutex-waiter", fifo(30), wait_mutex, 0);
	TK_CHECK("mutex_init_waited_on_ebusy", tk_mutex_init(&busy_mutex, 0) == -EBUSY);
	tk_mutex_unlock(&busy_mutex);	/* the waiter takes it, then waits on the condition */
	TK_CHECK("cond_init_waited_on_ebusy", tk_cond_init(&busy_cond) == -EBUSY &&
		 tk_cond_signal(&busy_cond) == 0 && joined_ok(t));
	TK_CHECK("init_idle_objects_again", tk_sem_init(&busy_sem, 0, 1) == 0 &&
		 tk_mutex_init(&busy_mutex, 0) == 0 && tk_cond_init(&busy_cond) == 0);
	tk_msgq_init(&busy_q, busy_qbuf, sizeof(int), 2);
	t = spawn("msgq-waiter", fifo(30), wait_msgq, 0);
	TK_CHECK("msgq_init_waited_on_ebusy",
		 tk_msgq_init(&busy_q, busy_qbuf, sizeof(int), 2) == -EBUSY &&
		 tk_msgq_put(&busy_q, &msg, 0) == 0 && joined_ok(t));
}
