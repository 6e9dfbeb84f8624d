/* The per-thread families of /metrics and the /threads page: both print a thread snapshot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <takt/thread.h>

#include "metrics_internal.h"

/* A JSON string, quotes included. */
static void put_json(struct hbuf *b, const char *s)
{
	hbuf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			hbuf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			hbuf_printf(b, "\\u%04x", c);
		else
			hbuf_put(b, (const char *)&c, 1);
	}
	hbuf_put(b, "\"", 1);
}
struct tsnap {
	unsigned long id;
	char name[TK_NAME_MAX];
	struct tk_sched sched;
	struct tk_thread_stats st;
};

struct tlist {
	struct tsnap *v;
	size_t n, cap;
};

static void count_one(tk_thread_t *t, void *arg)
{
	(void)t;
	++*(size_t *)arg;
}

/* Interrupts are masked here (tk_thread_foreach): copy, nothing more. */
static void snap_one(tk_thread_t *t, void *arg)
{
	struct tlist *l = arg;
	struct tsnap *s;
	const char *name = tk_thread_name(t);
	size_t n = strnlen(name, TK_NAME_MAX - 1);

	if (l->n == l->cap)
		return;		/* started since they were counted: next time */
	s = &l->v[l->n];
	if (tk_thread_stats(t, &s->st) || tk_thread_getsched(t, &s->sched))
		return;
	s->id = s->st.id;
	memcpy(s->name, name, n);
	s->name[n] = 0;
	l->n++;
}

static int snapshot(struct tlist *l)
{
	size_t count = 0;

	tk_thread_foreach(count_one, &count);
	l->n = 0;
	l->cap = count + 8;
	l->v = malloc(l->cap * sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	tk_thread_foreach(snap_one, l);
	return 0;
}

static const char *policy_name(enum tk_policy p)
{
	switch (p) {
	case TK_SCHED_FIFO:
		return "fifo";
	case TK_SCHED_RR:
		return "rr";
	case TK_SCHED_DEADLINE:
		return "deadline";
	default:
		return "other";
	}
}

/* name{thread="...",id="N"  (the caller closes the braces) */
static void thread_labels(struct hbuf *b, enum fam_id f, const struct tsnap *s)
{
	hbuf_printf(b, "%s{thread=\"", metrics_fams[f].name);
	metrics_put_text(b, s->name, true);
	hbuf_printf(b, "\",id=\"%lu\"", s->id);
}

/* The figure of family f for one thread; false when it has none. */
static bool thread_figure(enum fam_id f, const struct tsnap *s, uint64_t *v)
{
	bool dl = s->sched.policy == TK_SCHED_DEADLINE;

	switch (f) {
	case T_SWITCHES: *v = s->st.switches; return true;
	case T_OVERRUNS: *v = s->st.overruns; return true;
	case T_MISSES: *v = s->st.misses; return true;
	case T_STACK: *v = s->st.stack_size; return true;
	case T_DL_RUNTIME: *v = s->sched.runtime; return dl;
	case T_DL_DEADLINE: *v = s->sched.deadline; return dl;
	case T_DL_PERIOD:
		*v = s->sched.period ? s->sched.period : s->sched.deadline;	/* 0 = deadline */
		return dl;
	case T_CPUNUM: *v = s->st.cpu; return true;
	case T_MIGRATIONS: *v = s->st.migrations; return true;
	default: *v = s->st.cpu_ns; return true;
	}
}

static void put_thread_family(struct hbuf *b, enum fam_id f, const struct tlist *l)
{
	bool seconds = f == T_CPU || (f >= T_DL_RUNTIME && f <= T_DL_PERIOD);
	bool head = false;
	uint64_t v;
	char s[24];

	for (size_t i = 0; i < l->n; i++) {
		if (!thread_figure(f, &l->v[i], &v))
			continue;
		if (!head)
			metrics_fam_head(b, f);
		head = true;
		thread_labels(b, f, &l->v[i]);
		if (seconds)
			hbuf_printf(b, "} %s\n", metrics_secs(s, v));
		else
			hbuf_printf(b, "} %lu\n", (unsigned long)v);
	}
}

static void put_thread_info(struct hbuf *b, const struct tlist *l)
{
	metrics_fam_head(b, T_INFO);
	for (size_t i = 0; i < l->n; i++) {
		const struct tk_sched *sc = &l->v[i].sched;
		bool fp = sc->policy == TK_SCHED_FIFO || sc->policy == TK_SCHED_RR;

		thread_labels(b, T_INFO, &l->v[i]);
		if (fp)
			hbuf_printf(b, ",policy=\"%s\",prio=\"%d\"} 1\n", policy_name(sc->policy),
				    sc->prio);
		else
			hbuf_printf(b, ",policy=\"%s\",prio=\"\"} 1\n", policy_name(sc->policy));
	}
}

int put_threads(struct hbuf *b)
{
	static const enum fam_id order[] = { T_CPU, T_SWITCHES, T_OVERRUNS, T_MISSES, T_STACK,
					     T_DL_RUNTIME, T_DL_DEADLINE, T_DL_PERIOD, T_CPUNUM,
					     T_MIGRATIONS };
	struct tlist l;

	if (snapshot(&l))
		return b->err = -ENOMEM;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		put_thread_family(b, order[i], &l);
	put_thread_info(b, &l);
	free(l.v);
	return 0;
}

int threads_page(struct hbuf *b)
{
	struct tlist l;

	if (snapshot(&l))
		return b->err = -ENOMEM;
	hbuf_put(b, "[", 1);
	for (size_t i = 0; i < l.n; i++) {
		const struct tsnap *s = &l.v[i];

		hbuf_printf(b, "%s\n{\"id\":%lu,\"name\":", i ? "," : "", s->id);
		put_json(b, s->name);
		hbuf_printf(b, ",\"policy\":\"%s\",\"prio\":%d,\"runtime_ns\":%lu,\"deadline_ns\":%lu,"
			    "\"period_ns\":%lu,", policy_name(s->sched.policy),
			    s->sched.policy == TK_SCHED_DEADLINE ? 0 : s->sched.prio,
			    (unsigned long)s->sched.runtime, (unsigned long)s->sched.deadline,
			    (unsigned long)s->sched.period);
		hbuf_printf(b, "\"cpu_ns\":%lu,\"switches\":%lu,\"overruns\":%lu,\"misses\":%lu,"
			    "\"stack_size\":%lu}", (unsigned long)s->st.cpu_ns,
			    (unsigned long)s->st.switches, (unsigned long)s->st.overruns,
			    (unsigned long)s->st.misses, (unsigned long)s->st.stack_size);
	}
	hbuf_put(b, "\n]\n", 3);
	free(l.v);
	return b->err;
}
