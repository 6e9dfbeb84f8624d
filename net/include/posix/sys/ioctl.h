/* ioctl() on sockets: FIONBIO, FIONREAD (net/sockets.c). */
#ifndef TAKT_SYS_IOCTL_H
#define TAKT_SYS_IOCTL_H
#include <lwip/sockets.h>
int ioctl(int fd, unsigned long request, ...);
#endif
