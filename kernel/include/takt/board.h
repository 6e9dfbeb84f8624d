/* What the kernel learnt at boot. */
#ifndef TAKT_BOARD_H
#define TAKT_BOARD_H

#include <stdint.h>

const char *tk_board_name(void);	/* the board built for, e.g. "qemu-virt-arm64" */
const char *tk_board_model(void);	/* the DT root's model, or "" */
uint64_t tk_mem_total(void);		/* RAM bytes the DT describes */
uint64_t tk_boot_ns(void);		/* image entry -> main(), in ns */
const void *tk_fdt(void);		/* the validated DTB in use */

/* The value of a `key=value` word of the bootargs ("" for a bare `key`),
 * or NULL when there is none; the last one wins. The words stay in the
 * app's argv too. Valid once main() is near (TK_INIT functions on). */
const char *tk_bootarg(const char *key);

/* TK_INIT(fn): void fn(void) runs in the main thread before main(), after
 * every driver is bound and the scheduler runs (subsystems that start
 * threads of their own: the network). Order between TK_INITs is not fixed. */
typedef void (*tk_init_fn)(void);
#define TK_INIT(fn)                                                            \
	__attribute__((used, section(".takt_init"), aligned(8)))              \
	static const tk_init_fn fn##_init_entry = fn

/* Power off with status: the QEMU/debugger exit channel, else PSCI. */
__attribute__((noreturn)) void tk_poweroff(int status);
__attribute__((noreturn)) void tk_reset(void);

#endif
