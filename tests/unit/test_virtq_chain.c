/* drivers/virtio/virtq_chain.c: a used element is the device's word, so
 * an id out of range, not in flight or returned twice frees nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "virtq_chain.h"

#define QSIZE 8

static struct virtq_desc desc[QSIZE];
static void *cookie[QSIZE];
static struct virtq q;
static char buf[4];

static void setup_queue(void)
{
	memset(desc, 0, sizeof(desc));
	memset(cookie, 0, sizeof(cookie));
	q = (struct virtq){ .desc = desc, .cookie = cookie };
	virtq_chain_init(&q, QSIZE);
}

static uint16_t add(unsigned n, void *c)
{
	struct virtio_buf b[QSIZE];

	for (unsigned k = 0; k < n; k++)
		b[k] = (struct virtio_buf){ .addr = buf, .len = sizeof(buf), .device_writes = k & 1 };
	return virtq_chain_alloc(&q, b, n, c);
}

static void test_a_returned_chain_frees_its_descriptors(void **state)
{
	int a, b;

	(void)state;
	setup_queue();
	uint16_t h1 = add(3, &a), h2 = add(2, &b);

	assert_int_equal(q.num_free, QSIZE - 5);
	assert_ptr_equal(virtq_used_chain(&q, h2), &b);
	assert_int_equal(q.num_free, QSIZE - 3);
	assert_ptr_equal(virtq_used_chain(&q, h1), &a);
	assert_int_equal(q.num_free, QSIZE);
}

/* The bug the fuzzer was written for: the id was cut to 16 bits first, so
 * 0x10000 freed head 0 (in flight or not) and a later add reused it. */
static void test_id_above_16_bits_is_not_head_0(void **state)
{
	int a;

	(void)state;
	setup_queue();
	assert_int_equal(add(2, &a), 0);
	assert_null(virtq_used_chain(&q, 0x10000));
	assert_null(virtq_used_chain(&q, 0xffff0000u));
	assert_int_equal(q.num_free, QSIZE - 2);
	assert_ptr_equal(virtq_used_chain(&q, 0), &a);
}

static void test_id_out_of_range_or_not_in_flight_frees_nothing(void **state)
{
	int a;

	(void)state;
	setup_queue();
	uint16_t h = add(3, &a);

	assert_null(virtq_used_chain(&q, QSIZE));
	assert_null(virtq_used_chain(&q, (uint32_t)h + 1));	/* inside the chain, not its head */
	assert_null(virtq_used_chain(&q, 5));			/* free */
	assert_int_equal(q.num_free, QSIZE - 3);
}

static void test_a_chain_returned_twice_is_freed_once(void **state)
{
	int a;

	(void)state;
	setup_queue();
	uint16_t h = add(4, &a);

	assert_ptr_equal(virtq_used_chain(&q, h), &a);
	assert_null(virtq_used_chain(&q, h));
	assert_int_equal(q.num_free, QSIZE);
}

/* A table whose NEXT links loop (memory corruption) frees nothing. */
static void test_a_looping_chain_frees_nothing(void **state)
{
	int a;

	(void)state;
	setup_queue();
	uint16_t h = add(2, &a);

	desc[q.desc[h].next].flags |= VIRTQ_DESC_F_NEXT;
	desc[q.desc[h].next].next = h;
	assert_null(virtq_used_chain(&q, h));
	assert_int_equal(q.num_free, QSIZE - 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_returned_chain_frees_its_descriptors),
		cmocka_unit_test(test_id_above_16_bits_is_not_head_0),
		cmocka_unit_test(test_id_out_of_range_or_not_in_flight_frees_nothing),
		cmocka_unit_test(test_a_chain_returned_twice_is_freed_once),
		cmocka_unit_test(test_a_looping_chain_frees_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
