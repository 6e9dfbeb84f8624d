/*
 * newlib's retargetable locks (built with --enable-newlib-retargetable-
 * locking): malloc, stdio, atexit and the rest take these, so they are
 * safe from many threads. Each newlib lock is a tk_mutex. Before the
 * scheduler runs there is nothing to exclude.
 *
 * In an interrupt handler (a deadline handler too) one cannot be taken:
 * the handler cannot wait, and the interrupted thread, or a thread on
 * another CPU, may be inside malloc or a FILE at that moment. These
 * calls once went on there unlocked: a heap or a FILE corrupted without a
 * word, when the timing was wrong. Now taking one there is a panic
 * naming it, every time.
 */
#include <stdlib.h>
#include <sys/lock.h>

#include <takt/log.h>
#include <takt/sync.h>

#include "../kernel.h"
#include "../sync/sync_impl.h"

struct __lock {
	struct tk_mutex m;
};

/* The static locks newlib names (newlib/libc/misc/lock.c). */
struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
	__lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
	__lock___malloc_recursive_mutex, __lock___env_recursive_mutex, __lock___tz_mutex,
	__lock___dd_hash_mutex, __lock___arc4random_mutex;

/* What newlib takes lock for, for the panic: its static locks by name. */
static const char *lock_use(_LOCK_T lock)
{
	if (lock == &__lock___malloc_recursive_mutex)
		return "malloc";
	if (lock == &__lock___sfp_recursive_mutex || lock == &__lock___sinit_recursive_mutex)
		return "stdio";
	if (lock == &__lock___atexit_recursive_mutex || lock == &__lock___at_quick_exit_mutex)
		return "atexit";
	if (lock == &__lock___env_recursive_mutex || lock == &__lock___tz_mutex)
		return "getenv or the time zone";
	return "stdio (a FILE) or another newlib call";
}

/* true: nothing to exclude (before the scheduler, or in a panic); a
 * panic in an interrupt handler (above). */
static bool no_threads(_LOCK_T lock)
{
	if (!sched_current || log_panicking)
		return true;
	if (sched_in_irq())
		tk_panic("newlib: %s in an interrupt handler: its lock cannot be waited for there "
			 "(thread context only)", lock_use(lock));
	return false;
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
	if (lock && !no_threads(lock))
		tk_mutex_lock(&lock->m, TK_FOREVER);
}

/* Zero-initialised static locks learn they are recursive on first use. */
static void make_recursive(_LOCK_T lock)
{
	mutex_init_if_zero(&lock->m, TK_MUTEX_RECURSIVE);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	if (!lock || no_threads(lock))
		return;
	unsigned long flags = klock();

	make_recursive(lock);
	kunlock(flags);
	tk_mutex_lock(&lock->m, TK_FOREVER);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return !lock || no_threads(lock) || tk_mutex_lock(&lock->m, 0) == 0;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	if (!lock || no_threads(lock))
		return 1;
	unsigned long flags = klock();

	make_recursive(lock);
	kunlock(flags);
	return tk_mutex_lock(&lock->m, 0) == 0;
}

/* A release matches an acquire: none was taken before the scheduler or
 * in a panic, and none in a handler (the acquire panicked). */
void __retarget_lock_release(_LOCK_T lock)
{
	if (lock && sched_current && !log_panicking && !sched_in_irq())
		tk_mutex_unlock(&lock->m);
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	__retarget_lock_release(lock);
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
