/* lwIP options for the host build of lwIP's MQTT client (fuzz_mqtt.c):
 * the MQTT settings of net/port/include/lwipopts.h, everything else
 * lwIP's defaults for a bare (NO_SYS) stack. TLS is off: altcp_tls
 * only wraps the byte stream the parser reads. */
#ifndef TAKT_FUZZ_LWIPOPTS_H
#define TAKT_FUZZ_LWIPOPTS_H

#define NO_SYS				1
#define LWIP_NETCONN			0
#define LWIP_SOCKET			0
#define LWIP_ALTCP			1
#define LWIP_ALTCP_TLS			0

/* as net/port/include/lwipopts.h */
#define MQTT_OUTPUT_RINGBUF_SIZE	1024
#define MQTT_VAR_HEADER_BUFFER_LEN	256
#define MQTT_REQ_MAX_IN_FLIGHT		8

#endif
