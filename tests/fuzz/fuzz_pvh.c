/*
 * The PVH start info a loader (QEMU, Firecracker) hands to the x86 entry,
 * read as boot_x86.c reads it: the input is the start info followed by
 * the "guest memory" it points into, which lies at physical GUEST_PA
 * onwards; a range outside the input is memory the harness cannot give
 * (pvh_check_range passes, the loader would have mapped it), so it is not
 * read. Covers pvh_check_magic, pvh_check_range, pvh_memmap_where,
 * pvh_ram_regions, pvh_cmdline_len, pvh_cmdline_strip_qemu, and the split
 * of the result into argv (tk_bootargs_split).
 */
#include <errno.h>

#include "bootargs.h"
#include "fuzz_common.h"
#include "pvh.h"

#define GUEST_PA	0x1000u
#define MAX_RAM		16	/* boot_x86.c's */

/* An exact copy of [pa, pa + len) of the guest memory, or NULL. */
static void *guest(const uint8_t *mem, size_t mem_len, uint64_t pa, uint64_t len)
{
	if (pa < GUEST_PA || pa - GUEST_PA > mem_len || len > mem_len - (pa - GUEST_PA))
		return NULL;
	return fuzz_copy(mem + (pa - GUEST_PA), (size_t)len);
}

static void memmap(const struct hvm_start_info *si, const uint8_t *mem, size_t len)
{
	struct pvh_ram ram[MAX_RAM];
	uint32_t dropped = 0, bad = 0;
	uint64_t bytes = 0;
	int r = pvh_memmap_where(si, &bytes);

	if (r != 1)
		return;
	FUZZ_CHECK(bytes == (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_entry));
	struct hvm_memmap_entry *m = guest(mem, len, si->memmap_paddr, bytes);

	if (!m)
		return;
	int n = pvh_ram_regions(m, si->memmap_entries, ram, MAX_RAM, &dropped, &bad);

	FUZZ_CHECK(n != 0 && n <= MAX_RAM);
	for (int i = 0; i < n; i++)
		FUZZ_CHECK(ram[i].size && ram[i].addr + ram[i].size > ram[i].addr);
	if (n < 0 && n != -ENOENT)
		FUZZ_CHECK(bad < si->memmap_entries);
	free(m);
}

static void cmdline(const struct hvm_start_info *si, const uint8_t *mem, size_t len)
{
	static char args[PVH_CMDLINE_MAX];
	char *argv[65];

	if (!si->cmdline_paddr || pvh_check_range(si->cmdline_paddr, PVH_CMDLINE_MAX))
		return;
	if (si->cmdline_paddr < GUEST_PA || si->cmdline_paddr - GUEST_PA >= len)
		return;
	/* the bytes up to the end of the input: shorter than the kernel's
	 * PVH_CMDLINE_MAX window, so ASan sees a read past the terminator */
	size_t avail = len - (size_t)(si->cmdline_paddr - GUEST_PA);
	char *s = guest(mem, len, si->cmdline_paddr, avail);
	long n = pvh_cmdline_len(s, avail < PVH_CMDLINE_MAX ? avail : PVH_CMDLINE_MAX);

	if (n > 0) {
		long w = pvh_cmdline_strip_qemu(args, sizeof(args), s);

		FUZZ_CHECK(w <= n && (w < 0 || args[w] == '\0'));
		/* no word QEMU appends for Linux survives */
		for (const char *p = args; w > 0 && *p; p += strcspn(p, " \t"), p += strspn(p, " \t"))
			FUZZ_CHECK(strncmp(p, "virtio_mmio.device=", 19) != 0);
		if (w > 0)
			(void)tk_bootargs_split(args, "app", argv, 65);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hvm_start_info *si;

	if (size < sizeof(*si))
		return 0;
	si = fuzz_copy(data, sizeof(*si));
	/* the fuzzer need not find the magic: it is the boot's first check */
	si->magic = PVH_MAGIC;
	FUZZ_CHECK(pvh_check_magic(si) == 0);
	memmap(si, data + sizeof(*si), size - sizeof(*si));
	cmdline(si, data + sizeof(*si), size - sizeof(*si));
	(void)pvh_check_range(si->modlist_paddr, (uint64_t)si->nr_modules * 32);
	(void)pvh_check_range(si->rsdp_paddr, 36);
	free(si);
	return 0;
}
