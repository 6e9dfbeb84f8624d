/* Timer queue on the cached-minimum red-black tree (see timerq.h). */
#include "timerq.h"
#include "list.h"

void timerq_init(struct timerq *q)
{
	rb_init(&q->tree);
}

void timeout_init(struct timeout *t)
{
	rb_node_init(&t->node);
	t->expiry = TIMERQ_NEVER;
}

void timerq_add(struct timerq *q, struct timeout *t, uint64_t expiry)
{
	if (timeout_pending(t))
		rb_erase(&q->tree, &t->node);
	t->expiry = expiry;
	rb_insert(&q->tree, &t->node, expiry);
}

