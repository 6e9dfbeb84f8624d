/* POSIX sockets: lwIP's (net/), under the usual names. */
#ifndef TAKT_SYS_SOCKET_H
#define TAKT_SYS_SOCKET_H
#include <lwip/sockets.h>
#endif
