/* The repack workload of the smp test (repack.c); main.c checks it. */
#ifndef SMP_REPACK_H
#define SMP_REPACK_H

#include <stdint.h>

struct repack_result {
	unsigned created;		/* threads admitted, of REPACK_THREADS */
	unsigned moved;			/* threads living elsewhere after the 6th came */
	unsigned split;			/* threads split over two CPUs at the end */
	unsigned jobs;			/* jobs run, all threads */
	unsigned late;			/* jobs ended past their deadline */
	uint32_t misses, overruns;	/* the kernel's counts, all threads */
};

#define REPACK_THREADS 6

/* On 4 CPUs: deadline threads of 65, 70, 55, 15 and 65 % run their jobs;
 * a sixth of 70 % then fits on no CPU as they lie, nor split over two, but
 * the set fits (330 % of 380 %) once they are placed again. */
void repack_run(struct repack_result *r);

struct params_result {
	int split_at_first;		/* the 60 % thread beside 60 % ones: split */
	int whole_after_shrink;		/* changed to 30 %: whole on one CPU */
	int split_after_grow;		/* back to 60 %: split again */
	int refused_unchanged;		/* 99 %: -EBUSY, still 60 % and split */
	int mask_one_cpu_refused;	/* pinned to one loaded CPU: -EBUSY, unchanged */
	int mask_without_its_cpu;	/* (3+ CPUs) a mask without one of its CPUs:
					 * split again within it; else -EBUSY */
	uint32_t misses;		/* every thread's */
};

/* A 60 % deadline thread pinned to each CPU, and a free 60 % one whose
 * parameters change at run time between split and whole. */
void params_run(unsigned ncpu, struct params_result *r);

#endif
