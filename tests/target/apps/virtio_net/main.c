/* virtio-net through virtio-mmio against QEMU's user network: an ARP
 * request for the gateway 10.0.2.2 from 10.0.2.15 gets a reply naming
 * 10.0.2.2 with a unicast MAC. With the argument "none" (QEMU started
 * without a network device) there must be no network device. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/takt.h>
#include <takt/netdev.h>
#include <takt/time.h>

#include "tk_test.h"

static const uint8_t my_ip[4] = { 10, 0, 2, 15 }, gw_ip[4] = { 10, 0, 2, 2 };

static void print_mac(const char *what, const uint8_t *m)
{
	printf("%s %02x:%02x:%02x:%02x:%02x:%02x\n", what, m[0], m[1], m[2], m[3], m[4], m[5]);
}

static size_t arp_request(uint8_t *f, const uint8_t *mac)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;			/* ARP */
	f[14] = 0, f[15] = 1;				/* Ethernet */
	f[16] = 0x08, f[17] = 0x00;			/* IPv4 */
	f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 1;				/* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, my_ip, 4);
	memcpy(f + 38, gw_ip, 4);
	return 60;
}

static bool is_arp_reply_from_gw(const uint8_t *f, int len, const uint8_t *mac)
{
	return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[20] == 0 && f[21] == 2 &&
	       memcmp(f + 28, gw_ip, 4) == 0 && memcmp(f + 38, my_ip, 4) == 0 &&
	       memcmp(f, mac, 6) == 0;
}

/* The ARP reply, lent in the driver's buffer (tk_netdev_recv_frame): other
 * frames are given back as they come. */
static bool lent_arp_reply(struct tk_netdev *nd, const uint8_t *mac, struct tk_netdev_frame *f)
{
	static uint8_t req[60];
	size_t rlen = arp_request(req, mac);

	for (int tries = 0; tries < 5; tries++) {
		uint64_t deadline = tk_now_ns() + 1000000000ull;

		tk_netdev_send(nd, req, rlen);
		while (tk_netdev_recv_frame(nd, f, deadline) == 0) {
			if (is_arp_reply_from_gw(f->data, (int)f->len, mac))
				return true;
			tk_netdev_release(nd, f->token);
		}
	}
	return false;
}

/* Releases the driver must refuse (it says so; the test's EXPECT matches
 * its lines to the pointers printed here): a pointer into the buffer that
 * is not its token, and a second release of one. Had they reached the
 * ring, the device would write past a buffer, or into one twice. */
static void bad_releases(struct tk_netdev *nd, const uint8_t *mac)
{
	struct tk_netdev_frame f;
	static uint8_t buf[1600];
	bool got = lent_arp_reply(nd, mac, &f);

	TK_CHECK("recv_frame_lends_arp_reply", got);
	if (!got)
		return;
	void *bad = (uint8_t *)f.token + 4;

	printf("net: releasing %p, not a token\n", bad);
	tk_netdev_release(nd, bad);
	tk_netdev_release(nd, f.token);
	printf("net: releasing %p again\n", f.token);
	tk_netdev_release(nd, f.token);
	got = false;
	for (int tries = 0; tries < 5 && !got; tries++) {	/* the ring still works */
		static uint8_t req[60];
		uint64_t deadline = tk_now_ns() + 1000000000ull;
		int len;

		tk_netdev_send(nd, req, arp_request(req, mac));
		while (!got && (len = tk_netdev_recv(nd, buf, sizeof(buf), deadline)) >= 0)
			got = is_arp_reply_from_gw(buf, len, mac);
	}
	TK_CHECK("ring_works_after_bad_releases", got);
}

int main(int argc, char **argv)
{
	struct tk_netdev *nd = tk_netdev_get(0);

	if (argc > 1 && strcmp(argv[1], "none") == 0) {
		TK_CHECK("no_netdev_without_device", nd == NULL && tk_netdev_count() == 0);
		TK_CHECK("send_to_null_refused", tk_netdev_send(NULL, "x", 1) == -EINVAL);
		return tk_test_done();
	}
	TK_CHECK("netdev_found", nd != NULL);
	if (!nd)
		return tk_test_done();
	const uint8_t *mac = tk_netdev_mac(nd);

	print_mac("own mac", mac);
	TK_CHECK("link_up", tk_netdev_link_up(nd));
	TK_CHECK("short_frame_refused", tk_netdev_send(nd, "x", 1) == -EINVAL);

	static uint8_t req[60], buf[1600];
	size_t rlen = arp_request(req, mac);
	int got = 0, len = 0, tries;

	/* The request is sent up to 5 times, each followed by up to 1 s of
	 * receiving (frames other than the reply are skipped). */
	for (tries = 0; tries < 5 && !got; tries++) {
		TK_CHECK("arp_request_sent", tk_netdev_send(nd, req, rlen) == 0);
		uint64_t deadline = tk_now_ns() + 1000000000ull;

		while ((len = tk_netdev_recv(nd, buf, sizeof(buf), deadline)) >= 0)
			if (is_arp_reply_from_gw(buf, len, mac)) {
				got = 1;
				break;
			}
	}
	TK_CHECK("arp_reply_received", got);
	if (got) {
		const uint8_t *sha = buf + 22;
		bool unicast = !(sha[0] & 1) && memcmp(sha, "\0\0\0\0\0\0", 6) != 0;

		printf("arp: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x (try %d)\n", sha[0],
		       sha[1], sha[2], sha[3], sha[4], sha[5], tries);
		TK_CHECK("arp_reply_unicast_mac", unicast);
	}
	bad_releases(nd, mac);
	/* Nothing else pending: a past deadline polls once. */
	TK_CHECK("recv_times_out", tk_netdev_recv(nd, buf, sizeof(buf), 0) == -ETIMEDOUT ||
					   tk_netdev_recv(nd, buf, sizeof(buf), 0) == -ETIMEDOUT);
	printf("net: rx %u frames, tx %u frames\n", (unsigned)nd->rx_frames,
	       (unsigned)nd->tx_frames);
	return tk_test_done();
}
