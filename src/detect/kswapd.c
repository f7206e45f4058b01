/* kswapd, the background reclaimer, busy for most of a CPU: memory is
 * short for long stretches, or what it reclaims is slow to reclaim (a
 * huge dentry cache in seed 002). From /proc alone; tracing adds how long
 * it stayed awake. */
#include "detect.h"

#define KSWAPD_WARN 0.30
#define KSWAPD_CRIT 0.80

static const char *const ids[] = {"reclaim.kswapd_busy", NULL};

static int run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	double worst = -1;
	const struct proc_entry *wp = NULL;
	unsigned nk = 0;
	char a[32];

	char why[256];
	if (in->cur.s_procs.state != SRC_OK) {
		src_reason(&in->cur.s_procs, "proc", why, sizeof(why));
		skips_add(skips, ids[0], "%s", why);
		return DETECT_SKIPPED;
	}
	for (size_t i = 0; i < in->cur.nprocs; i++) {
		const struct proc_entry *p = &in->cur.procs[i];
		if (!comm_is_kswapd(p->stat.comm))
			continue;
		nk++;
		double s = proc_cpu_share(in, p);
		if (s > worst)
			worst = s, wp = p;
	}
	if (!nk) {
		skips_add(skips, ids[0], "no kswapd thread in the process table (captured tree without kernel threads?)");
		return DETECT_SKIPPED;
	}
	/* The finding is kswapd's CPU share: essential. */
	if (worst < 0) {
		if (in->mode == WINDOW_INTERVAL)
			snprintf(why, sizeof(why), "no kswapd thread is in both samples");
		else if (window_seconds(in, why, sizeof(why)) > 0)
			snprintf(why, sizeof(why), "kswapd started under a second before the sample");
		skips_add(skips, ids[0], "kswapd's CPU time cannot be computed: %s", why);
		return DETECT_SKIPPED;
	}
	if (worst < KSWAPD_WARN)
		return DETECT_RAN;

	struct finding *f = findings_add(out, ids[0], worst >= KSWAPD_CRIT ? SEV_CRITICAL : SEV_WARNING);
	finding_title(f, "kswapd is busy reclaiming: %s of a CPU", fmt_pct(worst, a, sizeof(a)));
	finding_summary(f, "%s spent %s of a CPU %s reclaiming memory. Memory is short for long stretches, or what "
			   "it must reclaim (slab such as dentries, dirty or mapped pages) is slow to reclaim; tasks "
			   "that cannot wait for it reclaim directly and stall.",
			wp->stat.comm, fmt_pct(worst, a, sizeof(a)),
			in->mode == WINDOW_INTERVAL ? "over the window" : "on average since it started");
	for (size_t i = 0; i < in->cur.nprocs; i++) {
		const struct proc_entry *p = &in->cur.procs[i];
		double s;
		if (!comm_is_kswapd(p->stat.comm) || (s = proc_cpu_share(in, p)) < 0)
			continue;
		char name[64];
		snprintf(name, sizeof(name), "%s_cpu_share", p->stat.comm);
		finding_num(f, name, s, U_RATIO, "proc/PID/stat (utime+stime)");
		if (s >= KSWAPD_WARN)
			finding_process(f, p->stat.pid, p->stat.comm, "reclaimer");
	}
	/* Reclaim rates between the samples (not given since boot). */
	static const char *const keys[] = {"pgscan_kswapd", "pgsteal_kswapd", "slabs_scanned", "allocstall_normal",
					   "allocstall"};
	if (in->mode == WINDOW_INTERVAL && window_src_ok(in, offsetof(struct sample, s_vmstat), why, sizeof(why))) {
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			uint64_t c, p;
			char name[64];
			snprintf(name, sizeof(name), "%s_rate", keys[i]);
			if (kv_get(&in->cur.vmstat, keys[i], &c) < 0 || kv_get(&in->prev->vmstat, keys[i], &p) < 0)
				continue; /* a counter this kernel does not have */
			double r = rate_u64(p, c, in->interval_s);
			if (r >= 0)
				finding_num(f, name, r, U_PER_S, "proc/vmstat, two samples");
			else
				finding_unknown(f, name, U_PER_S, "proc/vmstat, two samples",
						"%s went backwards between the samples", keys[i]);
		}
	} else if (in->mode == WINDOW_INTERVAL) {
		/* the three main ones (4.8+ names) */
		for (size_t i = 0; i < 3; i++) {
			char name[64];
			snprintf(name, sizeof(name), "%s_rate", keys[i]);
			finding_unknown(f, name, U_PER_S, "proc/vmstat, two samples", "%s", why);
		}
	}
	const struct traced *t = in->traced;
	if (t && (t->groups & TG_KSWAPD)) {
		uint64_t awake = 0;
		for (size_t i = 0; i < t->nhists; i++)
			if (t->hists[i].kind == TR_KSWAPD)
				awake += t->hists[i].sum_ns;
		finding_num(f, "kswapd_awake", (double)awake / 1e9, U_SECONDS, "mm_vmscan_kswapd_wake/sleep (BPF)");
	}
	finding_remedy(f, "See what memory is made of (metrics memory.*, and dcache.bloat): a huge slab cache "
			  "makes every reclaim pass long.");
	finding_remedy(f, "Raise vm.watermark_scale_factor (or vm.min_free_kbytes) so kswapd starts earlier "
			  "and works in smaller steps; add memory or lower the workload's footprint.");
	finding_ref(f, "kstall explain reclaim.kswapd_busy");
	return DETECT_RAN;
}

const struct detector detector_kswapd = {
	.name = "kswapd",
	.ids = ids,
	.needs = NEED_NONE,
	.run = run,
};
