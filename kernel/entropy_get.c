/*
 * Reading the entropy sources (takt/entropy.h); the registry is entropy.c's.
 * This file is in the on-demand library: an image links it, and with it
 * the board's entropy drivers (virtio-rng), only when something calls one
 * of these (TLS, an app), so others carry no RNG driver
 * (cmake/ondemand.cmake).
 */
#include <errno.h>

#include <takt/entropy.h>

#include "kernel.h"

/* Generated: names each entropy driver of the board; the reference links them. */
extern const void *const tk_entropy_drivers_pull[];
__attribute__((used)) static const void *const *const pull_drivers = tk_entropy_drivers_pull;

bool tk_entropy_available(void)
{
	return entropy_first() != 0;
}

const char *tk_entropy_source_name(void)
{
	struct tk_entropy_source *src = entropy_first();

	return src ? src->name : 0;
}

int tk_entropy_get(void *buf, size_t len, uint64_t deadline)
{
	struct tk_entropy_source *src = entropy_first();
	unsigned char *p = buf;

	if (!buf && len)
		return -EINVAL;
	if (!src)
		return -ENODEV;
	while (len) {
		int n = src->read(src, p, len, deadline);

		if (n < 0)
			return n;
		if (n == 0 || (size_t)n > len)
			return -EIO;	/* a source that makes no progress or overruns */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
