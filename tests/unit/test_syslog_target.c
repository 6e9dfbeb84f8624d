/* net/syslog_target.c: syslog=HOST[:PORT][/udp|/tcp], strictly parsed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "syslog_target.h"

static void test_good(void **state)
{
	struct syslog_target t;
	char err[96];

	(void)state;
	assert_int_equal(syslog_parse_target("10.0.2.2", &t, err, sizeof(err)), 0);
	assert_string_equal(t.host, "10.0.2.2");
	assert_int_equal(t.port, 514);
	assert_false(t.tcp);
	assert_int_equal(syslog_parse_target("logs.example.org:6514/tcp", &t, err, sizeof(err)), 0);
	assert_string_equal(t.host, "logs.example.org");
	assert_int_equal(t.port, 6514);
	assert_true(t.tcp);
	assert_int_equal(syslog_parse_target("h-1:1/udp", &t, err, sizeof(err)), 0);
	assert_int_equal(t.port, 1);
	assert_false(t.tcp);
	assert_int_equal(syslog_parse_target("h:65535", &t, err, sizeof(err)), 0);
	assert_int_equal(t.port, 65535);
	assert_int_equal(syslog_parse_target("0.0.0.0:1", &t, err, sizeof(err)), 0);
	assert_int_equal(syslog_parse_target("255.255.255.255", &t, err, sizeof(err)), 0);
	assert_int_equal(syslog_parse_target("a1.b2.example", &t, err, sizeof(err)), 0);
}

static void bad(const char *s, const char *why)
{
	struct syslog_target t = { .host = "kept", .port = 7 };
	char err[96] = "";

	assert_int_equal(syslog_parse_target(s, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, why));
	assert_string_equal(t.host, "kept");	/* untouched on error */
	assert_int_equal(t.port, 7);
}

static void test_bad(void **state)
{
	char host64[70];

	(void)state;
	bad("", "the host");
	bad(":514", "the host");
	bad("h:", "an empty port");
	bad("h:0", "1..65535");
	bad("h:65536", "1..65535");
	bad("h:99999999999999999999", "1..65535");
	bad("h:12a", "1..65535");
	bad("h/sctp", "/udp or /tcp");
	bad("h:514/", "/udp or /tcp");
	bad("h/tcp/udp", "/udp or /tcp");
	bad("ho st", "the host");
	bad("-h", "the host");
	bad("h.", "the host");
	bad("h_x", "the host");
	/* all digits and dots is an address, and only A.B.C.D: lwIP's resolver
	 * would take "10.0.2" as 10.0.0.2, a bare number, a 4-digit octet */
	bad("10.0.2", "the host");
	bad("167772674", "the host");
	bad("10.0.2.0255", "the host");
	bad("10.0.2.256", "the host");
	bad("10.0.02.2", "the host");
	bad("10..2.2", "the host");
	bad("1.2.3.4.5", "the host");
	bad("0x0a000202", "the host");
	bad("10.0.2.0x2", "the host");
	memset(host64, 'a', 64);
	host64[64] = 0;
	bad(host64, "at most 63");
	assert_int_equal(syslog_parse_target(NULL, NULL, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
