/*
 * The crash record: what the previous boot left when it ended in a crash,
 * kept across a warm reset in a RAM region that the DT reserves:
 *
 *   reserved-memory {
 *       #address-cells = <2>; #size-cells = <2>; ranges;
 *       crash@3f00000 {
 *           compatible = "takt,crash-record";
 *           reg = <0x0 0x3f00000 0x0 0x100000>;   // 64 KiB .. 16 MiB, in RAM
 *       };
 *   };
 *
 * A panic, an unexpected exception or a thread the watchdog supervisor found
 * starved writes the reason, its message and the ELF core (the one the
 * console shows, kernel/crash_core.c) there, with CRCs. The next boot says
 * so on the console ("crash: the previous boot ..."), and keeps it for
 * tk_crash_previous and GET /crash until the next reset; a record with a
 * bad CRC or a bad length is ignored with one line. The bootarg
 * panic=reset makes a panic reset the board after its core (default
 * panic=off: power off with status 1).
 */
#ifndef TAKT_CRASH_H
#define TAKT_CRASH_H

#include <stddef.h>
#include <stdint.h>

enum tk_crash_reason {
	TK_CRASH_PANIC = 1,	/* tk_panic */
	TK_CRASH_FAULT,		/* an unexpected exception */
	TK_CRASH_WATCHDOG,	/* the supervisor found a thread starved */
};

#define TK_CRASH_WHY_MAX 160

struct tk_crash_info {
	unsigned reason;		/* enum tk_crash_reason */
	uint64_t uptime_ns;		/* at the crash, since that boot */
	uint64_t realtime_ns;		/* the wall clock then; 0 if it was not set */
	char why[TK_CRASH_WHY_MAX];	/* the panic message */
	const void *core;		/* the ELF core */
	size_t core_len;		/* its bytes */
	int core_truncated;		/* the region was too small: its start only */
};

/* The previous boot's crash. @retval 0, -ENOENT (none, or a bad record:
 * the boot said why), -ENODEV (no takt,crash-record region), -EINVAL
 * (info NULL) */
int tk_crash_previous(struct tk_crash_info *info);
/* "panic", "fault", "watchdog"; NULL for another value. */
const char *tk_crash_reason_name(unsigned reason);

#endif
