/*
 * Checks of the PVH loader's data (see pvh.h). Pure: the host unit tests
 * build this file as it is (tests/unit/test_pvh.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "pvh.h"

int pvh_check_magic(const struct hvm_start_info *si)
{
	return si && si->magic == PVH_MAGIC ? 0 : -EINVAL;
}

int pvh_check_range(uint64_t pa, uint64_t size)
{
	if (pa == 0 || pa >= PVH_PA_LIMIT || size > PVH_PA_LIMIT - pa)
		return -EFAULT;
	return 0;
}

int pvh_memmap_where(const struct hvm_start_info *si, uint64_t *bytes)
{
	if (si->version < 1 || si->memmap_entries == 0)
		return 0;
	if (si->memmap_entries > PVH_MEMMAP_MAX)
		return -E2BIG;
	uint64_t n = (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_entry);

	if (pvh_check_range(si->memmap_paddr, n))
		return -EFAULT;
	*bytes = n;
	return 1;
}

int pvh_ram_regions(const struct hvm_memmap_entry *m, uint32_t n, struct pvh_ram *out,
		    int max, uint32_t *dropped, uint32_t *bad_index)
{
	int k = 0;
	uint32_t drop = 0;

	if (n > PVH_MEMMAP_MAX)
		return -E2BIG;
	if ((n > 0 && !m) || !out || max < 1)
		return -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		if (m[i].type != HVM_MEMMAP_RAM || m[i].size == 0)
			continue;
		if (m[i].addr + m[i].size < m[i].addr) {
			if (bad_index)
				*bad_index = i;
			return -EOVERFLOW;
		}
		if (k == max) {
			drop++;
			continue;
		}
		out[k].addr = m[i].addr;
		out[k].size = m[i].size;
		k++;
	}
	if (dropped)
		*dropped = drop;
	return k ? k : -ENOENT;
}

#define AREA_ALIGN 4096ull

static uint64_t align_up(uint64_t x)
{
	return (x + AREA_ALIGN - 1) & ~(AREA_ALIGN - 1);
}

static bool in_ram(const struct pvh_ram *ram, int n, uint64_t pa, uint64_t size)
{
	for (int i = 0; i < n; i++)
		if (pa >= ram[i].addr && pa - ram[i].addr <= ram[i].size &&
		    size <= ram[i].size - (pa - ram[i].addr))
			return true;
	return n == 0;
}

int pvh_place_area(const struct pvh_ram *ram, int n, const struct pvh_ram *busy, int nbusy,
		   uint64_t from, uint64_t size, uint64_t *pa)
{
	if ((n > 0 && !ram) || (nbusy > 0 && !busy) || n < 0 || nbusy < 0 || !pa || size == 0)
		return -EINVAL;
	uint64_t at = align_up(from);

	/* Each pass moves past one busy range or stops: nbusy + 1 passes. */
	for (int pass = 0; pass <= nbusy; pass++) {
		bool moved = false;

		if (at < from || at >= PVH_PA_LIMIT || size > PVH_PA_LIMIT - at)
			return -ENOMEM;
		for (int i = 0; i < nbusy; i++) {
			const struct pvh_ram *b = &busy[i];

			if (b->size && b->addr < at + size && at < b->addr + b->size) {
				at = align_up(b->addr + b->size);
				moved = true;
			}
		}
		if (!moved)
			return in_ram(ram, n, at, size) ? (*pa = at, 0) : -ENOMEM;
	}
	return -ENOMEM;
}

long pvh_cmdline_len(const char *s, size_t max)
{
	if (!s)
		return -EINVAL;
	for (size_t i = 0; i < max; i++)
		if (!s[i])
			return (long)i;
	return -E2BIG;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

long pvh_cmdline_strip_qemu(char *dst, size_t dst_len, const char *src)
{
	static const char qemu_word[] = "virtio_mmio.device=";
	size_t k = 0;

	if (!dst || !src || dst_len == 0)
		return -EINVAL;
	for (size_t i = 0; src[i];) {
		size_t end = i;

		while (src[end] && !is_space(src[end]))
			end++;
		bool drop = strncmp(src + i, qemu_word, sizeof(qemu_word) - 1) == 0;

		while (src[end] && is_space(src[end]))
			end++;	/* a dropped word takes its trailing blanks along */
		if (!drop) {
			if (k + (end - i) >= dst_len) {
				dst[0] = 0;
				return -E2BIG;
			}
			memcpy(dst + k, src + i, end - i);
			k += end - i;
		}
		i = end;
	}
	while (k && is_space(dst[k - 1]))
		k--;
	dst[k] = 0;
	return (long)k;
}
