/*
 * BCM2835 auxiliary mini-UART (BCM2835 ARM Peripherals, chapter 2; the
 * same block on the BCM2836/7/2711), the console the Raspberry Pi DTs name
 * (stdout-path = serial1). Binds "brcm,bcm2835-aux-uart".
 *
 * Transmit is interrupt-driven (the console contract of <takt/device.h>):
 * tx_start fills the 8-byte FIFO from the kernel's ring and turns on the
 * "transmit FIFO empty" interrupt; its handler refills the FIFO and turns
 * the interrupt off once the ring is empty. putc polls (boot, panic).
 * Received bytes go to the console's input (tk_console_rx) from the
 * receive interrupt.
 *
 * The UART is gated by the AUX block's enable register (2.1.1, AUXENB),
 * which the DT reaches through 'clocks' (the "brcm,bcm2835-aux" node). The
 * firmware sets it with enable_uart=1; when it did not, the UART is
 * enabled here as 8N1 at 115200 baud, assuming the 250 MHz core clock that
 * enable_uart=1 also fixes (2.2.1: baud = clock / (8 * (BAUD + 1))).
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>

#define AUX_ENABLES	0x04		/* 2.1.1 AUXENB, in the AUX block */
#define AUX_SPAN	0x08		/* through AUXENB */
#define AUXENB_UART	(1u << 0)

/* 2.2.2, offsets from the mini-UART's reg (0x7e215040). */
#define MU_IO		0x00
#define MU_IER		0x04
#define MU_IIR		0x08
#define MU_LCR		0x0c
#define MU_MCR		0x10
#define MU_LSR		0x14
#define MU_CNTL		0x20
#define MU_BAUD		0x28
#define MU_SPAN		0x2c		/* through MU_BAUD */

/* IER: the manual swaps the two bits' descriptions (known erratum); the
 * block is 16550-like, as Linux's 8250 driver and QEMU treat it. */
#define IER_TX		(1u << 1)
#define IER_RX		(1u << 0)
#define LSR_RX_READY	(1u << 0)	/* the receive FIFO holds a byte */
#define IIR_NONE	(1u << 0)	/* 0 while an interrupt is pending */
#define IIR_CLEAR_FIFOS	0xc6
#define LCR_8BIT	0x3		/* bit 1 too: erratum, 7-bit otherwise */
#define LSR_TX_ROOM	(1u << 5)	/* the FIFO takes at least one byte */
#define LSR_TX_IDLE	(1u << 6)	/* the FIFO is empty, nothing being sent */
#define CNTL_RX_TX	0x3
#define BAUD_115200_AT_250MHZ 270
#define MU_FIFO_DEPTH	8		/* 2.2: 8-symbol transmit FIFO */

struct mu {
	uintptr_t base;
};

static struct mu mu;

static inline volatile uint32_t *reg(unsigned off)
{
	return (volatile uint32_t *)(mu.base + off);
}

static void mu_putc(struct tk_device *dev, char c)
{
	(void)dev;
	while (!(*reg(MU_LSR) & LSR_TX_ROOM))
		;
	*reg(MU_IO) = (uint8_t)c;
}

static void tx_put(struct tk_device *dev, const uint8_t *buf, unsigned n)
{
	volatile uint32_t *io = reg(MU_IO);

	(void)dev;
	for (unsigned i = 0; i < n; i++)
		*io = buf[i];
}

/* What the FIFO takes without looking again: all of it when the
 * transmitter is idle, else one byte while it has room. */
static unsigned tx_room(struct tk_device *dev)
{
	uint32_t lsr = *reg(MU_LSR);

	(void)dev;
	return lsr & LSR_TX_IDLE ? MU_FIFO_DEPTH : !!(lsr & LSR_TX_ROOM);
}

/* Ring bytes into the FIFO while it has room, at most its depth: the
 * caller has interrupts masked, and an emulated UART that never fills (QEMU)
 * would otherwise drain the whole ring here. True when the ring ran empty
 * (the kernel has marked the transmitter idle). */
static bool mu_fill(struct tk_device *dev)
{
	return !tk_console_tx_fill(dev, MU_FIFO_DEPTH, tx_room, tx_put);
}

/* Called with interrupts masked (the contract), as is the handler. */
static void mu_tx_start(struct tk_device *dev)
{
	if (mu_fill(dev))
		*reg(MU_IER) &= ~IER_TX;
	else
		*reg(MU_IER) |= IER_TX;
}

/* The next received byte, -1 when the receive FIFO is empty. */
static int rx_getc(struct tk_device *dev)
{
	(void)dev;
	return *reg(MU_LSR) & LSR_RX_READY ? (int)(uint8_t)*reg(MU_IO) : -1;
}

/* The AUX line is shared with the two SPI masters: do nothing unless the
 * UART itself has an interrupt pending. */
static void mu_irq(void *arg)
{
	struct tk_device *dev = arg;

	if (*reg(MU_IIR) & IIR_NONE)
		return;
	tk_console_rx_drain(dev, rx_getc);
	/* Under tk_irq_lock, as the kernel calls tx_start: a writer on another
	 * CPU must not restart the transmitter between the ring running empty
	 * and the interrupt being masked here (seen: output stalled). */
	unsigned long k = tk_irq_lock();

	if (mu_fill(dev))
		*reg(MU_IER) &= ~IER_TX;
	tk_irq_unlock(k);
}

static const struct tk_console_ops mu_ops = {
	.putc = mu_putc, .tx_start = mu_tx_start, .rx = true,
};
static const struct tk_console_ops mu_polled_ops = { .putc = mu_putc };

/* Program 8N1 115200 from scratch (2.2.2): the firmware did not. */
static void mu_setup(void)
{
	*reg(MU_CNTL) = 0;
	*reg(MU_IER) = 0;
	*reg(MU_LCR) = LCR_8BIT;
	*reg(MU_MCR) = 0;
	*reg(MU_IIR) = IIR_CLEAR_FIFOS;
	*reg(MU_BAUD) = BAUD_115200_AT_250MHZ;
	*reg(MU_CNTL) = CNTL_RX_TX;
}

/* Turn the UART on in AUXENB, found through 'clocks' (the AUX node). */
static int aux_enable(struct tk_device *dev)
{
	struct tk_device aux = *dev;
	uintptr_t base;
	int err = tk_dt_prop_phandle(dev->fdt, dev->node, "clocks", &aux.node);

	if (err)
		return err;
	if (tk_dt_compat_index(dev->fdt, aux.node, "brcm,bcm2835-aux") < 0) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("'clocks' does not name the brcm,bcm2835-aux block (AUXENB)");
		return -EINVAL;
	}
	err = tk_dev_mmio_regs(&aux, 0, AUX_SPAN, &base);
	if (err)
		return err;
	volatile uint32_t *enb = (volatile uint32_t *)(base + AUX_ENABLES);

	if (*enb & AUXENB_UART)
		return 0;
	*enb |= AUXENB_UART;
	mu_setup();
	return 0;
}

static int mu_probe(struct tk_device *dev)
{
	int err = tk_dev_mmio_regs(dev, 0, MU_SPAN, &mu.base);

	if (err == -ENOENT) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("no 'reg': the mini-UART's registers are unknown");
		return -EINVAL;
	}
	if (err)
		return err;
	err = aux_enable(dev);
	if (err)
		return err;
	*reg(MU_IER) = 0;
	*reg(MU_CNTL) |= CNTL_RX_TX;
	dev->priv = &mu;
	/* Without 'interrupts' it still works, polled; an interrupt that does
	 * not connect (its controller not bound: -ENXIO) fails the device. */
	err = tk_irq_connect(dev, 0, mu_irq, dev);
	if (err == -ENOENT)
		return tk_console_register(dev, &mu_polled_ops);
	if (err)
		return err;
	*reg(MU_IER) = IER_RX;
	return tk_console_register(dev, &mu_ops);
}

TK_DRIVER(bcm2835_aux_uart, TK_LEVEL_CONSOLE, mu_probe, "brcm,bcm2835-aux-uart");
