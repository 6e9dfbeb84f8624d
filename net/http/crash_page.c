/*
 * GET /crash: the previous boot's crash core (<takt/crash.h>), the ELF file
 * gdb opens with takt.elf, as application/octet-stream; 404 when the
 * previous boot did not crash (or the DT reserves no region for the record).
 */
#include <errno.h>

#include <takt/crash.h>

#include "http_internal.h"

int crash_page(struct hbuf *b)
{
	struct tk_crash_info ci;

	if (tk_crash_previous(&ci) || !ci.core_len)
		return -ENODATA;	/* respond.c: 404 */
	hbuf_put(b, ci.core, ci.core_len);
	return b->err;
}
