/* The scheduling classes, numbered so that a higher value always runs first
 * (DESIGN.md section 4: deadline > fixed priority > idle). */
#ifndef TAKT_SCHED_CLASS_H
#define TAKT_SCHED_CLASS_H

enum sched_class {
	SCHED_CLASS_IDLE = 0,
	SCHED_CLASS_FP = 1,
	SCHED_CLASS_DL = 2,
};

#endif /* TAKT_SCHED_CLASS_H */
