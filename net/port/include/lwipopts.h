/*
 * lwIP options for Takt: the threaded API (NO_SYS=0) with core locking, so
 * sockets calls and received frames take the stack's lock instead of a trip
 * through the tcpip thread's mailbox; IPv4 with DHCP, DNS, TCP, UDP; BSD
 * sockets under the POSIX names. Sizes suit a gateway: a handful of
 * connections, a few hundred KiB of RAM. Anything not set here is lwIP's
 * default (lwip/opt.h).
 */
#ifndef TAKT_LWIPOPTS_H
#define TAKT_LWIPOPTS_H

/* -- OS integration: net/port/sys_arch.c ----------------------------------- */
#define NO_SYS				0
#define SYS_LIGHTWEIGHT_PROT		1	/* masks interrupts for a few instructions */
#define LWIP_TCPIP_CORE_LOCKING		1
#define LWIP_TCPIP_CORE_LOCKING_INPUT	1	/* the receive thread feeds the stack itself */
#define LWIP_NETCONN_SEM_PER_THREAD	0
#define TCPIP_THREAD_NAME		"tcpip"
#define TCPIP_THREAD_STACKSIZE		8192
#define TCPIP_THREAD_PRIO		0	/* unused: every network thread runs at net.prio */
#define TCPIP_MBOX_SIZE			32
#define DEFAULT_THREAD_STACKSIZE	8192
#define DEFAULT_THREAD_PRIO		0
#define DEFAULT_RAW_RECVMBOX_SIZE	8
#define DEFAULT_UDP_RECVMBOX_SIZE	16
#define DEFAULT_TCP_RECVMBOX_SIZE	16
#define DEFAULT_ACCEPTMBOX_SIZE		8
#define LWIP_RAND()			tk_lwip_rand()
#define LWIP_ASSERT_CORE_LOCKED()	tk_lwip_assert_core_locked()
#define LWIP_MARK_TCPIP_THREAD()	tk_lwip_mark_tcpip_thread()

/* -- memory: lwIP's heap is newlib's malloc (thread-safe through Takt's
 * locks); the pools are static, sized below. ---------------------------- */
#define MEM_LIBC_MALLOC			1
#define MEM_ALIGNMENT			8
#define MEMP_NUM_PBUF			32
#define MEMP_NUM_UDP_PCB		8
#define MEMP_NUM_TCP_PCB		16
#define MEMP_NUM_TCP_PCB_LISTEN		4
#define MEMP_NUM_TCP_SEG		64
#define MEMP_NUM_NETBUF			16
#define MEMP_NUM_NETCONN		20	/* = sockets; fds 3..22 fit newlib's FD_SETSIZE 64 */
#define MEMP_NUM_TCPIP_MSG_API		16
#define MEMP_NUM_TCPIP_MSG_INPKT	32
#define MEMP_NUM_SYS_TIMEOUT		(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE			48
#define PBUF_POOL_BUFSIZE		1536	/* one Ethernet frame, so RX lands in one pbuf */
#define LWIP_SUPPORT_CUSTOM_PBUF	1	/* received frames lent in the driver's buffer */

/* -- protocols ------------------------------------------------------------ */
#define LWIP_IPV4			1
#define LWIP_IPV6			0
#define LWIP_ARP			1
/* Queue every packet waiting for an ARP answer, not just the last: the
 * first burst of connections to a peer not yet in the cache (QEMU's
 * gateway, right after DHCP) otherwise lost all SYN-ACKs but one, and each
 * lost one cost the client its 3 s SYN retransmission. Per address as many
 * as the pool holds: lwIP's ARP_QUEUE_LEN (3 by default) dropped the oldest
 * beyond three, and a burst of nine SYNs (wrk's eight connections and a
 * curl, net_isolation) lost five SYN-ACKs to lwIP's 3 s retransmission:
 * over 10 s of wall time under -icount on a loaded host, wrk's timeouts. */
#define ARP_QUEUEING			1
#define MEMP_NUM_ARP_QUEUE		16
#define ARP_QUEUE_LEN			MEMP_NUM_ARP_QUEUE
#define LWIP_ETHERNET			1
#define LWIP_ICMP			1
#define LWIP_RAW			0
#define LWIP_UDP			1
#define LWIP_TCP			1
#define LWIP_DHCP			1
#define DHCP_DOES_ARP_CHECK		0	/* bound at once: QEMU's DHCP hands out one address */
#define LWIP_DNS			1
#define DNS_MAX_SERVERS			2
#define LWIP_IGMP			0
#define LWIP_AUTOIP			0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define TCP_MSS				1460
#define TCP_WND				(8 * TCP_MSS)
#define TCP_SND_BUF			(8 * TCP_MSS)
#define TCP_SND_QUEUELEN		(4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG		1
#define LWIP_TCP_KEEPALIVE		1
#define SO_REUSE			1
#define LWIP_NETIF_HOSTNAME		1
#define LWIP_NETIF_STATUS_CALLBACK	1
#define LWIP_NETIF_LINK_CALLBACK	1
#define LWIP_NETIF_API			0
#define ETH_PAD_SIZE			0

/* -- sequential APIs: netconn and BSD sockets (POSIX names: net/posix.c) ---- */
#define LWIP_NETCONN			1
#define LWIP_SOCKET			1
#define LWIP_COMPAT_SOCKETS		0	/* the POSIX names are net/posix.c's, which check */
#define LWIP_POSIX_SOCKETS_IO_NAMES	0	/* read/write/close/fcntl: takt/fd.h routes them */
#define LWIP_SOCKET_OFFSET		3	/* after stdin, stdout, stderr */
#define LWIP_SOCKET_SELECT		1
#define LWIP_SOCKET_POLL		1
#define LWIP_SO_RCVTIMEO		1
#define LWIP_SO_SNDTIMEO		1
#define LWIP_SO_RCVBUF			1	/* also what FIONREAD needs on TCP */
#define LWIP_SO_LINGER			0
#define LWIP_TIMEVAL_PRIVATE		0	/* newlib's struct timeval */
#define LWIP_ERRNO_STDINCLUDE		1	/* newlib's per-thread errno */
#define LWIP_DNS_API_DECLARE_STRUCTS	1	/* struct addrinfo, hostent (newlib has none) */
#define LWIP_FIONREAD_LINUXMODE		1

/* -- statistics: the counters /metrics publishes ---------------------------- */
#define LWIP_STATS			1
#define LWIP_STATS_LARGE		1	/* 32-bit counters: 16-bit ones wrap within a minute of load */
#define LWIP_STATS_DISPLAY		0
#define LINK_STATS			1
#define IP_STATS			1
#define TCP_STATS			1
#define UDP_STATS			1
#define ICMP_STATS			0
#define MEM_STATS			0	/* the heap is malloc's: mallinfo says it */
#define MEMP_STATS			1
#define SYS_STATS			0
#define ETHARP_STATS			0
#define IPFRAG_STATS			0

/* -- altcp: the layered TCP API that lets lwIP's MQTT client run over TLS
 * (src/apps/altcp_tls with mbedTLS, built only for takt_app(... TLS)). On
 * for every app because lwIP is compiled once per board (the kernel
 * library) and LWIP_ALTCP_TLS changes struct mqtt_connect_client_info_t:
 * the library and the app must agree. An app without TLS links
 * net/altcp_tls_none.c (altcp_tls_wrap refuses) and pays only the altcp
 * dispatch (altcp.c, altcp_tcp.c) when it uses MQTT, and the pool below. -- */
#define LWIP_ALTCP			1
#define LWIP_ALTCP_TLS			1
#define LWIP_ALTCP_TLS_MBEDTLS		1
#define MEMP_NUM_ALTCP_PCB		8	/* two per TLS connection (TLS + TCP), one per plain */

/* -- MQTT client (src/apps/mqtt), linked only when an app asks for it ------- */
#define MQTT_OUTPUT_RINGBUF_SIZE	1024
#define MQTT_VAR_HEADER_BUFFER_LEN	256
#define MQTT_REQ_MAX_IN_FLIGHT		8

/* -- SNTP client (src/apps/sntp; net/sntp.c starts it and takes its time) -- */
#define SNTP_SERVER_DNS			1
#define SNTP_SET_SYSTEM_TIME_US(sec, us)	takt_sntp_set_time((sec), (us))
#define SNTP_PORT			takt_sntp_port	/* ntp=HOST:PORT */
#define SNTP_UPDATE_DELAY		64000	/* ms between polls once synced */
#define SNTP_STARTUP_DELAY		0	/* ask as soon as the address is bound */
#define LWIP_DHCP_GET_NTP_SRV		1	/* DHCP option 42: the servers when no ntp= */

/* LWIP_DEBUG (defined at all = on) prints lwIP's own debug messages; its
 * assertions stay on regardless (arch/cc.h: a PANIC naming the place). */

#include <takt_lwip_port.h>

#endif
