/* Network configuration values, parsed and checked (pure logic, host tested). */
#ifndef TAKT_NET_CONFIG_H
#define TAKT_NET_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#define NET_HOSTNAME_MAX 63
#define NET_PRIO_DEFAULT 20	/* FIFO priority of the network threads */
/* The CPUs the network threads (tcpip, net-rx, the metrics server) live on:
 * CPU 0, where device interrupts go by default, so a frame goes from the
 * NIC's interrupt to lwIP and the server without a cross-CPU wake-up, and
 * the other CPUs are left to the real-time work. */
#define NET_CPU_MASK 1u

struct net_config {
	bool off;		/* net=off */
	bool have_ip, have_gw, have_dns;
	uint8_t ip[4], mask[4], gw[4], dns[4];
	char hostname[NET_HOSTNAME_MAX + 1];
	int prio;
};

/* Dotted quad, each part 0..255 in decimal, nothing else. @retval 0, -EINVAL */
int net_parse_ipv4(const char *s, uint8_t out[4]);
/* "A.B.C.D/N", N 0..32 -> address and mask. @retval 0, -EINVAL */
int net_parse_cidr(const char *s, uint8_t addr[4], uint8_t mask[4]);
/* 1..63 of letters, digits, '-' (not first or last). @retval 0, -EINVAL */
int net_check_hostname(const char *s);
/* A whole decimal number in [lo, hi]: digits only (no sign, space or
 * base prefix), never wrapping. @retval 0, -EINVAL */
int net_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* Mask bits -> prefix length, or -EINVAL when the ones are not contiguous. */
int net_prefix_len(const uint8_t mask[4]);

/* Look a setting up: get(key) gives the bootargs' value or NULL, dt(key)
 * the DT's; bootargs win. On error, a message naming the source and value
 * is written to err (size errlen). @retval 0, -EINVAL */
typedef const char *(*net_lookup_fn)(const char *key);
int net_config_read(struct net_config *c, net_lookup_fn bootarg, net_lookup_fn dt,
		    char *err, unsigned errlen);

#endif
