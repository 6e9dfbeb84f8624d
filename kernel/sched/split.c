/*
 * C=D split deadline threads (issue 19; Burns, Davis, Wang, Zhang, "Partitioned
 * EDF scheduling for multiprocessors using a C=D task splitting scheme",
 * Real-Time Systems 48, 2012). place.c splits a thread that fits on no single
 * CPU into two pieces of one job (T the period, D the relative deadline):
 *
 *   piece 0 on CPU a: runtime C1, deadline C1 (C = D: it runs at once and
 *                     whole, and so is done by release + C1);
 *   piece 1 on CPU b: runtime C - C1, absolute deadline release + D.
 *
 * Each CPU's exact test admitted its piece with those parameters, so each
 * is an ordinary CBS reservation while it runs. What this file adds is the
 * hand-over: when piece 0's budget runs out with the job unfinished, the job
 * moves to b with the rest of its budget and its own deadline (the CBS
 * wake-up rule on b keeps both: C2 / (release + D - now) <= C2 / (D - C1)
 * for now <= release + C1); when the job ends on b, the thread goes back to
 * a for the next release. At most two migrations per job; a job that needs
 * no more than C1 never leaves a.
 *
 * Going back: the next job is released on a no earlier than release + T (a
 * sporadic task's jobs are a period apart: a thread that woke earlier waits,
 * throttled, as the CBS rule of a constrained task makes it wait).
 */
#include "core_impl.h"

static bool is_split(const struct tk_thread *t)
{
	return t->se.cls == SCHED_CLASS_DL && t->run.npieces == 2;
}

static uint64_t piece_deadline(const struct tk_thread *t, unsigned i)
{
	const struct place_piece *pc = &t->run.piece[i];

	return t->job_release + pc->offset + pc->deadline;
}

/* The entity's parameters become piece i's (its budget and deadline are the
 * caller's to set). */
static void set_piece(struct tk_thread *t, unsigned i)
{
	struct dl_params p = { t->run.piece[i].runtime, t->run.piece[i].deadline,
			       t->run.period };

	dl_set_params(&t->se.dl, &p);
	t->piece = (uint8_t)i;
}

struct dl_params split_params(const struct tk_thread *t, const struct dl_params *p)
{
	struct dl_params q = *p;

	if (t->run.npieces == 2) {
		q.runtime = t->run.piece[0].runtime;
		q.deadline = t->run.piece[0].deadline;
		q.period = t->run.period;
	}
	return q;
}

/* The running t leaves c's queues and CPU for `to` once switched out. */
static void leave_for(struct cpu *c, struct tk_thread *t, unsigned to)
{
	t->on_rq = false;
	rq_dl_leave(&c->rq, &t->se);
	list_del(&t->boost_node);
	t->migrate_to = (int8_t)to;
	t->next_cpu = (uint8_t)to;
	c->need_resched = true;
}

/* t's job goes on as the piece on CPU `to`. A thread helping elsewhere
 * (help.c) stays where it helps, queued again by its new piece, and goes to
 * `to` when done helping instead of the CPU it came from. */
static void move_on(struct cpu *c, struct tk_thread *t, unsigned to, uint64_t now)
{
	if (t->help_home < 0) {
		leave_for(c, t, to);
		return;
	}
	t->help_home = (int8_t)to;
	t->on_rq = false;
	rq_dl_leave(&c->rq, &t->se);
	list_del(&t->boost_node);
	cpu_enqueue(c, t, now);
	c->need_resched = true;
}

/* Piece 0 again, for the job after the one that ended (or overran) on b. */
static void to_piece0(struct tk_thread *t, uint64_t now)
{
	struct dl_entity *dl = &t->se.dl;
	uint64_t next = t->job_release + t->run.period;

	set_piece(t, 0);
	dl->deadline = piece_deadline(t, 0);	/* next period: deadline - C1 + T */
	if (dl->runtime > 0)
		dl->runtime = 0;
	dl->throttled = now < next;
	dl->fresh = !dl->throttled;
}

/* t ran piece 1 on c and its job ended or overran: back to a. */
static void go_home(struct cpu *c, struct tk_thread *t, uint64_t now)
{
	to_piece0(t, now);
	move_on(c, t, t->run.piece[0].cpu, now);
}

bool split_charge(struct cpu *c, struct tk_thread *t, uint64_t now, uint64_t d)
{
	struct dl_entity *dl = &t->se.dl;

	if (!is_split(t) || (int64_t)d < dl->runtime || dl->throttled)
		return false;
	if (t->piece == 1) {	/* piece 1 overran: throttled, it waits on a */
		sched_dl_events(c, t, rq_dl_charge(&c->rq, &t->se, now, d));
		go_home(c, t, now);
		return true;
	}
	if (!dl->job_active)
		return false;
	dl->runtime -= (int64_t)d;
	t->job_release = dl->deadline - t->run.piece[0].deadline;
	set_piece(t, 1);
	dl->deadline = piece_deadline(t, 1);
	dl->runtime += (int64_t)t->run.piece[1].runtime;
	if (dl->runtime <= 0)	/* a very late budget timer: still a job to finish */
		dl->runtime = 1;
	move_on(c, t, t->run.piece[1].cpu, now);
	return true;
}

void split_yielded(struct cpu *c, struct tk_thread *t, uint64_t now)
{
	if (is_split(t) && t->piece == 1)
		go_home(c, t, now);
}

/* Would the CBS wake-up rule, applied to the whole task (C, D), keep the
 * job's deadline and budget? Only then is the wake-up the same job going
 * on (it blocked mid-way, on a mutex say); otherwise it is the next job,
 * even a little before the kernel's release + D: the sleep that releases
 * it was timed by the thread, from its own release. */
static bool same_job(const struct tk_thread *t, uint64_t now)
{
	const struct dl_entity *dl = &t->se.dl;
	uint64_t dead = piece_deadline(t, 1);
	uint64_t c = t->run.piece[0].runtime + t->run.piece[1].runtime;
	uint64_t d = t->run.piece[1].offset + t->run.piece[1].deadline;

	if (now >= dead || dl->runtime <= 0 || dl->throttled)
		return false;
	return (unsigned __int128)(uint64_t)dl->runtime * d <= (unsigned __int128)(dead - now) * c;
}

/* Only from split_wake: t is split and on piece 1. */
void split_wake_piece1(struct tk_thread *t, uint64_t now)
{
	if (same_job(t, now))
		return;
	to_piece0(t, now);
	if (t->help_home >= 0)
		t->help_home = (int8_t)t->run.piece[0].cpu;	/* goes there when done helping */
	else
		t->next_cpu = t->run.piece[0].cpu;
}
