/*
 * What the gateway reads from the network: the broker's MQTT packets, as
 * lwIP's MQTT client (src/apps/mqtt/mqtt.c from the set-up cache, compiled
 * in here so that its static receive path is reachable) parses them:
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
#include "lwip/altcp.h"
#include "lwip/altcp_tcp.h"
#include "lwip/apps/mqtt.h"
#include "lwip/apps/mqtt_priv.h"
#include "lwip/mem.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"

#include "fuzz_common.h"

#include "apps/mqtt/mqtt.c"	/* lwIP's, from LWIP_SOURCE_DIR */

/* ---- the stubs of lwIP's TCP, memory and timers the client calls ---- */

static int pcbs_open;

struct altcp_pcb *altcp_tcp_new_ip_type(u8_t ip_type)
{
	(void)ip_type;
	pcbs_open++;
	return calloc(1, sizeof(struct altcp_pcb));
}

void altcp_arg(struct altcp_pcb *conn, void *arg) { conn->arg = arg; }
void altcp_recv(struct altcp_pcb *conn, altcp_recv_fn recv) { conn->recv = recv; }
void altcp_sent(struct altcp_pcb *conn, altcp_sent_fn sent) { conn->sent = sent; }
void altcp_err(struct altcp_pcb *conn, altcp_err_fn err) { conn->err = err; }

void altcp_poll(struct altcp_pcb *conn, altcp_poll_fn poll, u8_t interval)
{
	conn->poll = poll;
	conn->pollinterval = interval;
}

err_t altcp_bind(struct altcp_pcb *conn, const ip_addr_t *ipaddr, u16_t port)
{
	(void)conn, (void)ipaddr, (void)port;
	return ERR_OK;
}

err_t altcp_connect(struct altcp_pcb *conn, const ip_addr_t *ipaddr, u16_t port,
		    altcp_connected_fn connected)
{
	(void)ipaddr, (void)port;
	conn->connected = connected;
	return ERR_OK;
}

/* The send window: everything is taken (a full ring is mqtt.c's case). */
u16_t altcp_sndbuf(struct altcp_pcb *conn)
{
	(void)conn;
	return 1460;
}

err_t altcp_write(struct altcp_pcb *conn, const void *dataptr, u16_t len, u8_t apiflags)
{
	(void)conn, (void)apiflags;
	volatile u8_t sum = 0;

	for (u16_t i = 0; i < len; i++)	/* ASan: every byte handed to TCP is readable */
		sum = (u8_t)(sum + ((const u8_t *)dataptr)[i]);
	return ERR_OK;
}

err_t altcp_output(struct altcp_pcb *conn) { (void)conn; return ERR_OK; }
void altcp_recved(struct altcp_pcb *conn, u16_t len) { (void)conn, (void)len; }

err_t altcp_close(struct altcp_pcb *conn)
{
	pcbs_open--;
	free(conn);
	return ERR_OK;
}

void altcp_abort(struct altcp_pcb *conn) { (void)altcp_close(conn); }

void *mem_calloc(mem_size_t count, mem_size_t size) { return calloc(count, size); }
void mem_free(void *mem) { free(mem); }

void sys_timeout(u32_t msecs, sys_timeout_handler handler, void *arg)
{
	(void)msecs, (void)handler, (void)arg;
}

void sys_untimeout(sys_timeout_handler handler, void *arg) { (void)handler, (void)arg; }

char *ipaddr_ntoa(const ip_addr_t *addr)
{
	(void)addr;
	return "10.0.2.2";
}

/* pbufs: one exact-size buffer each (ASan fences it), no chains. */
struct pbuf *pbuf_alloc(pbuf_layer layer, u16_t length, pbuf_type type)
{
	struct pbuf *p = calloc(1, sizeof(*p));

	(void)layer, (void)type;
	p->payload = malloc(length ? length : 1);
	p->len = p->tot_len = length;
	p->ref = 1;
	return p;
}

u8_t pbuf_free(struct pbuf *p)
{
	free(p->payload);
	free(p);
	return 1;
}

u16_t pbuf_copy_partial(const struct pbuf *p, void *dataptr, u16_t len, u16_t offset)
{
	if (offset >= p->len)
		return 0;
	if (len > p->len - offset)
		len = (u16_t)(p->len - offset);
	memcpy(dataptr, (const u8_t *)p->payload + offset, len);
	return len;
}

u8_t pbuf_get_at(const struct pbuf *p, u16_t offset)
{
	FUZZ_CHECK(offset < p->len);	/* mqtt.c checks before it reads */
	return ((const u8_t *)p->payload)[offset];
}

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

static void connect(mqtt_client_t *c)
{
	static const struct mqtt_connect_client_info_t info = {
		.client_id = "takt-123456", .keep_alive = 60,
	};
	ip_addr_t ip = IPADDR4_INIT_BYTES(10, 0, 2, 2);

	if (mqtt_client_connect(c, &ip, 1883, on_connect, NULL, &info) != ERR_OK)
		return;
	c->conn->connected(c->conn->arg, c->conn, ERR_OK);	/* TCP is up */
}

/* What the gateway sends once connected: a sample (QoS 0), and to reach
 * the broker's acknowledgements, a QoS 1 publish and a subscription. */
static void send_some(mqtt_client_t *c)
{
	static const char sample[] = "{\"seq\":1,\"value\":500}";

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
		struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);

		memcpy(p->payload, data + off, len);
		off += len;
		FUZZ_CHECK(c->conn->recv(c->conn->arg, c->conn, p, ERR_OK) == ERR_OK);
		if (c->conn_state == MQTT_CONNECTED) {
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
