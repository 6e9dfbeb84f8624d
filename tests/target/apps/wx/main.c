/*
 * Memory permissions (W^X, kernel/arch/{arm64,x86_64}/mmu.c): the argument
 * names one forbidden access, which must panic with its reason and status 1:
 *   write_text    a store into this program's code
 *   write_rodata  a store into a const object
 *   exec_heap     a call into code copied to the heap
 *   exec_stack    a call into code copied to the stack
 *   read_null     a load from address 0 (RAM starts at 0 on some boards)
 * With no argument: the allowed accesses (data, heap, stack written; text
 * and rodata read) pass.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <takt/takt.h>

#include "tk_test.h"

static const uint32_t table[4] = { 1, 2, 3, 4 };
static uint32_t counter;

/* A function's first bytes as code to copy: "return" on each arch. */
#if defined(__aarch64__)
static const uint8_t ret_code[] = { 0xc0, 0x03, 0x5f, 0xd6 };	/* ret */
#else
static const uint8_t ret_code[] = { 0xc3 };			/* ret */
#endif

__attribute__((noinline)) static void call_at(void *p)
{
	printf("wx: calling %p\n", p);
	((void (*)(void))p)();
	printf("wx: returned from %p (should not get here)\n", p);
}

__attribute__((noinline)) static void store_at(volatile uint32_t *p)
{
	printf("wx: writing %p\n", (void *)p);
	*p = 0xdeadbeef;
	printf("wx: wrote %p (should not get here)\n", (void *)p);
}

static int allowed(void)
{
	uint32_t local = 7;
	uint32_t *heap = malloc(64);

	counter++;
	local += table[2];
	TK_CHECK("data_written", counter == 1);
	TK_CHECK("stack_written", local == 10);
	TK_CHECK("heap_written", heap && (heap[0] = 5, heap[0] == 5));
	/* text is readable: a function's first instruction word is never 0
	 * (the fault this read would take if it were not is the real check) */
	TK_CHECK("text_read", *(volatile const uint32_t *)(uintptr_t)&call_at != 0);
	TK_CHECK("rodata_read", *(const volatile uint32_t *)&table[3] == 4);	/* a real load */
	free(heap);
	return tk_test_done();
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	uint8_t stack_code[16];

	if (!strcmp(what, "write_text"))
		store_at((volatile uint32_t *)(uintptr_t)&store_at);
	else if (!strcmp(what, "write_rodata"))
		store_at((volatile uint32_t *)(uintptr_t)&table[1]);
	else if (!strcmp(what, "exec_heap")) {
		uint8_t *p = malloc(64);

		memcpy(p, ret_code, sizeof(ret_code));
		call_at(p);
	} else if (!strcmp(what, "exec_stack")) {
		memcpy(stack_code, ret_code, sizeof(ret_code));
		call_at(stack_code);
	} else if (!strcmp(what, "read_null")) {
		printf("wx: reading address 0\n");
		printf("wx: read %u (should not get here)\n", *(volatile uint32_t *)(uintptr_t)0);
	} else
		return allowed();
	return 1;
}
