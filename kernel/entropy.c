/*
 * The entropy source registry (takt/entropy.h). Sources register at probe,
 * before any thread asks, so the table needs no lock after boot; the
 * source's own read serialises its device. The calls that read a source
 * are in entropy_get.c, apart: they are what links the board's entropy
 * drivers into an image (cmake/ondemand.cmake).
 */
#include <errno.h>

#include <takt/entropy.h>

#include "kernel.h"

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

struct tk_entropy_source *entropy_first(void)
{
	return nsources ? sources[0] : 0;
}
