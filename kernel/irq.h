/* Interrupt core, private to the kernel. */
#ifndef TAKT_IRQ_H
#define TAKT_IRQ_H

struct arch_frame;

/* Called by the arch vectors for an IRQ: acknowledge, run the handler,
 * end it. Returns the frame to resume (a later issue's scheduler may
 * return another thread's). */
struct arch_frame *irq_dispatch(struct arch_frame *f);

#endif
