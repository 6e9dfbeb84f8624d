/*
 * The trace out through the console: recording stops, then one framed
 * base64 block (console_b64.c: TRACE BEGIN, base64, TRACE END CRC) holds,
 * little-endian:
 *
 *   header      magic "TKTR", u16 version 1, u16 record size 24, u32 CPUs,
 *               u32 mode (0 overwrite, 1 stop), u32 records per CPU,
 *               u32 labels, u32 names, u32 0
 *   per CPU     u32 cpu, u32 records that follow, u64 written, u64 lost,
 *               then the records, oldest first
 *   labels      32 bytes each, NUL-padded (the marks' label numbers)
 *   names       24 bytes each: u32 id, u8 policy, u8 prio, u16 0, name[16]:
 *               the last threads named (trace.c), then those alive at the
 *               dump (a later entry of an id wins; TR_NAME records name the rest)
 *
 * tools/takt_trace.py reads it. Nothing is allocated: a power-off and a
 * panic dump too. tk_trace_read hands the same bytes to a caller (GET
 * /trace) and starts a new trace.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <takt/log.h>
#include <takt/trace.h>

#include "../console_b64.h"
#include "../kernel.h"
#include "../smp.h"
#include "../thread_impl.h"
#include "trace_impl.h"

#define MAX_NAMES (128 + TRACE_NAMED)

struct dump_header {
	char magic[4];
	uint16_t version, rec_size;
	uint32_t ncpus, mode, size, nlabels, nnames, zero;
};

struct cpu_header {
	uint32_t cpu, nrec;
	uint64_t written, lost;
};

struct name_entry {
	uint32_t id;
	uint8_t policy, prio;
	uint16_t zero;
	char name[16];
};

extern struct list_node all_threads;	/* thread.c */

struct seg {
	const void *p;
	size_t n;
};

bool trace_dumped;
static struct dump_header hdr;
static struct cpu_header cpu_hdr[TK_CPUS_MAX];
/* From the heap at the first tk_trace_start: 8 KiB an untraced image
 * need not carry. */
static char (*label_buf)[32];
static struct name_entry *names;

int trace_dump_prepare(void)
{
	if (!label_buf)
		label_buf = calloc(TRACE_LABELS, sizeof(*label_buf));
	if (!names)
		names = calloc(MAX_NAMES, sizeof(*names));
	return label_buf && names ? 0 : -ENOMEM;
}

/* The live threads, read without klock: at a panic another CPU may hold it
 * for good, and the list only grows or shrinks under it (a torn read names
 * a thread wrongly at worst, TR_NAME records still name it). */
static unsigned collect_names(void)
{
	unsigned n = 0;
	struct list_node *pos;

	for (unsigned i = 0; i < TRACE_NAMED; i++) {
		const struct trace_named *e = &trace_named[i];

		if (!e->id)
			continue;
		names[n] = (struct name_entry){ .id = e->id, .policy = (uint8_t)(e->small >> 8),
						.prio = (uint8_t)e->small };
		memcpy(names[n].name, e->name, sizeof(names[n].name));
		n++;
	}
	list_for_each(pos, &all_threads) {
		const struct tk_thread *t = container_of(pos, struct tk_thread, all_node);

		if (n == MAX_NAMES)
			break;	/* the oldest live threads: their TR_NAME records remain */
		names[n].id = t->id;
		names[n].policy = (uint8_t)t->sched.policy;
		names[n].prio = (uint8_t)t->sched.prio;
		memcpy(names[n].name, t->name, sizeof(names[n].name) - 1);
		n++;
	}
	return n;
}

/* Segments of one CPU's ring, oldest record first: [head - kept, head) in
 * overwrite mode, [0, kept) in stop mode. The timestamps, raw counter
 * values while recording (trace.c), become ns here. */
static unsigned ring_segs(unsigned c, struct seg *seg)
{
	const struct trace_ring *r = &trace_rings[c];
	uint64_t kept = r->head < trace_size ? r->head : trace_size;
	unsigned first = trace_stop_mode ? 0 : (unsigned)((r->head - kept) & (trace_size - 1));
	unsigned n = 0, to_end = trace_size - first;

	for (uint64_t k = 0; r->buf && k < kept; k++)
		r->buf[k].ts = time_counter_ns(r->buf[k].ts);

	cpu_hdr[c] = (struct cpu_header){ .cpu = c, .nrec = (uint32_t)kept,
		.written = r->head + r->refused, .lost = r->refused + (r->head - kept) };
	seg[n++] = (struct seg){ &cpu_hdr[c], sizeof(cpu_hdr[c]) };
	if (!r->buf || !kept)
		return n;
	if (kept <= to_end) {
		seg[n++] = (struct seg){ &r->buf[first], kept * sizeof(struct trace_rec) };
	} else {
		seg[n++] = (struct seg){ &r->buf[first], to_end * sizeof(struct trace_rec) };
		seg[n++] = (struct seg){ r->buf, (kept - to_end) * sizeof(struct trace_rec) };
	}
	return n;
}

#define MAX_SEGS (1 + 3 * TK_CPUS_MAX + 2)

/* Recording stopped, the trace laid out as segments (the format above);
 * 0 when it was never started. */
static unsigned snapshot(struct seg *segs, uint64_t *kept, uint64_t *lost)
{
	unsigned n = 0, ncpus = smp_ncpus_conf < TK_CPUS_MAX ? smp_ncpus_conf : TK_CPUS_MAX;
	unsigned nl = trace_nlabels();

	tk_trace_stop();
	if (!trace_size || !trace_named || !names)	/* never started */
		return 0;
	for (unsigned i = 0; i < nl; i++)
		strncpy(label_buf[i], trace_label(i), sizeof(label_buf[i]) - 1);
	hdr = (struct dump_header){ .magic = { 'T', 'K', 'T', 'R' }, .version = 1,
		.rec_size = sizeof(struct trace_rec), .ncpus = ncpus, .mode = trace_stop_mode,
		.size = trace_size, .nlabels = nl, .nnames = collect_names() };
	segs[n++] = (struct seg){ &hdr, sizeof(hdr) };
	*kept = *lost = 0;
	for (unsigned c = 0; c < ncpus; c++) {
		n += ring_segs(c, &segs[n]);
		*kept += cpu_hdr[c].nrec;
		*lost += cpu_hdr[c].lost;
	}
	segs[n++] = (struct seg){ label_buf, nl * sizeof(label_buf[0]) };
	segs[n++] = (struct seg){ names, hdr.nnames * sizeof(names[0]) };
	trace_dumped = true;
	return n;
}

void tk_trace_dump(void)
{
	static struct b64_out out;
	struct seg segs[MAX_SEGS];
	uint64_t kept, lost, total = 0;
	unsigned n = snapshot(segs, &kept, &lost);

	if (!n)
		return;		/* never started: nothing to dump */
	for (unsigned i = 0; i < n; i++)
		total += segs[i].n;
	/* The kernel's own count, for a reader to check the converted trace by. */
	tk_printk("trace: %lu records, %lu lost, %u CPU(s)\n", (unsigned long)kept,
		  (unsigned long)lost, hdr.ncpus);
	b64_begin(&out, "TRACE", total);
	for (unsigned i = 0; i < n; i++)
		b64_put(&out, segs[i].p, segs[i].n);
	b64_end(&out, "TRACE");
}

int tk_trace_read(void (*put)(void *ctx, const void *p, size_t n), void *ctx)
{
	struct seg segs[MAX_SEGS];
	uint64_t kept, lost;
	unsigned n;

	if (!put)
		return -EINVAL;
	n = snapshot(segs, &kept, &lost);
	if (!n)
		return -ENODATA;
	for (unsigned i = 0; i < n; i++)
		if (segs[i].n)
			put(ctx, segs[i].p, segs[i].n);
	return tk_trace_start();	/* a new trace from here */
}

/* At power-off: a traced run leaves its trace on the console by itself,
 * also when it was stopped (cyclictest -b) but not dumped yet. */
void trace_dump_at_exit(void)
{
	if (trace_size && !trace_dumped)
		tk_trace_dump();
}
