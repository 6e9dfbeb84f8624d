/*
 * Host tool for the build: print the compatible strings of every enabled
 * node of a DTB, one per line, so CMake can link only the drivers a board
 * needs. Reads the blob with libfdt.
 */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int enabled(const void *fdt, int node)
{
	const char *s = fdt_getprop(fdt, node, "status", NULL);

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

int main(int argc, char **argv)
{
	static char buf[1 << 21];
	FILE *f;
	size_t n;
	int node = -1;

	if (argc != 2) {
		fprintf(stderr, "usage: dtcompat FILE.dtb\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (fdt_check_full(buf, n)) {
		fprintf(stderr, "dtcompat: %s: not a valid DTB\n", argv[1]);
		return 1;
	}
	while ((node = fdt_next_node(buf, node, NULL)) >= 0) {
		int len, i = 0;
		const char *c;

		if (!enabled(buf, node))
			continue;
		while ((c = fdt_stringlist_get(buf, node, "compatible", i++, &len)))
			printf("%s\n", c);
	}
	return 0;
}
