/* The metrics registry (takt/metrics.h): the histograms and values apps add, and their families. */
#include <errno.h>

#include <takt/metrics.h>
#include <takt/sync.h>

#include "metrics_internal.h"
#include "parse.h"

/* A registered histogram with more buckets than this publishes only the
 * edges after 1, 2, 5, 10, 20, 50, ... buckets and the last one: a
 * 1000000-bucket histogram stays a page, not 80 MB. */
#define HIST_ALL_EDGES 100

static const struct tk_metrics_histogram *reg_hist[TK_METRICS_MAX];
static const struct tk_metrics_value *reg_val[TK_METRICS_MAX];
static unsigned reg_count;	/* entries published: store-release, load-acquire */
static TK_MUTEX_DEFINE(reg_lock);

static bool name_taken(const char *name, bool hist)
{
	for (int f = 0; f < FAMS; f++)
		if (http_names_clash(name, hist, metrics_fams[f].name, false))
			return true;
	for (unsigned i = 0; i < reg_count; i++) {
		const char *other = reg_hist[i] ? reg_hist[i]->name : reg_val[i]->name;

		if (http_names_clash(name, hist, other, reg_hist[i] != NULL))
			return true;
	}
	return false;
}

static int reg_add(const struct tk_metrics_histogram *h, const struct tk_metrics_value *v)
{
	const char *name = h ? h->name : v->name;
	int err = 0;

	tk_mutex_lock(&reg_lock, TK_FOREVER);
	if (reg_count == TK_METRICS_MAX) {
		err = -ENOSPC;
	} else if (name_taken(name, h != NULL)) {
		err = -EEXIST;
	} else {
		reg_hist[reg_count] = h;
		reg_val[reg_count] = v;
		__atomic_store_n(&reg_count, reg_count + 1, __ATOMIC_RELEASE);
	}
	tk_mutex_unlock(&reg_lock);
	return err;
}

int tk_metrics_add_histogram(const struct tk_metrics_histogram *h)
{
	if (!h || !http_metric_name_ok(h->name) || !http_label_name_ok(h->label) || !h->series ||
	    !h->buckets || !h->bucket_ns || !h->counts || !h->overflow || !h->sum_ns)
		return -EINVAL;
	if (h->series > 4096 || h->buckets > (1u << 24) ||
	    h->bucket_ns > UINT64_MAX / h->buckets)
		return -EINVAL;	/* beyond any page; and the edges must not wrap */
	return reg_add(h, NULL);
}

int tk_metrics_add_value(const struct tk_metrics_value *v)
{
	if (!v || !http_metric_name_ok(v->name) || !v->value)
		return -EINVAL;
	return reg_add(NULL, v);
}

/* ---- registered figures ----------------------------------------------------- */

static uint64_t load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Is the upper edge of bucket i (0-based) of n published? */
static bool edge_shown(unsigned i, unsigned n)
{
	unsigned k = i + 1;

	if (n <= HIST_ALL_EDGES || k == n)
		return true;
	while (k % 10 == 0)
		k /= 10;
	return k == 1 || k == 2 || k == 5;
}

/* name_bucket{label="s",le="..."} cumulative counts, then _sum and _count.
 * The counts are read once each, so the buckets never decrease even as
 * the app adds samples meanwhile. */
static void put_series(struct hbuf *b, const struct tk_metrics_histogram *h, unsigned s)
{
	const uint64_t *c = h->counts + (size_t)s * h->buckets;
	uint64_t cum = 0;
	char le[24];

	for (unsigned i = 0; i < h->buckets; i++) {
		cum += load64(&c[i]);
		if (edge_shown(i, h->buckets))
			hbuf_printf(b, "%s_bucket{%s=\"%u\",le=\"%s\"} %lu\n", h->name, h->label, s,
				    metrics_secs(le, (uint64_t)(i + 1) * h->bucket_ns), (unsigned long)cum);
	}
	cum += load64(&h->overflow[s]);
	hbuf_printf(b, "%s_bucket{%s=\"%u\",le=\"+Inf\"} %lu\n", h->name, h->label, s,
		    (unsigned long)cum);
	hbuf_printf(b, "%s_sum{%s=\"%u\"} %s\n", h->name, h->label, s,
		    metrics_secs(le, load64(&h->sum_ns[s])));
	hbuf_printf(b, "%s_count{%s=\"%u\"} %lu\n", h->name, h->label, s, (unsigned long)cum);
}

void put_registered(struct hbuf *b)
{
	unsigned n = __atomic_load_n(&reg_count, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++) {
		const struct tk_metrics_histogram *h = reg_hist[i];
		const struct tk_metrics_value *v = reg_val[i];

		if (h) {
			metrics_put_family(b, h->name, "histogram", h->help);
			for (unsigned s = 0; s < h->series; s++)
				put_series(b, h, s);
		} else {
			metrics_put_family(b, v->name, v->is_counter ? "counter" : "gauge", v->help);
			hbuf_printf(b, "%s %lu\n", v->name, (unsigned long)load64(v->value));
		}
	}
}
