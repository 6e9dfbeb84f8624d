/*
 * Network devices: Ethernet frames in and out, for the TCP/IP stack. A NIC
 * driver registers one struct tk_netdev per interface at probe; the stack
 * (or an application) finds it by index. Frames are whole Ethernet frames
 * (destination MAC first, no FCS). Thread context only.
 *
 * The registry is the kernel's (kernel/netdev.c); NIC drivers register
 * with it: virtio-net (drivers/virtio/), Cadence GEM (drivers/net/).
 */
#ifndef TAKT_NETDEV_H
#define TAKT_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TK_NETDEV_MAX 4
#define TK_ETH_ALEN 6
#define TK_ETH_FRAME_MAX 1514	/* without FCS; VLAN tags not counted */

struct tk_netdev;

/* One piece of a frame handed over in parts (a TCP/IP stack's buffer
 * chain): the driver gathers them straight into its transmit buffer. */
struct tk_netdev_seg {
	const void *data;
	size_t len;
};
#define TK_NETDEV_SEGS_MAX 16

/* A received frame lent by the driver in its own buffer (zero copy): it
 * stays valid, and the buffer off the receive ring, until released. */
struct tk_netdev_frame {
	void *data;
	size_t len;
	void *token;
};

struct tk_netdev_ops {
	int (*sendv)(struct tk_netdev *nd, const struct tk_netdev_seg *seg, unsigned nseg,
		     size_t total);
	int (*recv)(struct tk_netdev *nd, void *buf, size_t len, uint64_t deadline);
	/* optional: zero-copy receive */
	int (*recv_frame)(struct tk_netdev *nd, struct tk_netdev_frame *f, uint64_t deadline);
	void (*release)(struct tk_netdev *nd, void *token);
	bool (*link_up)(struct tk_netdev *nd);
};

struct tk_netdev {
	const struct tk_netdev_ops *ops;
	void *priv;
	const char *name;			/* the DT path of the device */
	uint8_t mac[TK_ETH_ALEN];
	/* counters, updated by the driver */
	uint64_t rx_frames, rx_bytes, rx_dropped;
	uint64_t tx_frames, tx_bytes, tx_errors;
};

/* Called by NIC drivers at probe. @retval index, -ENOSPC */
int tk_netdev_register(struct tk_netdev *nd);

/* Interface index (0 first) or NULL when there is none (-ENODEV). */
struct tk_netdev *tk_netdev_get(int index);
int tk_netdev_count(void);

/* The interface's MAC address (6 bytes). */
const uint8_t *tk_netdev_mac(struct tk_netdev *nd);

/* Queue one frame for transmission (copied; the call returns when it is
 * on the device's queue). @retval 0, -EINVAL (NULL, len < 14),
 * -EMSGSIZE (len > TK_ETH_FRAME_MAX), -EAGAIN (the transmit queue is full) */
int tk_netdev_send(struct tk_netdev *nd, const void *frame, size_t len);
/* The same for a frame in nseg pieces (1..TK_NETDEV_SEGS_MAX, none NULL);
 * their total length is checked as for tk_netdev_send. */
int tk_netdev_sendv(struct tk_netdev *nd, const struct tk_netdev_seg *seg, unsigned nseg);

/* Wait until a frame arrives or the absolute deadline (tk_now_ns() time,
 * TK_FOREVER, or a past time to poll once) passes; copy it to buf.
 * @retval frame length (a frame longer than len is truncated to len),
 * -ETIMEDOUT, -EINVAL */
int tk_netdev_recv(struct tk_netdev *nd, void *buf, size_t len, uint64_t deadline);

/* Wait as tk_netdev_recv, but lend the frame in the driver's buffer
 * instead of copying it; give it back with tk_netdev_release (any thread).
 * Every lent frame is a receive buffer off the ring: hold few.
 * @retval 0, -ETIMEDOUT, -EINVAL, -ENOTSUP (the driver always copies) */
int tk_netdev_recv_frame(struct tk_netdev *nd, struct tk_netdev_frame *f, uint64_t deadline);
void tk_netdev_release(struct tk_netdev *nd, void *token);

/* Link state (true when the device cannot tell). */
bool tk_netdev_link_up(struct tk_netdev *nd);

#endif
