/*
 * kernel/arch/x86_64/pvh.c: the checks of what a PVH loader passes, fed
 * crafted structs (QEMU always passes sound ones). boot_x86.c turns each
 * error into a PANIC line and a failure status.
 */
#include <errno.h>

#include "fixture.h"

#include "pvh.h"

#define MiB (1ull << 20)
#define RAM HVM_MEMMAP_RAM
#define RESERVED 2
#define ACPI 3

static struct pvh_ram out[4];

static void test_magic_accepted(void **state)
{
	(void)state;
	struct hvm_start_info si = { .magic = PVH_MAGIC, .version = 1 };

	assert_int_equal(pvh_check_magic(&si), 0);
}

static void test_bad_magic_rejected(void **state)
{
	(void)state;
	struct hvm_start_info si = { .magic = 0x1badb002 };	/* multiboot's */

	assert_int_equal(pvh_check_magic(&si), -EINVAL);
	si.magic = 0;
	assert_int_equal(pvh_check_magic(&si), -EINVAL);
	si.magic = __builtin_bswap32(PVH_MAGIC);
	assert_int_equal(pvh_check_magic(&si), -EINVAL);
	assert_int_equal(pvh_check_magic(NULL), -EINVAL);
}

/* QEMU's map for -m 256M: low RAM, the legacy hole reserved, [1M, 256M). */
static void test_qemu_like_map_gives_ram_in_order(void **state)
{
	(void)state;
	const struct hvm_memmap_entry m[] = {
		{ 0, 0x9fc00, RAM, 0 },
		{ 0x9fc00, 0x400, RESERVED, 0 },
		{ 0xf0000, 0x10000, RESERVED, 0 },
		{ MiB, 255 * MiB, RAM, 0 },
		{ 0xfffc0000, 0x40000, RESERVED, 0 },
	};
	uint32_t dropped = 99;

	assert_int_equal(pvh_ram_regions(m, 5, out, 4, &dropped, NULL), 2);
	assert_int_equal(out[0].addr, 0);
	assert_int_equal(out[0].size, 0x9fc00);
	assert_int_equal(out[1].addr, MiB);
	assert_int_equal(out[1].size, 255 * MiB);
	assert_int_equal(dropped, 0);
}

static void test_zero_entries_is_no_ram(void **state)
{
	(void)state;
	const struct hvm_memmap_entry m[1] = { { MiB, MiB, RAM, 0 } };

	assert_int_equal(pvh_ram_regions(m, 0, out, 4, NULL, NULL), -ENOENT);
	assert_int_equal(pvh_ram_regions(NULL, 0, out, 4, NULL, NULL), -ENOENT);
}

static void test_only_reserved_entries_is_no_ram(void **state)
{
	(void)state;
	const struct hvm_memmap_entry m[] = {
		{ 0, MiB, RESERVED, 0 }, { MiB, 255 * MiB, ACPI, 0 }, { 1ull << 32, MiB, 0, 0 },
	};

	assert_int_equal(pvh_ram_regions(m, 3, out, 4, NULL, NULL), -ENOENT);
}

static void test_zero_sized_ram_skipped(void **state)
{
	(void)state;
	const struct hvm_memmap_entry m[] = {
		{ 0, 0, RAM, 0 }, { MiB, 0, RAM, 0 }, { 2 * MiB, 4 * MiB, RAM, 0 },
	};

	assert_int_equal(pvh_ram_regions(m, 3, out, 4, NULL, NULL), 1);
	assert_int_equal(out[0].addr, 2 * MiB);
	assert_int_equal(out[0].size, 4 * MiB);
	/* Zero-sized RAM only: no usable RAM. */
	assert_int_equal(pvh_ram_regions(m, 2, out, 4, NULL, NULL), -ENOENT);
}

static void test_ram_entry_wrapping_64_bits_rejected(void **state)
{
	(void)state;
	const struct hvm_memmap_entry m[] = {
		{ 0, MiB, RAM, 0 },
		{ 0xfffffffffff00000ull, 0x200000, RAM, 0 },
	};
	uint32_t bad = 0;

	assert_int_equal(pvh_ram_regions(m, 2, out, 4, NULL, &bad), -EOVERFLOW);
	assert_int_equal(bad, 1);
	/* Ending exactly at 2^64 - 1 + 1 wraps to 0: rejected too. */
	const struct hvm_memmap_entry end[] = { { ~0ull - MiB + 1, MiB, RAM, 0 } };

	assert_int_equal(pvh_ram_regions(end, 1, out, 4, NULL, &bad), -EOVERFLOW);
	/* A reserved entry that wraps is not read as RAM: ignored. */
	const struct hvm_memmap_entry rsv[] = { { ~0ull, 2, RESERVED, 0 }, { MiB, MiB, RAM, 0 } };

	assert_int_equal(pvh_ram_regions(rsv, 2, out, 4, NULL, NULL), 1);
}

static void test_absurd_entry_count_rejected(void **state)
{
	(void)state;
	struct hvm_memmap_entry m[1] = { { MiB, MiB, RAM, 0 } };
	struct hvm_start_info si = { .magic = PVH_MAGIC, .version = 1, .memmap_paddr = MiB };
	uint64_t bytes = 0;

	/* Rejected from the count alone: nothing past m[0] is read (ASan). */
	assert_int_equal(pvh_ram_regions(m, PVH_MEMMAP_MAX + 1, out, 4, NULL, NULL), -E2BIG);
	assert_int_equal(pvh_ram_regions(m, 0xffffffffu, out, 4, NULL, NULL), -E2BIG);
	si.memmap_entries = 0xffffffffu;
	assert_int_equal(pvh_memmap_where(&si, &bytes), -E2BIG);
	si.memmap_entries = PVH_MEMMAP_MAX;
	assert_int_equal(pvh_memmap_where(&si, &bytes), 1);
	assert_int_equal(bytes, PVH_MEMMAP_MAX * sizeof(struct hvm_memmap_entry));
}

static void test_more_ram_than_room_keeps_first_and_counts_dropped(void **state)
{
	(void)state;
	struct hvm_memmap_entry m[6];
	uint32_t dropped = 0;

	for (int i = 0; i < 6; i++)
		m[i] = (struct hvm_memmap_entry){ (uint64_t)(i + 1) * 16 * MiB, MiB, RAM, 0 };
	assert_int_equal(pvh_ram_regions(m, 6, out, 4, &dropped, NULL), 4);
	assert_int_equal(dropped, 2);
	assert_int_equal(out[3].addr, 64 * MiB);
}

static void test_memmap_where(void **state)
{
	(void)state;
	struct hvm_start_info si = { .magic = PVH_MAGIC, .version = 0, .memmap_entries = 3,
				     .memmap_paddr = 0x1000 };
	uint64_t bytes = 0;

	/* Version 0 has no memory map fields: none, RAM from the DTB. */
	assert_int_equal(pvh_memmap_where(&si, &bytes), 0);
	si.version = 1;
	si.memmap_entries = 0;
	assert_int_equal(pvh_memmap_where(&si, &bytes), 0);
	si.memmap_entries = 3;
	assert_int_equal(pvh_memmap_where(&si, &bytes), 1);
	assert_int_equal(bytes, 3 * sizeof(struct hvm_memmap_entry));
	si.memmap_paddr = 0;
	assert_int_equal(pvh_memmap_where(&si, &bytes), -EFAULT);
	si.memmap_paddr = ~0ull - 16;	/* the entries would wrap */
	assert_int_equal(pvh_memmap_where(&si, &bytes), -EFAULT);
}

static void test_range_checks(void **state)
{
	(void)state;
	assert_int_equal(pvh_check_range(0x1000, PVH_CMDLINE_MAX), 0);
	assert_int_equal(pvh_check_range(0, 16), -EFAULT);
	assert_int_equal(pvh_check_range(~0ull - 10, PVH_CMDLINE_MAX), -EFAULT);
	assert_int_equal(pvh_check_range(PVH_PA_LIMIT, 1), -EFAULT);
	assert_int_equal(pvh_check_range(PVH_PA_LIMIT - 1, 2), -EFAULT);
	assert_int_equal(pvh_check_range(PVH_PA_LIMIT - 1, 1), 0);
}

static void test_cmdline_strip_qemu(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(pvh_cmdline_strip_qemu(out, sizeof(out),
		"-t2 -l 5 virtio_mmio.device=512@0xfeb00e00:12 virtio_mmio.device=512@0xfeb00c00:11"), 8);
	assert_string_equal(out, "-t2 -l 5");
	assert_int_equal(pvh_cmdline_strip_qemu(out, sizeof(out), "virtio_mmio.device=1 a  b"), 4);
	assert_string_equal(out, "a  b");	/* the user's spacing stays */
	assert_int_equal(pvh_cmdline_strip_qemu(out, sizeof(out), "virtio_mmio.device=1"), 0);
	assert_string_equal(out, "");
	assert_int_equal(pvh_cmdline_strip_qemu(out, sizeof(out), "xvirtio_mmio.device=1"), 21);
	assert_int_equal(pvh_cmdline_strip_qemu(out, 4, "abcd"), -E2BIG);
	assert_string_equal(out, "");
	assert_int_equal(pvh_cmdline_strip_qemu(out, 5, "abcd"), 4);
	assert_int_equal(pvh_cmdline_strip_qemu(NULL, 5, "abcd"), -EINVAL);
	assert_int_equal(pvh_cmdline_strip_qemu(out, 0, "abcd"), -EINVAL);
}

static void test_cmdline_length(void **state)
{
	(void)state;
	char *unterminated = malloc(PVH_CMDLINE_MAX);	/* exact size: ASan on overread */

	assert_non_null(unterminated);
	memset(unterminated, 'x', PVH_CMDLINE_MAX);
	assert_int_equal(pvh_cmdline_len(unterminated, PVH_CMDLINE_MAX), -E2BIG);
	unterminated[PVH_CMDLINE_MAX - 1] = 0;
	assert_int_equal(pvh_cmdline_len(unterminated, PVH_CMDLINE_MAX), PVH_CMDLINE_MAX - 1);
	free(unterminated);
	assert_int_equal(pvh_cmdline_len("", 8), 0);
	assert_int_equal(pvh_cmdline_len("a b", 8), 3);
	assert_int_equal(pvh_cmdline_len(NULL, 8), -EINVAL);
}

/* boot_x86.c's boot area: after the image, in RAM, clear of the loader. */
static void test_place_area(void **state)
{
	const struct pvh_ram ram[] = { { 0, 0x9fc00 }, { 0x100000, 0x7f00000 } };
	struct pvh_ram busy[] = { { 0x180000, 0x1000 }, { 0x7000, 0x38 }, { 0x181000, 0x10 } };
	uint64_t pa = 0;

	(void)state;
	/* nothing in the way: the page after the image */
	assert_int_equal(pvh_place_area(ram, 2, busy, 1, 0x150123, 0x15000, &pa), 0);
	assert_int_equal(pa, 0x151000);
	/* a loader range in the way, then one right after it: past both */
	assert_int_equal(pvh_place_area(ram, 2, busy, 3, 0x170000, 0x15000, &pa), 0);
	assert_int_equal(pa, 0x182000);
	/* busy listed in any order: the last one moves the area onto the first */
	struct pvh_ram rev[] = { { 0x181000, 0x10 }, { 0x180000, 0x1000 } };

	assert_int_equal(pvh_place_area(ram, 2, rev, 2, 0x170000, 0x15000, &pa), 0);
	assert_int_equal(pa, 0x182000);
	/* zero-sized ranges are no obstacle */
	struct pvh_ram none[] = { { 0x151000, 0 } };

	assert_int_equal(pvh_place_area(ram, 2, none, 1, 0x151000, 0x1000, &pa), 0);
	assert_int_equal(pa, 0x151000);
	/* past the end of RAM, or across a hole */
	assert_int_equal(pvh_place_area(ram, 2, busy, 0, 0x7ff0000, 0x15000, &pa), -ENOMEM);
	assert_int_equal(pvh_place_area(ram, 2, busy, 0, 0x9f000, 0x15000, &pa), -ENOMEM);
	/* exactly up to the end of RAM */
	assert_int_equal(pvh_place_area(ram, 2, busy, 0, 0x7feb000, 0x15000, &pa), 0);
	assert_int_equal(pa, 0x7feb000);
	/* no memory map: only the loader's ranges count */
	assert_int_equal(pvh_place_area(NULL, 0, busy, 1, 0x17f000, 0x2000, &pa), 0);
	assert_int_equal(pa, 0x181000);
	assert_int_equal(pvh_place_area(NULL, 0, NULL, 0, PVH_PA_LIMIT - 0x1000, 0x2000, &pa),
			 -ENOMEM);
	assert_int_equal(pvh_place_area(ram, 2, busy, 1, 0x100000, 0, &pa), -EINVAL);
	assert_int_equal(pvh_place_area(ram, 2, busy, 1, 0x100000, 0x1000, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_magic_accepted),
		cmocka_unit_test(test_bad_magic_rejected),
		cmocka_unit_test(test_qemu_like_map_gives_ram_in_order),
		cmocka_unit_test(test_zero_entries_is_no_ram),
		cmocka_unit_test(test_only_reserved_entries_is_no_ram),
		cmocka_unit_test(test_zero_sized_ram_skipped),
		cmocka_unit_test(test_ram_entry_wrapping_64_bits_rejected),
		cmocka_unit_test(test_absurd_entry_count_rejected),
		cmocka_unit_test(test_more_ram_than_room_keeps_first_and_counts_dropped),
		cmocka_unit_test(test_memmap_where),
		cmocka_unit_test(test_range_checks),
		cmocka_unit_test(test_cmdline_length),
		cmocka_unit_test(test_cmdline_strip_qemu),
		cmocka_unit_test(test_place_area),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
