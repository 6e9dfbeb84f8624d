/*
 * The used ring is written by the device: a buggy or hostile one may
 * return any 32-bit id, a chain twice, a descriptor inside a chain. The
 * input is a queue size and a sequence of operations on one virtqueue:
 * add a chain (virtq_chain_alloc, as virtq_add does) or return a used
 * element (virtq_used_chain, as virtq_get_used does) with either a raw
 * 32-bit id or the head of a chain in flight. A model of the chains in
 * flight checks every answer and, after each step, that the free list
 * holds exactly the descriptors not in flight, each once.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "virtq_chain.h"

#define QMAX 256

static struct virtq_desc desc[QMAX];
static void *cookie[QMAX];
static uint8_t token[QMAX];		/* cookies: &token[head] */
static unsigned chain_len[QMAX];	/* model: 0 = not a head in flight */

static void check_free_list(const struct virtq *q)
{
	bool used[QMAX] = { false };
	unsigned in_flight = 0;
	uint16_t i = q->free_head;

	for (unsigned h = 0; h < q->size; h++)
		in_flight += chain_len[h];
	FUZZ_CHECK(q->num_free == q->size - in_flight);
	/* mark the chains in flight, then walk the free list */
	for (unsigned h = 0; h < q->size; h++) {
		uint16_t d = (uint16_t)h;

		for (unsigned k = 0; k < chain_len[h]; k++) {
			FUZZ_CHECK(d < q->size && !used[d]);
			used[d] = true;
			d = q->desc[d].next;
		}
	}
	for (unsigned k = 0; k < q->num_free; k++) {
		FUZZ_CHECK(i < q->size && !used[i]);
		used[i] = true;
		i = q->desc[i].next;
	}
}

static void add(struct virtq *q, unsigned n)
{
	struct virtio_buf b[4];

	if (n > q->num_free)
		return;	/* virtq_add's -ENOSPC */
	for (unsigned k = 0; k < n; k++)
		b[k] = (struct virtio_buf){ .addr = token, .len = 64, .device_writes = k == n - 1 };
	uint16_t h = q->free_head;

	FUZZ_CHECK(virtq_chain_alloc(q, b, n, &token[h]) == h);
	chain_len[h] = n;
}

static void used(struct virtq *q, uint32_t id)
{
	void *c = virtq_used_chain(q, id);

	if (id < q->size && chain_len[id]) {
		FUZZ_CHECK(c == &token[id]);
		chain_len[id] = 0;
	} else {
		FUZZ_CHECK(c == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtq q;
	size_t i = 1;

	if (size < 1)
		return 0;
	memset(desc, 0, sizeof(desc));
	memset(cookie, 0, sizeof(cookie));
	memset(chain_len, 0, sizeof(chain_len));
	q = (struct virtq){ .desc = desc, .cookie = cookie };
	virtq_chain_init(&q, (uint16_t)(1u << (data[0] % 9)));	/* 1..256 */
	while (i < size) {
		uint8_t op = data[i++];

		switch (op & 3) {
		case 0:
		case 1:
			add(&q, (op >> 2) % 4 + 1);
			break;
		case 2:	/* the device's raw id */
			if (size - i < 4)
				return 0;
			used(&q, (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
					 (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24);
			i += 4;
			break;
		case 3:	/* a plausible id: some descriptor, maybe a head, maybe not */
			used(&q, (uint32_t)(op >> 2) % q.size);
			break;
		}
		check_free_list(&q);
	}
	return 0;
}
