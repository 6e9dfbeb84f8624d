/* PSCI 0.2+ power off and reset through the conduit the DT's "method"
 * names (hvc or smc). Binds "arm,psci-1.0", "arm,psci-0.2". */
#include <errno.h>
#include <string.h>

#include <takt/device.h>
#include <takt/dt.h>

#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u

static uint64_t call_hvc(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	__asm__ volatile("hvc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	return x0;
}

static uint64_t call_smc(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	__asm__ volatile("smc #0" : "+r"(x0) :: "x1", "x2", "x3", "memory");
	return x0;
}

static void psci_off(struct tk_device *dev)
{
	uint64_t (*call)(uint64_t) = (uint64_t (*)(uint64_t))dev->priv;

	call(PSCI_SYSTEM_OFF);
}

static void psci_reset(struct tk_device *dev)
{
	uint64_t (*call)(uint64_t) = (uint64_t (*)(uint64_t))dev->priv;

	call(PSCI_SYSTEM_RESET);
}

static const struct tk_power_ops psci_ops = { .off = psci_off, .reset = psci_reset };

static int psci_probe(struct tk_device *dev)
{
	const char *method;
	int err = tk_dt_prop_str(dev->fdt, dev->node, "method", &method);

	if (err)
		return err;
	if (strcmp(method, "hvc") == 0)
		dev->priv = (void *)call_hvc;
	else if (strcmp(method, "smc") == 0)
		dev->priv = (void *)call_smc;
	else
		return -EINVAL;
	return tk_power_register(dev, &psci_ops);
}

TK_DRIVER(psci, TK_LEVEL_DEVICE, psci_probe, "arm,psci-1.0", "arm,psci-0.2");
