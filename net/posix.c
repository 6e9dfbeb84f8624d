/*
 * lwIP's BSD sockets under the POSIX names (IPv4). Mostly one-line
 * forwards; the checks are for what lwIP takes on trust or answers unlike
 * POSIX: the address family (lwIP ignores it), address lengths, F_SETFL
 * with the access-mode bits F_GETFL returns, a refused connect (lwIP
 * says ECONNRESET), inet_pton's address form. read, write, close and
 * fcntl reach the sockets through the kernel's descriptor table
 * (takt/fd.h), claimed at network start.
 */
#include <errno.h>
#include <stdarg.h>

#include <lwip/netdb.h>
#include <lwip/sockets.h>

#include <takt/fd.h>

#include "config.h"
#include "net_internal.h"

static int fail(int err)
{
	errno = err;
	return -1;
}

static int bad_addr(const struct sockaddr *a, socklen_t len)
{
	if (!a)
		return EFAULT;
	if (len < (socklen_t)sizeof(struct sockaddr_in))
		return EINVAL;
	return a->sa_family == AF_INET || a->sa_family == AF_UNSPEC ? 0 : EAFNOSUPPORT;
}

int socket(int domain, int type, int protocol)
{
	if (domain != AF_INET)
		return fail(EAFNOSUPPORT);
	return lwip_socket(domain, type, protocol);
}

int bind(int s, const struct sockaddr *addr, socklen_t len)
{
	int e = bad_addr(addr, len);

	return e ? fail(e) : lwip_bind(s, addr, len);
}

int connect(int s, const struct sockaddr *addr, socklen_t len)
{
	int e = bad_addr(addr, len);

	if (e)
		return fail(e);
	if (lwip_connect(s, addr, len) == 0)
		return 0;
	if (errno == ECONNRESET)	/* a RST answering the SYN */
		errno = ECONNREFUSED;
	return -1;
}

int listen(int s, int backlog) { return lwip_listen(s, backlog); }
int accept(int s, struct sockaddr *a, socklen_t *l) { return lwip_accept(s, a, l); }
int shutdown(int s, int how) { return lwip_shutdown(s, how); }
ssize_t send(int s, const void *b, size_t n, int f) { return lwip_send(s, b, n, f); }
ssize_t recv(int s, void *b, size_t n, int f) { return lwip_recv(s, b, n, f); }
ssize_t sendmsg(int s, const struct msghdr *m, int f) { return lwip_sendmsg(s, m, f); }
ssize_t recvmsg(int s, struct msghdr *m, int f) { return lwip_recvmsg(s, m, f); }
int getpeername(int s, struct sockaddr *a, socklen_t *l) { return lwip_getpeername(s, a, l); }
int getsockname(int s, struct sockaddr *a, socklen_t *l) { return lwip_getsockname(s, a, l); }

ssize_t sendto(int s, const void *b, size_t n, int f, const struct sockaddr *to, socklen_t tl)
{
	int e = to ? bad_addr(to, tl) : 0;

	return e ? fail(e) : lwip_sendto(s, b, n, f, to, tl);
}

ssize_t recvfrom(int s, void *b, size_t n, int f, struct sockaddr *from, socklen_t *fl)
{
	return lwip_recvfrom(s, b, n, f, from, fl);
}

int getsockopt(int s, int level, int name, void *val, socklen_t *len)
{
	return lwip_getsockopt(s, level, name, val, len);
}

int setsockopt(int s, int level, int name, const void *val, socklen_t len)
{
	return lwip_setsockopt(s, level, name, val, len);
}

int select(int n, fd_set *r, fd_set *w, fd_set *x, struct timeval *t)
{
	return lwip_select(n, r, w, x, t);
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return lwip_poll(fds, n, timeout);
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	return lwip_inet_ntop(af, src, dst, size);
}

/* AF_INET takes the dotted-decimal form only, as POSIX says; lwIP's takes
 * inet_aton's ("127.1", hex, octal). */
int inet_pton(int af, const char *src, void *dst)
{
	if (af != AF_INET)
		return fail(EAFNOSUPPORT);	/* IPv4 only */
	if (!src || !dst)
		return fail(EFAULT);
	return net_parse_ipv4(src, dst) == 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	return lwip_getaddrinfo(node, service, hints, res);
}

void freeaddrinfo(struct addrinfo *res)
{
	lwip_freeaddrinfo(res);
}

struct hostent *gethostbyname(const char *name)
{
	return lwip_gethostbyname(name);
}

const char *gai_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case EAI_NONAME: return "name or service not known";
	case EAI_SERVICE: return "service not supported";
	case EAI_FAIL: return "non-recoverable failure in name resolution";
	case EAI_MEMORY: return "memory allocation failure";
	case EAI_FAMILY: return "address family not supported";
	default: return "unknown getaddrinfo error";
	}
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	return lwip_ioctl(fd, (long)request, arg);
}

/* -- the descriptor table's side: read, write, close, fcntl ----------------- */

static ssize_t sock_read(int fd, void *buf, size_t len)
{
	return lwip_read(fd, buf, len);
}

static ssize_t sock_write(int fd, const void *buf, size_t len)
{
	return lwip_write(fd, buf, len);
}

/* F_SETFL ignores the access mode bits (POSIX); lwIP refuses any bit but
 * O_NONBLOCK, which breaks fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK). */
static int sock_fcntl(int fd, int cmd, int arg)
{
	if (cmd == F_SETFL)
		arg &= O_NONBLOCK;
	return lwip_fcntl(fd, cmd, arg);
}

static const struct tk_fd_ops socket_fds = {
	.read = sock_read,
	.write = sock_write,
	.close = lwip_close,
	.fcntl = sock_fcntl,
};

int net_sockets_register(void)
{
	return tk_fd_register(LWIP_SOCKET_OFFSET, MEMP_NUM_NETCONN, &socket_fds);
}
