/*
 * gateway: MQTT telemetry. A deadline thread takes a sample every
 * mqtt.period_ms (sampler.c); a FIFO thread publishes each one as JSON to
 * the broker the bootargs name, through lwIP's MQTT client, and reconnects
 * with backoff when the broker goes away and comes back (publisher.c).
 * Counters go to the metrics endpoint (takt/metrics.h). See README.md.
 *
 * Exit status: 1 for a bad argument or setting, or when MQTT is asked for
 * but the network cannot come up; otherwise the gateway runs for ever
 * (without mqtt= it only idles, serving the metrics endpoint).
 */
#include <stdio.h>

#include <takt/board.h>
#include <takt/metrics.h>
#include <takt/net.h>
#include <takt/netdev.h>
#include <takt/sync.h>
#include <takt/thread.h>

#include "gateway.h"

static struct gw_config cfg;
static struct gw_sampler sampler;
static struct tk_sem wake;	/* the publisher's: a sample or an lwIP event */

static void usage(void)
{
	printf("usage: bootargs are key=value words (net.* as in takt/net.h, and):\n"
	       "  mqtt=[mqtt://|mqtts://]HOST[:PORT]\n"
	       "                      the broker: IPv4 address or DNS name, port %d by default\n"
	       "                      (%d with mqtts://: TLS, needs a build with --tls-ca);\n"
	       "                      without it MQTT is off\n"
	       "  mqtt.user=U         user name (default: the build's TAKT_TLS_USER, if any)\n"
	       "  mqtt.pass=P         password (never printed)\n"
	       "  mqtt.topic=TOPIC    default takt/<net.hostname or takt>/telemetry\n"
	       "  mqtt.period_ms=N    sample period %d..%d ms (default %d)\n"
	       "  mqtt.id=ID          client id (default takt-<last 3 MAC bytes in hex>)\n",
	       GW_PORT_DEFAULT, GW_TLS_PORT_DEFAULT, GW_PERIOD_MS_MIN, GW_PERIOD_MS_MAX, GW_PERIOD_MS_DEFAULT);
}

static __attribute__((noreturn)) void idle_forever(void)
{
	static TK_SEM_DEFINE(never);

	for (;;)
		tk_sem_take(&never, TK_FOREVER);
}

#ifdef TAKT_METRICS
static const char index_page[] =
	"Takt gateway\n"
	"  /metrics  Prometheus text: threads, memory, network, MQTT, sample latency\n"
	"  /threads  the threads as JSON\n";

static void add_metrics(const struct gw_pub_counters *n)
{
	static struct tk_metrics_value v[] = {
		{ "takt_mqtt_published_total", "Samples published (acknowledged by the broker's TCP)", 1, 0 },
		{ "takt_mqtt_connects_total", "MQTT connections accepted by the broker", 1, 0 },
		{ "takt_mqtt_samples_dropped_total", "Oldest samples pushed out of the full queue", 1, 0 },
		{ "takt_mqtt_samples_lost_total", "Samples in flight when the connection broke", 1, 0 },
		{ "takt_gateway_samples_total", "Samples taken by the sampler", 1, 0 },
		{ "takt_mqtt_tls_failures_total", "MQTT TLS attempts that failed before CONNACK", 1, 0 },
		{ "takt_mqtt_tls_server_rejected_total", "Broker certificates we refused (CA, name, dates)", 1, 0 },
		{ "takt_mqtt_tls_refused_by_server_total", "TLS handshakes the broker refused (an alert)", 1, 0 },
	};
	static const struct tk_metrics_histogram lat = {
		.name = "takt_gateway_sample_latency_seconds",
		.help = "Sampler job start minus its period's start",
		.label = "thread",
		.series = 1,
		.buckets = GW_LAT_BUCKETS,
		.bucket_ns = GW_LAT_BUCKET_NS,
		.counts = sampler.lat_counts,
		.overflow = &sampler.lat_overflow,
		.sum_ns = &sampler.lat_sum_ns,
	};
	int err = tk_metrics_add_histogram(&lat);

	v[0].value = &n->published;
	v[1].value = &n->connects;
	v[2].value = &sampler.dropped;
	v[3].value = &n->lost;
	v[4].value = &sampler.taken;
	v[5].value = &n->tls_failed;
	v[6].value = &n->tls_rejected;
	v[7].value = &n->tls_refused;
	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]) && !err; i++)
		err = tk_metrics_add_value(&v[i]);
	if (err)
		printf("gateway: metrics not registered (%d)\n", err);
}

/* "/" on the metrics server says what else is there (also without MQTT). */
static void add_index_page(void)
{
	int err = tk_metrics_add_page("/", "text/plain; charset=utf-8", index_page,
				      sizeof(index_page) - 1);

	if (err)
		printf("gateway: index page not registered (%d)\n", err);
}
#else
static void add_metrics(const struct gw_pub_counters *n)
{
	(void)n;
}

static void add_index_page(void)
{
}
#endif

static const uint8_t *mac0(void)
{
	struct tk_netdev *nd = tk_netdev_get(0);

	return nd ? tk_netdev_mac(nd) : 0;
}

/* Wait for the network, then start the sampler and the publisher, the
 * publisher one priority below the network threads so the stack it
 * drives is never starved by it. */
static int start(void)
{
	struct tk_net_info info;
	struct gw_publisher *pub;
	int err = tk_net_wait_bound(TK_FOREVER);

	if (err) {
		printf("gateway: the network is down (%d): MQTT cannot run\n", err);
		return err;
	}
	tk_net_info(&info);
	tk_sem_init(&wake, 0, 1);	/* binary: one wake-up covers all news */
	err = gw_publisher_start(&pub, &cfg, &sampler, &wake, info.prio > 1 ? info.prio - 1 : 1);
	if (!err)
		err = gw_sampler_start(&sampler, cfg.period_ms, &wake);
	if (err) {
		printf("gateway: cannot start (%d)\n", err);
		return err;
	}
	add_metrics(gw_publisher_counters(pub));
	return 0;
}

int main(int argc, char **argv)
{
	char err[GW_HOST_MAX + 96];

	if (gw_check_args(argc, argv, err, sizeof(err))) {
		printf("gateway: %s\n", err);
		usage();
		return 1;
	}
	if (gw_config_read(&cfg, tk_bootarg, mac0(), err, sizeof(err))) {
		printf("gateway: %s\n", err);
		return 1;
	}
	add_index_page();
	if (!cfg.mqtt) {
		printf("gateway: MQTT is off (no mqtt= bootarg)\n");
		idle_forever();
	}
	printf("gateway: publishing to %s%s:%u topic %s as %s every %lu ms (QoS 0)\n",
	       cfg.tls ? "mqtts://" : "", cfg.host, cfg.port, cfg.topic, cfg.id, (unsigned long)cfg.period_ms);
	if (start())
		return 1;
	idle_forever();
}
