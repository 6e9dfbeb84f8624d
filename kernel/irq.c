/*
 * Interrupt core: the root interrupt controller's lines, their handlers and
 * counts. Handlers live in a small table indexed through a byte map, so the
 * dispatch path is two loads and no search.
 *
 * Line space (what slot_of is indexed by):
 *
 *   0 .. ROOT_LINES-1            the root's lines (and the routers', which
 *                                are root lines too)
 *   ROOT_LINES .. MAX_LINES-1    chained controllers, each a range
 *                                [base, base + nlines) handed out in
 *                                registration order
 *
 * The root's lines are dispatched by irq_dispatch; a chained controller's
 * are dispatched by its own handler (on one of its parent's lines) through
 * tk_intc_dispatch, so the root's path does not change when one exists.
 */
#include <errno.h>

#include <takt/device.h>
#include <takt/dt.h>
#include <takt/log.h>

#include "arch.h"
#include "irq.h"
#include "irqoff.h"
#include "kernel.h"
#include "smp.h"
#include "thread_impl.h"
#include "trace/trace.h"

#define ROOT_LINES 1024
#define CHAINED_LINES 256
#define MAX_LINES (ROOT_LINES + CHAINED_LINES)
#define MAX_HANDLERS 32
#define MAX_ROUTERS 4
#define MAX_CHAINED 4

struct intc {
	struct tk_device *dev;
	const struct tk_intc_ops *ops;
	unsigned base;		/* its line 0 in the kernel's line space */
	unsigned limit;		/* one past its last line there */
};

struct handler {
	tk_irq_handler_t fn;
	void *arg;
	uint64_t count;
	const struct intc *ctl;	/* the controller that enables/disables it */
	uint8_t cpu;		/* where it is routed (tk_irq_set_affinity) */
	uint8_t last_cpu;	/* where its handler last ran */
};

static struct tk_device *root;
static const struct tk_intc_ops *root_ops;
static struct intc root_intc;
static struct intc routers[MAX_ROUTERS];
static unsigned nrouters;
static struct intc chained[MAX_CHAINED];
static unsigned nchained, chained_next = ROOT_LINES;
static uint8_t slot_of[MAX_LINES];	/* 0 = none, else handler index + 1 */
static struct handler handlers[MAX_HANDLERS];
static unsigned nhandlers;
static uint64_t spurious;

/* The IPI: a root line with the kernel's handler (smp.c), counted like any. */
static void install_ipi(void)
{
	if (root_ops->ipi_line >= ROOT_LINES || slot_of[root_ops->ipi_line] ||
	    nhandlers == MAX_HANDLERS)
		return;
	handlers[nhandlers] = (struct handler){ smp_ipi_handler, 0, 0, &root_intc, 0, 0 };
	slot_of[root_ops->ipi_line] = (uint8_t)(++nhandlers);
	root_ops->enable(root, root_ops->ipi_line);
}

bool irq_can_ipi(void)
{
	return root_ops && root_ops->send_ipi && root_ops->cpu_init;
}

void irq_send_ipi(unsigned cpu, uint64_t hwid)
{
	root_ops->send_ipi(root, cpu, hwid);
}

void irq_cpu_init(unsigned cpu)
{
	root_ops->cpu_init(root, cpu);
}

static int register_chained(struct tk_device *dev, const struct tk_intc_ops *ops)
{
	if (ops->nlines == 0)
		return -EINVAL;
	if (nchained == MAX_CHAINED || ops->nlines > MAX_LINES - chained_next)
		return -ENOSPC;
	chained[nchained++] = (struct intc){ dev, ops, chained_next, chained_next + ops->nlines };
	chained_next += ops->nlines;
	return 0;
}

int irq_root_node(void)
{
	return root ? root->node : -1;
}

/* Registrations are the last thing a controller's probe does before it can
 * still fail (the LAPIC's timer after its intc), so the failed one is the
 * latest of its kind: drop it rather than keep a pointer into a device slot
 * the next probe overwrites (the IOAPIC then posed as the root with the
 * LAPIC's ops). */
void irq_forget_device(const struct tk_device *dev)
{
	if (root == dev) {
		root = 0;
		root_ops = 0;
		root_intc = (struct intc){ 0 };
	}
	if (nrouters && routers[nrouters - 1].dev == dev)
		nrouters--;
	if (nchained && chained[nchained - 1].dev == dev)
		chained_next = chained[--nchained].base;
}

int tk_intc_register(struct tk_device *dev, const struct tk_intc_ops *ops)
{
	if (!dev || !ops || !ops->xlate || !ops->enable || !ops->disable)
		return -EINVAL;
	if (ops->chained)
		return register_chained(dev, ops);
	if (ops->router) {
		if (nrouters == MAX_ROUTERS)
			return -ENOSPC;
		routers[nrouters++] = (struct intc){ dev, ops, 0, ROOT_LINES };
		return 0;
	}
	if (root)
		return -EBUSY;
	root = dev;
	root_ops = ops;
	root_intc = (struct intc){ dev, ops, 0, ROOT_LINES };
	if (irq_can_ipi())
		install_ipi();
	return 0;
}

static const struct intc *intc_of(int node)
{
	if (root && root->node == node)
		return &root_intc;
	for (unsigned i = 0; i < nrouters; i++)
		if (routers[i].dev->node == node)
			return &routers[i];
	for (unsigned i = 0; i < nchained; i++)
		if (chained[i].dev->node == node)
			return &chained[i];
	return 0;
}

/* Why a device's interrupt has no controller, for its probe's failure line:
 * the parent never bound (no driver, or its own probe failed, logged above). */
static int unbound_parent(struct tk_device *dev, int parent)
{
	char path[96];

	if (tk_dt_path(dev->fdt, parent, path, sizeof(path)) < 0)
		path[0] = 0;
	tk_dt_err_begin(dev->fdt, dev->node);
	tk_dt_err_str("interrupt parent ");
	tk_dt_err_str(path);
	tk_dt_err_str(" is not a bound interrupt controller");
	return -ENXIO;
}

static int line_of(struct tk_device *dev, int idx, unsigned *line, const struct intc **ctl)
{
	struct tk_dt_irq irqs[4];
	int n = tk_dt_irqs(dev->fdt, dev->node, irqs, 4);

	if (n < 0)
		return n;
	if (idx < 0 || idx >= n)
		return -ENOENT;
	*ctl = intc_of(irqs[idx].parent);
	if (!root || !*ctl)
		return unbound_parent(dev, irqs[idx].parent);
	int err = (*ctl)->ops->xlate((*ctl)->dev, irqs[idx].cells, irqs[idx].ncells, line);

	if (err)
		return err;
	*line += (*ctl)->base;	/* the controller's line -> the kernel's */
	return *line < (*ctl)->limit ? 0 : -EINVAL;
}

int tk_irq_connect(struct tk_device *dev, int idx, tk_irq_handler_t fn, void *arg)
{
	const struct intc *ctl;
	unsigned line;
	int err;

	if (!dev || !fn)
		return -EINVAL;
	err = line_of(dev, idx, &line, &ctl);
	if (err)
		return err;
	/* Two threads connecting at once (drivers after the boot, an app's
	 * own devices) must not both see the line free or take one slot. */
	unsigned long f = klock();

	if (slot_of[line]) {
		err = -EBUSY;
	} else if (nhandlers == MAX_HANDLERS) {
		err = -ENOSPC;
	} else {
		handlers[nhandlers] = (struct handler){ fn, arg, 0, ctl, 0, 0 };
		slot_of[line] = (uint8_t)(++nhandlers);
		ctl->ops->enable(ctl->dev, line - ctl->base);
	}
	kunlock(f);
	return err;
}

/* The handler connected as dev's interrupt idx, and its controller and line.
 * @retval 0, -EINVAL (no dev), -ENOENT (not connected), line_of's errors */
static int handler_of(struct tk_device *dev, int idx, struct handler **h,
		      const struct intc **ctl, unsigned *line)
{
	int err = dev ? line_of(dev, idx, line, ctl) : -EINVAL;

	if (err)
		return err;
	if (!slot_of[*line])
		return -ENOENT;
	*h = &handlers[slot_of[*line] - 1];
	return 0;
}

int tk_irq_set_affinity(struct tk_device *dev, int idx, unsigned cpu)
{
	const struct intc *ctl;
	struct handler *h;
	unsigned line;
	int err;

	if (cpu >= TK_CPUS_MAX || !cpus[cpu].online)
		return -EINVAL;
	err = handler_of(dev, idx, &h, &ctl, &line);
	if (err)
		return err;
	if (!ctl->ops->route)
		return -ENOTSUP;
	unsigned long f = klock();

	err = ctl->ops->route(ctl->dev, line - ctl->base, cpu, cpus[cpu].hwid);
	if (!err)
		h->cpu = (uint8_t)cpu;
	kunlock(f);
	return err;
}

int tk_irq_affinity(struct tk_device *dev, int idx)
{
	const struct intc *ctl;
	struct handler *h;
	unsigned line;
	int err = handler_of(dev, idx, &h, &ctl, &line);

	return err ? err : h->cpu;
}

int tk_irq_last_cpu(struct tk_device *dev, int idx)
{
	const struct intc *ctl;
	struct handler *h;
	unsigned line;
	int err = handler_of(dev, idx, &h, &ctl, &line);

	return err ? err : h->count ? h->last_cpu : -ENODATA;
}

uint64_t tk_irq_count(struct tk_device *dev, int idx)
{
	const struct intc *ctl;
	struct handler *h;
	unsigned line;

	return handler_of(dev, idx, &h, &ctl, &line) ? 0 : h->count;
}

/* Run the handler of controller c's line; an unexpected line would fire
 * forever, so it is masked and named instead. Both the root's dispatch and
 * the chained controllers' come here. */
static inline void run_line(const struct intc *c, unsigned line, unsigned cpu)
{
	unsigned kline = c->base + line;

	if (kline < c->limit && slot_of[kline]) {
		struct handler *h = &handlers[slot_of[kline] - 1];

		__atomic_fetch_add(&h->count, 1, __ATOMIC_RELAXED);	/* several CPUs share per-CPU lines */
		h->last_cpu = (uint8_t)cpu;
		h->fn(h->arg);
		return;
	}
	c->ops->disable(c->dev, line);
	tk_printk("irq: %s line %u has no handler, disabled\n", c->dev->path, line);
}

/* Inlined into each entry: the interrupt path makes one call less. */
static inline __attribute__((always_inline)) struct arch_frame *dispatch(struct arch_frame *f,
									 unsigned line)
{
	if (line == TK_IRQ_SPURIOUS) {
		spurious++;
		return f;
	}
	struct cpu *c = cpu_self();

	sched_irq_enter(c);
	c->irqs++;
	c->irq_frame = f;	/* for a crash core's stop (smp.c) */
	TRACE(TR_IRQ_ENTER, 0, line);
	run_line(&root_intc, line, c->id);
	root_ops->eoi(root, line);
	TRACE(TR_IRQ_EXIT, 0, line);
	/* A wake-up may have made another thread the one to run: switch now,
	 * with this thread's frame kept on its stack until it resumes here. */
	sched_irq_exit();
	/* back to what was interrupted, maybe on another CPU (a switch may
	 * have ended the masked stretch already, on the thread switched to) */
	if (__builtin_expect(irqoff_on, 0) && !sched_in_irq())
		irqoff_end();
	return f;
}

static void need_root(void)
{
	if (!root_ops)
		tk_panic("interrupt taken with no interrupt controller bound");
}

struct arch_frame *irq_dispatch(struct arch_frame *f)
{
	need_root();
	return dispatch(f, root_ops->ack(root));
}

struct arch_frame *irq_dispatch_vector(struct arch_frame *f, unsigned vector)
{
	need_root();
	return dispatch(f, root_ops->ack_vector ? root_ops->ack_vector(root, vector)
						: root_ops->ack(root));
}

void tk_intc_dispatch(struct tk_device *intc, unsigned line)
{
	const struct intc *c = 0;

	for (unsigned i = 0; i < nchained && !c; i++)
		if (chained[i].dev == intc)
			c = &chained[i];
	if (c)
		run_line(c, line, cpu_self()->id);
}

/* Masking this CPU's interrupts no longer excludes the others: the driver
 * state these sections guard is shared with handlers that may run on
 * another CPU, so they take the kernel's sync lock too (recursive). */
unsigned long tk_irq_lock(void)
{
	return klock();
}

void tk_irq_unlock(unsigned long key)
{
	kunlock(key);
	sched_preempt_point_after(key);	/* a wake-up inside the section switches now */
}

bool tk_irq_masked(void)
{
	return arch_irq_masked();
}
