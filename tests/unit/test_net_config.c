/* net/config.c: network settings from bootargs and DT, strictly parsed. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* A fake source: a NULL-terminated list of key, value pairs. */
static const char *const *args, *const *dts;

static const char *find(const char *const *kv, const char *key)
{
	const char *v = NULL;

	for (; kv && kv[0]; kv += 2)
		if (strcmp(kv[0], key) == 0)
			v = kv[1];
	return v;
}

static const char *bootarg(const char *key) { return find(args, key); }
static const char *dt(const char *key) { return find(dts, key); }

static int read_cfg(struct net_config *c, char *err)
{
	return net_config_read(c, bootarg, dt, err, 128);
}

static void test_ipv4(void **state)
{
	uint8_t a[4];

	(void)state;
	assert_int_equal(net_parse_ipv4("10.0.2.15", a), 0);
	assert_memory_equal(a, ((uint8_t[]){ 10, 0, 2, 15 }), 4);
	assert_int_equal(net_parse_ipv4("255.255.255.255", a), 0);
	assert_int_equal(net_parse_ipv4("0.0.0.0", a), 0);
	const char *bad[] = { "", "1", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.0.0.1", "1..2.3",
			      "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.0004", "a.b.c.d",
			      "1.2.3.4/24", "99999999999.1.1.1" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(net_parse_ipv4(bad[i], a), -EINVAL);
	assert_int_equal(net_parse_ipv4(NULL, a), -EINVAL);
}

static void test_cidr(void **state)
{
	uint8_t a[4], m[4];

	(void)state;
	assert_int_equal(net_parse_cidr("192.168.1.9/24", a, m), 0);
	assert_memory_equal(m, ((uint8_t[]){ 255, 255, 255, 0 }), 4);
	assert_int_equal(net_prefix_len(m), 24);
	assert_int_equal(net_parse_cidr("10.1.2.3/0", a, m), 0);
	assert_int_equal(net_prefix_len(m), 0);
	assert_int_equal(net_parse_cidr("10.1.2.3/32", a, m), 0);
	assert_int_equal(net_prefix_len(m), 32);
	assert_int_equal(net_parse_cidr("10.1.2.3/17", a, m), 0);
	assert_memory_equal(m, ((uint8_t[]){ 255, 255, 128, 0 }), 4);
	const char *bad[] = { "10.1.2.3", "10.1.2.3/", "10.1.2.3/33", "10.1.2.3/-1",
			      "10.1.2.3/2x", "10.1.2/8", "/24", "10.1.2.3/0024",
			      "1234567890123456789/8" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(net_parse_cidr(bad[i], a, m), -EINVAL);
	assert_int_equal(net_prefix_len((uint8_t[]){ 255, 0, 255, 0 }), -EINVAL);
}

static void test_hostname(void **state)
{
	char long_name[70];

	(void)state;
	assert_int_equal(net_check_hostname("gw-1"), 0);
	assert_int_equal(net_check_hostname("a"), 0);
	assert_int_equal(net_check_hostname(""), -EINVAL);
	assert_int_equal(net_check_hostname("-a"), -EINVAL);
	assert_int_equal(net_check_hostname("a-"), -EINVAL);
	assert_int_equal(net_check_hostname("a.b"), -EINVAL);
	assert_int_equal(net_check_hostname("a b"), -EINVAL);
	memset(long_name, 'x', 63);
	long_name[63] = 0;
	assert_int_equal(net_check_hostname(long_name), 0);
	long_name[63] = 'x';
	long_name[64] = 0;
	assert_int_equal(net_check_hostname(long_name), -EINVAL);
}

static void test_parse_ulong_takes_digits_in_range_only(void **state)
{
	unsigned long v = 0;

	(void)state;
	assert_int_equal(net_parse_ulong("80", 1, 65535, &v), 0);
	assert_int_equal(v, 80);
	assert_int_equal(net_parse_ulong("65535", 1, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(net_parse_ulong("1", 1, 65535, &v), 0);
	assert_int_equal(net_parse_ulong("007", 1, 65535, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(net_parse_ulong(ULONG_MAX == 18446744073709551615ul ?
					 "18446744073709551615" : "4294967295",
					  0, ULONG_MAX, &v), 0);
	assert_true(v == ULONG_MAX);
	v = 42;
	static const char *const bad[] = { "0", "65536", "", "+1", "-1", " 1", "1 ", "1x", "0x10",
					   "99999999999999999999999", "5", "9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned long hi = i >= 10 ? 4 : 65535;	/* "5", "9": one digit past hi */

		assert_int_equal(net_parse_ulong(bad[i], 1, hi, &v), -EINVAL);
	}
	assert_int_equal(net_parse_ulong(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(net_parse_ulong("18446744073709551616", 0, ULONG_MAX, &v), -EINVAL);
	assert_int_equal(v, 42);	/* untouched on failure */
}

static void test_defaults(void **state)
{
	struct net_config c;
	char err[128];

	(void)state;
	args = dts = NULL;
	assert_int_equal(read_cfg(&c, err), 0);
	assert_false(c.off || c.have_ip || c.have_gw || c.have_dns);
	assert_string_equal(c.hostname, "takt");
	assert_int_equal(c.prio, NET_PRIO_DEFAULT);
}

static void test_static_and_precedence(void **state)
{
	struct net_config c;
	char err[128];
	const char *a[] = { "net.ip", "10.0.2.99/24", "net.prio", "33", NULL };
	const char *d[] = { "takt,net-ip", "10.0.2.88/16", "takt,net-gateway", "10.0.2.2",
			    "takt,net-dns", "10.0.2.3", "takt,net-hostname", "edge7", NULL };

	(void)state;
	args = a;
	dts = d;
	assert_int_equal(read_cfg(&c, err), 0);
	assert_true(c.have_ip && c.have_gw && c.have_dns);
	assert_memory_equal(c.ip, ((uint8_t[]){ 10, 0, 2, 99 }), 4);	/* bootargs win */
	assert_memory_equal(c.mask, ((uint8_t[]){ 255, 255, 255, 0 }), 4);
	assert_memory_equal(c.gw, ((uint8_t[]){ 10, 0, 2, 2 }), 4);	/* the DT fills in */
	assert_string_equal(c.hostname, "edge7");
	assert_int_equal(c.prio, 33);
}

static void expect_error(const char **a, const char **d, const char *msg)
{
	struct net_config c;
	char err[128] = "";

	args = a;
	dts = d;
	assert_int_equal(read_cfg(&c, err), -EINVAL);
	assert_non_null(strstr(err, msg));
}

static void test_errors_name_the_setting(void **state)
{
	(void)state;
	expect_error((const char *[]){ "net.ip", "10.0.2.300/24", NULL }, NULL,
		     "net.ip \"10.0.2.300/24\": not an IPv4 address/prefix");
	expect_error(NULL, (const char *[]){ "takt,net-ip", "x", NULL },
		     "takt,net-ip \"x\": not an IPv4");
	expect_error((const char *[]){ "net.gw", "10.0.2.2", NULL }, NULL,
		     "a gateway needs a static address");
	expect_error((const char *[]){ "net.ip", "10.0.0.1/8", "net.gw", "10.0.0", NULL }, NULL,
		     "net.gw \"10.0.0\"");
	expect_error((const char *[]){ "net.dns", "1.1.1.1.1", NULL }, NULL, "net.dns");
	expect_error((const char *[]){ "net.prio", "100", NULL }, NULL, "a FIFO priority 1..99");
	expect_error((const char *[]){ "net.prio", "", NULL }, NULL, "net.prio \"\"");
	expect_error((const char *[]){ "net.prio", "5x", NULL }, NULL, "net.prio \"5x\"");
	expect_error((const char *[]){ "net.prio", "+5", NULL }, NULL, "net.prio \"+5\"");
	expect_error((const char *[]){ "net.prio", " 5", NULL }, NULL, "net.prio \" 5\"");
	expect_error((const char *[]){ "net.hostname", "a_b", NULL }, NULL, "net.hostname");
	expect_error((const char *[]){ "net", "", NULL }, NULL, "the only value is \"off\"");
}

static void test_off(void **state)
{
	struct net_config c;
	char err[128];

	(void)state;
	args = (const char *[]){ "net", "off", "net.ip", "garbage", NULL };
	dts = NULL;
	assert_int_equal(read_cfg(&c, err), 0);	/* off: nothing else is read */
	assert_true(c.off);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_parse_ulong_takes_digits_in_range_only),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_static_and_precedence),
		cmocka_unit_test(test_errors_name_the_setting),
		cmocka_unit_test(test_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
