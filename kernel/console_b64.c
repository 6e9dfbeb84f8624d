/*
 * A binary block on the console, for a host tool to take back out of a
 * console log (a trace, a crash core): a line `TAG BEGIN LEN CRC32`, base64
 * lines of 76 characters, a line `TAG END`. The length and the CRC (IEEE,
 * zlib's) come first so a reader can refuse a block cut short or garbled;
 * so the data is read twice, from the caller's segments, and never copied
 * (nothing is allocated: this runs at power-off and in a panic).
 */
#include <stddef.h>
#include <stdint.h>

#include <takt/log.h>

#include "console_b64.h"

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct encoder {
	uint8_t in[3];
	unsigned nin;
	char line[78];
	unsigned nline;
};

static void flush_line(struct encoder *e)
{
	if (!e->nline)
		return;
	e->line[e->nline++] = '\n';
	tk_console_write(e->line, e->nline);	/* not a log message: no backend gets it */
	e->nline = 0;
}

/* nbytes (1..3) of e->in give nbytes + 1 characters, '=' for the rest. */
static void put_group(struct encoder *e, unsigned nbytes)
{
	uint32_t v = (uint32_t)e->in[0] << 16 | (uint32_t)e->in[1] << 8 | e->in[2];

	for (int k = 0; k < 4; k++)
		e->line[e->nline++] = k <= (int)nbytes ? alphabet[v >> (18 - 6 * k) & 63] : '=';
	if (e->nline == 76)
		flush_line(e);
	e->in[0] = e->in[1] = e->in[2] = 0;
	e->nin = 0;
}

void console_b64_block(const char *tag, const struct b64_seg *segs, unsigned nsegs)
{
	struct encoder e = { .nin = 0 };
	uint32_t crc = 0;
	size_t len = 0;

	for (unsigned i = 0; i < nsegs; i++) {
		crc = crc32_update(crc, segs[i].p, segs[i].n);
		len += segs[i].n;
	}
	tk_printk("%s BEGIN %lu %08lx\n", tag, (unsigned long)len, (unsigned long)crc);
	for (unsigned i = 0; i < nsegs; i++) {
		const uint8_t *p = segs[i].p;

		for (size_t k = 0; k < segs[i].n; k++) {
			e.in[e.nin++] = p[k];
			if (e.nin == 3)
				put_group(&e, 3);
		}
	}
	if (e.nin)
		put_group(&e, e.nin);
	flush_line(&e);
	tk_printk("%s END\n", tag);
}
