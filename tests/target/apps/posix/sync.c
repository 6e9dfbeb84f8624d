/* Mutexes (mutual exclusion, types, timeouts, static initialisers),
 * condition variables and semaphores. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <string.h>
#include <unistd.h>

#include "posix_test.h"

/* N threads increment a counter with a yield between the read and the
 * write: without mutual exclusion, increments are lost. */
enum { WORKERS = 8, ITERS = 2000 };
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned counter;
static unsigned lock_errors;

static void *increment(void *arg)
{
	for (int i = 0; i < ITERS; i++) {
		if (pthread_mutex_lock(&counter_lock)) {
			lock_errors++;
			continue;
		}
		unsigned v = counter;

		if (i % 8 == 0)
			sched_yield();	/* the others queue up on the mutex */
		counter = v + 1;
		if (pthread_mutex_unlock(&counter_lock))
			lock_errors++;
	}
	return arg;
}

static void mutual_exclusion(void)
{
	pthread_t t[WORKERS];

	for (int i = 0; i < WORKERS; i++)
		pthread_create(&t[i], NULL, increment, NULL);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	TK_CHECK("static_mutex_excludes_8_threads", counter == WORKERS * ITERS && lock_errors == 0);
}

/* Runs op on m in another thread and returns its result. */
struct remote {
	pthread_mutex_t *m;
	int (*op)(pthread_mutex_t *);
	int rc;
};

static void *remote_op(void *arg)
{
	struct remote *r = arg;

	r->rc = r->op(r->m);
	return NULL;
}

static int in_other_thread(int (*op)(pthread_mutex_t *), pthread_mutex_t *m)
{
	struct remote r = { m, op, -1 };
	pthread_t t;

	pthread_create(&t, NULL, remote_op, &r);
	pthread_join(t, NULL);
	return r.rc;
}

static void mutex_types(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	static pthread_mutex_t rs = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	int v = -1;

	TK_CHECK("mutexattr_init", pthread_mutexattr_init(&a) == 0);
	TK_CHECK("mutexattr_bad_type_einval", pthread_mutexattr_settype(&a, 9) == EINVAL);
	TK_CHECK("mutexattr_prio_protect_enotsup",
		 pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT) == ENOTSUP);
	TK_CHECK("mutexattr_prio_none_accepted",
		 pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_NONE) == 0 &&
		 pthread_mutexattr_getprotocol(&a, &v) == 0 && v == PTHREAD_PRIO_NONE);
	TK_CHECK("mutexattr_prio_inherit",
		 pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT) == 0);

	/* Recursive: the owner relocks; others are refused; unlocks count. */
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	TK_CHECK("recursive_init", pthread_mutex_init(&m, &a) == 0);
	TK_CHECK("recursive_lock_3_times", pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == 0 &&
					   pthread_mutex_lock(&m) == 0);
	TK_CHECK("recursive_trylock_by_owner", pthread_mutex_trylock(&m) == 0);
	TK_CHECK("recursive_trylock_by_other_ebusy", in_other_thread(pthread_mutex_trylock, &m) == EBUSY);
	TK_CHECK("recursive_unlock_by_other_eperm", in_other_thread(pthread_mutex_unlock, &m) == EPERM);
	TK_CHECK("recursive_destroy_held_ebusy", pthread_mutex_destroy(&m) == EBUSY);
	TK_CHECK("recursive_unlock_4_times", pthread_mutex_unlock(&m) == 0 && pthread_mutex_unlock(&m) == 0 &&
					     pthread_mutex_unlock(&m) == 0 && pthread_mutex_unlock(&m) == 0);
	TK_CHECK("recursive_unlock_unlocked_eperm", pthread_mutex_unlock(&m) == EPERM);
	TK_CHECK("recursive_free_for_others", in_other_thread(pthread_mutex_trylock, &m) == 0);
	TK_CHECK("static_recursive_initializer",
		 pthread_mutex_lock(&rs) == 0 && pthread_mutex_lock(&rs) == 0 &&
		 pthread_mutex_unlock(&rs) == 0 && pthread_mutex_unlock(&rs) == 0);

	/* Error checking: relock EDEADLK, foreign or spare unlock EPERM. */
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	TK_CHECK("errorcheck_init", pthread_mutex_init(&m, &a) == 0);
	TK_CHECK("errorcheck_lock", pthread_mutex_lock(&m) == 0);
	TK_CHECK("errorcheck_relock_edeadlk", pthread_mutex_lock(&m) == EDEADLK);
	TK_CHECK("errorcheck_trylock_by_owner_ebusy", pthread_mutex_trylock(&m) == EBUSY);
	TK_CHECK("errorcheck_unlock_by_other_eperm", in_other_thread(pthread_mutex_unlock, &m) == EPERM);
	TK_CHECK("errorcheck_unlock", pthread_mutex_unlock(&m) == 0);
	TK_CHECK("errorcheck_unlock_unlocked_eperm", pthread_mutex_unlock(&m) == EPERM);
	TK_CHECK("errorcheck_destroy", pthread_mutex_destroy(&m) == 0);
	TK_CHECK("use_after_destroy_einval", pthread_mutex_lock(&m) == EINVAL);

	/* Normal/default: relock is reported, not a hang (documented). */
	TK_CHECK("normal_init_null_attr", pthread_mutex_init(&m, NULL) == 0);
	TK_CHECK("normal_relock_edeadlk", pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == EDEADLK);
	TK_CHECK("normal_unlock", pthread_mutex_unlock(&m) == 0);
	pthread_mutexattr_destroy(&a);
	TK_CHECK("mutex_init_destroyed_attr_einval", pthread_mutex_init(&m, &a) == EINVAL);
	TK_CHECK("mutex_lock_null_einval", pthread_mutex_lock(NULL) == EINVAL);
	TK_CHECK("mutex_unlock_null_einval", pthread_mutex_unlock(NULL) == EINVAL);
}

/* A holder thread keeps a mutex until told to let go. */
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static sem_t holding, release;

static void *hold(void *arg)
{
	pthread_mutex_lock(&held);
	sem_post(&holding);
	sem_wait(&release);
	pthread_mutex_unlock(&held);
	return arg;
}

static void timeouts(void)
{
	pthread_t t;
	struct timespec dl, bad = { 0, 1000000000L };
	pthread_condattr_t ca;
	pthread_cond_t c;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	sem_t s;
	clockid_t clk = -1;
	int rc;

	sem_init(&holding, 0, 0);
	sem_init(&release, 0, 0);
	pthread_create(&t, NULL, hold, NULL);
	sem_wait(&holding);
	dl = abs_in_ms(50);
	rc = pthread_mutex_timedlock(&held, &dl);
	TK_CHECK("timedlock_times_out", rc == ETIMEDOUT);
	TK_CHECK("timedlock_not_before_deadline", now_ns() >= ts_ns(&dl));
	TK_CHECK("timedlock_bad_nsec_einval", pthread_mutex_timedlock(&held, &bad) == EINVAL);
	TK_CHECK("timedlock_null_einval", pthread_mutex_timedlock(&held, NULL) == EINVAL);
	TK_CHECK("trylock_held_ebusy", pthread_mutex_trylock(&held) == EBUSY);
	sem_post(&release);
	pthread_join(t, NULL);
	dl = abs_in_ms(50);
	TK_CHECK("timedlock_free_mutex", pthread_mutex_timedlock(&held, &dl) == 0 &&
					 pthread_mutex_unlock(&held) == 0);

	TK_CHECK("sem_init", sem_init(&s, 0, 0) == 0);
	dl = abs_in_ms(50);
	rc = sem_timedwait(&s, &dl);
	TK_CHECK("sem_timedwait_times_out", rc == -1 && errno == ETIMEDOUT);
	TK_CHECK("sem_timedwait_not_before_deadline", now_ns() >= ts_ns(&dl));
	TK_CHECK("sem_timedwait_bad_nsec_einval", sem_timedwait(&s, &bad) == -1 && errno == EINVAL);

	TK_CHECK("condattr_init", pthread_condattr_init(&ca) == 0);
	TK_CHECK("condattr_setclock_monotonic", pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
						pthread_condattr_getclock(&ca, &clk) == 0 &&
						clk == CLOCK_MONOTONIC);
	TK_CHECK("condattr_setclock_realtime", pthread_condattr_setclock(&ca, CLOCK_REALTIME) == 0);
	TK_CHECK("condattr_setclock_other_einval",
		 pthread_condattr_setclock(&ca, CLOCK_MONOTONIC_RAW) == EINVAL);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	TK_CHECK("cond_init_monotonic", pthread_cond_init(&c, &ca) == 0);
	pthread_mutex_lock(&m);
	dl = abs_in_ms(50);
	rc = pthread_cond_timedwait(&c, &m, &dl);
	TK_CHECK("cond_timedwait_times_out", rc == ETIMEDOUT);
	TK_CHECK("cond_timedwait_not_before_deadline", now_ns() >= ts_ns(&dl));
	TK_CHECK("cond_timedwait_returns_with_mutex_held", pthread_mutex_unlock(&m) == 0);
	TK_CHECK("cond_timedwait_bad_nsec_einval", pthread_mutex_lock(&m) == 0 &&
						   pthread_cond_timedwait(&c, &m, &bad) == EINVAL);
	pthread_mutex_unlock(&m);
	TK_CHECK("cond_wait_without_mutex_eperm", pthread_cond_wait(&c, &m) == EPERM);
	TK_CHECK("cond_wait_null_einval", pthread_cond_wait(NULL, &m) == EINVAL);
	pthread_cond_destroy(&c);
	pthread_condattr_destroy(&ca);
}

/* PTHREAD_COND_INITIALIZER: signal one waiter, broadcast to five. */
static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int go, woken;

static void *waiter(void *arg)
{
	pthread_mutex_lock(&cm);
	while (!go)
		pthread_cond_wait(&cv, &cm);
	woken++;
	pthread_mutex_unlock(&cm);
	return arg;
}

static void *signaller(void *arg)
{
	pthread_mutex_lock(&cm);
	go = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&cm);
	return arg;
}

static void conditions(void)
{
	pthread_t t[5], s;

	pthread_create(&s, NULL, signaller, NULL);
	pthread_mutex_lock(&cm);
	while (!go)
		pthread_cond_wait(&cv, &cm);
	pthread_mutex_unlock(&cm);
	pthread_join(s, NULL);
	TK_CHECK("static_cond_signal_wakes_waiter", go == 1);

	go = 0;
	for (int i = 0; i < 5; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	usleep(5000);		/* all five wait */
	pthread_mutex_lock(&cm);
	go = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&cm);
	for (int i = 0; i < 5; i++)
		pthread_join(t[i], NULL);
	TK_CHECK("broadcast_wakes_all_5", woken == 5);
}

static void semaphores(void)
{
	sem_t s;
	int v = -1;

	TK_CHECK("sem_init_above_max_einval", sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1u) == -1 &&
					      errno == EINVAL);
	TK_CHECK("sem_init_null_einval", sem_init(NULL, 0, 0) == -1 && errno == EINVAL);
	TK_CHECK("sem_init_2", sem_init(&s, 0, 2) == 0);
	TK_CHECK("sem_getvalue_2", sem_getvalue(&s, &v) == 0 && v == 2);
	TK_CHECK("sem_trywait_twice", sem_trywait(&s) == 0 && sem_wait(&s) == 0);
	TK_CHECK("sem_trywait_empty_eagain", sem_trywait(&s) == -1 && errno == EAGAIN);
	TK_CHECK("sem_post_then_value_1", sem_post(&s) == 0 && sem_getvalue(&s, &v) == 0 && v == 1);
	TK_CHECK("sem_getvalue_null_einval", sem_getvalue(&s, NULL) == -1 && errno == EINVAL);
	TK_CHECK("sem_post_null_einval", sem_post(NULL) == -1 && errno == EINVAL);
	TK_CHECK("sem_destroy", sem_destroy(&s) == 0);
	TK_CHECK("sem_wait_destroyed_einval", sem_wait(&s) == -1 && errno == EINVAL);
	TK_CHECK("sem_init_at_max", sem_init(&s, 1, SEM_VALUE_MAX) == 0);
	TK_CHECK("sem_post_at_max_eoverflow", sem_post(&s) == -1 && errno == EOVERFLOW);
	sem_destroy(&s);
}

/* A recursive mutex held twice is let go whole while its holder waits on a
 * condition (else the signaller, who must take it first, never could: the
 * wait was once for good) and held twice again after. */
static pthread_mutex_t rm = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_cond_t rcv = PTHREAD_COND_INITIALIZER;
static volatile int rm_taken;

static void *take_and_signal(void *arg)
{
	(void)arg;
	while (pthread_mutex_trylock(&rm) != 0)	/* free once the holder waits */
		usleep(1000);
	rm_taken = 1;
	pthread_cond_signal(&rcv);
	pthread_mutex_unlock(&rm);
	return NULL;
}

static void recursive_cond_wait(void)
{
	struct timespec dl = abs_in_ms(2000);
	pthread_t t;
	int rc;

	pthread_mutex_lock(&rm);
	pthread_mutex_lock(&rm);
	pthread_create(&t, NULL, take_and_signal, NULL);
	rc = pthread_cond_timedwait(&rcv, &rm, &dl);
	TK_CHECK("cond_wait_lets_recursive_mutex_go_whole", rc == 0 && rm_taken);
	TK_CHECK("cond_wait_gives_recursive_mutex_back_twice",
		 pthread_mutex_unlock(&rm) == 0 && pthread_mutex_unlock(&rm) == 0 &&
		 pthread_mutex_unlock(&rm) == EPERM);
	pthread_join(t, NULL);	/* (had the wait kept it, the unlocks above freed it) */
}

void test_sync(void)
{
	mutual_exclusion();
	mutex_types();
	timeouts();
	conditions();
	recursive_cond_wait();
	semaphores();
}
