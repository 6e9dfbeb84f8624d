/*
 * Sockets under their POSIX names against peers on the host
 * (tests/net/test_sockets.py; addressing cases in test_addressing.py).
 * Bootargs name the peers: echo=IP:PORT (TCP and UDP echo), refused=IP:PORT
 * (nothing listens), name=DNS-NAME (resolves to the echo host), nxname=NAME
 * (does not resolve), listen=PORT (a host client connects, sends a line and
 * expects it back), arpburst=IP:PORT (first of all: ARP_BURST datagrams to a
 * peer not yet in the ARP cache, then an "end" one; the host counts them).
 * Without echo= only the address is printed; with hold the app then stays
 * up (the host toggles the link meanwhile).
 * Exit: 0 all passed, 1 a check failed, 3 the network did not come up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <lwip/pbuf.h>
#include <lwip/tcpip.h>
#include <lwip/udp.h>

#include <takt/board.h>
#include <takt/fd.h>
#include <takt/netdev.h>
#include <takt/net.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "tk_test.h"

#define MSG "hello from takt\n"

static int parse_peer(const char *s, struct sockaddr_in *sa)
{
	char ip[32];
	const char *colon = s ? strchr(s, ':') : 0;

	if (!colon || (size_t)(colon - s) >= sizeof(ip))
		return -1;
	memcpy(ip, s, (size_t)(colon - s));
	ip[colon - s] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

#define ARP_BURST 8	/* > lwIP's default ARP_QUEUE_LEN (3), <= MEMP_NUM_ARP_QUEUE (16) */

static int send_datagram(struct udp_pcb *pcb, const ip_addr_t *dst, uint16_t port,
			 const char *text)
{
	size_t n = strlen(text);
	struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
	err_t e;

	if (!p)
		return -1;
	memcpy(p->payload, text, n);
	e = udp_sendto(pcb, p, dst, port);
	pbuf_free(p);
	return e == ERR_OK ? 0 : -1;
}

/* All ARP_BURST datagrams are sent holding the stack's lock, so all wait
 * for the one ARP answer, which the receive thread cannot take in before
 * the lock is let go: as a burst of SYNs in the receive ring has their
 * SYN-ACKs wait (lwIP's ARP_QUEUE_LEN of 3 dropped all but the last three:
 * net_isolation's wrk timeouts). The "end" datagram, sent after, arrives
 * after every one that went out; the host counts those before it. */
static void test_arp_burst(const struct sockaddr_in *peer)
{
	ip_addr_t dst;
	uint16_t port = ntohs(peer->sin_port);
	int sent = 0;
	char text[16];

	ip_addr_set_ip4_u32(&dst, peer->sin_addr.s_addr);
	LOCK_TCPIP_CORE();
	struct udp_pcb *pcb = udp_new();

	for (int i = 0; pcb && i < ARP_BURST; i++) {
		snprintf(text, sizeof(text), "burst %d", i);
		sent += send_datagram(pcb, &dst, port, text) == 0;
	}
	UNLOCK_TCPIP_CORE();
	TK_CHECK("arp_burst_queued", sent == ARP_BURST);
	LOCK_TCPIP_CORE();
	TK_CHECK("arp_burst_end_sent", pcb && send_datagram(pcb, &dst, port, "end") == 0);
	if (pcb)
		udp_remove(pcb);
	UNLOCK_TCPIP_CORE();
	printf("arp burst: %d datagrams sent\n", sent);
}

/* Send all of buf, read the same number of bytes back. */
static int echo_round(int s, int use_rw)
{
	char back[sizeof(MSG)] = { 0 };
	size_t got = 0, n = strlen(MSG);

	if ((use_rw ? write(s, MSG, n) : send(s, MSG, n, 0)) != (ssize_t)n)
		return -1;
	while (got < n) {
		ssize_t r = use_rw ? read(s, back + got, n - got) : recv(s, back + got, n - got, 0);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return memcmp(back, MSG, n) == 0 ? 0 : -1;
}

static int tcp_connect(const struct sockaddr_in *sa)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		return -1;
	if (connect(s, (const struct sockaddr *)sa, sizeof(*sa)) < 0) {
		int e = errno;

		close(s);
		errno = e;
		return -1;
	}
	return s;
}

static void test_tcp(const struct sockaddr_in *echo)
{
	int s = tcp_connect(echo), one = 1;

	TK_CHECK("tcp_connect", s >= 3);
	TK_CHECK("tcp_nodelay", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0);
	TK_CHECK("tcp_send_recv", echo_round(s, 0) == 0);
	TK_CHECK("tcp_write_read_posix_fd", echo_round(s, 1) == 0);
	TK_CHECK("tcp_close", close(s) == 0);
	TK_CHECK("closed_fd_is_ebadf", send(s, "x", 1, 0) < 0 && errno == EBADF);
}

static void test_udp(const struct sockaddr_in *echo)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct timeval tv = { 5, 0 };
	char buf[64];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);

	TK_CHECK("udp_socket", s >= 3);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	TK_CHECK("udp_sendto", sendto(s, MSG, strlen(MSG), 0, (const struct sockaddr *)echo,
				      sizeof(*echo)) == (ssize_t)strlen(MSG));
	ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);

	TK_CHECK("udp_recvfrom_echo", n == (ssize_t)strlen(MSG) && memcmp(buf, MSG, (size_t)n) == 0);
	TK_CHECK("udp_from_port", from.sin_port == echo->sin_port);
	close(s);
}

/* Non-blocking connect finished by poll(), data waited for by select(). */
static void test_nonblocking(const struct sockaddr_in *echo)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), err = -1;
	socklen_t len = sizeof(err);
	fd_set rd;
	struct timeval tv = { 5, 0 };

	int fl = fcntl(s, F_GETFL, 0);
	int sr = fcntl(s, F_SETFL, fl | O_NONBLOCK);
	TK_CHECK("fcntl_nonblock", fl >= 0 && sr == 0);
	int r = connect(s, (const struct sockaddr *)echo, sizeof(*echo));

	TK_CHECK("nonblocking_connect_in_progress", r == 0 || errno == EINPROGRESS);
	struct pollfd p = { .fd = s, .events = POLLOUT };

	TK_CHECK("poll_writable", poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT));
	TK_CHECK("so_error_zero", getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0);
	TK_CHECK("nonblocking_send", send(s, MSG, strlen(MSG), 0) == (ssize_t)strlen(MSG));
	FD_ZERO(&rd);
	FD_SET(s, &rd);
	TK_CHECK("select_readable", select(s + 1, &rd, 0, 0, &tv) == 1 && FD_ISSET(s, &rd));
	close(s);
}

static void test_refused(const struct sockaddr_in *sa)
{
	int s = tcp_connect(sa);

	TK_CHECK("connect_refused", s < 0 && errno == ECONNREFUSED);
}

static void test_dns(const char *name, const char *nxname, const struct sockaddr_in *echo)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res = 0;
	char port[8];

	snprintf(port, sizeof(port), "%u", ntohs(echo->sin_port));
	int r = getaddrinfo(name, port, &hints, &res);

	TK_CHECK("getaddrinfo_name", r == 0 && res && res->ai_family == AF_INET);
	if (r == 0 && res) {
		struct sockaddr_in *sa = (struct sockaddr_in *)res->ai_addr;
		char ip[16];

		inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip));
		printf("dns: %s is %s\n", name, ip);
		TK_CHECK("getaddrinfo_addr", sa->sin_addr.s_addr == echo->sin_addr.s_addr);
		int s = tcp_connect(sa);

		TK_CHECK("connect_by_name_echo", s >= 0 && echo_round(s, 0) == 0);
		close(s);
		freeaddrinfo(res);
	}
	res = 0;
	TK_CHECK("getaddrinfo_nxdomain", getaddrinfo(nxname, port, &hints, &res) != 0 && !res);
}

/* The kernel and network APIs this issue added refuse bad arguments. */
static void test_api_args(void)
{
	static const struct tk_fd_ops ops = { 0 };
	struct tk_netdev *nd = tk_netdev_get(0);
	struct tk_netdev_seg seg[TK_NETDEV_SEGS_MAX + 1];
	static uint8_t frame[TK_ETH_FRAME_MAX + 1];

	for (unsigned i = 0; i <= TK_NETDEV_SEGS_MAX; i++)
		seg[i] = (struct tk_netdev_seg){ frame, 1 };
	TK_CHECK("fd_register_bad_range", tk_fd_register(0, 4, &ops) == -EINVAL);
	TK_CHECK("fd_register_null_ops", tk_fd_register(40, 4, &ops) == -EINVAL);
	TK_CHECK("fd_register_taken", tk_fd_register(40, 4, &(struct tk_fd_ops){
		(void *)1, (void *)1, (void *)1, (void *)1 }) == -EBUSY);
	TK_CHECK("fd_register_past_int_max", tk_fd_register(INT_MAX - 1, 4, &(struct tk_fd_ops){
		(void *)1, (void *)1, (void *)1, (void *)1 }) == -EINVAL);
	TK_CHECK("sendv_no_segments", tk_netdev_sendv(nd, seg, 0) == -EINVAL);
	TK_CHECK("sendv_too_many_segments", tk_netdev_sendv(nd, seg, TK_NETDEV_SEGS_MAX + 1) == -EINVAL);
	TK_CHECK("sendv_null_piece", tk_netdev_sendv(nd, (struct tk_netdev_seg[]){ { 0, 20 } }, 1) == -EINVAL);
	TK_CHECK("sendv_runt", tk_netdev_sendv(nd, seg, 13) == -EINVAL);
	TK_CHECK("send_oversize", tk_netdev_send(nd, frame, sizeof(frame)) == -EMSGSIZE);
	TK_CHECK("recv_frame_null", tk_netdev_recv_frame(nd, 0, 0) == -EINVAL);
	TK_CHECK("recv_frame_no_device", tk_netdev_recv_frame(0, &(struct tk_netdev_frame){ 0 }, 0) == -EINVAL);
	TK_CHECK("net_info_null", tk_net_info(0) == -EINVAL);
	TK_CHECK("bootarg_null_and_empty", !tk_bootarg(0) && !tk_bootarg(""));
	TK_CHECK("bootarg_prefix_is_not_a_match", !tk_bootarg("ech") && tk_bootarg("echo"));
	struct in_addr a;

	TK_CHECK("inet_pton_dotted_quad", inet_pton(AF_INET, "10.0.2.2", &a) == 1 &&
					     a.s_addr == htonl(0x0a000202));
	TK_CHECK("inet_pton_short_form_refused", inet_pton(AF_INET, "127.1", &a) == 0);
	TK_CHECK("inet_pton_hex_refused", inet_pton(AF_INET, "0x7f.0.0.1", &a) == 0);
	TK_CHECK("inet_pton_ipv6_unsupported", inet_pton(AF_INET6, "::1", &a) == -1 &&
						   errno == EAFNOSUPPORT);
}

static void test_bad_args(void)
{
	TK_CHECK("socket_bad_family", socket(12345, SOCK_STREAM, 0) < 0);
	TK_CHECK("close_unknown_fd", close(21) < 0 && errno == EBADF);
	TK_CHECK("recv_not_a_socket", recv(100, (char[4]){ 0 }, 4, 0) < 0 && errno == EBADF);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	TK_CHECK("bind_null", bind(s, 0, 0) < 0);
	TK_CHECK("connect_short_addr", connect(s, (struct sockaddr *)&(struct sockaddr_in){ 0 }, 2) < 0);
	close(s);
}

static void test_server(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	char line[128];
	ssize_t n;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	TK_CHECK("bind", bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	TK_CHECK("listen", listen(s, 2) == 0);
	printf("listening on %d\n", port);
	fflush(stdout);
	int c = accept(s, 0, 0);

	TK_CHECK("accept", c >= 3);
	n = recv(c, line, sizeof(line), 0);
	TK_CHECK("server_recv", n > 0);
	TK_CHECK("server_send", n > 0 && send(c, line, (size_t)n, 0) == n);
	TK_CHECK("shutdown", shutdown(c, SHUT_WR) == 0);
	/* Wait for the host's close: powering off sooner could cut the reply
	 * off inside QEMU before the host has read it. */
	TK_CHECK("peer_closed", recv(c, line, sizeof(line), 0) == 0);
	close(c);
	close(s);
}

int main(void)
{
	struct tk_net_info info;
	struct sockaddr_in echo, refused;
	int r = tk_net_wait_bound(tk_after_ns(30000000000ull));

	if (r) {
		printf("not bound: %d\n", r);
		return 3;
	}
	tk_net_info(&info);
	printf("address %u.%u.%u.%u (%s), network threads at FIFO %d\n", info.addr[0], info.addr[1],
	       info.addr[2], info.addr[3], info.dhcp ? "dhcp" : "static", info.prio);
	if (parse_peer(tk_bootarg("arpburst"), &echo) == 0)
		test_arp_burst(&echo);
	if (tk_bootarg("hold")) {
		printf("holding\n");
		for (;;)
			tk_sleep_ns(1000000000ull);
	}
	if (parse_peer(tk_bootarg("echo"), &echo))
		return 0;
	test_api_args();
	test_bad_args();
	test_tcp(&echo);
	test_udp(&echo);
	test_nonblocking(&echo);
	if (parse_peer(tk_bootarg("refused"), &refused) == 0)
		test_refused(&refused);
	if (tk_bootarg("name") && tk_bootarg("nxname"))
		test_dns(tk_bootarg("name"), tk_bootarg("nxname"), &echo);
	if (tk_bootarg("listen"))
		test_server(atoi(tk_bootarg("listen")));
	return tk_test_done();
}
