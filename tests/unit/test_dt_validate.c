/*
 * kernel/dt_validate.c: tk_dt_validate on QEMU's virt DTB and on blobs
 * broken in each way it refuses; each failure asserts the errno and the
 * sentence. The host build also runs libfdt's fdt_check_full on every blob
 * the walk passes and aborts when it disagrees (dt_validate.c).
 */
#include <errno.h>

#include "fixture.h"

#include "dt_impl.h"

static void test_validate_accepts_qemu_virt_dtb(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	assert_int_equal(tk_dt_validate(fdt, fdt_totalsize(fdt)), 0);
	/* The boot path passes SIZE_MAX when the loader did not say. */
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), 0);
	free(fdt);
}

static void test_validate_rejects_null_and_misaligned_pointer(void **state)
{
	void *fdt = dtb_load("virt");
	size_t size = fdt_totalsize(fdt);
	char *shifted = malloc(size + 8);

	(void)state;
	assert_int_equal(tk_dt_validate(NULL, SIZE_MAX), -EFAULT);
	assert_error_mentions("NULL or not 8-byte aligned");
	memcpy(shifted + 4, fdt, size);
	assert_int_equal(tk_dt_validate(shifted + 4, size), -EFAULT);
	free(shifted);
	free(fdt);
}

static void test_validate_rejects_bad_magic(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	fdt_set_magic(fdt, 0xfeedd00d);
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_error_mentions("bad magic");
	assert_error_mentions("0xfeedd00d");
	free(fdt);
}

static void test_validate_rejects_unsupported_version(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	fdt_set_version(fdt, 99);
	fdt_set_last_comp_version(fdt, 99);
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_error_mentions("header rejected");
	free(fdt);
}

static void test_validate_rejects_buffer_smaller_than_header(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	assert_int_equal(tk_dt_validate(fdt, 16), -EBADMSG);
	assert_error_mentions("smaller than a header");
	free(fdt);
}

/* The loader said fewer bytes than the header claims: a truncated blob. */
static void test_validate_rejects_truncated_blob(void **state)
{
	void *full = dtb_load("virt");
	size_t cut = fdt_totalsize(full) - 100;
	void *fdt = malloc(cut);

	(void)state;
	memcpy(fdt, full, cut); /* exact size: a read past cut is an ASan error */
	assert_int_equal(tk_dt_validate(fdt, cut), -E2BIG);
	assert_error_mentions("totalsize");
	free(fdt);
	free(full);
}

static void test_validate_rejects_totalsize_past_buffer(void **state)
{
	void *fdt = dtb_load("virt");
	size_t size = fdt_totalsize(fdt);

	(void)state;
	fdt_set_totalsize(fdt, (uint32_t)size + 4096);
	assert_int_equal(tk_dt_validate(fdt, size), -E2BIG);
	free(fdt);
}

/* Unknown buffer size: the 2 MiB cap must stop us before any read past it. */
static void test_validate_rejects_totalsize_over_limit(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	fdt_set_totalsize(fdt, TK_DT_MAX_SIZE + 8);
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -E2BIG);
	assert_error_mentions("totalsize");
	free(fdt);
}

/* Offset of the first FDT_PROP tag: after the root's BEGIN_NODE and its empty name. */
static uint8_t *first_prop_tag(void *fdt)
{
	uint8_t *tag = (uint8_t *)fdt + fdt_off_dt_struct(fdt) + 8;
	fdt32_t want = cpu_to_fdt32(FDT_PROP);

	assert_memory_equal(tag, &want, 4);
	return tag;
}

static void test_validate_rejects_garbled_structure_tag(void **state)
{
	void *fdt = dtb_load("virt");
	fdt32_t junk = cpu_to_fdt32(0x12345678);

	(void)state;
	memcpy(first_prop_tag(fdt), &junk, 4);
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_error_mentions("an unknown tag, at structure offset: 0x8");
	free(fdt);
}

static void test_validate_rejects_property_running_past_structure(void **state)
{
	void *fdt = dtb_load("virt");
	fdt32_t huge = cpu_to_fdt32(0x10000);

	(void)state;
	memcpy(first_prop_tag(fdt) + 4, &huge, 4); /* the property's length */
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	free(fdt);
}

static void test_validate_rejects_name_offset_past_strings(void **state)
{
	void *fdt = dtb_load("virt");
	fdt32_t far = cpu_to_fdt32(0x7fff0000);

	(void)state;
	memcpy(first_prop_tag(fdt) + 8, &far, 4); /* the property's name offset */
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	free(fdt);
}

/* Found by tests/fuzz/fuzz_dt.c: "/reserved-memory/secur/@88000000" passed
 * fdt_check_full, and its siblings' paths then differed between the node
 * index and libfdt. A '/' in a node name is refused outright. */
static void test_validate_rejects_slash_in_node_name(void **state)
{
	void *fdt = dtb_load("virt");
	int node = fdt_path_offset(fdt, "/timer");
	char *name = (char *)fdt_get_name(fdt, node, NULL);

	(void)state;
	assert_non_null(name);
	name[2] = '/';	/* "ti/er": same length, structure intact */
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_non_null(strstr(tk_dt_last_error(), "node name contains '/'"));
	free(fdt);
}

/* Found by tests/fuzz/fuzz_dt.c: an FDT_NOP before the root passes
 * fdt_check_full, but libfdt's fdt_get_path then fails for every node (it
 * walks from offset 0 expecting the root) where the node index gives one.
 * Refused, as dtc refuses it. */
static void test_validate_rejects_nop_before_root(void **state)
{
	void *blob = dtb_load("virt");
	int size = (int)fdt_totalsize(blob) + 64;
	char *fdt = malloc((size_t)size);
	uint32_t st;
	fdt32_t nop = cpu_to_fdt32(FDT_NOP);

	(void)state;
	assert_int_equal(fdt_open_into(blob, fdt, size), 0);
	assert_int_equal(fdt_pack(fdt), 0);
	st = fdt_off_dt_struct(fdt);
	/* the structure and strings blocks one tag later, a NOP in front */
	memmove(fdt + st + 4, fdt + st, fdt_totalsize(fdt) - st);
	memcpy(fdt + st, &nop, 4);
	fdt_set_size_dt_struct(fdt, fdt_size_dt_struct(fdt) + 4);
	fdt_set_off_dt_strings(fdt, fdt_off_dt_strings(fdt) + 4);
	fdt_set_totalsize(fdt, fdt_totalsize(fdt) + 4);
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);	/* libfdt passes it */
	assert_int_equal(tk_dt_validate(fdt, (size_t)size), -EBADMSG);
	assert_error_mentions("FDT_NOP before the root node");
	free(fdt);
	free(blob);
}

/* A structure block of FDT_END alone passes fdt_check_full: no root node,
 * refused here. */
static void test_validate_rejects_no_root(void **state)
{
	void *fdt = dtb_load("virt");
	fdt32_t end = cpu_to_fdt32(FDT_END);

	(void)state;
	memcpy((char *)fdt + fdt_off_dt_struct(fdt), &end, 4);
	fdt_set_size_dt_struct(fdt, 4);
	assert_int_equal(fdt_check_full(fdt, fdt_totalsize(fdt)), 0);	/* libfdt passes it */
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_error_mentions("no root node");
	free(fdt);
}

/* Found by tests/fuzz/fuzz_dt.c: off_dt_struct 0x39 passed libfdt's header
 * check, and the node index read its properties misaligned (UBSan). */
static void test_validate_rejects_misaligned_structure_block(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	fdt_set_off_dt_struct(fdt, fdt_off_dt_struct(fdt) + 1);
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_non_null(strstr(tk_dt_last_error(), "not 4-byte aligned"));
	free(fdt);
}

/* Found by tests/fuzz/fuzz_dt.c: a property length of 0xfffffff4 wraps
 * the next tag's offset back onto the property itself, and libfdt's
 * fdt_check_full (u-boot's and Debian's) walked it for ever. */
static void test_validate_rejects_wrapping_property_length(void **state)
{
	void *fdt = dtb_load("virt");
	int uart = dt_node(fdt, PL011);
	int off = fdt_first_property_offset(fdt, uart);
	uint8_t *len = (uint8_t *)fdt + fdt_off_dt_struct(fdt) + off + 4;

	(void)state;
	assert_true(off >= 0);
	len[0] = 0xff, len[1] = 0xff, len[2] = 0xff, len[3] = 0xf4;
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_non_null(strstr(tk_dt_last_error(), "runs past the structure block"));
	free(fdt);
}


/* ---- the structure walk against fdt_check_full's rules ---------------- */

static uint8_t *struct_at(void *fdt, uint32_t off)
{
	return (uint8_t *)fdt + fdt_off_dt_struct(fdt) + off;
}

static void set_tag(void *fdt, uint32_t off, uint32_t tag)
{
	fdt32_t v = cpu_to_fdt32(tag);

	memcpy(struct_at(fdt, off), &v, 4);
}

static void expect_refused(void *fdt, const char *why)
{
	assert_int_equal(tk_dt_validate(fdt, SIZE_MAX), -EBADMSG);
	assert_error_mentions(why);
	free(fdt);
}

static void test_validate_rejects_named_root(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	*struct_at(fdt, 4) = 'x';	/* "" -> "x": the padding keeps the layout */
	expect_refused(fdt, "the root node has a name, at structure offset: 0x0");
}

static void test_validate_rejects_end_inside_a_node(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	set_tag(fdt, 8, FDT_END);
	expect_refused(fdt, "FDT_END inside a node, at structure offset: 0x8");
}

static void test_validate_rejects_end_node_outside_a_node(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	set_tag(fdt, 0, FDT_END_NODE);
	expect_refused(fdt, "FDT_END_NODE outside a node, at structure offset: 0x0");
}

/* The last tag, FDT_END, made a NOP: the block ends after the root. */
static void test_validate_rejects_tag_after_root(void **state)
{
	void *fdt = dtb_load("virt");
	uint32_t last = fdt_size_dt_struct(fdt) - 4;

	(void)state;
	assert_int_equal(dt_be32(struct_at(fdt, last)), FDT_END);
	set_tag(fdt, last, FDT_NOP);
	expect_refused(fdt, "a tag after the root node's end");
}

/* fdt_check_full takes a property before the root node; the walk does not. */
static void test_validate_rejects_property_outside_a_node(void **state)
{
	char *fdt = malloc(256);

	(void)state;
	assert_int_equal(fdt_create(fdt, 256), 0);
	assert_int_equal(fdt_finish_reservemap(fdt), 0);
	assert_int_equal(fdt_property_u32(fdt, "stray", 1), 0);
	assert_int_equal(fdt_begin_node(fdt, ""), 0);
	assert_int_equal(fdt_end_node(fdt), 0);
	assert_int_equal(fdt_finish(fdt), 0);
	assert_int_equal(fdt_check_full(fdt, 256), 0);
	expect_refused(fdt, "a property outside a node, at structure offset: 0x0");
}

static void test_validate_rejects_reservation_map_without_end(void **state)
{
	void *fdt = dtb_load("virt");

	(void)state;
	fdt_set_off_mem_rsvmap(fdt, (fdt_totalsize(fdt) & ~7u) - 8);
	expect_refused(fdt, "the memory reservation map has no end inside the blob");
}

/* A name offset inside the strings block whose string runs to its end. */
static void test_validate_rejects_unterminated_property_name(void **state)
{
	void *fdt = dtb_load("virt");
	fdt32_t last = cpu_to_fdt32(fdt_size_dt_strings(fdt) - 1);

	(void)state;
	*((char *)fdt + fdt_off_dt_strings(fdt) + fdt_size_dt_strings(fdt) - 1) = 'x';
	memcpy(first_prop_tag(fdt) + 8, &last, 4);
	expect_refused(fdt, "a property's name is not in the strings block");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_accepts_qemu_virt_dtb),
		cmocka_unit_test(test_validate_rejects_null_and_misaligned_pointer),
		cmocka_unit_test(test_validate_rejects_bad_magic),
		cmocka_unit_test(test_validate_rejects_unsupported_version),
		cmocka_unit_test(test_validate_rejects_buffer_smaller_than_header),
		cmocka_unit_test(test_validate_rejects_truncated_blob),
		cmocka_unit_test(test_validate_rejects_totalsize_past_buffer),
		cmocka_unit_test(test_validate_rejects_totalsize_over_limit),
		cmocka_unit_test(test_validate_rejects_garbled_structure_tag),
		cmocka_unit_test(test_validate_rejects_property_running_past_structure),
		cmocka_unit_test(test_validate_rejects_name_offset_past_strings),
		cmocka_unit_test(test_validate_rejects_slash_in_node_name),
		cmocka_unit_test(test_validate_rejects_nop_before_root),
		cmocka_unit_test(test_validate_rejects_no_root),
		cmocka_unit_test(test_validate_rejects_misaligned_structure_block),
		cmocka_unit_test(test_validate_rejects_wrapping_property_length),
		cmocka_unit_test(test_validate_rejects_named_root),
		cmocka_unit_test(test_validate_rejects_end_inside_a_node),
		cmocka_unit_test(test_validate_rejects_end_node_outside_a_node),
		cmocka_unit_test(test_validate_rejects_tag_after_root),
		cmocka_unit_test(test_validate_rejects_property_outside_a_node),
		cmocka_unit_test(test_validate_rejects_reservation_map_without_end),
		cmocka_unit_test(test_validate_rejects_unterminated_property_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
