/*
 * net/http/parse.c, split: the same answer whichever way a head's bytes
 * are cut (one at a time, random pieces), and random bytes, which must end
 * in a defined answer (under ASan). The whole-head cases are in
 * test_http_parse.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_feed.h"

static void assert_same(const struct http_parser *a, const struct http_parser *b)
{
	assert_string_equal(a->method, b->method);
	assert_string_equal(a->target, b->target);
	assert_int_equal(a->path - a->target, b->path - b->target);
	assert_int_equal(a->path_len, b->path_len);
	assert_int_equal(a->minor, b->minor);
	assert_int_equal(a->keep_alive, b->keep_alive);
	assert_int_equal(a->content_length, b->content_length);
}

static const char *const split_cases[] = {
	"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: wrk\r\n\r\nGET /next",
	"\r\nHEAD /threads?q HTTP/1.0\nConnection: keep-alive\nContent-Length: 0\n\n",
	"GET http://h:80/metrics HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 4096\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX:  \t\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
	/* errors must come out the same too */
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4097\r\n\r\n",
	"GET / HTTP/2.0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
	"ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n",
};

static void test_byte_at_a_time_gives_the_same_answer(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(split_cases) / sizeof(split_cases[0]); c++) {
		const char *s = split_cases[c];
		static size_t ones[256];
		size_t n = strlen(s), used_all, used_one;
		struct http_parser whole, bytes;
		int r1, r2;

		assert_true(n <= 256);
		for (size_t i = 0; i < n; i++)
			ones[i] = 1;
		r1 = feed_n(&whole, s, n, &used_all);
		r2 = feed_pieces(&bytes, s, n, ones, n, &used_one);
		assert_int_equal(r1, r2);
		assert_int_equal(used_all, used_one);
		if (r1 == HTTP_DONE)
			assert_same(&whole, &bytes);
		else
			assert_int_equal(whole.status, bytes.status);
	}
}

static void test_random_splits_give_the_same_answer(void **state)
{
	(void)state;
	srand(12345);
	for (int round = 0; round < 2000; round++) {
		size_t c = (size_t)rand() % (sizeof(split_cases) / sizeof(split_cases[0]));
		const char *s = split_cases[c];
		size_t n = strlen(s), cut[64], used_all, used_cut;
		struct http_parser whole, pieces;
		int r1, r2;

		for (size_t i = 0; i < 64; i++)
			cut[i] = (size_t)rand() % 12;	/* zero-length pieces too */
		r1 = feed_n(&whole, s, n, &used_all);
		r2 = feed_pieces(&pieces, s, n, cut, 64, &used_cut);
		assert_int_equal(r1, r2);
		assert_int_equal(used_all, used_cut);
		if (r1 == HTTP_DONE)
			assert_same(&whole, &pieces);
		else
			assert_int_equal(whole.status, pieces.status);
	}
}

static bool known_status(int s)
{
	return s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505;
}

static void test_random_bytes_end_in_a_defined_answer(void **state)
{
	static const char alphabet[] = "GET /HTP1.0\r\n: aHost-Content-Length9Connection,close\t\x00\x80";

	(void)state;
	srand(777);
	for (int round = 0; round < 20000; round++) {
		size_t n = 1 + (size_t)rand() % 200, used;
		char *s = malloc(n);
		struct http_parser p;
		int r;

		for (size_t i = 0; i < n; i++)
			s[i] = round & 1 ? (char)(rand() & 0xff)
					 : alphabet[(size_t)rand() % (sizeof(alphabet) - 1)];
		if (round % 3 == 0 && n > 20)
			memcpy(s, "GET / HTTP/1.1\r\nHost", 20);
		http_parser_init(&p);
		r = http_parser_feed(&p, s, n, &used);
		assert_true(used <= n);
		if (r == HTTP_ERROR)
			assert_true(known_status(p.status));
		else if (r == HTTP_NEED_MORE)
			assert_int_equal(used, n);
		else
			assert_true(p.path != NULL && p.minor >= 0 && p.minor <= 1);
		free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_at_a_time_gives_the_same_answer),
		cmocka_unit_test(test_random_splits_give_the_same_answer),
		cmocka_unit_test(test_random_bytes_end_in_a_defined_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
