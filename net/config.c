/*
 * Network settings from the bootargs (net.ip=...) or the board DT's /chosen
 * (takt,net-ip = "..."): parsed strictly, since a mistyped address that
 * half-parses would put the gateway on the wrong network without a word.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

int net_parse_ipv4(const char *s, uint8_t out[4])
{
	uint8_t v[4];

	if (!s)
		return -EINVAL;
	for (int part = 0; part < 4; part++) {
		unsigned n = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			n = n * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || n > 255)
			return -EINVAL;
		v[part] = (uint8_t)n;
		if (part < 3 && *s++ != '.')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	memcpy(out, v, 4);
	return 0;
}

int net_parse_cidr(const char *s, uint8_t addr[4], uint8_t mask[4])
{
	char ip[16];
	const char *slash = s ? strchr(s, '/') : 0;
	unsigned bits = 0, digits = 0;

	if (!slash || (size_t)(slash - s) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = 0;
	for (s = slash + 1; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
		bits = bits * 10 + (unsigned)(*s - '0');
	if (*s || digits == 0 || bits > 32 || net_parse_ipv4(ip, addr))
		return -EINVAL;
	uint32_t m = bits ? 0xffffffffu << (32 - bits) : 0;

	for (int i = 0; i < 4; i++)
		mask[i] = (uint8_t)(m >> (24 - 8 * i));
	return 0;
}

int net_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > hi / 10 || d > hi - v * 10)
			return -EINVAL;	/* not a digit, or past hi (never wrapping) */
		v = v * 10 + d;
	}
	if (v < lo)
		return -EINVAL;
	*out = v;
	return 0;
}

int net_prefix_len(const uint8_t mask[4])
{
	uint32_t m = (uint32_t)mask[0] << 24 | (uint32_t)mask[1] << 16 | (uint32_t)mask[2] << 8 | mask[3];
	int n = 0;

	while (n < 32 && (m & (0x80000000u >> n)))
		n++;
	return n == 32 || (m << n) == 0 ? n : -EINVAL;
}

int net_check_hostname(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > NET_HOSTNAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return -EINVAL;
	}
	return 0;
}

struct source {
	const char *value;
	const char *where;	/* for the message: "net.ip" or "takt,net-ip" */
};

static struct source pick(net_lookup_fn bootarg, net_lookup_fn dt, const char *arg_key,
			  const char *dt_key)
{
	struct source s = { bootarg ? bootarg(arg_key) : 0, arg_key };

	if (!s.value && dt) {
		s.value = dt(dt_key);
		s.where = dt_key;
	}
	return s;
}

static int bad(char *err, unsigned errlen, struct source s, const char *what)
{
	snprintf(err, errlen, "%s \"%s\": %s", s.where, s.value, what);
	return -EINVAL;
}

static int read_addrs(struct net_config *c, net_lookup_fn bootarg, net_lookup_fn dt, char *err,
		      unsigned errlen)
{
	struct source ip = pick(bootarg, dt, "net.ip", "takt,net-ip");
	struct source gw = pick(bootarg, dt, "net.gw", "takt,net-gateway");
	struct source dns = pick(bootarg, dt, "net.dns", "takt,net-dns");

	if (ip.value && net_parse_cidr(ip.value, c->ip, c->mask))
		return bad(err, errlen, ip, "not an IPv4 address/prefix such as 10.0.2.15/24");
	if (gw.value && net_parse_ipv4(gw.value, c->gw))
		return bad(err, errlen, gw, "not an IPv4 address");
	if (dns.value && net_parse_ipv4(dns.value, c->dns))
		return bad(err, errlen, dns, "not an IPv4 address");
	if (gw.value && !ip.value)
		return bad(err, errlen, gw, "a gateway needs a static address (net.ip=)");
	c->have_ip = ip.value != 0;
	c->have_gw = gw.value != 0;
	c->have_dns = dns.value != 0;
	return 0;
}

int net_config_read(struct net_config *c, net_lookup_fn bootarg, net_lookup_fn dt, char *err,
		    unsigned errlen)
{
	struct source off = pick(bootarg, 0, "net", "");
	struct source host = pick(bootarg, dt, "net.hostname", "takt,net-hostname");
	struct source prio = pick(bootarg, 0, "net.prio", "");

	memset(c, 0, sizeof(*c));
	snprintf(c->hostname, sizeof(c->hostname), "takt");
	c->prio = NET_PRIO_DEFAULT;
	if (off.value) {
		if (strcmp(off.value, "off") != 0)
			return bad(err, errlen, off, "the only value is \"off\"");
		c->off = true;
		return 0;
	}
	if (host.value) {
		if (net_check_hostname(host.value))
			return bad(err, errlen, host, "1-63 letters, digits or inner '-'");
		snprintf(c->hostname, sizeof(c->hostname), "%s", host.value);
	}
	if (prio.value) {
		unsigned long p;

		if (net_parse_ulong(prio.value, 1, 99, &p))
			return bad(err, errlen, prio, "a FIFO priority 1..99");
		c->prio = (int)p;
	}
	return read_addrs(c, bootarg, dt, err, errlen);
}
