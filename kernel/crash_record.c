/*
 * The crash record (<takt/crash.h>): the core and the reason of a crash,
 * kept across a warm reset in the DT's "takt,crash-record" region.
 *
 * The region holds a header, then the core's bytes. A crash writes them in
 * the order that makes a half-written record invalid: the magic cleared
 * first, the core copied as crash_core.c sends it, the header with its two
 * CRCs, the magic last; then the region is cleaned from the data cache to
 * memory (a reset does not write dirty lines back). At boot, before the
 * drivers, a record is checked (version, lengths, header CRC, core CRC),
 * reported, and consumed (its magic cleared) so that the next reset does
 * not report it again; its bytes stay for tk_crash_previous until a new
 * crash overwrites them. RAM that never held a record (a cold boot) has no
 * magic and says nothing; a magic with a bad header or core is one line.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdbool.h>
#include <string.h>

#include <takt/board.h>
#include <takt/crash.h>
#include <takt/dt.h>
#include <takt/log.h>
#include <takt/time.h>

#include "arch.h"
#include "console_b64.h"
#include "kernel.h"
#include "memmap.h"

#define MAGIC 0x5243544bu	/* "TKCR" */
#define VERSION 1u
#define REGION_MIN (64u * 1024)
#define REGION_MAX (16u * 1024 * 1024)
#define FLAG_TRUNCATED 1u

struct record {
	uint32_t magic, version, hdr_size, reason;
	uint64_t uptime_ns, realtime_ns;
	char why[TK_CRASH_WHY_MAX];
	uint32_t flags, core_len, core_crc;
	uint32_t hdr_crc;	/* of the bytes above; last */
};

static bool panic_reset;

static struct {
	struct record *rec;	/* NULL: no region */
	uint64_t size;		/* the region's bytes */
	bool writing;
	uint32_t stored, crc;
	bool truncated;
	bool have_prev;
	struct tk_crash_info prev;
} cr;

const char *tk_crash_reason_name(unsigned reason)
{
	static const char *const names[] = { 0, "panic", "fault", "watchdog" };

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : 0;
}

static uint8_t *data(void)
{
	return (uint8_t *)(cr.rec + 1);
}

static uint32_t hdr_crc(const struct record *r)
{
	return crc32_ieee(0, r, offsetof(struct record, hdr_crc));
}

static uint64_t realtime_or_0(void)
{
	struct tk_realtime_state st;

	tk_realtime_state(&st);
	return st.source != TK_TIME_NONE ? tk_realtime_ns() : 0;
}

/* ---- writing, from crash_core.c ---- */

bool crash_record_armed(void)
{
	return cr.rec != 0;
}

void crash_record_begin(void)
{
	if (!cr.rec)
		return;
	cr.rec->magic = 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cr.stored = cr.crc = 0;
	cr.truncated = false;
	cr.writing = true;
}

void crash_record_put(const void *p, size_t n)
{
	uint64_t room;

	if (!cr.writing)
		return;
	room = cr.size - sizeof(struct record) - cr.stored;
	if (n > room) {
		n = (size_t)room;
		cr.truncated = true;
	}
	memcpy(data() + cr.stored, p, n);
	cr.crc = crc32_ieee(cr.crc, p, n);
	cr.stored += (uint32_t)n;
}

void crash_record_end(unsigned reason, const char *why)
{
	struct record *r = cr.rec;

	if (!cr.writing)
		return;
	cr.writing = false;
	r->version = VERSION;
	r->hdr_size = sizeof(*r);
	r->reason = reason;
	r->uptime_ns = tk_now_ns();
	r->realtime_ns = realtime_or_0();
	strncpy(r->why, why ? why : "", sizeof(r->why) - 1);
	r->why[sizeof(r->why) - 1] = 0;
	r->flags = cr.truncated ? FLAG_TRUNCATED : 0;
	r->core_len = cr.stored;
	r->core_crc = cr.crc;
	r->magic = MAGIC;
	r->hdr_crc = hdr_crc(r);
	arch_dcache_clean(r, sizeof(*r) + cr.stored);
}

/* ---- reading, at boot ---- */

int tk_crash_previous(struct tk_crash_info *info)
{
	if (!info)
		return -EINVAL;
	if (!cr.have_prev)
		return cr.rec ? -ENOENT : -ENODEV;
	*info = cr.prev;
	return 0;
}

/* NULL when the record is sound, else why it is not. */
static const char *check(const struct record *r, uint64_t size)
{
	if (r->version != VERSION || r->hdr_size != sizeof(*r))
		return "bad length (an unknown version or header size)";
	if (hdr_crc(r) != r->hdr_crc)
		return "bad CRC (header)";
	if (r->core_len > size - sizeof(*r))
		return "bad length (a core longer than the region)";
	if (crc32_ieee(0, r + 1, r->core_len) != r->core_crc)
		return "bad CRC (core)";
	return 0;
}

static void report(const struct record *r)
{
	struct tk_crash_info *p = &cr.prev;
	char when[40] = "";

	p->reason = r->reason;
	p->uptime_ns = r->uptime_ns;
	p->realtime_ns = r->realtime_ns;
	memcpy(p->why, r->why, sizeof(p->why));
	p->why[sizeof(p->why) - 1] = 0;
	p->core = r + 1;
	p->core_len = r->core_len;
	p->core_truncated = !!(r->flags & FLAG_TRUNCATED);
	cr.have_prev = true;
	if (r->realtime_ns) {
		when[0] = ' ';
		when[1] = '(';
		tk_realtime_format(r->realtime_ns, when + 2, sizeof(when) - 3);
		strcat(when, ")");
	}
	tk_printk("crash: the previous boot ended in a %s at %lu.%03lu s%s: %s\n",
		  tk_crash_reason_name(r->reason) ? tk_crash_reason_name(r->reason) : "crash",
		  (unsigned long)(r->uptime_ns / 1000000000u),
		  (unsigned long)(r->uptime_ns / 1000000u % 1000u), when, p->why);
	tk_printk("crash: its core, %lu bytes%s (crc %08lx), is kept: tk_crash_previous(), "
		  "GET /crash\n", (unsigned long)r->core_len,
		  p->core_truncated ? ", truncated: the region is too small" : "",
		  (unsigned long)r->core_crc);
}

static bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* What of the running system the region covers, or NULL. */
static const char *overlapped(const void *fdt, const struct tk_dt_reg *reg)
{
	extern char _head[], _end[];

	if (overlap(reg->addr, reg->size, (uintptr_t)_head, (uintptr_t)(_end - _head)))
		return "the kernel image";
	if (overlap(reg->addr, reg->size, (uintptr_t)fdt, fdt_totalsize(fdt)))
		return "the DTB";
	return NULL;
}

/* The region from the DT: a child of /reserved-memory, in RAM, clear of
 * the image and the DTB. */
static int find_region(const void *fdt, const struct tk_memmap *ram, struct tk_dt_reg *reg)
{
	int resv = tk_dt_subnode(fdt, 0, "reserved-memory"), node = -1;

	if (resv < 0)
		return -ENODEV;
	while ((node = tk_dt_next_child(fdt, resv, node)) >= 0)
		if (tk_dt_compat_index(fdt, node, "takt,crash-record") >= 0 &&
		    tk_dt_node_enabled(fdt, node))
			break;
	if (node < 0)
		return -ENODEV;
	if (tk_dt_reg(fdt, node, reg, 1) != 1) {
		tk_printk("crash: the takt,crash-record node has no usable 'reg'; no crash record\n");
		return -EINVAL;
	}
	if (reg->size < REGION_MIN || reg->size > REGION_MAX || reg->addr % 8) {
		tk_printk("crash: the crash record region 0x%lx+0x%lx is not 64 KiB..16 MiB at an "
			  "8-byte boundary; no crash record\n", (unsigned long)reg->addr,
			  (unsigned long)reg->size);
		return -EINVAL;
	}
	const char *over = overlapped(fdt, reg);

	if (over) {	/* a panic would write its core over it */
		tk_printk("crash: the crash record region 0x%lx+0x%lx overlaps %s; no crash "
			  "record\n", (unsigned long)reg->addr, (unsigned long)reg->size, over);
		return -EINVAL;
	}
	for (int i = 0; i < ram->n; i++)
		if (reg->addr >= ram->r[i].base &&
		    reg->addr + reg->size <= ram->r[i].base + ram->r[i].size)
			return 0;
	tk_printk("crash: the crash record region 0x%lx+0x%lx is not in RAM; no crash record\n",
		  (unsigned long)reg->addr, (unsigned long)reg->size);
	return -EINVAL;
}

void crash_record_boot(const void *fdt, const struct tk_memmap *ram)
{
	struct tk_dt_reg reg;
	struct record *r;
	const char *bad;

	if (find_region(fdt, ram, &reg))
		return;
	r = (struct record *)(uintptr_t)reg.addr;
	cr.rec = r;
	cr.size = reg.size;
	if (r->magic != MAGIC)
		return;		/* a cold boot, or a clean reset */
	bad = check(r, reg.size);
	if (bad)
		tk_printk("crash: the crash record at 0x%lx is ignored: %s\n",
			  (unsigned long)reg.addr, bad);
	else
		report(r);
	r->magic = 0;		/* reported once */
	arch_dcache_clean(r, sizeof(*r));
}

/* ---- panic=reset|off ---- */

bool crash_panic_resets(void)
{
	return panic_reset;
}

static void panic_bootarg(void)
{
	const char *v = tk_bootarg("panic");

	if (!v || !*v || !strcmp(v, "off"))
		return;		/* a bare word "panic" is the app's argument */
	if (!strcmp(v, "reset"))
		panic_reset = true;
	else
		tk_printk("crash: panic=%s ignored (reset or off)\n", v);
}
TK_INIT(panic_bootarg);
