/*
 * The metrics endpoint (net/http/, linked with takt_app(... METRICS), which
 * also defines TAKT_METRICS=1 for the app): an HTTP/1.1 server started
 * before main() once the network is bound, answering
 *   GET /metrics   Prometheus text format: per-thread CPU time, switches,
 *                  budget overruns, deadline misses; memory in use; uptime;
 *                  network counters; and what apps register below
 *   GET /threads   the threads as JSON
 * on port 80 (bootarg metrics.port=N). Apps add their own figures here;
 * the server reads them while they change (aligned 64-bit loads, no lock),
 * so a scrape is a snapshot to within a few updates.
 */
#ifndef TAKT_METRICS_H
#define TAKT_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* A histogram with fixed-width buckets, in series (one per thread, say):
 * bucket b of series s counts samples in [b*bucket_ns, (b+1)*bucket_ns),
 * counts[s * buckets + b]; published as a Prometheus histogram in seconds
 * (cumulative buckets whose le="..." is the bucket's upper edge, then +Inf
 * with the overflow, _sum, _count) with label="s". Above 100 buckets only
 * the edges 1, 2, 5, 10, 20, 50, ... (in buckets) and the last are
 * published, so a 10000-bucket histogram stays a small page. counts,
 * overflow and sum_ns must not be NULL; series and buckets not 0; the
 * label name follows the metric name rules without ':'. Names are at most
 * 200 characters, and must not clash with another family or one of its
 * _bucket/_sum/_count names. */
struct tk_metrics_histogram {
	const char *name;		/* e.g. "takt_cyclictest_latency_seconds" */
	const char *help;
	const char *label;		/* series label name, e.g. "thread" */
	unsigned series;
	unsigned buckets;
	uint64_t bucket_ns;
	const uint64_t *counts;		/* series * buckets */
	const uint64_t *overflow;	/* per series: samples >= buckets * bucket_ns */
	const uint64_t *sum_ns;		/* per series: the sum of the samples */
};

/* A counter (monotonic) or a gauge the app keeps up to date. */
struct tk_metrics_value {
	const char *name;		/* e.g. "takt_mqtt_published_total" */
	const char *help;
	int is_counter;			/* 1 counter, 0 gauge */
	const uint64_t *value;
};

/* Register for publication (the struct must stay valid; the strings are
 * checked: metric names [a-zA-Z_:][a-zA-Z0-9_:]*). @retval 0, -EINVAL,
 * -ENOSPC (TK_METRICS_MAX registrations), -EEXIST (the name is taken) */
#define TK_METRICS_MAX 16
int tk_metrics_add_histogram(const struct tk_metrics_histogram *h);
int tk_metrics_add_value(const struct tk_metrics_value *v);

/* A fixed page the same server answers GET/HEAD path with (a status page,
 * a device description). path starts with '/', not /metrics, /threads,
 * /trace or /crash;
 * the strings and the body (not empty) must stay valid. @retval 0, -EINVAL, -EEXIST (path
 * taken), -ENOSPC (TK_METRICS_PAGES_MAX pages) */
#define TK_METRICS_PAGES_MAX 8
int tk_metrics_add_page(const char *path, const char *content_type, const void *body,
			size_t len);

#endif
