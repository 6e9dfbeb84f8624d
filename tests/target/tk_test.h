/* Minimal result reporting for target tests: one line per case and the
 * closing "N passed, N failed" line that ./takt test and ctest read. */
#ifndef TK_TEST_H
#define TK_TEST_H

#include <stdio.h>

#include <takt/thread.h>

/* One pair for the whole app (weak: defined by every file that includes
 * this, merged by the linker), so a failure in any of its files counts. */
__attribute__((weak)) int tk_test_passed, tk_test_failed;

#define TK_CHECK(name, cond)                                                   \
	do {                                                                   \
		if (cond) {                                                    \
			tk_test_passed++;                                      \
			printf("PASS %s\n", name);                             \
		} else {                                                       \
			tk_test_failed++;                                      \
			printf("FAIL %s (%s:%d: %s)\n", name, __FILE__,        \
			       __LINE__, #cond);                               \
		}                                                              \
	} while (0)

/* A thread a test needs (8 KiB of stack, on the CPUs of mask): failing to
 * start it is a failed case, since the checks that needed it would pass
 * without it. */
static inline tk_thread_t *tk_test_spawn(const char *name, uint32_t mask, struct tk_sched s,
					  tk_thread_fn fn, void *arg)
{
	struct tk_thread_attr a = { .name = name, .stack_size = 8192, .sched = s, .cpu_mask = mask };
	tk_thread_t *t = 0;
	int err = tk_thread_create(&t, &a, fn, arg);

	if (err) {
		tk_test_failed++;
		printf("FAIL spawn %s: %d\n", name, err);
	}
	return t;
}

static inline int tk_test_done(void)
{
	printf("%d passed, %d failed\n", tk_test_passed, tk_test_failed);
	return tk_test_failed ? 1 : 0;
}

#endif
