/*
 * Re-placing the deadline threads when a new one fits nowhere as it comes.
 *
 * Threads arrive one at a time, and worst fit (params.c) spreads them so
 * that a heavy one coming late may find no CPU with room although the set
 * fits: 12 random tasks at 0.90 m on 4 CPUs are admitted 49 % of the time
 * online, 99.6 % when offered by decreasing share (`./takt bench smp`).
 * So when the online placement fails, place_repack() places every deadline
 * thread again with the new one, by decreasing share, best fit, split C=D
 * where needed; the admission then matches the offline one.
 *
 * The search runs with interrupts on and no lock held, on a copy of the
 * shares taken under the locks with the threads' placements (snapshot());
 * the result is booked only if no share changed meanwhile (place_sys.gen),
 * else the search runs again on a new copy. So a repack holds
 * sched_admit_lock, which every CPU takes to apply a WAKE_PLACE post, only
 * to copy the shares in and out, never for the search (up to milliseconds).
 * Repacks take turns (repack_mutex): one work space.
 *
 * The new shares are booked at once, under sched_admit_lock (t->placed). A
 * thread whose placement changed is told with a WAKE_PLACE post on its own
 * CPU, which takes the placement over (t->run) and moves it there. Until the
 * post is applied (a few microseconds: an IPI when it preempts, else the
 * CPU's next decision) the thread runs where it was: a transient of at most
 * that long in which a CPU may carry more than its test admitted. The job in
 * progress keeps its release and remaining budget (clipped to the new first
 * piece); the new parameters hold from its next job, as Linux's
 * sched_setattr does.
 */
#include <errno.h>
#include <stdlib.h>

#include <takt/sync.h>
#include <takt/time.h>

#include "core_impl.h"

/* Work space, 28 KiB, under repack_mutex: from the heap once the app
 * makes its first deadline thread, since most apps never repack and it
 * would be static RAM in every image. */
struct repack_work {
	struct place_item items[PLACE_REPACK_MAX];
	struct tk_thread *owner[PLACE_REPACK_MAX];
	struct place_sys base;		/* the shares as snapshot() found them */
	struct place_sys scratch;
};
static struct repack_work *work;
static struct tk_mutex repack_mutex;

void sched_repack_prepare(void)
{
	struct repack_work *w;

	if (__atomic_load_n(&work, __ATOMIC_ACQUIRE))
		return;
	w = malloc(sizeof(*w));
	if (w && !__atomic_compare_exchange_n(&work, &(struct repack_work *){ 0 }, w, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		free(w);	/* another thread's came first */
}

struct gather {
	struct repack_work *w;
	unsigned n;
	uint32_t online;
};

/* A deadline thread that can be re-placed now: placed, not exiting, not
 * helping or lent to another CPU (sched/help.c moves those itself). */
static bool movable(const struct tk_thread *t)
{
	return t->se.cls == SCHED_CLASS_DL && t->placed.npieces && !t->gone &&
	       t->state != THREAD_EXITED && t->help_to < 0 && t->help_home < 0;
}

/* tk_thread_foreach's callback, under klock and sched_admit_lock. */
static void gather_one(tk_thread_t *t, void *arg)
{
	struct gather *g = arg;
	uint64_t c = 0;

	if (!movable(t) || !(t->affinity & g->online) || g->n + 1 >= PLACE_REPACK_MAX)
		return;	/* the rest keep their shares where they are */
	for (unsigned i = 0; i < t->placed.npieces; i++)
		c += t->placed.piece[i].runtime;
	g->w->items[g->n] = (struct place_item){
		{ c, t->placed.npieces == 2 ? t->placed.piece[1].offset + t->placed.piece[1].deadline
					    : t->placed.piece[0].deadline, t->placed.period },
		t->affinity & g->online, t->placed, { 0 } };
	g->w->owner[g->n++] = t;
}

static bool same_place(const struct place_result *a, const struct place_result *b)
{
	if (a->npieces != b->npieces || a->period != b->period)
		return false;
	for (unsigned i = 0; i < a->npieces; i++)
		if (a->piece[i].cpu != b->piece[i].cpu || a->piece[i].runtime != b->piece[i].runtime ||
		    a->piece[i].deadline != b->piece[i].deadline)
			return false;
	return true;
}

/* Book the new placements; tell each moved thread's CPU. */
static void book(const struct repack_work *w, unsigned n, uint64_t now)
{
	for (unsigned i = 0; i < n; i++) {
		struct tk_thread *t = w->owner[i];

		if (same_place(&t->placed, &w->items[i].out)) {
			t->placed = w->items[i].out;	/* same pieces; slots may differ */
			continue;
		}
		t->placed = w->items[i].out;
		__atomic_add_fetch(&t->pins, 1, __ATOMIC_ACQ_REL);	/* freed only after the post */
		cpu_post(t, WAKE_PLACE, now);
	}
}

/* Under the locks: the shares and the movable threads, with t as the new
 * item (w->items[n]). @retval n */
static unsigned snapshot(struct repack_work *w, const struct dl_params *p, uint32_t mask)
{
	unsigned long fk = klock();	/* the thread list; before sched_admit_lock */
	unsigned long fa = tk_spin_lock_irqsave(&sched_admit_lock);
	struct gather g = { w, 0, smp_online_mask() };

	w->base = *sched_places();
	tk_thread_foreach(gather_one, &g);
	w->items[g.n] = (struct place_item){ { p->runtime, p->deadline, p->period ? p->period : p->deadline },
					     mask, { 0 }, { 0 } };
	tk_spin_unlock_irqrestore(&sched_admit_lock, fa);
	kunlock(fk);
	return g.n;
}

/* Under the locks: if no share changed since snapshot() saw gen, book
 * w->base, the search's result, for t and the n threads gathered (err 0),
 * or let the refusal stand. @retval false: something changed, search again */
static bool book_if_unchanged(struct repack_work *w, struct tk_thread *t, unsigned n, uint32_t gen,
			      int err)
{
	unsigned long fk = klock();
	unsigned long fa = tk_spin_lock_irqsave(&sched_admit_lock);
	struct place_sys *s = sched_places();
	bool same = s->gen == gen;

	if (same && !err) {
		*s = w->base;
		t->placed = w->items[n].out;
		book(w, n, tk_now_ns());
	}
	tk_spin_unlock_irqrestore(&sched_admit_lock, fa);
	kunlock(fk);
	return same;
}

int sched_dl_repack(struct tk_thread *t, const struct dl_params *p, uint32_t mask)
{
	struct repack_work *w = __atomic_load_n(&work, __ATOMIC_ACQUIRE);
	int err;

	if (!w)
		return -ENOMEM;	/* sched_repack_prepare found no memory */
	tk_mutex_lock(&repack_mutex, TK_FOREVER);
	for (;;) {	/* a round lost to a change is another thread's progress */
		unsigned n = snapshot(w, p, mask);
		uint32_t gen = w->base.gen;

		err = place_repack(&w->base, w->items, n + 1, &w->scratch);
		if (book_if_unchanged(w, t, n, gen, err))
			break;
	}
	tk_mutex_unlock(&repack_mutex);
	return err ? -EBUSY : 0;
}

/* On t's CPU: t's jobs run by its booked placement from now on.
 * @retval the CPU of its first piece, -1 when nothing changed */
static int adopt(struct tk_thread *t)
{
	unsigned long f = tk_spin_lock_irqsave(&sched_admit_lock);
	struct place_result r = t->placed;

	tk_spin_unlock_irqrestore(&sched_admit_lock, f);
	if (!r.npieces || same_place(&r, &t->run))
		return -1;
	struct dl_entity *dl = &t->se.dl;
	const struct place_piece *cur = &t->run.piece[t->run.npieces == 2 ? t->piece : 0];
	uint64_t back = cur->offset + cur->deadline;	/* the job's release from its deadline */
	struct dl_params q = { r.piece[0].runtime, r.piece[0].deadline, r.period };

	if (t->run.npieces && dl->deadline >= back) {
		t->job_release = dl->deadline - back;
		dl->deadline = t->job_release + r.piece[0].deadline;
	}
	t->run = r;
	t->piece = 0;
	dl_set_params(dl, &q);	/* valid: place.c's pieces are; clips the budget */
	return r.piece[0].cpu;
}

void sched_dl_replace(struct cpu *c, struct tk_thread *t, uint64_t now)
{
	bool q = t->on_rq;

	if (t->state != THREAD_EXITED && t->se.cls == SCHED_CLASS_DL) {
		if (q)
			cpu_take_out(c, t, now);
		int to = adopt(t);

		if (to < 0 || (unsigned)to == c->id || t->help_home >= 0) {
			if (to >= 0 && t->help_home >= 0)
				t->help_home = (int8_t)to;	/* it goes there when done helping */
			if (q)
				cpu_enqueue(c, t, now);
		} else if (!q) {
			t->next_cpu = (uint8_t)to;	/* blocked or leaving: moved on arrival */
			if (t->migrate_to >= 0)
				t->migrate_to = (int8_t)to;
		} else if (t == c->current) {
			t->next_cpu = (uint8_t)to;
			t->migrate_to = (int8_t)to;	/* leaves once switched out */
			c->need_resched = true;
		} else {
			cpu_hand_over(c, t, &cpus[to], now);
		}
	}
}

void place_apply(struct cpu *c, struct tk_thread *t, uint64_t now)
{
	sched_dl_replace(c, t, now);
	__atomic_sub_fetch(&t->pins, 1, __ATOMIC_ACQ_REL);
}
