/*
 * An incremental HTTP/1.x request-head parser (RFC 9112): fed the bytes of
 * a connection as they arrive, in pieces of any size, it says "need more",
 * "done" (the head is complete: method, target, version, keep-alive,
 * Content-Length) or "error" with the status to answer. Pure logic: no
 * lwIP, no Takt, so the host unit tests build it as it is
 * (tests/unit/test_http_parse.c).
 *
 * What it accepts, and why:
 *   - request-line = method SP request-target SP HTTP-version, at most
 *     HTTP_LINE_MAX bytes without its line end (else 414);
 *   - the whole head, request line to the empty line that ends it, line
 *     ends included, at most HTTP_HEAD_MAX bytes (else 431);
 *   - line ends are CRLF; a bare LF is taken as one too (RFC 9112 2.2
 *     allows it, and netcat or a hand-typed request sends it); a CR not
 *     followed by LF is a 400;
 *   - empty lines before the request line are skipped (RFC 9112 2.2);
 *   - method: a token of at most HTTP_METHOD_MAX chars (a longer one can
 *     only be a method we do not have: 501); case-sensitive;
 *   - target: visible ASCII, origin-form "/path?query" or absolute-form
 *     "http://host/path" (the path is then what follows the authority),
 *     or "*" (OPTIONS); anything else is a 400;
 *   - version "HTTP/1.0" or "HTTP/1.1"; "HTTP/1.n" counts as 1.1 (same
 *     major version); another major version is a 505; a malformed one 400;
 *   - header fields: name a token directly followed by ':' (whitespace
 *     before the colon is a 400, RFC 9112 5.1), value of visible chars,
 *     obs-text, space and tab; other control chars, NUL and line folding
 *     (obs-fold) are 400s;
 *   - Content-Length: digits only; more than HTTP_BODY_MAX is a 413; two
 *     that differ are a 400 (two equal ones are accepted, RFC 9110 8.6);
 *   - Transfer-Encoding: not implemented (501); with Content-Length as
 *     well, a 400 (the request-smuggling case, RFC 9112 6.3);
 *   - Host: an HTTP/1.1 request needs exactly one (RFC 9112 3.2, 400);
 *   - Connection: "close" and "keep-alive" tokens; the default is
 *     keep-alive for 1.1 and close for 1.0.
 * Errors are final: after one, the parser stays in error until re-inited.
 *
 * Also here, being pure logic as well: the name checks of the metrics
 * registry (metrics_registry.c). The metrics.* bootargs use net_parse_ulong (../config.h).
 */
#ifndef TAKT_HTTP_PARSE_H
#define TAKT_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_LINE_MAX	1024	/* request line, line end not counted */
#define HTTP_HEAD_MAX	8192	/* whole head, line ends counted */
#define HTTP_BODY_MAX	4096	/* Content-Length */
#define HTTP_METHOD_MAX	15
#define HTTP_VALUE_MAX	127	/* kept of a header value we read (longer: 431) */
#define HTTP_NAME_MAX	31	/* kept of a header name (longer is no header we read) */

enum { HTTP_ERROR = -1, HTTP_NEED_MORE = 0, HTTP_DONE = 1 };

struct http_parser {
	/* results, valid once http_parser_feed returned HTTP_DONE */
	char method[HTTP_METHOD_MAX + 1];
	char target[HTTP_LINE_MAX + 1];	/* as sent, NUL-terminated */
	const char *path;		/* into target: the path, without the query */
	size_t path_len;
	int minor;			/* HTTP/1.minor: 0 or 1 */
	bool keep_alive;
	uint64_t content_length;	/* 0 when absent */
	int status;			/* with HTTP_ERROR: 400, 413, 414, 431, 501, 505 */
	char authorization[HTTP_VALUE_MAX + 1];	/* the Authorization value, "" none */

	/* private */
	int state;
	size_t head_len, line_len, len;	/* len: of the field being collected */
	char version[9];
	char name[HTTP_NAME_MAX + 1];
	char value[HTTP_VALUE_MAX + 1];
	size_t name_len;
	int field;			/* parse.c's enum field of the current line */
	bool name_long;
	bool have_cl, have_te, conn_close, conn_keep_alive;
	unsigned hosts;
};

void http_parser_init(struct http_parser *p);

/*
 * Feed len bytes of the connection. *used gets how many were taken: all of
 * them with HTTP_NEED_MORE, up to the end of the head with HTTP_DONE (the
 * rest is the body or the next request), up to the offending byte with
 * HTTP_ERROR (p->status says which).
 * @retval HTTP_NEED_MORE, HTTP_DONE, HTTP_ERROR
 */
int http_parser_feed(struct http_parser *p, const char *data, size_t len, size_t *used);


/* The names takt/metrics.h registrations are checked with (pure as well):
 * a metric name [a-zA-Z_:][a-zA-Z0-9_:]* of at most HTTP_METRIC_NAME_MAX
 * chars; a label name [a-zA-Z_][a-zA-Z0-9_]*, not "le" (the histogram's
 * own) and not starting "__" (reserved). */
#define HTTP_METRIC_NAME_MAX 200
bool http_metric_name_ok(const char *s);
bool http_label_name_ok(const char *s);
/* Would families a and b publish a sample under the same name? A
 * histogram (ah, bh) publishes name_bucket, name_sum and name_count. */
bool http_names_clash(const char *a, bool ah, const char *b, bool bh);

#endif
