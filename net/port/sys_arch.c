/*
 * lwIP's operating-system layer (lwIP's doc/sys_arch.txt) on Takt's own
 * primitives: semaphores and mailboxes are tk_sem and tk_msgq, the core
 * lock is a tk_mutex (priority inheritance: a deadline thread blocked on the
 * stack lends its deadline to the thread holding it), threads are tk
 * threads at the network's FIFO priority, and SYS_ARCH_PROTECT masks
 * interrupts for the few instructions lwIP guards with it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <lwip/opt.h>
#include <lwip/sys.h>
#include <lwip/tcpip.h>

#include <takt/device.h>
#include <takt/log.h>
#include <takt/netdev.h>
#include <takt/time.h>

#include "../config.h"

#define NS_PER_MS 1000000u

static int thread_prio = 20;	/* net/config.h NET_PRIO_DEFAULT; set at start */

void tk_lwip_set_prio(int prio)
{
	thread_prio = prio;
}

void sys_init(void)
{
}

u32_t sys_now(void)
{
	return (u32_t)(tk_now_ns() / NS_PER_MS);
}

/* lwIP's timeouts are ms, 0 = forever; Takt's calls take a deadline. */
static uint64_t deadline_of(u32_t timeout_ms, uint64_t start)
{
	return timeout_ms ? start + (uint64_t)timeout_ms * NS_PER_MS : TK_FOREVER;
}

static u32_t elapsed_ms(uint64_t start)
{
	return (u32_t)((tk_now_ns() - start) / NS_PER_MS);
}

/* -- semaphores ------------------------------------------------------------ */

err_t sys_sem_new(sys_sem_t *s, u8_t count)
{
	if (tk_sem_init(&s->sem, count, 0xffff))
		return ERR_ARG;
	s->valid = true;
	return ERR_OK;
}

void sys_sem_free(sys_sem_t *s)
{
	s->valid = false;
}

void sys_sem_signal(sys_sem_t *s)
{
	tk_sem_give(&s->sem);
}

u32_t sys_arch_sem_wait(sys_sem_t *s, u32_t timeout_ms)
{
	uint64_t start = tk_now_ns();

	if (tk_sem_take(&s->sem, deadline_of(timeout_ms, start)))
		return SYS_ARCH_TIMEOUT;
	return elapsed_ms(start);
}

/* -- mutexes (the core lock among them) ------------------------------------ */

err_t sys_mutex_new(sys_mutex_t *m)
{
	if (tk_mutex_init(&m->mutex, 0))
		return ERR_ARG;
	m->valid = true;
	return ERR_OK;
}

void sys_mutex_free(sys_mutex_t *m)
{
	m->valid = false;
}

/* Who holds lwIP's core lock: LWIP_ASSERT_CORE_LOCKED checks it (lwipopts.h),
 * so a call into the stack's core without the lock is a PANIC naming the
 * place instead of a corrupted list later. */
static tk_thread_t *core_owner;
static bool tcpip_running;	/* lwip_init runs unlocked before the thread starts */

void tk_lwip_mark_tcpip_thread(void)
{
	tcpip_running = true;
}

void sys_mutex_lock(sys_mutex_t *m)
{
	tk_mutex_lock(&m->mutex, TK_FOREVER);
	if (m == &lock_tcpip_core) {
		if (core_owner)
			tk_panic("lwIP core lock taken by '%s' while '%s' holds it",
				 tk_thread_name(tk_thread_self()), tk_thread_name(core_owner));
		core_owner = tk_thread_self();
	}
}

void sys_mutex_unlock(sys_mutex_t *m)
{
	if (m == &lock_tcpip_core)
		core_owner = 0;
	tk_mutex_unlock(&m->mutex);
}

void tk_lwip_assert_core_locked(void)
{
	if (tcpip_running && core_owner != tk_thread_self())
		tk_panic("lwIP core called without its lock by '%s' (held by '%s')",
			 tk_thread_name(tk_thread_self()),
			 core_owner ? tk_thread_name(core_owner) : "nobody");
}

/* -- mailboxes: queues of pointers ------------------------------------------ */

err_t sys_mbox_new(sys_mbox_t *b, int size)
{
	if (size <= 0)
		size = 16;
	b->slots = malloc((size_t)size * sizeof(void *));
	if (!b->slots)
		return ERR_MEM;
	if (tk_msgq_init(&b->q, b->slots, sizeof(void *), (size_t)size)) {
		free(b->slots);
		return ERR_ARG;
	}
	b->valid = true;
	return ERR_OK;
}

void sys_mbox_free(sys_mbox_t *b)
{
	b->valid = false;
	free(b->slots);
	b->slots = 0;
}

void sys_mbox_post(sys_mbox_t *b, void *msg)
{
	tk_msgq_put(&b->q, &msg, TK_FOREVER);
}

err_t sys_mbox_trypost(sys_mbox_t *b, void *msg)
{
	return tk_msgq_put(&b->q, &msg, 0) ? ERR_MEM : ERR_OK;
}

err_t sys_mbox_trypost_fromisr(sys_mbox_t *b, void *msg)
{
	return sys_mbox_trypost(b, msg);
}

u32_t sys_arch_mbox_fetch(sys_mbox_t *b, void **msg, u32_t timeout_ms)
{
	uint64_t start = tk_now_ns();
	void *m;

	if (tk_msgq_get(&b->q, &m, deadline_of(timeout_ms, start)))
		return SYS_ARCH_TIMEOUT;
	if (msg)
		*msg = m;
	return elapsed_ms(start);
}

u32_t sys_arch_mbox_tryfetch(sys_mbox_t *b, void **msg)
{
	void *m;

	if (tk_msgq_get(&b->q, &m, 0))
		return SYS_MBOX_EMPTY;
	if (msg)
		*msg = m;
	return 0;
}

/* -- threads ---------------------------------------------------------------- */

struct start {
	lwip_thread_fn fn;
	void *arg;
};

static void *trampoline(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	s.fn(s.arg);
	return 0;
}

/* prio: lwIP passes its *_THREAD_PRIO options, which all name the network
 * priority; the one set at tk_net start wins so a boot argument can move
 * every network thread at once. */
sys_thread_t sys_thread_new(const char *name, lwip_thread_fn fn, void *arg, int stacksize,
			    int prio)
{
	struct start *s = malloc(sizeof(*s));
	tk_thread_t *t;
	struct tk_thread_attr attr = {
		.name = name,
		.stack_size = stacksize > 0 ? (size_t)stacksize : 0,
		.sched = { .policy = TK_SCHED_FIFO, .prio = thread_prio },
		.detached = true,
		.cpu_mask = NET_CPU_MASK,
	};

	(void)prio;
	if (!s)
		tk_panic("lwIP: no memory for thread '%s'", name);
	s->fn = fn;
	s->arg = arg;
	if (tk_thread_create(&t, &attr, trampoline, s))
		tk_panic("lwIP: cannot start thread '%s'", name);
	return t;
}

/* -- short critical sections and randomness ---------------------------------- */

sys_prot_t sys_arch_protect(void)
{
	return tk_irq_lock();
}

void sys_arch_unprotect(sys_prot_t key)
{
	tk_irq_unlock(key);
}

/* xorshift64*: DHCP transaction ids, TCP initial sequence numbers and DNS
 * ids need to differ between boots and hosts, not to be secret. Seeded
 * from the clock and the first NIC's MAC address. */
uint32_t tk_lwip_rand(void)
{
	static uint64_t x;

	if (!x) {
		struct tk_netdev *nd = tk_netdev_get(0);

		x = tk_now_ns() ^ 0x9e3779b97f4a7c15ull;
		for (int i = 0; nd && i < TK_ETH_ALEN; i++)
			x = (x << 8 | x >> 56) ^ nd->mac[i];
		if (!x)
			x = 1;
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}
