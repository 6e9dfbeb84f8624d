/* Interrupt routing across CPUs (the smp test). */
#include <errno.h>
#include <string.h>

#include <takt/board.h>
#include <takt/device.h>
#include <takt/entropy.h>
#include <takt/takt.h>

#include "smp_test.h"

/* ---- interrupt routing: the console's line to CPU 1, and back ---- */
static const struct tk_device *find_level(int level)
{
	for (int i = 0; i < tk_dev_count(); i++)
		if (tk_dev_get(i)->drv->level == level)
			return tk_dev_get(i);
	return 0;
}

/* A device whose interrupt is connected and can be made to fire: the
 * virtio-rng slot (QEMU -device virtio-rng-device), whose every request
 * completes with an interrupt. */
static struct tk_device *rng_dev(void)
{
	uint8_t b;

	if (tk_entropy_get(&b, 1, tk_now_ns() + 1000000000ull) != 0)
		return 0;
	for (int i = 0; i < tk_dev_count(); i++) {
		struct tk_device *d = (struct tk_device *)tk_dev_get(i);

		if (strcmp(d->drv->name, "virtio_mmio") == 0 && tk_irq_last_cpu(d, 0) >= 0)
			return d;
	}
	return 0;
}

/* Delivery: routed to the last CPU, the completion runs its handler there. */
static void test_irq_delivery(void)
{
	struct tk_device *rng = rng_dev();
	unsigned last = ncpu - 1;
	uint8_t buf[32];
	uint64_t n;

	if (!rng) {
		printf("smp: no virtio-rng: interrupt delivery not checked\n");
		return;
	}
	n = tk_irq_count(rng, 0);
	TK_CHECK("irq_delivered_on_cpu0_by_default", tk_irq_last_cpu(rng, 0) == 0);
	TK_CHECK("irq_routed_to_last_cpu", tk_irq_set_affinity(rng, 0, last) == 0);
	TK_CHECK("irq_delivered_on_the_routed_cpu",
		 tk_entropy_get(buf, sizeof(buf), tk_now_ns() + 1000000000ull) == 0 &&
		 tk_irq_count(rng, 0) > n && tk_irq_last_cpu(rng, 0) == (int)last);
	tk_irq_set_affinity(rng, 0, 0);
}

/* Delivery of the console's line where it is routed: a key typed by the
 * test (SEND) raises the receive interrupt there. For the boards without
 * a virtio-rng (the ZCU102's GIC-400), the only delivery check. */
static void test_rx_delivery(struct tk_device *con)
{
	unsigned last = ncpu - 1;
	uint64_t n = tk_irq_count(con, 0);
	char ch = 0;

	TK_CHECK("console_routed_to_last_cpu", tk_irq_set_affinity(con, 0, last) == 0);
	printf("smp: type a key\n");
	fflush(stdout);
	TK_CHECK("console_rx_delivered_on_the_routed_cpu",
		 tk_console_read(&ch, 1, TK_FOREVER) == 1 && ch == 'k' &&
		 tk_irq_count(con, 0) > n && tk_irq_last_cpu(con, 0) == (int)last);
	tk_irq_set_affinity(con, 0, 0);
}

static void no_handler(void *arg)
{
	(void)arg;
}

/* The device calls' bad arguments, and a line connected twice. */
static void test_dev_api_refusals(struct tk_device *con)
{
	uintptr_t base;
	uint64_t addr, size;

	TK_CHECK("dev_mmio_null_einval", tk_dev_mmio(0, 0, &base, 0) == -EINVAL &&
					 (!con || tk_dev_mmio(con, 0, 0, 0) == -EINVAL) &&
					 tk_dev_mmio_regs(0, 0, 4, &base) == -EINVAL &&
					 tk_dev_reg(0, 0, &addr, &size) == -EINVAL);
	TK_CHECK("dev_mmio_regs_more_than_the_dt_einval",
		 con && tk_dev_mmio_regs(con, 0, UINT64_MAX, &base) == -EINVAL);
	TK_CHECK("dev_mmio_no_such_entry_enoent", con && tk_dev_mmio(con, 9, &base, 0) == -ENOENT);
	TK_CHECK("irq_connect_null_einval", tk_irq_connect(0, 0, no_handler, 0) == -EINVAL &&
					    (!con || tk_irq_connect(con, 0, 0, 0) == -EINVAL));
	TK_CHECK("irq_connect_taken_line_ebusy", con && tk_irq_connect(con, 0, no_handler, 0) == -EBUSY);
}

/* console_chained: the board's console sits behind a chained controller
 * (the Pi 3's mini-UART, behind its AUX block), which cannot route.
 * rx_delivery: the test types a key when asked. */
void test_irq_affinity(int con_cpu, bool console_chained, bool rx_delivery)
{
	struct tk_device *con = (struct tk_device *)find_level(TK_LEVEL_CONSOLE);
	struct tk_device *tmr = (struct tk_device *)find_level(TK_LEVEL_TIMER);
	int err;

	/* con_cpu=N in the bootargs: the DT's interrupt-affinity sent it there */
	TK_CHECK("irq_affinity_as_the_dt_says", con && tk_irq_affinity(con, 0) == con_cpu);
	TK_CHECK("irq_affinity_null_device_einval", tk_irq_affinity(0, 0) == -EINVAL &&
						    tk_irq_last_cpu(0, 0) == -EINVAL);
	test_dev_api_refusals(con);
	if (!tmr)	/* x86: the timer is the LAPIC's own line 0 */
		tmr = (struct tk_device *)find_level(TK_LEVEL_INTC);

	TK_CHECK("irq_affinity_offline_cpu_einval", con && tk_irq_set_affinity(con, 0, 31) == -EINVAL);
	TK_CHECK("irq_affinity_percpu_line_refused", tmr && tk_irq_set_affinity(tmr, 2, 1) < 0);
	err = con ? tk_irq_set_affinity(con, 0, 1) : -ENODEV;
	if (console_chained) {
		TK_CHECK("irq_affinity_chained_console_enotsup", err == -ENOTSUP &&
			 tk_irq_affinity(con, 0) == 0);
	} else {
		TK_CHECK("irq_affinity_set", err == 0);
		/* QEMU's UARTs take every byte at once: the transmit ring never
		 * waits for an interrupt, so delivery on CPU 1 is not observable
		 * here (the console's receive interrupt will be). */
		TK_CHECK("irq_affinity_back_to_cpu0", tk_irq_set_affinity(con, 0, 0) == 0 &&
							   tk_irq_affinity(con, 0) == 0);
		if (con && rx_delivery)
			test_rx_delivery(con);
	}
	test_irq_delivery();
}

