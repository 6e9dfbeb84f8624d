/*
 * Feeding net/http/parse.c's parser in the unit tests: all at once (from an
 * exact-size copy, so ASan sees any read past it) or in given pieces.
 * Include after <cmocka.h>.
 */
#ifndef TAKT_TEST_HTTP_FEED_H
#define TAKT_TEST_HTTP_FEED_H

#include <stdlib.h>
#include <string.h>

#include "../../net/http/parse.h"

/* Feed all of s at once (from an exact-size copy, for ASan). */
static inline int feed_n(struct http_parser *p, const char *s, size_t n, size_t *used)
{
	char *copy = malloc(n ? n : 1);
	size_t u = 0;
	int r;

	memcpy(copy, s, n);
	http_parser_init(p);
	r = http_parser_feed(p, copy, n, used ? used : &u);
	free(copy);
	return r;
}

static inline int feed(struct http_parser *p, const char *s)
{
	return feed_n(p, s, strlen(s), NULL);
}

/* Feed s in pieces: cut[] are the piece lengths (the last runs to the end). */
static inline int feed_pieces(struct http_parser *p, const char *s, size_t n, const size_t *cut,
		       size_t ncut, size_t *total_used)
{
	size_t off = 0, used;
	int r = HTTP_NEED_MORE;

	http_parser_init(p);
	*total_used = 0;
	for (size_t i = 0; off < n && r == HTTP_NEED_MORE; i++) {
		size_t len = i < ncut && cut[i] < n - off ? cut[i] : n - off;
		char *piece = malloc(len ? len : 1);

		memcpy(piece, s + off, len);
		r = http_parser_feed(p, piece, len, &used);
		free(piece);
		assert_true(used <= len);
		assert_true(r != HTTP_NEED_MORE || used == len);
		off += used;
		*total_used += used;
	}
	return r;
}

#endif /* TAKT_TEST_HTTP_FEED_H */
