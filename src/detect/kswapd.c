/* kswapd, the background reclaimer, busy for most of a CPU: memory is
 * short for long stretches, or what it reclaims is slow to reclaim (a
 * huge dentry cache in seed 002). From /proc alone; tracing adds how long
 * it stayed awake. */
#include "detect.h"
#include "../trace/trace.h"

#define KSWAPD_WARN 0.30
#define KSWAPD_CRIT 0.80

static const char *const ids[] = {"reclaim.kswapd_busy", NULL};

static int run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	double worst = -1;
	const struct proc_entry *wp = NULL;
	unsigned nk = 0;
	char a[32];

	if (in->cur.s_procs.state != SRC_OK) {
		skips_add(skips, ids[0], "%s", in->cur.s_procs.why);
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
	if (worst < 0) {
		skips_add(skips, ids[0], "kswapd's CPU time cannot be computed: %s",
			  in->mode == WINDOW_INTERVAL ? "not in both samples" : "no proc/uptime in this tree");
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
	if (in->mode == WINDOW_INTERVAL && in->prev && in->prev->s_vmstat.state == SRC_OK &&
	    in->cur.s_vmstat.state == SRC_OK) {
		static const char *const keys[] = {"pgscan_kswapd", "pgsteal_kswapd", "slabs_scanned", "allocstall_normal",
						   "allocstall"};
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			uint64_t c, p;
			if (kv_get(&in->cur.vmstat, keys[i], &c) == 0 && kv_get(&in->prev->vmstat, keys[i], &p) == 0) {
				char name[64];
				snprintf(name, sizeof(name), "%s_rate", keys[i]);
				finding_num(f, name, rate_u64(p, c, in->interval_s), U_PER_S, "proc/vmstat, two samples");
			}
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
