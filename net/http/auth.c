/*
 * HTTP basic authentication for the metrics server (RFC 7617), on when the
 * build gives a credential: -DTAKT_METRICS_AUTH=user:password (generated
 * into metrics_auth.c by net/http/CMakeLists.txt; never printed). Every
 * request then needs "Authorization: Basic base64(user:password)", else
 * 401 with a WWW-Authenticate challenge. Over plain HTTP the credential
 * crosses the network readable: use it with metrics.tls=on.
 */
#include <stdbool.h>
#include <string.h>

#include "http_internal.h"

extern const char http_auth_credential[];	/* "user:password", "" none */

/* "Basic " + base64 of at most HTTP_AUTH_MAX bytes, and the NUL */
static char expected[6 + (HTTP_AUTH_MAX + 2) / 3 * 4 + 1];
static size_t expected_len;

static void base64(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		*out++ = digits[v >> 18 & 63];
		*out++ = digits[v >> 12 & 63];
		*out++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
		*out++ = i + 2 < n ? digits[v & 63] : '=';
	}
	*out = '\0';
}

bool http_auth_on(void)
{
	return http_auth_credential[0] != '\0';
}

void http_auth_init(void)
{
	size_t n = strlen(http_auth_credential);

	if (!n || n > HTTP_AUTH_MAX)	/* the build checked the length */
		return;
	memcpy(expected, "Basic ", 6);
	base64((const unsigned char *)http_auth_credential, n, expected + 6);
	expected_len = strlen(expected);
}

/* The whole value compared, in time that does not depend on where it
 * differs; the scheme's name is case-insensitive (RFC 7235 2.1). */
bool http_auth_ok(const char *value)
{
	size_t n = value ? strlen(value) : 0;
	unsigned diff;

	if (!http_auth_on())
		return true;
	if (!expected_len || n != expected_len || strncasecmp(value, "Basic ", 6))
		return false;
	diff = 0;
	for (size_t i = 6; i < n; i++)
		diff |= (unsigned)(value[i] ^ expected[i]);
	return diff == 0;
}
