/*
 * Cadence UART (Zynq UltraScale+ MPSoC UART0/1: UG1085 chapter 21 "UART
 * Controller", registers in UG1087 module UART). Console: polled putc and an
 * interrupt-driven transmit (device.h: tx_start / tk_console_tx_fill) on the
 * TX-FIFO-empty interrupt; received bytes go to the console's input
 * (tk_console_rx) on the RX-trigger interrupt, the trigger set to one byte.
 *
 * Baud rate and clock are kept as the boot loader set them (FSBL/u-boot on a
 * board; QEMU ignores them): the reference clock is not something the DT
 * hands us in a form we can program without the clock controller. The frame
 * format is set to what stdout-path's "115200n8" asks for: 8N1.
 */
#include <errno.h>
#include <stdbool.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define CR		0x00	/* Control_reg0 */
#define MR		0x04	/* mode_reg0 */
#define IER		0x08	/* Intrpt_en_reg0: write 1 to unmask */
#define IDR		0x0c	/* Intrpt_dis_reg0: write 1 to mask */
#define IMR		0x10	/* Intrpt_mask_reg0: read-only, 1 = enabled */
#define ISR		0x14	/* Chnl_int_sts_reg0: sticky, write 1 to clear */
#define SR		0x2c	/* Channel_sts_reg0 */
#define RTRIG		0x20	/* Rcvr_FIFO_trigger_level0 */
#define FIFO		0x30	/* TX_RX_FIFO0 */
#define REG_SPAN	0x48	/* through Tx_FIFO_trigger_level (0x44) */

#define CR_RX_EN	(1u << 2)
#define CR_RX_DIS	(1u << 3)
#define CR_TX_EN	(1u << 4)
#define CR_TX_DIS	(1u << 5)
#define CR_STOPBRK	(1u << 8)
#define MR_CLKS		(1u << 0)	/* reference clock / 8: kept */
#define MR_8N1		(4u << 3)	/* CHRL 00 = 8 bits, PAR 1xx = none, NBSTOP 00 = 1, CHMODE normal */
#define SR_REMPTY	(1u << 1)
#define SR_TEMPTY	(1u << 3)
#define SR_TFUL		(1u << 4)
#define INT_RTRIG	(1u << 0)	/* the RX FIFO reached its trigger level */
#define INT_TOUT	(1u << 8)	/* RX timeout */
#define INT_TEMPTY	(1u << 3)
#define INT_ALL		0x1fffu		/* bits 0..12 */
#define TX_FIFO_DEPTH	64		/* UG1085 21.1: 64-byte TX and RX FIFOs */

struct cdns_uart {
	uintptr_t base;
};

static inline volatile uint32_t *reg(struct tk_device *dev, unsigned off)
{
	struct cdns_uart *u = dev->priv;

	return (volatile uint32_t *)(u->base + off);
}

static void cdns_putc(struct tk_device *dev, char c)
{
	while (*reg(dev, SR) & SR_TFUL)
		;
	*reg(dev, FIFO) = (uint8_t)c;
}

static void tx_put(struct tk_device *dev, const uint8_t *buf, unsigned n)
{
	volatile uint32_t *fifo = reg(dev, FIFO);

	for (unsigned i = 0; i < n; i++)
		*fifo = buf[i];
}

/* What the TX FIFO takes without looking again: all of it when empty,
 * else one byte while not full. */
static unsigned tx_room(struct tk_device *dev)
{
	uint32_t sr = *reg(dev, SR);

	return sr & SR_TEMPTY ? TX_FIFO_DEPTH : !(sr & SR_TFUL);
}

/* Ring bytes into the FIFO while it has room; false once the ring is
 * empty (the kernel then counts the transmitter idle). */
static bool fifo_fill(struct tk_device *dev)
{
	return tk_console_tx_fill(dev, TX_FIFO_DEPTH, tx_room, tx_put);
}

/* Interrupts masked (device.h). TEMPTY is cleared before the fill, so it is
 * set again only by the FIFO draining after it: enabling the interrupt then
 * cannot miss that edge (UG1085 21.3.5: the status bits are sticky). */
static void cdns_tx_start(struct tk_device *dev)
{
	*reg(dev, ISR) = INT_TEMPTY;
	if (fifo_fill(dev))
		*reg(dev, IER) = INT_TEMPTY;
}

/* The next received byte, -1 when the RX FIFO is empty. */
static int rx_getc(struct tk_device *dev)
{
	return *reg(dev, SR) & SR_REMPTY ? -1 : (int)(uint8_t)*reg(dev, FIFO);
}

static void cdns_isr(void *arg)
{
	struct tk_device *dev = arg;
	uint32_t st = *reg(dev, ISR) & *reg(dev, IMR);

	*reg(dev, ISR) = st;
	if (st & (INT_RTRIG | INT_TOUT))
		tk_console_rx_drain(dev, rx_getc);
	/* Under tk_irq_lock, as the kernel calls tx_start: a writer on another
	 * CPU must not restart the transmitter between the ring running empty
	 * and the interrupt being masked here. */
	unsigned long k = tk_irq_lock();

	if ((st & INT_TEMPTY) && !fifo_fill(dev))
		*reg(dev, IDR) = INT_TEMPTY;
	tk_irq_unlock(k);
}

static const struct tk_console_ops cdns_polled_ops = { .putc = cdns_putc };
static const struct tk_console_ops cdns_irq_ops = {
	.putc = cdns_putc, .tx_start = cdns_tx_start, .rx = true,
};

/* No ID register exists, so check what can be checked (the register
 * block's size, tk_dev_mmio_regs): the read-only mask register follows
 * IDR/IER writes (a missing or different device reads back 0 or all-ones
 * for both). */
static int cdns_check(struct tk_device *dev)
{
	*reg(dev, IDR) = INT_ALL;
	uint32_t off = *reg(dev, IMR);

	*reg(dev, IER) = INT_TEMPTY;
	uint32_t on = *reg(dev, IMR);

	*reg(dev, IDR) = INT_ALL;
	if ((off & INT_ALL) != 0 || (on & INT_ALL) != INT_TEMPTY) {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("cadence-uart: the interrupt mask register does not follow IER/IDR (read ");
		tk_dt_err_num(off, 16);
		tk_dt_err_str(", ");
		tk_dt_err_num(on, 16);
		tk_dt_err_str("): not a Cadence UART");
		return -ENODEV;
	}
	return 0;
}

static int cdns_probe(struct tk_device *dev)
{
	static struct cdns_uart uarts[4];
	static unsigned nuarts;
	uintptr_t base;
	int err = tk_dev_mmio_regs(dev, 0, REG_SPAN, &base);

	if (err)
		return err;
	if (nuarts == sizeof(uarts) / sizeof(uarts[0]))
		return -ENOSPC;
	/* Static state: the console binds before the heap is worth using. */
	uarts[nuarts].base = base;
	dev->priv = &uarts[nuarts];
	err = cdns_check(dev);
	if (err)
		return err == -ENODEV ? -EIO : err;	/* -ENODEV would be skipped quietly */
	nuarts++;
	/* Reset value: both directions disabled (UG1087 Control_reg0 = 0x128).
	 * Enable them; keep the clock prescaler the boot loader chose. */
	*reg(dev, MR) = (*reg(dev, MR) & MR_CLKS) | MR_8N1;
	*reg(dev, CR) = CR_RX_EN | CR_TX_EN | CR_STOPBRK;
	*reg(dev, ISR) = INT_ALL;
	/* Without its interrupt the UART still works, polled, without input:
	 * quietly when it has none, said when the DT's is unusable. */
	err = tk_irq_connect(dev, 0, cdns_isr, dev);
	if (err) {
		if (err != -ENOENT)
			tk_printk("cadence-uart: %s: interrupt not connected (%d: %s): polled, no input\n",
				  dev->path, err, tk_dt_last_error());
		return tk_console_register(dev, &cdns_polled_ops);
	}
	*reg(dev, RTRIG) = 1;	/* a byte typed is a byte delivered */
	*reg(dev, IER) = INT_RTRIG | INT_TOUT;
	return tk_console_register(dev, &cdns_irq_ops);
}

TK_DRIVER(cadence_uart, TK_LEVEL_CONSOLE, cdns_probe, "cdns,uart-r1p12", "xlnx,zynqmp-uart", "xlnx,xuartps");
