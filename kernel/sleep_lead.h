/*
 * The wake-up lead's learning rule (kernel/sleep.c), apart so the host unit
 * tests run it (tests/unit/test_sleep_lead.c).
 */
#ifndef TAKT_SLEEP_LEAD_H
#define TAKT_SLEEP_LEAD_H

#include <stdint.h>

/* A learned lead stays below this: a CPU whose sleepers keep waiting for a
 * busier thread must not spin them for long when it is free again. */
#define SLEEP_LEAD_AUTO_MAX 20000u
/* The lead a CPU starts with, until its first led wake-up teaches it the
 * path: shorter than any wake-up path seen (QEMU's are some 500 ns under
 * -icount, a real core's longer), so it only ever makes a first wake-up
 * less late. */
#define SLEEP_LEAD_SEED 250u
/* How far one wake-up may raise it: a preempted wake-up now and then (its
 * path includes the other thread's run) moves it little. */
#define SLEEP_LEAD_STEP_MAX 32u

/* The lead after a wake-up whose path (the timer's time to the sleeper
 * running) was `path` ns, from `lead` (0: none learned yet). Down to a
 * shorter path at once, so the lead is the shortest path seen and a sleeper
 * rarely spins; up by a sixteenth of a longer one's excess, at most
 * SLEEP_LEAD_STEP_MAX, so a path that grew for good is followed. */
static inline uint32_t sleep_lead_next(uint32_t lead, uint64_t path)
{
	uint64_t step;

	if (lead == 0 || path < lead)
		return path < SLEEP_LEAD_AUTO_MAX ? (uint32_t)path : SLEEP_LEAD_AUTO_MAX;
	step = (path - lead) >> 4;
	if (step > SLEEP_LEAD_STEP_MAX)
		step = SLEEP_LEAD_STEP_MAX;
	return lead + step < SLEEP_LEAD_AUTO_MAX ? lead + (uint32_t)step : SLEEP_LEAD_AUTO_MAX;
}

#endif /* TAKT_SLEEP_LEAD_H */
