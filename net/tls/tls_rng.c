/*
 * TLS random numbers: mbedTLS's entropy hook (MBEDTLS_ENTROPY_HARDWARE_ALT)
 * reads the kernel's entropy registry, and one CTR-DRBG seeded from it
 * serves every TLS context. The DRBG is locked because MQTT and the metrics
 * server handshake from different threads.
 *
 * Without a hardware source TLS is refused, unless the user says so with
 * the bootarg tls.entropy=weak: then the DRBG seeds from the clock (its
 * readings during boot and while seeding), which is guessable, under QEMU
 * -icount entirely so; every boot says so loudly. For boards with no
 * entropy device (the ZCU102's Cortex-A53s have no RNDR) on a test bench.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <takt/board.h>
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
static bool weak;		/* tls.entropy=weak and no hardware source */

/* The weak source: clock readings, each through splitmix64's finaliser
 * with a running count. Their unpredictability is the clock's jitter. */
static uint64_t weak_mix(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void weak_read(unsigned char *out, size_t len)
{
	static uint64_t count;

	while (len) {
		uint64_t v = weak_mix(tk_now_ns() ^ weak_mix(++count ^ tk_boot_ns()));
		size_t n = len < sizeof(v) ? len : sizeof(v);

		memcpy(out, &v, n);
		out += n;
		len -= n;
	}
}

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
	(void)data;
	*olen = 0;
	if (weak)
		weak_read(output, len);
	else if (tk_entropy_get(output, len, tk_now_ns() + TLS_ENTROPY_WAIT_NS) != 0)
		return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
	*olen = len;
	return 0;
}

static void weak_warning(void)
{
	printf("tls: ************************************************************\n"
	       "tls: WARNING: tls.entropy=weak: no hardware entropy source, TLS keys\n"
	       "tls: WARNING: and nonces come from the clock and can be guessed.\n"
	       "tls: WARNING: Not secure: for a test bench only, never in the field.\n"
	       "tls: ************************************************************\n");
}

/* What tls.entropy= says, decided once (drbg_lock held): at boot, TLS used
 * or not, or by the first tk_tls_rng_init if that comes first (TK_INIT
 * order is not fixed, and the metrics server may start TLS before). */
static bool weak_decide(void)
{
	static bool decided;
	const char *v;

	if (decided)
		return weak;
	decided = true;
	v = tk_bootarg("tls.entropy");
	if (!v)
		return weak;
	if (strcmp(v, "weak") != 0)
		printf("tls: tls.entropy=%s unknown (the one value is weak); ignored\n", v);
	else if (tk_entropy_available())
		printf("tls: tls.entropy=weak ignored: %s is a hardware source\n",
		       tk_entropy_source_name());
	else {
		weak = true;
		weak_warning();
	}
	return weak;
}

static void tls_entropy_bootarg(void)
{
	pthread_mutex_lock(&drbg_lock);
	weak_decide();
	pthread_mutex_unlock(&drbg_lock);
}
TK_INIT(tls_entropy_bootarg);

static int rng_seed(void)
{
	static const unsigned char pers[] = "takt-tls";

	if (weak_decide()) {
		weak_warning();		/* again, as TLS starts */
	} else if (!tk_entropy_available()) {
		printf("tls: no hardware entropy source: TLS refused "
		       "(tls.entropy=weak overrides, insecurely)\n");
		return -ENODEV;
	}
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, pers, sizeof(pers) - 1);
	if (rc != 0) {
		printf("tls: seeding from %s failed (mbedTLS -0x%04x): TLS refused\n",
		       weak ? "the clock" : tk_entropy_source_name(), (unsigned)-rc);
		return -EIO;
	}
	printf("tls: random numbers from %s\n",
	       weak ? "the clock (tls.entropy=weak: NOT SECURE)" : tk_entropy_source_name());
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
