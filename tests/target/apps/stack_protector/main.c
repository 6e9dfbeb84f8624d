/* A write past a local array: the stack protector's check as the function
 * returns must end the run with a PANIC naming the thread, not a return
 * through a damaged frame. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>

static __attribute__((noinline)) int smash(size_t n)
{
	char buf[16];

	memset(buf, 'x', n);	/* n from the command line: no compile-time warning */
	__asm__ volatile("" : : "r"(buf) : "memory");
	return buf[0];
}

static void *smasher(void *arg)
{
	printf("stack_protector: writing %u bytes into a 16-byte local\n", (unsigned)(uintptr_t)arg);
	smash((size_t)(uintptr_t)arg);
	printf("stack_protector: returned\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct tk_thread_attr a = { .name = "smasher" };
	size_t n = argc > 1 ? 48 : 16;	/* "smash": past the array; else within it */
	tk_thread_t *t;

	(void)argv;
	if (tk_thread_create(&t, &a, smasher, (void *)(uintptr_t)n))
		return 2;
	tk_thread_join(t, 0);
	printf("stack_protector: done\n");
	return 0;
}
