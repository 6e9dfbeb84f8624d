/*
 * HTTPS for the metrics server (metrics.tls=on): mbedTLS straight on the
 * server's non-blocking lwIP sockets, under the same poll() loop as plain
 * HTTP. server.c does its I/O through http_io_* below; with TLS off they
 * are the socket calls.
 *
 * The certificate and key are the image's own (./takt build --tls-cert
 * FILE --tls-key FILE, <takt/tls.h> tk_tls_creds). A handshake that fails
 * (TLS garbage, plain HTTP on the TLS port, a client that gives up) is
 * counted and the connection closed; nothing is logged per connection,
 * so a scanner cannot fill the log. TLS contexts cost about 25 KiB of heap
 * each (a 16 KiB input record buffer): TLS_CLIENTS of them at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/tls.h>

#include "http_internal.h"

static bool tls_on;

#ifdef TAKT_TLS
#include "mbedtls/ssl.h"

struct http_tls_conn {
	mbedtls_ssl_context ssl;
	int fd;
	bool ready;		/* handshake done */
};

static mbedtls_ssl_config conf;
static mbedtls_x509_crt cert;
static mbedtls_pk_context key;

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	ssize_t n = send(*(int *)ctx, buf, len, 0);

	if (n >= 0)
		return (int)n;
	return errno == EAGAIN || errno == EWOULDBLOCK ? MBEDTLS_ERR_SSL_WANT_WRITE
						       : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	ssize_t n = recv(*(int *)ctx, buf, len, 0);

	if (n > 0)
		return (int)n;
	if (n == 0)
		return MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY;	/* a TCP close */
	return errno == EAGAIN || errno == EWOULDBLOCK ? MBEDTLS_ERR_SSL_WANT_READ
						       : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int server_setup(void)
{
	const struct tk_tls_creds *cr = tk_tls_creds();
	int rc;

	if (!cr->cert || !cr->key) {
		tk_printk("metrics: metrics.tls=on needs a certificate and key built in "
			  "(./takt build --tls-cert FILE --tls-key FILE); the server stays off\n");
		return -ENOENT;
	}
	if (tk_tls_rng_init())
		return -ENODEV;	/* tls_rng.c said why */
	mbedtls_ssl_config_init(&conf);
	mbedtls_x509_crt_init(&cert);
	mbedtls_pk_init(&key);
	rc = mbedtls_x509_crt_parse(&cert, cr->cert, cr->cert_len);
	if (!rc)
		rc = mbedtls_pk_parse_key(&key, cr->key, cr->key_len, 0, 0);
	if (!rc)
		rc = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER,
						 MBEDTLS_SSL_TRANSPORT_STREAM,
						 MBEDTLS_SSL_PRESET_DEFAULT);
	if (!rc)
		rc = mbedtls_ssl_conf_own_cert(&conf, &cert, &key);
	if (rc) {
		tk_printk("metrics: TLS set-up failed (mbedTLS -0x%04x); the server stays off\n",
			  (unsigned)-rc);
		return -EIO;
	}
	mbedtls_ssl_conf_rng(&conf, tk_tls_random, 0);
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);	/* clients: allow/auth */
	return 0;
}

struct http_tls_conn *http_tls_accept(int fd)
{
	struct http_tls_conn *t;

	if (!tls_on)
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return 0;
	t->fd = fd;
	mbedtls_ssl_init(&t->ssl);
	if (mbedtls_ssl_setup(&t->ssl, &conf)) {	/* no memory for the buffers */
		mbedtls_ssl_free(&t->ssl);
		free(t);
		return 0;
	}
	mbedtls_ssl_set_bio(&t->ssl, &t->fd, bio_send, bio_recv, 0);
	return t;
}

/* mbedTLS's result as a socket call's: >= 0, or -1 with errno. */
static ssize_t as_socket(struct http_tls_conn *t, int rc)
{
	if (rc >= 0)
		return rc;
	if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return 0;
	if (!t->ready)
		http_counters.tls_failed++;
	errno = ECONNRESET;
	return -1;
}

static ssize_t handshake(struct http_tls_conn *t)
{
	int rc = mbedtls_ssl_handshake(&t->ssl);

	if (rc == 0) {
		t->ready = true;
		http_counters.tls_handshakes++;
		errno = EAGAIN;	/* nothing to read yet: poll again */
		return -1;
	}
	return as_socket(t, rc);
}

ssize_t http_io_recv(struct http_tls_conn *t, int fd, void *buf, size_t len)
{
	if (!t)
		return recv(fd, buf, len, 0);
	if (!t->ready) {
		ssize_t n = handshake(t);

		if (!t->ready || n >= 0)
			return n;
	}
	return as_socket(t, mbedtls_ssl_read(&t->ssl, buf, len));
}

ssize_t http_io_send(struct http_tls_conn *t, int fd, const void *buf, size_t len)
{
	if (!t)
		return send(fd, buf, len, 0);
	return as_socket(t, mbedtls_ssl_write(&t->ssl, buf, len));
}

size_t http_io_buffered(const struct http_tls_conn *t)
{
	return t && t->ready ? mbedtls_ssl_get_bytes_avail(&t->ssl) : 0;
}

void http_io_close(struct http_tls_conn *t, int fd)
{
	if (t) {
		if (t->ready)
			(void)mbedtls_ssl_close_notify(&t->ssl);	/* best effort */
		mbedtls_ssl_free(&t->ssl);
		free(t);
	}
	close(fd);
}

#else /* !TAKT_TLS */

static int server_setup(void)
{
	tk_printk("metrics: metrics.tls=on needs an image built with TLS (./takt build "
		  "--tls-ca FILE --tls-cert FILE --tls-key FILE); the server stays off\n");
	return -ENOTSUP;
}

struct http_tls_conn *http_tls_accept(int fd)
{
	(void)fd;
	return 0;
}

ssize_t http_io_recv(struct http_tls_conn *t, int fd, void *buf, size_t len)
{
	(void)t;
	return recv(fd, buf, len, 0);
}

ssize_t http_io_send(struct http_tls_conn *t, int fd, const void *buf, size_t len)
{
	(void)t;
	return send(fd, buf, len, 0);
}

size_t http_io_buffered(const struct http_tls_conn *t)
{
	(void)t;
	return 0;
}

void http_io_close(struct http_tls_conn *t, int fd)
{
	(void)t;
	close(fd);
}

#endif

int http_tls_configure(void)
{
	const char *v = tk_bootarg("metrics.tls");

	tls_on = false;
	if (!v || !strcmp(v, "off"))
		return 0;
	if (strcmp(v, "on")) {
		tk_printk("metrics: bad metrics.tls=%s (on or off); the server stays off\n", v);
		return -EINVAL;
	}
	tls_on = true;
	return 0;
}

/* In the server's thread once the network is up: the entropy sources are
 * registered by then, and a slow seeding holds up no one else. */
int http_tls_start(void)
{
	return tls_on ? server_setup() : 0;
}

bool http_tls_on(void)
{
	return tls_on;
}
