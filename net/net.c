/*
 * Network start-up (takt/net.h): before main(), when the app links the
 * network, read the settings (net/config.c), start lwIP's tcpip thread,
 * attach the first network device and get its address by DHCP or set the
 * static one; "net: net0 bound ..." is printed once there is an address.
 */
#include <errno.h>
#include <string.h>

#include <lwip/dhcp.h>
#include <lwip/apps/sntp.h>
#include <lwip/dns.h>
#include <lwip/ip4_addr.h>
#include <lwip/netif.h>
#include <lwip/tcpip.h>

#include <takt/board.h>
#include <takt/dt.h>
#include <takt/log.h>
#include <takt/net.h>
#include <takt/netdev.h>
#include <takt/sync.h>
#include <takt/time.h>

#include "config.h"
#include "net_internal.h"

enum { STARTING = 1, BOUND = 2 };

static struct {
	struct tk_mutex lock;	/* all-zero is a ready mutex/condvar */
	struct tk_cond changed;
	int state;		/* 0 not started, STARTING, BOUND or a negative errno */
	struct tk_net_info info;
	struct net_config cfg;
	struct netif nif;
	uint64_t start_ns;
} net;

static void set_state(int state)
{
	tk_mutex_lock(&net.lock, TK_FOREVER);
	net.state = state;
	tk_cond_broadcast(&net.changed);
	tk_mutex_unlock(&net.lock);
}

int tk_net_wait_bound(uint64_t deadline)
{
	int ret;

	tk_mutex_lock(&net.lock, TK_FOREVER);
	while (net.state == STARTING || net.state == 0) {
		if (tk_cond_wait(&net.changed, &net.lock, deadline))
			break;
	}
	ret = net.state == BOUND ? 0 : net.state < 0 ? net.state : -ETIMEDOUT;
	tk_mutex_unlock(&net.lock);
	return ret;
}

int tk_net_info(struct tk_net_info *info)
{
	int ret;

	if (!info)
		return -EINVAL;
	tk_mutex_lock(&net.lock, TK_FOREVER);
	ret = net.state == BOUND ? 0 : net.state < 0 ? net.state : -EAGAIN;
	if (!ret)
		*info = net.info;
	tk_mutex_unlock(&net.lock);
	return ret;
}

static void copy4(uint8_t out[4], const ip4_addr_t *a)
{
	memcpy(out, &a->addr, 4);	/* lwIP keeps network byte order */
}

/* lwIP calls this, core locked, when the interface's address changes. */
static void status_changed(struct netif *nif)
{
	const ip4_addr_t *ip = netif_ip4_addr(nif);
	char a[16], g[16], d[16];

	if (ip4_addr_isany(ip) || net.state == BOUND)
		return;
	if (net.cfg.have_dns) {
		ip_addr_t dns;

		IP_ADDR4(&dns, net.cfg.dns[0], net.cfg.dns[1], net.cfg.dns[2], net.cfg.dns[3]);
		dns_setserver(0, &dns);	/* the configured server wins over DHCP's */
	}
	struct tk_net_info *i = &net.info;

	copy4(i->addr, ip);
	copy4(i->mask, netif_ip4_netmask(nif));
	copy4(i->gw, netif_ip4_gw(nif));
	copy4(i->dns, ip_2_ip4(dns_getserver(0)));
	i->dhcp = !net.cfg.have_ip;
	i->bound_ns = tk_now_ns();
	i->prio = net.cfg.prio;
	ip4addr_ntoa_r(ip, a, sizeof(a));
	ip4addr_ntoa_r(netif_ip4_gw(nif), g, sizeof(g));
	ip4addr_ntoa_r(ip_2_ip4(dns_getserver(0)), d, sizeof(d));
	tk_printk("net: net%u bound %s/%d gw %s dns %s (%s, %lu us)\n",
		  nif->num, a, net_prefix_len(i->mask), g, d,
		  i->dhcp ? "dhcp" : "static", (unsigned long)((i->bound_ns - net.start_ns) / 1000));
	set_state(BOUND);
}

static void configure(struct netif *nif)
{
	const struct net_config *c = &net.cfg;

	LOCK_TCPIP_CORE();
	netif_set_status_callback(nif, status_changed);
	if (c->have_ip) {
		ip4_addr_t ip, mask, gw;

		IP4_ADDR(&ip, c->ip[0], c->ip[1], c->ip[2], c->ip[3]);
		IP4_ADDR(&mask, c->mask[0], c->mask[1], c->mask[2], c->mask[3]);
		IP4_ADDR(&gw, c->gw[0], c->gw[1], c->gw[2], c->gw[3]);
		netif_set_addr(nif, &ip, &mask, &gw);	/* calls status_changed */
	} else {
		/* lwIP keeps the answer's NTP servers (option 42) only when this
		 * is set before the answer comes: for net/sntp.c without ntp= */
		sntp_servermode_dhcp(!tk_bootarg("ntp"));
		dhcp_start(nif);
	}
	UNLOCK_TCPIP_CORE();
}

static const char *dt_chosen(const char *key)
{
	const void *fdt = tk_fdt();
	int chosen = tk_dt_subnode(fdt, 0, "chosen");
	const char *v;

	return chosen >= 0 && tk_dt_prop_str(fdt, chosen, key, &v) == 0 ? v : 0;
}

static int start(void)
{
	char err[128];
	struct tk_netdev *nd = tk_netdev_get(0);

	if (net_config_read(&net.cfg, tk_bootarg, dt_chosen, err, sizeof(err))) {
		tk_printk("net: %s; the network stays down\n", err);
		return -EINVAL;
	}
	if (net.cfg.off) {
		tk_printk("net: off (net=off)\n");
		return -ENODEV;
	}
	if (!nd) {
		tk_printk("net: no network device; the network stays down\n");
		return -ENODEV;
	}
	net.start_ns = tk_now_ns();
	tk_lwip_set_prio(net.cfg.prio);
	tcpip_init(0, 0);
	if (net_sockets_register())
		tk_panic("net: the socket descriptors are taken");
	int ret = net_netif_add(&net.nif, nd, net.cfg.hostname, net.cfg.prio);

	if (ret) {
		tk_printk("net: cannot attach %s (%d)\n", nd->name, ret);
		return ret;
	}
	configure(&net.nif);
	return 0;
}

static void net_boot(void)
{
	set_state(STARTING);
	int ret = start();

	if (ret)
		set_state(ret);
}
TK_INIT(net_boot);
