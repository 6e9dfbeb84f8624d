/* Shared between the files of net/. */
#ifndef TAKT_NET_INTERNAL_H
#define TAKT_NET_INTERNAL_H

#include <stdint.h>

struct netif;
struct tk_netdev;

/* Add nd as lwIP's default interface and start its receive thread. */
int net_netif_add(struct netif *nif, struct tk_netdev *nd, const char *hostname, int prio);
/* Frames received in the driver's buffer (zero copy) and copied, so far. */
void net_netif_rx_counts(uint32_t *lent, uint32_t *copied);
/* Claim the socket descriptors for read/write/close/fcntl (takt/fd.h). */
int net_sockets_register(void);

#endif
