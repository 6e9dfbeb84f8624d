/*
 * cyclictest for Takt: rt-tests' wake-up latency test, written against POSIX
 * (pthreads, clock_nanosleep, sched_setattr) so that the same file builds
 * for Linux with gcc:
 *
 *     gcc -O2 -pthread -o cyclictest apps/cyclictest/main.c options.c report.c (in apps/cyclictest)
 *
 * Each measuring thread sleeps with clock_nanosleep(CLOCK_MONOTONIC,
 * TIMER_ABSTIME) to the next expected time, reads the clock and records
 * latency = now - expected (min, avg, max, count, histogram, overflows).
 * The output is rt-tests' (2.x): the per-thread "T: ..." lines and, with
 * -h/-H, the "# Histogram" block (with the 1.x "# Total:" line as well).
 *
 * Takt gives the options as bootargs (./takt run cyclictest -- -append
 * "-t4 -i1000 -l2000 -h100"); with none it runs a short demo (DEMO_ARGS).
 *
 * Differences from rt-tests: no tracing, NUMA, signals or
 * POSIX-timer modes; --policy deadline (as rt-tests' cyclicdeadline: one
 * SCHED_DEADLINE reservation per thread, period = deadline = the thread's
 * interval, runtime = half the interval shared by the threads) and --load N
 * (N best-effort CPU-bound threads beside the measuring ones) are added.
 * The live display refreshes every 100 ms instead of 10 ms.
 */
#include "cyclictest.h"

#if !CT_TAKT && defined(__linux__)
#include <sys/mman.h>
#include <sys/syscall.h>
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
/* glibc before 2.41 has no sched_setattr(): the system call and its struct. */
struct ct_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};
static int ct_setattr(uint64_t runtime, uint64_t deadline, uint64_t period)
{
	struct ct_sched_attr a = { sizeof(a), SCHED_DEADLINE, 0, 0, 0, runtime, deadline,
				   period };

	return (int)syscall(SYS_sched_setattr, 0, &a, 0);
}
static long ct_gettid(void)
{
	return (long)syscall(SYS_gettid);
}
#else
static int ct_setattr(uint64_t runtime, uint64_t deadline, uint64_t period)
{
	struct sched_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.sched_policy = SCHED_DEADLINE;
	a.sched_runtime = runtime;
	a.sched_deadline = deadline;
	a.sched_period = period;
	return sched_setattr(0, &a, 0);
}
static long ct_gettid(void)
{
	return (long)gettid();
}
#endif

struct opts o;
static volatile int shutdown_req;
/* -b: the first thread whose latency passed the limit, and that latency. */
static int break_thread = -1;
static long break_value;

/* -b hit: the trace stops here, so its end shows what ran before this late
 * wake-up (rt-tests writes "hit latency threshold" to the trace marker and
 * stops ftrace); then the run ends. */
static void break_trace(int thread, long diff)
{
	int none = -1;

	if (!__atomic_compare_exchange_n(&break_thread, &none, thread, 0, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		return;
	break_value = diff;
#if CT_TAKT
	tk_trace_mark("hit latency threshold", (uint64_t)diff);
	tk_trace_stop();
#endif
	shutdown_req = 1;
}
static unsigned long load_spins;

static int64_t ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * NSEC_PER_SEC + t->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	struct timespec t;

	t.tv_sec = (time_t)(ns / NSEC_PER_SEC);
	t.tv_nsec = (long)(ns % NSEC_PER_SEC);
	return t;
}

/* rt-tests' calcdiff: whole seconds in us plus the truncated ns part. */
static long calcdiff_us(struct timespec t1, struct timespec t2)
{
	long diff = USEC_PER_SEC * (long)((int)t1.tv_sec - (int)t2.tv_sec);

	return diff + ((int)t1.tv_nsec - (int)t2.tv_nsec) / 1000;
}

#ifdef TAKT_METRICS
#include <takt/metrics.h>
/* With -h and the metrics endpoint linked (takt_app(... METRICS)): the
 * latency histogram on /metrics as it fills, one series per thread,
 * buckets as cyclictest's own (1 us, 1 ns with -N). Each series has one
 * writer, its thread; the server reads with plain 64-bit loads. A
 * negative latency counts as an overflow, as in the "# Histogram" block,
 * and adds nothing to the sum (which the server publishes as a counter). */
static struct {
	uint64_t *counts, *overflow, *sum_ns;
	struct tk_metrics_histogram h;
} ct_metrics;

static void ct_metrics_register(void)
{
	struct tk_metrics_histogram *h = &ct_metrics.h;
	size_t n = (size_t)o.threads * (size_t)o.histogram;
	int err;

	ct_metrics.counts = calloc(n, sizeof(uint64_t));
	ct_metrics.overflow = calloc((size_t)o.threads, sizeof(uint64_t));
	ct_metrics.sum_ns = calloc((size_t)o.threads, sizeof(uint64_t));
	*h = (struct tk_metrics_histogram){
		"takt_cyclictest_latency_seconds", "cyclictest wake-up latency, per thread",
		"thread", (unsigned)o.threads, (unsigned)o.histogram, o.nsecs ? 1 : 1000,
		ct_metrics.counts, ct_metrics.overflow, ct_metrics.sum_ns };
	err = ct_metrics.counts && ct_metrics.overflow && ct_metrics.sum_ns
		? tk_metrics_add_histogram(h) : -ENOMEM;
	if (err) {
		fprintf(stderr, "cyclictest: histogram not on /metrics (%d)\n", err);
		ct_metrics.counts = NULL;	/* nothing to count into */
	}
}

static void ct_metrics_sample(int t, long diff)
{
	uint64_t *c;

	if (!ct_metrics.counts)
		return;
	c = diff < 0 || diff >= o.histogram ? &ct_metrics.overflow[t]
		: &ct_metrics.counts[(size_t)t * (size_t)o.histogram + (size_t)diff];
	if (diff > 0)
		__atomic_store_n(&ct_metrics.sum_ns[t], ct_metrics.sum_ns[t] +
				 (uint64_t)diff * ct_metrics.h.bucket_ns, __ATOMIC_RELAXED);
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}
#endif

static void *timerthread(void *arg)
{
	struct thread_param *par = arg;
	struct thread_stat *st = par->stat;
	struct timespec now, next;
	int64_t interval_ns = (int64_t)par->interval * 1000, stop_ns = 0, next_ns;

	st->tid = ct_gettid();
#if CT_TAKT
	{
		char name[16];

		snprintf(name, sizeof(name), "cyclictest/%d", par->index);
		tk_thread_set_name(tk_thread_self(), name);	/* the trace names it */
	}
#endif
	if (par->policy == POL_DEADLINE) {
		uint64_t period = (uint64_t)interval_ns;

		if (ct_setattr(par->runtime_ns, period, period) != 0) {
			fprintf(stderr, "cyclictest: thread %d: sched_setattr(SCHED_DEADLINE, "
				"runtime %lu ns, period %lu ns) failed: %s\n", par->index,
				(unsigned long)par->runtime_ns, (unsigned long)period,
				strerror(errno));
			exit(EXIT_FAILURE);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	next_ns = ts_ns(&now) + NSEC_PER_SEC / 10;	/* rt-tests waits 1 s */
	if (o.duration)
		stop_ns = ts_ns(&now) + (int64_t)o.duration * NSEC_PER_SEC;
	st->started = 1;
	while (!shutdown_req) {
		long diff;
		int ret;

		next = ns_ts(next_ns);
		ret = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		if (ret == EINTR)
			break;
		if (ret) {
			fprintf(stderr, "cyclictest: clock_nanosleep failed: %s\n", strerror(ret));
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		diff = o.nsecs ? (long)(ts_ns(&now) - next_ns) : calcdiff_us(now, next);
		if (diff < st->min)
			st->min = diff;
		if (diff > st->max)
			st->max = diff;
		if (o.breaktrace && diff > o.breaktrace)
			break_trace(par->index, diff);
		st->sum += diff;
		if (o.duration && ts_ns(&now) >= stop_ns)
			shutdown_req = 1;
		st->act = diff;
		if (st->values)
			st->values[st->cycles & (VALBUF_SIZE - 1)] = diff;
		if (st->hist) {
			if (diff >= o.histogram || diff < 0)
				st->hist_overflow++;
			else
				st->hist[diff]++;
		}
#ifdef TAKT_METRICS
		ct_metrics_sample(par->index, diff);
#endif
		st->cycles++;
		if (par->policy == POL_DEADLINE) {
			/* Self-measured miss: the job ended after its deadline. */
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (ts_ns(&now) > next_ns + interval_ns)
				st->misses++;
		}
		next_ns += interval_ns;
		/* Skip periods already over (rt-tests 2.x). */
		while (ts_ns(&now) > next_ns)
			next_ns += interval_ns;
		if (o.loops && st->cycles >= o.loops)
			break;
	}
#if CT_TAKT
	if (par->policy == POL_DEADLINE) {
		struct tk_thread_stats ks;

		if (tk_thread_stats(NULL, &ks) == 0) {
			if (ks.misses > st->misses)
				st->misses = ks.misses;
			st->overruns = ks.overruns;
		}
	}
#endif
	st->started = -1;
	return NULL;
}

static void *loadthread(void *arg)
{
	unsigned long n = 0;

	(void)arg;
	while (!shutdown_req)
		n++;
	__atomic_fetch_add(&load_spins, n, __ATOMIC_RELAXED);
	return NULL;
}

/* Thread attributes for a measuring (or load) thread of policy pol at prio,
 * pinned to cpu (-1: anywhere). */
static int make_attr(pthread_attr_t *attr, int pol, int prio, int cpu)
{
	struct sched_param sp;

	pthread_attr_init(attr);
	if (cpu >= 0) {
		cpu_set_t set;
		int err;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		err = pthread_attr_setaffinity_np(attr, sizeof(set), &set);
		if (err)
			return err;
	}
	if (pol != POL_FIFO && pol != POL_RR)
		return 0;	/* inherit: other, or deadline set by the thread itself */
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = prio;
	pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(attr, pol == POL_RR ? SCHED_RR : SCHED_FIFO);
	return pthread_attr_setschedparam(attr, &sp);
}

/* The CPU measuring thread (or load thread) i is pinned to, -1: none. */
static int cpu_of(int i)
{
	return o.affinity == 1 ? i % max_cpus() : o.affinity == 2 ? o.cpuset[i % o.ncpuset] : -1;
}

/* The load threads go where the measuring ones are (-a, -S): load i beside
 * measuring thread i, so that they compete for the same CPUs. */
static int start_load(pthread_t *th)
{
	pthread_attr_t attr;
	int i, err;

#if !defined(__linux__) || CT_TAKT
	/* No SCHED_OTHER here: the load runs at the lowest FIFO priority and
	 * main just above it, so that main still refreshes the display. */
	struct sched_param sp = { .sched_priority = 2 };

	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
#endif
	for (i = 0; i < o.load; i++) {
#if !defined(__linux__) || CT_TAKT
		err = make_attr(&attr, POL_RR, 1, cpu_of(i % o.threads));
#else
		err = make_attr(&attr, POL_OTHER, 0, cpu_of(i % o.threads));	/* SCHED_OTHER */
#endif
		if (!err)
			err = pthread_create(&th[i], &attr, loadthread, NULL);
		pthread_attr_destroy(&attr);
		if (err) {
			fprintf(stderr, "cyclictest: cannot create load thread %d: %s\n", i,
				strerror(err));
			return -1;
		}
	}
	return 0;
}

/* The most measuring threads one CPU gets: all of them unless pinned. */
static int threads_per_cpu(void)
{
	int cpus = o.affinity == 1 ? max_cpus() : o.affinity == 2 ? o.ncpuset : 1;

	if (o.affinity == 2) {	/* distinct CPUs of the set */
		int distinct = 0;

		for (int a = 0; a < o.ncpuset; a++) {
			int seen = 0;

			for (int b = 0; b < a; b++)
				seen |= o.cpuset[b] == o.cpuset[a];
			distinct += !seen;
		}
		cpus = distinct;
	}
	return (o.threads + cpus - 1) / cpus;
}

/* With no arguments of its own (a Takt boot without bootargs, or with the
 * kernel's only) run a short demo. */
static int own_args(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++)
		n += !ct_is_kernel_param(argv[i]);
	return n;
}

static char **demo_argv(int *argc, char *argv0)
{
	static char buf[] = DEMO_ARGS;
	static char *v[16];
	int n = 0;

	v[n++] = argv0;
	for (char *p = strtok(buf, " "); p && n < 15; p = strtok(NULL, " "))
		v[n++] = p;
	v[n] = NULL;
	*argc = n;
	printf("cyclictest: no options given: running the demo 'cyclictest %s'\n", DEMO_ARGS);
	return v;
}

int main(int argc, char **argv)
{
	struct thread_param *par;
	struct thread_stat *stats;
	pthread_t *load_th = NULL;
	long interval;
	int i, prio, err;

	if (CT_TAKT && own_args(argc, argv) == 0)
		argv = demo_argv(&argc, argc ? argv[0] : "cyclictest");
	parse_options(argc, argv);
#if !CT_TAKT && defined(__linux__)
	/* -m: lock memory as rt-tests does (best effort, unprivileged too). */
	mlockall(MCL_CURRENT | MCL_FUTURE);
#endif
	par = calloc((size_t)o.threads, sizeof(*par));
	stats = calloc((size_t)o.threads, sizeof(*stats));
	if (o.load)
		load_th = calloc((size_t)o.load, sizeof(*load_th));
	if (!par || !stats || (o.load && !load_th)) {
		fprintf(stderr, "cyclictest: out of memory\n");
		return EXIT_FAILURE;
	}
	if (o.load && start_load(load_th))
		return EXIT_FAILURE;

#ifdef TAKT_METRICS
	if (o.histogram)
		ct_metrics_register();
#endif
	interval = o.interval;
	prio = o.prio;
	for (i = 0; i < o.threads; i++) {
		struct thread_param *p = &par[i];
		pthread_attr_t attr;

		p->index = i;
		p->cpu = cpu_of(i);
		p->stat = &stats[i];
		p->policy = o.policy;
		p->prio = o.policy == POL_DEADLINE ? 0 : prio;
		p->interval = interval;
		/* cyclicdeadline-like: half of each period, shared by the threads. */
		p->runtime_ns = (uint64_t)interval * 1000 / 2 / (uint64_t)threads_per_cpu();
		stats[i].min = 1000000;
		if (o.nsecs)
			stats[i].min = 1000000000;
		if (o.histogram) {
			stats[i].hist = calloc((size_t)o.histogram, sizeof(long));
			if (!stats[i].hist) {
				fprintf(stderr, "cyclictest: no memory for a %d-bucket histogram\n",
					o.histogram);
				return EXIT_FAILURE;
			}
		}
		if (o.verbose) {
			stats[i].values = calloc(VALBUF_SIZE, sizeof(long));
			if (!stats[i].values) {
				fprintf(stderr, "cyclictest: out of memory\n");
				return EXIT_FAILURE;
			}
		}
		if (prio > 1 && !o.histogram && !o.smp)
			prio--;
		if (!o.histogram)
			interval += o.distance;
		err = make_attr(&attr, p->policy, p->prio, p->cpu);
		if (!err) {
			stats[i].started = 1;
			err = pthread_create(&stats[i].thread, &attr, timerthread, p);
		}
		pthread_attr_destroy(&attr);
		if (err) {
			fprintf(stderr, "cyclictest: failed to create thread %d: %s\n", i,
				strerror(err));
			stats[i].started = 0;
			return EXIT_FAILURE;
		}
	}

	for (;;) {
		int allstopped = 0;

		/* Counted before printing, so that the last display is final. */
		for (i = 0; i < o.threads; i++)
			if (stats[i].started < 0 || (o.loops && stats[i].cycles >= o.loops))
				allstopped++;
		if (!o.verbose && !o.quiet)
			printf("policy: %s: loadavg: n/a          \n\n", policy_name(o.policy));
		for (i = 0; i < o.threads; i++)
			if (!o.quiet || o.verbose)
				print_stat(&par[i], o.verbose);
		fflush(stdout);
		if (shutdown_req || allstopped == o.threads)
			break;
		usleep(REFRESH_US);
		if (!o.verbose && !o.quiet)
			printf("\033[%dA", o.threads + 2);
	}
	shutdown_req = 1;
	for (i = 0; i < o.threads; i++)
		pthread_join(stats[i].thread, NULL);
	for (i = 0; i < o.load; i++)
		pthread_join(load_th[i], NULL);
	if (o.verbose)
		for (i = 0; i < o.threads; i++)
			print_stat(&par[i], 1);
	if (o.quiet && !o.histogram && !o.verbose)
		for (i = 0; i < o.threads; i++)
			print_stat(&par[i], 0);
	if (o.histogram)
		print_hist(par, o.threads);
	if (o.policy == POL_DEADLINE) {
		unsigned long misses = 0, overruns = 0;

		for (i = 0; i < o.threads; i++) {
			misses += stats[i].misses;
			overruns += stats[i].overruns;
		}
		printf("# Deadline misses: %lu overruns: %lu\n", misses, overruns);
	}
	if (break_thread >= 0)
		printf("# Break thread: %d\n# Break value: %ld\n", break_thread, break_value);
	fflush(stdout);
	return EXIT_SUCCESS;
}
