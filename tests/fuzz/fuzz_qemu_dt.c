/*
 * QEMU microvm's fw_cfg etc/fdt merged into the kernel's DT, as
 * boot_x86.c merge_qemu_virtio() does it: the input is the fw_cfg file.
 * qemu_fdt_prefix() reads its 40-byte header and says how many bytes to
 * read, the copy's totalsize is set to that, and qemu_dt_merge_virtio()
 * merges it into a writable copy of the kernel's microvm DT (the unit
 * tests' fixture). Then qemu_dt_merge_cpus() with a CPU count from the
 * input. A merge that succeeds must leave a DT that passes
 * tk_dt_validate() with exactly the slots it reported.
 */
#include <errno.h>

#include <libfdt.h>

#include <takt/dt.h>

#include "fuzz_common.h"
#include "qemu_dt.h"

#define FDT_BUF_SIZE	(64 * 1024)	/* boot_x86.c's */
#define QEMU_FDT_SIZE	(16 * 1024)

/* The kernel's DT opened into a boot_x86.c-sized buffer, once. */
static uint8_t pristine[FDT_BUF_SIZE] __attribute__((aligned(8)));
static const uint64_t no_blob[8];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *f = fopen(TAKT_FUZZ_DTB, "rb");
	static uint8_t buf[FDT_BUF_SIZE];

	(void)argc;
	(void)argv;
	if (!f)
		abort();
	size_t len = fread(buf, 1, sizeof(buf), f);

	fclose(f);
	FUZZ_CHECK(tk_dt_validate(buf, len) == 0);
	FUZZ_CHECK(fdt_open_into(buf, pristine, sizeof(pristine)) == 0);
	return 0;
}

static int count_slots(const void *fdt)
{
	int n = 0;

	for (int node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio"); node >= 0;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio"))
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t fdt_buf[FDT_BUF_SIZE] __attribute__((aligned(8)));
	size_t need = 0;

	if (size < sizeof(struct fdt_header))
		return 0;
	(void)tk_dt_index_build(no_blob);	/* forget the last input's blob */
	if (qemu_fdt_prefix(data, sizeof(struct fdt_header), size, QEMU_FDT_SIZE, &need))
		return 0;
	FUZZ_CHECK(need >= sizeof(struct fdt_header) && need <= size && need <= QEMU_FDT_SIZE);
	uint8_t *q = fuzz_copy(data, need);

	fdt_set_totalsize(q, (uint32_t)need);
	memcpy(fdt_buf, pristine, sizeof(fdt_buf));
	int n = qemu_dt_merge_virtio(fdt_buf, q, need);

	if (n >= 0) {
		FUZZ_CHECK(tk_dt_validate(fdt_buf, sizeof(fdt_buf)) == 0);
		FUZZ_CHECK(count_slots(fdt_buf) == n);
		/* the CPU count QEMU reports (fw_cfg's 16 bits), capped as boot does */
		uint32_t cpus = data[size - 1] % (QEMU_DT_MAX_CPUS + 2);

		if (qemu_dt_merge_cpus(fdt_buf, cpus) == 0)
			FUZZ_CHECK(tk_dt_validate(fdt_buf, sizeof(fdt_buf)) == 0);
	} else {
		/* every slot is checked before the kernel's DT is touched */
		FUZZ_CHECK(n == -ENOSPC || memcmp(fdt_buf, pristine, sizeof(fdt_buf)) == 0);
	}
	free(q);
	return 0;
}
