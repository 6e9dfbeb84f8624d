/*
 * virtio-rng, the entropy device (virtio 1.2, 5.4; device ID 4) on the
 * virtio transport (virtio.h): one request queue, each request a
 * device-writable buffer the device fills with random bytes from the host
 * (QEMU: /dev/urandom). Registered as an entropy source (takt/entropy.h).
 *
 * One request is outstanding at a time, in a buffer of the driver's own
 * (the caller's may be on a stack the device should not write to after a
 * timeout). A read that times out leaves its request on the ring; the next
 * read collects it instead of posting another.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/dt.h>
#include <takt/entropy.h>
#include <takt/log.h>
#include <takt/sync.h>

#include "virtio.h"

#define REQQ		0
#define CHUNK		64

struct vrng {
	struct tk_entropy_source src;
	struct virtio_dev *v;
	struct virtq q;
	struct tk_sem done;
	struct tk_mutex lock;
	bool pending;
	uint8_t buf[CHUNK];
};

static void vrng_isr(struct virtio_dev *v, uint32_t status, void *arg)
{
	struct vrng *r = arg;

	(void)v;
	if (status & VIRTIO_ISR_QUEUE)
		tk_sem_give(&r->done);	/* -EOVERFLOW: already signalled */
}

/* Post the request unless one is on the ring already. */
static int vrng_post(struct vrng *r)
{
	struct virtio_buf piece = { r->buf, CHUNK, true };
	int err;

	if (r->pending)
		return 0;
	err = virtq_add(&r->q, &piece, 1, r);
	if (err)
		return -EIO;
	r->pending = true;
	virtq_kick(&r->q);
	return 0;
}

/* Wait for the outstanding request; a request answered with 0 bytes is
 * posted again. @retval bytes in r->buf, -ETIMEDOUT, -EIO */
static int vrng_wait(struct vrng *r, uint64_t deadline)
{
	for (;;) {
		uint32_t got = 0;
		int err = vrng_post(r);

		if (err)
			return err;
		if (!virtq_get_used(&r->q, &got)) {
			if (tk_sem_take(&r->done, deadline))
				return -ETIMEDOUT;
			continue;
		}
		r->pending = false;
		if (got > CHUNK)
			return -EIO;	/* more than the buffer: a device bug */
		if (got)
			return (int)got;
	}
}

static int vrng_read(struct tk_entropy_source *src, void *out, size_t len, uint64_t deadline)
{
	struct vrng *r = src->priv;
	int n;

	tk_mutex_lock(&r->lock, TK_FOREVER);
	n = vrng_wait(r, deadline);
	if (n > 0) {
		if ((size_t)n > len)
			n = (int)len;
		memcpy(out, r->buf, (size_t)n);
		memset(r->buf, 0, CHUNK);	/* handed-out bytes are not kept */
	}
	tk_mutex_unlock(&r->lock);
	return n;
}

int virtio_rng_probe(struct virtio_dev *v)
{
	struct tk_device *dev = v->dev;
	int err = virtio_negotiate(v, 0);

	if (err)
		return err;

	struct vrng *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->v = v;
	v->priv = r;
	tk_sem_init(&r->done, 0, 1);
	tk_mutex_init(&r->lock, 0);
	err = virtio_queue_setup(v, REQQ, 4, &r->q);
	if (err) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-rng: cannot set the request queue up");
		return err;
	}
	err = virtio_irq_connect(v, vrng_isr, r);
	if (err) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-rng: cannot connect the interrupt");
		return err;
	}
	r->src.name = "virtio-rng";
	r->src.read = vrng_read;
	r->src.priv = r;
	err = tk_entropy_register(&r->src);
	if (err) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-rng: too many entropy sources");
		return err;
	}
	virtio_driver_ok(v);
	tk_printk("entropy: %s virtio-rng\n", dev->path);
	return 0;
}
