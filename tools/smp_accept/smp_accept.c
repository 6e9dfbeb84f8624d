/*
 * `./takt bench smp`, the acceptance part (host program; tools/bench_smp.py
 * builds and runs it). On 4 CPUs at 0.80, 0.90 and 0.95 m, 1000 random sets
 * per point of
 *   - 12 tasks, UUniFast-discard utilisations (each <= 1),
 *   - 6 heavy tasks, each u in [0.5, 0.95] (UUniFast-discard of the rest
 *     above 0.5 each): no two fit on one CPU, so first-fit takes none,
 *   - 6 tasks, UUniFast-discard (each <= 1; mean u 0.6 at 0.90 m: the issue's
 *     "heavy" family, where it quotes first-fit at about 56 %),
 * implicit deadlines, periods drawn uniformly from {1, 2, 4, 5, 8, 10, 20, 25,
 * 40, 50, 100} ms (about log-uniform over 1..100 ms; LCM 200 ms, so one
 * hyperperiod is simulated), C = u T in ns (at least 1024 ns), fixed seeds.
 * Tasks are offered in generation order (random), whole mask, no overhead.
 *
 * Columns: Takt's placement (kernel/sched/place.c: worst-fit + C=D split)
 * at the 95 % per-CPU bound, the same at 100 %, both again with tasks
 * offered by decreasing utilisation (as an application creating its threads
 * largest first would), partitioned first-fit without splitting
 * (per CPU sum u <= 0.95, generation order), Linux's test (sum u <= 0.95 m),
 * and the share of Linux-admitted sets that miss a deadline in a simulation
 * of global EDF (the m earliest deadlines run, free migration). Every set
 * Takt admits is also simulated partitioned: its misses must be 0.
 *
 * Usage: smp_accept [OUT.json]
 */
#include <stdio.h>
#include <stdlib.h>

#include "sched/place.h"
#include "smp_refsim.h"

#define M 4
#define SETS 1000
#define MS SMP_SIM_MS

struct set {
	unsigned n;
	uint64_t c[SMP_SIM_TASKS], t[SMP_SIM_TASKS];
	double u[SMP_SIM_TASKS];
};

struct point {
	const char *family;
	unsigned n;
	double lo, hi, load; /* load: share of m */
	unsigned takt, takt100, takt_dec, takt100_dec, ff, lx, lx_miss, takt_miss, splits, generated;
	unsigned takt100_miss, repacks, moved; /* over the sets admitted at the default bound, random order */
};

static void gen(uint64_t *x, const struct point *p, struct set *s)
{
	double u[SMP_SIM_TASKS];

	while (!smp_gen_uunifast(x, p->n, p->load * M, p->lo, p->hi, u))
		;
	s->n = p->n;
	for (unsigned i = 0; i < p->n; i++) {
		s->t[i] = smp_gen_period(x);
		s->c[i] = (uint64_t)(u[i] * (double)s->t[i]);
		if (s->c[i] < PLACE_RUNTIME_MIN)
			s->c[i] = PLACE_RUNTIME_MIN;
		s->u[i] = (double)s->c[i] / (double)s->t[i];
	}
}

/* The kernel's fall-back when a task fits nowhere online (kernel/sched/
 * params.c): re-place the tasks placed so far (placed[] in order[0..k-1])
 * with task order[k] by decreasing share, searching (place_repack). */
static bool repack(struct place_sys *sys, const struct set *s, const unsigned *order, unsigned k,
		   struct place_result *placed, unsigned *moved)
{
	static struct place_sys scratch;
	struct place_item it[SMP_SIM_TASKS];
	unsigned who[SMP_SIM_TASKS], n = 0;

	for (unsigned j = 0; j <= k; j++) {
		unsigned i = order[j];
		it[n] = (struct place_item){ { s->c[i], s->t[i], s->t[i] }, (1u << M) - 1,
					     j < k ? placed[i] : (struct place_result){ 0 }, { 0 } };
		who[n++] = i;
	}
	if (place_repack(sys, it, n, &scratch))
		return false;
	for (unsigned j = 0; j < n; j++) {
		if (it[j].placed.npieces && it[j].placed.piece[0].cpu != it[j].out.piece[0].cpu)
			++*moved;
		placed[who[j]] = it[j].out;
	}
	return true;
}

/* Takt: place every task in order[] as the kernel does (worst fit and C=D
 * split online, a repack when that fails); on success fill the simulation
 * pieces. */
static bool takt(const struct set *s, uint64_t bound, const unsigned *order, struct smp_sim_task *st,
		 struct point *stats)
{
	struct place_sys sys;
	struct place_result placed[SMP_SIM_TASKS];
	unsigned repacks = 0, moved = 0;

	place_init(&sys, M);
	place_set_bound(&sys, bound);
	for (unsigned k = 0; k < s->n; k++) {
		unsigned i = order[k];
		struct place_params p = { s->c[i], s->t[i], s->t[i] };
		if (place_admit(&sys, &p, (1u << M) - 1, &placed[i]) == 0)
			continue;
		if (!repack(&sys, s, order, k, placed, &moved))
			return false;
		repacks++;
	}
	for (unsigned i = 0; i < s->n; i++)
		smp_sim_of_place(&placed[i], &st[i]);
	if (stats) {
		stats->splits += sys.nsplit;
		stats->repacks += repacks;
		stats->moved += moved;
	}
	return true;
}

static bool first_fit(const struct set *s)
{
	double load[M] = { 0 };

	for (unsigned i = 0; i < s->n; i++) {
		unsigned c = 0;
		while (c < M && load[c] + s->u[i] > 0.95 + 1e-12)
			c++;
		if (c == M)
			return false;
		load[c] += s->u[i];
	}
	return true;
}

static void run_point(struct point *p, uint64_t seed)
{
	uint64_t x = seed;
	struct set s;
	struct smp_sim_task st[SMP_SIM_TASKS];
	unsigned order[SMP_SIM_TASKS], dec[SMP_SIM_TASKS];

	for (unsigned k = 0; k < SETS; k++) {
		gen(&x, p, &s);
		p->generated++;
		for (unsigned i = 0; i < s.n; i++)
			order[i] = dec[i] = i;
		for (unsigned i = 1; i < s.n; i++) /* insertion sort, decreasing u */
			for (unsigned j = i; j > 0 && s.u[dec[j - 1]] < s.u[dec[j]]; j--) {
				unsigned tmp = dec[j];
				dec[j] = dec[j - 1];
				dec[j - 1] = tmp;
			}
		if (takt(&s, PLACE_BOUND_DEFAULT, order, st, p)) {
			p->takt++;
			if (smp_sim_partitioned(st, s.n, M, SMP_SIM_HYPER, NULL))
				p->takt_miss++;
		}
		if (takt(&s, PLACE_UNIT, order, st, NULL)) {
			p->takt100++;
			if (smp_sim_partitioned(st, s.n, M, SMP_SIM_HYPER, NULL))
				p->takt100_miss++;
		}
		p->takt_dec += takt(&s, PLACE_BOUND_DEFAULT, dec, st, NULL);
		p->takt100_dec += takt(&s, PLACE_UNIT, dec, st, NULL);
		p->ff += first_fit(&s);
		double sum = 0;
		for (unsigned i = 0; i < s.n; i++)
			sum += s.u[i];
		if (sum <= 0.95 * M) {
			p->lx++;
			for (unsigned i = 0; i < s.n; i++)
				st[i] = (struct smp_sim_task){ s.t[i], 1, { { 0, s.c[i], s.t[i] } } };
			if (smp_sim_global(st, s.n, M, SMP_SIM_HYPER, NULL))
				p->lx_miss++;
		}
	}
}

static double pc(unsigned a, unsigned b)
{
	return b ? 100.0 * a / b : 0.0;
}

int main(int argc, char **argv)
{
	struct point pts[] = {
		{ .family = "12 tasks", .n = 12, .lo = 0.0, .hi = 1.0, .load = 0.80 },
		{ .family = "12 tasks", .n = 12, .lo = 0.0, .hi = 1.0, .load = 0.90 },
		{ .family = "12 tasks", .n = 12, .lo = 0.0, .hi = 1.0, .load = 0.95 },
		{ .family = "6 heavy", .n = 6, .lo = 0.5, .hi = 0.95, .load = 0.80 },
		{ .family = "6 heavy", .n = 6, .lo = 0.5, .hi = 0.95, .load = 0.90 },
		{ .family = "6 heavy", .n = 6, .lo = 0.5, .hi = 0.95, .load = 0.95 },
		{ .family = "6 tasks", .n = 6, .lo = 0.0, .hi = 1.0, .load = 0.80 },
		{ .family = "6 tasks", .n = 6, .lo = 0.0, .hi = 1.0, .load = 0.90 },
		{ .family = "6 tasks", .n = 6, .lo = 0.0, .hi = 1.0, .load = 0.95 },
	};
	const unsigned np = sizeof(pts) / sizeof(pts[0]);
	FILE *js = argc > 1 ? fopen(argv[1], "w") : NULL;

	if (argc > 1 && !js) {
		perror(argv[1]);
		return 1;
	}
	printf("acceptance on %d CPUs, %d sets per point (implicit deadlines, periods 1..100 ms)\n",
	       M, SETS);
	printf("%-9s %5s | %7s %7s %9s %10s | %6s | %6s %12s | %9s | %7s %5s\n", "family", "load", "takt95",
	       "takt100", "takt95dec", "takt100dec", "ff95", "linux", "linux-missed", "takt-miss",
	       "repacks", "moved");
	for (unsigned k = 0; k < np; k++) {
		struct point *p = &pts[k];
		run_point(p, 0x5eed0000ull + k);
		printf("%-9s %4.2fm | %6.1f%% %6.1f%% %8.1f%% %9.1f%% | %5.1f%% | %5.1f%% %11.1f%% | %9u | %7u %5u\n",
		       p->family, p->load, pc(p->takt, SETS), pc(p->takt100, SETS), pc(p->takt_dec, SETS),
		       pc(p->takt100_dec, SETS),
		       pc(p->ff, SETS), pc(p->lx, SETS), pc(p->lx_miss, p->lx), p->takt_miss + p->takt100_miss,
		       p->repacks, p->moved);
	}
	printf("takt95/100: as the kernel admits, at a 95 %%/100 %% per-CPU bound, tasks in random"
	       " order: worst fit + C=D split,\n  and when that fails a repack (every task"
	       " placed again with the new one, by decreasing u, best fit + C=D split,\n  backtracking"
	       " to other CPUs and CPU pairs when one fits nowhere);\n  takt95dec: the same with tasks"
	       " offered by decreasing u;\nrepacks/moved: repacks and tasks moved by them over the"
	       " takt95 sets;\nff95: partitioned first-fit, no split;"
	       " linux: sum u <= 0.95 m; linux-missed: of those, sets missing a deadline under"
	       " global EDF;\ntakt-miss: Takt-admitted sets (95 %% and 100 %%) missing a deadline in the"
	       " partitioned simulation (must be 0)\n");
	if (!js)
		return 0;
	fprintf(js, "{\n \"cpus\": %d,\n \"sets_per_point\": %d,\n \"periods_ms\": [1, 2, 4, 5, 8, "
		    "10, 20, 25, 40, 50, 100],\n \"points\": [\n", M, SETS);
	for (unsigned k = 0; k < np; k++) {
		struct point *p = &pts[k];
		fprintf(js, "  {\"family\": \"%s\", \"tasks\": %u, \"u_min\": %.2f, \"u_max\": %.2f, "
			    "\"load\": %.2f, \"takt_95\": %.4f, \"takt_100\": %.4f, "
			    "\"takt_95_decreasing\": %.4f, \"takt_100_decreasing\": %.4f, \"first_fit_95\": %.4f, \"linux\": %.4f, "
			    "\"linux_admitted_missed_global_edf\": %.4f, \"takt_admitted_missed\": %u, "
			    "\"takt_split_tasks\": %u, \"takt_repacks\": %u, \"takt_repack_moves\": %u}%s\n",
			p->family, p->n, p->lo, p->hi, p->load, pc(p->takt, SETS) / 100,
			pc(p->takt100, SETS) / 100, pc(p->takt_dec, SETS) / 100,
			pc(p->takt100_dec, SETS) / 100, pc(p->ff, SETS) / 100,
			pc(p->lx, SETS) / 100, pc(p->lx_miss, p->lx) / 100, p->takt_miss + p->takt100_miss,
			p->splits, p->repacks, p->moved, k + 1 < np ? "," : "");
	}
	fprintf(js, " ]\n}\n");
	return fclose(js) ? 1 : 0;
}
