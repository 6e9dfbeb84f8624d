/*
 * net/http/parse.c: the metrics endpoint's HTTP/1.x request-head parser.
 * Good requests (with CRLF and bare LF, pipelined, absolute-form), every
 * error status, and the limits exactly at and one past each boundary. The
 * same heads cut in pieces: test_http_parse_split.c; the metric name
 * rules: test_metric_names.c.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_feed.h"

/* The status of a head that must fail. */
static int status_of(const char *s)
{
	struct http_parser p;

	assert_int_equal(feed(&p, s), HTTP_ERROR);
	return p.status;
}

/* ---- good requests ------------------------------------------------------- */

static void test_get_crlf_keep_alive_by_default(void **state)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: 10.0.2.15\r\n"
				  "User-Agent: curl/7.88\r\nAccept: */*\r\n\r\n";
	struct http_parser p;
	size_t used;

	(void)state;
	assert_int_equal(feed_n(&p, req, strlen(req), &used), HTTP_DONE);
	assert_int_equal(used, strlen(req));
	assert_string_equal(p.method, "GET");
	assert_string_equal(p.target, "/metrics");
	assert_int_equal(p.path_len, 8);
	assert_memory_equal(p.path, "/metrics", 8);
	assert_int_equal(p.minor, 1);
	assert_true(p.keep_alive);
	assert_int_equal(p.content_length, 0);
}

static void test_http10_closes_unless_keep_alive_asked(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.0\r\n\r\n"), HTTP_DONE);
	assert_int_equal(p.minor, 0);
	assert_false(p.keep_alive);
	assert_int_equal(feed(&p, "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), HTTP_DONE);
	assert_true(p.keep_alive);
}

static void test_connection_close_tokens_any_case(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
			 HTTP_DONE);
	assert_false(p.keep_alive);
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\nconnection:keep-alive ,  CLOSE \r\n\r\n"),
			 HTTP_DONE);
	assert_false(p.keep_alive);
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\nConnection: closed, upgrade\r\n\r\n"),
			 HTTP_DONE);
	assert_true(p.keep_alive);
}

static void test_http1x_minor_above_1_talks_11(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.9\r\nHost: a\r\n\r\n"), HTTP_DONE);
	assert_int_equal(p.minor, 1);
}

static void test_query_is_not_part_of_the_path(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "HEAD /threads?x=1&y HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_DONE);
	assert_string_equal(p.method, "HEAD");
	assert_string_equal(p.target, "/threads?x=1&y");
	assert_int_equal(p.path_len, 8);
	assert_memory_equal(p.path, "/threads", 8);
}

static void test_absolute_form_gives_the_path_after_the_authority(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET http://10.0.2.15:80/metrics?a HTTP/1.1\r\nHost: x\r\n\r\n"),
			 HTTP_DONE);
	assert_int_equal(p.path_len, 8);
	assert_memory_equal(p.path, "/metrics", 8);
	assert_int_equal(feed(&p, "GET HTTPS://host HTTP/1.1\r\nHost: x\r\n\r\n"), HTTP_DONE);
	assert_int_equal(p.path_len, 1);
	assert_memory_equal(p.path, "/", 1);
	/* a '/' in the query of an absolute-form target without a path is no
	 * path: this was served as /metrics (seen while writing fuzz_http) */
	assert_int_equal(feed(&p, "GET http://host?x=/metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
			 HTTP_DONE);
	assert_int_equal(p.path_len, 1);
	assert_memory_equal(p.path, "/", 1);
	assert_int_equal(feed(&p, "GET http://?x=/m HTTP/1.1\r\nHost: x\r\n\r\n"), HTTP_ERROR);
	assert_int_equal(feed(&p, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), HTTP_DONE);
	assert_int_equal(p.path_len, 1);
	assert_memory_equal(p.path, "*", 1);
}

static void test_bare_lf_line_ends_are_accepted(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET /metrics HTTP/1.1\nHost: a\nConnection: close\n\n"), HTTP_DONE);
	assert_false(p.keep_alive);
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\n\r\n"), HTTP_DONE);
}

static void test_empty_lines_before_the_request_line_are_skipped(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "\r\n\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_DONE);
	assert_string_equal(p.target, "/x");
}

static void test_value_whitespace_is_trimmed_and_tab_allowed(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 12 \t\r\n"
			      "X-Tab: a\tb\r\nX-Empty:\r\nX-Obs-Text: caf\xc3\xa9\r\n\r\n"), HTTP_DONE);
	assert_int_equal(p.content_length, 12);
}

static void test_pipelined_requests_are_split_at_the_head_end(void **state)
{
	static const char two[] = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	struct http_parser p;
	size_t used, used2;

	(void)state;
	assert_int_equal(feed_n(&p, two, strlen(two), &used), HTTP_DONE);
	assert_int_equal(used, strlen(two) / 2);
	assert_string_equal(p.target, "/a");
	/* done is final: more input is not taken */
	assert_int_equal(http_parser_feed(&p, two + used, strlen(two) - used, &used2), HTTP_DONE);
	assert_int_equal(used2, 0);
	assert_int_equal(feed_n(&p, two + used, strlen(two) - used, &used2), HTTP_DONE);
	assert_int_equal(used2, strlen(two) / 2);
	assert_string_equal(p.target, "/b");
}

static void test_content_length_repeated_with_the_same_value(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\n"
			      "content-length: 007\r\n\r\n"), HTTP_DONE);
	assert_int_equal(p.content_length, 7);
}

static void test_long_unknown_header_names_are_fine(void **state)
{
	char req[512];
	struct http_parser p;

	(void)state;
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\nX-%0200d: 1\r\n\r\n", 0);
	assert_int_equal(feed(&p, req), HTTP_DONE);
	/* a long name that starts like one we read is still not that one */
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\n"
			      "Content-Length-And-Then-Some-More-Chars: x\r\n\r\n"), HTTP_DONE);
}

/* ---- errors --------------------------------------------------------------- */

static void test_malformed_request_lines_are_400(void **state)
{
	static const char *const bad[] = {
		"GET  / HTTP/1.1\r\n\r\n",		/* two spaces */
		" GET / HTTP/1.1\r\n\r\n",		/* leading space */
		"GET /\r\n\r\n",			/* HTTP/0.9 */
		"GET / \r\n\r\n",			/* empty version */
		"GET / HTTP/1.1 \r\n\r\n",		/* trailing space */
		"GET / HTTP/1.x\r\n\r\n",
		"GET / HTTP/1.10\r\n\r\n",
		"GET / http/1.1\r\n\r\n",
		"GET / HTTP/11\r\n\r\n",
		"G(T / HTTP/1.1\r\n\r\n",		/* not a token */
		"GET /a\x01 HTTP/1.1\r\n\r\n",		/* control char in the target */
		"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",	/* non-ASCII in the target */
		"GET metrics HTTP/1.1\r\nHost: a\r\n\r\n",	/* no leading slash */
		"GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n",	/* no authority */
		"GET http:// HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.1\rX",			/* bare CR */
		"\rGET / HTTP/1.1\r\n\r\n",
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",	/* a TLS ClientHello */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(status_of(bad[i]), 400);
}

static void test_malformed_header_fields_are_400(void **state)
{
	static const char *const bad[] = {
		"GET / HTTP/1.1\r\nHost\r\n\r\n",		/* no colon */
		"GET / HTTP/1.1\r\nHost : a\r\n\r\n",		/* space before the colon */
		"GET / HTTP/1.1\r\n Host: a\r\n\r\n",		/* whitespace before the first */
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",	/* obs-fold */
		"GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",	/* bare CR in a value */
		"GET / HTTP/1.1\r\nHost: a\r\nX: \x7f\r\n\r\n",	/* DEL */
		"GET / HTTP/1.1\r\nHost: a\r\nX: \x1b[1m\r\n\r\n",	/* ESC */
		"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n",
		"GET / HTTP/1.1\r\n: a\r\n\r\n",			/* empty name */
		"GET / HTTP/1.1\r\nHost: a\r\n\rX",			/* bare CR ending the head */
		"GET / HTTP/1.1\r\n\r\n",				/* 1.1 without Host */
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",	/* two Hosts */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(status_of(bad[i]), 400);
}

static void test_nul_in_a_value_is_400(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	struct http_parser p;

	(void)state;
	assert_int_equal(feed_n(&p, req, sizeof(req) - 1, NULL), HTTP_ERROR);
	assert_int_equal(p.status, 400);
}

static void test_bad_content_lengths_are_400(void **state)
{
	static const char *const vals[] = { "", "abc", "-1", "+5", "1 2", "0x10", "5,5", "1.0" };
	char req[128];

	(void)state;
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: %s\r\n\r\n",
			 vals[i]);
		assert_int_equal(status_of(req), 400);
	}
	assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
				   "Content-Length: 6\r\n\r\n"), 400);
}

static void test_content_length_limit_4096_and_413_past_it(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4096\r\n\r\n"),
			 HTTP_DONE);
	assert_int_equal(p.content_length, HTTP_BODY_MAX);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n"), 413);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n"),
			 413);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\n"
				   "Content-Length: 999999999999999999999999999999\r\n\r\n"), 413);
}

static void test_transfer_encoding_is_501_and_400_with_content_length(void **state)
{
	(void)state;
	assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"),
			 501);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
				   "Content-Length: 3\r\n\r\n"), 400);
	assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
				   "transfer-encoding: gzip, chunked\r\n\r\n"), 400);
}

static void test_other_major_versions_are_505(void **state)
{
	(void)state;
	assert_int_equal(status_of("GET / HTTP/2.0\r\n\r\n"), 505);
	assert_int_equal(status_of("GET / HTTP/0.9\r\n\r\n"), 505);
	assert_int_equal(status_of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505);
}

static void test_method_of_15_chars_parses_and_16_is_501(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "ABCDEFGHIJKLMNO / HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_DONE);
	assert_string_equal(p.method, "ABCDEFGHIJKLMNO");
	assert_int_equal(status_of("ABCDEFGHIJKLMNOP / HTTP/1.1\r\nHost: a\r\n\r\n"), 501);
}

static void test_value_kept_up_to_127_and_431_past_it(void **state)
{
	char req[512];
	struct http_parser p;

	(void)state;
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\nConnection: %0127d\r\n\r\n", 0);
	assert_int_equal(feed(&p, req), HTTP_DONE);
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\nConnection: %0128d\r\n\r\n", 0);
	assert_int_equal(status_of(req), 431);
	/* other fields are not kept: any length, up to the head limit */
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: a\r\nX-Other: %0400d\r\n\r\n", 0);
	assert_int_equal(feed(&p, req), HTTP_DONE);
}

static void test_authorization_is_kept_and_a_second_one_is_400(void **state)
{
	struct http_parser p;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\n"
				  "authorization:  Basic dXNlcjpwYXNz \r\n\r\n"), HTTP_DONE);
	assert_string_equal(p.authorization, "Basic dXNlcjpwYXNz");
	assert_int_equal(feed(&p, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"), HTTP_DONE);
	assert_string_equal(p.authorization, "");
	assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic a\r\n"
				   "Authorization: Basic b\r\n\r\n"), 400);
}

static void test_errors_are_final(void **state)
{
	struct http_parser p;
	size_t used;

	(void)state;
	assert_int_equal(feed(&p, "GET / HTTP/1.1\rX"), HTTP_ERROR);
	assert_int_equal(http_parser_feed(&p, "\r\n\r\n", 4, &used), HTTP_ERROR);
	assert_int_equal(used, 0);
	assert_int_equal(p.status, 400);
}

/* ---- limits ------------------------------------------------------------------ */

/* "GET /aaa... HTTP/1.1" of exactly n bytes (n >= 15), then the rest of a head. */
static char *request_line_of(size_t n)
{
	char *s = malloc(n + 64);
	size_t k = n - 14;

	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', k);
	strcpy(s + 5 + k, " HTTP/1.1\r\nHost: a\r\n\r\n");
	return s;
}

static void test_request_line_of_1024_parses_and_1025_is_414(void **state)
{
	struct http_parser p;
	size_t used;
	char *s = request_line_of(HTTP_LINE_MAX);

	(void)state;
	assert_int_equal(feed(&p, s), HTTP_DONE);
	assert_int_equal(strlen(p.target), HTTP_LINE_MAX - 13);
	free(s);
	s = request_line_of(HTTP_LINE_MAX + 1);
	assert_int_equal(feed_n(&p, s, strlen(s), &used), HTTP_ERROR);
	assert_int_equal(p.status, 414);
	assert_int_equal(used, HTTP_LINE_MAX + 1);	/* said at the first byte too many */
	free(s);
	/* with bare LF too: the line end is not counted either way */
	s = request_line_of(HTTP_LINE_MAX);
	s[HTTP_LINE_MAX] = '\n';
	memmove(s + HTTP_LINE_MAX + 1, s + HTTP_LINE_MAX + 2, strlen(s + HTTP_LINE_MAX + 2) + 1);
	assert_int_equal(feed(&p, s), HTTP_DONE);
	free(s);
}

/* A head of exactly n bytes (n >= 64) padded in one X-Pad field. */
static char *head_of(size_t n)
{
	static const char start[] = "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Pad: ";
	char *s = malloc(n + 1);
	size_t pad = n - (sizeof(start) - 1) - 4;

	memcpy(s, start, sizeof(start) - 1);
	memset(s + sizeof(start) - 1, 'p', pad);
	memcpy(s + n - 4, "\r\n\r\n", 5);
	return s;
}

static void test_head_of_8192_parses_and_8193_is_431(void **state)
{
	struct http_parser p;
	size_t used;
	char *s = head_of(HTTP_HEAD_MAX);

	(void)state;
	assert_int_equal(strlen(s), HTTP_HEAD_MAX);
	assert_int_equal(feed_n(&p, s, strlen(s), &used), HTTP_DONE);
	assert_int_equal(used, HTTP_HEAD_MAX);
	free(s);
	s = head_of(HTTP_HEAD_MAX + 1);
	assert_int_equal(feed_n(&p, s, strlen(s), &used), HTTP_ERROR);
	assert_int_equal(p.status, 431);
	assert_int_equal(used, HTTP_HEAD_MAX + 1);
	free(s);
}

static void test_one_mib_of_headers_stops_at_8193_bytes(void **state)
{
	size_t n = 1u << 20;
	char *s = malloc(n);
	struct http_parser p;
	size_t used, total = 0;
	int r = HTTP_NEED_MORE;

	(void)state;
	for (size_t i = 0; i < n; i++)
		s[i] = "X-Big-Header: 0123456789abcdef\r\n"[i % 32];
	memcpy(s, "GET / HTTP/1.1\r\nHost: a\r\nX: ab\r\n", 32);	/* whole lines */
	http_parser_init(&p);
	for (size_t off = 0; off < n && r == HTTP_NEED_MORE; off += 1000) {
		r = http_parser_feed(&p, s + off, n - off < 1000 ? n - off : 1000, &used);
		total += used;
	}
	assert_int_equal(r, HTTP_ERROR);
	assert_int_equal(p.status, 431);
	assert_int_equal(total, HTTP_HEAD_MAX + 1);
	free(s);
}

static void test_empty_lines_count_toward_the_head(void **state)
{
	size_t n = HTTP_HEAD_MAX + 1;
	char *s = malloc(n);
	struct http_parser p;

	(void)state;
	for (size_t i = 0; i < n; i += 2)
		memcpy(s + i, "\r\n", i + 1 < n ? 2 : 1);
	assert_int_equal(feed_n(&p, s, n, NULL), HTTP_ERROR);
	assert_int_equal(p.status, 431);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_crlf_keep_alive_by_default),
		cmocka_unit_test(test_authorization_is_kept_and_a_second_one_is_400),
		cmocka_unit_test(test_http10_closes_unless_keep_alive_asked),
		cmocka_unit_test(test_connection_close_tokens_any_case),
		cmocka_unit_test(test_http1x_minor_above_1_talks_11),
		cmocka_unit_test(test_query_is_not_part_of_the_path),
		cmocka_unit_test(test_absolute_form_gives_the_path_after_the_authority),
		cmocka_unit_test(test_bare_lf_line_ends_are_accepted),
		cmocka_unit_test(test_empty_lines_before_the_request_line_are_skipped),
		cmocka_unit_test(test_value_whitespace_is_trimmed_and_tab_allowed),
		cmocka_unit_test(test_pipelined_requests_are_split_at_the_head_end),
		cmocka_unit_test(test_content_length_repeated_with_the_same_value),
		cmocka_unit_test(test_long_unknown_header_names_are_fine),
		cmocka_unit_test(test_malformed_request_lines_are_400),
		cmocka_unit_test(test_malformed_header_fields_are_400),
		cmocka_unit_test(test_nul_in_a_value_is_400),
		cmocka_unit_test(test_bad_content_lengths_are_400),
		cmocka_unit_test(test_content_length_limit_4096_and_413_past_it),
		cmocka_unit_test(test_transfer_encoding_is_501_and_400_with_content_length),
		cmocka_unit_test(test_other_major_versions_are_505),
		cmocka_unit_test(test_method_of_15_chars_parses_and_16_is_501),
		cmocka_unit_test(test_value_kept_up_to_127_and_431_past_it),
		cmocka_unit_test(test_errors_are_final),
		cmocka_unit_test(test_request_line_of_1024_parses_and_1025_is_414),
		cmocka_unit_test(test_head_of_8192_parses_and_8193_is_431),
		cmocka_unit_test(test_one_mib_of_headers_stops_at_8193_bytes),
		cmocka_unit_test(test_empty_lines_count_toward_the_head),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
