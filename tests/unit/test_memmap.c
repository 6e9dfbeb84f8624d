/*
 * kernel/memmap.c: region arithmetic (merge, split, wrap, capacity) and the
 * memory map built from /memory, /memreserve/ and /reserved-memory.
 */
#include <errno.h>

#include "fixture.h"

#include "memmap.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

/* Build a map from (base, size) pairs, checking each add succeeds. */
static void map_of(struct tk_memmap *m, int n, const uint64_t *pairs)
{
	tk_memmap_init(m);
	for (int i = 0; i < n; i++)
		assert_int_equal(tk_memmap_add(m, pairs[2 * i], pairs[2 * i + 1]), 0);
}

/* The map holds exactly these (base, size) pairs, in order. */
static void assert_map(const struct tk_memmap *m, int n, const uint64_t *pairs)
{
	assert_int_equal(m->n, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(m->r[i].base, pairs[2 * i]);
		assert_int_equal(m->r[i].size, pairs[2 * i + 1]);
	}
}

#define MAP_OF(m, ...)                                                                             \
	do {                                                                                       \
		static const uint64_t p_[] = { __VA_ARGS__ };                                      \
		map_of((m), (int)(sizeof(p_) / sizeof(p_[0]) / 2), p_);                            \
	} while (0)
#define ASSERT_MAP(m, ...)                                                                         \
	do {                                                                                       \
		static const uint64_t p_[] = { __VA_ARGS__ };                                      \
		assert_map((m), (int)(sizeof(p_) / sizeof(p_[0]) / 2), p_);                        \
	} while (0)

/* A full map of TK_MEMMAP_MAX 1 MiB regions with 1 MiB holes between. */
static void fill(struct tk_memmap *m)
{
	tk_memmap_init(m);
	for (int i = 0; i < TK_MEMMAP_MAX; i++)
		assert_int_equal(tk_memmap_add(m, (uint64_t)i * 2 * MiB, MiB), 0);
}

static void test_add_keeps_disjoint_regions_sorted(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x5000, 0x1000, 0x1000, 0x1000, 0x3000, 0x100);
	ASSERT_MAP(&m, 0x1000, 0x1000, 0x3000, 0x100, 0x5000, 0x1000);
	assert_int_equal(tk_memmap_total(&m), 0x2100);
}

static void test_add_merges_overlapping_regions(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x2000, 0x2000, 0x2000);
	ASSERT_MAP(&m, 0x1000, 0x3000);
	assert_int_equal(tk_memmap_add(&m, 0x1800, 0x100), 0); /* inside: no change */
	ASSERT_MAP(&m, 0x1000, 0x3000);
	assert_int_equal(tk_memmap_add(&m, 0x0, 0x8000), 0); /* covers it */
	ASSERT_MAP(&m, 0x0, 0x8000);
}

static void test_add_merges_adjacent_regions(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000, 0x2000, 0x1000, 0x0, 0x1000);
	ASSERT_MAP(&m, 0x0, 0x3000);
}

static void test_add_bridges_several_regions(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000, 0x3000, 0x1000, 0x5000, 0x1000, 0x9000, 0x1000);
	assert_int_equal(tk_memmap_add(&m, 0x1800, 0x4000), 0);
	ASSERT_MAP(&m, 0x1000, 0x5000, 0x9000, 0x1000);
}

static void test_add_ignores_zero_size(void **state)
{
	struct tk_memmap m;

	(void)state;
	tk_memmap_init(&m);
	assert_int_equal(tk_memmap_add(&m, 0x1000, 0), 0);
	assert_int_equal(m.n, 0);
}

static void test_add_rejects_wraparound(void **state)
{
	struct tk_memmap m;

	(void)state;
	tk_memmap_init(&m);
	assert_int_equal(tk_memmap_add(&m, UINT64_MAX - 0xfff, 0x1000), -EOVERFLOW);
	assert_int_equal(tk_memmap_add(&m, 1, UINT64_MAX), -EOVERFLOW);
	assert_int_equal(m.n, 0);
	assert_int_equal(tk_memmap_add(&m, UINT64_MAX - 0xfff, 0xfff), 0); /* ends at 2^64-1 */
	assert_int_equal(m.n, 1);
}

static void test_add_to_full_map_returns_enospc_unchanged(void **state)
{
	struct tk_memmap m, before;

	(void)state;
	fill(&m);
	before = m;
	assert_int_equal(tk_memmap_add(&m, 64 * GiB, MiB), -ENOSPC);
	assert_memory_equal(&m, &before, sizeof(m));
	/* A merge needs no new slot, so it still works when full. */
	assert_int_equal(tk_memmap_add(&m, MiB, MiB), 0);
	assert_int_equal(m.n, TK_MEMMAP_MAX - 1);
	assert_int_equal(m.r[0].size, 3 * MiB);
}

static void test_remove_splits_region_in_middle(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x9000);
	assert_int_equal(tk_memmap_remove(&m, 0x4000, 0x1000), 0);
	ASSERT_MAP(&m, 0x1000, 0x3000, 0x5000, 0x5000);
}

static void test_remove_trims_both_edges(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x9000);
	assert_int_equal(tk_memmap_remove(&m, 0x0, 0x2000), 0);  /* overlaps the start */
	assert_int_equal(tk_memmap_remove(&m, 0x9000, 0x8000), 0); /* overlaps the end */
	ASSERT_MAP(&m, 0x2000, 0x7000);
	assert_int_equal(tk_memmap_remove(&m, 0x2000, 0x1000), 0); /* exactly the start */
	assert_int_equal(tk_memmap_remove(&m, 0x8000, 0x1000), 0); /* exactly the end */
	ASSERT_MAP(&m, 0x3000, 0x5000);
}

static void test_remove_spanning_several_regions(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000, 0x3000, 0x1000, 0x5000, 0x1000, 0x7000, 0x1000);
	assert_int_equal(tk_memmap_remove(&m, 0x1800, 0x4000), 0);
	ASSERT_MAP(&m, 0x1000, 0x800, 0x5800, 0x800, 0x7000, 0x1000);
}

static void test_remove_everything_leaves_empty_map(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000, 0x3000, 0x1000);
	assert_int_equal(tk_memmap_remove(&m, 0, UINT64_MAX), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(tk_memmap_total(&m), 0);
	assert_int_equal(tk_memmap_remove(&m, 0x1000, 0x1000), 0); /* from empty: fine */
}

static void test_remove_outside_every_region_changes_nothing(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000);
	assert_int_equal(tk_memmap_remove(&m, 0x2000, 0x1000), 0); /* adjacent, not overlapping */
	assert_int_equal(tk_memmap_remove(&m, 0x5000, 0), 0);
	ASSERT_MAP(&m, 0x1000, 0x1000);
}

static void test_remove_rejects_wraparound(void **state)
{
	struct tk_memmap m;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000);
	assert_int_equal(tk_memmap_remove(&m, 0x1800, UINT64_MAX), -EOVERFLOW);
	ASSERT_MAP(&m, 0x1000, 0x1000);
}

static void test_remove_split_in_full_map_returns_enospc_unchanged(void **state)
{
	struct tk_memmap m, before;

	(void)state;
	fill(&m);
	before = m;
	assert_int_equal(tk_memmap_remove(&m, 4 * MiB + 4096, 4096), -ENOSPC);
	assert_memory_equal(&m, &before, sizeof(m));
	/* Trimming needs no slot and still works. */
	assert_int_equal(tk_memmap_remove(&m, 4 * MiB, 4096), 0);
	assert_int_equal(m.r[2].base, 4 * MiB + 4096);
}

static void test_largest_aligns_base_up(void **state)
{
	struct tk_memmap m;
	struct tk_mem_region r;

	(void)state;
	/* 0x1000+0x5000 is larger, but aligned to 16 KiB it keeps only
	 * 0x4000..0x6000; the aligned 0x10000+0x4000 keeps all of itself. */
	MAP_OF(&m, 0x1000, 0x5000, 0x10000, 0x4000);
	assert_int_equal(tk_memmap_largest(&m, 0x4000, &r), 0);
	assert_int_equal(r.base, 0x10000);
	assert_int_equal(r.size, 0x4000);
	assert_int_equal(tk_memmap_largest(&m, 1, &r), 0);
	assert_int_equal(r.base, 0x1000);
	assert_int_equal(r.size, 0x5000);
	assert_int_equal(tk_memmap_largest(&m, 0, &r), 0); /* 0 means unaligned */
	assert_int_equal(r.base, 0x1000);
}

static void test_largest_returns_enomem_when_alignment_eats_everything(void **state)
{
	struct tk_memmap m;
	struct tk_mem_region r;

	(void)state;
	tk_memmap_init(&m);
	assert_int_equal(tk_memmap_largest(&m, 4096, &r), -ENOMEM);
	MAP_OF(&m, 0x1001, 0xffe, UINT64_MAX - 0x10, 0x10);
	assert_int_equal(tk_memmap_largest(&m, 0x1000, &r), -ENOMEM);
}

static void test_largest_rejects_non_power_of_two_alignment(void **state)
{
	struct tk_memmap m;
	struct tk_mem_region r;

	(void)state;
	MAP_OF(&m, 0x1000, 0x1000);
	assert_int_equal(tk_memmap_largest(&m, 0x3000, &r), -EINVAL);
}

static void test_ram_from_dt_reads_qemu_virt_memory(void **state)
{
	void *fdt = dtb_load("virt");
	struct tk_memmap m;

	(void)state;
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), 0);
	ASSERT_MAP(&m, 0x40000000, 0x10000000);
	assert_int_equal(tk_memmap_reserved_from_dt(fdt, &m), 0); /* nothing reserved */
	ASSERT_MAP(&m, 0x40000000, 0x10000000);
	free(fdt);
}

static void test_ram_from_dt_merges_every_enabled_memory_node(void **state)
{
	void *fdt = dtb_load("memory");
	struct tk_memmap m;

	(void)state;
	/* 0x8000_0000+512M and 0xa000_0000+256M touch; the disabled bank and
	 * the node without device_type are not RAM. */
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), 0);
	ASSERT_MAP(&m, 0x80000000, 0x30000000, 0x100000000, GiB);
	free(fdt);
}

static void test_reserved_from_dt_removes_memreserve_and_reserved_memory(void **state)
{
	void *fdt = dtb_load("memory");
	struct tk_memmap m;

	(void)state;
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), 0);
	assert_int_equal(tk_memmap_reserved_from_dt(fdt, &m), 0);
	ASSERT_MAP(&m,
		   0x80010000, 0x08000000 - 0x10000,  /* after /memreserve/ 0x8000_0000+64K */
		   0x89000000, 0x9ff00000 - 0x89000000, /* after secure@8800_0000+16M */
		   0xa0000000, 0x10000000,             /* /memreserve/ 0x9ff0_0000+1M; disabled off@ kept */
		   0x100000000, 0x3ff00000);           /* framebuffer at the top; cma-pool ignored */
	free(fdt);
}

static void test_ram_from_dt_fails_without_memory_node(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_memmap m;

	(void)state;
	assert_int_equal(fdt_del_node(fdt, dt_node(fdt, "/memory@40000000")), 0);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), -ENOENT);
	assert_error_mentions("no enabled memory node");
	free(fdt);
}

static void test_ram_from_dt_fails_when_memory_is_empty(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_memmap m;

	(void)state;
	set_cells(fdt, "/memory@40000000", "reg", 4, 0, 0x40000000, 0, 0);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), -ENOENT);
	free(fdt);
}

static void test_ram_from_dt_propagates_bad_reg_naming_the_node(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	struct tk_memmap m;

	(void)state;
	set_cells(fdt, "/memory@40000000", "reg", 3, 0, 0x40000000, 0x10000000);
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), -EINVAL);
	assert_error_mentions("/memory@40000000: 'reg' is 12 bytes, not a multiple of 16");
	free(fdt);
}

static void test_ram_from_dt_rejects_more_than_8_entries_a_node(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	fdt32_t cells[9 * 4];
	struct tk_memmap m;

	(void)state;
	for (int i = 0; i < 9; i++) {
		cells[4 * i] = 0;
		cells[4 * i + 1] = cpu_to_fdt32(0x40000000u + (uint32_t)i * 0x2000000u);
		cells[4 * i + 2] = 0;
		cells[4 * i + 3] = cpu_to_fdt32(0x1000000);
	}
	set_bytes(fdt, "/memory@40000000", "reg", cells, sizeof(cells));
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), -E2BIG);
	assert_error_mentions("/memory@40000000: 'reg'");
	free(fdt);
}

static void test_ram_from_dt_reports_too_many_regions(void **state)
{
	void *fdt = dtb_edit(dtb_load("virt"));
	fdt32_t cells[6 * 4];
	struct tk_memmap m;
	char name[32];

	(void)state;
	/* 3 nodes x 6 disjoint banks = 18 > TK_MEMMAP_MAX */
	for (int n = 0; n < 3; n++) {
		int node;

		snprintf(name, sizeof(name), "memory@%x", n + 1);
		node = fdt_add_subnode(fdt, 0, name);
		assert_true(node >= 0);
		for (int i = 0; i < 6; i++) {
			cells[4 * i] = cpu_to_fdt32((uint32_t)n + 1);
			cells[4 * i + 1] = cpu_to_fdt32((uint32_t)i * 0x2000000u);
			cells[4 * i + 2] = 0;
			cells[4 * i + 3] = cpu_to_fdt32(0x1000000);
		}
		assert_int_equal(fdt_setprop_string(fdt, node, "device_type", "memory"), 0);
		assert_int_equal(fdt_setprop(fdt, node, "reg", cells, sizeof(cells)), 0);
	}
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), -ENOSPC);
	/* fdt_add_subnode puts each new node first, so memory@1 comes last. */
	assert_error_mentions("/memory@1: adding RAM 'reg': more than 16 memory-map regions");
	free(fdt);
}

static void test_reserved_from_dt_propagates_untranslatable_reg(void **state)
{
	void *fdt = dtb_edit(dtb_load("memory"));
	struct tk_memmap m;

	(void)state;
	del_prop(fdt, "/reserved-memory", "ranges");
	fdt = dtb_seal(fdt);
	assert_int_equal(tk_memmap_ram_from_dt(fdt, &m), 0);
	assert_int_equal(tk_memmap_reserved_from_dt(fdt, &m), -ENXIO);
	assert_error_mentions("/reserved-memory/secure@88000000");
	free(fdt);
}

/* The DMA pool: a 2 MiB-aligned 2 MiB block from the top of the largest
 * region that holds one, removed from the map. */
static void test_carve_top_takes_aligned_block_from_largest_region(void **state)
{
	struct tk_memmap m;
	struct tk_mem_region r;

	(void)state;
	tk_memmap_init(&m);
	assert_int_equal(tk_memmap_add(&m, 0x1000, 0x300000), 0);		/* 3 MiB, small */
	assert_int_equal(tk_memmap_add(&m, 0x40000000, 0x10100000), 0);	/* 257 MiB */
	assert_int_equal(tk_memmap_carve_top(&m, 0x200000, 0x200000, &r), 0);
	assert_int_equal(r.base, 0x50000000 - 0x200000);	/* end 0x50100000 aligned down */
	assert_int_equal(r.size, 0x200000);
	assert_int_equal(tk_memmap_total(&m), 0x300000 + 0x10100000 - 0x200000);
}

static void test_carve_top_refuses_when_no_aligned_block_fits(void **state)
{
	struct tk_memmap m;
	struct tk_mem_region r;

	(void)state;
	tk_memmap_init(&m);
	assert_int_equal(tk_memmap_add(&m, 0x100000, 0x300000), 0);	/* [1 MiB, 4 MiB) */
	assert_int_equal(tk_memmap_carve_top(&m, 0x400000, 0x400000, &r), -ENOMEM);
	assert_int_equal(tk_memmap_total(&m), 0x300000);		/* unchanged */
	assert_int_equal(tk_memmap_carve_top(&m, 0x200000, 0x200000, &r), 0);
	assert_int_equal(r.base, 0x200000);
	assert_int_equal(tk_memmap_carve_top(&m, 0x300000, 0x200000, &r), -EINVAL);
	assert_int_equal(tk_memmap_carve_top(&m, 0x100000, 0x200000, &r), -EINVAL);
	assert_int_equal(tk_memmap_carve_top(&m, 0, 0x200000, &r), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_keeps_disjoint_regions_sorted),
		cmocka_unit_test(test_add_merges_overlapping_regions),
		cmocka_unit_test(test_add_merges_adjacent_regions),
		cmocka_unit_test(test_add_bridges_several_regions),
		cmocka_unit_test(test_add_ignores_zero_size),
		cmocka_unit_test(test_add_rejects_wraparound),
		cmocka_unit_test(test_add_to_full_map_returns_enospc_unchanged),
		cmocka_unit_test(test_remove_splits_region_in_middle),
		cmocka_unit_test(test_remove_trims_both_edges),
		cmocka_unit_test(test_remove_spanning_several_regions),
		cmocka_unit_test(test_remove_everything_leaves_empty_map),
		cmocka_unit_test(test_remove_outside_every_region_changes_nothing),
		cmocka_unit_test(test_remove_rejects_wraparound),
		cmocka_unit_test(test_remove_split_in_full_map_returns_enospc_unchanged),
		cmocka_unit_test(test_largest_aligns_base_up),
		cmocka_unit_test(test_largest_returns_enomem_when_alignment_eats_everything),
		cmocka_unit_test(test_largest_rejects_non_power_of_two_alignment),
		cmocka_unit_test(test_ram_from_dt_reads_qemu_virt_memory),
		cmocka_unit_test(test_ram_from_dt_merges_every_enabled_memory_node),
		cmocka_unit_test(test_reserved_from_dt_removes_memreserve_and_reserved_memory),
		cmocka_unit_test(test_ram_from_dt_fails_without_memory_node),
		cmocka_unit_test(test_ram_from_dt_fails_when_memory_is_empty),
		cmocka_unit_test(test_ram_from_dt_propagates_bad_reg_naming_the_node),
		cmocka_unit_test(test_ram_from_dt_rejects_more_than_8_entries_a_node),
		cmocka_unit_test(test_ram_from_dt_reports_too_many_regions),
		cmocka_unit_test(test_reserved_from_dt_propagates_untranslatable_reg),
		cmocka_unit_test(test_carve_top_takes_aligned_block_from_largest_region),
		cmocka_unit_test(test_carve_top_refuses_when_no_aligned_block_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
