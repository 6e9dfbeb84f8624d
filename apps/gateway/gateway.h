/*
 * apps/gateway, shared between its files: the settings (config.c), the
 * sampler (sampler.c: a deadline thread that takes a sample each period
 * and queues it) and the publisher (publisher.c: a FIFO thread that owns
 * the MQTT client and publishes what the queue holds).
 *
 *   sampler (EDF) --tk_msgq, newest GW_QUEUE_LEN kept--> publisher (FIFO)
 *        \__ tk_sem_give(wake) _______________________________/   ^
 *                      lwIP callbacks (core locked) --------------+
 */
#ifndef GATEWAY_H
#define GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <takt/sync.h>

#define GW_HOST_MAX		253	/* a DNS name's longest text form */
#define GW_TOPIC_MAX		128	/* keeps a PUBLISH well inside lwIP's 1 KiB ring */
#define GW_ID_MAX		64
#define GW_PERIOD_MS_MIN	10
#define GW_PERIOD_MS_MAX	60000
#define GW_PERIOD_MS_DEFAULT	1000
#define GW_PORT_DEFAULT		1883
#define GW_TLS_PORT_DEFAULT	8883	/* mqtts:// (IANA's secure-mqtt) */
#define GW_CRED_MAX		128	/* mqtt.user, mqtt.pass */
#define GW_QUEUE_LEN		32	/* samples kept while the broker is away */
#define GW_LAT_BUCKETS		20	/* latency histogram: 20 x 100 us */
#define GW_LAT_BUCKET_NS	100000u

/* -- settings (config.c: pure logic, no kernel calls) ---------------------- */

struct gw_config {
	bool mqtt;			/* mqtt= given: MQTT on */
	bool tls;			/* mqtts://: TLS, the server verified, never plain */
	char host[GW_HOST_MAX + 1];	/* as given: dotted quad or DNS name */
	bool numeric;			/* host is a dotted quad, in addr */
	uint8_t addr[4];
	uint16_t port;
	char topic[GW_TOPIC_MAX + 1];
	char id[GW_ID_MAX + 1];
	uint32_t period_ms;
	char user[GW_CRED_MAX + 1];	/* "" none: then the build's (gw_tls_creds) */
	char pass[GW_CRED_MAX + 1];	/* a secret: never printed */
};

/* Every argv word after argv[0] must be key=value, and a key under mqtt.
 * one the gateway knows. @retval 0, -EINVAL with a message in err */
int gw_check_args(int argc, char **argv, char *err, size_t errlen);

/* Read and check the settings: get(key) is tk_bootarg; mac (NULL: none)
 * names the default client id. @retval 0, -EINVAL with a message in err */
typedef const char *(*gw_lookup_fn)(const char *key);
int gw_config_read(struct gw_config *c, gw_lookup_fn get, const uint8_t *mac, char *err,
		   size_t errlen);

/* -- sampler (sampler.c) ----------------------------------------------------- */

struct gw_sample {
	uint64_t seq;		/* 0, 1, 2, ... one per period */
	uint64_t t_ns;		/* tk_now_ns() when taken */
	uint64_t latency_ns;	/* t_ns - the period's start */
	uint64_t value;		/* the simulated sensor: gw_sensor_value(seq) */
};

struct gw_sampler {
	uint64_t period_ns;
	uint64_t start_ns;		/* the first period's start (upper bound) */
	struct tk_sem *wake;		/* given after each sample is queued */
	struct tk_msgq q;
	struct gw_sample buf[GW_QUEUE_LEN];
	/* written by the sampler only; read lock-free by the metrics server */
	uint64_t taken;			/* samples taken */
	uint64_t dropped;		/* oldest samples pushed out of a full queue */
	uint64_t lat_counts[GW_LAT_BUCKETS], lat_overflow, lat_sum_ns;
};

/* QEMU has no sensor: a triangle wave 0..1000..0 over 100 samples. */
uint64_t gw_sensor_value(uint64_t seq);

/* Start the deadline thread: a budget of 5 % of period_ms (at least
 * GW_SAMPLER_RUNTIME_NS). A job costs a few us on hardware but 60-90 us
 * under QEMU's TCG, several times that while its code is first translated,
 * and on a loaded host a vCPU descheduled for milliseconds charges that to
 * the job too. An overrun pushes the next job out by as many periods as it
 * overran budgets (CBS, as Linux), so a budget of 500 us let a 3 ms host
 * stall silence the sampler for 600 ms; 5 % keeps the cap and rides that out.
 * @retval 0, -EBUSY (not admitted), -ENOMEM, -EINVAL */
#define GW_SAMPLER_RUNTIME_NS	500000u
#define GW_SAMPLER_SHARE	20u	/* budget = period / 20 */
int gw_sampler_start(struct gw_sampler *s, uint32_t period_ms, struct tk_sem *wake);

/* -- publisher (publisher.c) ------------------------------------------------- */

struct gw_publisher;

/* Allocate the MQTT client and start the FIFO thread at prio (detached;
 * it runs for ever), taking samples from s->q whenever wake is given.
 * Once only. @retval 0, -ENOMEM, -EINVAL */
int gw_publisher_start(struct gw_publisher **out, const struct gw_config *cfg,
		       struct gw_sampler *s, struct tk_sem *wake, int prio);

/* The publisher's counters, for the metrics endpoint. */
struct gw_pub_counters {
	uint64_t published;	/* PUBLISHes the broker's TCP acknowledged (QoS 0) */
	uint64_t connects;	/* CONNACKs accepted */
	uint64_t lost;		/* handed to lwIP, gone with a broken connection */
	uint64_t tls_failed;	/* TLS attempts that did not reach CONNACK, any reason */
	uint64_t tls_rejected;	/* ... because we refused the broker's certificate */
	uint64_t tls_refused;	/* ... because the broker refused us (a fatal alert) */
};

/* -- TLS (tls.c) ---------------------------------------------------------------- */

struct mqtt_connect_client_info_t;
struct mqtt_client_s;
struct tk_tls_status;

/* Put the built-in CA (and our certificate) into info->tls_config, and the
 * build's credential when c has none; prints why it cannot.
 * @retval 0, -ENOTSUP (no TLS or no CA in the build), -ENODEV (no entropy), -ENOMEM */
int gw_tls_init(const struct gw_config *c, struct mqtt_connect_client_info_t *info);

/* Right after mqtt_client_connect, core lock held: check host's name and
 * the chain strictly, recording the outcome in st. @retval 0, -EINVAL, -ENOMEM */
int gw_tls_attach(struct mqtt_client_s *client, const char *host, struct tk_tls_status *st);

/* st in words (tk_tls_status_text); "" when it says nothing went wrong. */
void gw_tls_why(const struct tk_tls_status *st, char *buf, size_t len);
const struct gw_pub_counters *gw_publisher_counters(const struct gw_publisher *p);

#endif
