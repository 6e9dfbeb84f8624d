/* Wait queues: a list kept in scheduling order (best key first), so waking
 * the most urgent waiter is taking the head. Waiter counts are small; an
 * insertion walks past the waiters that go first. */
#include "../thread_impl.h"

void waitq_init(struct waitq *q)
{
	list_init(&q->head);
}

void waitq_insert(struct waitq *q, struct tk_thread *t)
{
	struct list_node *pos;

	list_for_each(pos, &q->head) {
		struct tk_thread *w = container_of(pos, struct tk_thread, wait_node);

		if (sched_entity_before(&t->se, &w->se))
			break;
	}
	list_insert_between(&t->wait_node, pos->prev, pos);
	t->waitq = q;
}

struct tk_thread *waitq_first(struct waitq *q)
{
	return list_empty(&q->head) ? 0 : container_of(q->head.next, struct tk_thread, wait_node);
}

struct tk_thread *waitq_wake_one(struct waitq *q, int result)
{
	struct tk_thread *t = waitq_first(q);

	if (t)
		sched_wake(t, result);
	return t;
}

void waitq_wake_all(struct waitq *q, int result)
{
	while (waitq_wake_one(q, result))
		;
}
