/* getaddrinfo, freeaddrinfo, gethostbyname (lwIP's DNS resolver). */
#ifndef TAKT_NETDB_H
#define TAKT_NETDB_H
#include <lwip/netdb.h>
#endif
