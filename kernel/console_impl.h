/*
 * The console's ring (console.c) as its transmit thread (console_thread.c)
 * and its binding (console_bind.c) see it. Everything here with klock held.
 */
#ifndef TAKT_CONSOLE_IMPL_H
#define TAKT_CONSOLE_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <takt/device.h>

extern struct tk_device *console_dev;
extern const struct tk_console_ops *console_ops;
extern bool console_polled;	/* panic, or console.tx=polled: no ring */
extern bool console_tx_busy;	/* the transmitter has bytes to send; set by whoever
				 * starts it, cleared when it finds the ring empty */

/* klock held, the console just bound (console_bind.c): with use_ring, the
 * boot's lines are the ring's start, the transmitter held till main() is
 * next; without, they are sent polled now. */
void console_ring_bind(bool use_ring);
/* Start the transmitter (the thread, or tx_start) if bytes wait and it is idle. */
void console_kick(void);
/* Published bytes not yet sent. */
bool console_ring_pending(void);
/* The count of bytes sent so far (wraps): progress, compared for equality. */
uint32_t console_ring_sent(void);
/* Up to max published bytes into the FIFO, in runs; *r is the FIFO room
 * known, asked of room() again when used up. @retval the bytes sent */
unsigned console_fifo_put(struct tk_device *dev, unsigned max, unsigned *r,
			  unsigned (*room)(struct tk_device *dev),
			  void (*put)(struct tk_device *dev, const uint8_t *buf, unsigned n));

/* console_thread.c: the transmit thread (console.tx=thread, the default). */
extern bool console_threaded;	/* it runs and owns the FIFO */
extern bool console_rescue;	/* it missed its deadline: the interrupt fills until
				 * the ring is empty */
extern uint64_t console_thread_bytes, console_rescues;
/* Work for it: wake it, and arm its deadline. */
void console_thread_kick(void);
/* tk_console_tx_fill's part while it runs: from the transmit interrupt
 * (in_irq: wake it) or its own chunk through tx_start. @retval true when
 * the FIFO is full with bytes still to send (the interrupt on). */
bool console_thread_fill(bool in_irq, unsigned (*room)(struct tk_device *dev),
			 void (*put)(struct tk_device *dev, const uint8_t *buf, unsigned n));
/* Bytes went into the FIFO other than by its chunks (polled, or the
 * transmit interrupt's fill): the FIFO room it was told of is gone. */
void console_thread_fifo_used(void);
/* From tk_console_write's thread path: start it, once, when wanted. */
void console_thread_maybe_start(void);
void console_thread_want(bool on);	/* console.tx=thread or =ring */
void console_thread_boot_done(void);	/* main() is next: the first writer starts it */
/* klock held, main() next, the ring holding the boot's lines: they wait
 * for the thread (the first writer starts it) or the deadline's rescue;
 * false when no thread is wanted (the caller starts the transmitter). */
bool console_thread_boot_due(void);

#endif /* TAKT_CONSOLE_IMPL_H */
