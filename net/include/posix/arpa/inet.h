/* inet_pton, inet_ntop, inet_addr, inet_ntoa (lwIP's). */
#ifndef TAKT_ARPA_INET_H
#define TAKT_ARPA_INET_H
#include <lwip/sockets.h>
#include <lwip/inet.h>
#endif
