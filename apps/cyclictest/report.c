/* cyclictest's output, as rt-tests 2.x prints it (see main.c). */
#include "cyclictest.h"

void print_stat(struct thread_param *par, int verbose)
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

void print_hist(struct thread_param *par, int n)
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
