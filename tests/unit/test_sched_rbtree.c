/*
 * kernel/sched/rbtree.c and timerq.c: ordering, FIFO among equal keys, the
 * cached minimum, and the red-black invariants under 10 000 entities.
 */
#include "sched_test.h"

#include "sched/rbtree.h"
#include "sched/timerq.h"

#define BIG 10000

struct item {
	struct rb_node node;
	int id;
};

static struct item items[BIG];

static int height(const struct rb_node *n)
{
	int l, r;

	if (!n)
		return 0;
	l = height(n->left);
	r = height(n->right);
	return 1 + (l > r ? l : r);
}

/* log2(n + 1) rounded up: the red-black height bound is twice this. */
static int log2_ceil(size_t n)
{
	int b = 0;

	while ((1ull << b) < n + 1)
		b++;
	return b;
}

static void assert_balanced(const struct rb_tree *t)
{
	assert_true(rb_check(t) >= 0);
	assert_true(height(t->root) <= 2 * log2_ceil(t->count));
}

static void init_items(int n)
{
	for (int i = 0; i < n; i++) {
		rb_node_init(&items[i].node);
		items[i].id = i;
	}
}

static int id_of(const struct rb_node *n)
{
	return ((const struct item *)((const char *)n - offsetof(struct item, node)))->id;
}

static void test_rbtree_in_order_walk_is_sorted(void **state)
{
	static const uint64_t keys[] = { 50, 20, 80, 10, 30, 70, 90, 60, 40, 5 };
	struct rb_tree t;
	uint64_t last = 0;
	int n = 0;

	(void)state;
	init_items(10);
	rb_init(&t);
	for (int i = 0; i < 10; i++)
		rb_insert(&t, &items[i].node, keys[i]);
	for (struct rb_node *p = rb_first(&t); p; p = rb_next(p), n++) {
		assert_true(p->key >= last);
		last = p->key;
	}
	assert_int_equal(n, 10);
	assert_int_equal(rb_first(&t)->key, 5);
	assert_balanced(&t);
}

static void test_rbtree_equal_keys_keep_insertion_order(void **state)
{
	struct rb_tree t;
	int expect = 0;

	(void)state;
	init_items(64);
	rb_init(&t);
	/* Interleave other keys so rotations happen around the equal ones. */
	for (int i = 0; i < 64; i++)
		rb_insert(&t, &items[i].node, (i % 2) ? 100 : (uint64_t)(i * 7 % 200));
	for (struct rb_node *p = rb_first(&t); p; p = rb_next(p)) {
		if (p->key != 100)
			continue;
		assert_int_equal(id_of(p), 2 * expect + 1);
		expect++;
	}
	assert_int_equal(expect, 32);
	assert_balanced(&t);
}

static void test_rbtree_min_is_cached_after_removals(void **state)
{
	struct rb_tree t;

	(void)state;
	init_items(100);
	rb_init(&t);
	assert_null(rb_first(&t));
	for (int i = 0; i < 100; i++)
		rb_insert(&t, &items[i].node, (uint64_t)(100 - i) * 10);
	assert_int_equal(id_of(rb_first(&t)), 99); /* key 10 */
	/* Remove the minimum repeatedly: the next one takes over each time. */
	for (int i = 99; i >= 50; i--) {
		assert_int_equal(id_of(rb_first(&t)), i);
		rb_erase(&t, &items[i].node);
		assert_false(rb_linked(&items[i].node));
		assert_balanced(&t);
	}
	/* Removing a non-minimum leaves the cache alone. */
	rb_erase(&t, &items[0].node);
	assert_int_equal(id_of(rb_first(&t)), 49);
	/* Empty again. */
	for (int i = 1; i < 50; i++)
		rb_erase(&t, &items[i].node);
	assert_null(rb_first(&t));
	assert_null(t.root);
	assert_int_equal(t.count, 0);
}

static void test_rbtree_sorted_and_reverse_inserts_stay_balanced(void **state)
{
	struct rb_tree t;

	(void)state;
	init_items(BIG);
	rb_init(&t);
	for (int i = 0; i < BIG / 2; i++)
		rb_insert(&t, &items[i].node, (uint64_t)i);
	for (int i = BIG / 2; i < BIG; i++)
		rb_insert(&t, &items[i].node, (uint64_t)(2 * BIG - i));
	assert_int_equal(t.count, BIG);
	assert_balanced(&t);
	assert_int_equal(id_of(rb_first(&t)), 0);
}

/* Performance sanity, not timing: 10 000 entities through random inserts,
 * removals of arbitrary nodes and min-pops keep every invariant and the
 * height within 2 log2(n + 1). */
static void test_rbtree_10000_random_operations_keep_invariants(void **state)
{
	uint64_t seed = 0x5eed1234abcdull;
	struct rb_tree t;

	(void)state;
	init_items(BIG);
	rb_init(&t);
	for (int i = 0; i < BIG; i++)
		rb_insert(&t, &items[i].node, rng_range(&seed, 0, 5000));
	assert_balanced(&t);
	for (int round = 0; round < 20; round++) {
		for (int k = 0; k < 1000; k++) {
			struct item *it = &items[rng_range(&seed, 0, BIG - 1)];

			if (rb_linked(&it->node))
				rb_erase(&t, &it->node);
			else
				rb_insert(&t, &it->node, rng_range(&seed, 0, 5000));
		}
		for (int k = 0; k < 100 && rb_first(&t); k++) {
			struct rb_node *m = rb_first(&t), *n2 = rb_next(m);

			assert_true(!n2 || n2->key >= m->key);
			rb_erase(&t, m);
		}
		assert_balanced(&t);
	}
	while (rb_first(&t))
		rb_erase(&t, rb_first(&t));
	assert_int_equal(rb_check(&t), 0);
}

/* rb_erase_first is rb_erase of the first node: the same pops in the same
 * order, every invariant kept after each, through random trees with
 * duplicate keys, re-inserts between pops, down to empty. */
static void test_rbtree_erase_first_keeps_invariants(void **state)
{
	uint64_t seed = 0xf1257ull;
	struct rb_tree t;

	(void)state;
	init_items(BIG);
	rb_init(&t);
	for (int i = 0; i < BIG; i++)
		rb_insert(&t, &items[i].node, rng_range(&seed, 0, 3000));
	for (int round = 0; round < 40; round++) {
		for (int k = 0; k < 200 && rb_first(&t); k++) {
			struct rb_node *m = rb_first(&t), *next = rb_next(m);
			uint64_t key = m->key;

			assert_ptr_equal(rb_erase_first(&t), m);
			assert_false(rb_linked(m));
			assert_null(m->left);
			assert_ptr_equal(rb_first(&t), next);
			assert_true(!next || next->key >= key);
			if (k % 16 == 0)
				assert_true(rb_check(&t) >= 0);
			if (k % 7 == 0)	/* back in, after keys already popped */
				rb_insert(&t, m, key + rng_range(&seed, 0, 50));
		}
		assert_balanced(&t);
	}
	while (rb_first(&t))
		assert_non_null(rb_erase_first(&t));
	assert_int_equal(rb_check(&t), 0);
	assert_null(rb_first(&t));
}

static void test_rbtree_check_detects_red_red_violation(void **state)
{
	struct rb_tree t;

	(void)state;
	init_items(3);
	rb_init(&t);
	for (int i = 0; i < 3; i++)
		rb_insert(&t, &items[i].node, (uint64_t)i);
	assert_int_equal(rb_check(&t), 1); /* black root, two red children */
	t.root->red = true;
	assert_int_equal(rb_check(&t), -EINVAL);
	t.root->red = false;
	t.root->left->key = 5; /* order broken */
	assert_int_equal(rb_check(&t), -EINVAL);
}

/* ---- timer queue */

static void test_timerq_pops_expired_in_expiry_order(void **state)
{
	struct timerq q;
	struct timeout t[4];
	static const uint64_t exp[] = { 300, 100, 200, 400 };

	(void)state;
	timerq_init(&q);
	for (int i = 0; i < 4; i++) {
		timeout_init(&t[i]);
		timerq_add(&q, &t[i], exp[i]);
	}
	assert_int_equal(timerq_earliest(&q), 100);
	assert_null(timerq_pop_expired(&q, 99));
	assert_ptr_equal(timerq_pop_expired(&q, 250), &t[1]);
	assert_ptr_equal(timerq_pop_expired(&q, 250), &t[2]);
	assert_null(timerq_pop_expired(&q, 250));
	assert_false(timeout_pending(&t[1]));
	assert_int_equal(timerq_earliest(&q), 300);
	assert_ptr_equal(timerq_pop_expired(&q, 1000), &t[0]);
	assert_ptr_equal(timerq_pop_expired(&q, 1000), &t[3]);
	assert_int_equal(timerq_earliest(&q), TIMERQ_NEVER);
}

static void test_timerq_equal_expiry_pops_in_arming_order(void **state)
{
	struct timerq q;
	struct timeout t[5];

	(void)state;
	timerq_init(&q);
	for (int i = 0; i < 5; i++) {
		timeout_init(&t[i]);
		timerq_add(&q, &t[i], 500);
	}
	for (int i = 0; i < 5; i++)
		assert_ptr_equal(timerq_pop_expired(&q, 500), &t[i]);
}

static void test_timerq_cancel_reports_whether_pending(void **state)
{
	struct timerq q;
	struct timeout a, b;

	(void)state;
	timerq_init(&q);
	timeout_init(&a);
	timeout_init(&b);
	assert_false(timerq_cancel(&q, &a));
	timerq_add(&q, &a, 10);
	timerq_add(&q, &b, 20);
	assert_true(timerq_cancel(&q, &a));
	assert_false(timerq_cancel(&q, &a));
	assert_int_equal(timerq_earliest(&q), 20);
	assert_ptr_equal(timerq_pop_expired(&q, 100), &b);
	assert_null(timerq_pop_expired(&q, 100));
}

static void test_timerq_rearm_moves_pending_timeout(void **state)
{
	struct timerq q;
	struct timeout a, b;

	(void)state;
	timerq_init(&q);
	timeout_init(&a);
	timeout_init(&b);
	timerq_add(&q, &a, 10);
	timerq_add(&q, &b, 20);
	timerq_add(&q, &a, 30); /* re-arm later: b is first now */
	assert_int_equal(q.tree.count, 2);
	assert_int_equal(timerq_earliest(&q), 20);
	assert_int_equal(a.expiry, 30);
	assert_ptr_equal(timerq_pop_expired(&q, 25), &b);
	assert_null(timerq_pop_expired(&q, 25));
	assert_ptr_equal(timerq_pop_expired(&q, 30), &a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rbtree_in_order_walk_is_sorted),
		cmocka_unit_test(test_rbtree_equal_keys_keep_insertion_order),
		cmocka_unit_test(test_rbtree_min_is_cached_after_removals),
		cmocka_unit_test(test_rbtree_sorted_and_reverse_inserts_stay_balanced),
		cmocka_unit_test(test_rbtree_10000_random_operations_keep_invariants),
		cmocka_unit_test(test_rbtree_erase_first_keeps_invariants),
		cmocka_unit_test(test_rbtree_check_detects_red_red_violation),
		cmocka_unit_test(test_timerq_pops_expired_in_expiry_order),
		cmocka_unit_test(test_timerq_equal_expiry_pops_in_arming_order),
		cmocka_unit_test(test_timerq_cancel_reports_whether_pending),
		cmocka_unit_test(test_timerq_rearm_moves_pending_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
