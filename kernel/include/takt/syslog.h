/*
 * Remote syslog (net/syslog.c), for apps linked with the network: the
 * bootarg syslog=HOST[:PORT][/udp|/tcp] sends every log message
 * (<takt/log.h>: tk_log, and kernel lines) as RFC 5424 to HOST: over UDP
 * one datagram each, or over TCP with octet-counting framing (RFC 6587),
 * reconnecting with backoff (0.1 s doubling to 5 s) and resending what it
 * held when the connection broke. Messages wait in a 32 KiB queue until the
 * network is up and the collector reachable; when it is full a message
 * waits up to 2 s for room, then is dropped and counted. Each message
 * carries its log sequence number as structured data [takt@32473 seq="N"].
 * A bad syslog= is named on the console and ignored.
 */
#ifndef TAKT_SYSLOG_H
#define TAKT_SYSLOG_H

#include <stdbool.h>
#include <stdint.h>

struct tk_syslog_stats {
	bool configured;	/* syslog= given and valid */
	bool connected;		/* TCP: a connection is up; UDP: the socket is */
	uint64_t queued;	/* messages taken into the queue */
	uint64_t sent;		/* handed to the socket (resends not counted) */
	uint64_t resent;	/* sent again after a reconnect */
	uint64_t dropped;	/* no room in the queue for 2 s */
	uint64_t reconnects;	/* TCP connections after the first */
};
void tk_syslog_stats(struct tk_syslog_stats *st);
/* Wait until every message queued so far was sent. 0, -ETIMEDOUT, -ENODEV
 * (no syslog= target). */
int tk_syslog_flush(uint64_t deadline);

#endif
