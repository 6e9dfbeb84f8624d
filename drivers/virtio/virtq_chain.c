/*
 * Split-virtqueue descriptor bookkeeping (see virtq_chain.h): pure, so
 * that the host fuzzes what the device's used ring can make it do.
 */
#include <stddef.h>
#include <stdint.h>

#include "virtq_chain.h"

void virtq_chain_init(struct virtq *q, uint16_t n)
{
	q->size = n;
	q->num_free = n;
	q->free_head = 0;
	for (unsigned i = 0; i < n; i++)
		q->desc[i].next = (uint16_t)(i + 1);
}

uint16_t virtq_chain_alloc(struct virtq *q, const struct virtio_buf *bufs, unsigned n,
			   void *cookie)
{
	uint16_t head = q->free_head, i = head;

	for (unsigned k = 0; k < n; k++) {
		volatile struct virtq_desc *d = &q->desc[i];

		d->addr = (uintptr_t)bufs[k].addr;
		d->len = bufs[k].len;
		d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
				      (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		i = d->next;
	}
	q->free_head = i;
	q->num_free = (uint16_t)(q->num_free - n);
	q->cookie[head] = cookie;
	return head;
}

void *virtq_used_chain(struct virtq *q, uint32_t id)
{
	/* The id is the device's u32: truncating it first made 0x10000 free
	 * head 0, whatever was (or was not) in flight there. */
	if (id >= q->size || !q->cookie[id])
		return NULL;
	uint16_t head = (uint16_t)id, i = head;
	unsigned n = 1, in_flight = (unsigned)q->size - q->num_free;

	/* Descriptors are ours (the device only reads them), so the chain is
	 * as virtq_chain_alloc made it; the bound keeps a corrupted table
	 * from looping for ever or freeing more than is in flight. */
	while (q->desc[i].flags & VIRTQ_DESC_F_NEXT) {
		if (n == in_flight)
			return NULL;
		i = q->desc[i].next;
		if (i >= q->size)
			return NULL;
		n++;
	}
	if (n > in_flight)
		return NULL;
	q->desc[i].next = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + n);
	void *c = q->cookie[head];

	q->cookie[head] = NULL;
	return c;
}
