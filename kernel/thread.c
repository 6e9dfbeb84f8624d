/*
 * Threads: creation, exit, join, parameters and statistics. A thread's
 * control block sits at the high end of its stack allocation, above the
 * stack, so an overflow (growing down) hits the canary word at the bottom,
 * which the scheduler checks at every switch, and never the block that
 * names the thread in the panic:
 *
 *   alloc/stack buffer: [ canary | ... stack ... <- sp | struct tk_thread ]
 *
 * The buffer is whole pages over an unmapped guard page (stack_pool.c), so
 * an overflow faults at its first access past the stack; the canary stays
 * for stacks the app gives (tk_thread_attr.stack), which have no guard.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/log.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "kernel.h"
#include "smp.h"
#include "stack_pool.h"
#include "thread_impl.h"
#include "trace/trace.h"

#define TCB_SIZE ((sizeof(struct tk_thread) + 15) & ~(size_t)15)
#define IDLE_STACK 4096	/* an interrupt frame (832 bytes) and the switch path */

struct list_node all_threads = { &all_threads, &all_threads };	/* debug_offsets.c reads it */
static struct list_node zombies = { &zombies, &zombies };	/* detached, exited */
/* main's TCB; the boot CPU's idle thread's comes from the heap in
 * thread_boot, as the other CPUs' do (it was 1.1 KiB of static RAM). */
static struct tk_thread main_tcb;

extern char _boot_stack_top[];

void *thread_stack_alloc(size_t size, const char *who)
{
	static bool said;
	void *p = stack_pool_alloc(size);

	if (p)
		return p;
	p = malloc(size);
	if (p && !said) {
		said = true;
		tk_printk("stack: no RAM block left for guarded stacks: '%s' and later ones "
			  "get no guard page (the canary still checks)\n", who);
	}
	return p;
}

void thread_stack_free(void *p, size_t size)
{
	if (p && !stack_pool_free(p, size))
		free(p);
}

static void free_stack(struct tk_thread *t)
{
	thread_stack_free(t->alloc, t->alloc_size);
}

static void set_name(struct tk_thread *t, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n > TK_NAME_MAX - 1)
		n = TK_NAME_MAX - 1;
	memcpy(t->name, name ? name : "", n);
	t->name[n] = 0;
}

static void init_tcb(struct tk_thread *t, const char *name, uint64_t *stack_lo, size_t size)
{
	static uint32_t last_id;	/* main 1, idle 2, then in creation order */

	memset(t, 0, sizeof(*t));
	t->magic = THREAD_MAGIC;
	t->id = __atomic_add_fetch(&last_id, 1, __ATOMIC_RELAXED);
	set_name(t, name);
	t->stack_lo = stack_lo;
	t->stack_size = size;
	if (stack_lo)
		*stack_lo = STACK_CANARY;
	timeout_init(&t->tmo);
	list_init(&t->wait_node);
	list_init(&t->all_node);
	list_init(&t->boost_node);
	list_init(&t->wake_node);
	t->affinity = ~0u;
	t->migrate_to = -1;
	t->help_to = -1;
	t->help_home = -1;
	struct pi_key k = { SCHED_CLASS_FP, 1, 0 };
	pi_thread_init(&t->pi, &k);
	t->reent_ptr = &t->reent;
	_REENT_INIT_PTR(t->reent_ptr);
}

static __attribute__((noreturn)) void thread_start(void *arg)
{
	struct tk_thread *t = arg;

	sched_finish_switch();	/* interrupts still masked from the switch */
	arch_irq_enable();
	tk_thread_exit(t->fn(t->arg));
}

/* Detached threads that exited: their stacks can only go once another
 * thread runs. Called with interrupts on. */
static void reap_zombies(void)
{
	for (;;) {
		unsigned long flags = klock();
		struct tk_thread *z = list_empty(&zombies) ? 0 :
			container_of(zombies.next, struct tk_thread, all_node);

		if (z && (z->on_cpu || z->pins))
			z = 0;	/* still switching away on its CPU, or being moved: next time */
		if (z)
			list_del(&z->all_node);
		kunlock(flags);
		if (!z)
			return;
		z->magic = 0;
		free_stack(z);
	}
}

static int check_attr(const struct tk_thread_attr *a, size_t *size)
{
	*size = a && a->stack_size ? a->stack_size : TK_STACK_DEFAULT;
	/* above half the address space: no RAM holds it, and the TCB and page
	 * rounding added to it would wrap to a small allocation */
	if (*size < TK_STACK_MIN || *size > SIZE_MAX / 2)
		return -EINVAL;
	if (a && a->stack && *size < TCB_SIZE + TK_STACK_MIN)
		return -EINVAL;
	if (a && a->cpu_mask && (a->cpu_mask & ~tk_cpu_online_mask()))
		return -EINVAL;
	if (a && a->sched.policy && a->sched.policy != TK_SCHED_FIFO &&
	    a->sched.policy != TK_SCHED_RR && a->sched.policy != TK_SCHED_DEADLINE)
		return -EINVAL;
	return 0;
}

/* The creator's fixed priority when none is given. */
static struct tk_sched default_sched(void)
{
	struct tk_sched s = { TK_SCHED_FIFO, 1, 0, 0, 0, 0 };

	if (sched_current && sched_current->se.cls == SCHED_CLASS_FP)
		s.prio = sched_current->se.fp.prio;
	return s;
}

int tk_thread_create(tk_thread_t **out, const struct tk_thread_attr *a,
		     tk_thread_fn fn, void *arg)
{
	struct tk_sched s = a && a->sched.policy ? a->sched : default_sched();
	size_t size;
	char *mem;
	int err;

	if (!out || !fn || sched_in_irq())
		return -EINVAL;
	err = check_attr(a, &size);
	if (err)
		return err;
	newlib_stdio_before_threads();
	reap_zombies();
	size_t whole = (TCB_SIZE + size + STACK_PAGE - 1) & ~(size_t)(STACK_PAGE - 1);

	mem = a && a->stack ? a->stack : thread_stack_alloc(whole, a && a->name ? a->name : "thread");
	if (!mem)
		return -ENOMEM;
	char *end = mem + (a && a->stack ? size : whole);
	struct tk_thread *t = (struct tk_thread *)(((uintptr_t)end - TCB_SIZE) & ~(uintptr_t)15);
	uint64_t *lo = (uint64_t *)(((uintptr_t)mem + 15) & ~(uintptr_t)15);

	init_tcb(t, a && a->name ? a->name : "thread", lo, (size_t)((char *)t - (char *)lo));
	t->alloc = a && a->stack ? 0 : mem;
	t->alloc_size = whole;
	t->fn = fn;
	t->arg = arg;
	t->detached = a && a->detached;
	t->se.cls = SCHED_CLASS_FP;
	fp_entity_init(&t->se.fp, 1, 0);
	arch_context_init(&t->ctx, lo, t->stack_size, thread_start, t);
	if (a && a->cpu_mask)
		t->affinity = a->cpu_mask;
	t->state = THREAD_BLOCKED;	/* not runnable until its class is set */
	sched_place_new(t);
	err = sched_set_params(t, &s);	/* not added yet: no cross-call */
	if (err) {
		sched_forget_new(t);
		free_stack(t);
		return err;
	}

	unsigned long flags = klock();

	list_add_tail(&all_threads, &t->all_node);
	sched_add_thread(t);
	*out = t;
	kunlock(flags);
	sched_preempt_point_after(flags);
	return 0;
}

void tk_thread_exit(void *ret)
{
	struct tk_thread *t = sched_current;

	/* it cannot return: the interrupted thread would end mid-instruction
	 * with the handler's frame on its stack */
	if (sched_in_irq())
		tk_panic("thread: tk_thread_exit in an interrupt handler (thread context only)");
	if (t == &main_tcb)
		exit((int)(intptr_t)ret);	/* main's return ends the program */
	_reclaim_reent(t->reent_ptr);
	klock();
	t->retval = ret;
	t->gone = true;	/* its joiner, woken below on another CPU, may look at once */
	list_del(&t->boost_node);	/* a boost cannot outlive its thread */
	list_del(&t->all_node);
	if (t->detached)
		list_add_tail(&zombies, &t->all_node);
	if (t->joiner)
		sched_wake(t->joiner, 0);
	sched_exit_current();
}

int tk_thread_join(tk_thread_t *t, void **ret)
{
	unsigned long flags;

	if (!t || t->magic != THREAD_MAGIC || sched_in_irq())
		return -ESRCH;
	if (t == sched_current)
		return -EDEADLK;
	flags = klock();
	if (t->detached || (t->joiner && t->joiner != sched_current)) {
		kunlock(flags);
		return -EINVAL;
	}
	t->joiner = sched_current;
	while (!t->gone)	/* set under klock before it wakes us */
		sched_block(0, TK_FOREVER);
	t->magic = 0;
	kunlock(flags);
	sched_wait_off_cpu(t);	/* its CPU may still be switching away from its stack */
	if (ret)
		*ret = t->retval;
	free_stack(t);
	return 0;
}

int tk_thread_detach(tk_thread_t *t)
{
	unsigned long flags;
	bool gone = false;
	int err = 0;

	/* freeing an exited thread's stack takes the heap's lock, which the
	 * interrupted thread may hold */
	if (sched_in_irq())
		return -EPERM;
	flags = klock();
	if (!t || t->magic != THREAD_MAGIC || t->detached || t->joiner)
		err = -EINVAL;
	else if (t->gone)
		gone = true;	/* exited already: nobody will join, free it now */
	else
		t->detached = true;
	if (gone)
		t->magic = 0;
	kunlock(flags);
	if (gone) {
		sched_wait_off_cpu(t);
		free_stack(t);
	}
	return err;
}

tk_thread_t *tk_thread_self(void)
{
	return sched_current;
}

const char *tk_thread_name(const tk_thread_t *t)
{
	return t && t->magic == THREAD_MAGIC ? t->name : "?";
}

int tk_thread_set_name(tk_thread_t *t, const char *name)
{
	unsigned long flags;

	if (!t || t->magic != THREAD_MAGIC || !name)
		return -EINVAL;
	if (strlen(name) >= TK_NAME_MAX)
		return -ERANGE;
	flags = klock();
	set_name(t, name);
	trace_name(t);		/* a rename is recorded once, like a creation */
	kunlock(flags);
	return 0;
}

int tk_thread_setsched(tk_thread_t *t, const struct tk_sched *s)
{
	unsigned long entry = arch_irq_flags();
	int err;

	if (!s)
		return -EINVAL;
	if (!t)
		t = sched_current;
	err = thread_valid(t) ? sched_set_params(t, s) : -ESRCH;
	if (err == 0)
		sched_preempt_point_after(entry);
	return err;
}

int tk_thread_getsched(tk_thread_t *t, struct tk_sched *s)
{
	if (!t)
		t = sched_current;
	if (!s || !thread_valid(t))
		return s ? -ESRCH : -EINVAL;
	*s = t->sched;
	return 0;
}

int tk_sched_set_bound(unsigned percent)
{
	return sched_set_bound(percent);
}

/* tk_yield with interrupts masked: in an interrupt handler (a deadline
 * handler is one) the switch would leave the handler's frame on the
 * interrupted thread's stack and carry the CPU's interrupt depth into the
 * next thread; in a tk_irq_lock or tk_spin_lock_irqsave section it would
 * run another thread inside the section. Refused, said once. (A plain
 * tk_spin_lock leaves interrupts on: not seen here.) */
static __attribute__((cold, noinline)) void yield_masked(void)
{
	static bool said;

	if (!__atomic_exchange_n(&said, true, __ATOMIC_RELAXED))
		tk_printk("thread: tk_yield with interrupts masked ignored (an interrupt handler "
			  "or a tk_irq_lock section)\n");
}

void tk_yield(void)
{
	unsigned long flags = arch_irq_save_inline();	/* the switch path */

	/* the state the save just read: one bit test on the switch path */
	if (__builtin_expect(ARCH_IRQ_MASKED(flags), 0))
		yield_masked();
	else
		sched_yield_current();
	arch_irq_restore_inline(flags);
}

int tk_thread_set_dl_handler(tk_thread_t *t, tk_dl_handler_t fn, void *arg)
{
	if (!t)
		t = sched_current;
	if (!thread_valid(t))
		return -ESRCH;
	unsigned long flags = arch_irq_save();

	t->dl_handler = fn;
	t->dl_arg = arg;
	arch_irq_restore(flags);
	return 0;
}

int tk_thread_stats(tk_thread_t *t, struct tk_thread_stats *st)
{
	if (!t)
		t = sched_current;
	if (!st || !t || t->magic != THREAD_MAGIC)
		return st ? -ESRCH : -EINVAL;
	unsigned long flags = arch_irq_save();

	st->cpu_ns = t->cpu_ns;
	st->switches = t->switches;
	st->overruns = t->se.dl.nr_overruns;
	st->misses = t->se.dl.nr_misses;
	st->stack_size = t->stack_size;
	st->id = t->id;
	st->cpu = t->cpu;
	st->migrations = t->migrations;
	for (unsigned i = 0; i < 2; i++)
		st->split_cpu[i] = t->run.npieces == 2 ? t->run.piece[i].cpu : -1;
	arch_irq_restore(flags);
	return 0;
}

void tk_thread_foreach(void (*fn)(tk_thread_t *t, void *arg), void *arg)
{
	if (!fn)
		return;
	unsigned long flags = klock();
	struct list_node *pos;

	/* Under klock so no thread can exit under it (see thread.h). */
	list_for_each(pos, &all_threads)
		fn(container_of(pos, struct tk_thread, all_node), arg);
	kunlock(flags);
}

void **tk_thread_tls(tk_thread_t *t)
{
	if (!t)
		t = sched_current;
	return t && t->magic == THREAD_MAGIC ? t->tls : 0;	/* not a joined one's */
}

extern const struct tk_thread_static __takt_threads_start[], __takt_threads_end[];

/* Threads defined with TK_THREAD_DEFINE: started with main, in order. The
 * extra 1 KiB of their buffer holds the thread's control block. */
static void start_static_threads(void)
{
	for (const struct tk_thread_static *d = __takt_threads_start; d < __takt_threads_end; d++) {
		struct tk_thread_attr a = { .name = d->name, .stack = d->stack,
					    .stack_size = d->stack_size,
					    .sched = { .policy = TK_SCHED_FIFO, .prio = d->prio } };
		int err = tk_thread_create(d->handle, &a, d->fn, d->arg);

		if (err)
			tk_panic("TK_THREAD_DEFINE(%s): cannot start it (%d)", d->name, err);
	}
}

static void idle_entry(void *arg)
{
	sched_finish_switch();	/* interrupts still masked from the switch */
	arch_irq_enable();
	sched_idle_entry(arg);
}

void thread_cpu_fault_stack(struct cpu *c)
{
	c->fault_stack = stack_pool_fault_stack();
	if (!c->fault_stack)
		tk_printk("stack: no fault stack for CPU %u: a stack overflow there hangs it "
			  "without a message\n", c->id);
	else if (c == cpu_self())
		arch_cpu_set_fault_stack(c->fault_stack);
}

struct tk_thread *thread_new_idle(unsigned cpu, void *stack, size_t size)
{
	struct tk_thread *t = malloc(sizeof(*t));	/* only for CPUs that exist */
	char name[TK_NAME_MAX] = "idle/";

	if (!t)
		return NULL;
	name[5] = (char)('0' + cpu);
	init_tcb(t, name, stack, size);
	return t;
}

int tk_thread_set_affinity(tk_thread_t *t, uint32_t mask)
{
	if (!t)
		t = sched_current;
	if (!thread_valid(t) || sched_in_irq())
		return -ESRCH;
	/* Inside a tk_irq_lock section it could neither move the caller (a
	 * switch in the section) nor wait for the thread's CPU, which may be
	 * spinning, interrupts masked, for the lock the caller holds. */
	if (arch_irq_masked())
		return -EPERM;
	return sched_set_affinity(t, mask);
}

int tk_thread_get_affinity(tk_thread_t *t, uint32_t *mask)
{
	if (!t)
		t = sched_current;
	if (!mask)
		return -EINVAL;
	if (!thread_valid(t))
		return -ESRCH;
	*mask = t->affinity & tk_cpu_online_mask();
	return 0;
}

unsigned tk_cpu_id(void)
{
	return cpu_self()->id;
}

unsigned tk_cpu_count(void)
{
	return smp_ncpus;
}

unsigned tk_cpu_count_conf(void)
{
	return smp_ncpus_conf;
}

uint32_t tk_cpu_online_mask(void)
{
	return smp_online_mask();
}

/* The boot context becomes the thread "main" (FIFO priority 1) on the boot
 * stack, over its guard page; the idle thread gets a small guarded stack,
 * and this CPU its fault stack. */
void thread_boot(void)
{
	size_t boot_stack = TAKT_BOOT_STACK_SIZE;
	uint64_t *lo = (uint64_t *)((uintptr_t)_boot_stack_top - boot_stack);
	struct tk_sched s = { TK_SCHED_FIFO, 1, 0, 0, 0, 0 };

	init_tcb(&main_tcb, "main", lo, boot_stack);
	main_tcb.reent_ptr = _impure_ptr;	/* keep the boot's stdio */
	main_tcb.se.cls = SCHED_CLASS_FP;
	fp_entity_init(&main_tcb.se.fp, 1, 0);
	main_tcb.sched = s;
	list_add_tail(&all_threads, &main_tcb.all_node);
	stack_pool_guard_boot_stack();
	void *idle_stack = thread_stack_alloc(IDLE_STACK, "idle");

	if (!idle_stack)
		tk_panic("memory: no stack for the idle thread");
	struct tk_thread *idle = calloc(1, sizeof(*idle));

	if (!idle)
		tk_panic("memory: no TCB for the idle thread");
	init_tcb(idle, "idle", idle_stack, IDLE_STACK);
	arch_context_init(&idle->ctx, idle_stack, IDLE_STACK, idle_entry, 0);
	thread_cpu_fault_stack(cpu_self());
	sched_start(&main_tcb, idle);
	start_static_threads();
}
