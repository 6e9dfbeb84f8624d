/*
 * POSIX sockets (IPv4): lwIP's, under the usual names, through net/posix.c,
 * which checks what lwIP takes on trust (the address family, the
 * descriptor range, F_SETFL's flags) and reports errors as POSIX does.
 */
#ifndef TAKT_SYS_SOCKET_H
#define TAKT_SYS_SOCKET_H

#include <lwip/sockets.h>

int socket(int domain, int type, int protocol);
int bind(int s, const struct sockaddr *addr, socklen_t len);
int listen(int s, int backlog);
int accept(int s, struct sockaddr *addr, socklen_t *len);
int connect(int s, const struct sockaddr *addr, socklen_t len);
int shutdown(int s, int how);
ssize_t send(int s, const void *buf, size_t len, int flags);
ssize_t sendto(int s, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen);
ssize_t sendmsg(int s, const struct msghdr *msg, int flags);
ssize_t recv(int s, void *buf, size_t len, int flags);
ssize_t recvfrom(int s, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen);
ssize_t recvmsg(int s, struct msghdr *msg, int flags);
int getsockopt(int s, int level, int name, void *val, socklen_t *len);
int setsockopt(int s, int level, int name, const void *val, socklen_t len);
int getpeername(int s, struct sockaddr *addr, socklen_t *len);
int getsockname(int s, struct sockaddr *addr, socklen_t *len);

#endif
