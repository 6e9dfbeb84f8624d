/* poll() and struct pollfd (lwIP's, sockets only). */
#ifndef TAKT_POLL_H
#define TAKT_POLL_H
#include <lwip/sockets.h>
#endif
