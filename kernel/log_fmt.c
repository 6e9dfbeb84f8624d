/*
 * The kernel log's formatter for the common conversions: %s %c %d %i %u
 * %x %X %%, with the flags '-' and '0', a width, and the length modifiers
 * l, ll and z. newlib's vsnprintf was half of every boot line's cost (its
 * reentrancy, its FILE emulation and its general parser); the boot prints
 * a dozen lines. Any other conversion, a precision or a '*' width is left
 * to vsnprintf (log_fmt returns -1 when it meets one, on a copy of the
 * arguments), so the text is always the text vsnprintf would give
 * (tests/unit/test_log_fmt.c compares them).
 */
#define _GNU_SOURCE	/* strchrnul */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log_fmt.h"

struct spec {
	bool left, zero;
	unsigned width;
	int len;	/* 0 int, 1 long, 2 long long, 3 size_t */
	char conv;
};

struct out {
	char *buf;
	size_t size, n;	/* n: the length so far, written or not */
};

static inline void put(struct out *o, char c)
{
	if (o->n + 1 < o->size)
		o->buf[o->n] = c;
	o->n++;
}

/* len bytes at once where they fit (literal text and fields: a put per
 * byte, with its bounds check, was most of a boot line's formatting). */
static void put_run(struct out *o, const char *s, size_t len)
{
	if (o->n + len < o->size) {
		memcpy(o->buf + o->n, s, len);
		o->n += len;
		return;
	}
	while (len--)
		put(o, *s++);
}

static void pad(struct out *o, char c, unsigned k)
{
	while (k--)
		put(o, c);
}

/* Parse one conversion after its '%'; false when log_fmt does not do it. */
static bool parse(const char **pp, struct spec *sp)
{
	const char *p = *pp;

	*sp = (struct spec){ 0 };
	for (;; p++) {
		if (*p == '-')
			sp->left = true;
		else if (*p == '0')
			sp->zero = true;
		else
			break;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (sp->width > 4096)
			return false;
		sp->width = sp->width * 10 + (unsigned)(*p - '0');
	}
	if (*p == 'l')
		sp->len = *++p == 'l' ? (p++, 2) : 1;
	else if (*p == 'z')
		sp->len = 3, p++;
	sp->conv = *p;
	*pp = p + 1;
	switch (*p) {
	case 'd': case 'i': case 'u': case 'x': case 'X':
		return true;
	case 's': case 'c':	/* %ls, %lc: wide; %05s: what the libcs differ on */
		return !sp->len && !sp->zero;
	case '%':
		return !sp->left && !sp->zero && !sp->width && !sp->len;
	default:
		return false;
	}
}

/* Right- or left-justified field of len bytes from s; numbers pass zeros. */
static void field(struct out *o, const struct spec *sp, const char *sign, const char *s,
		  size_t len)
{
	size_t total = strlen(sign) + len;
	unsigned fill = sp->width > total ? sp->width - (unsigned)total : 0;
	bool zeros = sp->zero && !sp->left && sp->conv != 's' && sp->conv != 'c';

	if (!sp->left && !zeros)
		pad(o, ' ', fill);
	while (*sign)
		put(o, *sign++);
	if (zeros)
		pad(o, '0', fill);
	put_run(o, s, len);
	if (sp->left)
		pad(o, ' ', fill);
}

static void number(struct out *o, const struct spec *sp, unsigned long long v, bool neg)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	unsigned base = sp->conv == 'x' || sp->conv == 'X' ? 16 : 10;
	const char *digits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	field(o, sp, neg ? "-" : "", tmp + i, sizeof(tmp) - i);
}

static unsigned long long take_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1: return va_arg(*ap, unsigned long);
	case 2: return va_arg(*ap, unsigned long long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long take_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 1: return va_arg(*ap, long);
	case 2: return va_arg(*ap, long long);
	case 3: return (long long)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

static void convert(struct out *o, const struct spec *sp, va_list *ap)
{
	if (sp->conv == '%') {
		put(o, '%');
	} else if (sp->conv == 'c') {
		char c = (char)va_arg(*ap, int);

		field(o, sp, "", &c, 1);
	} else if (sp->conv == 's') {
		const char *s = va_arg(*ap, const char *);

		if (!s)
			s = "(null)";	/* newlib's and glibc's text */
		field(o, sp, "", s, strlen(s));
	} else if (sp->conv == 'd' || sp->conv == 'i') {
		long long v = take_signed(sp, ap);

		number(o, sp, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, v < 0);
	} else {
		number(o, sp, take_unsigned(sp, ap), false);
	}
}

int log_fmt(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list aq;
	int rc = 0;

	va_copy(aq, ap);
	for (const char *p = fmt; *p;) {
		if (*p != '%') {
			/* a vector search where the C library has one (both
			 * arches): a byte loop was a fifth of a boot line */
			const char *q = strchrnul(p, '%');

			put_run(&o, p, (size_t)(q - p));
			p = q;
			continue;
		}
		p++;
		if (!parse(&p, &sp)) {
			rc = -1;
			break;
		}
		convert(&o, &sp, &aq);
	}
	va_end(aq);
	if (rc)
		return rc;
	if (size)
		buf[o.n < size ? o.n : size - 1] = 0;
	return o.n > INT32_MAX ? INT32_MAX : (int)o.n;
}
