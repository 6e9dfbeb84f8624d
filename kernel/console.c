/*
 * The console: the bound console device and its transmit ring.
 *
 * A console driver gives a polled putc and, optionally, tx_start
 * (device.h). With tx_start, output goes through a ring the kernel owns:
 * writers copy into it and the driver's transmit interrupt empties it with
 * tk_console_tx_fill(), so a write masks interrupts only for a few
 * instructions (reserve, publish, and tx_start's FIFO fill) instead of for
 * the whole time the UART takes to send it (a 256-byte line at 115200 baud
 * is 22 ms).
 *
 * The ring: bytes are stored already expanded ('\n' as "\r\n"). Three
 * free-running indices, changed only with interrupts masked:
 *   head   next byte for the transmitter;
 *   commit bytes before it are complete and may be sent;
 *   tail   end of the space handed out.
 * A thread reserves [tail, tail + n) for one piece of its write, copies into
 * it with interrupts on (nobody else touches a reserved region), then
 * publishes (commit = tail). Threads take turns through a mutex (priority
 * inheritance), held across all pieces of one write, so a write is never
 * interleaved with another thread's. Interrupt context cannot take the
 * mutex: it reserves, copies and, unless a thread's reservation is open
 * before it, publishes in one masked stretch; behind an open reservation
 * its bytes are published with the thread's. Pieces are cut after a
 * newline where possible, so such bytes fall between lines.
 *
 * Who empties the ring: once main() runs, the transmit thread
 * (console_thread.c); before, and with the bootarg console.tx=ring, the
 * transmit interrupt's handler, filling the FIFO from it.
 *
 * When the ring is full a thread waits (blocked, woken from the transmit
 * path once half the ring is free). Contexts that cannot wait - interrupt
 * handlers, and a thread whose write is already in progress (a crash dump
 * from inside one) - send ring bytes polled until theirs fit, and if a
 * thread's open reservation still holds the room, send their own polled.
 * In a panic, without tx_start, and with the bootarg console.tx=polled,
 * output is polled with interrupts masked for the whole write, as it was
 * before the ring: lines stay whole, in order.
 *
 * The boot's lines go into the ring as from a handler, the transmitter
 * held (counted busy) till main() is next (console_boot_done): then they
 * wait for the transmit thread, which main's first line starts (or the
 * deadline, if none comes; console.tx=ring: the interrupt). Polled,
 * the boot waited for the UART: 87 us a byte past the FIFO at 115200
 * baud, so hello's 243 (virt) to 356 (microvm) bytes were 20-30 ms of a
 * real board's boot, against its 64-87 us of work. A panic sends them (console_flush); a hang
 * before main() does not: console.tx=polled (read before the probe) is
 * the way to chase one.
 * A panic (and power-off) first sends what the ring holds, polled; only a
 * piece a thread was still copying when the panic came is not sent.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <takt/board.h>
#include <takt/device.h>
#include <takt/log.h>
#include <takt/sync.h>
#include <takt/time.h>

#include "arch.h"
#include "console_impl.h"
#include "kernel.h"
#include "sync/sync_impl.h"
#include "thread_impl.h"

#define BOOTBUF_SIZE 2048
#define RING_SIZE 4096u			/* a power of two */
#define RING_MASK (RING_SIZE - 1)
#define PIECE_MAX (RING_SIZE / 2)	/* largest reservation, expanded bytes */
#define WAKE_ROOM (RING_SIZE / 2)	/* a waiting writer wakes at this much room */
#define STUCK_NS 500000000ull		/* no byte sent for this long: transmitter stuck */

_Static_assert((RING_SIZE & RING_MASK) == 0, "RING_SIZE must be a power of two");
_Static_assert(PIECE_MAX <= WAKE_ROOM, "a woken writer must fit");

static size_t bootbuf_len;

/* The boot buffer (what is written before a console binds, '\n' as
 * "\r\n") is the ring's first BOOTBUF_SIZE bytes: when the console binds
 * (tk_console_register) they are the ring's first bytes, or are sent
 * polled without a ring, and the buffer is never used again
 * (console_debug_dump only runs with no console). Apart they were 2 KiB
 * more of every app's static RAM. */
/* read only where written (between head and tail, or the boot buffer's
 * length): not cleared at boot */
static char ring[RING_SIZE] TK_NOINIT;
#define bootbuf ring
_Static_assert(BOOTBUF_SIZE <= RING_SIZE, "the boot buffer is in the ring");
static uint32_t head, commit, tail;
static bool reserved;		/* a thread's reservation ends at or before tail */
bool console_tx_busy;		/* tx_start called; the ring not seen empty since */
bool console_polled;		/* panic, or console.tx=polled */
static struct waitq room_wq;	/* the writer waiting for room (at most one) */
static struct waitq empty_wq;	/* threads waiting for the ring to empty */
static struct tk_mutex writer;	/* whose turn it is to write from a thread */

static struct {
	uint64_t bytes, ring_waits, polled_writes, stuck;
	uint64_t max_masked;	/* arch_counter ticks */
} stats;

/* Interrupts masked, timed: the stretch goes into max_masked. */
/* Set by console_flush (the end: panic or power-off). From then on the
 * console takes no lock: another CPU may hold klock for good (it may be the
 * one that crashed), and the last lines matter more than their order. */
static volatile bool ending;

static unsigned long mask_begin(uint64_t *t0)
{
	unsigned long flags = ending ? arch_irq_save() : klock();	/* the ring is shared by every CPU */

	*t0 = arch_counter();
	return flags;
}

/* Close the stretch begun at t0 (interrupts stay masked). */
static void mask_lap(uint64_t t0)
{
	uint64_t d = arch_counter() - t0;

	if (d > stats.max_masked)
		stats.max_masked = d;
}

static void mask_end(unsigned long flags, uint64_t t0)
{
	mask_lap(t0);
	if (ending)
		arch_irq_restore(flags);
	else
		kunlock(flags);
}

static uint32_t ring_room(void)
{
	return RING_SIZE - (tail - head);
}

/* Polled output of len bytes as they are; interrupts masked. */
static void raw_send(const char *s, size_t len)
{
	console_thread_fifo_used();
	if (console_ops->write) {
		console_ops->write(console_dev, s, len);
		return;
	}
	for (size_t i = 0; i < len; i++)
		console_ops->putc(console_dev, s[i]);
}

/* The same, '\n' as "\r\n": runs between newlines. */
static void raw_write(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		raw_send(s, (size_t)((nl ? nl : end) - s));
		if (!nl)
			break;
		raw_send("\r\n", 2);
		s = nl + 1;
	}
}

/* Interrupts masked: the ring is empty (all published bytes sent). */
static void woke_drained(void)
{
	if (tail == commit && !ending && !waitq_empty(&empty_wq))
		waitq_wake_all(&empty_wq, 0);
}

/* Interrupts masked. The next published byte, or -1 (and the transmitter
 * counts as idle) when none is left. */
static int pull(void)
{
	if (head == commit) {
		console_tx_busy = false;
		woke_drained();
		return -1;
	}
	int c = (unsigned char)ring[head++ & RING_MASK];

	if (!waitq_empty(&room_wq) && ring_room() >= WAKE_ROOM)
		waitq_wake_one(&room_wq, 0);
	return c;
}

bool console_ring_pending(void)
{
	return head != commit;
}

uint32_t console_ring_sent(void)
{
	return head;
}

/* One put call for what the ring holds unwrapped and the FIFO takes. */
unsigned console_fifo_put(struct tk_device *dev, unsigned max, unsigned *r,
			  unsigned (*room)(struct tk_device *dev),
			  void (*put)(struct tk_device *dev, const uint8_t *buf, unsigned n))
{
	uint32_t h = head, end = commit;	/* only klock's holder moves them */
	unsigned n = 0;

	while (n < max && h != end && (*r || (*r = room(dev)) > 0)) {
		uint32_t run = RING_SIZE - (h & RING_MASK);

		run = run < end - h ? run : end - h;
		run = run < *r ? run : *r;
		run = run < max - n ? run : max - n;
		put(dev, (const uint8_t *)&ring[h & RING_MASK], run);
		h += run;
		n += run;
		*r -= run;
	}
	head = h;
	if (n && !waitq_empty(&room_wq) && ring_room() >= WAKE_ROOM)
		waitq_wake_one(&room_wq, 0);
	if (h == end)
		woke_drained();
	return n;
}

bool tk_console_tx_fill(struct tk_device *dev, unsigned max, unsigned (*room)(struct tk_device *dev),
			void (*put)(struct tk_device *dev, const uint8_t *buf, unsigned n))
{
	unsigned long f = klock();	/* from the UART's handler, maybe on another CPU than the writer */
	unsigned r = 0;
	bool more = false;

	if (dev != console_dev) {
		/* not ours: its interrupt off */
	} else if (console_threaded && !console_rescue) {
		more = console_thread_fill(sched_in_irq(), room, put);
	} else {
		/* The interrupt fills (console.tx=ring, or the thread's rescue):
		 * the room the thread counted on when it stopped is not there
		 * any more; on a real UART its next chunk would overrun the FIFO. */
		console_thread_fifo_used();
		console_fifo_put(dev, max, &r, room, put);
		more = head != commit;
		console_tx_busy = more;
		if (!more)
			console_rescue = false;	/* rescued, or never was: the thread's again */
	}
	kunlock(f);
	return more;
}

/* Interrupts masked: send published bytes polled until need bytes fit
 * (RING_SIZE: all of them). Bytes already in the UART's FIFO go first, so
 * the order holds. */
static void drain_polled(uint32_t need)
{
	int c;

	console_thread_fifo_used();
	while (ring_room() < need && (c = pull()) >= 0)
		console_ops->putc(console_dev, (char)c);
}

/* Interrupts masked: start the transmitter if bytes wait and it is idle.
 * console_tx_busy is set first: tx_start may empty the ring and clear it. */
void console_kick(void)
{
	if (!console_tx_busy && head != commit && !console_polled) {
		console_tx_busy = true;
		if (console_threaded && !console_rescue)
			console_thread_kick();
		else
			console_ops->tx_start(console_dev);
	}
}

/* n bytes at ring position pos (n <= RING_SIZE: one wrap at most). */
static __attribute__((noinline)) uint32_t copy_run(uint32_t pos, const char *s, size_t n)
{
	uint32_t at = pos & RING_MASK;
	size_t first = n < RING_SIZE - at ? n : RING_SIZE - at;

	memcpy(&ring[at], s, first);
	memcpy(ring, s + first, n - first);	/* the wrapped rest, if any */
	return pos + (uint32_t)n;
}

/* s into the ring at pos, '\n' as "\r\n": runs between newlines (a byte
 * at a time cost more than the polled UART's own loop on QEMU). */
static uint32_t copy_in(uint32_t pos, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		pos = copy_run(pos, s, (size_t)((nl ? nl : end) - s));
		if (!nl)
			break;
		ring[pos++ & RING_MASK] = '\r';
		ring[pos++ & RING_MASK] = '\n';
		s = nl + 1;
	}
	return pos;
}

static uint32_t expanded_len(const char *s, size_t len)
{
	const char *end = s + len;
	size_t n = len;

	for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* The first piece of s to reserve at once: at most PIECE_MAX expanded
 * bytes, cut after its last newline when it has one. */
static size_t piece_len(const char *s, size_t len, uint32_t *need)
{
	size_t cut = 0, i = 0;
	uint32_t n = 0, cut_need = 0;

	while (i < len) {
		uint32_t w = s[i] == '\n' ? 2 : 1;

		if (n + w > PIECE_MAX)
			break;
		n += w;
		if (s[i++] == '\n')
			cut = i, cut_need = n;
	}
	if (i < len && cut) {
		*need = cut_need;
		return cut;
	}
	*need = n;
	return i;
}

/* Thread context, writer mutex held: room for need bytes, reserved.
 * Blocks while the ring is full. A transmitter that sends nothing for
 * STUCK_NS (its interrupt lost) is drained polled, so output never stops. */
static uint32_t reserve_wait(uint32_t need)
{
	uint64_t t0;
	unsigned long flags = mask_begin(&t0);

	while (ring_room() < need) {
		uint32_t seen = head;

		stats.ring_waits++;
		console_kick();
		mask_lap(t0);	/* others run while this thread waits */
		int r = sched_block(&room_wq, tk_now_ns() + STUCK_NS);

		t0 = arch_counter();
		if (r == -ETIMEDOUT && head == seen && ring_room() < need) {
			stats.stuck++;
			drain_polled(need);
		}
	}
	uint32_t pos = tail;

	tail += need;
	reserved = true;
	mask_end(flags, t0);
	return pos;
}

/* Thread context: the reservation is filled; send it (and whatever an
 * interrupt handler queued behind it). */
static void publish(void)
{
	uint64_t t0;
	unsigned long flags = mask_begin(&t0);

	reserved = false;
	commit = tail;
	console_kick();
	mask_end(flags, t0);
}

static void write_atomic(const char *s, size_t len);

static void write_thread(const char *s, size_t len)
{
	unsigned long entry = arch_irq_flags();

	if (tk_mutex_lock(&writer, TK_FOREVER) != 0) {
		write_atomic(s, len);	/* cannot happen; never lose the text */
		return;
	}
	while (len) {
		uint32_t need;
		size_t n = piece_len(s, len, &need);
		uint32_t pos = reserve_wait(need);

		copy_in(pos, s, n);	/* interrupts on: the region is ours */
		publish();
		s += n;
		len -= n;
	}
	tk_mutex_unlock(&writer);
	if (console_threaded)	/* the transmit thread, if it outranks the writer */
		sched_preempt_point_after(entry);
}

/* Interrupt context (or a nested write): never blocks. */
static void write_atomic(const char *s, size_t len)
{
	uint64_t t0;
	unsigned long flags = mask_begin(&t0);
	uint32_t need = expanded_len(s, len);

	if (ring_room() < need) {
		stats.polled_writes++;
		drain_polled(need);
	}
	if (ring_room() < need) {
		/* A thread's open reservation holds the room: this write goes
		 * out now, whole, ahead of that thread's piece. */
		raw_write(s, len);
	} else {
		tail = copy_in(tail, s, len);
		if (!reserved)
			commit = tail;
		console_kick();
	}
	mask_end(flags, t0);
}

/* Interrupts masked for the whole write: before the ring can be used, in a
 * panic, or for a driver without tx_start. */
static void write_polled(const char *s, size_t len)
{
	uint64_t t0;
	unsigned long flags = mask_begin(&t0);

	stats.polled_writes++;
	drain_polled(RING_SIZE);
	raw_write(s, len);
	mask_end(flags, t0);
}

/* Expanded as in the ring (which it becomes); a write past its end is
 * dropped (so is the end of the boot log before the console binds). */
static void write_bootbuf(const char *s, size_t len)
{
	unsigned long flags = klock();

	if (expanded_len(s, len) <= BOOTBUF_SIZE - bootbuf_len)
		bootbuf_len = copy_in((uint32_t)bootbuf_len, s, len);
	kunlock(flags);
}

void console_boot_done(void)
{
	unsigned long flags = klock();

	console_thread_boot_done();
	if (console_ops && console_ops->tx_start && !console_polled) {
		console_tx_busy = false;	/* held since the console bound */
		if (!console_thread_boot_due())
			console_kick();	/* console.tx=ring: the interrupt's */
	}
	kunlock(flags);
}

void tk_console_write(const char *s, size_t len)
{
	if (!s)
		return;
	log_tail_add(s, len);
	if (!console_ops) {
		write_bootbuf(s, len);
		return;
	}
	__atomic_fetch_add(&stats.bytes, len, __ATOMIC_RELAXED);
	if (!console_ops->tx_start || console_polled)
		write_polled(s, len);
	else if (!sched_current || sched_in_irq() || mutex_owned_by_caller(&writer))
		write_atomic(s, len);	/* before the scheduler: see "The boot" above */
	else {
		console_thread_maybe_start();
		write_thread(s, len);
	}
}

/* klock held: the console bound (console_bind.c). With a ring, the boot
 * buffer, expanded, is the ring's start and the transmitter is held
 * (counted busy) till main() is next; without, it is sent now. */
void console_ring_bind(bool use_ring)
{
	waitq_init(&room_wq);
	waitq_init(&empty_wq);
	if (use_ring) {
		commit = tail = (uint32_t)bootbuf_len;
		console_tx_busy = true;
	} else {
		raw_send(bootbuf, bootbuf_len);
	}
	bootbuf_len = 0;
}

void console_flush(void)
{
	arch_irq_save();
	/* A transmit handler on another CPU may be sending bytes it pulled:
	 * they go first. klock is kept: from here only this CPU sends. Not
	 * waited for long: in a panic another CPU may hold it for good. */
	klock_take_within(arch_counter_freq() / 100);
	ending = true;
	console_polled = true;
	if (console_ops)
		drain_polled(RING_SIZE);
}

void console_debug_dump(void)
{
	if (console_ops)
		return;
	/* Nowhere to print yet: hand the boot log, which ends with the panic
	 * line, to the debug channel (semihosting under QEMU). */
	bootbuf[bootbuf_len < BOOTBUF_SIZE ? bootbuf_len : BOOTBUF_SIZE - 1] = 0;
	arch_debug_puts(bootbuf);
}

int tk_console_drain(uint64_t deadline)
{
	int r = 0;

	if (sched_in_irq() || arch_irq_masked() || !sched_current)
		return -EPERM;	/* cannot wait */
	if (!console_ops || !console_ops->tx_start || console_polled)
		return 0;	/* a polled write returns once sent */
	console_thread_maybe_start();	/* the boot's lines wait for it */
	unsigned long f = klock();

	console_kick();
	while (!r && (head != commit || commit != tail))
		r = sched_block(&empty_wq, deadline);
	kunlock(f);
	return r == -ETIMEDOUT ? r : 0;
}

void tk_console_stats(struct tk_console_stats *st, bool reset)
{
	if (!st)
		return;
	unsigned long flags = klock();
	uint64_t hz = arch_counter_freq();

	st->bytes = stats.bytes;
	st->ring_waits = stats.ring_waits;
	st->polled_writes = stats.polled_writes;
	st->stuck = stats.stuck;
	st->thread_bytes = console_thread_bytes;
	st->thread_rescues = console_rescues;
	st->max_masked_ns = hz ? stats.max_masked * 1000000000ull / hz : 0;
	st->ring_size = console_ops && console_ops->tx_start && !console_polled ? RING_SIZE : 0;
	console_rx_stats(&st->rx_bytes, &st->rx_dropped);
	if (reset) {
		memset(&stats, 0, sizeof(stats));
		console_thread_bytes = console_rescues = 0;
	}
	kunlock(flags);
}
