/*
 * altcp without TLS: lwIP is compiled once per board with LWIP_ALTCP_TLS on
 * (net/port/include/lwipopts.h), so its MQTT client refers to the TLS
 * layer. An app built without takt_app(... TLS) links this instead of
 * lwIP's altcp_tls_mbedtls.c: a TLS connection is refused (NULL: lwIP's
 * "no memory" path), never opened in plain text.
 */
#include <lwip/altcp.h>
#include <lwip/altcp_tls.h>

struct altcp_pcb *altcp_tls_wrap(struct altcp_tls_config *config, struct altcp_pcb *inner_pcb)
{
	(void)config;
	(void)inner_pcb;
	return 0;
}
