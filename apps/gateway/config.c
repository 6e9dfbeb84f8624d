/*
 * The gateway's settings from the bootargs, checked strictly: a typo that
 * half-parses would publish to the wrong place or at the wrong rate
 * without a word, so each bad value is an error naming the word.
 *
 *   mqtt=[mqtt://|mqtts://]HOST[:PORT]
 *                      broker: dotted quad or DNS name, port 1..65535 (1883;
 *                      8883 with mqtts://, TLS with the server verified)
 *   mqtt.user=U, mqtt.pass=P  1..128 bytes without control characters; the
 *                      password is never printed, not even when it is bad
 *   mqtt.topic=T       1..128 bytes, no wildcards (+ #) or control chars
 *                      (default takt/<net.hostname or "takt">/telemetry)
 *   mqtt.period_ms=N   10..60000 (default 1000)
 *   mqtt.id=ID         1..64 of A-Z a-z 0-9 . _ - (default takt-<MAC[3..5]>)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>	/* inet_pton: dotted quads only */

#include "gateway.h"

static const char *const known_keys[] = { "mqtt", "mqtt.topic", "mqtt.period_ms", "mqtt.id",
					      "mqtt.user", "mqtt.pass" };

static bool is_known(const char *word, size_t keylen)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++) {
		if (strlen(known_keys[i]) == keylen && !strncmp(word, known_keys[i], keylen))
			return true;
	}
	return false;
}

int gw_check_args(int argc, char **argv, char *err, size_t errlen)
{
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t keylen = eq ? (size_t)(eq - argv[i]) : 0;

		if (keylen == 0) {
			snprintf(err, errlen, "unexpected argument '%s'", argv[i]);
			return -EINVAL;
		}
		/* the kernel and net/ read their own words; ours must be known */
		if (!strncmp(argv[i], "mqtt.", 5) && !is_known(argv[i], keylen)) {
			snprintf(err, errlen, "unknown setting '%s'", argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* A whole decimal number in [lo, hi]: digits only, no sign or spaces. */
static int parse_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > hi)
			return -EINVAL;
	}
	if (v < lo)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 1123 names: dot-separated labels of 1..63 letters, digits and '-'
 * (not first or last), 253 bytes at most. */
static int check_dns_name(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > GW_HOST_MAX)
		return -EINVAL;
	for (size_t i = 0; i <= len; i++) {
		char c = s[i];

		if (c == '.' || c == '\0') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return -EINVAL;
			label = 0;
		} else if (is_alnum(c) || (c == '-' && label > 0)) {
			label++;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* All digits and dots means an address: "10.0.2.256" is a typo, not a name. */
static bool looks_numeric(const char *s)
{
	return strspn(s, "0123456789.") == strlen(s);
}

static int parse_broker(struct gw_config *c, const char *arg, char *err, size_t errlen)
{
	const char *v = arg;

	if (!strncmp(v, "mqtts://", 8)) {
		c->tls = true;
		v += 8;
	} else if (!strncmp(v, "mqtt://", 7)) {
		v += 7;
	} else if (strstr(v, "://")) {
		snprintf(err, errlen, "bad mqtt=%s: the scheme is mqtt:// or mqtts://", arg);
		return -EINVAL;
	}

	const char *colon = strchr(v, ':');
	size_t hostlen = colon ? (size_t)(colon - v) : strlen(v);
	uint32_t port = c->tls ? GW_TLS_PORT_DEFAULT : GW_PORT_DEFAULT;

	if (hostlen == 0 || hostlen > GW_HOST_MAX) {
		snprintf(err, errlen, "bad mqtt=%s: [mqtt[s]://]HOST[:PORT] with a host name or "
			 "address", arg);
		return -EINVAL;
	}
	memcpy(c->host, v, hostlen);
	c->host[hostlen] = '\0';
	c->numeric = looks_numeric(c->host);
	if (c->numeric ? inet_pton(AF_INET, c->host, c->addr) != 1 : check_dns_name(c->host)) {
		snprintf(err, errlen, "bad host '%s' in mqtt=%s: an IPv4 address (A.B.C.D) or "
			 "a DNS name", c->host, arg);
		return -EINVAL;
	}
	if (colon && parse_uint(colon + 1, 1, 65535, &port)) {
		snprintf(err, errlen, "bad port '%s' in mqtt=%s: a number in 1..65535", colon + 1, arg);
		return -EINVAL;
	}
	c->port = (uint16_t)port;
	return 0;
}

/* MQTT 3.1.1 section 4.7: wildcards only in filters, never in a PUBLISH's
 * topic; control characters "should not" be used. */
static int check_topic(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > GW_TOPIC_MAX)
		return -EINVAL;
	for (; *t; t++) {
		if (*t == '+' || *t == '#' || (unsigned char)*t < 0x20 || *t == 0x7f)
			return -EINVAL;
	}
	return 0;
}

/* MQTT 3.1.1 3.1.3.1 promises 1..23 of [0-9a-zA-Z]; brokers (mosquitto)
 * take more, so a little more is allowed: . _ - and up to 64. */
static int check_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > GW_ID_MAX)
		return -EINVAL;
	for (; *id; id++) {
		if (!is_alnum(*id) && *id != '.' && *id != '_' && *id != '-')
			return -EINVAL;
	}
	return 0;
}

static int read_topic(struct gw_config *c, gw_lookup_fn get, char *err, size_t errlen)
{
	const char *v = get("mqtt.topic"), *host = get("net.hostname");

	if (v) {
		if (check_topic(v)) {
			snprintf(err, errlen, "bad mqtt.topic=%s: 1..%d bytes without '+', '#' or "
				 "control characters", v, GW_TOPIC_MAX);
			return -EINVAL;
		}
		strcpy(c->topic, v);
		return 0;
	}
	snprintf(c->topic, sizeof(c->topic), "takt/%s/telemetry", host && *host ? host : "takt");
	if (check_topic(c->topic)) {
		snprintf(err, errlen, "net.hostname=%s does not make a topic: give mqtt.topic=", host);
		return -EINVAL;
	}
	return 0;
}

static int read_id(struct gw_config *c, gw_lookup_fn get, const uint8_t *mac, char *err,
		   size_t errlen)
{
	const char *v = get("mqtt.id");
	static const uint8_t none[6];

	if (!v) {
		mac = mac ? mac : none;
		snprintf(c->id, sizeof(c->id), "takt-%02x%02x%02x", mac[3], mac[4], mac[5]);
		return 0;
	}
	if (check_id(v)) {
		snprintf(err, errlen, "bad mqtt.id=%s: 1..%d of letters, digits, '.', '_', '-'", v,
			 GW_ID_MAX);
		return -EINVAL;
	}
	strcpy(c->id, v);
	return 0;
}

/* 1..GW_CRED_MAX bytes, no control characters (they would not survive
 * a broker's password file either). */
static int check_cred(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > GW_CRED_MAX)
		return -EINVAL;
	for (; *v; v++) {
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return -EINVAL;
	}
	return 0;
}

static int read_creds(struct gw_config *c, gw_lookup_fn get, char *err, size_t errlen)
{
	const char *user = get("mqtt.user"), *pass = get("mqtt.pass");

	if (user && check_cred(user)) {
		snprintf(err, errlen, "bad mqtt.user=%s: 1..%d bytes without control characters",
			 user, GW_CRED_MAX);
		return -EINVAL;
	}
	if (pass && check_cred(pass)) {	/* the value is not shown: it is a secret */
		snprintf(err, errlen, "bad mqtt.pass=: 1..%d bytes without control characters",
			 GW_CRED_MAX);
		return -EINVAL;
	}
	if (pass && !user) {	/* MQTT 3.1.1 3.1.2.9: no password without a user name */
		snprintf(err, errlen, "mqtt.pass= needs mqtt.user=");
		return -EINVAL;
	}
	if (user)
		strcpy(c->user, user);
	if (pass)
		strcpy(c->pass, pass);
	return 0;
}

int gw_config_read(struct gw_config *c, gw_lookup_fn get, const uint8_t *mac, char *err,
		   size_t errlen)
{
	const char *broker = get("mqtt"), *period = get("mqtt.period_ms");

	memset(c, 0, sizeof(*c));
	c->period_ms = GW_PERIOD_MS_DEFAULT;
	if (period && parse_uint(period, GW_PERIOD_MS_MIN, GW_PERIOD_MS_MAX, &c->period_ms)) {
		snprintf(err, errlen, "bad mqtt.period_ms=%s: a whole number of ms in %d..%d", period,
			 GW_PERIOD_MS_MIN, GW_PERIOD_MS_MAX);
		return -EINVAL;
	}
	if (read_topic(c, get, err, errlen) || read_id(c, get, mac, err, errlen) ||
	    read_creds(c, get, err, errlen))
		return -EINVAL;
	c->mqtt = broker != NULL;
	return broker ? parse_broker(c, broker, err, errlen) : 0;
}
