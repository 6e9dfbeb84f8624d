/* A split thread helping while its piece changes (split_help.c); main.c checks it. */
#ifndef SMP_SPLIT_HELP_H
#define SMP_SPLIT_HELP_H

struct split_help_result {
	int created;		/* every thread created */
	int cpu[2];		/* the split thread's pieces' CPUs */
	int helped;		/* it ran on CPU 3 while holding the mutex */
	int w_got;		/* the waiter got the mutex */
	unsigned jobs_after;	/* its jobs after the episode's next */
	unsigned started_off;	/* of those, started off piece 0's CPU */
};

/* 4 CPUs or more: see split_help.c. */
void split_help_run(struct split_help_result *r);

#endif
