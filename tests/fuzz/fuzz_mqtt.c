/*
 * What the gateway reads from the network: the broker's MQTT packets, as
 * lwIP's MQTT client (src/apps/mqtt/mqtt.c from the set-up cache with
 * cmake/lwip_mqtt.cmake's fix, compiled in here so that its static receive
 * path is reachable) parses them:
 * CONNACK, PUBLISH (QoS 0-2, with the incoming-publish callbacks), PUBACK,
 * PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, PINGRESP, and garbage.
 * The gateway's own code that handles this input is its two callbacks
 * (apps/gateway/publisher.c conn_cb, published_cb), which only record the
 * status they are given: modelled by on_connect/on_published below.
 *
 * The TCP underneath is a stub: the input's first byte is the size of the
 * segments the rest arrives in, each one delivered through
 * mqtt_tcp_recv_cb as an exact-size pbuf. As the gateway does, the client
 * connects, publishes (QoS 0 and 1) and subscribes, and after the broker
 * closes the connection (a refused CONNACK, a protocol error) it connects
 * again and the rest of the input continues on the new connection.
 */
#include "fuzz_common.h"
#include "mqtt_host.h"

/* ---- the gateway's side ------------------------------------------------ */

static mqtt_connection_status_t last_status;
static unsigned published, incoming;

static void on_connect(mqtt_client_t *c, void *arg, mqtt_connection_status_t status)
{
	(void)c, (void)arg;
	last_status = status;	/* publisher.c conn_cb: p->event = status */
}

static void on_published(void *arg, err_t err)
{
	(void)arg;
	published += err == ERR_OK;	/* publisher.c published_cb */
}

static void on_publish(void *arg, const char *topic, u32_t tot_len)
{
	(void)arg;
	FUZZ_CHECK(topic && strlen(topic) < MQTT_VAR_HEADER_BUFFER_LEN);
	(void)tot_len;
	incoming++;
}

static void on_data(void *arg, const u8_t *data, u16_t len, u8_t flags)
{
	volatile u8_t sum = 0;

	(void)arg, (void)flags;
	for (u16_t i = 0; i < len; i++)
		sum = (u8_t)(sum + data[i]);
}

#define SENDS_PER_CONNECTION	16
static unsigned sends;		/* send_some rounds on this connection */

static void connect(mqtt_client_t *c)
{
	static const struct mqtt_connect_client_info_t info = {
		.client_id = "takt-123456", .keep_alive = 60,
	};
	ip_addr_t ip = IPADDR4_INIT_BYTES(10, 0, 2, 2);

	sends = 0;
	if (mqtt_client_connect(c, &ip, 1883, on_connect, NULL, &info) != ERR_OK)
		return;
	c->conn->connected(c->conn->arg, c->conn, ERR_OK);	/* TCP is up */
}

/* What the gateway sends once connected: a sample (QoS 0), and to reach
 * the broker's acknowledgements, a QoS 1 publish and a subscription. */
static void send_some(mqtt_client_t *c)
{
	static const char sample[] = "{\"seq\":1,\"value\":500}";

	sends++;
	(void)mqtt_publish(c, "takt/gw/telemetry", sample, sizeof(sample) - 1, 0, 0,
			   on_published, NULL);
	(void)mqtt_publish(c, "takt/gw/telemetry", sample, sizeof(sample) - 1, 1, 0,
			   on_published, NULL);
	(void)mqtt_subscribe(c, "takt/cmd/#", 1, on_published, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mqtt_client_t *c;
	size_t piece, off = 1;

	if (size < 1)
		return 0;
	piece = data[0] ? data[0] : 1460;
	c = mqtt_client_new();
	mqtt_set_inpub_callback(c, on_publish, on_data, NULL);
	connect(c);
	send_some(c);
	while (off < size && c->conn) {
		size_t len = size - off < piece ? size - off : piece;
		struct pbuf *p = mqtt_host_pbuf(data + off, len);

		off += len;
		FUZZ_CHECK(c->conn->recv(c->conn->arg, c->conn, p, ERR_OK) == ERR_OK);
		/* At most SENDS_PER_CONNECTION rounds: enough to fill the request
		 * list (MQTT_REQ_MAX_IN_FLIGHT) and the output ring. A round
		 * after every segment made a run O(segments) and held the
		 * campaign to ~1.2k runs/s, without reaching more. */
		if (c->conn_state == MQTT_CONNECTED && sends < SENDS_PER_CONNECTION) {
			c->conn->sent(c->conn->arg, c->conn, 1);	/* QoS 0 done */
			send_some(c);
		}
		if (!c->conn) {		/* closed: the gateway connects again */
			connect(c);
			send_some(c);
		}
		mqtt_cyclic_timer(c);
	}
	if (c->conn) {
		FUZZ_CHECK(c->conn->recv(c->conn->arg, c->conn, NULL, ERR_OK) == ERR_OK);
	}
	mqtt_disconnect(c);
	mqtt_client_free(c);
	FUZZ_CHECK(pcbs_open == 0);
	return 0;
}
