/* cyclictest's options, parsed the same way on every C library (see main.c). */
#include "cyclictest.h"

void usage(FILE *f)
{
	fprintf(f,
		"cyclictest (Takt) - the rt-tests wake-up latency test\n"
		"Usage:\n"
		"cyclictest <options>\n\n"
		"-a [CPUSET] --affinity     run thread #N on processor #N, or if CPUSET given,\n"
		"                           pin threads to that set of processors in round-\n"
		"                           robin order.  E.g. -a 2 pins all threads to CPU 2,\n"
		"                           but -a 3-5,0 -t 5 will run the first and fifth\n"
		"                           threads on CPU (0),thread #2 on CPU 3, thread #3\n"
		"                           on CPU 4, and thread #5 on CPU 5.\n"
		"-b USEC  --breaktrace=USEC send break trace command when latency > USEC\n"
		"                           (Takt: stops the scheduler trace, which the run\n"
		"                           then dumps: boot with trace=on, ./takt run --trace)\n"
		"-d DIST  --distance=DIST   distance of thread intervals in us, default=500\n"
		"-D       --duration=TIME   length of the test run; append 's', 'm', 'h' or\n"
		"                           'd' for seconds, minutes, hours or days\n"
		"-h       --histogram=US    dump a latency histogram to stdout after the run\n"
		"                           US is the max latency time to be tracked in microseconds\n"
		"                           This option runs all threads at the same priority.\n"
		"-H       --histofall=US    same as -h except with an additional summary column\n"
		"-i INTV  --interval=INTV   base interval of thread in us default=1000\n"
		"-l LOOPS --loops=LOOPS     number of loops: default=0(endless)\n"
		"         --load=N          N best-effort CPU-bound threads beside the measuring ones\n"
		"-m       --mlockall        lock current and future memory allocations\n"
		"-n       --nanosleep       use clock_nanosleep (always)\n"
		"-N       --nsecs           print results in ns instead of us (default us)\n"
		"-p PRIO  --priority=PRIO   priority of highest prio thread\n"
		"-y POLI  --policy=POLI     policy of the measuring threads: fifo, rr, deadline\n"
		"                           (a SCHED_DEADLINE reservation per thread) or other\n"
		"-q       --quiet           print a summary only on exit\n"
		"-S       --smp             Standard SMP testing: options -a -t and same\n"
		"                           priority of all threads\n"
		"-t       --threads         one thread per available processor\n"
		"-t [NUM] --threads=NUM     number of threads:\n"
		"                           without NUM, threads = max_cpus\n"
		"                           without -t default = 1\n"
		"-v       --verbose         output values on stdout for statistics\n"
		"                           format: n:c:v n=tasknum c=count v=value in us\n"
		"-?       --help            this text\n");
}

static void bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "cyclictest: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_FAILURE);
}

/* A whole decimal number in [lo, hi], or a usage failure. */
static long num(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (!s || !*s)
		bad("option %s needs a number", opt);
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		bad("bad value for %s", opt);
	return v;
}

/* rt-tests' parse_time_string: seconds, or with m, h, d (and s). */
static long duration_s(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		bad("option %s needs a time", "-D");
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || v < 0)
		bad("bad duration '%s'", s);
	switch (*end) {
	case '\0': case 's': case 'S': break;
	case 'm': case 'M': v = v > 1000000000L ? LONG_MAX : v * 60; break;
	case 'h': case 'H': v = v > 1000000000L ? LONG_MAX : v * 3600; break;
	case 'd': case 'D': v = v > 1000000000L ? LONG_MAX : v * 86400; break;
	default: bad("bad duration '%s'", s);
	}
	if (*end && end[1])
		bad("bad duration '%s'", s);
	/* a year at most: more in ns (duration * 1e9) overflowed, and the run
	 * stopped after its first sample */
	if (v > 365L * 86400)
		bad("duration '%s' over a year", s);
	return v;
}

int max_cpus(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n > 0)
		return (int)n;
#endif
	return 1;
}

struct optdef {
	char sh;		/* short letter, 0: long only */
	const char *lng;
	int arg;		/* 0 none, 1 required, 2 optional (-t) */
};

static const struct optdef optdefs[] = {
	{ 'd', "distance", 1 }, { 'D', "duration", 1 }, { 'h', "histogram", 1 },
	{ 'H', "histofall", 1 }, { 'i', "interval", 1 }, { 'l', "loops", 1 },
	{ 0, "load", 1 }, { 'm', "mlockall", 0 }, { 'n', "nanosleep", 0 },
	{ 'N', "nsecs", 0 }, { 'p', "priority", 1 }, { 'y', "policy", 1 },
	{ 'q', "quiet", 0 }, { 't', "threads", 2 }, { 'v', "verbose", 0 },
	{ '?', "help", 0 }, { 0, "prio", 1 }, { 'a', "affinity", 2 }, { 'S', "smp", 0 },
	{ 'b', "breaktrace", 1 },
};

static int threads_given;	/* -t seen: -S keeps its count */

/* rt-tests' CPU lists: "2", "0-3", "3-5,0"; each CPU must be online. The
 * order given is the round-robin order. */
static void parse_cpuset(const char *s)
{
	const char *p = s;
	int n = 0, ncpu = max_cpus();

	while (*p) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p || a < 0)
			bad("bad CPU list '%s' for -a (e.g. 0-3,5)", s);
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				bad("bad CPU range in '%s' for -a", s);
			p = end;
		}
		for (long c = a; c <= b; c++) {
			if (c >= ncpu) {
				char msg[96];

				snprintf(msg, sizeof(msg), "CPU %ld of -a %s is not online (%d CPUs)",
					 c, s, ncpu);
				bad("%s", msg);
			}
			if (n == (int)(sizeof(o.cpuset) / sizeof(o.cpuset[0])))
				bad("too many CPUs in '%s' for -a", s);
			o.cpuset[n++] = (int)c;
		}
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			bad("bad CPU list '%s' for -a (e.g. 0-3,5)", s);
	}
	o.ncpuset = n;
}

static int is_cpuset(const char *s)
{
	if (!s || !*s || *s < '0' || *s > '9')
		return 0;
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && *s != ',' && *s != '-')
			return 0;
	return 1;
}

static void apply(const struct optdef *d, const char *name, const char *val)
{
	switch (d->sh ? d->sh : d->lng[1] == 'r' ? 'p' : 'L') {
	case 'a':
		o.affinity = val ? 2 : 1;
		if (val)
			parse_cpuset(val);
		break;
	case 'S': o.smp = 1; break;
	case 'b': o.breaktrace = num(name, val, 1, 100000000); break;
	case 'd': o.distance = num(name, val, 0, 100000000); break;
	case 'D': o.duration = duration_s(val); break;
	case 'H': o.histofall = 1; /* fall through */
	case 'h': o.histogram = (int)num(name, val, 1, HIST_MAX); break;
	case 'i': o.interval = num(name, val, 1, 100000000); break;
	case 'l': o.loops = (unsigned long)num(name, val, 0, LONG_MAX); break;
	case 'L': o.load = (int)num(name, val, 0, 64); break;
	case 'm': case 'n': break;	/* nothing to lock; always clock_nanosleep */
	case 'N': o.nsecs = 1; break;
	case 'p': o.prio = (int)num(name, val, 0, 99); break;
	case 'y':
		if (!strcmp(val, "fifo"))
			o.policy = POL_FIFO;
		else if (!strcmp(val, "rr"))
			o.policy = POL_RR;
		else if (!strcmp(val, "deadline"))
			o.policy = POL_DEADLINE;
		else if (!strcmp(val, "other") || !strcmp(val, "normal"))
			o.policy = POL_OTHER;
		else
			bad("unknown policy '%s' (fifo, rr, deadline, other)", val);
		break;
	case 'q': o.quiet = 1; break;
	case 't': o.threads = val ? (int)num(name, val, 1, 256) : max_cpus(); threads_given = 1; break;
	case 'v': o.verbose = 1; break;
	case '?': usage(stdout); exit(EXIT_SUCCESS);
	}
}

/* module.key=value and the undotted ones: the kernel's bootargs
 * (console.tx=, irqoff.stats=, watchdog.supervise=, trace=on, panic=reset,
 * ntp=, syslog=, metrics=), which share the command line; not
 * cyclictest's. */
int ct_is_kernel_param(const char *a)
{
	static const char *const plain[] = { "trace=", "panic=", "ntp=", "syslog=", "metrics=" };
	const char *eq = strchr(a, '='), *dot = strchr(a, '.');

	if (eq && dot && dot < eq && dot > a)
		return 1;
	for (unsigned i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strncmp(a, plain[i], strlen(plain[i])) == 0)
			return 1;
	return 0;
}

static int is_number(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* getopt_long-like, the same on every C library: -x, -xVAL, -x VAL, -abc
 * (flags), --name, --name=VAL, --name VAL; -t's number is optional. */
void parse_options(int argc, char **argv)
{
	int i, policy_given = 0;

	memset(&o, 0, sizeof(o));
	threads_given = 0;
	o.threads = 1;
	o.interval = 1000;
	o.distance = -1;
	o.policy = POL_OTHER;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct optdef *d = NULL;
		size_t k;

		if (a[0] != '-' && ct_is_kernel_param(a))
			continue;
		if (a[0] != '-' || !a[1])
			bad("unexpected argument '%s'", a);
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			const char *val = eq ? eq + 1 : NULL;

			for (k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++)
				if (strlen(optdefs[k].lng) == n && !strncmp(optdefs[k].lng, a + 2, n))
					d = &optdefs[k];
			if (!d)
				bad("unknown option '%s'", a);
			if (d->arg == 0 && val)
				bad("option '%s' takes no value", a);
			if (d->arg == 1 && !val) {
				if (i + 1 >= argc)
					bad("option '%s' needs a value", a);
				val = argv[++i];
			}
			if (d->arg == 2 && !val && i + 1 < argc &&
			    (d->sh == 'a' ? is_cpuset(argv[i + 1]) : is_number(argv[i + 1])))
				val = argv[++i];
			if (d->sh == 'y')
				policy_given = 1;
			apply(d, a, val);
			continue;
		}
		for (const char *p = a + 1; *p; p++) {
			char name[3] = { '-', *p, 0 };

			d = NULL;
			for (k = 0; k < sizeof(optdefs) / sizeof(optdefs[0]); k++)
				if (optdefs[k].sh == *p)
					d = &optdefs[k];
			if (!d)
				bad("unknown option '%s'", name);
			if (d->arg == 0) {
				apply(d, name, NULL);
				continue;
			}
			const char *val = p[1] ? p + 1 : NULL;

			if (!val && d->arg == 1) {
				if (i + 1 >= argc)
					bad("option '%s' needs a value", name);
				val = argv[++i];
			} else if (!val && d->arg == 2 && i + 1 < argc &&
				   (d->sh == 'a' ? is_cpuset(argv[i + 1]) : is_number(argv[i + 1]))) {
				val = argv[++i];
			}
			if (d->sh == 'y')
				policy_given = 1;
			apply(d, name, val);
			break;
		}
	}
	/* -S: a thread per CPU (unless -t says otherwise), each on its own. */
	if (o.smp && !threads_given)
		o.threads = max_cpus();
	if (o.smp && !o.affinity)
		o.affinity = 1;
	/* rt-tests: a priority means SCHED_FIFO unless RR was asked for. */
	if (o.prio && o.policy == POL_OTHER && !policy_given)
		o.policy = POL_FIFO;
	if (o.prio && o.policy == POL_OTHER) {
		fprintf(stderr, "policy and priority don't match: setting policy to SCHED_FIFO\n");
		o.policy = POL_FIFO;
	}
	if ((o.policy == POL_FIFO || o.policy == POL_RR) && !o.prio) {
		fprintf(stderr, "defaulting realtime priority to %d\n", o.threads + 1);
		o.prio = o.threads + 1;
	}
	if (o.histogram && o.distance != -1)
		fprintf(stderr, "distance is ignored and set to 0, if histogram enabled\n");
	if (o.distance == -1)
		o.distance = 500;
}

const char *policy_name(int p)
{
	static const char *const names[] = { "other", "fifo", "rr", "deadline" };

	return names[p];
}
