/*
 * TLS support for apps built with takt_app(... TLS): mbedTLS 2.28 (Debian's,
 * from the set-up cache) with Takt's configuration (net/tls/include/
 * takt_mbedtls_config.h), and its random numbers from a hardware entropy
 * source (takt/entropy.h). There is no software fallback: without a source
 * tk_tls_rng_init fails and TLS must not start.
 */
#ifndef TAKT_TLS_H
#define TAKT_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Seed the shared CTR-DRBG from the hardware entropy source (once; later
 * calls return the first result).
 * @retval 0, -ENODEV (no entropy source: TLS refused), -EIO (seeding failed) */
int tk_tls_rng_init(void);

/* mbedTLS's f_rng (p_rng is ignored): random bytes from the shared DRBG.
 * @retval 0, or an mbedTLS error (also when tk_tls_rng_init has not succeeded) */
int tk_tls_random(void *p_rng, unsigned char *buf, size_t len);

/* The certificates, key and credentials built into the image
 * (cmake/tls-creds.cmake: ./takt build --tls-ca FILE [--tls-cert FILE
 * --tls-key FILE], -DTAKT_TLS_USER=, -DTAKT_TLS_PASS=). PEM, the length
 * counting the NUL after the text (mbedTLS's convention); NULL and 0 for
 * what the build did not give; user and pass "" when not given. */
struct tk_tls_creds {
	const unsigned char *ca, *cert, *key;
	size_t ca_len, cert_len, key_len;
	const char *user, *pass;	/* pass is a secret: never print it */
};
const struct tk_tls_creds *tk_tls_creds(void);

/* What a TLS client saw of a handshake, for one clear log line when it
 * fails: the peer certificate's verification flags and a fatal alert the
 * peer sent in clear (a broker refusing our certificate). Filled by the
 * hooks tk_tls_client_setup installs; the rest of the struct is theirs. */
struct tk_tls_status {
	bool verified;			/* the peer's certificate chain was checked */
	uint32_t verify_flags;		/* MBEDTLS_X509_BADCERT_* of the whole chain, 0: good */
	int alert;			/* the peer's fatal alert (RFC 5246 7.2), -1: none */
	/* private: the BIO under the hook, and the record being read */
	void *bio;
	int (*send)(void *, const unsigned char *, size_t);
	int (*recv)(void *, unsigned char *, size_t);
	unsigned char hdr[5], level;
	unsigned hdr_len, body_left;
};

struct mbedtls_ssl_context;

/* Make a client TLS context (one that has not started its handshake)
 * strict and observed: the server's certificate is required and must
 * chain to the CA (MBEDTLS_SSL_VERIFY_REQUIRED, whatever the shared
 * config says), its name must match host (a DNS name), and st records
 * what went wrong. While the wall clock is not set (no SNTP yet), a
 * certificate's dates are checked against the newest start date of the
 * built-in certificates instead: "expired" is then still certain, "not
 * yet valid" cannot be told and is not claimed. Call with lwIP's core
 * lock held when ssl belongs to an altcp connection.
 * @retval 0, -EINVAL (NULL argument), -ENOMEM (host name) */
int tk_tls_client_setup(struct mbedtls_ssl_context *ssl, const char *host,
			struct tk_tls_status *st);

/* st in words, e.g. "server certificate: expired", "server certificate:
 * not signed by a trusted CA", "the peer refused the handshake: unknown
 * CA (alert 48)", or "" when st says nothing went wrong. Returns buf. */
char *tk_tls_status_text(const struct tk_tls_status *st, char *buf, size_t len);

/* MBEDTLS_X509_BADCERT_* flags as words ("expired, host name mismatch").
 * Returns buf. */
char *tk_tls_verify_text(uint32_t flags, char *buf, size_t len);

#endif
