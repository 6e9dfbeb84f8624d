/*
 * Log levels by module (<takt/log.h>): the default level and up to 16
 * module overrides, set from bootargs (log.level=, log.MODULE=) or at run
 * time. Read without a lock on every tk_log call: an override is filled in
 * before the count that publishes it grows, and a level is one int.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/board.h>
#include <takt/log.h>
#include <takt/spinlock.h>

#include "kernel.h"

#define MODULES_MAX 16

static const char *const names[] = { "emerg", "alert", "crit", "err", "warning", "notice",
				     "info", "debug" };
static int default_level = TK_LOG_INFO;
static struct {
	char module[TK_LOG_MODULE_MAX + 1];
	int level;
} mods[MODULES_MAX];
static unsigned nmods;

const char *tk_log_level_name(int level)
{
	return level >= 0 && level <= TK_LOG_DEBUG ? names[level] : 0;
}

int tk_log_parse_level(const char *s)
{
	if (!s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return s[0] - '0';
	for (int i = 0; i <= TK_LOG_DEBUG; i++)
		if (!strcmp(s, names[i]))
			return i;
	if (!strcmp(s, "error"))
		return TK_LOG_ERR;
	if (!strcmp(s, "warn"))
		return TK_LOG_WARNING;
	return -EINVAL;
}

static bool module_ok(const char *m)
{
	size_t n = strlen(m);

	if (!n || n > TK_LOG_MODULE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((m[i] >= 'a' && m[i] <= 'z') || (m[i] >= '0' && m[i] <= '9') ||
		      m[i] == '_' || m[i] == '-'))
			return false;
	return true;
}

/* Setters one at a time (two adding the same module at once would both
 * take the same free entry); readers take none. */
static tk_spinlock_t set_lock = TK_SPINLOCK_INIT;

static int set_module_level(const char *module, int level)
{
	unsigned n = __atomic_load_n(&nmods, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(mods[i].module, module)) {
			__atomic_store_n(&mods[i].level, level, __ATOMIC_RELAXED);
			return 0;
		}
	if (n == MODULES_MAX)
		return -ENOSPC;
	strcpy(mods[n].module, module);
	mods[n].level = level;
	__atomic_store_n(&nmods, n + 1, __ATOMIC_RELEASE);
	return 0;
}

int tk_log_set_level(const char *module, int level)
{
	unsigned long f;
	int err;

	if (level < 0 || level > TK_LOG_DEBUG)
		return -EINVAL;
	if (!module) {
		__atomic_store_n(&default_level, level, __ATOMIC_RELAXED);
		return 0;
	}
	if (!module_ok(module))
		return -EINVAL;
	f = tk_spin_lock_irqsave(&set_lock);
	err = set_module_level(module, level);
	tk_spin_unlock_irqrestore(&set_lock, f);
	return err;
}

int tk_log_level_of(const char *module)
{
	unsigned n = __atomic_load_n(&nmods, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; module && i < n; i++)
		if (!strcmp(mods[i].module, module))
			return __atomic_load_n(&mods[i].level, __ATOMIC_RELAXED);
	return __atomic_load_n(&default_level, __ATOMIC_RELAXED);
}

/* log.level=LEVEL and log.MODULE=LEVEL, each checked and named when bad. */
static void log_bootargs(void)
{
	const char *const *argv = bootargs_argv();

	for (int i = 1; argv && argv[i]; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		char module[TK_LOG_MODULE_MAX + 2];
		size_t n;
		int level, err;

		if (strncmp(a, "log.", 4) != 0)
			continue;
		n = eq ? (size_t)(eq - a - 4) : 0;
		level = eq ? tk_log_parse_level(eq + 1) : -EINVAL;
		if (level < 0) {
			tk_printk("log: %s ignored (a level: emerg, alert, crit, err, warning, notice, "
				  "info, debug or 0..7)\n", a);
			continue;
		}
		if (n > TK_LOG_MODULE_MAX) {
			tk_printk("log: %s ignored (a module name is at most %d characters)\n", a,
				  TK_LOG_MODULE_MAX);
			continue;
		}
		memcpy(module, a + 4, n);
		module[n] = 0;
		err = tk_log_set_level(strcmp(module, "level") ? module : 0, level);
		if (err)
			tk_printk("log: %s ignored (%s)\n", a, err == -ENOSPC ? "16 module filters "
				  "already" : "a module name is a-z, 0-9, '_', '-'");
	}
}
TK_INIT(log_bootargs);
