/* syslog=HOST[:PORT][/udp|/tcp] (net/syslog_target.c): pure parsing, also
 * built for the host unit tests. */
#ifndef TAKT_SYSLOG_TARGET_H
#define TAKT_SYSLOG_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#define SYSLOG_HOST_MAX 63

struct syslog_target {
	char host[SYSLOG_HOST_MAX + 1];	/* an IPv4 address or a DNS name */
	unsigned port;			/* 514 when not given */
	bool tcp;			/* /tcp (RFC 6587 octet counting); else UDP */
};

/* 0, or -EINVAL with err naming the problem. */
int syslog_parse_target(const char *s, struct syslog_target *t, char *err, size_t errlen);

#endif
