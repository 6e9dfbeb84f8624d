/*
 * cyclictest for Takt: rt-tests' wake-up latency test, written against POSIX
 * (pthreads, clock_nanosleep, sched_setattr) so that the same file builds
 * for Linux with gcc:
 *
 *     gcc -O2 -pthread -o cyclictest apps/cyclictest/main.c
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
 * Differences from rt-tests: no tracing, affinity, NUMA, signals or
 * POSIX-timer modes; --policy deadline (as rt-tests' cyclicdeadline: one
 * SCHED_DEADLINE reservation per thread, period = deadline = the thread's
 * interval, runtime = half the interval shared by the threads) and --load N
 * (N best-effort CPU-bound threads beside the measuring ones) are added.
 * The live display refreshes every 100 ms instead of 10 ms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<takt/thread.h>)
#define CT_TAKT 1
#include <takt/thread.h>
#endif
#endif
#ifndef CT_TAKT
#define CT_TAKT 0
#endif

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

#define USEC_PER_SEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define HIST_MAX 1000000
#define VALBUF_SIZE 16384		/* verbose ring, a power of 2 */
#define REFRESH_US 100000
#define DEMO_ARGS "-t4 -p80 -i1000 -l2000 -h100 -m"

enum { POL_OTHER, POL_FIFO, POL_RR, POL_DEADLINE };

/* Options (rt-tests' defaults). */
struct opts {
	int threads;
	long interval;		/* us */
	long distance;		/* us, -1: default 500 */
	unsigned long loops;	/* 0: endless */
	long duration;		/* s, 0: none */
	int prio;
	int policy;
	int histogram;		/* buckets, 0: none */
	int histofall;
	int quiet;
	int nsecs;
	int verbose;
	int load;
};

struct thread_stat {
	unsigned long cycles;
	unsigned long cyclesread;
	long min, max, act;
	int64_t sum;
	long *hist;
	unsigned long hist_overflow;
	long *values;
	unsigned long misses, overruns;
	long tid;
	volatile int started;	/* 1 running, -1 done */
	pthread_t thread;
};

struct thread_param {
	int index;
	int prio;
	int policy;
	long interval;		/* us */
	uint64_t runtime_ns;	/* deadline */
	struct thread_stat *stat;
};

static struct opts o;
static volatile int shutdown_req;
static unsigned long load_spins;

static void usage(FILE *f)
{
	fprintf(f,
		"cyclictest (Takt) - the rt-tests wake-up latency test\n"
		"Usage:\n"
		"cyclictest <options>\n\n"
		"-d DIST  --distance=DIST   distance of thread intervals in us, default=500\n"
		"-D       --duration=TIME   length of the test run; append 's', 'm', 'h' or\n"
		"                           'd' for seconds, minutes, hours or days\n"
		"-h       --histogram=US    dump a latency histogram to stdout after the run\n"
		"                           US is the max latency time to be tracked in microseconds\n"
		"                           This option runs all threads at the same priority.\n"
		"-H       --histofall=US    same as -h except with an additional summary column\n"
		"-i INTV  --interval=INTV   base interval of thread in us default=1000\n"
		"-l LOOPS --loops=LOOPS     number of loops: default=0(endless)\n"
		"         --load=N          N best-effort CPU-bound threads beside the measuring ones\n"
		"-m       --mlockall        lock current and future memory allocations\n"
		"-n       --nanosleep       use clock_nanosleep (always)\n"
		"-N       --nsecs           print results in ns instead of us (default us)\n"
		"-p PRIO  --priority=PRIO   priority of highest prio thread\n"
		"-y POLI  --policy=POLI     policy of the measuring threads: fifo, rr, deadline\n"
		"                           (a SCHED_DEADLINE reservation per thread) or other\n"
		"-q       --quiet           print a summary only on exit\n"
		"-t       --threads         one thread per available processor\n"
		"-t [NUM] --threads=NUM     number of threads:\n"
		"                           without NUM, threads = max_cpus\n"
		"                           without -t default = 1\n"
		"-v       --verbose         output values on stdout for statistics\n"
		"                           format: n:c:v n=tasknum c=count v=value in us\n"
		"-?       --help            this text\n");
}

static void bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "cyclictest: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_FAILURE);
}

/* A whole decimal number in [lo, hi], or a usage failure. */
static long num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (!s || !*s)
		bad("option %s needs a number", opt);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		bad("bad value for %s", opt);
	return v;
}

/* rt-tests' parse_time_string: seconds, or with m, h, d (and s). */
static long duration_s(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		bad("option %s needs a time", "-D");
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0)
		bad("bad duration '%s'", s);
	switch (*end) {
	case '\0': case 's': case 'S': break;
	case 'm': case 'M': v *= 60; break;
	case 'h': case 'H': v *= 3600; break;
	case 'd': case 'D': v *= 86400; break;
	default: bad("bad duration '%s'", s);
	}
	if (*end && end[1])
		bad("bad duration '%s'", s);
	return v;
}

static int max_cpus(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 0)
		return (int)n;
#endif
	return 1;
}

struct optdef {
	char sh;		/* short letter, 0: long only */
	const char *lng;
	int arg;		/* 0 none, 1 required, 2 optional (-t) */
};

static const struct optdef optdefs[] = {
	{ 'd', "distance", 1 }, { 'D', "duration", 1 }, { 'h', "histogram", 1 },
	{ 'H', "histofall", 1 }, { 'i', "interval", 1 }, { 'l', "loops", 1 },
	{ 0, "load", 1 }, { 'm', "mlockall", 0 }, { 'n', "nanosleep", 0 },
	{ 'N', "nsecs", 0 }, { 'p', "priority", 1 }, { 'y', "policy", 1 },
	{ 'q', "quiet", 0 }, { 't', "threads", 2 }, { 'v', "verbose", 0 },
	{ '?', "help", 0 }, { 0, "prio", 1 },
};

static void apply(const struct optdef *d, const char *name, const char *val)
{
	switch (d->sh ? d->sh : d->lng[1] == 'r' ? 'p' : 'L') {
	case 'd': o.distance = num(name, val, 0, 100000000); break;
	case 'D': o.duration = duration_s(val); break;
	case 'H': o.histofall = 1; /* fall through */
	case 'h': o.histogram = (int)num(name, val, 1, HIST_MAX); break;
	case 'i': o.interval = num(name, val, 1, 100000000); break;
	case 'l': o.loops = (unsigned long)num(name, val, 0, LONG_MAX); break;
	case 'L': o.load = (int)num(name, val, 0, 64); break;
	case 'm': case 'n': break;	/* nothing to lock; always clock_nanosleep */
	case 'N': o.nsecs = 1; break;
	case 'p': o.prio = (int)num(name, val, 0, 99); break;
	case 'y':
		if (!strcmp(val, "fifo"))
			o.policy = POL_FIFO;
		else if (!strcmp(val, "rr"))
			o.policy = POL_RR;
		else if (!strcmp(val, "deadline"))
			o.policy = POL_DEADLINE;
		else if (!strcmp(val, "other") || !strcmp(val, "normal"))
			o.policy = POL_OTHER;
		else
			bad("unknown policy '%s' (fifo, rr, deadline, other)", val);
		break;
	case 'q': o.quiet = 1; break;
	case 't': o.threads = val ? (int)num(name, val, 1, 256) : max_cpus(); break;
	case 'v': o.verbose = 1; break;
	case '?': usage(stdout); exit(EXIT_SUCCESS);
	}
}

static int is_number(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* getopt_long-like, the same on every C library: -x, -xVAL, -x VAL, -abc
 * (flags), --name, --name=VAL, --name VAL; -t's number is optional. */
static void parse_options(int argc, char **argv)
{
	int i, policy_given = 0;

	memset(&o, 0, sizeof(o));
	o.threads = 1;
	o.interval = 1000;
	o.distance = -1;
	o.policy = POL_OTHER;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct optdef *d = NULL;
		size_t k;

		if (a[0] != '-' || !a[1])
			bad("unexpected argument '%s'", a);
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			const char *val = eq ? eq + 1 : NULL;

			for (k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++)
				if (strlen(optdefs[k].lng) == n && !strncmp(optdefs[k].lng, a + 2, n))
					d = &optdefs[k];
			if (!d)
				bad("unknown option '%s'", a);
			if (d->arg == 0 && val)
				bad("option '%s' takes no value", a);
			if (d->arg == 1 && !val) {
				if (i + 1 >= argc)
					bad("option '%s' needs a value", a);
				val = argv[++i];
			}
			if (d->arg == 2 && !val && i + 1 < argc && is_number(argv[i + 1]))
				val = argv[++i];
			if (d->sh == 'y')
				policy_given = 1;
			apply(d, a, val);
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			char name[3] = { '-', *p, 0 };

			d = NULL;
			for (k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++)
				if (optdefs[k].sh == *p)
					d = &optdefs[k];
			if (!d)
				bad("unknown option '%s'", name);
			if (d->arg == 0) {
				apply(d, name, NULL);
				continue;
			}
			const char *val = p[1] ? p + 1 : NULL;

			if (!val && d->arg == 1) {
				if (i + 1 >= argc)
					bad("option '%s' needs a value", name);
				val = argv[++i];
			} else if (!val && d->arg == 2 && i + 1 < argc && is_number(argv[i + 1])) {
				val = argv[++i];
			}
			if (d->sh == 'y')
				policy_given = 1;
			apply(d, name, val);
			break;
		}
	}
	/* rt-tests: a priority means SCHED_FIFO unless RR was asked for. */
	if (o.prio && o.policy == POL_OTHER && !policy_given)
		o.policy = POL_FIFO;
	if (o.prio && o.policy == POL_OTHER) {
		fprintf(stderr, "policy and priority don't match: setting policy to SCHED_FIFO\n");
		o.policy = POL_FIFO;
	}
	if ((o.policy == POL_FIFO || o.policy == POL_RR) && !o.prio) {
		fprintf(stderr, "defaulting realtime priority to %d\n", o.threads + 1);
		o.prio = o.threads + 1;
	}
	if (o.histogram && o.distance != -1)
		fprintf(stderr, "distance is ignored and set to 0, if histogram enabled\n");
	if (o.distance == -1)
		o.distance = 500;
}

static const char *policy_name(int p)
{
	static const char *const names[] = { "other", "fifo", "rr", "deadline" };

	return names[p];
}

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

static void print_stat(struct thread_param *par, int verbose)
{
	struct thread_stat *st = par->stat;

	if (!verbose) {
		const char *fmt = o.nsecs
			? "T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%8ld Avg:%8ld Max:%8ld\n"
			: "T:%2d (%5d) P:%2d I:%ld C:%7lu Min:%7ld Act:%5ld Avg:%5ld Max:%8ld\n";

		printf(fmt, par->index, (int)st->tid, par->prio, par->interval, st->cycles,
		       st->min, st->act, st->cycles ? (long)(st->sum / (int64_t)st->cycles) : 0L,
		       st->max);
		return;
	}
	while (st->cycles != st->cyclesread) {
		if (st->cycles - st->cyclesread > VALBUF_SIZE)	/* lost: too far behind */
			st->cyclesread = st->cycles - VALBUF_SIZE;
		printf("%8d:%8lu:%8ld\n", par->index, st->cyclesread,
		       st->values[st->cyclesread & (VALBUF_SIZE - 1)]);
		st->cyclesread++;
	}
}

static void print_hist(struct thread_param *par, int n)
{
	unsigned long maxmax = 0, alloverflows = 0, alltotal = 0;
	int i, j;

	printf("# Histogram\n");
	for (i = 0; i < o.histogram; i++) {
		unsigned long all = 0;

		printf("%06d ", i);
		for (j = 0; j < n; j++) {
			unsigned long v = (unsigned long)par[j].stat->hist[i];

			printf("%06lu", v);
			if (j < n - 1)
				printf("\t");
			all += v;
		}
		if (o.histofall && n > 1)
			printf("\t%06lu", all);
		printf("\n");
	}
	printf("# Total:");
	for (j = 0; j < n; j++) {
		unsigned long t = 0;

		for (i = 0; i < o.histogram; i++)
			t += (unsigned long)par[j].stat->hist[i];
		printf(" %09lu", t);
		alltotal += t;
	}
	if (o.histofall && n > 1)
		printf(" %09lu", alltotal);
	printf("\n# Min Latencies:");
	for (j = 0; j < n; j++)
		printf(" %05lu", (unsigned long)par[j].stat->min);
	printf("\n# Avg Latencies:");
	for (j = 0; j < n; j++)
		printf(" %05lu", par[j].stat->cycles
		       ? (unsigned long)(par[j].stat->sum / (int64_t)par[j].stat->cycles) : 0UL);
	printf("\n# Max Latencies:");
	for (j = 0; j < n; j++) {
		printf(" %05lu", (unsigned long)par[j].stat->max);
		if ((unsigned long)par[j].stat->max > maxmax)
			maxmax = (unsigned long)par[j].stat->max;
	}
	if (o.histofall && n > 1)
		printf(" %05lu", maxmax);
	printf("\n# Histogram Overflows:");
	for (j = 0; j < n; j++) {
		printf(" %05lu", par[j].stat->hist_overflow);
		alloverflows += par[j].stat->hist_overflow;
	}
	if (o.histofall && n > 1)
		printf(" %05lu", alloverflows);
	printf("\n# Histogram Overflow at cycle number:\n");
	for (j = 0; j < n; j++)
		printf("# Thread %d: \n", j);
	printf("\n");
}

/* Thread attributes for a measuring (or load) thread of policy pol at prio. */
static int make_attr(pthread_attr_t *attr, int pol, int prio)
{
	struct sched_param sp;

	pthread_attr_init(attr);
	if (pol != POL_FIFO && pol != POL_RR)
		return 0;	/* inherit: other, or deadline set by the thread itself */
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = prio;
	pthread_attr_setinheritsched(attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(attr, pol == POL_RR ? SCHED_RR : SCHED_FIFO);
	return pthread_attr_setschedparam(attr, &sp);
}

static int start_load(pthread_t *th)
{
	pthread_attr_t attr;
	int i, err;

#if !defined(__linux__) || CT_TAKT
	/* No SCHED_OTHER here: the load runs at the lowest FIFO priority and
	 * main just above it, so that main still refreshes the display. */
	struct sched_param sp = { .sched_priority = 2 };

	pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	make_attr(&attr, POL_RR, 1);
#else
	pthread_attr_init(&attr);	/* SCHED_OTHER, inherited from main */
#endif
	for (i = 0; i < o.load; i++) {
		err = pthread_create(&th[i], &attr, loadthread, NULL);
		if (err) {
			fprintf(stderr, "cyclictest: cannot create load thread %d: %s\n", i,
				strerror(err));
			return -1;
		}
	}
	pthread_attr_destroy(&attr);
	return 0;
}

/* With no arguments (a Takt boot without bootargs) run a short demo. */
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

	if (CT_TAKT && argc <= 1)
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
		p->stat = &stats[i];
		p->policy = o.policy;
		p->prio = o.policy == POL_DEADLINE ? 0 : prio;
		p->interval = interval;
		/* cyclicdeadline-like: half of each period, shared by the threads. */
		p->runtime_ns = (uint64_t)interval * 1000 / 2 / (uint64_t)o.threads;
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
		if (prio > 1 && !o.histogram)
			prio--;
		if (!o.histogram)
			interval += o.distance;
		err = make_attr(&attr, p->policy, p->prio);
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
	fflush(stdout);
	return EXIT_SUCCESS;
}
