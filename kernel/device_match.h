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

#endif
