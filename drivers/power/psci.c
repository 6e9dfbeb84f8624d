/* PSCI 0.2+ power off and reset through the conduit the DT's "method"
 * names (hvc or smc). Binds "arm,psci-1.0", "arm,psci-0.2". */
#include <errno.h>
#include <string.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#define PSCI_SYSTEM_OFF		0x84000008u
#define PSCI_SYSTEM_RESET	0x84000009u
#define PSCI_CPU_ON		0xc4000003u	/* SMC64 */

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

static int64_t call3(struct tk_device *dev, uint64_t fn, uint64_t a1, uint64_t a2)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = 0;

	if (dev->priv == (void *)call_hvc)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	else
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) :: "memory");
	return (int64_t)x0;
}

/* CPU_ON(target MPIDR, entry, context): 0, or PSCI's negative code
 * (-2 INVALID_PARAMETERS, -4 ALREADY_ON, ...) as -EIO with a line. */
static int psci_cpu_on(struct tk_device *dev, uint64_t hwid, uintptr_t entry)
{
	int64_t r = call3(dev, PSCI_CPU_ON, hwid, entry);

	if (r == 0)
		return 0;
	tk_printk("psci: CPU_ON 0x%lx: error %ld\n", (unsigned long)hwid, (long)r);
	return -EIO;
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
	else {
		tk_dt_err_begin(dev->fdt, dev->node);
		tk_dt_err_str("psci: method '");
		tk_dt_err_str(method);
		tk_dt_err_str("' is neither hvc nor smc");
		return -EINVAL;
	}
	err = tk_cpu_method_register(dev, "psci", psci_cpu_on);
	if (err)
		return err;
	return tk_power_register(dev, &psci_ops);
}

TK_DRIVER(psci, TK_LEVEL_DEVICE, psci_probe, "arm,psci-1.0", "arm,psci-0.2");
