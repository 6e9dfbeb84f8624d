/*
 * File descriptors beyond the console. newlib's read/write/close/fcntl
 * land in the kernel's system calls; 0-2 are the console, and a subsystem
 * that hands out descriptors (the network stack's sockets) claims a range
 * above them once at start-up, so ordinary POSIX code can close() a socket.
 */
#ifndef TAKT_FD_H
#define TAKT_FD_H

#include <stddef.h>
#include <sys/types.h>

struct tk_fd_ops {
	ssize_t (*read)(int fd, void *buf, size_t len);
	ssize_t (*write)(int fd, const void *buf, size_t len);
	int (*close)(int fd);
	int (*fcntl)(int fd, int cmd, int arg);
};

/* Route fds [base, base + count) to ops (all four set); one range only.
 * Failures return -1 with errno set, as POSIX. @retval 0, -EINVAL (bad
 * range or ops), -EBUSY (a range is claimed already) */
int tk_fd_register(int base, int count, const struct tk_fd_ops *ops);

#endif
