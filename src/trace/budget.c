/* kstall's own cost, held to --budget: while the kernel's run-time
 * statistics are on (one second in ten, trace.c), what each program ran
 * is measured; over the budget, groups are shed, the most expensive
 * first, until the rest fits. A shed group's programs are detached (one
 * that another running group still needs stays), the group stops like a
 * group the kernel lacks, and its reason says when, what it cost and
 * what the budget was: its findings are then skipped as not measured,
 * never reported as not seen. The programs that serve no group (the pid
 * filter's) are never shed. */
#include "mechanism.h"

#include <bpf/bpf.h>

static uint64_t prog_run_ns(const struct bpf_program *p)
{
	struct bpf_prog_info info = {0};
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(p);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.run_time_ns;
}

static bool lists(const char *const *names, const char *name)
{
	for (const char *const *n = names; n && *n; n++)
		if (!strcmp(*n, name))
			return true;
	return false;
}

/* The first group in groups that serves program name, or NULL. */
static const struct tr_group *group_of(unsigned groups, const char *name)
{
	FOR_EACH_GROUP(i, g)
		if ((groups & g->group) &&
		    (lists(g->progs, name) || lists(g->syscall_progs, name) || lists(g->raw_progs, name)))
			return g;
	return NULL;
}

/* What program i ran over the last period, as a share of one CPU. */
static double share_of(const struct tracer *t, size_t i, double on_s)
{
	return i < t->nbudget ? (double)t->budget_ns[i] / 1e9 / on_s : 0;
}

void tracer_budget_begin(struct tracer *t)
{
	if (t->budget <= 0)
		return;
	size_t i = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, t->skel->obj) {
		if (i >= t->nbudget) {
			ARRAY_GROW(t->budget_ns, t->nbudget, t->capbudget);
			t->nbudget++;
		}
		t->budget_ns[i++] = prog_run_ns(p);
	}
}

/* Detach program p wherever it is attached: the skeleton's link, and the
 * per-syscall events' links kept for it. */
static void detach(struct tracer *t, const struct bpf_program *p)
{
	const struct bpf_object_skeleton *s = t->skel->skeleton;
	for (int i = 0; i < s->prog_cnt; i++) {
		const struct bpf_prog_skeleton *ps =
			(const void *)((const char *)s->progs + (size_t)i * (size_t)s->prog_skel_sz);
		if (*ps->prog == p && *ps->link) {
			bpf_link__destroy(*ps->link);
			*ps->link = NULL;
		}
	}
	for (size_t i = 0; i < t->nlinks; i++)
		if (t->link_progs[i] == p && t->links[i]) {
			bpf_link__destroy(t->links[i]);
			t->links[i] = NULL;
		}
}

/* Shed group g, which ran share of a CPU: it and the groups that need it
 * stop; the programs no running group serves any more are detached.
 * Returns the share those programs ran. */
static double shed(struct tracer *t, const struct tr_group *g, double share, double total, double on_s)
{
	double at = now_monotonic() - t->t0, freed = 0;
	tracer_drop(t, g->group,
		    "shed after %.0f s by --budget %.2g%%: its programs ran %.2f%% of a CPU, kstall's in all %.2f%%; "
		    "not measured from then",
		    at, t->budget * 100, share * 100, total * 100);
	size_t i = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, t->skel->obj) {
		const char *name = bpf_program__name(p);
		if (group_of(TG_ALL, name) && !group_of(t->groups, name)) {
			detach(t, p);
			freed += share_of(t, i, on_s);
			if (i < t->nbudget)
				t->budget_ns[i] = 0;
		}
		i++;
	}
	return freed;
}

/* The statistics were on for on_s seconds since tracer_budget_begin:
 * shed what the budget cannot hold. budget_ns then holds each program's
 * run time over those seconds. */
void tracer_budget_end(struct tracer *t, double on_s)
{
	if (t->budget <= 0 || on_s <= 0 || !t->nbudget)
		return;
	double total = 0;
	size_t i = 0;
	struct bpf_program *p;
	bpf_object__for_each_program(p, t->skel->obj) {
		if (i >= t->nbudget)
			break;
		uint64_t now = prog_run_ns(p);
		t->budget_ns[i] = now > t->budget_ns[i] ? now - t->budget_ns[i] : 0;
		total += share_of(t, i++, on_s);
	}
	for (double left = total; left > t->budget;) {
		/* the most expensive running group, each program counted once */
		double cost[32] = {0}, best = 0;
		const struct tr_group *worst = NULL;
		i = 0;
		bpf_object__for_each_program(p, t->skel->obj) {
			const struct tr_group *g = group_of(t->groups, bpf_program__name(p));
			if (g)
				cost[__builtin_ctz(g->group)] += share_of(t, i, on_s);
			i++;
		}
		FOR_EACH_GROUP(m, g)
			if ((t->groups & g->group) && cost[__builtin_ctz(g->group)] > best)
				best = cost[__builtin_ctz(g->group)], worst = g;
		if (!worst)
			break; /* what is left serves no group */
		double freed = shed(t, worst, best, total, on_s);
		left -= freed > 0 ? freed : best;
	}
}
