/*
 * newlib's retargetable locks (built with --enable-newlib-retargetable-
 * locking): malloc, stdio, atexit and the rest take these, so they are
 * safe from many threads. Each newlib lock is a tk_mutex. Before the
 * scheduler runs, and inside interrupts, there is nothing to exclude.
 */
#include <stdlib.h>
#include <sys/lock.h>

#include <takt/sync.h>

#include "../sync/sync_impl.h"

struct __lock {
	struct tk_mutex m;
};

/* The static locks newlib names (newlib/libc/misc/lock.c). */
struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
	__lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
	__lock___malloc_recursive_mutex, __lock___env_recursive_mutex, __lock___tz_mutex,
	__lock___dd_hash_mutex, __lock___arc4random_mutex;

static bool no_threads(void)
{
	return !sched_current || sched_in_irq();
}

void __retarget_lock_init(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(struct __lock));
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	*lock = calloc(1, sizeof(struct __lock));
	if (*lock)
		tk_mutex_init(&(*lock)->m, TK_MUTEX_RECURSIVE);
}

void __retarget_lock_close(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock && !no_threads())
		tk_mutex_lock(&lock->m, TK_FOREVER);
}

/* Zero-initialised static locks learn they are recursive on first use. */
static void make_recursive(_LOCK_T lock)
{
	mutex_init_if_zero(&lock->m, TK_MUTEX_RECURSIVE);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (!lock || no_threads())
		return;
	unsigned long flags = klock();

	make_recursive(lock);
	kunlock(flags);
	tk_mutex_lock(&lock->m, TK_FOREVER);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return !lock || no_threads() || tk_mutex_lock(&lock->m, 0) == 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	if (!lock || no_threads())
		return 1;
	unsigned long flags = klock();

	make_recursive(lock);
	kunlock(flags);
	return tk_mutex_lock(&lock->m, 0) == 0;
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock && !no_threads())
		tk_mutex_unlock(&lock->m);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (lock && !no_threads())
		tk_mutex_unlock(&lock->m);
}

/* newlib is built with __DYNAMIC_REENT__: its per-thread state (errno,
 * stdio buffers) is the running thread's on this CPU; before threads, the
 * boot's (which main keeps). */
struct _reent *__getreent(void)
{
	struct tk_thread *t = sched_current;

	return t ? t->reent_ptr : _impure_ptr;
}

/* newlib's __sinit of the global state (main's, the boot's) marks it set
 * up *before* it makes stdin/stdout/stderr, so that its own __sfp does
 * not recurse; and any thread's first stdio call runs it, through __sfp,
 * if main has not printed yet. main printing meanwhile on another CPU
 * then takes the placeholder FILE (in .rodata) for stdout and writes to
 * it: a data abort (seen in a CI run of the shell app on the ZCU102).
 * So the global state is set up here, while main is still the only
 * thread. Weak: an app without stdio does not link __sinit, nor this. */
extern void __sinit(struct _reent *s) __attribute__((weak));

void newlib_stdio_before_threads(void)
{
	if (__sinit && !_GLOBAL_REENT->__sdidinit)
		__sinit(_GLOBAL_REENT);
}
