/* Interrupt core, private to the kernel. */
#ifndef TAKT_IRQ_H
#define TAKT_IRQ_H

#include <stdbool.h>
#include <stdint.h>

struct arch_frame;
struct tk_device;

/* Called by the arch vectors for an IRQ (f: its frame, or 0 for one the
 * idle thread found pending): acknowledge, run the handler, end it.
 * Returns f. irq_dispatch_vector: the same for the vector the CPU
 * delivered (x86), which names the line where the root can tell it. */
struct arch_frame *irq_dispatch(struct arch_frame *f);
struct arch_frame *irq_dispatch_vector(struct arch_frame *f, unsigned vector);

/* Multicore: can the root send IPIs; send one to CPU index cpu (hardware
 * ID hwid); ready this (secondary) CPU's interface. */
bool irq_can_ipi(void);
/* The root interrupt controller's DT node, or -1 when none registered. */
int irq_root_node(void);
/* A device whose probe failed: drop the controller it registered (its
 * slot in the device table is reused by the next probe). */
void irq_forget_device(const struct tk_device *dev);
void irq_send_ipi(unsigned cpu, uint64_t hwid);
void irq_cpu_init(unsigned cpu);
/* Route the lines the DT's interrupt-affinity names (irq_affinity.c); once
 * the CPUs are up. */
void irq_affinity_from_dt(void);

#endif
