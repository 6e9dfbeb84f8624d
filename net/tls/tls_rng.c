/*
 * TLS random numbers: mbedTLS's entropy hook (MBEDTLS_ENTROPY_HARDWARE_ALT)
 * reads the kernel's entropy registry, and one CTR-DRBG seeded from it
 * serves every TLS context. The DRBG is locked because MQTT and the metrics
 * server handshake from different threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <takt/entropy.h>
#include <takt/time.h>
#include <takt/tls.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/entropy_poll.h"

/* A virtio-rng answers in microseconds; a second covers a loaded host. */
#define TLS_ENTROPY_WAIT_NS 1000000000ull

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static pthread_mutex_t drbg_lock = PTHREAD_MUTEX_INITIALIZER;
static int rng_state = 1; /* 1: not tried yet, else tk_tls_rng_init's result */

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
	(void)data;
	*olen = 0;
	if (tk_entropy_get(output, len, tk_now_ns() + TLS_ENTROPY_WAIT_NS) != 0)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = len;
	return 0;
}

static int rng_seed(void)
{
	static const unsigned char pers[] = "takt-tls";

	if (!tk_entropy_available()) {
		printf("tls: no hardware entropy source: TLS refused\n");
		return -ENODEV;
	}
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, pers, sizeof(pers) - 1);
	if (rc != 0) {
		printf("tls: seeding from %s failed (mbedTLS -0x%04x): TLS refused\n",
		       tk_entropy_source_name(), (unsigned)-rc);
		return -EIO;
	}
	printf("tls: random numbers from %s\n", tk_entropy_source_name());
	return 0;
}

int tk_tls_rng_init(void)
{
	pthread_mutex_lock(&drbg_lock);
	if (rng_state == 1)
		rng_state = rng_seed();
	int rc = rng_state;
	pthread_mutex_unlock(&drbg_lock);
	return rc;
}

int tk_tls_random(void *p_rng, unsigned char *buf, size_t len)
{
	(void)p_rng;
	pthread_mutex_lock(&drbg_lock);
	int rc = rng_state == 0 ? mbedtls_ctr_drbg_random(&drbg, buf, len)
				: MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
	pthread_mutex_unlock(&drbg_lock);
	return rc;
}
