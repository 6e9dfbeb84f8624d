/*
 * The HTTP/1.x request-head parser (parse.h has what it accepts and why):
 * one byte at a time through a small state machine, so a head split
 * anywhere across reads parses the same, and no byte is looked at twice.
 * Only the method, the target, the version and the values of the four
 * fields the server acts on are kept; every other byte is checked and
 * counted against the limits, never stored.
 */
#include <errno.h>
#include <string.h>

#include "parse.h"

enum state {
	S_START,	/* empty lines before the request line */
	S_START_LF,	/* CR seen there */
	S_METHOD,
	S_TARGET,
	S_VERSION,
	S_LINE_LF,	/* CR at the end of the request line */
	S_FIELD,	/* start of a header line, or the empty line */
	S_NAME,
	S_OWS,		/* whitespace after the colon */
	S_VALUE,
	S_VALUE_LF,
	S_END_LF,	/* CR of the empty line */
	S_DONE,
	S_ERROR,
};

/* The fields acted on; p->len counts the value of one of these (F_OTHER:
 * not kept). Set when the colon ends the name. */
enum field { F_OTHER, F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_CONNECTION, F_HOST,
	     F_AUTHORIZATION };

#define SATURATED UINT64_MAX

static int fail(struct http_parser *p, int status)
{
	p->state = S_ERROR;
	p->status = status;
	return HTTP_ERROR;
}

/* RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" /
 * "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* field-value octets: VCHAR, obs-text, SP, HTAB */
static bool is_field_char(unsigned char c)
{
	return is_ows(c) || (c >= 0x21 && c != 0x7f);
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

void http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = S_START;
}

/* ---- request line -------------------------------------------------------- */

static bool prefix_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower(*s) != *prefix)
			return false;
	return true;
}

/* The path: origin-form as it is; absolute-form from the first '/' after
 * the authority ("/" when there is none); "*" as it is. */
static int find_path(struct http_parser *p)
{
	const char *t = p->target, *q;
	size_t skip = prefix_nocase(t, "http://") ? 7 : prefix_nocase(t, "https://") ? 8 : 0;

	if (skip) {
		/* the authority ends at the first '/' or '?': a '/' in the query
		 * ("http://h?x=/metrics") is no path */
		const char *end = t + skip + strcspn(t + skip, "/?");

		if (end == t + skip)
			return -1;	/* no authority */
		t = *end == '/' ? end : "/";
	} else if (t[0] != '/' && strcmp(t, "*") != 0) {
		return -1;
	}
	p->path = t;
	q = strchr(t, '?');
	p->path_len = q ? (size_t)(q - t) : strlen(t);
	return 0;
}

/* "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3); any 1.n beyond 1.1 talks 1.1. */
static int end_request_line(struct http_parser *p)
{
	const char *v = p->version;

	if (p->len != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return fail(p, 400);
	if (v[5] != '1')
		return fail(p, 505);
	if (find_path(p))
		return fail(p, 400);
	p->minor = v[7] == '0' ? 0 : 1;
	p->state = S_FIELD;
	return HTTP_NEED_MORE;
}

static int method_char(struct http_parser *p, unsigned char c)
{
	if (c == ' ' && p->len) {
		p->method[p->len] = 0;
		p->len = 0;
		p->state = S_TARGET;
		return HTTP_NEED_MORE;
	}
	if (!is_tchar(c))
		return fail(p, 400);
	if (p->len == HTTP_METHOD_MAX)
		return fail(p, 501);	/* longer than any method we have */
	p->method[p->len++] = (char)c;
	return HTTP_NEED_MORE;
}

static int target_char(struct http_parser *p, unsigned char c)
{
	if (c == ' ' && p->len) {
		p->target[p->len] = 0;
		p->len = 0;
		p->state = S_VERSION;
		return HTTP_NEED_MORE;
	}
	if (c <= 0x20 || c >= 0x7f)
		return fail(p, 400);	/* also CR/LF: no HTTP/0.9 */
	p->target[p->len++] = (char)c;	/* fits: the line is at most HTTP_LINE_MAX */
	return HTTP_NEED_MORE;
}

static int version_char(struct http_parser *p, unsigned char c)
{
	if (c == '\r') {
		p->state = S_LINE_LF;
		return HTTP_NEED_MORE;
	}
	if (c == '\n')
		return end_request_line(p);
	if (p->len == 8)
		return fail(p, 400);
	p->version[p->len++] = (char)c;
	return HTTP_NEED_MORE;
}

/* A byte of the request line itself (not its line end). */
static int line_char(struct http_parser *p, unsigned char c)
{
	if (c != '\r' && c != '\n' && ++p->line_len > HTTP_LINE_MAX)
		return fail(p, 414);
	switch (p->state) {
	case S_METHOD:
		return method_char(p, c);
	case S_TARGET:
		return target_char(p, c);
	default:
		return version_char(p, c);
	}
}

/* ---- header fields ------------------------------------------------------- */

static enum field field_of(const struct http_parser *p)
{
	static const char *const names[] = {
		[F_CONTENT_LENGTH] = "content-length",
		[F_TRANSFER_ENCODING] = "transfer-encoding",
		[F_CONNECTION] = "connection",
		[F_HOST] = "host",
		[F_AUTHORIZATION] = "authorization",
	};

	if (p->name_long)
		return F_OTHER;
	for (unsigned f = F_CONTENT_LENGTH; f <= F_AUTHORIZATION; f++)
		if (!strcmp(p->name, names[f]))
			return (enum field)f;
	return F_OTHER;
}

/* 1*DIGIT, saturating; -1 when not all digits or empty. */
static int parse_length(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v != SATURATED)
			v = v > (SATURATED - 9) / 10 ? SATURATED : v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int content_length(struct http_parser *p)
{
	uint64_t v;

	if (parse_length(p->value, &v))
		return fail(p, 400);
	if (p->have_cl && v != p->content_length)
		return fail(p, 400);
	p->have_cl = true;
	p->content_length = v;
	if (v > HTTP_BODY_MAX)
		return fail(p, 413);
	return HTTP_NEED_MORE;
}

/* Connection = #connection-option: comma-separated tokens, any case. */
static void connection(struct http_parser *p)
{
	char *s = p->value;

	while (*s) {
		size_t n;

		while (*s == ',' || is_ows((unsigned char)*s))
			s++;
		for (n = 0; s[n] && s[n] != ',' && !is_ows((unsigned char)s[n]); n++)
			s[n] = lower(s[n]);
		if (n == 5 && !memcmp(s, "close", 5))
			p->conn_close = true;
		if (n == 10 && !memcmp(s, "keep-alive", 10))
			p->conn_keep_alive = true;
		s += n;
	}
}

static int end_field(struct http_parser *p)
{
	enum field f = (enum field)p->field;

	while (p->len && is_ows((unsigned char)p->value[p->len - 1]))
		p->len--;
	p->value[p->len] = 0;
	p->state = S_FIELD;
	switch (f) {
	case F_CONTENT_LENGTH:
		return content_length(p);
	case F_TRANSFER_ENCODING:
		p->have_te = true;
		break;
	case F_CONNECTION:
		connection(p);
		break;
	case F_HOST:
		if (++p->hosts > 1)
			return fail(p, 400);
		break;
	case F_AUTHORIZATION:	/* two credentials: which one counts is ambiguous */
		if (p->authorization[0])
			return fail(p, 400);
		memcpy(p->authorization, p->value, p->len + 1);
		break;
	default:
		break;
	}
	return HTTP_NEED_MORE;
}

static int end_head(struct http_parser *p)
{
	if (p->have_te)
		return fail(p, p->have_cl ? 400 : 501);
	if (p->minor == 1 && p->hosts == 0)
		return fail(p, 400);
	if (p->minor == 0)
		p->keep_alive = p->conn_keep_alive && !p->conn_close;
	else
		p->keep_alive = !p->conn_close;
	p->state = S_DONE;
	return HTTP_DONE;
}

static int field_start(struct http_parser *p, unsigned char c)
{
	if (c == '\r') {
		p->state = S_END_LF;
		return HTTP_NEED_MORE;
	}
	if (c == '\n')
		return end_head(p);
	if (!is_tchar(c))
		return fail(p, 400);	/* also obs-fold and whitespace before a name */
	p->name_len = 0;
	p->name_long = false;
	p->state = S_NAME;
	p->name[p->name_len++] = lower((char)c);
	return HTTP_NEED_MORE;
}

static int name_char(struct http_parser *p, unsigned char c)
{
	if (c == ':') {
		p->name[p->name_len] = 0;
		p->field = field_of(p);
		p->len = 0;
		p->state = S_OWS;
		return HTTP_NEED_MORE;
	}
	if (!is_tchar(c))
		return fail(p, 400);	/* also whitespace before the colon */
	if (p->name_len < HTTP_NAME_MAX)
		p->name[p->name_len++] = lower((char)c);
	else
		p->name_long = true;
	return HTTP_NEED_MORE;
}

static int value_char(struct http_parser *p, unsigned char c)
{
	if (c == '\r') {
		p->state = S_VALUE_LF;
		return HTTP_NEED_MORE;
	}
	if (c == '\n')
		return end_field(p);
	if (!is_field_char(c))
		return fail(p, 400);
	if (p->state == S_OWS && is_ows(c))
		return HTTP_NEED_MORE;
	p->state = S_VALUE;
	if (p->field == F_OTHER)
		return HTTP_NEED_MORE;
	if (p->len == HTTP_VALUE_MAX)
		return fail(p, 431);
	p->value[p->len++] = (char)c;
	return HTTP_NEED_MORE;
}

/* ---- the machine --------------------------------------------------------- */

static int lf_expected(struct http_parser *p, unsigned char c)
{
	if (c != '\n')
		return fail(p, 400);	/* a bare CR */
	switch (p->state) {
	case S_START_LF:
		p->state = S_START;
		return HTTP_NEED_MORE;
	case S_LINE_LF:
		return end_request_line(p);
	case S_VALUE_LF:
		return end_field(p);
	default:
		return end_head(p);
	}
}

static int step(struct http_parser *p, unsigned char c)
{
	if (++p->head_len > HTTP_HEAD_MAX)
		return fail(p, 431);
	switch (p->state) {
	case S_START:
		if (c == '\r' || c == '\n') {
			p->state = c == '\r' ? S_START_LF : S_START;
			return HTTP_NEED_MORE;
		}
		p->state = S_METHOD;
		return line_char(p, c);
	case S_METHOD:
	case S_TARGET:
	case S_VERSION:
		return line_char(p, c);
	case S_FIELD:
		return field_start(p, c);
	case S_NAME:
		return name_char(p, c);
	case S_OWS:
	case S_VALUE:
		return value_char(p, c);
	default:
		return lf_expected(p, c);
	}
}

int http_parser_feed(struct http_parser *p, const char *data, size_t len, size_t *used)
{
	size_t i = 0;
	int r = HTTP_NEED_MORE;

	if (p->state == S_DONE || p->state == S_ERROR) {
		*used = 0;
		return p->state == S_DONE ? HTTP_DONE : HTTP_ERROR;
	}
	while (i < len && r == HTTP_NEED_MORE)
		r = step(p, (unsigned char)data[i++]);
	*used = i;
	return r;
}

/* ---- metric names (takt/metrics.h) --------------------------------------- */

static bool name_ok(const char *s, bool metric)
{
	size_t n = 0;

	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || (metric && c == ':')))
			return false;
	}
	return n <= HTTP_METRIC_NAME_MAX;
}

bool http_metric_name_ok(const char *s)
{
	return name_ok(s, true);
}

bool http_label_name_ok(const char *s)
{
	return name_ok(s, false) && strcmp(s, "le") != 0 && strncmp(s, "__", 2) != 0;
}

/* Is a + sa the same string as b + sb? */
static bool same_joined(const char *a, const char *sa, const char *b, const char *sb)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + strlen(sa) != lb + strlen(sb))
		return false;
	if (la <= lb)	/* a is a prefix of b, and sa is b's rest + sb */
		return !strncmp(a, b, la) && !strncmp(sa, b + la, lb - la) &&
		       !strcmp(sa + (lb - la), sb);
	return same_joined(b, sb, a, sa);
}

bool http_names_clash(const char *a, bool ah, const char *b, bool bh)
{
	static const char *const sfx[] = { "", "_bucket", "_sum", "_count" };

	for (unsigned i = 0; i < (ah ? 4u : 1u); i++)
		for (unsigned j = 0; j < (bh ? 4u : 1u); j++)
			if (same_joined(a, sfx[i], b, sfx[j]))
				return true;
	return false;
}
