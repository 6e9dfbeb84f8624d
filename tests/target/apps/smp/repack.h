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

#endif
