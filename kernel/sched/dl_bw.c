/* Admission control (see dl_bw.h; sched-deadline.rst 4.1, Linux dl_overflow). */
#include <errno.h>

#include "dl_bw.h"

void dl_bw_init(struct dl_bw *b)
{
	b->total_bw = 0;
	b->bound_bw = DL_BW_DEFAULT_BOUND;
}

int dl_bw_set_bound(struct dl_bw *b, uint64_t bound_bw)
{
	if (bound_bw > BW_UNIT)
		return -EINVAL;
	if (bound_bw < b->total_bw) /* Linux sched_rt_global_validate: -EBUSY */
		return -EBUSY;
	b->bound_bw = bound_bw;
	return 0;
}

static uint64_t bw_of(const struct dl_params *p)
{
	return dl_to_ratio(p->period ? p->period : p->deadline, p->runtime);
}

/* Linux __dl_overflow: bound < total - old + new is an overflow. */
static int replace(struct dl_bw *b, uint64_t old_bw, const struct dl_params *p)
{
	uint64_t new_bw;
	int err = dl_check_params(p);

	if (err)
		return err;
	new_bw = bw_of(p);
	if (b->total_bw - old_bw + new_bw > b->bound_bw)
		return -EBUSY;
	b->total_bw = b->total_bw - old_bw + new_bw;
	return 0;
}

int dl_bw_admit(struct dl_bw *b, const struct dl_params *p)
{
	return replace(b, 0, p);
}

int dl_bw_change(struct dl_bw *b, const struct dl_params *old, const struct dl_params *p)
{
	return replace(b, bw_of(old), p);
}

void dl_bw_release(struct dl_bw *b, const struct dl_params *p)
{
	b->total_bw -= bw_of(p);
}
