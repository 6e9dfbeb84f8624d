/*
 * ARM PrimeCell UART (PL011, ARM DDI 0183). Binds "arm,pl011".
 * Console: polled putc (early boot, panic) and interrupt-driven transmit
 * (device.h: tx_start / tk_console_tx_fill) on the transmit interrupt;
 * received bytes go to the console's input (tk_console_rx) from the receive
 * and receive-timeout interrupts.
 *
 * The transmit interrupt fires when the TX FIFO level crosses down through
 * the trigger level (UARTIFLS, half full by default): enabling it with the
 * FIFO already below that level raises nothing, so tx_start fills the FIFO
 * first and enables the interrupt after. QEMU's model differs - it raises
 * TX status after every write to UARTDR and has no FIFO-full flag - which
 * the same code handles: a fill stops at the FIFO depth, and the interrupt
 * comes at once, until the ring is empty.
 */
#include <errno.h>
#include <stdbool.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define UARTDR		0x00
#define UARTFR		0x18
#define UARTLCR_H	0x2c
#define UARTCR		0x30
#define UARTIMSC	0x38	/* 1 = interrupt enabled */
#define UARTMIS		0x40	/* masked status */
#define UARTICR		0x44	/* write 1 to clear */
#define REG_SPAN	0x48	/* through UARTICR */
#define FR_BUSY		(1u << 3)
#define FR_RXFE		(1u << 4)
#define FR_TXFF		(1u << 5)
#define FR_TXFE		(1u << 7)
#define LCRH_FEN	(1u << 4)
#define CR_UARTEN	(1u << 0)
#define CR_TXE		(1u << 8)
#define CR_RXE		(1u << 9)
#define INT_RX		(1u << 4)	/* RXIM: the RX FIFO reached its level */
#define INT_TX		(1u << 5)	/* TXIM / TXMIS / TXIC */
#define INT_RT		(1u << 6)	/* RTIM: bytes waiting, none for a while */
#define INT_ALL		0x7ffu
/* What any PL011 takes once its FIFO is empty: r1p5 has 32 places, the
 * older revisions and the Raspberry Pi's (BCM2835 peripherals 13.1: "16x8
 * transmit FIFO") 16. Writing 32 on TXFE (as this said before) drops 16 on
 * a Pi; TXFF is not read in between. */
#define TX_FIFO_DEPTH	16

static inline volatile uint32_t *reg(struct tk_device *dev, unsigned off)
{
	return (volatile uint32_t *)((uintptr_t)dev->priv + off);
}

static void tx_put(struct tk_device *dev, const uint8_t *buf, unsigned n)
{
	volatile uint32_t *dr = reg(dev, UARTDR);

	for (unsigned i = 0; i < n; i++)
		*dr = buf[i];
}

/* What the TX FIFO takes without looking again: all of it when empty (on
 * QEMU always: it sends at once), else one byte while not full. */
static unsigned tx_room(struct tk_device *dev)
{
	uint32_t fr = *reg(dev, UARTFR);

	return fr & FR_TXFE ? TX_FIFO_DEPTH : !(fr & FR_TXFF);
}

/* Polled: as many bytes a status read as tx_room says fit (the whole
 * FIFO when it is empty, as on QEMU always), not a read a byte. */
static void pl011_write(struct tk_device *dev, const char *s, size_t n)
{
	while (n) {
		unsigned room;

		while (!(room = tx_room(dev)))
			;
		if (room > n)
			room = (unsigned)n;
		tx_put(dev, (const uint8_t *)s, room);
		s += room;
		n -= room;
	}
}

static void pl011_putc(struct tk_device *dev, char c)
{
	pl011_write(dev, &c, 1);
}

/* Ring bytes into the FIFO, at most its depth (QEMU never says full);
 * false once the ring is empty (the kernel then counts the transmitter
 * idle). */
static bool fifo_fill(struct tk_device *dev)
{
	return tk_console_tx_fill(dev, TX_FIFO_DEPTH, tx_room, tx_put);
}

/* Interrupts masked (device.h). Fill first: a full FIFO is above the
 * trigger level, so its draining raises the interrupt we enable next. */
static void pl011_tx_start(struct tk_device *dev)
{
	if (fifo_fill(dev))
		*reg(dev, UARTIMSC) |= INT_TX;
}

/* The next received byte, -1 when the RX FIFO is empty (error bits 8-11 dropped). */
static int rx_getc(struct tk_device *dev)
{
	return *reg(dev, UARTFR) & FR_RXFE ? -1 : (int)(uint8_t)*reg(dev, UARTDR);
}

static void pl011_isr(void *arg)
{
	struct tk_device *dev = arg;

	if (*reg(dev, UARTMIS) & (INT_RX | INT_RT)) {
		*reg(dev, UARTICR) = INT_RX | INT_RT;
		tk_console_rx_drain(dev, rx_getc);
	}
	if (!(*reg(dev, UARTMIS) & INT_TX))
		return;
	/* Cleared before the refill: on real hardware the refill lifts the
	 * level above the trigger again; on QEMU each write sets TX status
	 * anew. */
	*reg(dev, UARTICR) = INT_TX;
	/* Under tk_irq_lock, as the kernel calls tx_start: a writer on another
	 * CPU must not restart the transmitter between the ring running empty
	 * and the interrupt being masked here. */
	unsigned long k = tk_irq_lock();

	if (!fifo_fill(dev))
		*reg(dev, UARTIMSC) &= ~INT_TX;
	tk_irq_unlock(k);
}

static const struct tk_console_ops pl011_polled_ops = { .putc = pl011_putc, .write = pl011_write };
static const struct tk_console_ops pl011_irq_ops = {
	.putc = pl011_putc, .write = pl011_write, .tx_start = pl011_tx_start, .rx = true,
};

/* Without FIFOs the UART holds one byte: an interrupt per byte. UARTLCR_H
 * may change only while the UART is off and idle (DDI 0183 3.3.7). */
static void enable_fifos(struct tk_device *dev)
{
	if (*reg(dev, UARTLCR_H) & LCRH_FEN)
		return;
	while (*reg(dev, UARTFR) & FR_BUSY)
		;
	*reg(dev, UARTCR) &= ~CR_UARTEN;
	*reg(dev, UARTLCR_H) |= LCRH_FEN;
}

static int pl011_probe(struct tk_device *dev)
{
	uintptr_t base;
	int err = tk_dev_mmio_regs(dev, 0, REG_SPAN, &base);

	if (err)
		return err;
	dev->priv = (void *)base;
	/* Firmware may have left the UART off; baud and format are kept as
	 * the boot loader set them (QEMU ignores them). */
	enable_fifos(dev);
	*reg(dev, UARTIMSC) = 0;
	*reg(dev, UARTICR) = INT_ALL;
	*reg(dev, UARTCR) |= CR_UARTEN | CR_TXE | CR_RXE;
	/* Without its interrupt the UART still works, polled, without input:
	 * quietly when it has none, said when the DT's is unusable. */
	err = tk_irq_connect(dev, 0, pl011_isr, dev);
	if (err) {
		if (err != -ENOENT)
			tk_printk("pl011: %s: interrupt not connected (%d: %s): polled, no input\n",
				  dev->path, err, tk_dt_last_error());
		return tk_console_register(dev, &pl011_polled_ops);
	}
	*reg(dev, UARTIMSC) = INT_RX | INT_RT;
	return tk_console_register(dev, &pl011_irq_ops);
}

TK_DRIVER(pl011, TK_LEVEL_CONSOLE, pl011_probe, "arm,pl011");
