/*
 * Memory locking (<sys/mman.h>). No paging: all memory is resident, so
 * locking changes nothing and succeeds; bad arguments still fail as on
 * Linux (mm/mlock.c) so a program's error paths behave the same.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

int mlockall(int flags)
{
	/* Linux: no flag, an unknown flag, or MCL_ONFAULT alone is EINVAL. */
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int munlockall(void)
{
	return 0;
}

/* A range that wraps around the address space cannot exist (ENOMEM). */
static int range_ok(const void *addr, size_t len)
{
	if ((uintptr_t)addr + len < (uintptr_t)addr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int mlock(const void *addr, size_t len)
{
	return range_ok(addr, len);
}

int munlock(const void *addr, size_t len)
{
	return range_ok(addr, len);
}
