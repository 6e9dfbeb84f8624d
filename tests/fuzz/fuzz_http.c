/*
 * The metrics server's HTTP request-head parser on what a client sends:
 * the bytes arrive in pieces (as TCP segments do), the first input byte
 * choosing their size, and the connection is kept alive across requests
 * (a body is skipped as server.c skips it). Each finished head's
 * Authorization value goes through the basic-auth check. Covers
 * http_parser_init, http_parser_feed and http_auth_ok.
 */
#include <stdbool.h>

#include "fuzz_common.h"
#include "http_internal.h"
#include "parse.h"

/* The build's credential (gen from --metrics-auth in an image). */
const char http_auth_credential[] = "takt:s3cret";

static void check_done(const struct http_parser *p)
{
	FUZZ_CHECK(p->method[0] && memchr(p->method, '\0', sizeof(p->method)));
	FUZZ_CHECK(memchr(p->target, '\0', sizeof(p->target)));
	/* the path lies in the target, or is "/" for an absolute-form target
	 * without one (parse.c find_path); every byte of it is readable */
	volatile char sum = 0;

	FUZZ_CHECK(p->path && p->path_len >= 1);
	FUZZ_CHECK((p->path >= p->target && p->path + p->path_len <= p->target + strlen(p->target)) ||
		   (p->path_len == 1 && p->path[0] == '/'));
	for (size_t i = 0; i < p->path_len; i++)
		sum = (char)(sum + p->path[i]);
	FUZZ_CHECK(p->minor == 0 || p->minor == 1);
	FUZZ_CHECK(p->content_length <= HTTP_BODY_MAX);
	FUZZ_CHECK(memchr(p->authorization, '\0', sizeof(p->authorization)));
	(void)http_auth_ok(p->authorization);
}

static bool status_ok(int s)
{
	return s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_parser p;
	size_t piece, off = 1;

	if (size < 1)
		return 0;
	piece = data[0] ? data[0] : size;	/* 0: all at once */
	http_auth_init();
	http_parser_init(&p);
	while (off < size) {
		size_t len = size - off < piece ? size - off : piece, used = ~(size_t)0;
		/* an exact copy: ASan sees a read past the segment */
		char *seg = fuzz_copy(data + off, len);
		int r = http_parser_feed(&p, seg, len, &used);

		free(seg);
		FUZZ_CHECK(used <= len);
		if (r == HTTP_NEED_MORE) {
			FUZZ_CHECK(used == len);
			off += used;
			continue;
		}
		if (r == HTTP_ERROR) {
			FUZZ_CHECK(status_ok(p.status));
			break;	/* server.c answers and closes */
		}
		FUZZ_CHECK(r == HTTP_DONE);
		check_done(&p);
		off += used;
		if (!p.keep_alive)
			break;
		off += size - off < p.content_length ? size - off : (size_t)p.content_length;
		http_parser_init(&p);
	}
	return 0;
}
