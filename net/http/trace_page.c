/*
 * GET /trace: the scheduler trace (kernel/trace/, <takt/trace.h>) as the
 * binary block tools/takt_trace.py reads, application/octet-stream. Each
 * request gives what was recorded since the previous one (tk_trace_read
 * starts a new trace); a system never traced answers 404 with a hint.
 */
#include <errno.h>

#include <takt/trace.h>

#include "http_internal.h"

static void put(void *ctx, const void *p, size_t n)
{
	hbuf_put(ctx, p, n);
}

int trace_page(struct hbuf *b)
{
	int err = tk_trace_read(put, b);

	if (err == -ENODATA)
		return -ENODATA;	/* respond.c: 404, "boot with trace=on" */
	return b->err ? b->err : err;
}
