/* TCP_NODELAY, TCP_KEEPIDLE, ... (lwIP's). */
#ifndef TAKT_NETINET_TCP_H
#define TAKT_NETINET_TCP_H
#include <sys/socket.h>
#endif
