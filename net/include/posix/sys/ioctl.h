/* ioctl() on sockets: FIONBIO, FIONREAD (net/posix.c). */
#ifndef TAKT_SYS_IOCTL_H
#define TAKT_SYS_IOCTL_H
#include <sys/socket.h>
int ioctl(int fd, unsigned long request, ...);
#endif
