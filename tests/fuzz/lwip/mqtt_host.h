/*
 * lwIP's MQTT client on the host, for tests/fuzz/fuzz_mqtt.c and
 * tests/unit/test_lwip_mqtt.c: the client's C file compiled into the
 * including file (its receive path is static), over stubs of the TCP
 * (altcp), memory, timer and pbuf calls it makes. A pcb and a pbuf are
 * plain heap blocks, so ASan fences them; pbufs are never chained.
 * Include once, in one C file; TAKT_LWIP_MQTT_C names the client's copy
 * (cmake/lwip_mqtt.cmake).
 */
#ifndef TAKT_MQTT_HOST_H
#define TAKT_MQTT_HOST_H

#include <stdlib.h>
#include <string.h>

#include "lwip/altcp.h"
#include "lwip/altcp_tcp.h"
#include "lwip/apps/mqtt.h"
#include "lwip/apps/mqtt_priv.h"
#include "lwip/mem.h"
#include "lwip/pbuf.h"
#include "lwip/timeouts.h"

/* lwIP's, as the image compiles it: with cmake/lwip_mqtt.cmake's fix. */
#include TAKT_LWIP_MQTT_C

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
	if (offset >= p->len)	/* mqtt.c checks before it reads */
		abort();
	return ((const u8_t *)p->payload)[offset];
}

/* A pbuf holding a copy of data[0..len). */
static inline struct pbuf *mqtt_host_pbuf(const void *data, size_t len)
{
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);

	memcpy(p->payload, data, len);
	return p;
}

#endif
