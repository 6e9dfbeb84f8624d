/* The metrics server's answers (server.c reads and sends): routes, heads, the app's fixed pages.
 *
 *   GET|HEAD /metrics   Prometheus text (metrics.c)
 *   GET|HEAD /threads   JSON
 *   other paths 404; other known methods 405 (Allow: GET, HEAD); unknown
 *   methods 501; malformed heads 400/413/414/431/505/501 (parse.h)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/metrics.h>

#include "conn.h"

const int http_codes[HTTP_CODES] = { 200, 400, 401, 404, 405, 408, 413, 414, 431, 501, 503,
				     505 };

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";	/* none other is sent */
	}
}

static void count_code(int code)
{
	for (int i = 0; i < HTTP_CODES; i++)
		if (http_codes[i] == code)
			http_counters.by_code[i]++;
}

/* ---- responses -------------------------------------------------------------- */

/* The status line and headers for a body of len bytes. @retval its length */
static size_t put_head(char *dst, size_t size, const struct conn *c, int code, const char *type,
		       size_t len)
{
	const char *conn = c->close_after ? "Connection: close\r\n" :
			   c->p.minor == 0 ? "Connection: keep-alive\r\n" : "";
	int n = snprintf(dst, size, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %lu\r\n%s%s\r\n", code, reason(code), type,
			 (unsigned long)len, code == 405 ? "Allow: GET, HEAD\r\n" :
			 code == 401 ? "WWW-Authenticate: Basic realm=\"takt\", charset=\"UTF-8\"\r\n" :
			 "", conn);

	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* A short plain-text answer ("404 Not Found"), from c->small. */
static void respond_short(struct conn *c, int code, bool head_only)
{
	char body[64];
	int blen = snprintf(body, sizeof(body), "%d %s\n", code, reason(code));
	size_t n = put_head(c->small, sizeof(c->small) - sizeof(body), c, code,
			    "text/plain; charset=utf-8", (size_t)blen);

	if (!head_only) {
		memcpy(c->small + n, body, (size_t)blen);
		n += (size_t)blen;
	}
	count_code(code);
	http_start_sending(c, c->small, n);
}

void http_respond_error(struct conn *c, int code)
{
	c->close_after = true;
	respond_short(c, code, false);
}

/* A page: the head goes into the headroom right before the body. */
static void respond_page(struct conn *c, int (*page)(struct hbuf *), const char *type,
			 bool head_only)
{
	char head[HBUF_HEADROOM];
	struct hbuf *b = &c->out;
	size_t n;
	int err;

	hbuf_init(b);
	err = page(b);
	if (err || !b->buf) {
		hbuf_free(b);
		/* nothing to serve (/trace untraced, no /crash), or out of memory / past HBUF_MAX */
		respond_short(c, err == -ENODATA ? 404 : 503, head_only);
		return;
	}
	n = put_head(head, sizeof(head), c, 200, type, b->len);
	memcpy(hbuf_body(b) - n, head, n);
	count_code(200);
	http_start_sending(c, hbuf_body(b) - n, n + (head_only ? 0 : b->len));
}

static bool path_is(const struct http_parser *p, const char *path)
{
	return p->path_len == strlen(path) && !memcmp(p->path, path, p->path_len);
}

/* ---- fixed pages the app registers -------------------------------------------- */

static struct fixed_page {
	const char *path, *type;
	const void *body;
	size_t len;
} pages[TK_METRICS_PAGES_MAX];
static unsigned npages;

int tk_metrics_add_page(const char *path, const char *content_type, const void *body,
			size_t len)
{
	if (!path || path[0] != '/' || strlen(path) > 256 || strpbrk(path, " \t\r\n") ||
	    !content_type || strpbrk(content_type, "\r\n") || !body || !len ||
	    !strcmp(path, "/metrics") || !strcmp(path, "/threads") || !strcmp(path, "/trace") ||
	    !strcmp(path, "/crash"))
		return -EINVAL;
	for (unsigned i = 0; i < npages; i++)
		if (!strcmp(pages[i].path, path))
			return -EEXIST;
	if (npages == TK_METRICS_PAGES_MAX)
		return -ENOSPC;
	/* published last: the server thread reads npages without a lock */
	pages[npages] = (struct fixed_page){ path, content_type, body, len };
	__atomic_store_n(&npages, npages + 1, __ATOMIC_RELEASE);
	return 0;
}

static const struct fixed_page *find_page(const struct http_parser *p)
{
	unsigned n = __atomic_load_n(&npages, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (path_is(p, pages[i].path))
			return &pages[i];
	return 0;
}

static const struct fixed_page *page_wanted;

static int fixed_page(struct hbuf *b)
{
	hbuf_put(b, page_wanted->body, page_wanted->len);
	return 0;
}

static bool known_method(const char *m)
{
	static const char *const others[] = { "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
					      "TRACE", "CONNECT" };

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (!strcmp(m, others[i]))
			return true;
	return false;
}

void http_serve(struct conn *c)
{
	const struct http_parser *p = &c->p;
	bool head = !strcmp(p->method, "HEAD");

	c->close_after = !p->keep_alive || p->content_length > 0;
	if (!http_auth_ok(p->authorization))	/* auth.c: before anything is told */
		respond_short(c, 401, head);
	else if (!head && strcmp(p->method, "GET") != 0)
		respond_short(c, known_method(p->method) ? 405 : 501, false);
	else if (path_is(p, "/metrics"))
		respond_page(c, metrics_page, "text/plain; version=0.0.4; charset=utf-8", head);
	else if (path_is(p, "/threads"))
		respond_page(c, threads_page, "application/json", head);
	else if (path_is(p, "/trace"))
		respond_page(c, trace_page, "application/octet-stream", head);
	else if (path_is(p, "/crash"))
		respond_page(c, crash_page, "application/octet-stream", head);
	else if ((page_wanted = find_page(p)))	/* one server thread: no race */
		respond_page(c, fixed_page, page_wanted->type, head);
	else
		respond_short(c, 404, head);
}
