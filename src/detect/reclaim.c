/* Reclaim stalls (seed 002, live): tasks that stop to reclaim memory
 * themselves, and slab shrinkers that take long doing it; and kswapd,
 * the background reclaimer, busy for most of a CPU (below). */
#include "detect.h"

#include <math.h>

#define STALL_WARN_WORST_S 0.010
#define STALL_WARN_SHARE 0.01  /* of the window */
#define STALL_CRIT_WORST_S 0.100
#define STALL_CRIT_SHARE 0.10
#define SHRINK_WARN_WORST_S 0.010
#define SHRINK_CRIT_WORST_S 0.100
#define MAX_REPORTED 5

static const char *const ids[] = {"reclaim.direct_reclaim_stall", "reclaim.shrinker_slow", NULL};

struct agg {
	uint32_t key; /* tgid, or index of the shrinker */
	uint64_t detail;
	const char *comm, *name;
	uint64_t count, sum_ns, max_ns, extra1, extra2;
	uint32_t max_tid;
	bool memcg, global;
	unsigned procs; /* stalls: processes of one name added up (key: the one that stalled longest) */
	struct tr_hist merged;
};

static struct agg *agg_find(struct agg **v, size_t *n, size_t *cap, uint32_t key, uint64_t detail)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].key == key && (*v)[i].detail == detail)
			return &(*v)[i];
	ARRAY_GROW(*v, *n, *cap);
	struct agg *a = &(*v)[(*n)++];
	*a = (struct agg){.key = key, .detail = detail};
	return a;
}

static void agg_add(struct agg *a, const struct tr_hist *h)
{
	a->count += h->count;
	a->sum_ns += h->sum_ns;
	a->extra1 += h->extra1;
	a->extra2 += h->extra2;
	if (h->max_ns > a->max_ns) {
		a->max_ns = h->max_ns;
		a->max_tid = h->max_tid;
	}
	for (int i = 0; i < TR_HIST_SLOTS; i++)
		a->merged.slots[i] += h->slots[i];
	a->merged.max_ns = a->max_ns;
}

static int cmp_sum(const void *x, const void *y)
{
	const struct agg *a = x, *b = y;
	return (a->sum_ns < b->sum_ns) - (a->sum_ns > b->sum_ns);
}

static void agg_merge(struct agg *g, const struct agg *p)
{
	g->count += p->count, g->sum_ns += p->sum_ns, g->extra1 += p->extra1, g->extra2 += p->extra2;
	if (p->max_ns >= g->max_ns)
		g->max_ns = p->max_ns, g->max_tid = p->max_tid, g->key = p->key;
	for (int i = 0; i < TR_HIST_SLOTS; i++)
		g->merged.slots[i] += p->merged.slots[i];
	g->merged.max_ns = g->max_ns;
	g->memcg |= p->memcg, g->global |= p->global;
}

static bool stall_alone(const struct agg *g, double dur)
{
	return (double)g->max_ns / 1e9 >= STALL_WARN_WORST_S || (double)g->sum_ns / 1e9 / dur >= STALL_WARN_SHARE;
}

static int cmp_comm(const void *x, const void *y)
{
	return strcmp(((const struct agg *)x)->comm, ((const struct agg *)y)->comm);
}

/* Processes of one name that each stalled too little to count alone (a
 * CGI's or a build's short-lived processes under memory pressure): added
 * up, as one more entry of v, when two or more of them stalled. */
static void stalls_by_name(struct agg **v, size_t *n, size_t *cap, double dur)
{
	size_t m = *n, k = 0;
	for (size_t i = 0; i < m; i++)
		if (!stall_alone(&(*v)[i], dur)) {
			struct agg t = (*v)[k];
			(*v)[k++] = (*v)[i];
			(*v)[i] = t;
		}
	if (k > 1)
		qsort(*v, k, sizeof(**v), cmp_comm);
	for (size_t i = 0, j; i < k; i = j) {
		for (j = i + 1; j < k && !strcmp((*v)[i].comm, (*v)[j].comm); j++)
			;
		if (j - i < 2)
			continue;
		ARRAY_GROW(*v, *n, *cap);
		struct agg *g = &(*v)[(*n)++];
		*g = (struct agg){.comm = (*v)[i].comm, .procs = (unsigned)(j - i)};
		for (size_t x = i; x < j; x++)
			agg_merge(g, &(*v)[x]);
	}
}

static const char *shrinker_what(const char *sym)
{
	if (!strcmp(sym, "super_cache_scan"))
		return "the dentry and inode caches";
	if (!strcmp(sym, "deferred_split_scan"))
		return "deferred splitting of transparent huge pages";
	if (!strcmp(sym, "workingset_scan"))
		return "shadow entries of the page cache";
	if (str_starts_with(sym, "zs_") || strstr(sym, "zswap"))
		return "zswap/zsmalloc";
	return NULL;
}

/* One process's reclaim stalls (or those of processes of one name, added
 * up: g->procs), as a finding. */
static void stall_emit(const struct inputs *in, const struct agg *g, enum severity sev, struct findings *out)
{
	const struct traced *t = in->traced;
	double total = (double)g->sum_ns / 1e9, worst = (double)g->max_ns / 1e9;
	double share = total / t->duration_s;
	char a[32], b[32], c[32], d1[32], d2[32], d3[32], ws[160], who[64];
	const char *why = g->memcg && !g->global ? "its memory cgroup is at its limit"
			  : g->memcg ? "memory is short, globally and in its cgroup" : "free memory is below the watermark";
	struct finding *f = findings_add(out, ids[0], sev);
	/* Its threads' stalls, summed: a share of the window only per thread
	 * (several can stall at once). */
	const struct proc_entry *pe = g->procs ? NULL : sample_proc(&in->cur, (int)g->key);
	int64_t nthreads = pe ? pe->stat.num_threads : 0;
	bool summed = nthreads > 1 || share > 1;
	if (g->procs)
		snprintf(who, sizeof(who), "%s %s processes", fmt_count(g->procs, a, sizeof(a)), g->comm);
	else
		snprintf(who, sizeof(who), "%s (pid %u)", g->comm, g->key);
	finding_title(f, "%s stalled %s in reclaim%s, worst %s", who, fmt_duration(total, d1, sizeof(d1)),
		      summed ? ", threads in all" : "", fmt_duration(worst, d2, sizeof(d2)));
	finding_summary(f, "%s had to reclaim memory %s %s times in %s because %s: %s in "
			   "total (%s), worst %s (thread %u), p99 about %s; %s reclaimed. Its "
			   "allocations wait meanwhile, so its requests stall.%s",
			who, g->procs ? "themselves" : "itself", fmt_count((double)g->count, a, sizeof(a)),
			fmt_duration(t->duration_s, c, sizeof(c)),
			why, fmt_duration(total, d1, sizeof(d1)), fmt_window_share(total, t->duration_s, nthreads, ws, sizeof(ws)),
			fmt_duration(worst, d2, sizeof(d2)), g->max_tid,
			fmt_duration(tr_hist_quantile(&g->merged, 0.99), d3, sizeof(d3)),
			fmt_bytes((double)g->extra1 * 4096, b, sizeof(b)),
			g->procs ? " Each stalled too little to count alone (a CGI's or a build's short-lived "
				   "processes): together they lost that much." : "");
	finding_num(f, "stalls", (double)g->count, U_COUNT, "vmscan direct/memcg reclaim begin-end (BPF)");
	finding_num(f, "total_stall", total, U_SECONDS, "vmscan reclaim tracepoints (BPF)");
	finding_num(f, "worst_stall", worst, U_SECONDS, "vmscan reclaim tracepoints (BPF)");
	finding_num(f, "p99_stall", tr_hist_quantile(&g->merged, 0.99), U_SECONDS, "log2 histogram (BPF)");
	finding_num(f, "stall_share_of_window", share, U_RATIO,
		    summed ? "total_stall / window, threads in all" : "total_stall / window");
	if (nthreads > 1) {
		finding_num(f, "threads", (double)nthreads, U_COUNT, "proc/PID/stat num_threads");
		finding_num(f, "stall_share_per_thread", share / (double)nthreads, U_RATIO, "total_stall / window / threads");
	}
	finding_num(f, "pages_reclaimed", (double)g->extra1, U_COUNT, "nr_reclaimed (BPF)");
	finding_str(f, "reclaim_kind", g->memcg && g->global ? "global and memcg" : g->memcg ? "memcg" : "global",
		    "which tracepoint pair");
	if (g->procs)
		finding_num(f, "processes", g->procs, U_COUNT, "processes of that name (BPF)");
	finding_process(f, (int)g->key, g->comm, g->procs ? "victim, the one that stalled longest" : "victim");
	if (g->memcg)
		finding_remedy(f, "Its memory cgroup is at its limit: raise memory.limit_in_bytes (v1) or "
				  "memory.max (v2) for that cgroup, or make the service use less (page cache "
				  "counts against the limit too).");
	if (g->global) {
		finding_remedy(f, "Give kswapd room to reclaim before tasks must: raise vm.min_free_kbytes "
				  "or vm.watermark_scale_factor (cost: that much memory kept free).");
		finding_remedy(f, "Find what fills memory (page cache, slab, anonymous) in the metrics and "
				  "the other findings; a bloated dentry cache makes each reclaim pass long.");
	}
	finding_remedy(f, "If shrinkers are slow (see reclaim.shrinker_slow), fix the cache they shrink.");
	finding_ref(f, "kstall explain reclaim.direct_reclaim_stall");
}

static void stalls(const struct inputs *in, struct findings *out)
{
	const struct traced *t = in->traced;
	struct agg *v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind != TR_DIRECT_RECLAIM && h->kind != TR_MEMCG_RECLAIM)
			continue;
		struct agg *g = agg_find(&v, &n, &cap, h->tgid, 0);
		g->comm = h->comm;
		g->memcg |= h->kind == TR_MEMCG_RECLAIM;
		g->global |= h->kind == TR_DIRECT_RECLAIM;
		agg_add(g, h);
	}
	stalls_by_name(&v, &n, &cap, t->duration_s);
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_sum);
	for (size_t i = 0, reported = 0; i < n && reported < MAX_REPORTED; i++) {
		const struct agg *g = &v[i];
		double worst = (double)g->max_ns / 1e9, share = (double)g->sum_ns / 1e9 / t->duration_s;
		enum severity sev;
		if (worst >= STALL_CRIT_WORST_S || share >= STALL_CRIT_SHARE)
			sev = SEV_CRITICAL;
		else if (worst >= STALL_WARN_WORST_S || share >= STALL_WARN_SHARE)
			sev = SEV_WARNING;
		else
			continue;
		reported++;
		stall_emit(in, g, sev, out);
	}
	free(v);
}

/* The longest call of the shrinker at detail made by a task that is
 * not kswapd (a task reclaiming directly, waiting for it), 0 if none. */
static double shrinker_worst_direct(const struct traced *t, uint64_t detail)
{
	double worst = 0;
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind == TR_SHRINKER && h->detail == detail && !comm_is_kswapd(h->comm))
			worst = fmax(worst, (double)h->max_ns / 1e9);
	}
	return worst;
}

static void shrinkers(const struct inputs *in, struct findings *out)
{
	const struct traced *t = in->traced;
	struct agg *v = NULL;
	size_t n = 0, cap = 0;
	char a[32], b[32], c[32];

	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (h->kind != TR_SHRINKER)
			continue;
		struct agg *g = agg_find(&v, &n, &cap, 0, h->detail);
		g->name = h->name;
		/* Who paid most: the caller with the longest call. */
		if (h->max_ns >= g->max_ns)
			g->comm = h->comm, g->key = h->tgid;
		agg_add(g, h);
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_sum);
	for (size_t i = 0, reported = 0; i < n && reported < MAX_REPORTED; i++) {
		struct agg *g = &v[i];
		double total = (double)g->sum_ns / 1e9, worst = (double)g->max_ns / 1e9;
		if (worst < SHRINK_WARN_WORST_S)
			continue;
		/* The harm is a task's: kswapd's own slow calls delay no one
		 * (since 2.6.38 no global dcache_lock is held across them); tasks
		 * that must reclaim themselves show as direct reclaim. */
		double direct = shrinker_worst_direct(t, g->detail);
		enum severity sev = direct >= SHRINK_CRIT_WORST_S ? SEV_CRITICAL
				    : direct >= SHRINK_WARN_WORST_S ? SEV_WARNING
								    : SEV_INFO;
		reported++;
		char sym[96];
		snprintf(sym, sizeof(sym), "%s", g->name && *g->name ? g->name : "");
		if (!*sym)
			snprintf(sym, sizeof(sym), "0x%" PRIx64, g->detail);
		const char *what = shrinker_what(sym);
		struct finding *f = findings_add(out, ids[1], sev);
		char d1[32], d2[32], d3[32];
		finding_title(f, "Slab shrinker %s takes up to %s per call", sym, fmt_duration(worst, d2, sizeof(d2)));
		finding_summary(f, "The shrinker %s%s%s%s ran %s times in %s, %s in total, worst %s "
				   "(in %s, pid %u); it scanned %s objects and freed %s. Reclaim, and every task "
				   "waiting on it, waits for it.",
				sym, what ? " (" : "", what ? what : "", what ? ")" : "",
				fmt_count((double)g->count, a, sizeof(a)), fmt_duration(t->duration_s, d3, sizeof(d3)),
				fmt_duration(total, d1, sizeof(d1)), fmt_duration(worst, d2, sizeof(d2)),
				g->comm ? g->comm : "?", g->key, fmt_count((double)g->extra2, b, sizeof(b)),
				fmt_count((double)g->extra1, c, sizeof(c)));
		finding_str(f, "shrinker", sym, "shrinker->scan_objects, resolved with /proc/kallsyms");
		if (what)
			finding_str(f, "shrinks", what, "kstall's table of known shrinkers");
		finding_num(f, "calls", (double)g->count, U_COUNT, "mm_shrink_slab_start/end (BPF)");
		finding_num(f, "total_time", total, U_SECONDS, "mm_shrink_slab_start/end (BPF)");
		finding_num(f, "worst_call", worst, U_SECONDS, "mm_shrink_slab_start/end (BPF)");
		finding_num(f, "objects_scanned", (double)g->extra2, U_COUNT, "total_scan (BPF)");
		finding_num(f, "objects_freed", (double)g->extra1, U_COUNT, "shrinker_retval (BPF)");
		if (g->key)
			finding_process(f, (int)g->key, g->comm ? g->comm : "?", "reclaimer");
		if (what && !strcmp(sym, "super_cache_scan"))
			finding_remedy(f, "The dentry and inode caches are large: see dcache.bloat and "
					  "dcache.negative_dentry_producers for who fills them; raise "
					  "vm.vfs_cache_pressure so they are shrunk in smaller, earlier steps (the cost: "
					  "hot paths are looked up again more often).");
		if (sev == SEV_INFO)
			finding_remedy(f, "Only kswapd paid for the slow calls: no task waited on them. Watch for "
					  "reclaim.direct_reclaim_stall, which is when tasks start to.");
		finding_remedy(f, "A shrinker that is slow per call holds up every reclaim pass: shrink the cache "
				  "it manages before memory runs short.");
		finding_ref(f, "kstall explain reclaim.shrinker_slow");
	}
	free(v);
}

static int run(const struct inputs *in, struct findings *out, struct skips *skips UNUSED)
{
	const struct traced *t = in->traced;
	if (t->duration_s <= 0)
		return DETECT_SKIPPED;
	if (t->groups & (TG_RECLAIM | TG_MEMCG))
		stalls(in, out);
	if (t->groups & TG_SHRINKER)
		shrinkers(in, out);
	return DETECT_RAN;
}

const struct detector detector_reclaim = {
	.name = "reclaim",
	.ids = ids,
	.needs = NEED_BPF,
	.run = run,
	/* Stalls are seen in direct reclaim, in memcg reclaim, or both. */
	.traces = (const struct detector_trace[]){{"reclaim.direct_reclaim_stall", .groups_any = TG_RECLAIM | TG_MEMCG},
						  {"reclaim.shrinker_slow", .groups_all = TG_SHRINKER},
						  {0}},
};

/* kswapd, the background reclaimer, busy for most of a CPU: memory is
 * short for long stretches, or what it reclaims is slow to reclaim (a
 * huge dentry cache in seed 002). From /proc alone; tracing adds how long
 * it stayed awake. */

#define KSWAPD_WARN 0.30
#define KSWAPD_CRIT 0.80

static const char *const kswapd_ids[] = {"reclaim.kswapd_busy", NULL};

/* Reclaim rates between the samples (not given since boot). */
static void add_vmstat_rates(const struct inputs *in, struct finding *f)
{
	static const char *const keys[] = {"pgscan_kswapd", "pgsteal_kswapd", "slabs_scanned", "allocstall_normal",
					   "allocstall"};
	const struct view *v = &in->view;

	if (in->mode != WINDOW_INTERVAL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s_rate", keys[i]);
		if (!v->has_vmstat) {
			/* the three main ones (4.8+ names) */
			if (i < 3)
				finding_unknown(f, name, U_PER_S, "proc/vmstat, two samples", "%s", v->vmstat_why);
			continue;
		}
		const struct view_counter *c = view_vmstat(v, keys[i]);
		if (!c)
			continue; /* a counter this kernel does not have */
		if (c->rate >= 0)
			finding_num(f, name, c->rate, U_PER_S, "proc/vmstat, two samples");
		else
			finding_unknown(f, name, U_PER_S, "proc/vmstat, two samples",
					"%s went backwards between the samples", keys[i]);
	}
}

/* How long kswapd stayed awake, traced. */
static void add_awake(const struct inputs *in, struct finding *f)
{
	const struct traced *t = in->traced;
	if (!t || !(t->groups & TG_KSWAPD))
		return;
	uint64_t awake = 0;
	for (size_t i = 0; i < t->nhists; i++)
		if (t->hists[i].kind == TR_KSWAPD)
			awake += t->hists[i].sum_ns;
	finding_num(f, "kswapd_awake", (double)awake / 1e9, U_SECONDS, "mm_vmscan_kswapd_wake/sleep (BPF)");
}

/* The busiest kswapd thread (its share in *ret_share, -1 when none is
 * known), and how many there are. */
static const struct proc_entry *busiest(const struct inputs *in, double *ret_share, unsigned *ret_n)
{
	const struct proc_entry *wp = NULL;
	double worst = -1;
	unsigned nk = 0;
	for (size_t i = 0; i < in->cur.nprocs; i++) {
		const struct proc_entry *p = &in->cur.procs[i];
		if (!comm_is_kswapd(p->stat.comm))
			continue;
		nk++;
		double s = view_cpu_share(&in->view, p->stat.pid);
		if (s > worst)
			worst = s, wp = p;
	}
	*ret_share = worst;
	*ret_n = nk;
	return wp;
}

static void emit(const struct inputs *in, const struct proc_entry *wp, double worst, struct findings *out)
{
	char a[32];
	struct finding *f = findings_add(out, kswapd_ids[0], worst >= KSWAPD_CRIT ? SEV_CRITICAL : SEV_WARNING);
	finding_title(f, "kswapd is busy reclaiming: %s of a CPU", fmt_pct(worst, a, sizeof(a)));
	finding_summary(f, "%s spent %s of a CPU %s reclaiming memory. Memory is short for long stretches, or what "
			   "it must reclaim (slab such as dentries, dirty or mapped pages) is slow to reclaim; tasks "
			   "that cannot wait for it reclaim directly and stall.",
			wp->stat.comm, fmt_pct(worst, a, sizeof(a)),
			in->mode == WINDOW_INTERVAL ? "over the window" : "on average since it started");
	for (size_t i = 0; i < in->cur.nprocs; i++) {
		const struct proc_entry *p = &in->cur.procs[i];
		double s;
		if (!comm_is_kswapd(p->stat.comm) || (s = view_cpu_share(&in->view, p->stat.pid)) < 0)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%s_cpu_share", p->stat.comm);
		finding_num(f, name, s, U_RATIO, "proc/PID/stat (utime+stime)");
		if (s >= KSWAPD_WARN)
			finding_process(f, p->stat.pid, p->stat.comm, "reclaimer");
	}
	add_vmstat_rates(in, f);
	add_awake(in, f);
	finding_remedy(f, "See what memory is made of (metrics memory.*, and dcache.bloat): a huge slab cache "
			  "makes every reclaim pass long.");
	finding_remedy(f, "Raise vm.watermark_scale_factor (or vm.min_free_kbytes) so kswapd starts earlier "
			  "and works in smaller steps (the cost: that much more memory is kept free); add memory "
			  "or lower the workload's footprint.");
	finding_ref(f, "kstall explain reclaim.kswapd_busy");
}

static int kswapd_run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	double worst;
	unsigned nk;
	char why[256];

	if (in->cur.s_procs.state != SRC_OK) {
		src_reason(&in->cur.s_procs, "proc", why, sizeof(why));
		skips_add(skips, kswapd_ids[0], "%s", why);
		return DETECT_SKIPPED;
	}
	const struct proc_entry *wp = busiest(in, &worst, &nk);
	if (!nk) {
		skips_add(skips, kswapd_ids[0], "no kswapd thread in the process table (captured tree without kernel threads?)");
		return DETECT_SKIPPED;
	}
	/* The finding is kswapd's CPU share: essential. */
	if (worst < 0) {
		if (in->mode == WINDOW_INTERVAL)
			snprintf(why, sizeof(why), "no kswapd thread is in both samples");
		else if (window_seconds(in, why, sizeof(why)) > 0)
			snprintf(why, sizeof(why), "kswapd started under a second before the sample");
		skips_add(skips, kswapd_ids[0], "kswapd's CPU time cannot be computed: %s", why);
		return DETECT_SKIPPED;
	}
	if (worst >= KSWAPD_WARN)
		emit(in, wp, worst, out);
	return DETECT_RAN;
}

const struct detector detector_kswapd = {
	.name = "kswapd",
	.ids = kswapd_ids,
	.needs = NEED_NONE,
	.run = kswapd_run,
};
