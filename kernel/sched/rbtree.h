/*
 * Intrusive red-black tree ordered by a 64-bit key, with the minimum cached.
 *
 * One structure serves both scheduler queues: the EDF ready queue (key =
 * absolute deadline) and the timer queue (key = expiry). Insert and erase are
 * O(log n); the minimum is O(1) because the leftmost node is kept up to date
 * on every insert and erase (as Linux's rb_root_cached).
 *
 * Equal keys are FIFO: an insert walks right past every node with an equal
 * key, and rotations preserve in-order sequence, so among equal keys the
 * in-order position is the insertion order. That is the insertion-sequence
 * tie-break without storing a sequence number.
 *
 *                 (20)B            in-order: 10 20 20' 30
 *                /     \           20' was inserted after 20 and
 *            (10)R     (30)B       sits to its right
 *                      /
 *                  (20')R
 *
 * No allocation, no locking: the caller owns the nodes and serializes calls.
 */
#ifndef TAKT_SCHED_RBTREE_H
#define TAKT_SCHED_RBTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rb_node {
	struct rb_node *parent, *left, *right;
	uint64_t key;
	bool red;
	bool linked; /* in a tree; lets owners test membership in O(1) */
};

struct rb_tree {
	struct rb_node *root;
	struct rb_node *leftmost; /* cached minimum, NULL when empty */
	size_t count;
};

void rb_init(struct rb_tree *t);
static inline void rb_node_init(struct rb_node *n)
{
	n->parent = n->left = n->right = NULL;
	n->key = 0;
	n->red = false;
	n->linked = false;
}

/* Insert n (not linked) with key; after every node whose key is <= key. */
void rb_insert(struct rb_tree *t, struct rb_node *n, uint64_t key);
/* Remove n, which must be linked in t. */
void rb_erase(struct rb_tree *t, struct rb_node *n);
/* Remove and return the first node (t not empty): rb_erase(t, rb_first(t))
 * with its one-child-at-most case known (the first has no left child), for
 * the timer interrupt's pop. */
struct rb_node *rb_erase_first(struct rb_tree *t);

static inline struct rb_node *rb_first(const struct rb_tree *t)
{
	return t->leftmost;
}
static inline bool rb_linked(const struct rb_node *n)
{
	return n->linked;
}
/* In-order successor, NULL at the end. O(log n) worst, O(1) amortized. */
struct rb_node *rb_next(const struct rb_node *n);

/* Check every invariant (O(n), for tests and debug builds): BST order,
 * parent links, no red node with a red child, equal black height on every
 * path, black root, leftmost and count correct.
 * @retval the black height (>= 0), or -EINVAL if an invariant is broken */
int rb_check(const struct rb_tree *t);

#endif /* TAKT_SCHED_RBTREE_H */
