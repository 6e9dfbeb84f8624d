/*
 * Wall-clock time (<takt/time.h>): an offset on the monotonic clock. Read
 * from any context without a lock: the offset is one 64-bit word, written
 * whole. The RFC 3339 formatting does its own civil-date arithmetic
 * (days to year/month/day, Howard Hinnant's algorithm), so it needs no
 * time zone data and runs in a log thread or a panic alike.
 */
#include <errno.h>
#include <stdio.h>

#include <takt/time.h>

#define NS 1000000000ull
#define YEAR_2000 946684800ull		/* Unix seconds */
#define YEAR_2100 4102444800ull

static int64_t offset_ns;		/* realtime = monotonic + offset */
static struct tk_realtime_state state;

uint64_t tk_realtime_ns(void)
{
	return tk_now_ns() + (uint64_t)__atomic_load_n(&offset_ns, __ATOMIC_RELAXED);
}

int tk_realtime_set(uint64_t unix_ns, enum tk_time_source source)
{
	uint64_t now = tk_now_ns();
	int64_t old = __atomic_load_n(&offset_ns, __ATOMIC_RELAXED), off;

	if ((source != TK_TIME_SET && source != TK_TIME_SNTP) || unix_ns < YEAR_2000 * NS ||
	    unix_ns > YEAR_2100 * NS)
		return -EINVAL;
	off = (int64_t)(unix_ns - now);
	__atomic_store_n(&offset_ns, off, __ATOMIC_RELAXED);
	state.last_step_ns = off - old;
	state.last_set_mono_ns = now;
	state.sets++;
	__atomic_store_n(&state.source, source, __ATOMIC_RELEASE);
	return 0;
}

uint64_t tk_realtime_to_mono(uint64_t unix_ns)
{
	int64_t off = __atomic_load_n(&offset_ns, __ATOMIC_RELAXED);

	if (off >= 0)
		return unix_ns > (uint64_t)off ? unix_ns - (uint64_t)off : 0;
	return unix_ns + (uint64_t)-off;
}

void tk_realtime_state(struct tk_realtime_state *st)
{
	if (st)
		*st = state;
}

int tk_realtime_format(uint64_t unix_ns, char *buf, unsigned len)
{
	uint64_t secs = unix_ns / NS, days = secs / 86400, sod = secs % 86400;
	/* civil_from_days, for days since 1970-01-01 (non-negative) */
	uint64_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	unsigned long y = (unsigned long)(yoe + era * 400 + (m <= 2));
	int n;

	if (!buf || len < 28) {
		if (buf && len)
			buf[0] = 0;
		return 0;
	}
	n = snprintf(buf, len, "%04lu-%02u-%02uT%02u:%02u:%02u.%06luZ", y, m, d,
		     (unsigned)(sod / 3600), (unsigned)(sod / 60 % 60), (unsigned)(sod % 60),
		     (unsigned long)(unix_ns % NS / 1000));
	return n < 0 ? 0 : n;
}
