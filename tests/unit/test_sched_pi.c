/*
 * kernel/sched/pi.c: effective scheduling keys over mutex wait chains,
 * checked case by case and against a brute-force recomputation.
 */
#include "sched_test.h"

#include "sched/pi.h"

#define NT 12
#define NM 12

static struct pi_thread th[NT];
static struct pi_mutex mx[NM];

static struct pi_key fp(int prio)
{
	return (struct pi_key){ .cls = SCHED_CLASS_FP, .prio = (uint8_t)prio };
}

static struct pi_key dl(uint64_t deadline)
{
	return (struct pi_key){ .cls = SCHED_CLASS_DL, .deadline = deadline };
}

static void reset(void)
{
	for (int i = 0; i < NT; i++) {
		struct pi_key k = fp(1 + i);

		pi_thread_init(&th[i], &k);
	}
	for (int i = 0; i < NM; i++)
		pi_mutex_init(&mx[i]);
}

static void set_base(int i, struct pi_key k)
{
	pi_set_base(&th[i], &k);
}

#define assert_key(k, want)                                                                        \
	do {                                                                                       \
		struct pi_key w_ = (want);                                                         \
		assert_int_equal((k).cls, w_.cls);                                                 \
		if (w_.cls == SCHED_CLASS_DL)                                                      \
			assert_int_equal((k).deadline, w_.deadline);                               \
		else                                                                               \
			assert_int_equal((k).prio, w_.prio);                                       \
	} while (0)

static void test_pi_owner_inherits_higher_priority_waiter(void **state)
{
	(void)state;
	reset(); /* th[i] has priority i + 1 */
	assert_int_equal(pi_acquire(&mx[0], &th[0]), 0);
	assert_int_equal(pi_block(&th[5], &mx[0]), 0);
	assert_key(th[0].eff, fp(6));
	assert_int_equal(pi_block(&th[3], &mx[0]), 0); /* lower: no change */
	assert_key(th[0].eff, fp(6));
	assert_ptr_equal(pi_donor(&th[0]), &th[5]);
}

static void test_pi_deadline_beats_any_fixed_priority(void **state)
{
	(void)state;
	reset();
	set_base(0, fp(99));
	set_base(1, dl(1000000 * MS)); /* a far deadline still wins */
	pi_acquire(&mx[0], &th[0]);
	pi_block(&th[1], &mx[0]);
	assert_key(th[0].eff, dl(1000000 * MS));
	set_base(2, dl(5 * MS));
	pi_block(&th[2], &mx[0]);
	assert_key(th[0].eff, dl(5 * MS)); /* the earlier deadline wins */
}

static void test_pi_chain_lifts_through_two_owners(void **state)
{
	(void)state;
	reset();
	/* th0 owns m0; th1 owns m1 and waits on m0; th2 waits on m1. */
	pi_acquire(&mx[0], &th[0]);
	pi_acquire(&mx[1], &th[1]);
	assert_int_equal(pi_block(&th[1], &mx[0]), 0);
	set_base(2, dl(7 * MS));
	assert_int_equal(pi_block(&th[2], &mx[1]), 0);
	assert_key(th[1].eff, dl(7 * MS));
	assert_key(th[0].eff, dl(7 * MS));
	assert_ptr_equal(pi_donor(&th[0]), &th[2]);
	/* The deadline moves (a replenishment): the chain follows. */
	set_base(2, dl(17 * MS));
	assert_key(th[0].eff, dl(17 * MS));
	/* th2 times out: both owners drop back. */
	pi_unblock(&th[2]);
	assert_key(th[1].eff, fp(2));
	assert_key(th[0].eff, fp(2)); /* still lent by th1 (prio 2) */
}

static void test_pi_release_drops_the_boost(void **state)
{
	(void)state;
	reset();
	pi_acquire(&mx[0], &th[0]);
	pi_acquire(&mx[1], &th[0]);
	pi_block(&th[7], &mx[0]);
	pi_block(&th[4], &mx[1]);
	assert_key(th[0].eff, fp(8));
	pi_release(&mx[0]); /* keeps m1's waiter */
	assert_key(th[0].eff, fp(5));
	/* Hand-off: th7 gets m0 and inherits nothing from an empty queue. */
	pi_unblock(&th[7]);
	assert_int_equal(pi_acquire(&mx[0], &th[7]), 0);
	assert_key(th[7].eff, fp(8));
	pi_release(&mx[1]);
	assert_key(th[0].eff, fp(1));
}

static void test_pi_cycle_is_detected_and_changes_nothing(void **state)
{
	struct pi_thread before[3];

	(void)state;
	reset();
	/* th0 owns m0, th1 owns m1, th2 owns m2; th1 -> m0, th2 -> m1. */
	for (int i = 0; i < 3; i++)
		pi_acquire(&mx[i], &th[i]);
	pi_block(&th[1], &mx[0]);
	pi_block(&th[2], &mx[1]);
	memcpy(before, th, sizeof(before));
	assert_int_equal(pi_block(&th[0], &mx[2]), -EDEADLK); /* th0 -> m2 -> th2 -> ... -> th0 */
	assert_memory_equal(before, th, sizeof(before));
	assert_null(th[0].blocked_on);
	assert_true(list_empty(&mx[2].waiters));
}

static void test_pi_invalid_requests_change_nothing(void **state)
{
	(void)state;
	reset();
	assert_int_equal(pi_block(&th[0], &mx[0]), -EINVAL); /* m0 has no owner */
	pi_acquire(&mx[0], &th[0]);
	assert_int_equal(pi_block(&th[0], &mx[0]), -EINVAL); /* owns it */
	assert_int_equal(pi_acquire(&mx[0], &th[1]), -EBUSY);
	pi_acquire(&mx[1], &th[2]);
	pi_block(&th[1], &mx[0]);
	assert_int_equal(pi_block(&th[1], &mx[1]), -EINVAL); /* already waits */
	assert_int_equal(pi_acquire(&mx[2], &th[1]), -EINVAL); /* blocked */
	assert_ptr_equal(th[1].blocked_on, &mx[0]);
	assert_key(th[2].eff, fp(3));
	pi_unblock(&th[3]); /* not waiting: no-op */
}

static void test_pi_chain_longer_than_max_depth_is_refused(void **state)
{
	static struct pi_thread t[PI_MAX_DEPTH + 2];
	static struct pi_mutex m[PI_MAX_DEPTH + 2];
	struct pi_key k = fp(1);

	(void)state;
	for (int i = 0; i < PI_MAX_DEPTH + 2; i++) {
		pi_thread_init(&t[i], &k);
		pi_mutex_init(&m[i]);
		pi_acquire(&m[i], &t[i]);
	}
	/* t[i] waits on m[i-1]: a chain from the top down, checked each step. */
	for (int i = 1; i <= PI_MAX_DEPTH; i++)
		assert_int_equal(pi_block(&t[i], &m[i - 1]), 0);
	assert_int_equal(pi_block(&t[PI_MAX_DEPTH + 1], &m[PI_MAX_DEPTH]), -EDEADLK);
	k = fp(90);
	pi_set_base(&t[PI_MAX_DEPTH], &k);
	assert_int_equal(t[0].eff.prio, 90); /* propagation reaches the top */
}

/* Brute force: eff(t) = max(base(t), eff(w) for w waiting on a mutex t owns),
 * recomputed from scratch over all threads. */
static struct pi_key brute_eff(int t, int depth)
{
	struct pi_key k = th[t].base;

	assert_true(depth <= NT);
	for (int w = 0; w < NT; w++) {
		if (th[w].blocked_on && th[w].blocked_on->owner == &th[t]) {
			struct pi_key kw = brute_eff(w, depth + 1);

			if (pi_key_before(&kw, &k))
				k = kw;
		}
	}
	return k;
}

static struct pi_key random_key(uint64_t *seed)
{
	if (rng_range(seed, 0, 2) == 0)
		return dl(rng_range(seed, 1, 50) * MS);
	return fp((int)rng_range(seed, 1, 99));
}

static void test_pi_random_operations_match_brute_force(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 20; s++) {
		uint64_t seed = 0x9e3779b97f4a7c15ull * s;

		reset();
		for (int i = 0; i < NT; i++)
			set_base(i, random_key(&seed));
		for (int op = 0; op < 400; op++) {
			int t = (int)rng_range(&seed, 0, NT - 1), m = (int)rng_range(&seed, 0, NM - 1);

			switch (rng_range(&seed, 0, 4)) {
			case 0:
				if (!th[t].blocked_on)
					pi_acquire(&mx[m], &th[t]);
				break;
			case 1: {
				int err = pi_block(&th[t], &mx[m]);

				assert_true(err == 0 || err == -EINVAL || err == -EDEADLK);
				break;
			}
			case 2:
				pi_unblock(&th[t]);
				break;
			case 3:
				if (mx[m].owner && !mx[m].owner->blocked_on)
					pi_release(&mx[m]);
				break;
			default:
				set_base(t, random_key(&seed));
			}
			for (int i = 0; i < NT; i++) {
				struct pi_key k = brute_eff(i, 0);

				assert_key(th[i].eff, k);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pi_owner_inherits_higher_priority_waiter),
		cmocka_unit_test(test_pi_deadline_beats_any_fixed_priority),
		cmocka_unit_test(test_pi_chain_lifts_through_two_owners),
		cmocka_unit_test(test_pi_release_drops_the_boost),
		cmocka_unit_test(test_pi_cycle_is_detected_and_changes_nothing),
		cmocka_unit_test(test_pi_invalid_requests_change_nothing),
		cmocka_unit_test(test_pi_chain_longer_than_max_depth_is_refused),
		cmocka_unit_test(test_pi_random_operations_match_brute_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
