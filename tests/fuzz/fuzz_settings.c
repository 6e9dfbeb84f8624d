/*
 * Settings from the kernel command line: the input is a command line
 * (then, after a newline, the DT's takt,net-* settings as key=value
 * words). It is split as boot.c splits /chosen/bootargs, and every
 * settings parser reads the result: net.* (net_config_read and the value
 * parsers), metrics.* (port, timeout, the metrics.allow prefix list),
 * syslog=, and the gateway app's mqtt* settings (gw_check_args,
 * gw_config_read). Each value word also goes through every value parser,
 * so that a parser is fuzzed with whatever any key carries.
 */
#include <errno.h>
#include <stdbool.h>

#include "bootargs.h"
#include "config.h"
#include "fuzz_common.h"
#include "gateway.h"
#include "http_internal.h"
#include "parse.h"
#include "syslog_target.h"

#define MAX_ARGS BOOTARGS_MAX_ARGS	/* boot.c's (it was 64 here, 32 there) */

void tk_printk(const char *fmt, ...)
{
	(void)fmt;	/* the parsers' messages: only their arguments matter */
}

static char *argv_[MAX_ARGS + 1], *dt_argv[MAX_ARGS + 1];
static int argc_, dt_argc;

/* boot.c's tk_bootarg (not pure: it reads boot.c's argv): the last
 * key=value wins, a bare key gives "". */
static const char *lookup(char *const *v, int n, const char *key)
{
	size_t len = key ? strlen(key) : 0;
	const char *found = NULL;

	for (int i = 1; len && i < n; i++)
		if (strncmp(v[i], key, len) == 0 && (v[i][len] == '=' || !v[i][len]))
			found = v[i][len] ? v[i] + len + 1 : v[i] + len;
	return found;
}

static const char *bootarg(const char *key) { return lookup(argv_, argc_, key); }
static const char *dt(const char *key) { return lookup(dt_argv, dt_argc, key); }

static void check_err(const char *err, size_t len)
{
	FUZZ_CHECK(memchr(err, '\0', len) != NULL);
}

/* Every value parser on one string. */
static void every_parser(const char *v)
{
	uint8_t a[4], m[4];
	unsigned long u;
	struct syslog_target t;
	char err[128];

	if (net_parse_ipv4(v, a) == 0)
		FUZZ_CHECK(strspn(v, "0123456789.") == strlen(v));
	if (net_parse_cidr(v, a, m) == 0)
		FUZZ_CHECK(net_prefix_len(m) >= 0 && net_prefix_len(m) <= 32);
	if (net_check_hostname(v) == 0)
		FUZZ_CHECK(strlen(v) >= 1 && strlen(v) <= NET_HOSTNAME_MAX);
	if (net_parse_ulong(v, 1, 65535, &u) == 0)
		FUZZ_CHECK(u >= 1 && u <= 65535);
	if (net_parse_ulong(v, 0, ~0ul, &u) == 0)
		FUZZ_CHECK(strspn(v, "0123456789") == strlen(v));
	if (syslog_parse_target(v, &t, err, sizeof(err)) == 0)
		FUZZ_CHECK(memchr(t.host, '\0', sizeof(t.host)) && t.port >= 1 && t.port <= 65535);
	else
		check_err(err, sizeof(err));
	(void)http_access_configure(v);
	(void)http_metric_name_ok(v);
	(void)http_label_name_ok(v);
}

static void settings(void)
{
	struct net_config nc;
	struct gw_config gc;
	char err[160];
	unsigned long u;
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	if (net_config_read(&nc, bootarg, dt, err, sizeof(err)) == 0) {
		FUZZ_CHECK(memchr(nc.hostname, '\0', sizeof(nc.hostname)) != NULL);
		FUZZ_CHECK(nc.prio >= 1 && nc.prio <= 99);
		FUZZ_CHECK(!nc.have_gw || nc.have_ip);
	} else {
		check_err(err, sizeof(err));
	}
	/* net/http/server.c's configure(): metrics.* */
	if (bootarg("metrics.port"))
		(void)net_parse_ulong(bootarg("metrics.port"), 1, 65535, &u);
	if (bootarg("metrics.timeout_ms"))
		(void)net_parse_ulong(bootarg("metrics.timeout_ms"), 10, 600000, &u);
	if (http_access_configure(bootarg("metrics.allow")) == 0)
		FUZZ_CHECK(http_access_count() <= 8);
	if (bootarg("syslog")) {
		struct syslog_target t;

		if (syslog_parse_target(bootarg("syslog"), &t, err, sizeof(err)))
			check_err(err, sizeof(err));
	}
	/* apps/gateway/main.c: argv checked, then the settings read */
	if (gw_check_args(argc_, argv_, err, sizeof(err)))
		check_err(err, sizeof(err));
	if (gw_config_read(&gc, bootarg, (argc_ & 1) ? mac : NULL, err, sizeof(err)) == 0) {
		FUZZ_CHECK(memchr(gc.host, '\0', sizeof(gc.host)) && memchr(gc.topic, '\0', sizeof(gc.topic)));
		FUZZ_CHECK(memchr(gc.id, '\0', sizeof(gc.id)) && memchr(gc.user, '\0', sizeof(gc.user)));
		FUZZ_CHECK(!gc.mqtt || gc.port >= 1);
		FUZZ_CHECK(gc.period_ms >= GW_PERIOD_MS_MIN && gc.period_ms <= GW_PERIOD_MS_MAX);
		FUZZ_CHECK(!strpbrk(gc.topic, "+#"));
	} else {
		check_err(err, sizeof(err));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_string(data, size);
	char *nl = strchr(line, '\n');
	char *dt_line = NULL;

	if (nl) {
		*nl = '\0';
		dt_line = nl + 1;
	}
	argc_ = tk_bootargs_split(line, "app", argv_, MAX_ARGS + 1);
	dt_argc = tk_bootargs_split(dt_line, "dt", dt_argv, MAX_ARGS + 1);
	FUZZ_CHECK(argc_ != 0 && dt_argc != 0);
	if (argc_ < 0 || dt_argc < 0)	/* boot.c stops here: no argv at all */
		goto out;
	FUZZ_CHECK(argc_ <= MAX_ARGS && argv_[argc_] == NULL && !strcmp(argv_[0], "app"));
	settings();
	for (int i = 1; i < argc_; i++) {
		const char *eq = strchr(argv_[i], '=');

		every_parser(eq ? eq + 1 : argv_[i]);
	}
out:
	free(line);
	return 0;
}
