/*
 * x86 I/O APIC (Intel 82093AA datasheet): routes its input pins to the
 * local APIC as vectors. Binds "intel,ce4100-ioapic". It registers as a
 * router, not the root: the LAPIC acknowledges and ends interrupts (an EOI
 * to the LAPIC is broadcast to the IOAPICs, which ends level-triggered
 * ones). Specifier <pin type>, type as Linux's x86 DT code reads it:
 * 0 edge falling, 1 level high, 2 level low, 3 edge rising (QEMU's own DT
 * writes 0 everywhere; its IOAPIC ignores polarity). Pin p of the n-th
 * IOAPIC to register is vector 0x30 + 24 * n + p, fixed, so translating is
 * pure arithmetic. A pin the IOAPIC does not have fails with -EINVAL and
 * a sentence naming it; the probe also checks every enabled node routed to
 * this IOAPIC and panics on one naming a pin it lacks: that DT does not
 * describe this machine, and its device would wait for an interrupt that
 * can never come. Every pin goes to the boot CPU until tk_irq_set_affinity
 * routes it (the entry's physical destination: an APIC ID).
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOAPIC_SPAN	0x14	/* through IOWIN */
#define IOAPICVER	0x01
#define IOREDTBL(p)	(0x10 + 2 * (p))
#define RTE_MASKED	(1u << 16)
#define RTE_LEVEL	(1u << 15)
#define RTE_ACTIVE_LOW	(1u << 13)
#define VEC_BASE	0x30
#define PINS_PER_SLOT	24
#define MAX_IOAPICS	4

struct ioapic {
	uintptr_t base;
	unsigned pins, vbase;
	uint32_t type[PINS_PER_SLOT];	/* RTE trigger/polarity bits per pin */
	uint8_t dest[PINS_PER_SLOT];	/* APIC ID each pin goes to (boot CPU's by default) */
	bool masked[PINS_PER_SLOT];
};

static struct ioapic ioapics[MAX_IOAPICS];
static unsigned nioapics;

static uint32_t rd(struct ioapic *io, unsigned r)
{
	*(volatile uint32_t *)(io->base + IOREGSEL) = r;
	return *(volatile uint32_t *)(io->base + IOWIN);
}

static void wr(struct ioapic *io, unsigned r, uint32_t v)
{
	*(volatile uint32_t *)(io->base + IOREGSEL) = r;
	*(volatile uint32_t *)(io->base + IOWIN) = v;
}

static int io_xlate(struct tk_device *dev, const uint32_t *c, uint32_t n, unsigned *line)
{
	static const uint32_t types[4] = {
		RTE_ACTIVE_LOW, RTE_LEVEL, RTE_LEVEL | RTE_ACTIVE_LOW, 0,
	};
	struct ioapic *io = dev->priv;

	tk_dt_err_begin(dev->fdt, dev->node);
	if (n != 2) {
		tk_dt_err_str("an IOAPIC interrupt has 2 cells <pin type>");
		return -EINVAL;
	}
	if (c[0] >= io->pins) {
		tk_dt_err_str("no IOAPIC pin ");
		tk_dt_err_num(c[0], 10);
		tk_dt_err_str(" (pins 0..");
		tk_dt_err_num(io->pins - 1, 10);
		tk_dt_err_str(")");
		return -EINVAL;
	}
	if (c[1] > 3) {
		tk_dt_err_str("IOAPIC interrupt type must be 0..3");
		return -EINVAL;
	}
	io->type[c[0]] = types[c[1]];
	*line = io->vbase + c[0];
	return 0;
}

static uint8_t own_apic_id(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	return (uint8_t)(b >> 24);	/* CPUID 1 EBX[31:24] */
}

/* The pin's redirection entry: to its CPU, physical mode, fixed. */
static void write_rte(struct ioapic *io, unsigned pin)
{
	wr(io, IOREDTBL(pin) + 1, (uint32_t)io->dest[pin] << 24);
	wr(io, IOREDTBL(pin), (io->vbase + pin) | io->type[pin] | (io->masked[pin] ? RTE_MASKED : 0));
}

static void set_mask(struct tk_device *dev, unsigned line, bool masked)
{
	struct ioapic *io = dev->priv;
	unsigned pin = line - io->vbase;

	if (pin >= io->pins)
		return;
	io->masked[pin] = masked;
	write_rte(io, pin);
}

static void io_enable(struct tk_device *dev, unsigned line)
{
	set_mask(dev, line, false);
}

static void io_disable(struct tk_device *dev, unsigned line)
{
	set_mask(dev, line, true);
}

static int io_route(struct tk_device *dev, unsigned line, unsigned cpu, uint64_t hwid)
{
	struct ioapic *io = dev->priv;
	unsigned pin = line - io->vbase;

	(void)cpu;
	if (line < io->vbase || pin >= io->pins || hwid > 0xff)
		return -EINVAL;
	io->dest[pin] = (uint8_t)hwid;
	write_rte(io, pin);
	return 0;
}

static const struct tk_intc_ops io_ops = {
	.xlate = io_xlate, .enable = io_enable, .disable = io_disable, .route = io_route,
	.router = true,
};

static void check_users(struct tk_device *dev, const struct ioapic *io)
{
	const void *fdt = dev->fdt;

	for (int node = tk_dt_next_node(fdt, -1); node >= 0; node = tk_dt_next_node(fdt, node)) {
		struct tk_dt_irq irqs[4];
		int n = tk_dt_node_enabled(fdt, node) ? tk_dt_irqs(fdt, node, irqs, 4) : 0;

		for (int i = 0; i < n; i++) {
			if (irqs[i].parent != dev->node || irqs[i].cells[0] < io->pins)
				continue;
			char path[128];

			if (tk_dt_path(fdt, node, path, sizeof(path)))
				path[0] = 0;
			tk_panic("irq: %s: interrupt %d is IOAPIC pin %u, but %s has pins 0..%u",
				 path, i, (unsigned)irqs[i].cells[0], dev->path, io->pins - 1);
		}
	}
}

static int ioapic_probe(struct tk_device *dev)
{
	if (nioapics == MAX_IOAPICS)
		return -ENOSPC;
	struct ioapic *io = &ioapics[nioapics];
	int err = tk_dev_mmio_regs(dev, 0, IOAPIC_SPAN, &io->base);

	if (err)
		return err;
	io->pins = ((rd(io, IOAPICVER) >> 16) & 0xff) + 1;
	if (io->pins > PINS_PER_SLOT)
		io->pins = PINS_PER_SLOT;
	io->vbase = VEC_BASE + PINS_PER_SLOT * nioapics;
	for (unsigned p = 0; p < io->pins; p++) {
		io->dest[p] = own_apic_id();	/* probed on the boot CPU: CPU 0 */
		io->masked[p] = true;
		wr(io, IOREDTBL(p), RTE_MASKED);
	}
	dev->priv = io;
	check_users(dev, io);
	err = tk_intc_register(dev, &io_ops);
	if (err == 0)
		nioapics++;
	return err;
}

TK_DRIVER(ioapic, TK_LEVEL_INTC, ioapic_probe, "intel,ce4100-ioapic");
