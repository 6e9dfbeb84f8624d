/*
 * The sampler: a SCHED_DEADLINE thread (runtime 5 % of the period,
 * deadline = period = mqtt.period_ms) whose every job takes one sample and
 * queues it for the publisher. It never blocks on the network: the queue
 * put cannot wait, and when the queue is full (the broker is away, or the
 * publisher is behind) the oldest sample makes room and is counted as
 * dropped, so the queue always holds the newest GW_QUEUE_LEN samples.
 *
 * Latency is the job's first tk_now_ns() minus the start of its period,
 * so it includes time spent throttled when a job overran its budget. The
 * kernel starts period k at t0 + k * period, t0 being the thread's
 * creation; start_ns is read just before tk_thread_create, so the figures
 * are an upper bound by the few microseconds creation takes.
 */
#include <errno.h>

#include <takt/thread.h>
#include <takt/time.h>

#include "gateway.h"

#define NS_PER_MS 1000000u

uint64_t gw_sensor_value(uint64_t seq)
{
	uint64_t phase = seq % 100;	/* 0..99: up for 50 samples, down for 50 */

	return phase <= 50 ? phase * 20 : (100 - phase) * 20;
}

static void record_latency(struct gw_sampler *s, uint64_t ns)
{
	uint64_t b = ns / GW_LAT_BUCKET_NS;

	if (b < GW_LAT_BUCKETS)
		s->lat_counts[b]++;
	else
		s->lat_overflow++;
	s->lat_sum_ns += ns;
}

/* Queue without waiting; full: drop the oldest. The publisher runs below
 * us (FIFO under EDF) on this core, so it cannot empty the queue between
 * the failed put and the get; if it could, the second put would just work. */
static void post(struct gw_sampler *s, const struct gw_sample *smp)
{
	struct gw_sample old;

	if (tk_msgq_put(&s->q, smp, 0)) {
		if (tk_msgq_get(&s->q, &old, 0) == 0)
			s->dropped++;
		if (tk_msgq_put(&s->q, smp, 0))
			s->dropped++;
	}
	tk_sem_give(s->wake);	/* -EOVERFLOW: the publisher is woken already */
}

/* The job after the one tk_yield ends starts at the first period boundary
 * after now: the kernel keeps periods on the grid t0 + k * period (a job
 * that overruns is throttled and replenished with deadline += period, on
 * the grid). Only a replenishment late by more than a whole period starts
 * a new grid (sched-deadline.rst 2.1 lag rule), which is not followed. */
static uint64_t next_release(const struct gw_sampler *s, uint64_t now)
{
	return s->start_ns + ((now - s->start_ns) / s->period_ns + 1) * s->period_ns;
}

static void *sampler_run(void *arg)
{
	struct gw_sampler *s = arg;
	uint64_t release = s->start_ns;

	for (uint64_t seq = 0;; seq++) {
		uint64_t now = tk_now_ns();
		struct gw_sample smp = {
			.seq = seq,
			.t_ns = now,
			.latency_ns = now > release ? now - release : 0,
			.value = gw_sensor_value(seq),
		};

		record_latency(s, smp.latency_ns);
		post(s, &smp);
		s->taken++;
		release = next_release(s, tk_now_ns());
		tk_yield();	/* end this job; sleep until the next period */
	}
	return 0;
}

int gw_sampler_start(struct gw_sampler *s, uint32_t period_ms, struct tk_sem *wake)
{
	tk_thread_t *t;
	uint64_t period = (uint64_t)period_ms * NS_PER_MS;
	uint64_t budget = period / GW_SAMPLER_SHARE;
	struct tk_thread_attr attr = {
		.name = "sampler",
		.stack_size = 4096,
		.sched = { .policy = TK_SCHED_DEADLINE, .runtime = budget > GW_SAMPLER_RUNTIME_NS ? budget : GW_SAMPLER_RUNTIME_NS,
			   .deadline = period, .period = period },
		.detached = true,
	};
	int err = tk_msgq_init(&s->q, s->buf, sizeof(s->buf[0]), GW_QUEUE_LEN);

	if (err)
		return err;
	s->period_ns = period;
	s->wake = wake;
	s->start_ns = tk_now_ns();
	return tk_thread_create(&t, &attr, sampler_run, s);
}
