/* Shared between the files of /metrics (metrics*.c): the built-in families and their printing. */
#ifndef TAKT_HTTP_METRICS_INTERNAL_H
#define TAKT_HTTP_METRICS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "http_internal.h"

/* The built-in families, in metrics_fams[] (metrics.c). */
enum fam_id {
	INFO, UPTIME, BOOT,
	T_CPU, T_SWITCHES, T_OVERRUNS, T_MISSES, T_STACK, T_INFO, T_DL_RUNTIME,
	T_DL_DEADLINE, T_DL_PERIOD, T_CPUNUM, T_MIGRATIONS,
	HEAP_USED, HEAP_FREE, HEAP_ARENA, RAM,
	NET_RX_FRAMES, NET_RX_BYTES, NET_RX_DROPPED, NET_TX_FRAMES, NET_TX_BYTES,
	NET_TX_ERRORS,
	IP_SENT, IP_RECEIVED, IP_DROPPED, IP_ERRORS,
	POOL_USED, POOL_SIZE, POOL_MAX, POOL_FAILURES, TCP_PCBS,
	HTTP_REQUESTS, HTTP_CONNECTIONS, HTTP_OPEN, HTTP_TIMEOUTS, HTTP_REFUSED, HTTP_TLS_OK,
	HTTP_TLS_FAILED,
	FAMS
};

struct fam {
	const char *name, *type, *help;
};
extern const struct fam metrics_fams[FAMS];

/* metrics.c: ns as decimal seconds without trailing zeros ("12.5"). */
const char *metrics_secs(char out[24], uint64_t ns);
/* metrics.c: text-format escaping (a label value when quote, else HELP text). */
void metrics_put_text(struct hbuf *b, const char *s, bool quote);
/* metrics.c: a family's "# HELP" (when help) and "# TYPE" lines. */
void metrics_put_family(struct hbuf *b, const char *name, const char *type, const char *help);
void metrics_fam_head(struct hbuf *b, enum fam_id f);

/* The parts of the page, in the order metrics_page prints them. */
int put_threads(struct hbuf *b);	/* metrics_threads.c; -ENOMEM */
void put_network(struct hbuf *b);	/* metrics_net.c: netdevs and lwIP */
void put_registered(struct hbuf *b);	/* metrics_registry.c: what apps added */

#endif
