/*
 * A TLS client's checks and what they saw (<takt/tls.h>): the server's
 * certificate required and its name checked, the dates judged sensibly
 * while the wall clock is unknown, and the reason for a failed handshake
 * kept for one log line.
 *
 * Why the hooks: lwIP's altcp_tls_mbedtls (2.1.3) configures clients with
 * MBEDTLS_SSL_VERIFY_OPTIONAL and never looks at the result, sets no host
 * name, and on a failed handshake reports only ERR_CLSD. So the context is
 * made REQUIRED here, a verify callback records the chain's flags, and the
 * BIO is wrapped to notice a fatal alert the server sends in clear (in TLS
 * 1.2 a server that rejects our certificate says so before it has switched
 * to encryption).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <takt/time.h>
#include <takt/tls.h>

#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#define TLS_CT_ALERT	21	/* RFC 5246 6.2.1 ContentType alert */
#define TLS_HDR_LEN	5

/* -- dates without a wall clock ------------------------------------------- */

static bool floor_known;
static mbedtls_x509_time date_floor;	/* newest valid_from of the built-in certificates */

static int time_cmp(const mbedtls_x509_time *a, const mbedtls_x509_time *b)
{
	const int x[6] = { a->year, a->mon, a->day, a->hour, a->min, a->sec };
	const int y[6] = { b->year, b->mon, b->day, b->hour, b->min, b->sec };

	for (int i = 0; i < 6; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

/* The built-in certificates existed when the image was built, so now is
 * at least the newest of their start dates. */
static void floor_from(const unsigned char *pem, size_t len)
{
	mbedtls_x509_crt chain;

	if (!pem)
		return;
	mbedtls_x509_crt_init(&chain);
	if (mbedtls_x509_crt_parse(&chain, pem, len) >= 0) {
		for (const mbedtls_x509_crt *c = &chain; c && c->version; c = c->next) {
			if (!floor_known || time_cmp(&c->valid_from, &date_floor) > 0)
				date_floor = c->valid_from;
			floor_known = true;
		}
	}
	mbedtls_x509_crt_free(&chain);
}

static void date_floor_init(void)
{
	static bool done;
	const struct tk_tls_creds *cr = tk_tls_creds();

	if (done)
		return;
	done = true;
	floor_from(cr->ca, cr->ca_len);
	floor_from(cr->cert, cr->cert_len);
	if (floor_known)
		printf("tls: wall clock not set yet: certificate expiry checked against "
		       "%04d-%02d-%02d (the newest built-in certificate's start)\n",
		       date_floor.year, date_floor.mon, date_floor.day);
}

static bool clock_set(void)
{
	struct tk_realtime_state st;

	tk_realtime_state(&st);
	return st.source != TK_TIME_NONE;
}

/* mbedTLS judged the dates against time(), 1970 until the clock is set:
 * everything "not yet valid", nothing "expired". Judge again. */
static void fix_dates(const mbedtls_x509_crt *crt, uint32_t *flags)
{
	if (clock_set())
		return;
	*flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_FUTURE | MBEDTLS_X509_BADCERT_EXPIRED);
	if (floor_known && time_cmp(&crt->valid_to, &date_floor) < 0)
		*flags |= MBEDTLS_X509_BADCERT_EXPIRED;
}

/* Called for each certificate of the chain, the root first. */
static int verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct tk_tls_status *st = ctx;

	(void)depth;
	fix_dates(crt, flags);
	st->verified = true;
	st->verify_flags |= *flags;
	return 0;	/* flags left set fail the handshake (VERIFY_REQUIRED) */
}

/* -- the server's alert, read as the records go by ----------------------- */

static void watch_records(struct tk_tls_status *st, const unsigned char *p, size_t n)
{
	while (n) {
		if (st->hdr_len < TLS_HDR_LEN) {
			st->hdr[st->hdr_len++] = *p++;
			n--;
			if (st->hdr_len == TLS_HDR_LEN)
				st->body_left = (unsigned)st->hdr[3] << 8 | st->hdr[4];
		} else if (st->hdr[0] == TLS_CT_ALERT && st->hdr[3] == 0 && st->hdr[4] == 2) {
			/* a plaintext alert: level (2: fatal), description */
			if (st->body_left == 2)
				st->level = *p;
			else if (st->level == 2)
				st->alert = *p;
			st->body_left--;
			p++;
			n--;
		} else {
			size_t take = n < st->body_left ? n : st->body_left;

			st->body_left -= (unsigned)take;
			p += take;
			n -= take;
		}
		if (st->hdr_len == TLS_HDR_LEN && st->body_left == 0)
			st->hdr_len = 0;
	}
}

static int recv_hook(void *ctx, unsigned char *buf, size_t len)
{
	struct tk_tls_status *st = ctx;
	int n = st->recv(st->bio, buf, len);

	if (n > 0)
		watch_records(st, buf, (size_t)n);
	return n;
}

static int send_hook(void *ctx, const unsigned char *buf, size_t len)
{
	struct tk_tls_status *st = ctx;

	return st->send(st->bio, buf, len);
}

int tk_tls_client_setup(struct mbedtls_ssl_context *ssl, const char *host,
			struct tk_tls_status *st)
{
	if (!ssl || !host || !st || !ssl->conf || !ssl->f_recv || !ssl->f_send)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	st->alert = -1;
	st->bio = ssl->p_bio;
	st->send = ssl->f_send;
	st->recv = ssl->f_recv;
	date_floor_init();
	if (mbedtls_ssl_set_hostname(ssl, host))
		return -ENOMEM;
	/* The config is lwIP's and shared by its connections, all of which
	 * must verify: it is not const, only declared so in the context. */
	mbedtls_ssl_conf_authmode((mbedtls_ssl_config *)ssl->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_set_verify(ssl, verify_cb, st);
	mbedtls_ssl_set_bio(ssl, st, send_hook, recv_hook, 0);
	return 0;
}

/* -- words ------------------------------------------------------------------ */

static const struct {
	uint32_t flag;
	const char *text;
} flag_words[] = {
	{ MBEDTLS_X509_BADCERT_NOT_TRUSTED, "not signed by a trusted CA" },
	{ MBEDTLS_X509_BADCERT_CN_MISMATCH, "host name mismatch" },
	{ MBEDTLS_X509_BADCERT_EXPIRED, "expired" },
	{ MBEDTLS_X509_BADCERT_FUTURE, "not yet valid" },
	{ MBEDTLS_X509_BADCERT_REVOKED, "revoked" },
	{ MBEDTLS_X509_BADCERT_MISSING, "missing" },
	{ MBEDTLS_X509_BADCERT_KEY_USAGE, "key usage does not allow it" },
	{ MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "extended key usage does not allow it" },
	{ MBEDTLS_X509_BADCERT_BAD_MD, "signed with a hash not allowed" },
	{ MBEDTLS_X509_BADCERT_BAD_PK, "signed with a key type not allowed" },
	{ MBEDTLS_X509_BADCERT_BAD_KEY, "key too weak or curve not allowed" },
};

char *tk_tls_verify_text(uint32_t flags, char *buf, size_t len)
{
	size_t at = 0;

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++) {
		if (!(flags & flag_words[i].flag))
			continue;
		flags &= ~flag_words[i].flag;
		at += (size_t)snprintf(buf + at, at < len ? len - at : 0, "%s%s", at ? ", " : "",
				       flag_words[i].text);
	}
	if (flags)
		snprintf(buf + at, at < len ? len - at : 0, "%sflags 0x%lx", at ? ", " : "",
			 (unsigned long)flags);
	return buf;
}

static const char *alert_text(int a)
{
	switch (a) {
	case 40: return "handshake failure";
	case 42: return "bad certificate";
	case 43: return "unsupported certificate";
	case 44: return "certificate revoked";
	case 45: return "certificate expired";
	case 46: return "certificate unknown";
	case 47: return "illegal parameter";
	case 48: return "unknown CA";
	case 49: return "access denied";
	case 50: return "decode error";
	case 51: return "decrypt error";
	case 70: return "protocol version";
	case 71: return "insufficient security";
	case 80: return "internal error";
	case 116: return "certificate required";
	default: return "alert";
	}
}

char *tk_tls_status_text(const struct tk_tls_status *st, char *buf, size_t len)
{
	char words[128];

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	if (!st)
		return buf;
	if (st->verify_flags)
		snprintf(buf, len, "server certificate: %s",
			 tk_tls_verify_text(st->verify_flags, words, sizeof(words)));
	else if (st->alert >= 0)
		snprintf(buf, len, "the peer refused the handshake: %s (alert %d)",
			 alert_text(st->alert), st->alert);
	return buf;
}
