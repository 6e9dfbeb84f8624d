/* Driver matching, kept pure (no registry, no probing) so the host unit
 * tests can run it against fake driver tables. */
#ifndef TAKT_DEVICE_MATCH_H
#define TAKT_DEVICE_MATCH_H

#include <stdint.h>

#include <takt/device.h>

/* The driver in [first, end) matching the earliest entry of the node's
 * compatible list (the most specific one); NULL when none matches, the
 * node has no compatible, or the list is malformed (not NUL-terminated). */
const struct tk_driver *device_match(const void *fdt, int node,
				     const struct tk_driver *first,
				     const struct tk_driver *end);

/* The same answer as device_match, for many nodes against one table: the
 * table's compatibles are hashed once (device_matcher_init), so a node's
 * entry costs one pass over its characters and a few integer compares
 * instead of a strcmp against every compatible of every driver (the boot's
 * matching was 10 % of its instructions). A table with more than
 * DEVICE_MATCHER_MAX compatibles in all is matched by device_match. */
#define DEVICE_MATCHER_MAX 64
struct device_matcher {
	const struct tk_driver *first, *end;
	int n;				/* -1: too many, device_match decides */
	uint32_t hash[DEVICE_MATCHER_MAX];	/* of each compatible, in table order */
	uint64_t seen;			/* bit hash % 64 of each: most strings of a DT
					 * name no driver, and miss it */
	const struct tk_driver *drv[DEVICE_MATCHER_MAX];
	const char *compat[DEVICE_MATCHER_MAX];
	/* the last list matched and its answer: QEMU's 32 virtio slots,
	 * one after the other, have the same list */
	const char *last;
	int last_len;
	const struct tk_driver *last_drv;
};
void device_matcher_init(struct device_matcher *m, const struct tk_driver *first,
			 const struct tk_driver *end);
const struct tk_driver *device_matcher_find(struct device_matcher *m, const void *fdt,
					    int node);
/* The same for a node's compatible list as dt_getprop gave it (list NULL
 * and len negative when it has none). */
const struct tk_driver *device_matcher_find_list(struct device_matcher *m, const char *list,
						 int len);

/* Probe order for interrupt controllers: every controller after its
 * interrupt parent (a chained controller after the one it is chained to,
 * whatever their DT order). parent[i] is the index in the same list of
 * controller i's parent, or -1 (a root, or a parent outside the list).
 * Writes n indices to order: DT order wherever the parents allow it; the
 * members of a parent cycle come last, in DT order (their probes fail and
 * say why). @retval 0, -EINVAL (n < 0 or > DEVICE_ORDER_MAX, a parent out
 * of range) */
#define DEVICE_ORDER_MAX 64
int device_order_by_parent(int n, const int *parent, int *order);

#endif
