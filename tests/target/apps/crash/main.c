/* A load from an address the DT does not name: the MMU leaves it unmapped,
 * so it must end in a crash dump, a PANIC line and a failure status. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)0x7000000000ull;

	printf("crash: reading %p\n", (void *)p);
	printf("crash: read 0x%x (should not get here)\n", (unsigned)*p);
	return 0;
}
