/*
 * Internal virtio API between the virtio-mmio transport (virtio_mmio.c) and
 * the per-device drivers (virtio_net.c, virtio_rng.c). Not a public header.
 *
 * The kernel's device model matches DT compatibles, not virtio device IDs,
 * so virtio_mmio.c binds every "virtio,mmio" slot, reads the device ID and
 * hands the device to the driver its own table names for that ID
 * (virtio_drivers[] there: net = 1, rng = 4). A device ID without an entry,
 * or whose driver is not linked into this image, is left alone (one log
 * line, -ENODEV).
 *
 * Split virtqueues only. Rings live in heap memory (identity-mapped, so
 * virtual = physical = bus address; the DT slots say dma-coherent). All
 * ring updates are done by the driver in thread context; the interrupt
 * handler only acknowledges and wakes.
 */
#ifndef TAKT_VIRTIO_H
#define TAKT_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <takt/device.h>

/* Device IDs (virtio 1.2, 5) */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4

/* Transport feature bits (virtio 1.2, 6) */
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};
struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

struct virtio_dev;

struct virtq {
	struct virtio_dev *vdev;
	unsigned index;		/* queue number on the device */
	uint16_t size;		/* descriptors, a power of two */
	uint16_t num_free;
	uint16_t free_head;	/* free descriptors chained through .next */
	uint16_t last_used;	/* next used->idx entry to consume */
	uint16_t avail_idx;	/* shadow of avail->idx */
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	void **cookie;		/* per head descriptor: the caller's token */
};

/* One piece of a buffer chain: device-readable (out) or device-writable. */
struct virtio_buf {
	void *addr;
	uint32_t len;
	bool device_writes;
};

typedef void (*virtio_isr_t)(struct virtio_dev *vdev, uint32_t status, void *arg);
#define VIRTIO_ISR_QUEUE 1u	/* InterruptStatus: used buffer notification */
#define VIRTIO_ISR_CONFIG 2u	/* InterruptStatus: configuration change */

#define VIRTIO_MAGIC 0x74726976u	/* "virt" */

/* A virtio-mmio slot with nothing behind it (virtio 1.2, 4.2.2: device ID
 * 0): only for the registers of a genuine transport, legacy (1) or modern
 * (2); any other magic or version is for the probe to report. */
static inline bool virtio_mmio_slot_empty(uint32_t magic, uint32_t version, uint32_t device_id)
{
	return magic == VIRTIO_MAGIC && (version == 1 || version == 2) && device_id == 0;
}

struct virtio_dev {
	struct tk_device *dev;
	uintptr_t base;
	uint32_t version;	/* 1 legacy, 2 modern */
	uint32_t device_id;
	uint32_t vendor_id;
	uint64_t offered;	/* device features */
	uint64_t accepted;	/* negotiated */
	virtio_isr_t isr;
	void *isr_arg;
	void *priv;		/* the device driver's state */
};

/* A per-device driver: probe gets a reset device with ACKNOWLEDGE|DRIVER
 * set; it negotiates, sets queues up, connects the interrupt and calls
 * virtio_driver_ok. A nonzero return resets the device (status FAILED). */
struct virtio_driver {
	uint32_t device_id;
	const char *name;
	int (*probe)(struct virtio_dev *vdev);
};

static inline bool virtio_has(uint64_t features, unsigned bit)
{
	return (features >> bit) & 1;
}

/* Write the driver's features (wanted & offered; VERSION_1 added on a modern
 * device) and, on a modern device, set FEATURES_OK and check the device
 * kept it. @retval 0 (vdev->accepted holds the result), -ENOTSUP (a modern
 * device without VIRTIO_F_VERSION_1, or FEATURES_OK refused) */
int virtio_negotiate(struct virtio_dev *vdev, uint64_t wanted);

/* Set queue index up with min(max_size, the device's maximum) descriptors
 * (rounded down to a power of two). Memory comes from the heap, aligned as
 * the spec says (legacy: one page-aligned block, used ring on the next
 * page boundary). @retval 0, -ENOENT (no such queue), -ENOMEM, -EBUSY */
int virtio_queue_setup(struct virtio_dev *vdev, unsigned index, unsigned max_size,
		       struct virtq *q);

/* Put a chain of n pieces on the avail ring (not yet notified).
 * @retval 0, -ENOSPC (not enough free descriptors), -EINVAL */
int virtq_add(struct virtq *q, const struct virtio_buf *bufs, unsigned n, void *cookie);
/* Tell the device about new avail entries. */
void virtq_kick(struct virtq *q);
/* Next used chain: its cookie (NULL when none) and the bytes the device
 * wrote; its descriptors are freed. */
void *virtq_get_used(struct virtq *q, uint32_t *len);
bool virtq_has_used(struct virtq *q);
/* Ask the device not to interrupt for this queue's used buffers (a hint). */
void virtq_no_interrupt(struct virtq *q, bool off);

/* Connect the slot's DT interrupt; fn runs in interrupt context after the
 * interrupt status was read and acknowledged. @retval as tk_irq_connect */
int virtio_irq_connect(struct virtio_dev *vdev, virtio_isr_t fn, void *arg);

/* Device configuration space (offset from its start). */
uint8_t virtio_config8(struct virtio_dev *vdev, unsigned off);
uint16_t virtio_config16(struct virtio_dev *vdev, unsigned off);
uint32_t virtio_config32(struct virtio_dev *vdev, unsigned off);

/* Set DRIVER_OK: the device is live. */
void virtio_driver_ok(struct virtio_dev *vdev);

/* Per-device driver probes, listed in virtio_mmio.c's table. Weak: each is
 * linked only into an image that uses its class (a network device, an
 * entropy source: cmake/ondemand.cmake); where it is not, its entry is a
 * null probe and the device is left alone as an unknown ID is. */
__attribute__((weak)) int virtio_net_probe(struct virtio_dev *vdev);
__attribute__((weak)) int virtio_rng_probe(struct virtio_dev *vdev);

#endif
