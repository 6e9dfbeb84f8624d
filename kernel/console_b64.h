/* console_b64.c: a binary block on the console as framed base64. */
#ifndef TAKT_CONSOLE_B64_H
#define TAKT_CONSOLE_B64_H

#include <stddef.h>

struct b64_seg {
	const void *p;
	size_t n;
};

/* `TAG BEGIN LEN CRC32`, base64 lines, `TAG END`; the block is the
 * segments one after the other. */
void console_b64_block(const char *tag, const struct b64_seg *segs, unsigned nsegs);

#endif
