/*
 * Device model. A driver names the compatibles it binds in its own file:
 *
 *   TK_DRIVER(pl011, TK_LEVEL_CONSOLE, pl011_probe, "arm,pl011");
 *
 * At boot every enabled DT node whose compatible matches a linked driver is
 * probed once, level by level (interrupt controllers, timers, consoles, the
 * rest). Resources come translated from the DT; nothing is scanned.
 */
#ifndef TAKT_DEVICE_H
#define TAKT_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tk_level { TK_LEVEL_INTC, TK_LEVEL_TIMER, TK_LEVEL_CONSOLE, TK_LEVEL_DEVICE, TK_LEVEL_COUNT };

struct tk_device;

struct tk_driver {
	const char *name;
	int level;
	/* 0 bound; -ENODEV not this driver's after all (quietly skipped); any
	 * other negative errno is a failed device, logged with the reason. */
	int (*probe)(struct tk_device *dev);
	const char *const *compat;	/* NULL-terminated */
	/* Optional, for nodes a DT lists whether or not anything sits behind
	 * them (QEMU virt's 32 virtio-mmio slots, 31 empty at a usual boot):
	 * asked before the device is set up, so that an empty one costs a few
	 * register reads instead of a probe (its path written, kept and given
	 * back). dev has fdt, node and drv only (path NULL, priv NULL);
	 * tk_dev_reg and tk_dev_mmio work on it; it registers nothing (its
	 * slot is the next device's). false: certainly nothing there, skipped
	 * quietly as a probe's -ENODEV is; true whenever it cannot tell (a bad
	 * reg, an unknown register value): the probe runs and reports what is
	 * wrong. */
	bool (*present)(struct tk_device *dev);
};

#define TK_DRIVER(id, lvl, probe_fn, ...)                                      \
	TK_DRIVER_PRESENT(id, lvl, probe_fn, 0, __VA_ARGS__)
/* TK_DRIVER with a present hook (see struct tk_driver). */
#define TK_DRIVER_PRESENT(id, lvl, probe_fn, present_fn, ...)                  \
	static const char *const id##_compat[] = { __VA_ARGS__, 0 };          \
	__attribute__((used, section(".takt_drivers"), aligned(8)))           \
	const struct tk_driver tk_driver_##id = { #id, lvl, probe_fn, id##_compat, present_fn }

struct tk_device {
	const void *fdt;
	int node;			/* DT node offset */
	const struct tk_driver *drv;
	void *priv;			/* driver state */
	const char *path;		/* DT path, e.g. "/pl011@9000000" */
};

/* reg entry idx, translated to a CPU address and mapped as device memory.
 * @retval 0, -ENOENT (no such entry), -EINVAL (malformed or empty reg, no
 * dev or base), -ENOMEM */
int tk_dev_mmio(struct tk_device *dev, int idx, uintptr_t *base, uint64_t *size);
/* tk_dev_mmio for a driver that touches need bytes from the entry's start:
 * an entry smaller than that is refused (-EINVAL, the DT error text names
 * both sizes) rather than the driver reaching past what the DT gave it. */
int tk_dev_mmio_regs(struct tk_device *dev, int idx, uint64_t need, uintptr_t *base);
/* reg entry idx as numbers only (I/O ports, config) - nothing mapped. */
int tk_dev_reg(struct tk_device *dev, int idx, uint64_t *addr, uint64_t *size);

/* Memory for a DMA master that does not snoop the CPU's caches (descriptor
 * rings, frame buffers): zeroed, align-aligned (a power of two), from a
 * 2 MiB pool mapped non-cacheable on arm64, so no cache maintenance is ever
 * needed; ordinary RAM on x86_64. For probe-time allocations: never freed.
 * Addresses are physical (identity map). @retval NULL when size is 0, align
 * is not a power of two, or the pool is used up. */
void *tk_dma_alloc(size_t size, size_t align);

/* Bound devices, in probe order. */
int tk_dev_count(void);
const struct tk_device *tk_dev_get(int i);

/* Interrupts. A handler runs with interrupts masked. */
typedef void (*tk_irq_handler_t)(void *arg);
/* Translate interrupt idx of dev through its interrupt parent, install the
 * handler and enable it. @retval 0, -ENOENT (no interrupt idx), -EINVAL,
 * -ENXIO (no parent controller bound), -EBUSY (line already taken),
 * -E2BIG (dev lists more than 4 interrupts), -ENOSPC (the handler table
 * is full), or a DT error of its interrupts property. */
int tk_irq_connect(struct tk_device *dev, int idx, tk_irq_handler_t fn, void *arg);
/* Send the line connected as dev's interrupt idx to CPU cpu (0, the boot
 * CPU, by default). @retval 0, -EINVAL (no such CPU online, a per-CPU
 * line), -ENOENT (not connected), -ENOTSUP (the controller cannot route) */
int tk_irq_set_affinity(struct tk_device *dev, int idx, unsigned cpu);
/* The CPU dev's interrupt idx goes to. The DT can choose it: the device
 * node's `interrupt-affinity`, one cpu-node phandle per interrupt (the
 * property Linux's arm,pmu binding uses), applied once the CPUs are up.
 * @retval the CPU, -ENOENT (not connected), -EINVAL */
int tk_irq_affinity(struct tk_device *dev, int idx);
/* The CPU its handler last ran on. @retval the CPU, -ENODATA (never taken),
 * -ENOENT (not connected), -EINVAL */
int tk_irq_last_cpu(struct tk_device *dev, int idx);
/* Number of times the line connected as dev's interrupt idx has fired. */
uint64_t tk_irq_count(struct tk_device *dev, int idx);
/* Mask interrupts on this CPU and exclude every other CPU's tk_irq_lock
 * section (and the kernel's sync objects); nestable. For a few
 * instructions only: it delays every interrupt and every other CPU. A
 * thread woken inside it (a semaphore given, a mutex unlocked, a message
 * put) that outranks the caller runs at tk_irq_unlock, not before; a call
 * that blocks inside it lets the other CPUs in while it waits. */
unsigned long tk_irq_lock(void);
void tk_irq_unlock(unsigned long key);
/* True while this CPU's interrupts are masked: inside tk_irq_lock, in an
 * interrupt handler. For a driver's or a test's check of its context. */
bool tk_irq_masked(void);

/* Class registration, called from probe. */
struct tk_intc_ops {
	/* DT interrupt specifier -> controller line number */
	int (*xlate)(struct tk_device *dev, const uint32_t *cells, uint32_t n, unsigned *line);
	void (*enable)(struct tk_device *dev, unsigned line);
	void (*disable)(struct tk_device *dev, unsigned line);
	/* acknowledge the highest pending line; TK_IRQ_SPURIOUS when none */
	unsigned (*ack)(struct tk_device *dev);
	/* Optional, where the CPU delivers a vector (x86's IDT): the line of
	 * the vector being taken, without asking the controller;
	 * TK_IRQ_SPURIOUS for its spurious vector. */
	unsigned (*ack_vector)(struct tk_device *dev, unsigned vector);
	void (*eoi)(struct tk_device *dev, unsigned line);
	unsigned nlines;
	/* A router (the x86 IOAPIC) is not the root: xlate gives a root line,
	 * enable/disable program its route to it; ack and eoi are unused
	 * (the root's are called). Several routers may register. */
	bool router;
	/* A chained controller (the BCM2835 ARM controller behind line 8 of
	 * the BCM2836 per-core one) is not the root either: its lines
	 * 0..nlines-1 (xlate, enable, disable) get a range of their own in
	 * the kernel's line space; ack and eoi are unused. Its driver connects
	 * its own interrupt with tk_irq_connect (failing its probe when that
	 * parent is not bound) and calls tk_intc_dispatch from that handler. */
	bool chained;
	/* Multicore (the root only; optional: without them the kernel runs on
	 * the boot CPU). cpu_init readies a secondary CPU's interface, on that
	 * CPU, with the per-CPU lines the boot CPU enabled (timer, IPI);
	 * send_ipi raises ipi_line (a root line) on the CPU with index cpu
	 * (0 = boot CPU) and hardware ID hwid (the DT's /cpus reg). */
	void (*cpu_init)(struct tk_device *dev, unsigned cpu);
	void (*send_ipi)(struct tk_device *dev, unsigned cpu, uint64_t hwid);
	unsigned ipi_line;
	/* Optional: deliver the (shared, not per-CPU) line to that CPU.
	 * @retval 0, -EINVAL (a per-CPU line, or one it cannot route) */
	int (*route)(struct tk_device *dev, unsigned line, unsigned cpu, uint64_t hwid);
};
#define TK_IRQ_SPURIOUS 0xffffffffu
/* Called from probe. @retval 0, -EBUSY (a second root), -ENOSPC (no room
 * for another router or chained controller, or for its nlines), -EINVAL */
int tk_intc_register(struct tk_device *dev, const struct tk_intc_ops *ops);
/* From a chained controller's interrupt handler, once per pending line:
 * runs (and counts) the handler connected to it; a line without one is
 * disabled and logged. */
void tk_intc_dispatch(struct tk_device *intc, unsigned line);

/* A way to start secondary CPUs, under the name the DT's enable-method
 * gives it ("psci"): cpu_on starts the CPU with hardware ID hwid at the
 * physical address entry. @retval 0, -EBUSY (the name is taken) */
typedef int (*tk_cpu_on_fn)(struct tk_device *dev, uint64_t hwid, uintptr_t entry);
int tk_cpu_method_register(struct tk_device *dev, const char *method, tk_cpu_on_fn on);

struct tk_console_ops {
	/* Polled output of one byte, any context: used before interrupts are
	 * on, in a panic, and always when the driver has no tx_start. */
	void (*putc)(struct tk_device *dev, char c);
	/* Optional: polled output of n bytes as putc would write them one by
	 * one (newlines are the kernel's to expand, as for putc), for the
	 * boot's lines: a call and a status read per byte were most of their
	 * cost. */
	void (*write)(struct tk_device *dev, const char *s, size_t n);
	/* Optional, interrupt-driven transmit. The kernel keeps the console's
	 * transmit ring and calls tx_start (interrupts masked) when bytes wait
	 * in it and the transmitter is idle. The driver fills its FIFO with
	 * tk_console_tx_fill() and enables its transmit interrupt; its handler
	 * refills the FIFO the same way and, once tk_console_tx_fill() returns
	 * false (ring empty: the kernel marks the transmitter idle), masks the
	 * transmit interrupt again. */
	void (*tx_start)(struct tk_device *dev);
	/* True when the driver delivers input: its receive interrupt passes
	 * the bytes it reads to tk_console_rx. */
	bool rx;
};
int tk_console_register(struct tk_device *dev, const struct tk_console_ops *ops);
/* From the console's receive interrupt: n bytes in (dropped and counted
 * when the input ring is full). */
void tk_console_rx(struct tk_device *dev, const char *buf, size_t n);
/* The same for everything the device's FIFO holds: getc returns a byte, or
 * -1 once the FIFO is empty (at most 4096 a call). Drain it whole: a FIFO
 * left with bytes may raise no interrupt again (QEMU's PL011 raises one as a
 * byte arrives). Not under tk_irq_lock: the input takes klock, which the
 * transmit side nests the other way round. */
void tk_console_rx_drain(struct tk_device *dev, int (*getc)(struct tk_device *dev));
/* For the console's transmit path (interrupts masked): move up to max ring
 * bytes (newlines already expanded to CR LF) into the transmitter. room(dev)
 * says how many it takes now without being asked again (0: none); put(dev,
 * buf, n) writes n bytes (n <= what room said), a run of the ring at once.
 * The ring is read under one lock for the whole fill: a lock per byte made a
 * 32-byte refill some 1800 instructions with interrupts masked, which a
 * timer interrupt then waited for; a call per byte still made it 700.
 * @retval false the ring ran empty (the transmitter now counts as idle:
 *         mask the transmit interrupt); true: bytes may still wait */
bool tk_console_tx_fill(struct tk_device *dev, unsigned max, unsigned (*room)(struct tk_device *dev),
			void (*put)(struct tk_device *dev, const uint8_t *buf, unsigned n));

struct tk_clockevent_ops {
	/* Interrupt at (or soon after) counter value cval; drivers call
	 * tk_clockevent_fire() from their handler. */
	void (*set_oneshot)(struct tk_device *dev, uint64_t cval);
	void (*cancel)(struct tk_device *dev);
};
int tk_clockevent_register(struct tk_device *dev, const struct tk_clockevent_ops *ops);
void tk_clockevent_fire(void);

struct tk_power_ops {
	void (*off)(struct tk_device *dev);
	void (*reset)(struct tk_device *dev);
};
int tk_power_register(struct tk_device *dev, const struct tk_power_ops *ops);

#endif
