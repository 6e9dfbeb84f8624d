/* Locks across CPUs: spinlock and mutex stress from every CPU, priority
 * inheritance along a chain across three CPUs, and helping (the smp test). */
#include <stdlib.h>
#include <string.h>

#include <takt/spinlock.h>
#include <takt/takt.h>

#include "smp_test.h"

/* ---- shared state from every CPU at once ---- */
static tk_spinlock_t slock = TK_SPINLOCK_INIT;
static struct tk_mutex mtx;
static volatile uint64_t spin_count, mutex_count;
#define ROUNDS 2000

static void *stress_fn(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	unsigned bad = 0;

	for (int i = 0; i < ROUNDS; i++) {
		unsigned long f = tk_spin_lock_irqsave(&slock);

		spin_count++;
		tk_spin_unlock_irqrestore(&slock, f);
		tk_mutex_lock(&mtx, TK_FOREVER);
		mutex_count++;
		tk_mutex_unlock(&mtx);
		if (i % 100 == 0) {	/* malloc and printf from every CPU */
			size_t n = 64 + (size_t)(i % 7) * 100;
			unsigned char *p = malloc(n);

			if (!p) {
				bad++;
				continue;
			}
			memset(p, (int)id, n);
			for (size_t k = 0; k < n; k++)
				bad += p[k] != (unsigned char)id;
			free(p);
			printf("smp-line cpu %u thread %u round %d ok\n", tk_cpu_id(), id, i);
		}
	}
	return (void *)(uintptr_t)bad;
}

void test_stress(void)
{
	tk_thread_t *t[16];
	unsigned n = ncpu * 2, bad = 0;

	tk_mutex_init(&mtx, 0);
	spin_count = mutex_count = 0;
	for (unsigned i = 0; i < n; i++)
		t[i] = spawn_on("stress", 1u << (i % ncpu), fifo(3), stress_fn, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < n; i++) {
		void *r = (void *)1;

		if (t[i])
			tk_thread_join(t[i], &r);
		bad += (unsigned)(uintptr_t)r;
	}
	TK_CHECK("spinlock_stress_exact", spin_count == (uint64_t)n * ROUNDS);
	TK_CHECK("mutex_across_cpus_exact", mutex_count == (uint64_t)n * ROUNDS);
	TK_CHECK("malloc_printf_all_cpus", bad == 0);
}

/* ---- log levels set from every CPU at once: each new module keeps its
 * own entry (two setters once could take the same free one) ---- */
static struct tk_sem levels_go;	/* blocking: one of them shares main's CPU */

static void *set_level_fn(void *arg)
{
	char name[8] = "smpl0";

	name[4] = (char)('0' + (uintptr_t)arg);
	tk_sem_take(&levels_go, TK_FOREVER);
	return (void *)(intptr_t)tk_log_set_level(name, TK_LOG_DEBUG);
}

void test_log_levels(void)
{
	tk_thread_t *t[8];
	unsigned bad = 0;

	tk_sem_init(&levels_go, 0, 8);
	for (unsigned i = 0; i < ncpu; i++)
		t[i] = spawn_on("levels", 1u << i, fifo(3), set_level_fn, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < ncpu; i++)
		tk_sem_give(&levels_go);
	for (unsigned i = 0; i < ncpu; i++) {
		void *r = (void *)1;
		char name[8] = "smpl0";

		if (t[i])
			tk_thread_join(t[i], &r);
		name[4] = (char)('0' + i);
		bad += r != 0 || tk_log_level_of(name) != TK_LOG_DEBUG;
	}
	TK_CHECK("log_levels_set_from_every_cpu", bad == 0);
}

/* ---- priority inheritance along a chain across three CPUs: H (CPU 0)
 * waits on A held by M (CPU 1), M waits on B held by L (CPU 2), and a
 * FIFO 30 hog on CPU 2 keeps L (FIFO 5) off it. Only L's boost to H's
 * priority, applied on L's CPU, lets the chain unwind; the hog spins until
 * H has A. ---- */
static struct tk_mutex mA, mB;
static volatile int l_has_b, m_has_a, h_done, chain_hog_stop;

static void *chain_l(void *arg)
{
	(void)arg;
	tk_mutex_lock(&mB, TK_FOREVER);
	__atomic_store_n(&l_has_b, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&m_has_a, __ATOMIC_ACQUIRE))
		tk_cpu_relax();	/* holds B until M is queued on it (M took A first) */
	for (volatile int i = 0; i < 20000; i++)
		;	/* M and H queue up meanwhile */
	tk_mutex_unlock(&mB);
	return 0;
}

static void *chain_m(void *arg)
{
	(void)arg;
	tk_mutex_lock(&mA, TK_FOREVER);
	__atomic_store_n(&m_has_a, 1, __ATOMIC_RELEASE);
	tk_mutex_lock(&mB, TK_FOREVER);
	tk_mutex_unlock(&mB);
	tk_mutex_unlock(&mA);
	return 0;
}

static void *chain_hog(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&chain_hog_stop, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	return 0;
}

void test_pi_chain(void)
{
	tk_thread_t *l, *m, *h;
	uint64_t t0;

	if (ncpu < 3) {
		printf("smp: fewer than 3 CPUs: no inheritance chain across three\n");
		return;
	}
	tk_mutex_init(&mA, 0);
	tk_mutex_init(&mB, 0);
	l_has_b = m_has_a = h_done = chain_hog_stop = 0;
	l = spawn_on("chain-L", 1u << 2, fifo(5), chain_l, 0);
	wait_flag(&l_has_b);
	m = spawn_on("chain-M", 1u << 1, fifo(20), chain_m, 0);
	wait_flag(&m_has_a);
	h = spawn_on("chain-hog", 1u << 2, fifo(30), chain_hog, 0);	/* now L cannot run */
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	t0 = tk_now_ns();
	int err = tk_mutex_lock(&mA, t0 + 2000000000ull);	/* bounded: a failure must not hang */

	TK_CHECK("pi_chain_across_three_cpus_unwinds", err == 0 && !chain_hog_stop);
	if (!err)
		tk_mutex_unlock(&mA);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	__atomic_store_n(&chain_hog_stop, 1, __ATOMIC_RELEASE);
	join(h);
	join(m);
	join(l);
}

/* ---- helping: the owner L of a mutex (FIFO 5, CPU 2) is preempted by a
 * FIFO 90 hog there, above anything it can be lent; main (FIFO 50, CPU 0)
 * locks the mutex. L moves to CPU 0, runs its critical section there, and
 * goes back: main gets the mutex while the hog still spins. ---- */
static struct tk_mutex mH;
static volatile int h_held, h_hog_stop, h_hog_on;

static void *helped_owner(void *arg)
{
	(void)arg;
	tk_mutex_lock(&mH, TK_FOREVER);
	__atomic_store_n(&h_held, 1, __ATOMIC_RELEASE);
	/* The hog preempts it in here, on CPU 2: it sees the hog's flag only
	 * once it runs again, which helping does on CPU 0. */
	while (!__atomic_load_n(&h_hog_on, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	tk_mutex_unlock(&mH);
	return (void *)(uintptr_t)tk_cpu_id();
}

static void *helper_hog(void *arg)
{
	(void)arg;
	__atomic_store_n(&h_hog_on, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h_hog_stop, __ATOMIC_ACQUIRE))
		tk_cpu_relax();
	return 0;
}

void test_helping(void)
{
	tk_thread_t *l, *h;
	struct tk_thread_stats st;
	int err;

	if (ncpu < 3) {
		printf("smp: fewer than 3 CPUs: helping not checked\n");
		return;
	}
	tk_mutex_init(&mH, 0);
	h_held = h_hog_stop = h_hog_on = 0;
	l = spawn_on("owner", 1u << 2, fifo(5), helped_owner, 0);	/* lives on CPU 2 */
	tk_thread_set_affinity(l, 1u << 2 | 1u);	/* may help on CPU 0; stays on 2 */
	wait_flag(&h_held);
	h = spawn_on("hog90", 1u << 2, fifo(90), helper_hog, 0);
	wait_flag(&h_hog_on);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 50 });
	err = tk_mutex_lock(&mH, tk_now_ns() + 2000000000ull);
	TK_CHECK("helping_owner_ran_on_waiters_cpu", err == 0 && !h_hog_stop);
	if (!err)
		tk_mutex_unlock(&mH);
	tk_thread_setsched(0, &(struct tk_sched){ .policy = TK_SCHED_FIFO, .prio = 1 });
	__atomic_store_n(&h_hog_stop, 1, __ATOMIC_RELEASE);
	tk_thread_stats(l, &st);
	join(l);
	join(h);
	printf("smp: helping: owner migrations %lu\n", (unsigned long)st.migrations);
	TK_CHECK("helper_went_back_home", st.migrations >= 2);
}

