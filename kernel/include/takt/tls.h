/*
 * TLS support for apps built with takt_app(... TLS): mbedTLS 2.28 (Debian's,
 * from the set-up cache) with Takt's configuration (net/tls/include/
 * takt_mbedtls_config.h), and its random numbers from a hardware entropy
 * source (takt/entropy.h). There is no software fallback: without a source
 * tk_tls_rng_init fails and TLS must not start.
 */
#ifndef TAKT_TLS_H
#define TAKT_TLS_H

#include <stddef.h>

/* Seed the shared CTR-DRBG from the hardware entropy source (once; later
 * calls return the first result).
 * @retval 0, -ENODEV (no entropy source: TLS refused), -EIO (seeding failed) */
int tk_tls_rng_init(void);

/* mbedTLS's f_rng (p_rng is ignored): random bytes from the shared DRBG.
 * @retval 0, or an mbedTLS error (also when tk_tls_rng_init has not succeeded) */
int tk_tls_random(void *p_rng, unsigned char *buf, size_t len);

#endif
