/* hello: what the board is, what the kernel found, and the arguments. */
#include <malloc.h>
#include <stdio.h>

#include <takt/takt.h>

int main(int argc, char **argv)
{
	printf("\nTakt hello on %s (%s)\n", tk_board_name(), tk_board_model());
	printf("memory: %lu MiB\n", (unsigned long)(tk_mem_total() >> 20));
	printf("devices: %d bound\n", tk_dev_count());
	for (int i = 0; i < tk_dev_count(); i++)
		printf("  %s -> %s\n", tk_dev_get(i)->path, tk_dev_get(i)->drv->name);
	unsigned long ns = tk_boot_ns();
	printf("boot: entry to main in %lu.%03lu us\n", ns / 1000, ns % 1000);
	/* what the boot took from the heap (stacks, the DT index, devices):
	 * ./takt bench boot adds it to the RAM above the image */
	printf("heap: %lu bytes taken\n", (unsigned long)mallinfo().arena);
	printf("args: %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("  argv[%d] = \"%s\"\n", i, argv[i]);
	return 0;
}
