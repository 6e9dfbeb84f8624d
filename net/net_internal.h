/* Shared between the files of net/. */
#ifndef TAKT_NET_INTERNAL_H
#define TAKT_NET_INTERNAL_H

struct netif;
struct tk_netdev;

/* Add nd as lwIP's default interface and start its receive thread. */
int net_netif_add(struct netif *nif, struct tk_netdev *nd, const char *hostname, int prio);
/* Claim the socket descriptors for read/write/close/fcntl (takt/fd.h). */
int net_sockets_register(void);

#endif
