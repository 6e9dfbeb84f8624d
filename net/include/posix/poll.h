/* poll() and struct pollfd, for sockets. */
#ifndef TAKT_POLL_H
#define TAKT_POLL_H
#include <lwip/sockets.h>
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
#endif
