/* inet_pton, inet_ntop (net/posix.c); inet_addr, inet_aton, inet_ntoa (lwIP's macros). */
#ifndef TAKT_ARPA_INET_H
#define TAKT_ARPA_INET_H
#include <netinet/in.h>
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
int inet_pton(int af, const char *src, void *dst);
#endif
