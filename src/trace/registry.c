#include "mechanism.h"

/* The order their hooks run in (configure, seed, attach, read), so the
 * order of the notes each adds, and of the skips made of them: keep it. */
const struct tr_mechanism *const tr_mechanisms[] = {
	&tr_reclaim,
	&tr_dcache,
	&tr_mmap_lock,
	&tr_writeback,
	&tr_vma,
	&tr_irq,
};
const size_t ntr_mechanisms = ARRAY_SIZE(tr_mechanisms);

const struct tr_group *tr_group_of(unsigned group)
{
	for (size_t i = 0; i < ntr_mechanisms; i++)
		for (const struct tr_group *g = tr_mechanisms[i]->groups; g->group; g++)
			if (g->group == group)
				return g;
	return NULL;
}

const struct tr_group *tracer_fallback_running(unsigned groups, unsigned group)
{
	for (size_t i = 0; i < ntr_mechanisms; i++)
		for (const struct tr_group *g = tr_mechanisms[i]->groups; g->group; g++)
			if ((g->fallback_for & group) && (groups & g->group))
				return g;
	return NULL;
}
