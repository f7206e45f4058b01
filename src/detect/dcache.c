/* The dentry cache (seed 002): a cache of path lookups, including failed
 * ones (negative dentries), that grows until memory pressure shrinks it.
 * Grown to tens of millions of entries, shrinking it stalls the host:
 * kswapd and direct reclaim walk it under the dcache locks (the global
 * dcache_lock before 2.6.38), while every path lookup waits. */
#include "detect.h"

/* Slab object size of struct dentry on 64-bit kernels (192 bytes: the
 * seed's crash dump and /sys/kernel/slab/dentry/object_size agree). An
 * estimate: kstall never reads /proc/slabinfo, which disables interrupts
 * while it walks every slab. */
#define DENTRY_BYTES 192.0

/* Thresholds; see docs/findings.md for the reasoning. */
#define BLOAT_WARN_SHARE 0.15
#define BLOAT_WARN_MIN 250000.0  /* 48 MB: below this no shrink is long */
#define BLOAT_CRIT_SHARE 0.40
#define BLOAT_CRIT_MIN 10000000.0
#define BLOAT_CRIT_SHARE_KSWAPD 0.25
#define KSWAPD_BUSY 0.20
#define KSWAPD_SPINNING 0.50
#define GROWTH_WARN_PER_S 10000.0
#define GROWTH_HORIZON_S 3600.0
#define NEG_WARN_MIN 1000000.0
#define NEG_WARN_SHARE 0.50
#define NEG_CRIT_SHARE_OF_MEM 0.25
#define NEG_GROWTH_WARN_PER_S 50000.0

static const char *const ids[] = {"dcache.bloat", "dcache.negative_dentries", NULL};

struct kswapd {
	const struct proc_entry *p;
	double share;
};

struct dc {
	double nr, unused, bytes, memtotal, share, growth, neg, neg_growth;
	uint64_t slab, srecl, avail;
	bool has_memtotal, has_slab, has_srecl, has_avail, neg_known, has_growth;
	char memtotal_why[256], growth_why[256], kswapd_why[256]; /* "" when had */
	struct kswapd kswapd[64];
	size_t nkswapd;
	double kswapd_max;
	bool kswapd_unknown; /* a kswapd whose CPU share cannot be had */
};

static void find_kswapd(const struct inputs *in, struct dc *d)
{
	for (size_t i = 0; i < in->cur.nprocs && d->nkswapd < ARRAY_SIZE(d->kswapd); i++) {
		const struct proc_entry *p = &in->cur.procs[i];
		if (!comm_is_kswapd(p->stat.comm))
			continue;
		double s = view_cpu_share(&in->view, p->stat.pid);
		d->kswapd[d->nkswapd++] = (struct kswapd){p, s};
		if (s > d->kswapd_max)
			d->kswapd_max = s;
		if (s < 0 && !d->kswapd_unknown) {
			d->kswapd_unknown = true;
			if (in->mode == WINDOW_INTERVAL)
				snprintf(d->kswapd_why, sizeof(d->kswapd_why), "%s is not in both samples", p->stat.comm);
			else if (window_seconds(in, d->kswapd_why, sizeof(d->kswapd_why)) > 0)
				snprintf(d->kswapd_why, sizeof(d->kswapd_why), "%s started under a second before the sample",
					 p->stat.comm);
		}
	}
}

static const char *window_word(const struct inputs *in)
{
	return in->mode == WINDOW_INTERVAL ? "over the window" : "on average since it started";
}

static void add_kswapd_evidence(const struct inputs *in, struct finding *f, const struct dc *d)
{
	for (size_t i = 0; i < d->nkswapd; i++) {
		const struct kswapd *k = &d->kswapd[i];
		char name[96];
		if (k->share >= 0 && k->share < KSWAPD_BUSY)
			continue;
		const char *src = in->mode == WINDOW_INTERVAL ? "proc/PID/stat (utime+stime, two samples)"
							      : "proc/PID/stat (utime+stime since start)";
		snprintf(name, sizeof(name), "%s_cpu_share", k->p->stat.comm);
		if (k->share < 0) {
			finding_unknown(f, name, U_RATIO, src, "%s", d->kswapd_why);
			continue;
		}
		finding_num(f, name, k->share, U_RATIO, src);
		finding_process(f, k->p->stat.pid, k->p->stat.comm, "reclaimer");
	}
}

static void common_remedy(const struct inputs *in, struct finding *f)
{
	uint64_t vcp = 100, dneg;
	bool has_vcp = kv_get(&in->host.sysctl, "vm.vfs_cache_pressure", &vcp) == 0;

	finding_remedy(f, "Find the producer: dentries this numerous almost always come from a loop of "
			  "lookups of paths that do not exist (stat/open/access returning ENOENT), each leaving "
			  "a negative dentry. `kstall watch` names the processes and their path patterns; by "
			  "hand, `strace -f -e trace=%%file -Z -p PID` shows the failing calls.");
	finding_remedy(f, "A known source: old NSS (nss-softokn) under curl or other TLS clients probes "
			  "non-existent files such as /etc/pki/nssdb/.NNNN_dOeSnotExist_.db on every "
			  "connection; set NSS_SDB_USE_CACHE=yes in that service's environment, or update nss.");
	finding_remedy(f, "Make reclaim favour the dentry and inode caches: raise vm.vfs_cache_pressure "
			  "(%s%" PRIu64 "; 200 to 1000 reclaims them sooner). Cost: more re-lookups of hot paths.",
		       has_vcp ? "now " : "default ", vcp);
	if (kv_get(&in->host.sysctl, "fs.dentry-negative", &dneg) == 0)
		finding_remedy(f, "This kernel has fs.dentry-negative (now %" PRIu64 "): 1 drops the dentry "
				  "when a file is deleted, which helps create-and-delete workloads but not failed "
				  "lookups.", dneg);
	finding_remedy(f, "To free the cache now, off-peak: `echo 2 > /proc/sys/vm/drop_caches` frees "
			  "unused dentries and inodes. On a cache this large it runs for seconds and, on "
			  "kernels before 2.6.38, holds the global dcache_lock throughout.");
	if (in->host.has_kver && !kver_at_least(&in->host.kver, 3, 12))
		finding_remedy(f, "Kernel %s predates per-superblock LRU lists (3.12) and RCU path walk "
				  "(2.6.38): shrinking is a global stall there. A newer kernel makes it "
				  "incremental.", in->host.kver.release);
}

static void emit_bloat(const struct inputs *in, struct findings *out, const struct dc *d)
{
	bool kswapd_spin = d->kswapd_max >= KSWAPD_SPINNING;
	double horizon_bytes = d->bytes + (d->growth > 0 ? d->growth * DENTRY_BYTES * GROWTH_HORIZON_S : 0);
	enum severity sev;
	char a[32], b[32], c[32], e[32];

	if ((d->share >= BLOAT_CRIT_SHARE && d->nr >= BLOAT_CRIT_MIN) ||
	    (d->share >= BLOAT_CRIT_SHARE_KSWAPD && d->nr >= BLOAT_CRIT_MIN && kswapd_spin))
		sev = SEV_CRITICAL;
	else if ((d->share >= BLOAT_WARN_SHARE && d->nr >= BLOAT_WARN_MIN) ||
		 (d->growth >= GROWTH_WARN_PER_S && horizon_bytes >= BLOAT_CRIT_SHARE_KSWAPD * d->memtotal))
		sev = SEV_WARNING;
	else
		return;

	struct finding *f = findings_add(out, "dcache.bloat", sev);
	if (d->share >= BLOAT_WARN_SHARE)
		finding_title(f, "Dentry cache holds %s of memory (%s dentries)", fmt_pct(d->share, a, sizeof(a)),
			      fmt_count(d->nr, b, sizeof(b)));
	else
		finding_title(f, "Dentry cache grows by %s dentries/s (%s of memory now)",
			      fmt_count(d->growth, a, sizeof(a)), fmt_pct(d->share, b, sizeof(b)));
	struct buf s = {0};
	buf_printf(&s, "The dentry cache holds about %s (%s dentries at ~%.0f B each), %s of MemTotal",
		   fmt_bytes(d->bytes, a, sizeof(a)), fmt_count(d->nr, b, sizeof(b)), DENTRY_BYTES,
		   fmt_pct(d->share, c, sizeof(c)));
	if (d->has_slab)
		buf_printf(&s, "; slab is %s", fmt_bytes((double)d->slab, e, sizeof(e)));
	buf_printf(&s, ".");
	if (d->growth >= GROWTH_WARN_PER_S)
		buf_printf(&s, " It grows by %s dentries/s.", fmt_count(d->growth, a, sizeof(a)));
	if (kswapd_spin)
		buf_printf(&s, " kswapd is spinning (%s of a CPU %s) shrinking it: while it does, path "
			       "lookups on every CPU can stall for seconds.",
			   fmt_pct(d->kswapd_max, a, sizeof(a)), window_word(in));
	else
		buf_printf(&s, " When memory runs short, reclaim must walk this cache under the dcache "
			       "locks, and the host stalls while it does.");
	if (sev < SEV_CRITICAL && d->kswapd_unknown && d->share >= BLOAT_CRIT_SHARE_KSWAPD && d->nr >= BLOAT_CRIT_MIN)
		buf_printf(&s, " At this size it is critical if kswapd is spinning, and kswapd's CPU time is unknown "
			       "(%s): this is at most a warning.", d->kswapd_why);
	finding_summary(f, "%s", s.data);
	buf_free(&s);

	const char *ds = "proc/sys/fs/dentry-state";
	finding_num(f, "nr_dentry", d->nr, U_COUNT, ds);
	finding_num(f, "nr_unused", d->unused, U_COUNT, ds);
	finding_num(f, "dentry_bytes_estimate", d->bytes, U_BYTES, "nr_dentry x 192 B");
	finding_num(f, "dentry_share_of_memtotal", d->share, U_RATIO, "dentry-state, proc/meminfo");
	finding_num(f, "memtotal", d->memtotal, U_BYTES, "proc/meminfo");
	if (d->has_slab)
		finding_num(f, "slab", (double)d->slab, U_BYTES, "proc/meminfo");
	if (d->has_srecl)
		finding_num(f, "sreclaimable", (double)d->srecl, U_BYTES, "proc/meminfo");
	if (d->has_avail)
		finding_num(f, "memavailable", (double)d->avail, U_BYTES, "proc/meminfo");
	if (d->has_growth)
		finding_num(f, "nr_dentry_growth", d->growth, U_PER_S, "dentry-state, two samples");
	else if (d->growth_why[0])
		finding_unknown(f, "nr_dentry_growth", U_PER_S, "dentry-state, two samples", "%s", d->growth_why);
	if (d->neg_known)
		finding_num(f, "nr_negative", d->neg, U_COUNT, ds);
	add_kswapd_evidence(in, f, d);
	finding_subject(f, SUBJ_HOST, in->host.hostname);

	common_remedy(in, f);
	finding_ref(f, "kstall explain dcache.bloat");
	finding_ref(f, "Documentation/admin-guide/sysctl/fs.rst (dentry-state)");
	finding_ref(f, "Documentation/admin-guide/sysctl/vm.rst (vfs_cache_pressure, drop_caches)");
}

static void emit_negative(const struct inputs *in, struct findings *out, const struct dc *d)
{
	double nshare = d->nr > 0 ? d->neg / d->nr : 0;
	double nbytes = d->neg * DENTRY_BYTES;
	enum severity sev;
	char a[32], b[32], c[32];

	bool dominant = d->neg >= NEG_WARN_MIN && nshare >= NEG_WARN_SHARE;
	bool fast = d->has_growth && d->neg_growth >= NEG_GROWTH_WARN_PER_S;
	if (dominant && d->has_memtotal && nbytes >= NEG_CRIT_SHARE_OF_MEM * d->memtotal)
		sev = SEV_CRITICAL;
	else if (dominant || fast)
		sev = SEV_WARNING;
	else
		return;

	struct finding *f = findings_add(out, "dcache.negative_dentries", sev);
	finding_title(f, "Negative dentries are %s of the dentry cache (%s)", fmt_pct(nshare, a, sizeof(a)),
		      fmt_count(d->neg, b, sizeof(b)));
	struct buf s = {0};
	buf_printf(&s, "%s of %s cached dentries are negative: remembered failed lookups of paths that "
		       "do not exist, about %s of memory.",
		   fmt_count(d->neg, a, sizeof(a)), fmt_count(d->nr, b, sizeof(b)),
		   fmt_bytes(nbytes, c, sizeof(c)));
	if (fast)
		buf_printf(&s, " They grow by %s/s: some process is looking up missing paths in a loop.",
			   fmt_count(d->neg_growth, a, sizeof(a)));
	if (dominant && !d->has_memtotal)
		buf_printf(&s, " Their share of memory is unknown (%s): critical needs it (%.0f%% of MemTotal), so "
			       "this is at most a warning.", d->memtotal_why, NEG_CRIT_SHARE_OF_MEM * 100);
	finding_summary(f, "%s", s.data);
	buf_free(&s);

	const char *ds = "proc/sys/fs/dentry-state";
	finding_num(f, "nr_negative", d->neg, U_COUNT, ds);
	finding_num(f, "nr_dentry", d->nr, U_COUNT, ds);
	finding_num(f, "negative_share", nshare, U_RATIO, ds);
	finding_num(f, "negative_bytes_estimate", nbytes, U_BYTES, "nr_negative x 192 B");
	if (d->has_memtotal)
		finding_num(f, "memtotal", d->memtotal, U_BYTES, "proc/meminfo");
	else
		finding_unknown(f, "memtotal", U_BYTES, "proc/meminfo", "%s", d->memtotal_why);
	if (d->has_growth)
		finding_num(f, "nr_negative_growth", d->neg_growth, U_PER_S, "dentry-state, two samples");
	else if (d->growth_why[0])
		finding_unknown(f, "nr_negative_growth", U_PER_S, "dentry-state, two samples", "%s", d->growth_why);
	add_kswapd_evidence(in, f, d);
	finding_subject(f, SUBJ_HOST, in->host.hostname);
	common_remedy(in, f);
	finding_ref(f, "kstall explain dcache.negative_dentries");
}

static int run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	const struct sample *cur = &in->cur;
	struct dc d = {0};
	uint64_t memtotal = 0;
	char why[256];

	/* Both findings count dentries: without dentry-state, nothing. */
	if (cur->s_dentry.state != SRC_OK) {
		src_reason(&cur->s_dentry, "proc/sys/fs/dentry-state", why, sizeof(why));
		for (const char *const *id = ids; *id; id++)
			skips_add(skips, *id, "%s", why);
		return DETECT_SKIPPED;
	}
	d.has_memtotal = meminfo_bytes(cur, "MemTotal", &memtotal) == 0 && memtotal;
	if (!d.has_memtotal) {
		if (cur->s_meminfo.state != SRC_OK)
			src_reason(&cur->s_meminfo, "proc/meminfo", d.memtotal_why, sizeof(d.memtotal_why));
		else
			snprintf(d.memtotal_why, sizeof(d.memtotal_why), "%s has no MemTotal", cur->s_meminfo.path);
	}
	d.nr = (double)cur->dentry.nr_dentry;
	d.unused = (double)cur->dentry.nr_unused;
	d.bytes = d.nr * DENTRY_BYTES;
	d.memtotal = (double)memtotal;
	d.share = d.has_memtotal ? d.bytes / d.memtotal : -1;
	d.has_slab = meminfo_bytes(cur, "Slab", &d.slab) == 0;
	d.has_srecl = meminfo_bytes(cur, "SReclaimable", &d.srecl) == 0;
	d.has_avail = meminfo_bytes(cur, "MemAvailable", &d.avail) == 0;
	d.has_growth = in->view.has_dentry_growth;
	d.growth = in->view.dentry_growth;
	d.neg_growth = in->view.negative_growth;
	/* Growth is an interval figure: unknown there when a sample lacks
	 * dentry-state; since boot there is none to give. */
	if (!d.has_growth && in->mode == WINDOW_INTERVAL)
		window_src_ok(in, offsetof(struct sample, s_dentry), d.growth_why, sizeof(d.growth_why));
	/* Field 5 was a dummy 0 before 5.0 (and on RHEL 8's 4.18); a
	 * non-zero value means a kernel that counts, whatever its version. */
	d.neg = (double)cur->dentry.nr_negative;
	d.neg_known = cur->dentry.nr_negative > 0 || (in->host.has_kver && kver_at_least(&in->host.kver, 5, 0));
	find_kswapd(in, &d);

	/* The bloat's thresholds are shares of memory. */
	if (d.has_memtotal)
		emit_bloat(in, out, &d);
	else
		skips_add(skips, "dcache.bloat", "its thresholds are shares of memory: %s", d.memtotal_why);
	if (d.neg_known)
		emit_negative(in, out, &d);
	else if (in->host.has_kver)
		skips_add(skips, "dcache.negative_dentries",
			  "%s does not report negative dentries (field 5 of proc/sys/fs/dentry-state is a "
			  "placeholder 0 before Linux 5.0)", in->host.kver.release);
	else
		skips_add(skips, "dcache.negative_dentries",
			  "field 5 of proc/sys/fs/dentry-state is 0, and whether this kernel counts negative dentries "
			  "(5.0+) is unknown: %s", in->host.s_version.why[0] ? in->host.s_version.why
									 : "its version was not read");
	return DETECT_RAN;
}

const struct detector detector_dcache = {
	.name = "dcache",
	.ids = ids,
	.needs = NEED_NONE,
	.run = run,
};
