/* The response body buffer (http_internal.h): the server and every page build into it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

void hbuf_init(struct hbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void hbuf_free(struct hbuf *b)
{
	free(b->buf);
	hbuf_init(b);
}

/* Room for need more body bytes (and vsnprintf's NUL). @retval 0, -1 */
static int hbuf_room(struct hbuf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : HBUF_START;
	char *nb;

	if (b->err)
		return -1;
	if (b->buf && b->len + need <= b->cap)
		return 0;
	while (cap < b->len + need && cap < HBUF_MAX)
		cap *= 2;
	if (cap > HBUF_MAX)
		cap = HBUF_MAX;
	if (b->len + need > cap) {
		b->err = -E2BIG;
		return -1;
	}
	nb = realloc(b->buf, HBUF_HEADROOM + cap + 1);
	if (!nb) {
		b->err = -ENOMEM;
		return -1;
	}
	b->buf = nb;
	b->cap = cap;
	return 0;
}

void hbuf_put(struct hbuf *b, const char *s, size_t n)
{
	if (hbuf_room(b, n))
		return;
	memcpy(hbuf_body(b) + b->len, s, n);
	b->len += n;
}

void hbuf_printf(struct hbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (hbuf_room(b, 1))
		return;
	va_start(ap, fmt);
	n = vsnprintf(hbuf_body(b) + b->len, b->cap - b->len + 1, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = -EINVAL;
		return;
	}
	if ((size_t)n > b->cap - b->len) {	/* cut short: grow and print again */
		if (hbuf_room(b, (size_t)n))
			return;
		va_start(ap, fmt);
		vsnprintf(hbuf_body(b) + b->len, b->cap - b->len + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}
