/* Shared by trace.c and trace_dump.c only. */
#ifndef TAKT_TRACE_RING_H
#define TAKT_TRACE_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "trace.h"

#define TRACE_LABELS 64

#define TRACE_NAMED 128

struct trace_named {
	uint32_t id;		/* 0: unused */
	uint16_t small;		/* policy << 8 | prio */
	char name[16];
};

extern struct trace_named *trace_named;	/* TRACE_NAMED, once started */
/* trace_dump.c: the dump's work space, from the heap; 0 or -ENOMEM. */
int trace_dump_prepare(void);
/* trace_dump.c: the rings' timestamps were made ns by a dump; the next
 * start begins a new trace. */
extern bool trace_dumped;
const char *trace_label(unsigned i);
unsigned trace_nlabels(void);

#endif
