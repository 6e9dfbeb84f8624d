/* Driver matching, kept pure (no registry, no probing) so the host unit
 * tests can run it against fake driver tables. */
#ifndef TAKT_DEVICE_MATCH_H
#define TAKT_DEVICE_MATCH_H

#include <takt/device.h>

/* The driver in [first, end) matching the earliest entry of the node's
 * compatible list (the most specific one); NULL when none matches, the
 * node has no compatible, or the list is malformed (not NUL-terminated). */
const struct tk_driver *device_match(const void *fdt, int node,
				     const struct tk_driver *first,
				     const struct tk_driver *end);

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
