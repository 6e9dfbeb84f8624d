/*
 * Host tool for the target tests: write a copy of a DTB with one defect,
 * found and patched through libfdt so the defect is exactly the one named.
 *   dtb_corrupt IN OUT nameoff NODE PROP  - PROP's name offset points past
 *       the strings block: the header and node walk still look fine (QEMU
 *       accepts and edits the blob) but fdt_check_full() rejects it.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char buf[1 << 21];

static int die(const char *what, int err)
{
	fprintf(stderr, "dtb_corrupt: %s: %s\n", what, err ? fdt_strerror(err) : "failed");
	return 1;
}

int main(int argc, char **argv)
{
	FILE *f;
	size_t n;
	int node, off, len;

	if (argc != 6 || strcmp(argv[3], "nameoff")) {
		fprintf(stderr, "usage: dtb_corrupt IN OUT nameoff NODE PROP\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f)
		return die(argv[1], 0);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (fdt_check_full(buf, n))
		return die("input is not a valid DTB", 0);
	node = fdt_path_offset(buf, argv[4]);
	if (node < 0)
		return die(argv[4], node);
	for (off = fdt_first_property_offset(buf, node); off >= 0;
	     off = fdt_next_property_offset(buf, off)) {
		const char *name;

		fdt_getprop_by_offset(buf, off, &name, &len);
		if (name && !strcmp(name, argv[5]))
			break;
	}
	if (off < 0)
		return die(argv[5], off);
	struct fdt_property *p = (struct fdt_property *)(buf + fdt_off_dt_struct(buf) + off);

	p->nameoff = cpu_to_fdt32(fdt_size_dt_strings(buf) + 0x1000);
	f = fopen(argv[2], "wb");
	if (!f || fwrite(buf, 1, fdt_totalsize(buf), f) != fdt_totalsize(buf))
		return die(argv[2], 0);
	return fclose(f) ? die(argv[2], 0) : 0;
}
