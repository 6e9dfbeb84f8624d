/* Shared between the files of net/http/ (the metrics endpoint). */
#ifndef TAKT_HTTP_INTERNAL_H
#define TAKT_HTTP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A response body built in a malloc'd buffer that grows (doubling) up to
 * HBUF_MAX. HBUF_HEADROOM bytes are kept free before the body so the
 * server can put the status line and headers right in front of it and
 * send the response in one piece:
 *
 *   buf: [ .... headroom .... | body: len bytes | free ]
 *                  head ->^   ^ buf + HBUF_HEADROOM
 *
 * After a failed allocation or passing the cap, err says which
 * (-ENOMEM, -E2BIG), further output is dropped and the server answers 503.
 */
#define HBUF_HEADROOM	256
#define HBUF_START	4096
#define HBUF_MAX	(1024u * 1024)	/* /trace: 4 CPUs of 4096 records fit */

struct hbuf {
	char *buf;
	size_t len, cap;	/* body bytes; body capacity */
	int err;
};

void hbuf_init(struct hbuf *b);
void hbuf_free(struct hbuf *b);
void hbuf_printf(struct hbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hbuf_put(struct hbuf *b, const char *s, size_t n);
static inline char *hbuf_body(const struct hbuf *b)
{
	return b->buf + HBUF_HEADROOM;
}

/* metrics_cpu.c: the per-CPU families of /metrics. */
void put_cpus(struct hbuf *b);
/* metrics_log.c: the log's and the trace's counters. */
void put_log(struct hbuf *b);

/* The pages (metrics.c, metrics_threads.c). @retval 0, or b->err */
int metrics_page(struct hbuf *b);
int threads_page(struct hbuf *b);
/* trace_page.c: GET /trace. -ENODATA: never traced (404). */
int trace_page(struct hbuf *b);
/* crash_page.c: GET /crash. -ENODATA: no crash before this boot (404). */
int crash_page(struct hbuf *b);

/* The server's own figures, kept by server.c and respond.c, published by metrics.c. */
#define HTTP_CODES 12
struct http_counters {
	uint64_t connections;		/* accepted */
	uint64_t open;			/* open now */
	uint64_t timeouts;		/* closed for a slow or idle client */
	uint64_t refused;		/* closed at once: not from metrics.allow */
	uint64_t tls_handshakes;	/* metrics.tls=on: handshakes completed */
	uint64_t tls_failed;		/* ... failed (garbage, plain HTTP, a client giving up) */
	uint64_t by_code[HTTP_CODES];	/* responses, by http_codes[] */
};
extern struct http_counters http_counters;

/* metrics.allow (access.c): parse the bootarg's value (NULL: everyone);
 * prints why it is bad. @retval 0, -EINVAL */
struct sockaddr_in;
int http_access_configure(const char *value);
bool http_access_allowed(const struct sockaddr_in *peer);
unsigned http_access_count(void);	/* prefixes in force, 0: everyone */

/* metrics.tls (tls_listen.c): the bootarg (at boot), then the certificate
 * and key (in the server's thread); prints why not. @retval 0, -EINVAL,
 * -ENOENT, -ENODEV, -EIO, -ENOTSUP */
int http_tls_configure(void);

/* Basic auth (auth.c), on when the build gives TAKT_METRICS_AUTH. */
#define HTTP_AUTH_MAX 90	/* "user:password": its base64 fits HTTP_VALUE_MAX */
bool http_auth_on(void);
void http_auth_init(void);
bool http_auth_ok(const char *authorization);	/* true when auth is off */
int http_tls_start(void);
bool http_tls_on(void);
/* A TLS context for an accepted socket; NULL with TLS off or no memory. */
struct http_tls_conn;
struct http_tls_conn *http_tls_accept(int fd);
/* The socket calls through TLS when t is not NULL (handshake first);
 * -1 with errno EAGAIN while it needs the network. */
ssize_t http_io_recv(struct http_tls_conn *t, int fd, void *buf, size_t len);
ssize_t http_io_send(struct http_tls_conn *t, int fd, const void *buf, size_t len);
size_t http_io_buffered(const struct http_tls_conn *t);	/* decrypted, unread */
void http_io_close(struct http_tls_conn *t, int fd);	/* and free t */
extern const int http_codes[HTTP_CODES];

#endif
