/*
 * newlib-nano's system calls (built with --disable-newlib-supplied-syscalls):
 * the console for stdout/stderr, the arch counter for time, and power-off
 * for _exit (_sbrk is in heap.c). Descriptors above the console go to the
 * one registered provider (takt/fd.h: the network's sockets).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>

#include <takt/board.h>
#include <takt/fd.h>
#include <takt/log.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "../kernel.h"

#undef errno
extern int errno;

static const struct tk_fd_ops *fd_ops;
static int fd_base, fd_end;

int tk_fd_register(int base, int count, const struct tk_fd_ops *ops)
{
	if (base < 3 || count <= 0 || count > 4096 || base > INT_MAX - count || !ops || !ops->read ||
	    !ops->write || !ops->close || !ops->fcntl)
		return -EINVAL;
	if (fd_ops)
		return -EBUSY;
	fd_base = base;
	fd_end = base + count;
	fd_ops = ops;
	return 0;
}

static const struct tk_fd_ops *provider(int fd)
{
	return fd_ops && fd >= fd_base && fd < fd_end ? fd_ops : 0;
}

int _write(int fd, const char *buf, int len)
{
	const struct tk_fd_ops *p = provider(fd);

	if (p)
		return (int)p->write(fd, buf, len < 0 ? 0 : (size_t)len);
	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	if (len < 0) {
		errno = EINVAL;
		return -1;
	}
	tk_console_write(buf, (size_t)len);
	return len;
}

int _read(int fd, char *buf, int len)
{
	const struct tk_fd_ops *p = provider(fd);

	if (p)
		return (int)p->read(fd, buf, len < 0 ? 0 : (size_t)len);
	if (fd != 0 || len < 0) {
		errno = fd != 0 ? EBADF : EINVAL;
		return -1;
	}
	int n = tk_console_read(buf, (size_t)len, TK_FOREVER);	/* the console's input */

	if (n < 0) {
		errno = n == -ENODEV ? ENOSYS : -n;
		return -1;
	}
	return n;
}

void _exit(int status)
{
	tk_poweroff(status);
}

int _close(int fd)
{
	const struct tk_fd_ops *p = provider(fd);

	if (p)
		return p->close(fd);
	errno = EBADF;
	return -1;
}

/* fcntl() itself: newlib's generic one answers ENOSYS without calling a
 * system call, so this replaces it. */
int fcntl(int fd, int cmd, ...)
{
	const struct tk_fd_ops *p = provider(fd);
	va_list ap;
	int arg;

	va_start(ap, cmd);
	arg = va_arg(ap, int);
	va_end(ap);

	if (p)
		return p->fcntl(fd, cmd, arg);
	errno = fd >= 0 && fd <= 2 ? ENOSYS : EBADF;
	return -1;
}

int _fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;
	return 0;
}

int _isatty(int fd)
{
	return fd >= 0 && fd <= 2;
}

off_t _lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

int _open(const char *path, int flags, int mode)
{
	(void)path;
	(void)flags;
	(void)mode;
	errno = ENOENT;		/* no file system */
	return -1;
}

int _kill(int pid, int sig)
{
	if (pid == 1)
		tk_panic("signal %d raised (abort or assertion failure)", sig);
	errno = ESRCH;
	return -1;
}

int _getpid(void)
{
	return 1;
}

/* The wall clock (kernel/realtime.c): from the epoch at boot until SNTP
 * or clock_settime sets it. */
int _gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	uint64_t ns = tk_realtime_ns();

	tv->tv_sec = (time_t)(ns / 1000000000u);
	tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	return 0;
}

clock_t _times(struct tms *t)
{
	clock_t c = (clock_t)(tk_now_ns() / (1000000000u / CLOCKS_PER_SEC));

	t->tms_utime = c;
	t->tms_stime = t->tms_cutime = t->tms_cstime = 0;
	return c;
}
