/*
 * A binary block on the console for a host tool to take back out of a
 * console log (a crash core: tools/takt_crash.py; a trace:
 * tools/takt_trace.py):
 *
 *   TAG BEGIN <bytes>
 *   <base64, 76 characters a line>
 *   TAG END <crc32 of the bytes, 8 hex digits>
 *
 * The CRC comes last, so the bytes are read once, as they are encoded: a
 * panic's core is taken while other CPUs may still be running, and nothing
 * is allocated or copied (this runs at power-off and in a panic). The lines
 * go straight to the console, not through the log (no backend gets them).
 */
#include <takt/log.h>

#include "console_b64.h"

static uint32_t crc32_byte(uint32_t crc, uint8_t b)
{
	crc ^= b;
	for (int k = 0; k < 8; k++)
		crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	return crc;
}

uint32_t crc32_ieee(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	crc ^= 0xffffffffu;
	for (size_t i = 0; i < n; i++)
		crc = crc32_byte(crc, b[i]);
	return crc ^ 0xffffffffu;
}

static void flush_group(struct b64_out *o)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t n = 0;

	for (unsigned i = 0; i < o->fill; i += 3) {
		uint32_t v = (uint32_t)o->group[i] << 16;
		unsigned left = o->fill - i;

		if (left > 1)
			v |= (uint32_t)o->group[i + 1] << 8;
		if (left > 2)
			v |= o->group[i + 2];
		line[n++] = b64[v >> 18 & 63];
		line[n++] = b64[v >> 12 & 63];
		line[n++] = left > 1 ? b64[v >> 6 & 63] : '=';
		line[n++] = left > 2 ? b64[v & 63] : '=';
	}
	line[n++] = '\n';
	if (o->fill)
		tk_console_write(line, n);
	o->fill = 0;
}

void b64_begin(struct b64_out *o, const char *tag, uint64_t len)
{
	tk_printk("%s BEGIN %lu\n", tag, (unsigned long)len);
	o->crc = 0xffffffffu;
	o->sent = o->fill = 0;
}

void b64_put(struct b64_out *o, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		o->crc = crc32_byte(o->crc, b[i]);
		o->group[o->fill++] = b[i];
		if (o->fill == sizeof(o->group))
			flush_group(o);
	}
	o->sent += n;
}

void b64_end(struct b64_out *o, const char *tag)
{
	flush_group(o);
	tk_printk("%s END %08lx\n", tag, (unsigned long)(o->crc ^ 0xffffffffu));
}
