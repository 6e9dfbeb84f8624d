/*
 * The gateway's MQTT over TLS (mqtt=mqtts://...): lwIP's MQTT client over
 * altcp_tls (mbedTLS), the broker verified against the CA built into the
 * image and its name checked, our certificate and key for mutual TLS when
 * the build gave them (cmake/tls-creds.cmake). Compiled into every
 * gateway; without TLS in the build (no --tls-ca) mqtts:// is refused at
 * start with a message, never run in plain text.
 */
#include <errno.h>
#include <stdio.h>

#include <lwip/altcp_tls.h>
#include <lwip/apps/mqtt.h>
#include <lwip/apps/mqtt_priv.h>	/* client->conn: the context to harden */
#include <takt/tls.h>

#include "gateway.h"

#ifdef TAKT_TLS

int gw_tls_init(const struct gw_config *c, struct mqtt_connect_client_info_t *info)
{
	const struct tk_tls_creds *cr = tk_tls_creds();
	struct altcp_tls_config *conf;

	if (!cr->ca) {
		printf("gateway: mqtts:// needs a CA built into the image "
		       "(./takt build apps/gateway --tls-ca FILE)\n");
		return -ENOTSUP;
	}
	if (tk_tls_rng_init()) {
		printf("gateway: mqtts:// refused: TLS has no random numbers (see above)\n");
		return -ENODEV;
	}
	if (cr->cert)
		conf = altcp_tls_create_config_client_2wayauth(cr->ca, cr->ca_len, cr->key,
							       cr->key_len, 0, 0, cr->cert,
							       cr->cert_len);
	else
		conf = altcp_tls_create_config_client(cr->ca, cr->ca_len);
	if (!conf) {	/* the build checked the files: memory, or mbedTLS's config */
		printf("gateway: cannot set up TLS with the built-in certificates\n");
		return -ENOMEM;
	}
	info->tls_config = conf;
	/* the build's credential when the bootargs give none */
	if (!c->user[0] && cr->user[0]) {
		info->client_user = cr->user;
		info->client_pass = cr->pass[0] ? cr->pass : 0;
	}
	printf("gateway: TLS to the broker, verified against the built-in CA%s\n",
	       cr->cert ? ", with our certificate (mutual TLS)" : "");
	return 0;
}

int gw_tls_attach(struct mqtt_client_s *client, const char *host, struct tk_tls_status *st)
{
	void *ssl = client->conn ? altcp_tls_context(client->conn) : 0;

	return ssl ? tk_tls_client_setup(ssl, host, st) : -EINVAL;
}

void gw_tls_why(const struct tk_tls_status *st, char *buf, size_t len)
{
	tk_tls_status_text(st, buf, len);
}

#else

int gw_tls_init(const struct gw_config *c, struct mqtt_connect_client_info_t *info)
{
	(void)c;
	(void)info;
	printf("gateway: mqtts:// needs an image built with TLS "
	       "(./takt build apps/gateway --tls-ca FILE)\n");
	return -ENOTSUP;
}

int gw_tls_attach(struct mqtt_client_s *client, const char *host, struct tk_tls_status *st)
{
	(void)client;
	(void)host;
	(void)st;
	return -ENOTSUP;
}

void gw_tls_why(const struct tk_tls_status *st, char *buf, size_t len)
{
	(void)st;
	if (len)
		buf[0] = '\0';
}

#endif
