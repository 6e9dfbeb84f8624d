/*
 * Wall-clock time from NTP (<takt/time.h>): lwIP's SNTP client asks
 * ntp=HOST[:PORT] (an IPv4 address or a DNS name; port 123), or without
 * ntp= the servers DHCP names (option 42), every 64 s once the address is
 * bound; each answer sets the wall clock (kernel/realtime.c). The first one
 * is said on the console with the step it made. A bad ntp= is named and
 * ignored.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwip/apps/sntp.h"
#include "lwip/tcpip.h"

#include <takt/board.h>
#include <takt/log.h>
#include <takt/net.h>
#include <takt/thread.h>
#include <takt/time.h>

#include "syslog_target.h"

uint16_t takt_sntp_port = 123;
static struct syslog_target server;	/* host and port; its tcp flag unused */

void takt_sntp_set_time(uint32_t sec, uint32_t us)
{
	uint64_t ns = (uint64_t)sec * 1000000000u + (uint64_t)us * 1000u;
	struct tk_realtime_state st;
	char when[32], addr[IPADDR_STRLEN_MAX];

	tk_realtime_state(&st);
	if (tk_realtime_set(ns, TK_TIME_SNTP)) {
		tk_printk("sntp: the server's time %lu s is not between 2000 and 2100; ignored\n",
			  (unsigned long)sec);
		return;
	}
	if (st.source == TK_TIME_SNTP)
		return;
	tk_realtime_state(&st);
	tk_realtime_format(ns, when, sizeof(when));
	if (server.host[0])
		tk_printk("sntp: synced to %s: %s (step %ld ms)\n", server.host, when,
			  (long)(st.last_step_ns / 1000000));
	else	/* called by lwIP's client, in the stack's context */
		tk_printk("sntp: synced to %s (DHCP's NTP server): %s (step %ld ms)\n",
			  ipaddr_ntoa_r(sntp_getserver(0), addr, sizeof(addr)), when,
			  (long)(st.last_step_ns / 1000000));
}

static void *sntp_start(void *arg)
{
	(void)arg;
	if (tk_net_wait_bound(TK_FOREVER))
		return 0;	/* no network (said by net.c): no stack to ask with */
	LOCK_TCPIP_CORE();
	sntp_setoperatingmode(SNTP_OPMODE_POLL);
	if (server.host[0])
		sntp_setservername(0, server.host);	/* else DHCP's (net.c asked for them) */
	sntp_init();
	UNLOCK_TCPIP_CORE();
	return 0;
}

static void sntp_boot(void)
{
	const char *v = tk_bootarg("ntp");
	struct tk_thread_attr a = { .name = "sntp", .stack_size = 4096, .detached = true };
	tk_thread_t *t;
	char err[96];

	if (v && (strchr(v, '/') || syslog_parse_target(v, &server, err, sizeof(err)))) {
		tk_printk("sntp: ntp=%s ignored: %s\n", v, strchr(v, '/') ? "ntp= takes HOST[:PORT]"
			  : err);
		server.host[0] = 0;
		return;		/* a mistyped server must not fall back to DHCP's quietly */
	}
	if (v)
		takt_sntp_port = strchr(v, ':') ? (uint16_t)server.port : 123;	/* not 514 */
	if (tk_thread_create(&t, &a, sntp_start, 0))
		tk_printk("sntp: cannot start\n");
}
TK_INIT(sntp_boot);
