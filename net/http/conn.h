/* A metrics server connection: server.c does its I/O, respond.c its answers. */
#ifndef TAKT_HTTP_CONN_H
#define TAKT_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http_internal.h"
#include "parse.h"

enum cstate { FREE, READING, WRITING, DRAINING };

struct conn {
	int fd;
	struct http_tls_conn *tls;	/* metrics.tls=on (tls_listen.c), else NULL */
	enum cstate state;
	uint64_t deadline;
	bool close_after;	/* drain and close once the response is out */
	struct http_parser p;
	char in[1024];		/* received, in[in_off..in_len) not parsed yet */
	size_t in_off, in_len;
	uint64_t drain_end;	/* DRAINING: close at the latest then */
	struct hbuf out;	/* a page being sent */
	char small[384];	/* or a short answer: an error, a 503 */
	const char *send_ptr;
	size_t send_left;
};

/* server.c: send n bytes at p, then go on (WRITING, with a new deadline). */
void http_start_sending(struct conn *c, const char *p, size_t n);

/* respond.c: answer the parsed request in c->p; answer code and close. */
void http_serve(struct conn *c);
void http_respond_error(struct conn *c, int code);

#endif
