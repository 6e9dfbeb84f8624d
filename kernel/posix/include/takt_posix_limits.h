/* Limits of Takt's POSIX layer, shared by <limits.h>, <pthread.h> and
 * <semaphore.h> (glibc has them in <limits.h>). */
#ifndef TAKT_POSIX_LIMITS_H
#define TAKT_POSIX_LIMITS_H

#define PTHREAD_STACK_MIN		2048	/* TK_STACK_MIN */
#define PTHREAD_STACK_DEFAULT		16384	/* TK_STACK_DEFAULT */
#define PTHREAD_KEYS_MAX		64
#define PTHREAD_DESTRUCTOR_ITERATIONS	4
#define SEM_VALUE_MAX			0x7fffffff
#define SEM_NSEMS_MAX			SEM_VALUE_MAX	/* no limit but memory */

#endif
