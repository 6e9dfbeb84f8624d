/*
 * virtio-mmio transport (virtio 1.2, 4.2), legacy (version 1) and modern
 * (version 2) register layouts, split virtqueues. Binds "virtio,mmio".
 *
 * Each DT slot is probed on its own and only its own registers are read.
 * An empty slot (device ID 0) is skipped quietly, by the present hook
 * before its device is set up (or the probe's -ENODEV). Otherwise the
 * device ID picks the per-device driver from virtio_drivers[] below: the
 * kernel's device model matches DT compatibles only, so the dispatch by
 * virtio device ID happens here. See virtio.h for the internal API.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "virtio.h"
#include "virtq_chain.h"

#define MMIO_MAGIC		0x000
#define MMIO_VERSION		0x004
#define MMIO_DEVICE_ID		0x008
#define MMIO_VENDOR_ID		0x00c
#define MMIO_DEV_FEATURES	0x010
#define MMIO_DEV_FEATURES_SEL	0x014
#define MMIO_DRV_FEATURES	0x020
#define MMIO_DRV_FEATURES_SEL	0x024
#define MMIO_GUEST_PAGE_SIZE	0x028	/* legacy */
#define MMIO_QUEUE_SEL		0x030
#define MMIO_QUEUE_NUM_MAX	0x034
#define MMIO_QUEUE_NUM		0x038
#define MMIO_QUEUE_ALIGN	0x03c	/* legacy */
#define MMIO_QUEUE_PFN		0x040	/* legacy */
#define MMIO_QUEUE_READY	0x044	/* modern */
#define MMIO_QUEUE_NOTIFY	0x050
#define MMIO_INT_STATUS		0x060
#define MMIO_INT_ACK		0x064
#define MMIO_STATUS		0x070
#define MMIO_QUEUE_DESC_LO	0x080
#define MMIO_QUEUE_DESC_HI	0x084
#define MMIO_QUEUE_DRIVER_LO	0x090
#define MMIO_QUEUE_DRIVER_HI	0x094
#define MMIO_QUEUE_DEVICE_LO	0x0a0
#define MMIO_QUEUE_DEVICE_HI	0x0a4
#define MMIO_CONFIG_GEN		0x0fc	/* modern */
#define MMIO_CONFIG		0x100

#define ST_ACKNOWLEDGE		1u
#define ST_DRIVER		2u
#define ST_DRIVER_OK		4u
#define ST_FEATURES_OK		8u
#define ST_FAILED		128u

#define PAGE			4096u
#define MAX_SLOTS		32

static const struct virtio_driver virtio_drivers[] = {
	{ VIRTIO_ID_NET, "net", virtio_net_probe },
	{ VIRTIO_ID_RNG, "rng", virtio_rng_probe },
};

/* A bound slot's state, from the heap at its probe (a static array for
 * MAX_SLOTS was 2.3 KiB of static RAM, where QEMU binds one or two). */
static unsigned nslots;

static inline uint32_t rd(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint32_t *)(v->base + off);
}

static inline void wr(struct virtio_dev *v, unsigned off, uint32_t val)
{
	*(volatile uint32_t *)(v->base + off) = val;
}

/* Ring memory is ordinary cacheable memory shared with the device: order
 * ring writes before the index and the index before the notify. */
static inline void mb(void)
{
#if defined(__aarch64__)
	__asm__ volatile("dmb sy" ::: "memory");
#else
	__asm__ volatile("mfence" ::: "memory");
#endif
}

static void fail(struct virtio_dev *v, const char *what)
{
	tk_dt_err_begin(v->dev->fdt, v->dev->node);
	tk_dt_err_str("virtio-mmio: ");
	tk_dt_err_str(what);
}

int virtio_negotiate(struct virtio_dev *v, uint64_t wanted)
{
	uint64_t f = wanted & v->offered;

	if (v->version >= 2) {
		if (!virtio_has(v->offered, VIRTIO_F_VERSION_1)) {
			fail(v, "modern device without VIRTIO_F_VERSION_1");
			return -ENOTSUP;
		}
		f |= 1ull << VIRTIO_F_VERSION_1;
	} else {
		f &= 0xffffffffull;	/* legacy: one 32-bit word */
	}
	for (unsigned sel = 0; sel < (v->version >= 2 ? 2u : 1u); sel++) {
		wr(v, MMIO_DRV_FEATURES_SEL, sel);
		wr(v, MMIO_DRV_FEATURES, (uint32_t)(f >> (32 * sel)));
	}
	v->accepted = f;
	if (v->version >= 2) {
		wr(v, MMIO_STATUS, rd(v, MMIO_STATUS) | ST_FEATURES_OK);
		if (!(rd(v, MMIO_STATUS) & ST_FEATURES_OK)) {
			fail(v, "the device refused the feature set (FEATURES_OK cleared)");
			return -ENOTSUP;
		}
	}
	return 0;
}

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

int virtio_queue_setup(struct virtio_dev *v, unsigned index, unsigned max_size, struct virtq *q)
{
	wr(v, MMIO_QUEUE_SEL, index);
	if (v->version >= 2 ? rd(v, MMIO_QUEUE_READY) : rd(v, MMIO_QUEUE_PFN))
		return -EBUSY;
	unsigned n = rd(v, MMIO_QUEUE_NUM_MAX);

	if (n == 0)
		return -ENOENT;
	if (n > max_size)
		n = max_size;
	if (n > 32768)
		n = 32768;
	while (n & (n - 1))
		n &= n - 1;	/* largest power of two <= n */

	/* One block: descriptors (16-byte aligned), avail ring (2), then the
	 * used ring on a page boundary (legacy QueueAlign; modern needs 4). */
	size_t desc_sz = 16u * n, avail_sz = 6u + 2u * n, used_sz = 6u + 8u * n;
	size_t used_off = align_up(desc_sz + avail_sz, PAGE);
	size_t total = align_up(used_off + used_sz, PAGE);
	uint8_t *mem = memalign(PAGE, total);
	void **cookie = calloc(n, sizeof(void *));

	if (!mem || !cookie) {
		free(mem);
		free(cookie);
		return -ENOMEM;
	}
	memset(mem, 0, total);
	*q = (struct virtq){
		.vdev = v, .index = index,
		.desc = (volatile struct virtq_desc *)mem,
		.avail = (volatile struct virtq_avail *)(mem + desc_sz),
		.used = (volatile struct virtq_used *)(mem + used_off),
		.cookie = cookie,
	};
	virtq_chain_init(q, (uint16_t)n);
	mb();

	uint64_t pa = (uintptr_t)mem;

	wr(v, MMIO_QUEUE_NUM, n);
	if (v->version >= 2) {
		uint64_t av = pa + desc_sz, us = pa + used_off;

		wr(v, MMIO_QUEUE_DESC_LO, (uint32_t)pa);
		wr(v, MMIO_QUEUE_DESC_HI, (uint32_t)(pa >> 32));
		wr(v, MMIO_QUEUE_DRIVER_LO, (uint32_t)av);
		wr(v, MMIO_QUEUE_DRIVER_HI, (uint32_t)(av >> 32));
		wr(v, MMIO_QUEUE_DEVICE_LO, (uint32_t)us);
		wr(v, MMIO_QUEUE_DEVICE_HI, (uint32_t)(us >> 32));
		wr(v, MMIO_QUEUE_READY, 1);
	} else {
		wr(v, MMIO_QUEUE_ALIGN, PAGE);
		wr(v, MMIO_QUEUE_PFN, (uint32_t)(pa / PAGE));
	}
	return 0;
}

int virtq_add(struct virtq *q, const struct virtio_buf *bufs, unsigned n, void *cookie)
{
	if (n == 0 || !cookie)
		return -EINVAL;
	if (n > q->num_free)
		return -ENOSPC;
	uint16_t head = virtq_chain_alloc(q, bufs, n, cookie);

	q->avail->ring[q->avail_idx & (q->size - 1)] = head;
	mb();
	q->avail->idx = ++q->avail_idx;
	return 0;
}

void virtq_kick(struct virtq *q)
{
	mb();
	if (!(q->used->flags & 1))	/* VIRTQ_USED_F_NO_NOTIFY */
		wr(q->vdev, MMIO_QUEUE_NOTIFY, q->index);
}

bool virtq_has_used(struct virtq *q)
{
	return q->used->idx != q->last_used;
}

void *virtq_get_used(struct virtq *q, uint32_t *len)
{
	if (q->used->idx == q->last_used)
		return 0;
	mb();	/* the entry after the index */
	volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
	uint32_t id = e->id;

	if (len)
		*len = e->len;
	q->last_used++;
	return virtq_used_chain(q, id);
}

void virtq_no_interrupt(struct virtq *q, bool off)
{
	q->avail->flags = off ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;
	mb();
}

static void virtio_irq(void *arg)
{
	struct virtio_dev *v = arg;
	uint32_t st = rd(v, MMIO_INT_STATUS);

	wr(v, MMIO_INT_ACK, st);
	if (v->isr && st)
		v->isr(v, st, v->isr_arg);
}

int virtio_irq_connect(struct virtio_dev *v, virtio_isr_t fn, void *arg)
{
	v->isr = fn;
	v->isr_arg = arg;
	return tk_irq_connect(v->dev, 0, virtio_irq, v);
}

uint8_t virtio_config8(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint8_t *)(v->base + MMIO_CONFIG + off);
}

uint16_t virtio_config16(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint16_t *)(v->base + MMIO_CONFIG + off);
}

uint32_t virtio_config32(struct virtio_dev *v, unsigned off)
{
	return *(volatile uint32_t *)(v->base + MMIO_CONFIG + off);
}

void virtio_driver_ok(struct virtio_dev *v)
{
	mb();
	wr(v, MMIO_STATUS, rd(v, MMIO_STATUS) | ST_DRIVER_OK);
}

/* The device model's present hook: an empty slot (QEMU virt lists 32,
 * mostly empty) is known by three register reads, before its device is set
 * up. Anything but a well-formed empty slot goes to the probe, which says
 * what is wrong with it. */
static bool virtio_mmio_present(struct tk_device *dev)
{
	uintptr_t base;
	uint64_t size;

	if (tk_dev_mmio(dev, 0, &base, &size) || size < MMIO_CONFIG)
		return true;
	struct virtio_dev v = { .dev = dev, .base = base };
	uint32_t magic = rd(&v, MMIO_MAGIC), version = rd(&v, MMIO_VERSION);

	return !virtio_mmio_slot_empty(magic, version, rd(&v, MMIO_DEVICE_ID));
}

static int virtio_mmio_probe(struct tk_device *dev)
{
	uintptr_t base;
	int err = tk_dev_mmio_regs(dev, 0, MMIO_CONFIG, &base);

	if (err)
		return err;
	struct virtio_dev probe = { .dev = dev, .base = base };
	struct virtio_dev *v = &probe;
	uint32_t magic = rd(v, MMIO_MAGIC);

	if (magic != VIRTIO_MAGIC) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-mmio: bad magic ");
		tk_dt_err_num(magic, 16);
		return -EIO;
	}
	v->version = rd(v, MMIO_VERSION);
	if (v->version != 1 && v->version != 2) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("virtio-mmio: unsupported version ");
		tk_dt_err_num(v->version, 10);
		return -ENOTSUP;
	}
	v->device_id = rd(v, MMIO_DEVICE_ID);
	if (v->device_id == 0)
		return -ENODEV;	/* empty slot: the present hook tells first */
	v->vendor_id = rd(v, MMIO_VENDOR_ID);

	const struct virtio_driver *drv = 0;

	for (size_t i = 0; i < sizeof(virtio_drivers) / sizeof(virtio_drivers[0]); i++)
		if (virtio_drivers[i].device_id == v->device_id && virtio_drivers[i].probe)
			drv = &virtio_drivers[i];
	if (!drv) {
		tk_printk("virtio-mmio: %s: device ID %u has no driver; left alone\n", dev->path,
			  (unsigned)v->device_id);
		return -ENODEV;
	}
	if (nslots == MAX_SLOTS)
		return -ENOSPC;
	struct virtio_dev *slot = malloc(sizeof(*slot));

	if (!slot)
		return -ENOMEM;

	/* Reset, acknowledge, read the offered features. */
	wr(v, MMIO_STATUS, 0);
	while (rd(v, MMIO_STATUS) != 0)
		;
	wr(v, MMIO_STATUS, ST_ACKNOWLEDGE);
	wr(v, MMIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
	for (unsigned sel = 0; sel < (v->version >= 2 ? 2u : 1u); sel++) {
		wr(v, MMIO_DEV_FEATURES_SEL, sel);
		v->offered |= (uint64_t)rd(v, MMIO_DEV_FEATURES) << (32 * sel);
	}
	if (v->version == 1)
		wr(v, MMIO_GUEST_PAGE_SIZE, PAGE);

	*slot = *v;
	dev->priv = slot;
	err = drv->probe(slot);
	if (err) {
		wr(slot, MMIO_STATUS, ST_FAILED);
		/* the interrupt may be connected already: keep the slot
		 * (its handler's argument) but silence it */
		slot->isr = 0;
		nslots++;
		dev->priv = 0;
		return err;
	}
	nslots++;
	tk_printk("virtio-mmio: %s: %s, version %u (%s), features 0x%x_%08x of 0x%x_%08x\n",
		  dev->path, drv->name, (unsigned)slot->version,
		  slot->version == 1 ? "legacy" : "modern", (unsigned)(slot->accepted >> 32),
		  (unsigned)slot->accepted, (unsigned)(slot->offered >> 32), (unsigned)slot->offered);
	return 0;
}

TK_DRIVER_PRESENT(virtio_mmio, TK_LEVEL_DEVICE, virtio_mmio_probe, virtio_mmio_present, "virtio,mmio");
