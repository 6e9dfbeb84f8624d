/* The C=D split workload of the smp test (split.c); main.c checks it. */
#ifndef SMP_SPLIT_H
#define SMP_SPLIT_H

#include <stdint.h>

struct split_result {
	int created;			/* every thread created */
	int cpu[2];			/* the split thread's pieces' CPUs */
	unsigned jobs;			/* its jobs run */
	unsigned late;			/* its jobs ended past their deadline */
	unsigned started_off, ended_off; /* jobs not started on cpu[0] / not ended on cpu[1] */
	uint64_t migrations;
	uint32_t misses, overruns;	/* the split thread's, by the kernel */
	uint32_t others_misses;		/* the other deadline threads' */
};

/* One 60 % deadline thread pinned to each CPU, and one more 60 % thread that
 * fits on no single CPU beside them: it is split. Every job of each burns
 * 50 % of the period in CPU time. */
void split_run(unsigned ncpu, struct split_result *r);

#endif
