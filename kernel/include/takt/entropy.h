/*
 * Entropy: random bytes from a hardware source, for TLS (mbedTLS's entropy
 * callback) and anything else that needs unpredictable numbers. A driver
 * registers its source at probe (virtio-rng: drivers/virtio/virtio_rng.c);
 * the registry is the kernel's (kernel/entropy.c). Thread context only.
 *
 * There is deliberately no software fallback: without a registered source
 * tk_entropy_get fails with -ENODEV, and the caller decides (TLS refuses
 * to start unless the user explicitly allowed it).
 */
#ifndef TAKT_ENTROPY_H
#define TAKT_ENTROPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_ENTROPY_SOURCES_MAX 2

struct tk_entropy_source {
	const char *name;
	/* Fill buf with up to len random bytes before deadline (absolute,
	 * tk_now_ns clock). @retval bytes written (> 0), -ETIMEDOUT, -EIO */
	int (*read)(struct tk_entropy_source *src, void *buf, size_t len, uint64_t deadline);
	void *priv;
};

/* @retval 0, -EINVAL (NULL, no name or read), -ENOSPC (registry full) */
int tk_entropy_register(struct tk_entropy_source *src);

/* Is there a source? */
bool tk_entropy_available(void);

/* Name of the first source, or NULL. */
const char *tk_entropy_source_name(void);

/* Fill all of buf from the first source, waiting until deadline at most.
 * @retval 0, -EINVAL (buf NULL with len > 0), -ENODEV (no source),
 * -ETIMEDOUT (the source gave less before the deadline), -EIO */
int tk_entropy_get(void *buf, size_t len, uint64_t deadline);

#endif
