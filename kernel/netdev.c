/* Network device registry and the tk_netdev_* calls (takt/netdev.h), for
 * every NIC driver (virtio-net, Cadence GEM). In the on-demand library: an
 * image links it, and with it the board's NIC drivers, only when the app
 * or the net stack calls one of these (cmake/ondemand.cmake). */
#include <errno.h>

#include <takt/netdev.h>

/* Generated: names each NIC driver of the board; the reference links them. */
extern const void *const tk_netdev_drivers_pull[];
__attribute__((used)) static const void *const *const pull_drivers = tk_netdev_drivers_pull;

static struct tk_netdev *netdevs[TK_NETDEV_MAX];
static int nnetdevs;

int tk_netdev_register(struct tk_netdev *nd)
{
	if (nnetdevs == TK_NETDEV_MAX)
		return -ENOSPC;
	netdevs[nnetdevs] = nd;
	return nnetdevs++;
}

struct tk_netdev *tk_netdev_get(int index)
{
	return (index >= 0 && index < nnetdevs) ? netdevs[index] : 0;
}

int tk_netdev_count(void)
{
	return nnetdevs;
}

const uint8_t *tk_netdev_mac(struct tk_netdev *nd)
{
	return nd ? nd->mac : 0;
}

int tk_netdev_sendv(struct tk_netdev *nd, const struct tk_netdev_seg *seg, unsigned nseg)
{
	size_t total = 0;

	if (!nd || !seg || nseg == 0 || nseg > TK_NETDEV_SEGS_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < nseg; i++) {
		if (!seg[i].data || seg[i].len > TK_ETH_FRAME_MAX)
			return seg[i].data ? -EMSGSIZE : -EINVAL;
		total += seg[i].len;
	}
	if (total < 14)
		return -EINVAL;
	if (total > TK_ETH_FRAME_MAX)
		return -EMSGSIZE;
	return nd->ops->sendv(nd, seg, nseg, total);
}

int tk_netdev_send(struct tk_netdev *nd, const void *frame, size_t len)
{
	struct tk_netdev_seg one = { frame, len };

	return tk_netdev_sendv(nd, &one, 1);
}

int tk_netdev_recv(struct tk_netdev *nd, void *buf, size_t len, uint64_t deadline)
{
	if (!nd || !buf || len == 0)
		return -EINVAL;
	return nd->ops->recv(nd, buf, len, deadline);
}

int tk_netdev_recv_frame(struct tk_netdev *nd, struct tk_netdev_frame *f, uint64_t deadline)
{
	if (!nd || !f)
		return -EINVAL;
	if (!nd->ops->recv_frame || !nd->ops->release)
		return -ENOTSUP;
	return nd->ops->recv_frame(nd, f, deadline);
}

void tk_netdev_release(struct tk_netdev *nd, void *token)
{
	if (nd && token && nd->ops->release)
		nd->ops->release(nd, token);
}

bool tk_netdev_link_up(struct tk_netdev *nd)
{
	return nd && nd->ops->link_up ? nd->ops->link_up(nd) : nd != 0;
}
