/*
 * The network (net/: lwIP on the tk_netdev interfaces). Linked when the app
 * asks for it (takt_app(... NET)); it then starts by itself before main():
 * the first network device gets an address by DHCP, or the static one the
 * bootargs or the board DT give, and the stack's threads run at their own
 * fixed priority, below deadline threads, so network load cannot take
 * bandwidth reserved for them.
 *
 * Configuration (bootargs win over the DT's /chosen properties):
 *   net.ip=A.B.C.D/N    takt,net-ip = "A.B.C.D/N"     static address + prefix
 *   net.gw=A.B.C.D      takt,net-gateway = "..."     default gateway
 *   net.dns=A.B.C.D     takt,net-dns = "..."         DNS server (DHCP's otherwise)
 *   net.hostname=NAME   takt,net-hostname = "..."    DHCP host name (default "takt")
 *   net.prio=N                                       FIFO priority 1..99 of the
 *                                                    network threads (default 20)
 *   net=off                                          no network at all
 * A malformed value is reported on the console and the network stays down:
 * tk_net_wait_bound() then returns -EINVAL.
 *
 * Sockets are lwIP's BSD sockets under the POSIX names (<sys/socket.h>,
 * <netinet/in.h>, <arpa/inet.h>, <netdb.h>, <poll.h>, <sys/select.h>);
 * read/write/close/fcntl work on them.
 */
#ifndef TAKT_NET_H
#define TAKT_NET_H

#include <stdbool.h>
#include <stdint.h>

struct tk_net_info {
	uint8_t addr[4], mask[4], gw[4], dns[4];	/* network byte order */
	bool dhcp;		/* from DHCP (false: static) */
	uint64_t bound_ns;	/* tk_now_ns() when the address was bound */
	int prio;		/* the network threads' FIFO priority */
};

/* Wait until the interface has an address or the absolute deadline
 * passes. @retval 0, -ETIMEDOUT, -ENODEV (no network device, or net=off),
 * -EINVAL (bad configuration: see the console) */
int tk_net_wait_bound(uint64_t deadline);

/* The address information once bound. @retval 0, -EAGAIN (not bound
 * yet), -ENODEV, -EINVAL (info NULL or bad configuration) */
int tk_net_info(struct tk_net_info *info);

#endif
