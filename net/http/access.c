/*
 * Who may talk to the metrics server: metrics.allow=CIDR[,CIDR...] (IPv4,
 * up to ACCESS_MAX prefixes, A.B.C.D/N or a bare address for /32). A
 * connection from elsewhere is accepted by lwIP (the address is known only
 * then), closed at once without a byte read, and counted
 * (takt_http_refused_total). Without the bootarg everyone may.
 *
 * Parsed strictly, as every metrics.* bootarg: a bad list is named and
 * the server stays off, since serving with a half-read allow list would
 * open the endpoint wider than its owner asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <takt/log.h>

#include "http_internal.h"

#define ACCESS_MAX	8
#define CIDR_TEXT_MAX	18	/* "255.255.255.255/32" */

static struct {
	uint32_t net, mask;	/* host byte order */
} allow[ACCESS_MAX];
static unsigned nallow;		/* 0: everyone */

/* "A.B.C.D[/N]" with N 0..32 and no host bits set beyond the prefix. */
static int parse_cidr(const char *s, size_t len, uint32_t *net, uint32_t *mask)
{
	char text[CIDR_TEXT_MAX + 1], *slash;
	unsigned bits = 32;
	struct in_addr a;

	if (len == 0 || len > CIDR_TEXT_MAX)
		return -EINVAL;
	memcpy(text, s, len);
	text[len] = '\0';
	slash = strchr(text, '/');
	if (slash) {
		const char *d = slash + 1;

		*slash = '\0';
		if (!*d || strlen(d) > 2 || strspn(d, "0123456789") != strlen(d))
			return -EINVAL;
		bits = (unsigned)(d[0] - '0');
		if (d[1])
			bits = bits * 10 + (unsigned)(d[1] - '0');
		if (bits > 32)
			return -EINVAL;
	}
	if (strspn(text, "0123456789.") != strlen(text) || inet_pton(AF_INET, text, &a) != 1)
		return -EINVAL;
	*mask = bits ? ~0u << (32 - bits) : 0;
	*net = ntohl(a.s_addr);
	return (*net & ~*mask) ? -EINVAL : 0;	/* 10.0.2.2/24 is a typo for .0/24 */
}

int http_access_configure(const char *v)
{
	const char *p = v;

	nallow = 0;
	if (!v)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (nallow == ACCESS_MAX) {
			tk_printk("metrics: bad metrics.allow=%s: at most %d prefixes; the server "
				  "stays off\n", v, ACCESS_MAX);
			return -EINVAL;
		}
		if (parse_cidr(p, len, &allow[nallow].net, &allow[nallow].mask)) {
			tk_printk("metrics: bad metrics.allow=%s: '%.*s' is not A.B.C.D/N (N 0..32, "
				  "no host bits); the server stays off\n", v, (int)len, p);
			nallow = 0;
			return -EINVAL;
		}
		nallow++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

bool http_access_allowed(const struct sockaddr_in *peer)
{
	uint32_t a = ntohl(peer->sin_addr.s_addr);

	if (nallow == 0)
		return true;
	for (unsigned i = 0; i < nallow; i++) {
		if ((a & allow[i].mask) == allow[i].net)
			return true;
	}
	return false;
}

unsigned http_access_count(void)
{
	return nallow;
}
