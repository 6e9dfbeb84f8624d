/*
 * Multicore placement and admission of deadline tasks (issue 19): partitioned
 * EDF, worst-fit, with C=D task splitting (Burns, Davis, Wang, Zhang,
 * "Partitioned EDF scheduling for multiprocessors using a C=D task splitting
 * scheme", Real-Time Systems 48, 2012) and an exact per-CPU EDF test (QPA,
 * Zhang & Burns 2009).
 *
 * Pure logic: no kernel dependency, no allocation, no locking. The kernel keeps
 * one place_sys under a lock taken only on parameter changes; the host unit
 * tests and `./takt bench smp` compile the same file.
 *
 * Per-CPU test. A CPU admits its pieces when
 *   (1) sum of C/T <= bound (long-run share, default 95 %, BW_SHIFT fixed
 *       point like dl_bw; the rest is left to fixed-priority threads), and
 *   (2) if it holds a constrained piece (D < T: a C=D split piece or a task
 *       with a short deadline), the processor-demand test dbf(t) <= t for all
 *       t, decided by QPA. The demand test runs at full speed, not at `bound`
 *       speed: a C=D piece needs the whole CPU for C, so with the bound as a
 *       speed no C=D piece would ever fit; the bound caps the long-run share.
 * Each CPU keeps its first PLACE_PIECES_MAX pieces individually (fixed
 * storage); (2) counts those by their exact dbf. Implicit-deadline tasks past
 * that storage are kept only as a sum and enter (2) by their u*t line, which is
 * >= their dbf: (2) is exact while the CPU's pieces fit in its storage, and
 * sufficient (never unsafe) past it. A constrained piece needs a slot: none
 * free is -ENOSPC. With implicit deadlines only on a CPU, (1) alone is exact
 * and O(1). The QPA horizon and iterations are capped (PLACE_HORIZON_MAX,
 * PLACE_QPA_STEPS_MAX); past them the test says no (sufficient, never unsafe).
 *
 * Bandwidths are rounded up ((C << BW_SHIFT) + T - 1) / T, so a sum of them
 * never under-states the load; release subtracts exactly what admit added.
 */
#ifndef TAKT_SCHED_PLACE_H
#define TAKT_SCHED_PLACE_H

#include <stdbool.h>
#include <stdint.h>

#define PLACE_CPUS_MAX 8
/* Pieces one CPU keeps individually (fixed storage, see above). */
#define PLACE_PIECES_MAX 32
#define PLACE_SHIFT 20 /* == BW_SHIFT of kernel/sched/dl.h */
#define PLACE_UNIT (1ull << PLACE_SHIFT)
#define PLACE_BOUND_DEFAULT ((950000ull << PLACE_SHIFT) / 1000000ull) /* 95 % */
#define PLACE_RUNTIME_MIN 1024ull          /* == DL_RUNTIME_MIN (Linux 2^DL_SCALE) */
#define PLACE_PERIOD_MAX (1ull << 36)      /* ~68.7 s: keeps QPA sums < 2^63 */
/* Implicit-deadline tasks (D == T) may have periods up to this (~18 min,
 * the kernel's DL_PERIOD_MAX); past PLACE_PERIOD_MAX they enter the exact
 * test only by their u*t line, as the pieces kept in the sum (sufficient),
 * and are never split. */
#define PLACE_PERIOD_MAX_IMPLICIT (1ull << 40)
#define PLACE_HORIZON_MAX (1ull << 40)     /* longest demand interval checked */
#define PLACE_QPA_STEPS_MAX 100000u
#define PLACE_BUSY_STEPS 64u /* busy-period iterations before QPA keeps its bound */
#define PLACE_SLOT_NONE 0xff               /* an implicit piece past the storage */

struct place_params {
	uint64_t runtime, deadline, period; /* ns; PLACE_RUNTIME_MIN <= C <= D <= T */
};

/* One piece of a placed task. A split task's piece 1 has runtime ==
 * deadline == C1 and offset 0; piece 2 has runtime C - C1, deadline D - C1
 * and offset C1: it is released on its CPU C1 after the job's release (at the
 * latest; the kernel may hand it over as soon as piece 1 completes). */
struct place_piece {
	uint8_t cpu;
	uint8_t slot; /* index in the CPU's pieces, PLACE_SLOT_NONE: in the sum only */
	uint64_t runtime, deadline, offset;
	uint64_t bw; /* the share this piece holds on its CPU */
};

struct place_result {
	uint8_t npieces; /* 1, or 2 for a split task */
	uint64_t period;
	struct place_piece piece[2];
};

struct place_ent {
	uint64_t c, d, t;
	uint64_t bw;
	bool used;
};

struct place_cpu {
	uint64_t total_bw; /* sum of every piece's bw on this CPU */
	uint64_t sum_bw;   /* the implicit pieces kept only in the sum */
	unsigned ncon;     /* constrained pieces (D < T) in ent[] */
	struct place_ent ent[PLACE_PIECES_MAX];
};

struct place_sys {
	unsigned ncpus;
	unsigned nsplit; /* split tasks, at most ncpus - 1 */
	uint32_t gen;    /* changes with every share taken, given back or bound set */
	unsigned long work; /* loop iterations of the exact test so far (a count, not state) */
	uint64_t bound_bw;
	struct place_cpu cpu[PLACE_CPUS_MAX];
};

/* Empty system of ncpus CPUs (clamped to 1..PLACE_CPUS_MAX), bound 95 %. */
void place_init(struct place_sys *s, unsigned ncpus);

/* @retval 0, -EINVAL bound 0 or above 100 %, -EBUSY a CPU already holds more */
int place_set_bound(struct place_sys *s, uint64_t bound_bw);

/* Place a task on the CPUs of mask (bit i = CPU i): the CPU with the most
 * spare share that passes its test, else split C=D over two CPUs of the mask.
 * @retval 0 (out filled, shares taken), -EINVAL bad parameters or mask,
 *         -EBUSY no placement, -ENOSPC a CPU's constrained list is full;
 *         on error nothing changes. */
int place_admit(struct place_sys *s, const struct place_params *p, uint32_t mask,
		struct place_result *out);

/* Re-place a placed task (old) with new parameters and mask, its own old share
 * not counting against it. On success old's shares are given back and out is
 * the new placement (out may be old); on error nothing changes. */
int place_change(struct place_sys *s, const struct place_result *old, const struct place_params *p,
		 uint32_t mask, struct place_result *out);

/* Tasks place_repack may move (at most PLACE_REPACK_MAX at a time). */
#define PLACE_REPACK_MAX 32 /* 7 KiB of work space in the kernel */
/* The search's bound, in loop iterations of the exact test: a refused repack
 * of 12 tasks spends about this many (./takt bench smp measures the time). */
#ifndef PLACE_REPACK_WORK
#define PLACE_REPACK_WORK 100000ul
#endif

struct place_item {
	struct place_params p;
	uint32_t mask;
	struct place_result placed; /* where it is (npieces 0: the task to admit) */
	struct place_result out;    /* where it goes, on success */
};

/* The admission an online worst-fit placement fails falls back to: take the
 * tasks of it[] off their CPUs and place them again with the new one (at most
 * one item with placed.npieces == 0) by decreasing share, each on the CPU of
 * its mask with the least spare share that passes (best fit keeps the room in
 * few large holes), split C=D where none does. When a task fits nowhere, the
 * search goes back to the last choice with an alternative (another CPU,
 * another pair of CPUs for a split) and on from there, depth first, until
 * every task is placed or PLACE_REPACK_WORK iterations of the exact test are
 * spent (then -EBUSY, as when no placement exists). Every share in s that is
 * not an item's stays where it is (tasks the caller does not list). scratch
 * is work space (a place_sys is large for a stack). Offered tasks one by one
 * in random order, this admits 98 to 99 % of the sets of 6 heavy tasks at
 * 0.90 m that exist (./takt bench smp).
 * @retval 0 (s updated, every it[].out filled), -EINVAL (a bad item: mask,
 *         parameters, a placement of more than two pieces, two new ones; n of
 *         0 or > PLACE_REPACK_MAX), -EBUSY (no such placement found); on
 *         error s is unchanged */
int place_repack(struct place_sys *s, struct place_item *it, unsigned n, struct place_sys *scratch);

/* Give a placed task's shares back. */
void place_release(struct place_sys *s, const struct place_result *r);

/* CPU for a fixed-priority thread: the CPU of mask with the fewest threads by
 * the caller's per-CPU count nthreads[] (the caller keeps it); ties go to the
 * smaller deadline load, then the lower CPU number.
 * @retval cpu, -EINVAL empty mask or mask beyond ncpus */
int place_fp_cpu(const struct place_sys *s, uint32_t mask, const unsigned *nthreads);

/* A CPU's admitted deadline share, PLACE_SHIFT fixed point (for /metrics). */
uint64_t place_cpu_load(const struct place_sys *s, unsigned cpu);

/* The exact per-CPU test alone, for tests and the benchmark: would CPU cpu
 * pass with one more piece (c, d, t)? */
bool place_cpu_fits(const struct place_sys *s, unsigned cpu, uint64_t c, uint64_t d, uint64_t t);

#endif /* TAKT_SCHED_PLACE_H */
