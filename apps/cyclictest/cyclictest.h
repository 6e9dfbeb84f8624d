/*
 * cyclictest's parts (see main.c): options.c parses rt-tests' options,
 * report.c prints the T: lines and the histogram, main.c measures.
 */
#ifndef CYCLICTEST_H
#define CYCLICTEST_H

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
#include <takt/trace.h>
#endif
#endif
#ifndef CT_TAKT
#define CT_TAKT 0
#endif

#define USEC_PER_SEC 1000000L
#define NSEC_PER_SEC 1000000000L
#define HIST_MAX 1000000
#define VALBUF_SIZE 16384		/* verbose ring, a power of 2 */
#define REFRESH_US 100000
/* The demo (no bootargs; ./takt run runs it under QEMU -icount, where Takt's latency is
 * a few hundred guest ns): figures in ns, and a histogram of 1-ns buckets up to 2 us so
 * that the samples land in range. */
#define DEMO_ARGS "-t4 -p80 -i1000 -l2000 -h2000 -m -N"

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
	int smp;		/* -S: one thread per CPU, each pinned, one priority */
	int affinity;		/* -a: 0 off, 1 thread n on CPU n, 2 round robin over cpuset */
	int cpuset[64];		/* -a CPUSET: the CPUs, in order */
	int ncpuset;
	long breaktrace;	/* -b: stop when a latency passes it (us, ns with -N); 0 off */
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
	int cpu;		/* pinned there (-a, -S), or -1 */
	int prio;
	int policy;
	long interval;		/* us */
	uint64_t runtime_ns;	/* deadline */
	struct thread_stat *stat;
};

extern struct opts o;

/* options.c */
void usage(FILE *f);
void parse_options(int argc, char **argv);
int ct_is_kernel_param(const char *a);
const char *policy_name(int p);
int max_cpus(void);
/* report.c */
void print_stat(struct thread_param *par, int verbose);
void print_hist(struct thread_param *par, int n);

#endif
