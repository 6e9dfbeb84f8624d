/*
 * The gate around cyclictest for the isolation test
 * (tests/net/test_isolation.py): the whole measured run must fall inside
 * the HTTP load, and the load must stop before the image powers off (or
 * wrk counts the connections QEMU drops as errors). So main(), raised
 * above the network's threads (CONTROL_PRIO):
 *   1. waits for the network, listens on GATE_PORT and prints
 *      "gate: waiting on port 81";
 *   2. runs cyclictest once the test, with wrk's requests being served,
 *      connects to that port; its options are the bootargs but key=value
 *      words (metrics.*, net.*, and the virtio_mmio.device=... QEMU's
 *      microvm appends), which cyclictest would refuse;
 *   3. prints "gate: cyclictest returned N" and returns N once the test,
 *      with wrk stopped, connects again.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <takt/net.h>
#include <takt/thread.h>

#define GATE_PORT 81
#define NET_WAIT_NS 60000000000ull
/* Above the network (net.prio 20) and the metrics server (19): main is the
 * test's control (the gate, starting cyclictest, its summary). At FIFO 1 a
 * guest that wrk saturates (the ZCU102's GEM under -icount) starved it for
 * minutes before cyclictest even started. The measured threads are
 * SCHED_DEADLINE and outrank it anyway. */
#define CONTROL_PRIO 30

int cyclictest_main(int argc, char **argv);

static int gate_open(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(GATE_PORT),
				 .sin_addr.s_addr = htonl(INADDR_ANY) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Block until the test connects (and hangs up: nothing is read). */
static void gate_pass(int fd)
{
	int c = accept(fd, NULL, NULL);

	if (c >= 0)
		close(c);
}

/* Keep argv[0] and the words that are not key=value settings. */
static int cyclictest_args(int argc, char **argv)
{
	int n = 1;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' || !strchr(argv[i], '='))
			argv[n++] = argv[i];
	argv[n] = NULL;
	return n;
}

int main(int argc, char **argv)
{
	int fd, status;

	struct tk_sched control = { .policy = TK_SCHED_FIFO, .prio = CONTROL_PRIO };

	if (tk_thread_setsched(tk_thread_self(), &control)) {
		printf("gate: cannot raise main to FIFO %d\n", CONTROL_PRIO);
		return 1;
	}
	if (tk_net_wait_bound(tk_after_ns(NET_WAIT_NS)) || (fd = gate_open()) < 0) {
		printf("gate: no network or no port %d\n", GATE_PORT);
		return 1;
	}
	printf("gate: waiting on port %d\n", GATE_PORT);
	fflush(stdout);
	gate_pass(fd);
	status = cyclictest_main(cyclictest_args(argc, argv), argv);
	printf("gate: cyclictest returned %d\n", status);
	fflush(stdout);
	gate_pass(fd);
	close(fd);
	return status;
}
