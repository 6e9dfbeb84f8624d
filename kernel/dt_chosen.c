/*
 * /chosen: which node the console is. Kept apart from boot.c so that the
 * host tests run it against the upstream board DTBs (tests/unit/test_boards.c).
 */
#include <errno.h>

#include <takt/dt.h>

int tk_dt_stdout_node(const void *fdt)
{
	int chosen = tk_dt_subnode(fdt, 0, "chosen");
	const char *path;
	int node;

	if (chosen < 0 || tk_dt_prop_str(fdt, chosen, "stdout-path", &path))
		return -ENOENT;
	node = tk_dt_find_node(fdt, path);
	if (node >= 0)
		return node;
	tk_dt_err_begin(fdt, chosen);
	tk_dt_err_str("stdout-path \"");
	tk_dt_err_str(path);
	tk_dt_err_str("\" names no node: the board's console is missing from its DT");
	return -ENODEV;
}
