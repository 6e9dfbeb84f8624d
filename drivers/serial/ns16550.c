/*
 * NS16550-compatible UART. Binds "ns16550a", "ns16550".
 * Registers are in I/O port space when the node has the boolean property
 * io-mapped (as in Zephyr's ns16550 binding; the PC's COM ports), else
 * memory-mapped, reg-shift apart (default 0), reg-io-width 1 or 4.
 * Console: polled putc (early boot, panic) and, when the node names an
 * interrupt, interrupt-driven transmit (device.h: tx_start /
 * tk_console_tx_fill) on the THR-empty interrupt (IER bit 1), and input
 * to the console (tk_console_rx) on the received-data interrupt (IER bit 0).
 *
 * THRE (LSR bit 5) means the whole transmit FIFO is empty: a fill writes
 * up to the FIFO depth without looking again. The depth is what the chip
 * says after FIFOs are enabled (IIR bits 7:6 = 11: a working 16550A FIFO,
 * 16 bytes), else 1 - the DT's "ns16550" does not tell (QEMU's is a 16550A).
 * The interrupt is cleared by reading IIR or writing THR and is raised
 * again when the FIFO runs empty; the x86 IOAPIC takes it as an edge, so
 * the handler reads IIR once and refills once - reading IIR again after
 * the refill could clear the next THRE before its edge was seen.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define THR	0
#define IER	1
#define IIR	2	/* read */
#define FCR	2	/* write */
#define LCR	3
#define MCR	4
#define LSR	5
#define LSR_THRE (1u << 5)
#define IER_THRI (1u << 1)
#define IER_RDI (1u << 0)	/* received data (and its timeout) */
#define LSR_DR (1u << 0)
#define IIR_ID_MASK 0x0fu	/* bit 0 set: nothing pending */
#define IIR_ID_THRI 0x02u
#define IIR_FIFO_OK 0xc0u
#define FIFO_DEPTH 16u		/* 16550A */

struct ns16550 {
	uintptr_t base;
	uint32_t shift, width;
	bool io;
	uint8_t ier;		/* what IER holds (it is not read back) */
	unsigned fifo;		/* bytes a fill may write after THRE */
	unsigned credit;	/* bytes polled writes may still write unasked */
};

#define MAX_UARTS 4
static struct ns16550 uarts[MAX_UARTS];
static unsigned nuarts;

static uint8_t rd(const struct ns16550 *u, unsigned r)
{
	uintptr_t a = u->base + (r << u->shift);

#if defined(__x86_64__) || defined(__i386__)
	if (u->io) {
		uint8_t v;

		__asm__ volatile("inb %w1, %0" : "=a"(v) : "Nd"((uint16_t)a));
		return v;
	}
#endif
	return u->width == 4 ? (uint8_t)*(volatile uint32_t *)a : *(volatile uint8_t *)a;
}

#if defined(__x86_64__) || defined(__i386__)
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %w1" :: "a"(v), "Nd"(port));
}
#endif

static void wr(const struct ns16550 *u, unsigned r, uint8_t v)
{
	uintptr_t a = u->base + (r << u->shift);

#if defined(__x86_64__) || defined(__i386__)
	if (u->io) {
		outb((uint16_t)a, v);
		return;
	}
#endif
	if (u->width == 4)
		*(volatile uint32_t *)a = v;
	else
		*(volatile uint8_t *)a = v;
}

/* n bytes into THR, the FIFO having room for them: a port-mapped UART's
 * port found once for the run, not per byte (the refill runs with
 * interrupts masked); MMIO through wr(). */
static void out_run(const struct ns16550 *u, const uint8_t *buf, size_t n)
{
#if defined(__x86_64__) || defined(__i386__)
	if (u->io) {
		uint16_t port = (uint16_t)(u->base + (THR << u->shift));

		/* one string instruction for the run (DF is clear in C) */
		__asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
		return;
	}
#endif
	for (size_t i = 0; i < n; i++)
		wr(u, THR, buf[i]);
}

/* Polled output asks THRE once per FIFO's worth, not per byte: the FIFO
 * only drains after it said empty, so the bytes written since are all it
 * may hold (credit). An LSR read a byte was two thirds of the boot's
 * console output on microvm, where it is a port read. Callers are
 * serialised (the console's lock, interrupts masked). */
static void ns16550_write(struct tk_device *dev, const char *s, size_t n)
{
	struct ns16550 *u = dev->priv;

	while (n) {
		if (u->credit == 0) {
			while (!(rd(u, LSR) & LSR_THRE))
				;
			u->credit = u->fifo;
		}
		size_t k = n < u->credit ? n : u->credit;

		out_run(u, (const uint8_t *)s, k);
		u->credit -= (unsigned)k;
		s += k;
		n -= k;
	}
}

static void ns16550_putc(struct tk_device *dev, char c)
{
	ns16550_write(dev, &c, 1);
}

static void tx_put(struct tk_device *dev, const uint8_t *buf, unsigned n)
{
	struct ns16550 *u = dev->priv;

	u->credit = 0;	/* the polled writes' count of the FIFO's room is stale now */
	out_run(u, buf, n);
}

/* THRE: the whole FIFO is empty. A FIFO still sending (bytes a polled
 * putc left) takes nothing: its THRE interrupt comes when empty. */
static unsigned tx_room(struct tk_device *dev)
{
	const struct ns16550 *u = dev->priv;

	return rd(u, LSR) & LSR_THRE ? u->fifo : 0;
}

/* Ring bytes into an empty FIFO, once (THRE is not asked again); false
 * once the ring is empty (the kernel then counts the transmitter idle). */
static bool fifo_fill(struct tk_device *dev)
{
	const struct ns16550 *u = dev->priv;

	return tk_console_tx_fill(dev, u->fifo, tx_room, tx_put);
}

static void set_thri(struct tk_device *dev, bool on)
{
	struct ns16550 *u = dev->priv;
	uint8_t ier = on ? u->ier | IER_THRI : u->ier & ~IER_THRI;

	if (ier != u->ier) {
		u->ier = ier;
		wr(u, IER, ier);
	}
}

/* Interrupts masked (device.h). Enabling THRI with THR already empty
 * raises the interrupt at once; after a fill it comes when the FIFO has
 * drained. */
static void ns16550_tx_start(struct tk_device *dev)
{
	if (fifo_fill(dev))
		set_thri(dev, true);
}

/* The next received byte (RBR: THR's offset, read), -1 when none. */
static int rx_getc(struct tk_device *dev)
{
	const struct ns16550 *u = dev->priv;

	return rd(u, LSR) & LSR_DR ? (int)rd(u, THR) : -1;
}

static void ns16550_irq(void *arg)
{
	struct tk_device *dev = arg;
	const struct ns16550 *u = dev->priv;

	tk_console_rx_drain(dev, rx_getc);	/* reading RBR empty clears RDI */

	/* THRI and RDI are enabled; reading IIR clears THRI. Under tk_irq_lock,
	 * as the kernel calls tx_start: a writer on another CPU must not restart
	 * the transmitter between the ring running empty and THRI going off here. */
	unsigned long k = tk_irq_lock();

	if ((rd(u, IIR) & IIR_ID_MASK) == IIR_ID_THRI && !fifo_fill(dev))
		set_thri(dev, false);
	tk_irq_unlock(k);
}

static const struct tk_console_ops ns16550_polled_ops = { .putc = ns16550_putc, .write = ns16550_write };
static const struct tk_console_ops ns16550_irq_ops = {
	.putc = ns16550_putc, .write = ns16550_write, .tx_start = ns16550_tx_start, .rx = true,
};

/* A bad register layout, named: "<node>: <what> <value>". */
static int bad_layout(struct tk_device *dev, const char *what, uint64_t v, int err)
{
	tk_dt_err_begin(dev->fdt, dev->node);
	tk_dt_err_str(what);
	tk_dt_err_num(v, 10);
	return err;
}

/* reg-shift 0..4 and reg-io-width 1, or 4 with a shift of 2 or more (an
 * aligned word per register), each absent for the default; a wrong length
 * is an error, not the default. The registers (LSR the last used) must
 * lie inside reg: a shift of 28 once put them 4 GiB away, into RAM. */
static int layout(struct tk_device *dev, struct ns16550 *u)
{
	int err = tk_dt_prop_u32(dev->fdt, dev->node, "reg-shift", &u->shift);

	if (err == -ENOENT)
		u->shift = 0;
	else if (err || u->shift > 4)
		return bad_layout(dev, "reg-shift (0..4, one cell): ", err ? 0 : u->shift, -EINVAL);
	err = tk_dt_prop_u32(dev->fdt, dev->node, "reg-io-width", &u->width);
	if (err == -ENOENT)
		u->width = 1;
	else if (err || (u->width != 1 && u->width != 4) || (u->width == 4 && u->shift < 2))
		return bad_layout(dev, "reg-io-width (1, or 4 with reg-shift 2 or more): ",
				  err ? 0 : u->width, -EINVAL);
	return 0;
}

static int map_regs(struct tk_device *dev, struct ns16550 *u)
{
	uint64_t addr, size, span;
	int err = layout(dev, u);

	if (err)
		return err;
	span = ((uint64_t)LSR << u->shift) + u->width;
	if (!u->io) {
		err = tk_dev_mmio(dev, 0, &u->base, &size);
		return err ? err : size < span ? bad_layout(dev, "reg too small for its "
							     "registers: bytes ", size, -EINVAL) : 0;
	}
#if defined(__x86_64__) || defined(__i386__)
	err = tk_dev_reg(dev, 0, &addr, &size);
	if (err)
		return err;
	if (addr > 0x10000 - span)
		return bad_layout(dev, "registers past the I/O port space at ", addr, -ERANGE);
	u->base = (uintptr_t)addr;
	return 0;
#else
	(void)addr;
	return -ENOTSUP;	/* no I/O port space on this arch */
#endif
}

static int ns16550_probe(struct tk_device *dev)
{
	if (nuarts == MAX_UARTS)
		return -ENOSPC;
	struct ns16550 *u = &uarts[nuarts];
	int err;

	u->io = tk_dt_prop_str(dev->fdt, dev->node, "io-mapped", &(const char *){0}) != -ENOENT;
	err = map_regs(dev, u);
	if (err)
		return err;
	/* Baud rate and format as firmware left them (QEMU ignores them);
	 * 8N1, FIFOs on, DTR/RTS/OUT2 (OUT2 gates the PC's IRQ line). */
	u->ier = 0;
	wr(u, IER, 0);
	wr(u, LCR, 0x03);
	wr(u, FCR, 0x07);
	wr(u, MCR, 0x0b);
	u->fifo = (rd(u, IIR) & IIR_FIFO_OK) == IIR_FIFO_OK ? FIFO_DEPTH : 1;
	dev->priv = u;
	err = tk_irq_connect(dev, 0, ns16550_irq, dev);
	if (err && err != -ENOENT)
		return err;
	nuarts++;
	if (!err) {
		u->ier = IER_RDI;
		wr(u, IER, u->ier);
	}
	/* Without an interrupt the UART still works, polled (output only). */
	return tk_console_register(dev, err ? &ns16550_polled_ops : &ns16550_irq_ops);
}

TK_DRIVER(ns16550, TK_LEVEL_CONSOLE, ns16550_probe, "ns16550a", "ns16550");
