/*
 * The entropy source registry (takt/entropy.h). Sources register at probe,
 * before any thread asks, so the table needs no lock after boot; the
 * source's own read serialises its device.
 */
#include <errno.h>

#include <takt/entropy.h>

static struct tk_entropy_source *sources[TK_ENTROPY_SOURCES_MAX];
static unsigned nsources;

int tk_entropy_register(struct tk_entropy_source *src)
{
	if (!src || !src->name || !src->read)
		return -EINVAL;
	if (nsources == TK_ENTROPY_SOURCES_MAX)
		return -ENOSPC;
	sources[nsources++] = src;
	return 0;
}

bool tk_entropy_available(void)
{
	return nsources > 0;
}

const char *tk_entropy_source_name(void)
{
	return nsources ? sources[0]->name : 0;
}

int tk_entropy_get(void *buf, size_t len, uint64_t deadline)
{
	unsigned char *p = buf;

	if (!buf && len)
		return -EINVAL;
	if (!nsources)
		return -ENODEV;
	while (len) {
		int n = sources[0]->read(sources[0], p, len, deadline);

		if (n < 0)
			return n;
		if (n == 0 || (size_t)n > len)
			return -EIO;	/* a source that makes no progress or overruns */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
