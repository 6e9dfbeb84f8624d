/* Interrupts-masked stretches per CPU (irqoff.c): the arch's mask and unmask
 * call these when irqoff_on. */
#ifndef TAKT_IRQOFF_H
#define TAKT_IRQOFF_H

#include <stdbool.h>
#include <stdint.h>

extern bool irqoff_on;
void irqoff_begin(void);	/* interrupts were on, now masked */
void irqoff_end(void);		/* interrupts go on again */
uint64_t irqoff_max_ns(unsigned cpu);

#endif
