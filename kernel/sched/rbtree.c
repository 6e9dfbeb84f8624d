/*
 * Red-black tree, the classic algorithm (Cormen et al., ch. 13) with NULL
 * leaves and parent pointers. The invariants, checked by rb_check():
 *   1. the root is black;
 *   2. a red node has no red child;
 *   3. every path from a node down to a NULL leaf has the same number of
 *      black nodes (the black height);
 * so the height is at most 2 log2(n + 1) and every operation is O(log n).
 */
#include <errno.h>

#include "rbtree.h"

void rb_init(struct rb_tree *t)
{
	t->root = NULL;
	t->leftmost = NULL;
	t->count = 0;
}

static bool is_red(const struct rb_node *n)
{
	return n && n->red;
}

/* Make `new` take `old`'s place under parent (or as root). */
static void replace_child(struct rb_tree *t, struct rb_node *parent, struct rb_node *old,
			  struct rb_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*      x                y
 *     / \              / \
 *    a   y     ->     x   c
 *       / \          / \
 *      b   c        a   b
 */
static void rotate_left(struct rb_tree *t, struct rb_node *x)
{
	struct rb_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
}

/* The mirror image of rotate_left. */
static void rotate_right(struct rb_tree *t, struct rb_node *x)
{
	struct rb_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
}

/* Restore invariant 2 after inserting the red node n. */
static void insert_fixup(struct rb_tree *t, struct rb_node *n)
{
	struct rb_node *p, *g, *u;

	while ((p = n->parent) && p->red) {
		g = p->parent; /* exists: a red node is never the root */
		u = (p == g->left) ? g->right : g->left;
		if (is_red(u)) { /* recolour and continue two levels up */
			p->red = u->red = false;
			g->red = true;
			n = g;
			continue;
		}
		if (p == g->left) {
			if (n == p->right) { /* zig-zag: straighten first */
				rotate_left(t, p);
				p = n;
			}
			rotate_right(t, g);
		} else {
			if (n == p->left) {
				rotate_right(t, p);
				p = n;
			}
			rotate_left(t, g);
		}
		p->red = false;
		g->red = true;
		break;
	}
	t->root->red = false;
}

void rb_insert(struct rb_tree *t, struct rb_node *n, uint64_t key)
{
	struct rb_node **link = &t->root, *parent = NULL;
	bool leftmost = true;

	/* Equal keys go right: FIFO among equal keys (see rbtree.h). */
	while (*link) {
		parent = *link;
		if (key < parent->key) {
			link = &parent->left;
		} else {
			link = &parent->right;
			leftmost = false;
		}
	}
	n->key = key;
	n->parent = parent;
	n->left = n->right = NULL;
	n->red = true;
	n->linked = true;
	*link = n;
	if (leftmost)
		t->leftmost = n;
	t->count++;
	insert_fixup(t, n);
}

static struct rb_node *subtree_min(struct rb_node *n)
{
	while (n->left)
		n = n->left;
	return n;
}

struct rb_node *rb_next(const struct rb_node *n)
{
	const struct rb_node *p;

	if (n->right)
		return subtree_min(n->right);
	while ((p = n->parent) && n == p->right)
		n = p;
	return (struct rb_node *)p;
}

/* Put v (maybe NULL) where u is. */
static void transplant(struct rb_tree *t, struct rb_node *u, struct rb_node *v)
{
	replace_child(t, u->parent, u, v);
	if (v)
		v->parent = u->parent;
}

/* One step of the delete fixup when the doubly black x is the left child of
 * *xp (CLRS cases 1-4); returns the new x (updating *xp), or the root when
 * the extra black has been absorbed. */
static struct rb_node *erase_fix_left(struct rb_tree *t, struct rb_node **xp)
{
	struct rb_node *p = *xp, *w = p->right; /* w exists: x's side is short */

	if (w->red) { /* case 1: make the sibling black */
		w->red = false;
		p->red = true;
		rotate_left(t, p);
		w = p->right;
	}
	if (!is_red(w->left) && !is_red(w->right)) { /* case 2: push up */
		w->red = true;
		*xp = p->parent;
		return p;
	}
	if (!is_red(w->right)) { /* case 3: make the far nephew red */
		w->left->red = false;
		w->red = true;
		rotate_right(t, w);
		w = p->right;
	}
	w->red = p->red; /* case 4: rotate the extra black into x's side */
	p->red = false;
	w->right->red = false;
	rotate_left(t, p);
	*xp = NULL;
	return t->root;
}

/* The mirror image of erase_fix_left. */
static struct rb_node *erase_fix_right(struct rb_tree *t, struct rb_node **xp)
{
	struct rb_node *p = *xp, *w = p->left;

	if (w->red) {
		w->red = false;
		p->red = true;
		rotate_right(t, p);
		w = p->left;
	}
	if (!is_red(w->left) && !is_red(w->right)) {
		w->red = true;
		*xp = p->parent;
		return p;
	}
	if (!is_red(w->left)) {
		w->right->red = false;
		w->red = true;
		rotate_left(t, w);
		w = p->left;
	}
	w->red = p->red;
	p->red = false;
	w->left->red = false;
	rotate_right(t, p);
	*xp = NULL;
	return t->root;
}

/* x (maybe NULL, child of xp) carries an extra black: push it up or absorb
 * it by rotation until invariant 3 holds again. */
static void erase_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *xp)
{
	while (x != t->root && !is_red(x)) {
		if (x == xp->left)
			x = erase_fix_left(t, &xp);
		else
			x = erase_fix_right(t, &xp);
	}
	if (x)
		x->red = false;
}

struct rb_node *rb_erase_first(struct rb_tree *t)
{
	struct rb_node *z = t->leftmost, *x = z->right, *xp = z->parent;

	/* the successor: the least of z's right subtree, else its parent (z
	 * is a left child, or the root) */
	t->leftmost = x ? subtree_min(x) : xp;
	transplant(t, z, x);
	if (!z->red && t->root)	/* the last node gone: nothing to balance */
		erase_fixup(t, x, xp);
	t->count--;
	z->parent = z->right = NULL;
	z->linked = false;
	return z;
}

void rb_erase(struct rb_tree *t, struct rb_node *z)
{
	struct rb_node *x, *xp, *y;
	bool removed_black;

	if (t->leftmost == z) {	/* no left child: the first's splice */
		rb_erase_first(t);
		return;
	}
	if (!z->left || !z->right) { /* at most one child: splice z out */
		x = z->left ? z->left : z->right;
		xp = z->parent;
		removed_black = !z->red;
		transplant(t, z, x);
	} else { /* two children: y = successor takes z's place and colour */
		y = subtree_min(z->right);
		removed_black = !y->red;
		x = y->right;
		if (y->parent == z) {
			xp = y;
		} else {
			xp = y->parent;
			transplant(t, y, x);
			y->right = z->right;
			y->right->parent = y;
		}
		transplant(t, z, y);
		y->left = z->left;
		y->left->parent = y;
		y->red = z->red;
	}
	if (removed_black)
		erase_fixup(t, x, xp);
	t->count--;
	z->parent = z->left = z->right = NULL;
	z->linked = false;
}

/* Black height of the subtree at n, or -1; counts nodes into *count and
 * checks keys within [lo, hi]. Recursion depth is the tree height. */
static int check_subtree(const struct rb_node *n, const struct rb_node *parent, uint64_t lo,
			 uint64_t hi, size_t *count)
{
	int hl, hr;

	if (!n)
		return 0;
	(*count)++;
	if (n->parent != parent || !n->linked || n->key < lo || n->key > hi)
		return -1;
	if (n->red && (is_red(n->left) || is_red(n->right)))
		return -1;
	hl = check_subtree(n->left, n, lo, n->key, count);
	hr = check_subtree(n->right, n, n->key, hi, count);
	if (hl < 0 || hr < 0 || hl != hr)
		return -1;
	return hl + (n->red ? 0 : 1);
}

int rb_check(const struct rb_tree *t)
{
	size_t count = 0;
	int h;

	if (is_red(t->root))
		return -EINVAL;
	h = check_subtree(t->root, NULL, 0, UINT64_MAX, &count);
	if (h < 0 || count != t->count)
		return -EINVAL;
	if (t->leftmost != (t->root ? subtree_min(t->root) : NULL))
		return -EINVAL;
	return h;
}
