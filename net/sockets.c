/*
 * lwIP's BSD sockets as POSIX descriptors: socket() and friends are lwIP's
 * own functions under the POSIX names (LWIP_COMPAT_SOCKETS=2); read, write,
 * close and fcntl reach them through the kernel's descriptor table
 * (takt/fd.h), and ioctl() (FIONBIO, FIONREAD) is here.
 */
#include <stdarg.h>

#include <lwip/sockets.h>

#include <takt/fd.h>

#include "net_internal.h"

static ssize_t sock_read(int fd, void *buf, size_t len)
{
	return lwip_read(fd, buf, len);
}

static ssize_t sock_write(int fd, const void *buf, size_t len)
{
	return lwip_write(fd, buf, len);
}

static const struct tk_fd_ops socket_fds = {
	.read = sock_read,
	.write = sock_write,
	.close = closesocket,
	.fcntl = lwip_fcntl,
};

int net_sockets_register(void)
{
	return tk_fd_register(LWIP_SOCKET_OFFSET, MEMP_NUM_NETCONN, &socket_fds);
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	return ioctlsocket(fd, (long)request, arg);
}
