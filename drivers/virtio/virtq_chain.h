/*
 * The descriptor bookkeeping of a split virtqueue (virtio 1.2, 2.7), kept
 * pure: no registers, no barriers, only the queue's descriptor table,
 * cookies and free list. virtio_mmio.c wraps these with the ring indices
 * and the barriers; the host fuzzer (tests/fuzz/fuzz_virtio_used.c) and the
 * unit tests (tests/unit/test_virtq_chain.c) drive them directly, since a
 * used element is input written by the device, not by us.
 */
#ifndef TAKT_VIRTQ_CHAIN_H
#define TAKT_VIRTQ_CHAIN_H

#include <stdint.h>

#include "virtio.h"

/* Set q's n descriptors (a power of two, <= 32768) up as one free list.
 * desc and cookie (n entries each, cookie zeroed) belong to the caller. */
void virtq_chain_init(struct virtq *q, uint16_t n);

/* Take n free descriptors for bufs and chain them (NEXT on all but the
 * last), remembering cookie for the head. The caller checked
 * 0 < n <= q->num_free and cookie != NULL. @retval the head descriptor */
uint16_t virtq_chain_alloc(struct virtq *q, const struct virtio_buf *bufs, unsigned n,
			   void *cookie);

/* The chain the device returned in a used element: id is the device's
 * 32-bit value, checked whole (0x10000 is not head 0), and must name a
 * head in flight (its cookie set), else the device is buggy or hostile and
 * nothing is freed. The chain's descriptors go back on the free list.
 * @retval its cookie, NULL when id names no chain in flight (q unchanged) */
void *virtq_used_chain(struct virtq *q, uint32_t id);

#endif /* TAKT_VIRTQ_CHAIN_H */
