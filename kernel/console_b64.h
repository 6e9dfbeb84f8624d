/* console_b64.c: a binary block on the console as framed base64. */
#ifndef TAKT_CONSOLE_B64_H
#define TAKT_CONSOLE_B64_H

#include <stddef.h>
#include <stdint.h>

struct b64_out {
	uint8_t group[57];	/* one line's bytes (76 characters) */
	unsigned fill;
	uint32_t crc;
	uint64_t sent;
};

/* "TAG BEGIN LEN", then the bytes put as base64 lines of 76 characters,
 * then "TAG END CRC32" (IEEE, zlib's; over the bytes put). */
void b64_begin(struct b64_out *o, const char *tag, uint64_t len);
void b64_put(struct b64_out *o, const void *p, size_t n);
void b64_end(struct b64_out *o, const char *tag);

/* zlib's crc32(crc, p, n): start with 0, chain by passing the last result. */
uint32_t crc32_ieee(uint32_t crc, const void *p, size_t n);

#endif
