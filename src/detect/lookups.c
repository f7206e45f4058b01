/* Who creates the negative dentries (seed 002, live): processes whose path
 * lookups fail with ENOENT, at what rate, and on which path patterns. */
#include "detect.h"

#define PRODUCER_MIN_PER_S 1000.0     /* below: ordinary misses (PATH search, probes) */
#define PRODUCER_CRIT_PER_S 10000.0
#define CACHE_GROWING_PER_S 5000.0
#define MAX_PRODUCERS 5
#define MAX_PATTERNS 3

static const char *const ids[] = {"dcache.negative_dentry_producers", NULL};

static int run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	const struct traced *t = in->traced;
	double growth = 0, neg_growth = 0;
	char a[32], b[32];

	if (!(t->groups & TG_LOOKUPS))
		return DETECT_SKIPPED; /* the tracer said why */
	if (t->duration_s <= 0) {
		skips_add(skips, ids[0], "tracing window too short");
		return DETECT_SKIPPED;
	}
	bool has_growth = dentry_growth(in, &growth, &neg_growth);
	char growth_why[256] = "";
	if (!has_growth && in->mode != WINDOW_INTERVAL)
		snprintf(growth_why, sizeof(growth_why), "one sample: growth needs two");
	else if (!has_growth && window_src_ok(in, offsetof(struct sample, s_dentry), growth_why, sizeof(growth_why)))
		snprintf(growth_why, sizeof(growth_why), "the window between the samples is empty");
	const struct tr_lookup **v = xcalloc(t->nlookups + 1, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < t->nlookups; i++)
		if ((double)t->lookups[i].failed / t->duration_s >= PRODUCER_MIN_PER_S)
			v[n++] = &t->lookups[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), tr_lookup_cmp_failed);
	for (size_t i = 0; i < n && i < MAX_PRODUCERS; i++) {
		const struct tr_lookup *l = v[i];
		double rate = (double)l->failed / t->duration_s;
		/* The process's name now, if it still runs (it may have exec'd). */
		const struct proc_entry *pe = sample_proc(&in->cur, (int)l->tgid);
		const char *comm = pe ? pe->stat.comm : l->comm;
		bool growing = has_growth && growth >= CACHE_GROWING_PER_S;
		enum severity sev = rate >= PRODUCER_CRIT_PER_S && growing ? SEV_CRITICAL : SEV_WARNING;
		struct finding *f = findings_add(out, ids[0], sev);

		finding_title(f, "%s (pid %u) fails %s path lookups/s, each leaving a negative dentry", comm,
			      l->tgid, fmt_count(rate, a, sizeof(a)));
		struct buf s = {0};
		buf_printf(&s, "%s (pid %u) looked up %s paths that do not exist in %.1f s (%s/s, %.0f%% of its "
			       "path lookups).", comm, l->tgid, fmt_count((double)l->failed, a, sizeof(a)),
			   t->duration_s, fmt_count(rate, b, sizeof(b)),
			   l->calls ? 100.0 * (double)l->failed / (double)l->calls : 0);
		if (l->patterns.n && l->patterns.total)
			buf_printf(&s, " Mostly %s (%.0f%% of sampled paths).", l->patterns.v[0].pattern,
				   100.0 * (double)l->patterns.v[0].n / (double)l->patterns.total);
		if (growing)
			buf_printf(&s, " The dentry cache grows by %s/s meanwhile.", fmt_count(growth, a, sizeof(a)));
		else if (!has_growth && rate >= PRODUCER_CRIT_PER_S)
			buf_printf(&s, " Whether the dentry cache grows meanwhile is unknown (%s): critical needs it, so "
				       "this is at most a warning.", growth_why);
		finding_summary(f, "%s", s.data);
		buf_free(&s);

		finding_num(f, "failed_lookups", (double)l->failed, U_COUNT, "syscalls returning ENOENT (BPF)");
		finding_num(f, "failed_lookups_rate", rate, U_PER_S, "syscalls returning ENOENT (BPF)");
		finding_num(f, "path_lookups", (double)l->calls, U_COUNT, "path syscalls (BPF)");
		for (size_t j = 0; j < l->patterns.n && j < MAX_PATTERNS; j++) {
			const struct pattern_count *pc = &l->patterns.v[j];
			char name[32], val[600];
			double share = (double)pc->n / (double)l->patterns.total;
			snprintf(name, sizeof(name), "pattern_%zu", j + 1);
			/* A pattern seen only once or twice in the samples says
			 * nothing about its share: do not extrapolate it. */
			if (pc->n >= 3)
				snprintf(val, sizeof(val), "%s (%.0f%% of %" PRIu64 " sampled paths, ~%s failures; e.g. %s)",
					 pc->pattern, share * 100, l->patterns.total,
					 fmt_count(share * (double)l->failed, a, sizeof(a)), pc->example);
			else
				snprintf(val, sizeof(val), "%s (%" PRIu64 " of %" PRIu64 " sampled paths)", pc->pattern,
					 pc->n, l->patterns.total);
			finding_str(f, name, val, "sampled failed paths (BPF)");
		}
		if (has_growth) {
			finding_num(f, "nr_dentry_growth", growth, U_PER_S, "dentry-state, two samples");
			if (in->cur.dentry.nr_negative || in->prev->dentry.nr_negative)
				finding_num(f, "nr_negative_growth", neg_growth, U_PER_S, "dentry-state, two samples");
		} else {
			finding_unknown(f, "nr_dentry_growth", U_PER_S, "dentry-state, two samples", "%s", growth_why);
		}
		finding_process(f, (int)l->tgid, comm, "producer");
		finding_remedy(f, "Stop the loop in %s: cache the negative result, or stop probing for files that "
				  "never exist. For old NSS (nss-softokn) under curl and other TLS clients, set "
				  "NSS_SDB_USE_CACHE=yes in its environment or update nss.", comm);
		finding_remedy(f, "If the names are unique per call (temporary names, counters), they will "
				  "never hit the cache: each adds a dentry until memory pressure shrinks them. "
				  "Deleting the directory they were looked up in prunes them at once.");
		finding_remedy(f, "Meanwhile vm.vfs_cache_pressure above 100 makes reclaim take dentries sooner.");
		finding_ref(f, "kstall explain dcache.negative_dentry_producers");
	}
	free(v);
	return DETECT_RAN;
}

const struct detector detector_lookups = {
	.name = "lookups",
	.ids = ids,
	.needs = NEED_BPF,
	.run = run,
	.traces = (const struct detector_trace[]){{"dcache.negative_dentry_producers", .groups_all = TG_LOOKUPS}, {0}},
};
