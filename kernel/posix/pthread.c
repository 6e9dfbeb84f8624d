/*
 * POSIX threads on tk_thread (DESIGN.md section 4): create/join/exit,
 * scheduling parameters, names, thread ids, thread-specific data and
 * pthread_once. Attributes are in pthread_attr.c, mutexes and condition
 * variables in pthread_sync.c.
 *
 * A pthread_t is the tk_thread_t pointer. Two of the thread's TLS slots
 * (tk_thread_tls) belong to this file:
 *   SLOT_TID    the thread id (gettid), given on first request;
 *   SLOT_LOCAL  struct local: key values and a pthread_setname_np name,
 *               allocated on first use, freed at pthread_exit.
 * Key destructors run, and struct local is freed, when a thread created
 * by pthread_create returns from its start routine or any thread calls
 * pthread_exit. The kernel offers no exit hook: a tk_thread that ends by
 * tk_thread_exit() or by returning from a tk_thread_create() function
 * runs no destructors and leaks its struct local (if it used keys).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <takt/sync.h>
#include <takt/thread.h>

#include "posix_internal.h"

#define SLOT_TID 0
#define SLOT_LOCAL 1

_Static_assert(PTHREAD_STACK_MIN == TK_STACK_MIN, "PTHREAD_STACK_MIN is TK_STACK_MIN");
_Static_assert(PTHREAD_STACK_DEFAULT == TK_STACK_DEFAULT, "default stack sizes agree");
_Static_assert(TK_TLS_SLOTS > SLOT_LOCAL, "two TLS slots");
_Static_assert(sizeof(pthread_t) >= sizeof(tk_thread_t *), "pthread_t holds a pointer");

struct local {
	char name[TK_NAME_MAX];	/* set by pthread_setname_np when name[0] */
	struct {
		unsigned long seq;	/* keys[k].seq when the value was set */
		void *value;
	} val[PTHREAD_KEYS_MAX];
};

/* Key k is in use while keys[k].seq is odd; delete and create advance it,
 * which makes values set under an earlier use of the slot invisible. */
static struct {
	unsigned long seq;
	void (*dtor)(void *);
} keys[PTHREAD_KEYS_MAX];
static TK_MUTEX_DEFINE(keys_lock);

static TK_MUTEX_DEFINE(once_lock);
static TK_COND_DEFINE(once_cond);

static TK_MUTEX_DEFINE(self_lock);
static unsigned long next_tid = 2;	/* 1 is getpid() */

static inline tk_thread_t *thr(pthread_t t)
{
	return (tk_thread_t *)t;
}

/* No thread (any more): a stale handle's memory must not be written. */
static bool no_thread(pthread_t t)
{
	return !t || !tk_thread_tls(thr(t));
}

/* ---- thread-local data ---- */

/* Creating a thread's struct local or id takes self_lock: a plain lock
 * rather than a compare-and-swap, whose arm64 out-of-line form needs
 * libgcc's __getauxval (absent here). Readers need no lock. */
static struct local *local_of(tk_thread_t *t, bool create)
{
	void **slot = &tk_thread_tls(t)[SLOT_LOCAL];
	struct local *l = __atomic_load_n((struct local **)slot, __ATOMIC_ACQUIRE);

	if (l || !create)
		return l;
	tk_mutex_lock(&self_lock, TK_FOREVER);
	l = *slot;
	if (!l) {		/* another thread may be naming t meanwhile */
		l = calloc(1, sizeof(*l));
		if (l)
			__atomic_store_n((struct local **)slot, l, __ATOMIC_RELEASE);
	}
	tk_mutex_unlock(&self_lock);
	return l;
}

static pid_t tid_of(tk_thread_t *t)
{
	unsigned long *slot = (unsigned long *)&tk_thread_tls(t)[SLOT_TID];
	unsigned long tid = __atomic_load_n(slot, __ATOMIC_ACQUIRE);

	if (tid)
		return (pid_t)tid;
	tk_mutex_lock(&self_lock, TK_FOREVER);
	tid = *slot;
	if (!tid) {
		tid = next_tid++;
		__atomic_store_n(slot, tid, __ATOMIC_RELEASE);
	}
	tk_mutex_unlock(&self_lock);
	return (pid_t)tid;
}

pid_t gettid(void)
{
	return tid_of(tk_thread_self());
}

pid_t pthread_gettid_np(pthread_t t)
{
	if (no_thread(t)) {
		errno = ESRCH;
		return -1;
	}
	return tid_of(thr(t));
}

struct find_tid {
	unsigned long tid;
	tk_thread_t *found;
};

static void match_tid(tk_thread_t *t, void *arg)
{
	struct find_tid *f = arg;

	if (!f->found && (unsigned long)__atomic_load_n(&tk_thread_tls(t)[SLOT_TID],
							 __ATOMIC_ACQUIRE) == f->tid)
		f->found = t;
}

/* Only ids handed out by gettid/pthread_gettid_np match: a thread that was
 * never asked for its id cannot be named by one. */
tk_thread_t *posix_thread_of_pid(pid_t pid)
{
	struct find_tid f = { (unsigned long)pid, NULL };

	if (pid == 0 || pid == getpid())
		return tk_thread_self();
	if (pid < 0)
		return NULL;
	tk_thread_foreach(match_tid, &f);
	return f.found;
}

/* ---- keys ---- */

int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	int rc = EAGAIN;

	if (!key)
		return EINVAL;
	tk_mutex_lock(&keys_lock, TK_FOREVER);
	for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
		if (keys[k].seq & 1)
			continue;
		keys[k].dtor = dtor;
		__atomic_store_n(&keys[k].seq, keys[k].seq + 1, __ATOMIC_RELEASE);
		*key = k;
		rc = 0;
		break;
	}
	tk_mutex_unlock(&keys_lock);
	return rc;
}

int pthread_key_delete(pthread_key_t key)
{
	int rc = EINVAL;

	if (key >= PTHREAD_KEYS_MAX)
		return EINVAL;
	tk_mutex_lock(&keys_lock, TK_FOREVER);
	if (keys[key].seq & 1) {
		__atomic_store_n(&keys[key].seq, keys[key].seq + 1, __ATOMIC_RELEASE);
		keys[key].dtor = NULL;
		rc = 0;
	}
	tk_mutex_unlock(&keys_lock);
	return rc;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct local *l;
	unsigned long seq;

	if (key >= PTHREAD_KEYS_MAX)
		return NULL;
	l = local_of(tk_thread_self(), false);
	seq = __atomic_load_n(&keys[key].seq, __ATOMIC_ACQUIRE);
	if (!l || !(seq & 1) || l->val[key].seq != seq)
		return NULL;
	return l->val[key].value;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	struct local *l;
	unsigned long seq;

	if (key >= PTHREAD_KEYS_MAX)
		return EINVAL;
	seq = __atomic_load_n(&keys[key].seq, __ATOMIC_ACQUIRE);
	if (!(seq & 1))
		return EINVAL;
	l = local_of(tk_thread_self(), value != NULL);
	if (!l)
		return value ? ENOMEM : 0;
	l->val[key].seq = seq;
	l->val[key].value = (void *)value;
	return 0;
}

/* POSIX: clear each non-NULL value with a destructor and call it; repeat
 * while destructors set new values, at most PTHREAD_DESTRUCTOR_ITERATIONS
 * rounds. */
static void run_destructors(struct local *l)
{
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		bool called = false;

		for (unsigned k = 0; k < PTHREAD_KEYS_MAX; k++) {
			unsigned long seq = __atomic_load_n(&keys[k].seq, __ATOMIC_ACQUIRE);
			void (*dtor)(void *) = keys[k].dtor;
			void *v = l->val[k].value;

			if (!(seq & 1) || l->val[k].seq != seq || !v || !dtor)
				continue;
			l->val[k].value = NULL;
			dtor(v);
			called = true;
		}
		if (!called)
			break;
	}
}

void pthread_exit(void *ret)
{
	tk_thread_t *self = tk_thread_self();
	struct local *l = local_of(self, false);

	if (l) {
		run_destructors(l);
		__atomic_store_n(&tk_thread_tls(self)[SLOT_LOCAL], NULL, __ATOMIC_RELEASE);
		free(l);
	}
	tk_thread_exit(ret);
}

/* ---- once ---- */

enum { ONCE_NEW = 0, ONCE_RUNNING = 1, ONCE_DONE = 2 };

/* Waiters sleep on a condition variable (not on the runner's mutex), so
 * an init routine that itself calls pthread_once, or waits for another
 * thread that does, does not deadlock. */
int pthread_once(pthread_once_t *once, void (*init)(void))
{
	int state;

	if (!once || !init)
		return EINVAL;
	state = __atomic_load_n(once, __ATOMIC_ACQUIRE);
	if (state == ONCE_DONE)
		return 0;
	if (state != ONCE_NEW && state != ONCE_RUNNING)
		return EINVAL;
	tk_mutex_lock(&once_lock, TK_FOREVER);
	while (*once == ONCE_RUNNING)
		tk_cond_wait(&once_cond, &once_lock, TK_FOREVER);
	if (*once == ONCE_DONE) {
		tk_mutex_unlock(&once_lock);
		return 0;
	}
	*once = ONCE_RUNNING;
	tk_mutex_unlock(&once_lock);
	init();
	tk_mutex_lock(&once_lock, TK_FOREVER);
	__atomic_store_n(once, ONCE_DONE, __ATOMIC_RELEASE);
	tk_cond_broadcast(&once_cond);
	tk_mutex_unlock(&once_lock);
	return 0;
}

/* ---- scheduling parameters ---- */

int pthread_setschedparam(pthread_t t, int policy, const struct sched_param *p)
{
	struct tk_sched s;
	int rc;

	if (!t)
		return ESRCH;
	if (!p)
		return EINVAL;
	rc = posix_sched_fp(policy, p->sched_priority, &s);
	if (rc)
		return rc;
	return posix_err(tk_thread_setsched(thr(t), &s));
}

int pthread_getschedparam(pthread_t t, int *policy, struct sched_param *p)
{
	struct tk_sched s;
	int rc;

	if (!t)
		return ESRCH;
	if (!policy || !p)
		return EINVAL;
	rc = tk_thread_getsched(thr(t), &s);
	if (rc)
		return posix_err(rc);
	*policy = (int)s.policy;
	memset(p, 0, sizeof(*p));
	p->sched_priority = s.policy == TK_SCHED_DEADLINE ? 0 : s.prio;
	return 0;
}

int pthread_setschedprio(pthread_t t, int prio)
{
	struct tk_sched s;
	int rc;

	if (!t)
		return ESRCH;
	rc = tk_thread_getsched(thr(t), &s);
	if (rc)
		return posix_err(rc);
	if (s.policy == TK_SCHED_DEADLINE || prio < TK_PRIO_MIN || prio > TK_PRIO_MAX)
		return EINVAL;
	s.prio = prio;
	return posix_err(tk_thread_setsched(thr(t), &s));
}

/* ---- names ---- */

/* The name is kept here too: "" gives back the creation name to
 * pthread_getname_np, while the kernel (its trace, the shell) keeps the
 * last name set. */
int pthread_setname_np(pthread_t t, const char *name)
{
	struct local *l;
	size_t n;

	if (no_thread(t))
		return ESRCH;
	if (!name)
		return EINVAL;
	n = strlen(name);
	if (n >= TK_NAME_MAX)
		return ERANGE;
	l = local_of(thr(t), true);
	if (!l)
		return ENOMEM;
	memcpy(l->name, name, n + 1);	/* "": back to the kernel's name */
	if (n)
		tk_thread_set_name(thr(t), name);
	return 0;
}

int pthread_getname_np(pthread_t t, char *buf, size_t len)
{
	struct local *l;
	const char *name;
	size_t n;

	if (no_thread(t))
		return ESRCH;
	if (!buf)
		return EINVAL;
	l = local_of(thr(t), false);
	name = l && l->name[0] ? l->name : tk_thread_name(thr(t));
	if (!name)
		name = "";
	n = strlen(name);
	if (len <= n)
		return ERANGE;
	memcpy(buf, name, n + 1);
	return 0;
}

/* ---- create, join, exit ---- */

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *start_thread(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	pthread_exit(s.fn(s.arg));
}

static int attr_to_tk(const pthread_attr_t *a, struct tk_thread_attr *ta)
{
	memset(ta, 0, sizeof(*ta));
	ta->stack = a->__stackaddr;
	ta->stack_size = a->__stacksize;
	ta->detached = a->__detachstate == PTHREAD_CREATE_DETACHED;
	ta->cpu_mask = a->__cpumask;
	if (a->__inheritsched == PTHREAD_EXPLICIT_SCHED)
		return posix_sched_fp(a->__schedpolicy, a->__schedparam.sched_priority,
				      &ta->sched);
	/* The creator's policy and parameters; policy 0 (FIFO at the
	 * creator's priority) if they cannot be read. */
	if (tk_thread_getsched(NULL, &ta->sched))
		memset(&ta->sched, 0, sizeof(ta->sched));
	return 0;
}

int pthread_create(pthread_t *out, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	pthread_attr_t def;
	struct tk_thread_attr ta;
	struct start *s;
	tk_thread_t *t;
	int rc;

	if (!out || !fn)
		return EINVAL;
	if (!attr) {
		pthread_attr_init(&def);
		attr = &def;
	} else if (attr->__magic != POSIX_ATTR_MAGIC) {
		return EINVAL;
	}
	rc = attr_to_tk(attr, &ta);
	if (rc)
		return rc;
	s = malloc(sizeof(*s));
	if (!s)
		return EAGAIN;
	s->fn = fn;
	s->arg = arg;
	rc = tk_thread_create(&t, &ta, start_thread, s);
	if (rc) {
		free(s);
		/* Out of memory, or the creator's deadline reservation not
		 * admitted again for the new thread: EAGAIN, as Linux. */
		return rc == -ENOMEM || rc == -EBUSY ? EAGAIN : posix_err(rc);
	}
	*out = (pthread_t)t;
	return 0;
}

int pthread_join(pthread_t t, void **ret)
{
	void *value = NULL;
	int rc;

	if (!t)
		return ESRCH;
	if (thr(t) == tk_thread_self())
		return EDEADLK;
	rc = tk_thread_join(thr(t), &value);
	if (!rc && ret)
		*ret = value;
	return posix_err(rc);
}

int pthread_detach(pthread_t t)
{
	if (!t)
		return ESRCH;
	return posix_err(tk_thread_detach(thr(t)));
}

pthread_t pthread_self(void)
{
	return (pthread_t)tk_thread_self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}
