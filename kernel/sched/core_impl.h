/*
 * The scheduler core's parts (core.c: deciding and switching; wake.c: the
 * cross-CPU wake lists; params.c: classes, parameters and admission;
 * migrate.c: placement and moves between CPUs). Private to kernel/sched/.
 * Everything with interrupts masked, on the CPU whose state it touches
 * unless it says otherwise.
 */
#ifndef TAKT_SCHED_CORE_IMPL_H
#define TAKT_SCHED_CORE_IMPL_H

#include "../thread_impl.h"

/* What a wake-list post asks of the thread's CPU. */
enum { WAKE_WAKE = 1, WAKE_ARRIVE = 2, WAKE_UPDATE = 4, WAKE_HELP = 8, WAKE_PLACE = 16 };

/* Every CPU's dl_bw (admission): taken on parameter changes only. */
extern tk_spinlock_t sched_admit_lock;

static inline struct tk_thread *thread_of(struct sched_entity *se)
{
	return container_of(se, struct tk_thread, se);
}

static inline struct sched_entity *running_se(struct cpu *c)
{
	return c->current == c->idle ? 0 : &c->current->se;
}

/* core.c */
void cpu_load_add(struct cpu *c, int d);		/* threads living on c, atomically */
void cpu_leave_timers(struct cpu *c, struct tk_thread *t);	/* a DL thread leaving c */
void sched_dl_events(struct cpu *c, struct tk_thread *t, unsigned ev);
uint64_t sched_account(struct cpu *c, uint64_t now);	/* time since the last charge */
/* A ready thread leaves c's run queue, boost list and timers. */
void cpu_take_out(struct cpu *c, struct tk_thread *t, uint64_t now);
/* t (taken out, not running) moves to CPU `to`: counted, posted there. */
void cpu_hand_over(struct cpu *c, struct tk_thread *t, struct cpu *to, uint64_t now);

/* wake.c */
/* The key other CPUs compare a wake-up against (inline: every decision
 * publishes it). */
static inline struct run_key run_key_of(const struct cpu *c, const struct tk_thread *t, uint64_t now)
{
	struct run_key k = { SCHED_CLASS_IDLE, 0, 0 };

	if (!t || t == c->idle)
		return k;
	k.cls = (uint8_t)t->se.cls;
	if (t->se.cls == SCHED_CLASS_DL) {
		/* a woken job whose deadline passed gets now + D (CBS wake rule) */
		k.deadline = t->se.dl.deadline > now ? t->se.dl.deadline : now + t->se.dl.dl_deadline;
	} else {
		k.prio = t->want_prio > t->se.fp.prio ? (uint8_t)t->want_prio : t->se.fp.prio;
	}
	uint64_t boost = t->want_boost ? t->want_boost : t->boost_deadline;	/* the newest */

	if (boost && (k.cls != SCHED_CLASS_DL || boost < k.deadline)) {
		k.cls = SCHED_CLASS_DL;
		k.deadline = boost;
	}
	return k;
}

bool key_before(const struct run_key *a, const struct run_key *b);
/* Post t on its home CPU's wake list (from any CPU); IPI when it preempts
 * there. */
void cpu_post(struct tk_thread *t, uint8_t flag, uint64_t now);
/* On t's home c: make `to` t's home, posting the arrival there with what
 * was still waiting for t in c's list. */
void cpu_move_posts(struct cpu *c, struct tk_thread *t, struct cpu *to, uint64_t now);
/* core.c: a woken t on its home CPU c (its timeout is c's); moves it on
 * when its CPU changed while it slept. */
void wake_here(struct cpu *c, struct tk_thread *t, uint64_t when);
/* core.c: queue the ready t on its home c (its class's wake-up rule). */
void cpu_enqueue(struct cpu *c, struct tk_thread *t, uint64_t when);
/* Whether a wake-up or arrival on c still has a thread to queue (core.c). */
bool wants_queue(const struct cpu *c, const struct tk_thread *t);
void wake_drain_posts(struct cpu *c, uint64_t now);
bool wake_publish_key(struct cpu *c, const struct run_key *k);

/* Apply c's wake-list posts. An unlocked peek first (inline: the empty
 * list is the switch path's common case): a post that comes after it is
 * seen by wake_publish, under the lock, which then decides again. */
static inline void wake_drain(struct cpu *c, uint64_t now)
{
	if (__atomic_load_n(&c->wake_list.next, __ATOMIC_RELAXED) != &c->wake_list)
		wake_drain_posts(c, now);
}

/* Publish next's key unless posts came meanwhile (false: decide again).
 * An unchanged key needs no publishing (see wake.c), and neither does any
 * while the boot CPU is alone (smp_keys: nobody reads it, and no post can
 * come; 40 instructions of each decision there). */
static inline bool wake_publish(struct cpu *c, struct tk_thread *next, uint64_t now)
{
	if (!__atomic_load_n(&smp_keys, __ATOMIC_RELAXED))
		return true;
	struct run_key k = run_key_of(c, next, now);

	if (k.cls == c->running.cls && k.prio == c->running.prio &&
	    k.deadline == c->running.deadline)
		return true;
	return wake_publish_key(c, &k);
}

/* help.c: move a preempted, lent owner to the waiter's CPU (a WAKE_HELP post) */
void help_apply(struct cpu *c, struct tk_thread *t, uint64_t now);

/* params.c: deadline shares across CPUs (place.c), under sched_admit_lock;
 * there only once sched_places_prepare succeeded (a thread is placed, or
 * the bound set). @retval 0, -ENOMEM */
int sched_places_prepare(void);
struct place_sys *sched_places(void);
void sched_dl_release(struct cpu *c, struct tk_thread *t);	/* give back its share */
/* Move t's share to CPUs of mask: whole on first if it fits there, else
 * placed on mask (whole, or split over two). t moves with sched_dl_replace
 * on its CPU. @retval 0, -EBUSY (no placement: nothing changed) */
int sched_dl_move_share(struct tk_thread *t, uint32_t mask, unsigned first);

/* repack.c: when a new deadline thread t (not added yet) fits nowhere as it
 * comes, place every deadline thread again with it; the moved ones get a
 * WAKE_PLACE post. @retval 0 (t->placed set), -EBUSY (nothing changed),
 * -ENOMEM (no work space: sched_repack_prepare found no memory) */
int sched_dl_repack(struct tk_thread *t, const struct dl_params *p, uint32_t mask);
/* repack.c: the work space, from the heap, before a deadline thread's
 * parameters are set (interrupts on); once. */
void sched_repack_prepare(void);
/* On t's CPU c: adopt, and move t where it now lives (queued again here
 * when that is c). */
void sched_dl_replace(struct cpu *c, struct tk_thread *t, uint64_t now);
/* A WAKE_PLACE post on t's CPU c: sched_dl_replace, then the pin goes. */
void place_apply(struct cpu *c, struct tk_thread *t, uint64_t now);

/* split.c: C=D split deadline threads */
/* The entity parameters of p for t: its first piece's when it is split. */
struct dl_params split_params(const struct tk_thread *t, const struct dl_params *p);
/* Charging the running t: piece 0's budget ran out, the job moves to piece
 * 1's CPU (or piece 1 overran: back). @retval true: handled, no CBS charge */
bool split_charge(struct cpu *c, struct tk_thread *t, uint64_t now, uint64_t d);
void split_yielded(struct cpu *c, struct tk_thread *t, uint64_t now);	/* job end on piece 1 */
void split_wake_piece1(struct tk_thread *t, uint64_t now);
/* A wake-up of t on its CPU: a split job that ended on piece 1's CPU goes
 * back to piece 0's (inline: most wake-ups are of threads never split). */
static inline void split_wake(struct tk_thread *t, uint64_t now)
{
	if (t->piece == 1 && t->se.cls == SCHED_CLASS_DL && t->run.npieces == 2)
		split_wake_piece1(t, now);
}

#endif
