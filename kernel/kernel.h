/* Functions shared between kernel files; not part of the public API. */
#ifndef TAKT_KERNEL_H
#define TAKT_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

/* boot.c: from the arch entry code, MMU on; see arch_mmu_early(). */
__attribute__((noreturn)) void kernel_start(const void *loader_dtb, uintptr_t x0);

/* console.c (the console device and its transmit ring; log.c formats) */
void log_set_stdout_node(int node);
bool log_has_console(void);
/* The end (panic, power-off, reset): interrupts masked for good, what the
 * transmit ring holds sent polled, and every later write polled. */
void console_flush(void);
/* No console bound: the boot buffer to the debug channel. */
void console_debug_dump(void);

/* device.c: probe every enabled node with a linked driver, level by level. */
void device_probe_all(const void *fdt);

/* thread.c: the boot context becomes thread "main"; the scheduler starts. */
void thread_boot(void);

/* time.c */
void time_init(void);

/* boot.c: the heap handed to newlib's _sbrk. */
extern uintptr_t heap_start, heap_end;

#endif
