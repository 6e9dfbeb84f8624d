/* Minimal result reporting for target tests: one line per case and the
 * closing "N passed, N failed" line that ./takt test and ctest read. */
#ifndef TK_TEST_H
#define TK_TEST_H

#include <stdio.h>

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

static inline int tk_test_done(void)
{
	printf("%d passed, %d failed\n", tk_test_passed, tk_test_failed);
	return tk_test_failed ? 1 : 0;
}

#endif
