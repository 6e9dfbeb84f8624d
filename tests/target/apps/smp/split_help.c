/*
 * A split deadline thread that helps (kernel/sched/help.c) while its job's
 * piece changes (kernel/sched/split.c), on 4 CPUs or more:
 *
 *   CPU 1: f1, 50 % deadline;  CPU 2: hb, a 2 ms burst on demand, due 3 ms
 *   after it is woken;  S: 80 %, mask {1, 2}: split, piece 0 (4.5 ms) on 1,
 *   piece 1 (3.5 ms, due at release + 10 ms) on 2;  CPU 3: w, due 4.5 ms
 *   after it is woken;  CPU 0: main, the conductor.
 *
 * In one job S locks m on CPU 1 and burns on into piece 1 on CPU 2; main
 * wakes hb there (hb's deadline is earlier than S's), then w, which waits
 * for m and lends S its deadline: earlier than S's own, later than hb's, so
 * S stays preempted on CPU 2 and helps on CPU 3. There S burns past piece
 * 1's budget: the job's piece changes to 0 while S helps. Once S unlocks,
 * it must go to piece 0's CPU; every later job starts there. (It used to go
 * back to CPU 2, where it had come from, and run piece 0 there.)
 */
#include <takt/takt.h>

#include "split_help.h"

#define MS 1000000ull
#define PERIOD (10 * MS)
#define JOBS 8
#define EPISODE 2	/* the job that holds m */

static struct split_help_result *res;
static struct tk_mutex m;
static struct tk_sem hb_go, w_go;
static volatile int stop, s_in_piece1, hb_running, w_got;

static void burn_until(uint64_t ns, volatile int *flag)
{
	uint64_t t0 = tk_thread_cpu_ns(0);

	while (tk_thread_cpu_ns(0) - t0 < ns && !(flag && *flag))
		tk_cpu_relax();
}

static int cpu_is(unsigned cpu)
{
	return tk_cpu_id() == cpu;
}

static void periodic(uint64_t work)
{
	uint64_t next = tk_now_ns();

	while (!stop) {
		burn_until(work, &stop);
		next += PERIOD;
		tk_sleep_until_ns(next);
	}
}

static void *f1_fn(void *arg)
{
	(void)arg;
	periodic(4 * MS);
	return 0;
}

static void *hb_fn(void *arg)
{
	(void)arg;
	while (tk_sem_take(&hb_go, TK_FOREVER) == 0 && !stop) {
		__atomic_store_n(&hb_running, 1, __ATOMIC_RELEASE);
		burn_until(3 * MS / 2, 0);
		__atomic_store_n(&hb_running, 0, __ATOMIC_RELEASE);
	}
	return 0;
}

static void *w_fn(void *arg)
{
	(void)arg;
	if (tk_sem_take(&w_go, TK_FOREVER) == 0 && !stop &&
	    tk_mutex_lock(&m, tk_now_ns() + 200 * MS) == 0) {
		__atomic_store_n(&w_got, 1, __ATOMIC_RELEASE);
		tk_mutex_unlock(&m);
	}
	return 0;
}

/* The job that holds m: into piece 1, then long enough there (or where it
 * helps) to overrun piece 1's budget. */
static void episode(void)
{
	tk_mutex_lock(&m, TK_FOREVER);
	uint64_t t0 = tk_thread_cpu_ns(0);

	while (!cpu_is((unsigned)res->cpu[1]) && tk_thread_cpu_ns(0) - t0 < 6 * MS)
		tk_cpu_relax();
	__atomic_store_n(&s_in_piece1, 1, __ATOMIC_RELEASE);
	t0 = tk_thread_cpu_ns(0);
	while (tk_thread_cpu_ns(0) - t0 < 4 * MS) {
		res->helped |= cpu_is(3);
		tk_cpu_relax();
	}

	tk_mutex_unlock(&m);
}

static void *s_fn(void *arg)
{
	struct tk_thread_stats st;
	uint64_t next = tk_now_ns();

	(void)arg;
	if (tk_thread_stats(0, &st) == 0) {
		res->cpu[0] = st.split_cpu[0];
		res->cpu[1] = st.split_cpu[1];
	}
	for (unsigned j = 0; j < JOBS; j++) {
		unsigned first = tk_cpu_id();

		if (j == EPISODE && res->cpu[1] >= 0) {
			episode();
		} else {
			burn_until(3 * MS, 0);	/* within piece 0's 4.5 ms */
			if (j > EPISODE + 1) {	/* the job after the episode may start late anywhere */
				res->jobs_after++;
				res->started_off += (int)first != res->cpu[0];
			}
		}
		next += PERIOD;
		if (next < tk_now_ns())
			next = tk_now_ns();	/* late after the episode: on from now */
		tk_sleep_until_ns(next);
	}
	return 0;
}

static tk_thread_t *spawn(const char *name, uint32_t mask, uint64_t c, uint64_t d, tk_thread_fn fn)
{
	struct tk_thread_attr a = {
		.name = name, .stack_size = 8192, .cpu_mask = mask,
		.sched = { .policy = TK_SCHED_DEADLINE, .runtime = c, .deadline = d, .period = PERIOD },
	};
	tk_thread_t *t = 0;

	return tk_thread_create(&t, &a, fn, 0) == 0 ? t : 0;
}

void split_help_run(struct split_help_result *r)
{
	tk_thread_t *f1, *hb, *w, *s;

	*r = (struct split_help_result){ .cpu = { -1, -1 } };
	res = r;
	stop = s_in_piece1 = hb_running = w_got = 0;
	tk_mutex_init(&m, 0);
	tk_sem_init(&hb_go, 0, 1);
	tk_sem_init(&w_go, 0, 1);
	f1 = spawn("f1", 1u << 1, 5 * MS, PERIOD, f1_fn);
	hb = spawn("hb", 1u << 2, 2 * MS, 3 * MS, hb_fn);
	w = spawn("w", 1u << 3, 1 * MS, 9 * MS / 2, w_fn);
	s = spawn("S", 1u << 1 | 1u << 2, 8 * MS, PERIOD, s_fn);
	/* it may help on CPU 3: a wider mask that keeps both its CPUs leaves
	 * its placement as it is */
	r->created = f1 && hb && w && s && tk_thread_set_affinity(s, 0xeu) == 0;
	if (s) {
		while (!__atomic_load_n(&s_in_piece1, __ATOMIC_ACQUIRE))
			tk_cpu_relax();
		tk_sem_give(&hb_go);	/* S is preempted on CPU 2 ... */
		while (!__atomic_load_n(&hb_running, __ATOMIC_ACQUIRE))
			tk_cpu_relax();
		tk_sem_give(&w_go);	/* ... and w, waiting for m, asks it to help */
		tk_thread_join(s, 0);
	}
	r->w_got = w_got;
	stop = 1;
	tk_sem_give(&hb_go);
	tk_sem_give(&w_go);
	if (f1)
		tk_thread_join(f1, 0);
	if (hb)
		tk_thread_join(hb, 0);
	if (w)
		tk_thread_join(w, 0);
}
