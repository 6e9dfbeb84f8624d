/* drivers/virtio/virtio.h: the present hook's decision. Only a genuine
 * transport (magic "virt", version 1 or 2) with device ID 0 is an empty
 * slot skipped before its device is set up; anything else goes to the
 * probe, which binds it or says what is wrong with it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "virtio.h"

static void empty_slot_legacy_and_modern(void **state)
{
	(void)state;
	assert_true(virtio_mmio_slot_empty(VIRTIO_MAGIC, 1, 0));
	assert_true(virtio_mmio_slot_empty(VIRTIO_MAGIC, 2, 0));
}

static void a_device_is_present(void **state)
{
	(void)state;
	assert_false(virtio_mmio_slot_empty(VIRTIO_MAGIC, 2, VIRTIO_ID_NET));
	assert_false(virtio_mmio_slot_empty(VIRTIO_MAGIC, 1, VIRTIO_ID_RNG));
	assert_false(virtio_mmio_slot_empty(VIRTIO_MAGIC, 2, 0xffffffffu));
}

/* not a virtio transport, or one of an unknown version: the probe reports */
static void bad_registers_go_to_the_probe(void **state)
{
	(void)state;
	assert_false(virtio_mmio_slot_empty(0, 2, 0));
	assert_false(virtio_mmio_slot_empty(0xffffffffu, 0xffffffffu, 0));
	assert_false(virtio_mmio_slot_empty(0x76697274u, 2, 0));	/* byte-swapped */
	assert_false(virtio_mmio_slot_empty(VIRTIO_MAGIC, 0, 0));
	assert_false(virtio_mmio_slot_empty(VIRTIO_MAGIC, 3, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_slot_legacy_and_modern),
		cmocka_unit_test(a_device_is_present),
		cmocka_unit_test(bad_registers_go_to_the_probe),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
