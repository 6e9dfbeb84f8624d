/*
 * lwIP's compiler/platform header for Takt: newlib's types, errno, fcntl
 * flags and struct timeval (so sockets agree with POSIX code on O_NONBLOCK
 * and F_GETFL), byte swaps by the compiler, diagnostics to the kernel log
 * and failed assertions as a PANIC that names the place.
 */
#ifndef TAKT_LWIP_ARCH_CC_H
#define TAKT_LWIP_ARCH_CC_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/types.h>

#include <takt/log.h>

#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX	/* tells lwIP that <unistd.h> has ssize_t */
#endif

#define LWIP_PLATFORM_DIAG(x)	do { tk_printk x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)	tk_panic("lwIP assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

#define lwip_htons(x)		__builtin_bswap16(x)
#define lwip_htonl(x)		__builtin_bswap32(x)

/* Debian's port patch reads the sockaddr length through these (lwIP's
 * own sockaddr has sa_len). */
#define IP4ADDR_SOCKADDR_SET_LEN(sin)	((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6)	((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr)	((addr)->sa.sa_len)

#endif
