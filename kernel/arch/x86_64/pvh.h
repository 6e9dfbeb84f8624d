/*
 * The PVH boot ABI's data (Xen's public/arch-x86/hvm/start_info.h, as
 * QEMU's PVH loader fills it) and the checks of what a loader passes. The
 * checks are pure functions (no I/O, no asm, no panics) so that the host
 * unit tests (tests/unit/test_pvh.c) can feed them crafted structs; the
 * arch code (boot_x86.c) turns their errors into PANIC lines.
 */
#ifndef TAKT_X86_64_PVH_H
#define TAKT_X86_64_PVH_H

#include <stddef.h>
#include <stdint.h>

#define PVH_MAGIC		0x336ec578	/* start_info.h XEN_HVM_START_MAGIC_VALUE */
#define HVM_MEMMAP_RAM		1		/* E820 type 1: usable RAM */
/* More entries than this is not a memory map but garbage (a real E820 map
 * has tens): the count is rejected before anything is read. */
#define PVH_MEMMAP_MAX		1024
/* Loader data must lie in the identity-mapped 46-bit physical space. */
#define PVH_PA_LIMIT		(1ull << 46)
#define PVH_CMDLINE_MAX		4096

struct hvm_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries, reserved;
};

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};

struct pvh_ram {
	uint64_t addr, size;
};

/* @retval 0 si carries the PVH magic, -EINVAL it does not (or si is NULL) */
int pvh_check_magic(const struct hvm_start_info *si);

/* A loader-given physical range [pa, pa + size) is readable in principle:
 * pa not 0, no 64-bit wrap, below PVH_PA_LIMIT.
 * @retval 0, -EFAULT */
int pvh_check_range(uint64_t pa, uint64_t size);

/* Where the memory map lies: version >= 1 and a non-zero count.
 * @retval 1 a map is present (*bytes = its size), 0 none (version 0 or no
 *         entries: RAM comes from the built-in DTB), -E2BIG count above
 *         PVH_MEMMAP_MAX, -EFAULT its address range is bad */
int pvh_memmap_where(const struct hvm_start_info *si, uint64_t *bytes);

/*
 * The usable RAM of a memory map: type-1 entries, zero-sized ones skipped,
 * in map order, at most max (later ones dropped, counted in *dropped when
 * not NULL). *bad_index (when not NULL) names the entry of an error.
 * @retval number of RAM regions written (>= 1)
 * @retval -ENOENT no usable RAM (no entries, only reserved/zero-sized ones)
 * @retval -EOVERFLOW a RAM entry's addr + size wraps past 2^64
 * @retval -E2BIG n above PVH_MEMMAP_MAX
 * @retval -EINVAL m NULL with n > 0, or out NULL / max < 1
 */
int pvh_ram_regions(const struct hvm_memmap_entry *m, uint32_t n, struct pvh_ram *out,
		    int max, uint32_t *dropped, uint32_t *bad_index);

/*
 * Where boot_x86.c puts its boot area (the DT buffer and the boot's
 * scratch, outside the image): the lowest page-aligned pa >= from such that
 * [pa, pa + size) overlaps none of the loader's ranges busy[0..nbusy)
 * (start_info, the memory map, the command line, a module; zero-sized ones
 * ignored) and, when the loader gave a memory map (n > 0), lies inside one
 * of its RAM regions ram[0..n).
 * @retval 0 (*pa set), -ENOMEM no such place, -EINVAL bad arguments
 */
int pvh_place_area(const struct pvh_ram *ram, int n, const struct pvh_ram *busy, int nbusy,
		   uint64_t from, uint64_t size, uint64_t *pa);

/* The command line's length: a NUL within max bytes.
 * @retval length (0 = empty), -E2BIG not terminated within max, -EINVAL s NULL */
long pvh_cmdline_len(const char *s, size_t max);

/* Copy the command line without the `virtio_mmio.device=...` words QEMU's
 * microvm appends for Linux (Takt takes the devices from fw_cfg's DT), so
 * apps see only the user's arguments. Words are split at spaces and tabs;
 * the rest keeps its spacing. dst gets at most dst_len - 1 chars and a NUL.
 * @retval the length written, -E2BIG (dst too small: dst left empty),
 * -EINVAL (NULL) */
long pvh_cmdline_strip_qemu(char *dst, size_t dst_len, const char *src);
#endif
