/* Threads: create/join/detach/exit, attributes, inheritance of scheduling
 * parameters, names and ids, keys with destructors, pthread_once, and
 * printf/malloc from 50 threads at once. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <takt/thread.h>

#include "posix_test.h"

/* Shared counters (a lock, not __atomic_fetch_add: arm64's out-of-line
 * atomics need libgcc's __getauxval, which a bare-metal image lacks). */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static void add(unsigned *p, unsigned v)
{
	pthread_mutex_lock(&count_lock);
	*p += v;
	pthread_mutex_unlock(&count_lock);
}

static void *plus_one(void *arg)
{
	return (void *)((uintptr_t)arg + 1);
}

static pthread_t seen_self;

static void *record_self(void *arg)
{
	seen_self = pthread_self();
	return arg;
}

static void create_join(void)
{
	pthread_t t;
	void *ret = NULL;

	TK_CHECK("create_returns_0", pthread_create(&t, NULL, plus_one, (void *)41) == 0);
	TK_CHECK("join_gets_return_value", pthread_join(t, &ret) == 0 && ret == (void *)42);
	TK_CHECK("create_null_attr_join_null_ret",
		 pthread_create(&t, NULL, record_self, NULL) == 0 && pthread_join(t, NULL) == 0);
	TK_CHECK("self_in_thread_equals_created_id", pthread_equal(seen_self, t));
	TK_CHECK("self_differs_from_other_thread", !pthread_equal(pthread_self(), t));
	/* t is joined: a stale handle, whose memory the calls must not write */
	char name[16];
	clockid_t clk;

	TK_CHECK("joined_thread_names_esrch", pthread_setname_np(t, "stale") == ESRCH &&
					       pthread_getname_np(t, name, sizeof(name)) == ESRCH);
	TK_CHECK("joined_thread_ids_esrch", pthread_gettid_np(t) == -1 && errno == ESRCH &&
					     pthread_getcpuclockid(t, &clk) == ESRCH);
	TK_CHECK("join_self_edeadlk", pthread_join(pthread_self(), NULL) == EDEADLK);
	TK_CHECK("join_0_esrch", pthread_join(0, NULL) == ESRCH);
	TK_CHECK("detach_0_esrch", pthread_detach(0) == ESRCH);
	TK_CHECK("create_null_out_einval", pthread_create(NULL, NULL, plus_one, NULL) == EINVAL);
	TK_CHECK("create_null_fn_einval", pthread_create(&t, NULL, NULL, NULL) == EINVAL);
}

static void *exit_early(void *arg)
{
	pthread_exit((void *)((uintptr_t)arg * 2));
	return NULL;	/* not reached */
}

static void attributes(void)
{
	pthread_attr_t a, junk;
	struct sched_param p = { .sched_priority = 0 };
	size_t size = 0;
	void *addr = (void *)1;
	int v = -1;
	pthread_t t;
	void *ret = NULL;

	memset(&junk, 0x5a, sizeof(junk));
	TK_CHECK("create_uninitialised_attr_einval", pthread_create(&t, &junk, plus_one, NULL) == EINVAL);
	TK_CHECK("attr_init", pthread_attr_init(&a) == 0);
	TK_CHECK("attr_default_stack_16k",
		 pthread_attr_getstacksize(&a, &size) == 0 && size == PTHREAD_STACK_DEFAULT);
	TK_CHECK("attr_default_joinable",
		 pthread_attr_getdetachstate(&a, &v) == 0 && v == PTHREAD_CREATE_JOINABLE);
	TK_CHECK("attr_default_inherit",
		 pthread_attr_getinheritsched(&a, &v) == 0 && v == PTHREAD_INHERIT_SCHED);
	TK_CHECK("attr_stacksize_below_min_einval",
		 pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN - 1) == EINVAL);
	TK_CHECK("attr_stacksize_min_ok", pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN) == 0);
	TK_CHECK("attr_bad_detachstate_einval", pthread_attr_setdetachstate(&a, 7) == EINVAL);
	TK_CHECK("attr_bad_inheritsched_einval", pthread_attr_setinheritsched(&a, 9) == EINVAL);
	TK_CHECK("attr_bad_policy_einval", pthread_attr_setschedpolicy(&a, 42) == EINVAL);
	TK_CHECK("attr_sched_other_enotsup", pthread_attr_setschedpolicy(&a, SCHED_OTHER) == ENOTSUP);
	TK_CHECK("attr_deadline_policy_einval", pthread_attr_setschedpolicy(&a, SCHED_DEADLINE) == EINVAL);
	p.sched_priority = 100;
	TK_CHECK("attr_prio_100_einval", pthread_attr_setschedparam(&a, &p) == EINVAL);
	TK_CHECK("attr_null_param_einval", pthread_attr_setschedparam(&a, NULL) == EINVAL);
	TK_CHECK("attr_scope_process_enotsup", pthread_attr_setscope(&a, PTHREAD_SCOPE_PROCESS) == ENOTSUP);
	TK_CHECK("attr_setstack_null_einval", pthread_attr_setstack(&a, NULL, 8192) == EINVAL);
	TK_CHECK("attr_getstack_default_null",
		 pthread_attr_getstack(&a, &addr, &size) == 0 && addr == NULL);
	/* Explicit FIFO with the default priority 0: invalid, as on Linux. */
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_FIFO);
	TK_CHECK("create_explicit_fifo_prio_0_einval", pthread_create(&t, &a, plus_one, NULL) == EINVAL);
	TK_CHECK("attr_destroy", pthread_attr_destroy(&a) == 0);
	TK_CHECK("attr_use_after_destroy_einval", pthread_attr_setstacksize(&a, 8192) == EINVAL);
	TK_CHECK("attr_null_einval", pthread_attr_init(NULL) == EINVAL);

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
	TK_CHECK("pthread_exit_value_joined",
		 pthread_create(&t, &a, exit_early, (void *)21) == 0 &&
		 pthread_join(t, &ret) == 0 && ret == (void *)42);
	pthread_attr_destroy(&a);
}

/* A caller-given stack: the thread's locals live in it. */
static uint64_t own_stack[1024] __attribute__((aligned(16)));

static volatile uintptr_t local_at;

static void *where_am_i(void *arg)
{
	volatile int local = 1;

	local_at = (uintptr_t)&local;
	return arg;
}

static void given_stack(void)
{
	pthread_attr_t a;
	pthread_t t;
	uintptr_t lo = (uintptr_t)own_stack, hi = lo + sizeof(own_stack);

	pthread_attr_init(&a);
	TK_CHECK("attr_setstack", pthread_attr_setstack(&a, own_stack, sizeof(own_stack)) == 0);
	TK_CHECK("thread_runs_on_given_stack",
		 pthread_create(&t, &a, where_am_i, NULL) == 0 && pthread_join(t, NULL) == 0 &&
		 local_at >= lo && local_at < hi);
	pthread_attr_destroy(&a);
}

/* 1000 threads with small stacks, all alive at once, then joined. */
enum { MANY = 1000 };
static pthread_t many[MANY];
static unsigned ran;

static void *count_and_return(void *arg)
{
	add(&ran, 1);
	return arg;
}

static void thousand_threads(void)
{
	pthread_attr_t a;
	int created = 0, joined = 0;
	uint64_t t0 = now_ns();

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 4096);
	for (int i = 0; i < MANY; i++)
		if (pthread_create(&many[i], &a, count_and_return, (void *)(uintptr_t)i) == 0)
			created++;
	for (int i = 0; i < created; i++) {
		void *ret = NULL;

		if (pthread_join(many[i], &ret) == 0 && ret == (void *)(uintptr_t)i)
			joined++;
	}
	pthread_attr_destroy(&a);
	TK_CHECK("1000_threads_created", created == MANY);
	TK_CHECK("1000_threads_ran", ran == MANY);
	TK_CHECK("1000_threads_joined_with_their_values", joined == MANY);
	printf("posix: 1000 threads created, run, joined in %lu ms\n",
	       (unsigned long)((now_ns() - t0) / 1000000u));
}

/* Detached threads: they run and go away; join and a second detach say
 * EINVAL (asked while the thread is still alive, blocked on a semaphore). */
static sem_t done, gate;

static void *post_done(void *arg)
{
	sem_post(&done);
	return arg;
}

static void *wait_gate(void *arg)
{
	sem_wait(&gate);
	return arg;
}

static void detached(void)
{
	pthread_attr_t a;
	pthread_t t;
	int created = 0, finished = 0;

	sem_init(&done, 0, 0);
	sem_init(&gate, 0, 0);
	pthread_attr_init(&a);
	TK_CHECK("attr_setdetachstate", pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0);
	for (int i = 0; i < 20; i++)
		if (pthread_create(&t, &a, post_done, NULL) == 0)
			created++;
	for (int i = 0; i < created; i++) {
		struct timespec dl = abs_in_ms(2000);

		if (sem_timedwait(&done, &dl) == 0)
			finished++;
	}
	TK_CHECK("20_detached_threads_run", created == 20 && finished == 20);
	pthread_attr_destroy(&a);

	TK_CHECK("detach_running_thread",
		 pthread_create(&t, NULL, wait_gate, NULL) == 0 && pthread_detach(t) == 0);
	TK_CHECK("join_detached_einval", pthread_join(t, NULL) == EINVAL);
	TK_CHECK("detach_twice_einval", pthread_detach(t) == EINVAL);
	sem_post(&gate);
	usleep(1000);		/* let it exit */
}

/* PTHREAD_INHERIT_SCHED gives the creator's policy and priority,
 * PTHREAD_EXPLICIT_SCHED the attribute's. */
struct sched_seen {
	int policy;
	struct sched_param p;
};

static void *report_sched(void *arg)
{
	struct sched_seen *s = arg;

	pthread_getschedparam(pthread_self(), &s->policy, &s->p);
	return NULL;
}

static void inherit_explicit(void)
{
	struct sched_seen mine, inh = { -1, { -1 } }, exp = { -1, { -1 } };
	pthread_attr_t a;
	pthread_t t;
	int other;

	TK_CHECK("getschedparam_self", pthread_getschedparam(pthread_self(), &mine.policy, &mine.p) == 0);
	TK_CHECK("main_is_fifo_or_rr", mine.policy == SCHED_FIFO || mine.policy == SCHED_RR);
	printf("posix: main runs %s at priority %d\n", mine.policy == SCHED_RR ? "SCHED_RR" : "SCHED_FIFO",
	       mine.p.sched_priority);
	TK_CHECK("inherit_gets_creators_policy_and_prio",
		 pthread_create(&t, NULL, report_sched, &inh) == 0 && pthread_join(t, NULL) == 0 &&
		 inh.policy == mine.policy && inh.p.sched_priority == mine.p.sched_priority);

	other = mine.p.sched_priority > 1 ? mine.p.sched_priority - 1 : mine.p.sched_priority + 1;
	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_RR);
	pthread_attr_setschedparam(&a, &(struct sched_param){ .sched_priority = other });
	TK_CHECK("explicit_gets_attr_policy_and_prio",
		 pthread_create(&t, &a, report_sched, &exp) == 0 && pthread_join(t, NULL) == 0 &&
		 exp.policy == SCHED_RR && exp.p.sched_priority == other);
	pthread_attr_destroy(&a);
}

static void names_and_ids(void)
{
	char buf[16];
	pthread_t t;
	pid_t tid = gettid();

	sem_init(&gate, 0, 0);
	pthread_create(&t, NULL, wait_gate, NULL);
	TK_CHECK("setname_np", pthread_setname_np(t, "worker-7") == 0);
	TK_CHECK("getname_np_gives_it_back",
		 pthread_getname_np(t, buf, sizeof(buf)) == 0 && strcmp(buf, "worker-7") == 0);
	TK_CHECK("setname_16_chars_erange", pthread_setname_np(t, "0123456789abcdef") == ERANGE);
	TK_CHECK("getname_short_buffer_erange", pthread_getname_np(t, buf, 3) == ERANGE);
	TK_CHECK("setname_null_einval", pthread_setname_np(t, NULL) == EINVAL);
	TK_CHECK("tid_stable_and_not_pid", tid == gettid() && tid >= 2 && tid != getpid());
	TK_CHECK("gettid_np_of_self_is_gettid", pthread_gettid_np(pthread_self()) == tid);
	TK_CHECK("other_thread_other_tid", pthread_gettid_np(t) > 0 && pthread_gettid_np(t) != tid);
	sem_post(&gate);
	pthread_join(t, NULL);
}

/* Keys: values are per thread, destructors run at exit with the value. */
static pthread_key_t key, key2;
static unsigned dtor_calls, dtor_sum, rearm_calls;

static void dtor(void *v)
{
	add(&dtor_calls, 1);
	add(&dtor_sum, *(unsigned *)v);
	free(v);
}

/* Sets its value again: called PTHREAD_DESTRUCTOR_ITERATIONS times. */
static void rearm(void *v)
{
	rearm_calls++;
	pthread_setspecific(key2, v);
}

static void *use_key(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;
	unsigned *v = malloc(sizeof(*v));
	bool fresh = pthread_getspecific(key) == NULL;

	*v = i;
	if (pthread_setspecific(key, v) || pthread_getspecific(key) != v)
		return (void *)0;
	if (i == 3)
		pthread_exit((void *)(uintptr_t)fresh);	/* destructors run here too */
	return (void *)(uintptr_t)fresh;
}

static void *set_null(void *arg)
{
	pthread_setspecific(key, NULL);
	return arg;
}

static void *use_rearm(void *arg)
{
	pthread_setspecific(key2, (void *)1);
	return arg;
}

static void keys(void)
{
	pthread_t t[4];
	int ok = 0;
	static int here;

	TK_CHECK("key_create", pthread_key_create(&key, dtor) == 0);
	TK_CHECK("key_create_null_einval", pthread_key_create(NULL, dtor) == EINVAL);
	TK_CHECK("main_setspecific_getspecific",
		 pthread_setspecific(key, &here) == 0 && pthread_getspecific(key) == &here);
	for (unsigned i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, use_key, (void *)(uintptr_t)(i + 1));
	for (unsigned i = 0; i < 4; i++) {
		void *fresh = NULL;

		if (pthread_join(t[i], &fresh) == 0 && fresh == (void *)1)
			ok++;
	}
	TK_CHECK("new_thread_sees_null_then_its_own_value", ok == 4);
	TK_CHECK("destructors_ran_once_per_thread_with_its_value", dtor_calls == 4 && dtor_sum == 10);
	TK_CHECK("main_value_untouched", pthread_getspecific(key) == &here);
	pthread_create(&t[0], NULL, set_null, NULL);
	pthread_join(t[0], NULL);
	TK_CHECK("null_value_no_destructor", dtor_calls == 4);

	pthread_key_create(&key2, rearm);
	pthread_create(&t[0], NULL, use_rearm, NULL);
	pthread_join(t[0], NULL);
	TK_CHECK("destructor_rounds_bounded", rearm_calls == PTHREAD_DESTRUCTOR_ITERATIONS);

	TK_CHECK("key_delete", pthread_key_delete(key2) == 0);
	TK_CHECK("key_delete_twice_einval", pthread_key_delete(key2) == EINVAL);
	TK_CHECK("setspecific_deleted_key_einval", pthread_setspecific(key2, &here) == EINVAL);
	TK_CHECK("getspecific_bad_key_null", pthread_getspecific(100000) == NULL);
	TK_CHECK("setspecific_bad_key_einval", pthread_setspecific(100000, &here) == EINVAL);
	pthread_setspecific(key, NULL);
	pthread_key_delete(key);
}

/* pthread_once from 8 threads: the routine runs once, and every caller
 * returns after it finished. */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static unsigned once_runs, once_done, once_saw_done;

static void once_init(void)
{
	once_runs++;
	usleep(10000);		/* the others arrive meanwhile */
	once_done = 1;
}

static void *call_once(void *arg)
{
	if (pthread_once(&once, once_init) == 0 && once_done)
		add(&once_saw_done, 1);
	return arg;
}

static void once_test(void)
{
	pthread_t t[8];

	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, call_once, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	TK_CHECK("once_runs_once", once_runs == 1);
	TK_CHECK("once_callers_return_after_init", once_saw_done == 8);
	TK_CHECK("once_null_einval", pthread_once(NULL, once_init) == EINVAL);
}

/* printf and malloc from 50 threads at once: round-robin with a 20 us
 * slice (set through the kernel API: POSIX has no call for it), so they
 * are preempted in the middle of both many times. Each fills and checks
 * its own buffers, then prints one whole line the ctest regex checks. */
enum { PRINTERS = 50, ROUNDS = 300, LIVE = 6 };
static unsigned printers_ok, printers_interleaved;

static void *printer(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	char *live[LIVE] = { 0 };
	size_t len[LIVE] = { 0 };
	unsigned long sum = 0;
	bool ok = true;
	char hex[65];
	struct tk_sched rr;

	tk_thread_getsched(NULL, &rr);
	rr.rr_slice_ns = 20000;
	tk_thread_setsched(NULL, &rr);
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned k = r % LIVE;

		if (live[k]) {
			char want[24];
			int n = snprintf(want, sizeof(want), "%02u:%04u:", id, r - LIVE);

			ok &= strncmp(live[k], want, (size_t)n) == 0;
			for (size_t j = (size_t)n; j + 1 < len[k]; j++)
				ok &= live[k][j] == (char)('a' + (id + j) % 26);
			for (size_t j = 0; j < len[k]; j++)
				sum = sum * 31 + (unsigned char)live[k][j];
			free(live[k]);
		}
		len[k] = 16 + (r * 37 + id * 11) % 300;
		live[k] = malloc(len[k]);
		if (!live[k]) {
			ok = false;
			break;
		}
		int n = snprintf(live[k], len[k], "%02u:%04u:", id, r);

		for (size_t j = (size_t)n; j + 1 < len[k]; j++)
			live[k][j] = (char)('a' + (id + j) % 26);
		live[k][len[k] - 1] = 0;
	}
	for (unsigned k = 0; k < LIVE; k++)
		free(live[k]);
	for (int i = 0; i < 64; i++)
		hex[i] = "0123456789abcdef"[(sum >> ((i % 16) * 4) ^ (unsigned)i) & 15];
	hex[64] = 0;
	printf("posix-mt %02u %s sum %08lx %s\n", id, hex, sum & 0xffffffffu, ok ? "ok" : "BAD");
	if (ok)
		add(&printers_ok, 1);
	struct tk_thread_stats st;

	if (tk_thread_stats(tk_thread_self(), &st) == 0 && st.switches >= 3)
		add(&printers_interleaved, 1);	/* preempted mid-work at least twice */
	return NULL;
}

static void printf_malloc_50(void)
{
	pthread_t t[PRINTERS];
	pthread_attr_t a;
	struct sched_param p;
	int policy, created = 0;

	pthread_getschedparam(pthread_self(), &policy, &p);
	pthread_attr_init(&a);
	pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&a, SCHED_RR);
	pthread_attr_setschedparam(&a, &p);
	for (int i = 0; i < PRINTERS; i++)
		if (pthread_create(&t[i], &a, printer, (void *)(uintptr_t)i) == 0)
			created++;
	for (int i = 0; i < created; i++)
		pthread_join(t[i], NULL);
	pthread_attr_destroy(&a);
	TK_CHECK("50_threads_malloc_snprintf_buffers_intact", created == PRINTERS &&
							       printers_ok == PRINTERS);
	TK_CHECK("50_threads_ran_interleaved", printers_interleaved >= PRINTERS * 4 / 5);
}

void test_threads(void)
{
	create_join();
	attributes();
	given_stack();
	thousand_threads();
	detached();
	inherit_explicit();
	names_and_ids();
	keys();
	once_test();
	printf_malloc_50();
}
