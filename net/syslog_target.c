/*
 * The syslog= bootarg: HOST[:PORT][/udp|/tcp]. HOST is an IPv4 address or
 * a DNS name (letters, digits, '-', '.'); PORT 1..65535 (514); UDP unless
 * /tcp. Strict: a half-parsed target would send the logs nowhere quietly.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "syslog_target.h"

static int fail(char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

/* A.B.C.D, each 0..255 in decimal without leading zeros. lwIP's resolver
 * also takes inet_aton's forms ("10.0.2" = 10.0.0.2, hex, octal): an
 * address mistyped would go elsewhere, silently. */
static bool dotted_quad(const char *h, size_t n)
{
	unsigned parts = 0, v = 0, digits = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || h[i] == '.') {
			if (!digits || v > 255 || (digits > 1 && h[i - digits] == '0'))
				return false;
			parts++;
			v = digits = 0;
		} else if (++digits > 3) {
			return false;
		} else {
			v = v * 10 + (unsigned)(h[i] - '0');
		}
	}
	return parts == 4;
}

static bool host_ok(const char *h, size_t n)
{
	if (!n || n > SYSLOG_HOST_MAX || h[0] == '.' || h[0] == '-' || h[n - 1] == '.')
		return false;
	/* a last label that begins with a digit (no top-level domain does):
	 * an address, as lwIP would read it ("10.0.2", "0x0a000202") */
	size_t last = n;

	while (last > 0 && h[last - 1] != '.')
		last--;
	if (h[last] >= '0' && h[last] <= '9')
		return dotted_quad(h, n);
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= 'A' && h[i] <= 'Z') ||
		      (h[i] >= '0' && h[i] <= '9') || h[i] == '-' || h[i] == '.'))
			return false;
	return true;
}

int syslog_parse_target(const char *s, struct syslog_target *t, char *err, size_t errlen)
{
	const char *slash, *colon, *end;
	struct syslog_target r = { .port = 514 };

	if (!s || !t)
		return fail(err, errlen, "no target");
	slash = strchr(s, '/');
	end = slash ? slash : s + strlen(s);
	if (slash && strcmp(slash, "/tcp") && strcmp(slash, "/udp"))
		return fail(err, errlen, "the transport is /udp or /tcp");
	r.tcp = slash && !strcmp(slash, "/tcp");
	colon = memchr(s, ':', (size_t)(end - s));
	if (colon) {
		unsigned long port = 0;
		const char *p = colon + 1;

		if (p == end)
			return fail(err, errlen, "an empty port");
		for (; p < end; p++) {
			if (*p < '0' || *p > '9' || port > 65535)
				return fail(err, errlen, "the port is a number 1..65535");
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (port < 1 || port > 65535)
			return fail(err, errlen, "the port is a number 1..65535");
		r.port = (unsigned)port;
		end = colon;
	}
	if (!host_ok(s, (size_t)(end - s)))
		return fail(err, errlen, "the host is an IPv4 address or a DNS name "
			    "(letters, digits, '-', '.'; at most 63)");
	memcpy(r.host, s, (size_t)(end - s));
	r.host[end - s] = 0;
	*t = r;
	return 0;
}
