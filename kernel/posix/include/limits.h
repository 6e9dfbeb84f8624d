/* newlib's <limits.h> plus the POSIX layer's limits (PTHREAD_STACK_MIN,
 * PTHREAD_KEYS_MAX, SEM_VALUE_MAX, ...), where glibc has them. */
#include_next <limits.h>

#include <takt_posix_limits.h>
