/* struct sockaddr_in, INADDR_ANY, IPPROTO_*, htons and friends (lwIP's). */
#ifndef TAKT_NETINET_IN_H
#define TAKT_NETINET_IN_H
#include <sys/socket.h>
#include <lwip/inet.h>
#endif
