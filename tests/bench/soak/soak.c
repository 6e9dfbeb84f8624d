/*
 * The guest of `./takt bench soak` (tools/bench_soak.py): apps/gateway
 * (a deadline sampler, MQTT publishing to the host's mosquitto, the
 * metrics endpoint) and apps/cyclictest (deadline threads measuring their
 * wake-up latency) in one image, both as they are, their main()s renamed
 * by CMakeLists.txt. The host drives wrk on /metrics and reads the
 * figures it judges there (heap, lwIP pools, deadline misses).
 *
 * The bootargs hold both apps' words: key=value ones (mqtt=, mqtt.*,
 * net.*, metrics.*, the kernel's) go to the gateway, the others
 * (-t2 --policy deadline -q ...) to cyclictest, as neither accepts the
 * other's. cyclictest runs without -D: the host ends the run, in guest
 * time, by stopping QEMU once its last samples are taken (under -icount
 * with sleep=off guest time runs at a speed the host cannot know at boot).
 * main() prints
 *   "soak: running"                once both are started,
 *   "soak: cyclictest returned N"  if cyclictest ends (a bad option: the
 *                                  host fails the run), then idles;
 *   "soak: gateway returned N"     if the gateway gives up (a bad setting,
 *                                  no network): the host fails the run.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <takt/thread.h>
#include <takt/time.h>

/* Above the network (net.prio 20) and the metrics server (19), as
 * tests/target/apps/cyclictest_net/gate.c: under wrk's load a lower
 * main was starved before it started anything. The measuring threads
 * are SCHED_DEADLINE and outrank it anyway. */
#define CONTROL_PRIO 30
#define GW_STACK 16384	/* gateway main's locals: an error text of ~350 bytes */
#define MAX_ARGS 64

int cyclictest_main(int argc, char **argv);
int gateway_main(int argc, char **argv);

static char *gw_argv[MAX_ARGS + 1], *ct_argv[MAX_ARGS + 1];
static int gw_argc, ct_argc;

static bool is_setting(const char *w)
{
	return w[0] != '-' && strchr(w, '=');
}

static void *gateway_thread(void *arg)
{
	int status = gateway_main(gw_argc, gw_argv);

	(void)arg;
	printf("soak: gateway returned %d\n", status);	/* it runs for ever when all is well */
	fflush(stdout);
	return NULL;
}

int main(int argc, char **argv)
{
	struct tk_sched control = { .policy = TK_SCHED_FIFO, .prio = CONTROL_PRIO };
	struct tk_thread_attr gw = { .name = "gateway", .stack_size = GW_STACK, .detached = true };
	tk_thread_t *t;
	int status;

	if (argc > MAX_ARGS) {
		printf("soak: more than %d bootargs\n", MAX_ARGS);
		return 1;
	}
	gw_argv[gw_argc++] = ct_argv[ct_argc++] = argc ? argv[0] : "soak";
	for (int i = 1; i < argc; i++) {
		if (is_setting(argv[i]))
			gw_argv[gw_argc++] = argv[i];
		else
			ct_argv[ct_argc++] = argv[i];
	}
	if (ct_argc == 1) {	/* cyclictest would run its demo instead */
		printf("soak: no cyclictest options in the bootargs\n");
		return 1;
	}
	if (tk_thread_setsched(tk_thread_self(), &control)) {
		printf("soak: cannot raise main to FIFO %d\n", CONTROL_PRIO);
		return 1;
	}
	gw.sched = control;
	if (tk_thread_create(&t, &gw, gateway_thread, NULL)) {
		printf("soak: cannot start the gateway\n");
		return 1;
	}
	printf("soak: running\n");
	fflush(stdout);
	status = cyclictest_main(ct_argc, ct_argv);
	printf("soak: cyclictest returned %d\n", status);
	fflush(stdout);
	for (;;)
		tk_sleep_ns(1000000000ull);
}
