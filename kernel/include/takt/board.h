/* What the kernel learnt at boot. */
#ifndef TAKT_BOARD_H
#define TAKT_BOARD_H

#include <stdint.h>

const char *tk_board_name(void);	/* the board built for, e.g. "qemu-virt-arm64" */
const char *tk_board_model(void);	/* the DT root's model, or "" */
uint64_t tk_mem_total(void);		/* RAM bytes the DT describes */
uint64_t tk_boot_ns(void);		/* image entry -> main(), in ns */
const void *tk_fdt(void);		/* the validated DTB in use */

/* Power off with status: the QEMU/debugger exit channel, else PSCI. */
__attribute__((noreturn)) void tk_poweroff(int status);
__attribute__((noreturn)) void tk_reset(void);

#endif
