/*
 * One property read per node; the string compares are in memory, so the
 * cost is compatibles x drivers, not a DT walk per driver.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <libfdt.h>

#include "device_match.h"
#include "dt_impl.h"

static bool driver_has(const struct tk_driver *d, const char *compat)
{
	for (const char *const *dc = d->compat; *dc; dc++)
		if (strcmp(compat, *dc) == 0)
			return true;
	return false;
}

/* A compatible list as dt_getprop gives it: present, NUL-terminated. */
static bool list_ok(const char *list, int len)
{
	return list && len > 0 && list[len - 1] == 0;
}

static const struct tk_driver *match_list(const char *list, int len, const struct tk_driver *first,
					  const struct tk_driver *end)
{
	if (!list_ok(list, len))
		return 0;
	for (const char *c = list; c < list + len; c += strlen(c) + 1)
		for (const struct tk_driver *d = first; d < end; d++)
			if (driver_has(d, c))
				return d;
	return 0;
}

const struct tk_driver *device_match(const void *fdt, int node,
				     const struct tk_driver *first,
				     const struct tk_driver *end)
{
	int len;
	const char *list = dt_getprop_hot(fdt, node, DT_HOT_COMPATIBLE, &len);

	return match_list(list, len, first, end);
}

/* FNV-1a over the string; *len its length. */
static uint32_t hash_str(const char *s, size_t *len)
{
	uint32_t h = 2166136261u;
	const char *p = s;

	for (; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	*len = (size_t)(p - s);
	return h;
}

void device_matcher_init(struct device_matcher *m, const struct tk_driver *first,
			 const struct tk_driver *end)
{
	size_t len;

	m->first = first;
	m->end = end;
	m->n = 0;
	m->last = 0;
	m->last_len = 0;
	m->last_drv = 0;
	m->seen = 0;
	for (const struct tk_driver *d = first; d < end; d++)
		for (const char *const *dc = d->compat; *dc; dc++) {
			if (m->n == DEVICE_MATCHER_MAX) {
				m->n = -1;
				return;
			}
			m->hash[m->n] = hash_str(*dc, &len);
			m->seen |= 1ull << (m->hash[m->n] % 64);
			m->drv[m->n] = d;
			m->compat[m->n++] = *dc;
		}
}

/* The list is checked as device_match checks it; an equal hash is
 * confirmed by strcmp, so a collision costs time, never a wrong driver. */
static const struct tk_driver *find_in(const struct device_matcher *m, const char *list,
				       int len)
{
	size_t n;

	for (const char *c = list; c < list + len; c += n + 1) {
		uint32_t h = hash_str(c, &n);

		if (!(m->seen >> (h % 64) & 1))
			continue;
		for (int k = 0; k < m->n; k++)
			if (m->hash[k] == h && strcmp(c, m->compat[k]) == 0)
				return m->drv[k];
	}
	return 0;
}

const struct tk_driver *device_matcher_find_list(struct device_matcher *m, const char *list,
						 int len)
{
	if (m->n < 0)
		return match_list(list, len, m->first, m->end);
	if (!list_ok(list, len))
		return 0;
	if (len == m->last_len && !memcmp(list, m->last, (size_t)len))
		return m->last_drv;
	m->last_drv = find_in(m, list, len);
	m->last = list;
	m->last_len = len;
	return m->last_drv;
}

const struct tk_driver *device_matcher_find(struct device_matcher *m, const void *fdt, int node)
{
	int len;
	const char *list = dt_getprop_hot(fdt, node, DT_HOT_COMPATIBLE, &len);

	return device_matcher_find_list(m, list, len);
}

/* Repeated passes, each taking (in DT order) the controllers whose parent
 * is already placed: n is a handful, so n^2 is nothing. */
int device_order_by_parent(int n, const int *parent, int *order)
{
	bool placed[DEVICE_ORDER_MAX] = { false };
	int k = 0;

	if (n < 0 || n > DEVICE_ORDER_MAX)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (parent[i] < -1 || parent[i] >= n)
			return -EINVAL;
	for (bool progress = true; progress;) {
		progress = false;
		for (int i = 0; i < n; i++) {
			int p = parent[i];

			if (placed[i] || !(p < 0 || p == i || placed[p]))
				continue;
			placed[i] = progress = true;
			order[k++] = i;
		}
	}
	for (int i = 0; i < n; i++)	/* cycles */
		if (!placed[i])
			order[k++] = i;
	return 0;
}
