/*
 * Console benchmark (./takt bench console): the longest stretch a console
 * write keeps interrupts masked, per workload, from the kernel's own
 * measurement (tk_console_stats: arch_counter read around each masked
 * stretch in kernel/console.c). Run it as booted (the transmit ring) and
 * with the bootarg console.tx=polled (every write polled with interrupts
 * masked, as the console was before the ring). Under QEMU -icount guest
 * ns are instructions; QEMU's UART does not throttle, so the polled figure
 * is the CPU's share only - tools/takt_bench.py adds what a real UART at
 * 115200 baud would take. Prints "bench: <name> <value>" lines.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <takt/takt.h>

#define LINE 256		/* tk_printk's line limit, '\n' included */
#define THREADS 4

static char buf[8192];

static void begin(void)
{
	struct tk_console_stats st;

	tk_console_stats(&st, true);
}

/* Read the phase's figures, then print them (printing is not measured).
 * longest: the phase's longest write as sent, '\n' as "\r\n". */
static void end(const char *name, size_t longest)
{
	struct tk_console_stats st;

	tk_console_stats(&st, false);
	printf("bench: %s_max_masked_ns %lu\n", name, (unsigned long)st.max_masked_ns);
	printf("bench: %s_longest_write_sent_bytes %lu\n", name, (unsigned long)longest);
	printf("bench: %s_ring_waits %lu\n", name, (unsigned long)st.ring_waits);
}

static size_t fill_lines(size_t len, int lines, char c)
{
	size_t n = 0;

	for (int i = 0; i < lines; i++) {
		memset(buf + n, c, len - 1);
		buf[n + len - 1] = '\n';
		n += len;
	}
	return n;
}

static void *thread_lines(void *arg)
{
	char line[121];

	memset(line, 'a' + (int)(intptr_t)arg, 120);
	line[120] = 0;
	for (int i = 0; i < 50; i++)
		printf("%s\n", line);
	return 0;
}

int main(void)
{
	struct tk_console_stats st;
	tk_thread_t *t[THREADS];

	tk_console_drain(TK_FOREVER);	/* the boot's lines out first: an empty ring */
	tk_console_stats(&st, false);
	printf("bench: transmit %s\n", st.ring_size ? "ring" : "polled");
	printf("bench: ring_bytes %lu\n", (unsigned long)st.ring_size);

	begin();	/* a 256-byte line: 255 bytes and '\n', 257 sent */
	fill_lines(LINE, 1, 'L');
	for (int i = 0; i < 32; i++)
		write(1, buf, LINE);
	end("line256", LINE + 1);

	begin();	/* short printk lines */
	for (int i = 0; i < 200; i++)
		tk_printk("bench filler line %d\n", i);
	end("printk_short", sizeof("bench filler line 199\n"));

	begin();	/* four threads at once, 121-byte lines */
	for (int i = 0; i < THREADS; i++) {
		struct tk_thread_attr a = { .name = "writer", .sched = { .policy = TK_SCHED_RR, .prio = 10 } };

		tk_thread_create(&t[i], &a, thread_lines, (void *)(intptr_t)i);
	}
	for (int i = 0; i < THREADS; i++)
		tk_thread_join(t[i], 0);
	end("threads4", 122);

	begin();	/* one 8 KiB write of 64-byte lines: twice the ring */
	write(1, buf, fill_lines(64, sizeof(buf) / 64, 'W'));
	end("write8k", sizeof(buf) + sizeof(buf) / 64);
	return 0;
}
