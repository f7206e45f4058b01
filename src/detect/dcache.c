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
			  "kernels before 2.6.38, holds the global dcache_lock throughout; the inodes it evicts "
			  "take their cached file pages with them, so those files are read from disk again.");
	if (in->host.has_kver && !kver_at_least(&in->host.kver, 3, 12))
		finding_remedy(f, "Kernel %s predates per-superblock LRU lists (3.12) and RCU path walk "
				  "(2.6.38): shrinking is a global stall there. A newer kernel makes it "
				  "incremental.", in->host.kver.release);
}

/* A large cache is a risk, not yet harm: it costs when memory runs short
 * and reclaim must walk it. The level its size earns is kept only while
 * kswapd is at work (seed 002: both kswapds at 100%); otherwise, or
 * when no kswapd's CPU time was had, it is information. */
static enum severity with_pressure(const struct dc *d, enum severity by_size)
{
	return d->nkswapd && d->kswapd_max >= KSWAPD_BUSY ? by_size : SEV_INFO;
}

/* ...and the sentence that says so, when it did not. */
static void pressure_note(struct buf *s, const struct dc *d, enum severity by_size, enum severity sev)
{
	char a[32];
	if (sev == by_size)
		return;
	if (!d->nkswapd)
		buf_printf(s, " Whether reclaim is at work on it is unknown (no kswapd thread was read): a risk, "
			      "not yet harm.");
	else if (d->kswapd_unknown)
		buf_printf(s, " Whether reclaim is at work on it is unknown (kswapd's CPU time: %s): a risk, not "
			      "yet harm.", d->kswapd_why);
	else
		buf_printf(s, " kswapd is at %s of a CPU at most: memory is not being reclaimed from it now, so "
			      "this is a risk, not yet harm (it becomes one when kswapd reaches %s).",
			   fmt_pct(d->kswapd_max, a, sizeof(a)), fmt_pct(KSWAPD_BUSY, a + 16, sizeof(a) - 16));
}

static void emit_bloat(const struct inputs *in, struct findings *out, const struct dc *d)
{
	bool kswapd_spin = d->kswapd_max >= KSWAPD_SPINNING;
	double horizon_bytes = d->bytes + (d->growth > 0 ? d->growth * DENTRY_BYTES * GROWTH_HORIZON_S : 0);
	enum severity sev;
	char a[32], b[32], c[32], e[32], g[32];

	if ((d->share >= BLOAT_CRIT_SHARE && d->nr >= BLOAT_CRIT_MIN) ||
	    (d->share >= BLOAT_CRIT_SHARE_KSWAPD && d->nr >= BLOAT_CRIT_MIN && kswapd_spin))
		sev = SEV_CRITICAL;
	else if ((d->share >= BLOAT_WARN_SHARE && d->nr >= BLOAT_WARN_MIN) ||
		 (d->growth >= GROWTH_WARN_PER_S && horizon_bytes >= BLOAT_CRIT_SHARE_KSWAPD * d->memtotal))
		sev = SEV_WARNING;
	else
		return;
	enum severity by_size = sev;
	sev = with_pressure(d, by_size);

	struct finding *f = findings_add(out, "dcache.bloat", sev);
	if (d->share >= BLOAT_WARN_SHARE)
		finding_title(f, "Dentry cache holds %s of memory (%s dentries)", fmt_pct(d->share, a, sizeof(a)),
			      fmt_count(d->nr, b, sizeof(b)));
	else
		finding_title(f, "Dentry cache grows by %s dentries/s (%s of memory now)",
			      fmt_rate(d->growth, a, sizeof(a)), fmt_pct(d->share, b, sizeof(b)));
	struct buf s = {0};
	buf_printf(&s, "The dentry cache holds about %s (%s dentries at ~%s each), %s of MemTotal",
		   fmt_bytes(d->bytes, a, sizeof(a)), fmt_count(d->nr, b, sizeof(b)), fmt_bytes(DENTRY_BYTES, g, sizeof(g)),
		   fmt_pct(d->share, c, sizeof(c)));
	if (d->has_slab)
		buf_printf(&s, "; slab is %s", fmt_bytes((double)d->slab, e, sizeof(e)));
	buf_printf(&s, ".");
	if (d->growth >= GROWTH_WARN_PER_S)
		buf_printf(&s, " It grows by %s dentries/s.", fmt_rate(d->growth, a, sizeof(a)));
	if (kswapd_spin)
		buf_printf(&s, " kswapd is spinning (%s of a CPU %s) shrinking it: while it does, path "
			       "lookups on every CPU can stall for seconds.",
			   fmt_pct(d->kswapd_max, a, sizeof(a)), window_word(in));
	else
		buf_printf(&s, " When memory runs short, reclaim must walk this cache under the dcache "
			       "locks, and the host stalls while it does.");
	if (sev == by_size && sev < SEV_CRITICAL && d->kswapd_unknown && d->share >= BLOAT_CRIT_SHARE_KSWAPD &&
	    d->nr >= BLOAT_CRIT_MIN)
		buf_printf(&s, " At this size it is critical if kswapd is spinning, and kswapd's CPU time is unknown "
			       "(%s): this is at most a warning.", d->kswapd_why);
	pressure_note(&s, d, by_size, sev);
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
	enum severity by_size = sev;
	sev = with_pressure(d, by_size);

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
			   fmt_rate(d->neg_growth, a, sizeof(a)));
	if (dominant && !d->has_memtotal)
		buf_printf(&s, " Their share of memory is unknown (%s): critical needs it (%s of MemTotal), so "
			       "this is at most a warning.", d->memtotal_why, fmt_pct(NEG_CRIT_SHARE_OF_MEM, a, sizeof(a)));
	pressure_note(&s, d, by_size, sev);
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

/* Who creates the negative dentries (seed 002, live): processes whose path
 * lookups fail with ENOENT, at what rate, and on which path patterns; and
 * the parents whose short-lived children do, none enough on its own (a
 * shell loop running stat thousands of times). */

#define PRODUCER_MIN_PER_S 1000.0     /* below: ordinary misses (PATH search, probes) */
#define PRODUCER_CRIT_PER_S 10000.0
#define CACHE_GROWING_PER_S 5000.0
#define BURST_SHARE 0.5               /* failing for under half the window: a burst */
/* The latest failure's time is kept to a tick (the tracer reads the clock
 * once a tick a process fails in): early by up to 10 ms at HZ 100, so a
 * span is a measurement from 0.25 s, within 4%. */
#define BURST_MIN_S 0.25
#define MAX_PRODUCERS 5
#define MAX_PATTERNS 3

static const char *const producers_ids[] = {"dcache.negative_dentry_producers", NULL};

/* A producer: one process, or the processes of one parent and name
 * (many), each failing too few lookups to count alone. */
struct producer {
	const struct tr_lookup *l; /* the process; of many, the one that failed last */
	bool many;
	const char *comm, *pcomm;
	uint64_t failed, calls, procs;
	bool has_span;             /* first_s and last_s known */
	double first_s, last_s;
	const struct pattern_set *patterns;
	struct pattern_set merged; /* many: theirs, together */
};

/* The producer's top path patterns, as evidence. */
static void add_patterns(struct finding *f, const struct producer *p)
{
	char a[32], b[32], c[32];
	const struct pattern_set *ps = p->patterns;
	for (size_t j = 0; j < ps->n && j < MAX_PATTERNS; j++) {
		const struct pattern_count *pc = &ps->v[j];
		char name[32];
		double share = (double)pc->n / (double)ps->total;
		snprintf(name, sizeof(name), "pattern_%zu", j + 1);
		/* A pattern seen only once or twice in the samples says
		 * nothing about its share: do not extrapolate it. Whole, however
		 * long the paths (a recording's may be any length). */
		_cleanup_free_ char *val =
			pc->n >= 3 ? xasprintf("%s (%s of %s sampled paths, ~%s failures; e.g. %s)", pc->pattern,
					       fmt_pct(share, b, sizeof(b)), fmt_count((double)ps->total, c, sizeof(c)),
					       fmt_count(share * (double)p->failed, a, sizeof(a)), pc->example)
				   : xasprintf("%s (%s of %s sampled paths)", pc->pattern, fmt_count((double)pc->n, a, sizeof(a)),
					       fmt_count((double)ps->total, c, sizeof(c)));
		finding_str(f, name, val, "sampled failed paths (BPF)");
	}
}

/* The growth of the dentry cache meanwhile (the view's), and why it is
 * unknown when it is. */
struct growth {
	bool has;
	double growth, neg_growth;
	char why[256];
};

/* The span of its failures, when they came in a burst: "at 260.0 k/s for
 * 1.15 s (37.5 k/s over the whole window)"; "" otherwise. */
static const char *burst_words(const struct producer *p, double dur, char *out, size_t n)
{
	char a[32], b[32], c[32];
	double span = p->last_s - p->first_s;
	out[0] = 0;
	if (p->has_span && p->failed >= 2 && span >= BURST_MIN_S && span < BURST_SHARE * dur)
		snprintf(out, n, "at %s/s for %s (%s/s over the whole window)",
			 fmt_rate((double)p->failed / span, a, sizeof(a)), fmt_duration(span, b, sizeof(b)),
			 fmt_rate((double)p->failed / dur, c, sizeof(c)));
	return out;
}

static void producer_title(const struct producer *p, const struct growth *g, double dur, struct finding *f)
{
	char a[32], b[32], burst[160];
	struct buf s = {0};
	burst_words(p, dur, burst, sizeof(burst));
	if (p->many)
		buf_printf(&s, "%s (pid %u) starts %s processes that fail ", p->pcomm, p->l->ppid, p->comm);
	else
		buf_printf(&s, "%s (pid %u) fails ", p->comm, p->l->tgid);
	if (burst[0])
		buf_printf(&s, "path lookups %s", burst);
	else
		buf_printf(&s, "%s path lookups/s", fmt_rate((double)p->failed / dur, a, sizeof(a)));
	/* What was left, not what might have been: a failed lookup leaves a
	 * negative dentry only while its directory stays (one removed takes
	 * its dentries with it), so the title gives the cache's growth when
	 * it was measured to grow. */
	if (g->has && g->growth >= CACHE_GROWING_PER_S)
		buf_printf(&s, "; the dentry cache grows by %s/s", fmt_rate(g->growth, b, sizeof(b)));
	finding_title(f, "%s", s.data);
	buf_free(&s);
}

static void producer_summary(const struct producer *p, const struct growth *g, double dur, struct finding *f)
{
	char a[32], b[32], c[32], d[32], burst[160];
	double rate = (double)p->failed / dur, share = p->calls ? (double)p->failed / (double)p->calls : 0;
	const char *whose = p->many ? "their" : "its";
	struct buf s = {0};
	if (p->many)
		buf_printf(&s, "%s %s processes started by %s (pid %u) looked up %s paths that do not exist in %s",
			   fmt_count((double)p->procs, a, sizeof(a)), p->comm, p->pcomm, p->l->ppid,
			   fmt_count((double)p->failed, b, sizeof(b)), fmt_duration(dur, c, sizeof(c)));
	else
		buf_printf(&s, "%s (pid %u) looked up %s paths that do not exist in %s", p->comm, p->l->tgid,
			   fmt_count((double)p->failed, a, sizeof(a)), fmt_duration(dur, c, sizeof(c)));
	if (burst_words(p, dur, burst, sizeof(burst))[0])
		buf_printf(&s, ", %s; %s of %s path lookups.", burst, fmt_pct(share, d, sizeof(d)), whose);
	else
		buf_printf(&s, " (%s/s, %s of %s path lookups).", fmt_rate(rate, a, sizeof(a)), fmt_pct(share, d, sizeof(d)),
			   whose);
	if (p->many)
		buf_printf(&s, " Each ran briefly and failed too few to count alone: together they are one loop, "
			       "and %s, which starts them, is where to stop it.", p->pcomm);
	if (p->patterns->n && p->patterns->total)
		buf_printf(&s, " Mostly %s (%s of sampled paths).", p->patterns->v[0].pattern,
			   fmt_pct((double)p->patterns->v[0].n / (double)p->patterns->total, a, sizeof(a)));
	if (g->has && g->growth >= CACHE_GROWING_PER_S)
		buf_printf(&s, " The dentry cache grows by %s/s meanwhile.", fmt_rate(g->growth, a, sizeof(a)));
	else if (g->has)
		buf_printf(&s, " The dentry cache grew by %s/s meanwhile: few of the negative dentries stayed (the "
			       "same missing paths looked up again, their directory removed, or reclaim took them)%s",
			   fmt_rate(g->growth > 0 ? g->growth : 0, a, sizeof(a)),
			   g->growth < PRODUCER_MIN_PER_S ? ": a fact, not yet harm." : ".");
	else
		buf_printf(&s, " Whether the dentry cache grows meanwhile is unknown (%s): whether the failures leave "
			       "anything is too, so this is information.", g->why);
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void producer_evidence(const struct inputs *in, const struct producer *p, const struct growth *g,
			      struct finding *f)
{
	double dur = in->traced->duration_s;
	const char *bpf = "syscalls returning ENOENT (BPF)";
	finding_num(f, "failed_lookups", (double)p->failed, U_COUNT, bpf);
	finding_num(f, "failed_lookups_rate", (double)p->failed / dur, U_PER_S, bpf);
	if (p->has_span && p->last_s - p->first_s >= BURST_MIN_S) {
		finding_num(f, "burst_duration", p->last_s - p->first_s, U_SECONDS, "first to last failed lookup (BPF)");
		finding_num(f, "burst_rate", (double)p->failed / (p->last_s - p->first_s), U_PER_S,
			    "failed_lookups / burst_duration");
	} else if (p->has_span && p->failed >= 2) {
		finding_unknown(f, "burst_duration", U_SECONDS, "first to last failed lookup (BPF)",
				"its failures came within %.2f s, and their times are kept to a tick", BURST_MIN_S);
	} else if (!p->l->known) {
		finding_unknown(f, "burst_duration", U_SECONDS, "first to last failed lookup (BPF)",
				"this recording holds no times of failed lookups (format 2 or older)");
	}
	finding_num(f, "path_lookups", (double)p->calls, U_COUNT, "path syscalls from its first failure on (BPF)");
	if (p->many) {
		finding_num(f, "processes", (double)p->procs, U_COUNT, "processes of that parent and name (BPF)");
		finding_str(f, "command", p->comm, "their name (comm)");
	}
	add_patterns(f, p);
	if (g->has) {
		finding_num(f, "nr_dentry_growth", g->growth, U_PER_S, "dentry-state, two samples");
		if (in->cur.dentry.nr_negative || in->prev->dentry.nr_negative)
			finding_num(f, "nr_negative_growth", g->neg_growth, U_PER_S, "dentry-state, two samples");
	} else {
		finding_unknown(f, "nr_dentry_growth", U_PER_S, "dentry-state, two samples", "%s", g->why);
	}
}

static void producer(const struct inputs *in, const struct producer *p, const struct growth *g, struct findings *out)
{
	double dur = in->traced->duration_s, rate = (double)p->failed / dur;
	/* Failures that repeat the same missing paths find their negative
	 * dentries already cached and leave nothing (a compile's include
	 * probes: 1,200/s from a loop of cc drivers here, the cache flat). A
	 * warning needs the cache to grow meanwhile; unmeasured, information. */
	bool leaving = g->has && g->growth >= PRODUCER_MIN_PER_S, growing = g->has && g->growth >= CACHE_GROWING_PER_S;
	enum severity sev = !leaving ? SEV_INFO : rate >= PRODUCER_CRIT_PER_S && growing ? SEV_CRITICAL : SEV_WARNING;
	struct finding *f = findings_add(out, producers_ids[0], sev);
	char role[64], a[32];

	producer_title(p, g, dur, f);
	producer_summary(p, g, dur, f);
	producer_evidence(in, p, g, f);
	if (p->many) {
		finding_process(f, (int)p->l->ppid, p->pcomm, "parent of the producers");
		snprintf(role, sizeof(role), "producer, the latest of %s", fmt_count((double)p->procs, a, sizeof(a)));
		finding_process(f, (int)p->l->tgid, p->comm, role);
		finding_remedy(f, "Stop the loop in %s (pid %u) that runs %s over and over (a script, a cron job, a "
				  "CGI server): check what it looks up before running it, or look the paths up once.",
			       p->pcomm, p->l->ppid, p->comm);
	} else {
		finding_process(f, (int)p->l->tgid, p->comm, "producer");
		finding_remedy(f, "Stop the loop in %s: cache the negative result, or stop probing for files that "
				  "never exist. For old NSS (nss-softokn) under curl and other TLS clients, set "
				  "NSS_SDB_USE_CACHE=yes in its environment or update nss.", p->comm);
	}
	finding_remedy(f, "If the names are unique per call (temporary names, counters), they will "
			  "never hit the cache: each adds a dentry until memory pressure shrinks them. "
			  "Deleting the directory they were looked up in prunes them at once.");
	finding_remedy(f, "Meanwhile vm.vfs_cache_pressure above 100 makes reclaim take dentries sooner (the "
			  "cost: hot paths are looked up again more often).");
	finding_ref(f, "kstall explain dcache.negative_dentry_producers");
}

/* One process failing enough on its own; a group of one exited process
 * is that process. */
static bool producer_alone(const struct tr_lookup *l, double dur)
{
	return (!l->known || l->procs <= 1) && (double)l->failed / dur >= PRODUCER_MIN_PER_S;
}

static struct producer producer_one(const struct inputs *in, const struct tr_lookup *l)
{
	/* The process's name now, if it still runs (it may have exec'd). */
	const struct proc_entry *pe = l->group ? NULL : sample_proc(&in->cur, (int)l->tgid);
	return (struct producer){.l = l, .comm = pe ? pe->stat.comm : l->comm, .failed = l->failed, .calls = l->calls,
				 .procs = 1, .has_span = l->known && l->failed, .first_s = l->first_s,
				 .last_s = l->last_s, .patterns = &l->patterns};
}

static int by_parent_and_name(const void *x, const void *y)
{
	const struct tr_lookup *a = *(const struct tr_lookup *const *)x, *b = *(const struct tr_lookup *const *)y;
	if (a->ppid != b->ppid)
		return a->ppid < b->ppid ? -1 : 1;
	return strncmp(a->comm, b->comm, sizeof(a->comm));
}

/* The processes v[0..n) of one parent and name, together. */
static struct producer producer_many(const struct inputs *in, const struct tr_lookup *const *v, size_t n)
{
	struct producer p = {.l = v[0], .many = true, .comm = v[0]->comm, .has_span = true, .first_s = -1};
	for (size_t i = 0; i < n; i++) {
		const struct tr_lookup *l = v[i];
		p.failed += l->failed, p.calls += l->calls, p.procs += l->procs;
		if (l->failed && (p.first_s < 0 || l->first_s < p.first_s))
			p.first_s = l->first_s;
		if (l->failed && l->last_s >= p.last_s)
			p.last_s = l->last_s, p.l = l;
		for (size_t j = 0; j < l->patterns.n; j++)
			pattern_set_add(&p.merged, l->patterns.v[j].example, l->patterns.v[j].n);
	}
	pattern_set_sort(&p.merged);
	const struct proc_entry *pe = sample_proc(&in->cur, (int)p.l->ppid);
	p.pcomm = p.l->pcomm[0] ? p.l->pcomm : pe ? pe->stat.comm : "?";
	return p;
}

/* The parents and names whose processes, each below the threshold,
 * pass it together, into v. */
static void producers_many(const struct inputs *in, struct producer **v, size_t *n, size_t *cap)
{
	const struct traced *t = in->traced;
	const struct tr_lookup **c = xcalloc(t->nlookups + 1, sizeof(*c));
	size_t nc = 0;
	for (size_t i = 0; i < t->nlookups; i++)
		if (t->lookups[i].known && t->lookups[i].failed && !producer_alone(&t->lookups[i], t->duration_s))
			c[nc++] = &t->lookups[i];
	if (nc > 1)
		qsort(c, nc, sizeof(*c), by_parent_and_name);
	for (size_t i = 0, j; i < nc; i = j) {
		uint64_t failed = 0, procs = 0;
		for (j = i; j < nc && !by_parent_and_name(&c[i], &c[j]); j++)
			failed += c[j]->failed, procs += c[j]->procs;
		if (procs < 2 || (double)failed / t->duration_s < PRODUCER_MIN_PER_S)
			continue;
		ARRAY_GROW(*v, *n, *cap);
		(*v)[(*n)++] = producer_many(in, c + i, j - i);
	}
	free(c);
}

static int producer_cmp_failed(const void *a, const void *b)
{
	const struct producer *x = a, *y = b;
	return (x->failed < y->failed) - (x->failed > y->failed);
}

static int producers_run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	const struct traced *t = in->traced;

	if (!(t->groups & TG_LOOKUPS))
		return DETECT_SKIPPED; /* the tracer said why */
	if (t->duration_s <= 0) {
		skips_add(skips, producers_ids[0], "tracing window too short");
		return DETECT_SKIPPED;
	}
	struct growth g = {in->view.has_dentry_growth, in->view.dentry_growth, in->view.negative_growth, ""};
	if (!g.has && in->mode != WINDOW_INTERVAL)
		snprintf(g.why, sizeof(g.why), "one sample: growth needs two");
	else if (!g.has && window_src_ok(in, offsetof(struct sample, s_dentry), g.why, sizeof(g.why)))
		snprintf(g.why, sizeof(g.why), "the window between the samples is empty");
	struct producer *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < t->nlookups; i++)
		if (producer_alone(&t->lookups[i], t->duration_s)) {
			ARRAY_GROW(v, n, cap);
			v[n++] = producer_one(in, &t->lookups[i]);
		}
	producers_many(in, &v, &n, &cap);
	if (n > 1)
		qsort(v, n, sizeof(*v), producer_cmp_failed);
	for (size_t i = 0; i < n; i++) {
		v[i].patterns = v[i].many ? &v[i].merged : &v[i].l->patterns;
		if (i < MAX_PRODUCERS)
			producer(in, &v[i], &g, out);
		pattern_set_free(&v[i].merged);
	}
	free(v);
	return DETECT_RAN;
}

const struct detector detector_lookups = {
	.name = "lookups",
	.ids = producers_ids,
	.needs = NEED_BPF,
	.run = producers_run,
	.traces = (const struct detector_trace[]){{"dcache.negative_dentry_producers", .groups_all = TG_LOOKUPS}, {0}},
};
