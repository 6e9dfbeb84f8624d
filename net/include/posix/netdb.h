/* getaddrinfo, freeaddrinfo, gethostbyname (lwIP's DNS resolver, IPv4). */
#ifndef TAKT_NETDB_H
#define TAKT_NETDB_H
#include <lwip/netdb.h>
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
struct hostent *gethostbyname(const char *name);
const char *gai_strerror(int err);
#endif
