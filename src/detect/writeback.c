/* Dirty-page throttling (seed 004): which writer is paused, on which
 * device, by which limit.
 *
 * Static (check, snapshots): every bdi's limits (sys/class/bdi/BDI) mapped
 * to its mounts through mountinfo, the global dirty limits in bytes, and
 * tasks caught in balance_dirty_pages or waiting for writeback. Live: each
 * pause and each wait for a page under writeback, per writer and device,
 * measured from the tracepoint to the writer's wakeup. */
#include "detect.h"

#include <math.h>

/* writeback.strict_limit_bdi: a device limit under this share of the
 * global dirty limit is "small" (FUSE's default max_ratio is 1%). */
#define STRICT_SMALL_SHARE 0.10
/* writeback.throttle (live): time paused, as a share of the window */
#define THROTTLE_INFO_S 0.1
#define THROTTLE_WARN_SHARE 0.05
#define THROTTLE_WARN_S 1.0
#define THROTTLE_CRIT_SHARE 0.25
/* writeback.dirty_limits_large: time to write the dirty limit out at an
 * assumed 200 MB/s (a disk or a modest network store) */
#define FLUSH_ASSUMED_BPS 200e6
#define FLUSH_WARN_S 60.0
#define FLUSH_CRIT_S 300.0

static const char *const ids[] = {"writeback.strict_limit_bdi", "writeback.throttle", "writeback.dirty_limits_large",
				  NULL};

/* The global limits as the kernel computes them (global_dirty_limits):
 * vm.dirty_bytes if set, else vm.dirty_ratio percent of dirtyable memory
 * (free pages and the file LRUs; kstall approximates it from meminfo). */
struct dirty_limits writeback_limits(const struct inputs *in)
{
	struct dirty_limits l = {0};
	uint64_t fr, af, inf, bytes = 0, bgbytes = 0;
	const struct kvtab *sc = &in->host.sysctl;
	const struct src *mi = &in->cur.s_meminfo;
	if (mi->state != SRC_OK) {
		src_reason(mi, "proc/meminfo", l.why, sizeof(l.why));
		return l;
	}
	static const char *const counts[] = {"MemFree", "Active(file)", "Inactive(file)"};
	uint64_t *dst[] = {&fr, &af, &inf};
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++)
		if (meminfo_bytes(&in->cur, counts[i], dst[i]) < 0) {
			snprintf(l.why, sizeof(l.why), "%s has no %s", mi->path, counts[i]);
			return l;
		}
	bool has_ratio = kv_get(sc, "vm.dirty_ratio", &l.ratio) == 0;
	bool has_bytes = kv_get(sc, "vm.dirty_bytes", &bytes) == 0 && bytes > 0;
	if (!has_ratio && !has_bytes) {
		snprintf(l.why, sizeof(l.why), "neither proc/sys/vm/dirty_ratio nor a non-zero proc/sys/vm/dirty_bytes "
			 "was read");
		return l;
	}
	l.dirtyable = (double)(fr + af + inf);
	l.thresh_from_bytes = has_bytes;
	l.thresh = has_bytes ? (double)bytes : l.dirtyable * (double)l.ratio / 100;
	bool bg_bytes = kv_get(sc, "vm.dirty_background_bytes", &bgbytes) == 0 && bgbytes > 0;
	bool bg_ratio = kv_get(sc, "vm.dirty_background_ratio", &l.bg_ratio) == 0;
	l.bg_from_bytes = bg_bytes;
	l.bg_ok = bg_bytes || bg_ratio;
	l.bg_thresh = bg_bytes ? (double)bgbytes : bg_ratio ? l.dirtyable * (double)l.bg_ratio / 100 : -1;
	l.ok = true;
	return l;
}

/* The bdi of a traced device number: the same one, or for a block file
 * system (dev is the partition's) its disk's, as for a mount there. */
static const struct bdi *bdi_by_dev(const struct host *h, uint64_t dev)
{
	struct mount m = {.major = tr_dev_major(dev), .minor = tr_dev_minor(dev)};
	return host_bdi_of_mount(h, &m);
}

static const struct mount *mount_by_dev(const struct host *h, uint64_t dev)
{
	for (size_t i = 0; i < h->mounts.n; i++)
		if (h->mounts.v[i].major == tr_dev_major(dev) && h->mounts.v[i].minor == tr_dev_minor(dev))
			return &h->mounts.v[i];
	const struct bdi *b = bdi_by_dev(h, dev);
	unsigned n;
	return b ? host_mount_of_bdi(h, b, &n) : NULL;
}

/* Is b strict? 1 yes, 0 no, -1 unknown. Before 6.2 there is no
 * strict_limit file; FUSE bdis are strict by construction from 3.13. */
static int bdi_strict(const struct inputs *in, const struct bdi *b, const struct mount *m, bool *by_construction)
{
	*by_construction = false;
	if (b->strict_limit >= 0)
		return b->strict_limit > 0;
	if (m && str_starts_with(m->fstype, "fuse") && in->host.has_kver && kver_at_least(&in->host.kver, 3, 13)) {
		*by_construction = true;
		return 1;
	}
	return -1;
}

/* The device's own limit in bytes: max_bytes where the kernel has it
 * (6.2+, the same setting as max_ratio seen in bytes), else max_ratio
 * percent of the global limit. -1 if unknown. */
double writeback_bdi_limit(const struct bdi *b, const struct dirty_limits *l)
{
	if (b->max_bytes > 0)
		return (double)b->max_bytes;
	if (b->max_ratio >= 0 && l->ok)
		return l->thresh * (double)b->max_ratio / 100;
	return -1;
}

/* Live pauses and waits of one (process, device), summed; or of the
 * processes of one name on one device (procs of them, each paused too
 * little to count alone: tgid the one paused longest). */
struct throttle {
	uint32_t tgid;
	uint64_t dev;
	char comm[16];
	const struct tr_hist *bdp, *plan, *wait;
	double total_s;
	unsigned procs;
};

/* "cp (pid 42)", or "50 cp processes" */
static const char *writer_name(const struct throttle *w, char *out, size_t n)
{
	char a[32];
	if (w->procs)
		snprintf(out, n, "%s %s processes", fmt_count(w->procs, a, sizeof(a)), w->comm);
	else
		snprintf(out, n, "%s (pid %u)", w->comm, w->tgid);
	return out;
}

/* One entry per (process, device) with pauses or waits; as many as the
 * tracer kept histograms for (bounded there), freed by the caller. */
static struct throttle *collect_throttles(const struct traced *t, size_t *n)
{
	*n = 0;
	if (!t || !t->nhists)
		return NULL;
	struct throttle *v = xcalloc(t->nhists, sizeof(*v));
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		if (!tr_kind_is_writeback(h->kind))
			continue;
		size_t k = 0;
		while (k < *n && !(v[k].tgid == h->tgid && v[k].dev == h->detail))
			k++;
		if (k == *n) {
			v[(*n)++] = (struct throttle){.tgid = h->tgid, .dev = h->detail};
			snprintf(v[k].comm, sizeof(v[k].comm), "%s", h->comm);
		}
		if (h->kind == TR_BDP)
			v[k].bdp = h;
		else if (h->kind == TR_BDP_PLAN)
			v[k].plan = h;
		else
			v[k].wait = h;
		if (h->kind != TR_BDP_PLAN)
			v[k].total_s += (double)h->sum_ns / 1e9;
	}
	return v;
}

/* Processes of one name on one device, together: their histograms of
 * each kind added up into the group's own. */
struct throttle_group {
	struct throttle t;
	struct tr_hist h[3]; /* bdp, plan, wait */
};

static void hist_sum(struct tr_hist *x, const struct tr_hist *h)
{
	if (!h)
		return;
	x->count += h->count, x->sum_ns += h->sum_ns, x->extra1 += h->extra1, x->extra2 += h->extra2;
	if (h->max_ns > x->max_ns)
		x->max_ns = h->max_ns, x->max_tid = h->max_tid;
	for (int k = 0; k < TR_HIST_SLOTS; k++)
		x->slots[k] += h->slots[k];
}

static int throttle_by_name(const void *a, const void *b)
{
	const struct throttle *x = *(const struct throttle *const *)a, *y = *(const struct throttle *const *)b;
	int c = strcmp(x->comm, y->comm);
	return c ? c : (x->dev > y->dev) - (x->dev < y->dev);
}

/* A cp loop onto a slow mount: each cp paused a few tens of ms, none
 * THROTTLE_INFO_S alone. The writers of th below it, by (name, device),
 * two or more together reaching it, as groups (freed by the caller). */
static struct throttle_group *short_writers(const struct throttle *th, size_t n, size_t *ret_n)
{
	const struct throttle **v = xcalloc(n + 1, sizeof(*v));
	struct throttle_group *g = NULL;
	size_t nv = 0, ng = 0, cap = 0;
	for (size_t i = 0; i < n; i++)
		if (th[i].total_s < THROTTLE_INFO_S)
			v[nv++] = &th[i];
	if (nv > 1)
		qsort(v, nv, sizeof(*v), throttle_by_name);
	for (size_t i = 0, j; i < nv; i = j) {
		double total = 0;
		for (j = i; j < nv && !throttle_by_name(&v[i], &v[j]); j++)
			total += v[j]->total_s;
		if (j - i < 2 || total < THROTTLE_INFO_S)
			continue;
		ARRAY_GROW(g, ng, cap);
		struct throttle_group *x = &g[ng++];
		*x = (struct throttle_group){.t = {.dev = v[i]->dev, .total_s = total, .procs = (unsigned)(j - i)}};
		snprintf(x->t.comm, sizeof(x->t.comm), "%s", v[i]->comm);
		double longest = -1;
		for (size_t k = i; k < j; k++) {
			if (v[k]->total_s > longest)
				longest = v[k]->total_s, x->t.tgid = v[k]->tgid;
			hist_sum(&x->h[0], v[k]->bdp), hist_sum(&x->h[1], v[k]->plan), hist_sum(&x->h[2], v[k]->wait);
		}
	}
	for (size_t k = 0; k < ng; k++) {
		g[k].t.bdp = g[k].h[0].count ? &g[k].h[0] : NULL;
		g[k].t.plan = g[k].h[1].count ? &g[k].h[1] : NULL;
		g[k].t.wait = g[k].h[2].count ? &g[k].h[2] : NULL;
	}
	free(v);
	*ret_n = ng;
	return g;
}

/* A strict-limited bdi, and the writer throttled on it now (live). */
struct strict {
	const struct bdi *d;
	const struct mount *m; /* its first mount, NULL if unknown */
	unsigned nmounts;
	bool construction;     /* FUSE before the strict_limit file */
	char mwhy[160];        /* why its mounts are unknown */
	double lim, share;     /* its limit in bytes, share of the global; -1 unknown */
	const struct throttle *w;
};

static void strict_summary(struct finding *f, const struct dirty_limits *l, const struct strict *x)
{
	char a[32], b[32], c[32];
	if (x->m)
		finding_title(f, "bdi %s (%s on %s) is strict-limited to %s of dirty pages", x->d->name, x->m->fstype,
			      x->m->mountpoint, x->lim >= 0 ? fmt_bytes(x->lim, a, sizeof(a)) : "an unknown share");
	else
		finding_title(f, "bdi %s is strict-limited to %s of dirty pages", x->d->name,
			      x->lim >= 0 ? fmt_bytes(x->lim, a, sizeof(a)) : "an unknown share");
	struct buf s = {0};
	if (x->m)
		buf_printf(&s, "The backing device %s of %s (%s%s)", x->d->name, x->m->mountpoint, x->m->fstype,
			   x->nmounts > 1 ? ", and other mounts" : "");
	else
		buf_printf(&s, "The backing device %s (its mounts are unknown: %s)", x->d->name, x->mwhy);
	buf_printf(&s, " has strict_limit%s and max_ratio %" PRId64 "%%: a writer "
		       "to it is throttled against the device's own limit, %s (%s of the global dirty limit, "
		       "%s), even while the host's dirty count is low. On a slow store each pause lasts until "
		       "the device has written back its share: seed 004's mmap writer on FUSE took minutes "
		       "instead of milliseconds.",
		   x->construction ? " (by construction: FUSE before the strict_limit file, 6.2)" : "", x->d->max_ratio,
		   x->lim >= 0 ? fmt_bytes(x->lim, a, sizeof(a)) : "unknown", x->share >= 0 ? fmt_pct(x->share, b, sizeof(b)) : "?",
		   l->ok ? fmt_bytes(l->thresh, c, sizeof(c)) : "unknown");
	if (x->w)
		buf_printf(&s, " It is throttling now: %s (pid %u) was paused %s on it.", x->w->comm, x->w->tgid,
			   fmt_duration(x->w->total_s, a, sizeof(a)));
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void strict_evidence(struct finding *f, const struct dirty_limits *l, const struct strict *x)
{
	finding_str(f, "bdi", x->d->name, "sys/class/bdi");
	if (x->m) {
		finding_str(f, "mount", x->m->mountpoint, "proc/1/mountinfo");
		finding_str(f, "fstype", x->m->fstype, "proc/1/mountinfo");
	} else {
		finding_unknown(f, "mount", U_NONE, "proc/1/mountinfo", "%s", x->mwhy);
		finding_unknown(f, "fstype", U_NONE, "proc/1/mountinfo", "%s", x->mwhy);
	}
	finding_num(f, "strict_limit", 1, U_COUNT, x->construction ? "FUSE, by construction (no strict_limit file)"
								: "sys/class/bdi/BDI/strict_limit");
	finding_num(f, "max_ratio", (double)x->d->max_ratio, U_COUNT, "sys/class/bdi/BDI/max_ratio (percent)");
	if (x->d->max_bytes >= 0)
		finding_num(f, "max_bytes", (double)x->d->max_bytes, U_BYTES, "sys/class/bdi/BDI/max_bytes");
	if (x->lim >= 0)
		finding_num(f, "device_limit", x->lim, U_BYTES, "max_bytes, or max_ratio x the global limit");
	else
		finding_unknown(f, "device_limit", U_BYTES, "max_bytes, or max_ratio x the global limit",
				"no max_bytes file, and the global limit is unknown: %s", l->why);
	if (l->ok)
		finding_num(f, "global_limit", l->thresh, U_BYTES, "vm.dirty_ratio/bytes x dirtyable memory");
	else
		finding_unknown(f, "global_limit", U_BYTES, "vm.dirty_ratio/bytes x dirtyable memory", "%s", l->why);
	finding_subject(f, SUBJ_BDI, x->d->name);
	if (x->w)
		finding_process(f, (int)x->w->tgid, x->w->comm, "throttled writer");
	finding_remedy(f, "Raise the device's share: echo 20 > /sys/class/bdi/%s/max_ratio (or max_bytes on 6.2+). "
			  "Cost: that one slow device may hold more dirty memory, and an fsync or unmount takes "
			  "longer to flush it.", x->d->name);
	if (x->d->strict_limit >= 0)
		finding_remedy(f, "Clear strict_limit: echo 0 > /sys/class/bdi/%s/strict_limit (6.2+). Cost: its "
				  "dirty pages then count only against the global limit, so a stalled backend can "
				  "fill it and throttle writers to every device.", x->d->name);
	finding_remedy(f, "Write with write() or pwrite() instead of a shared mmap on such file systems (a change "
			  "to the program), or mount FUSE with writeback caching where the file system supports "
			  "it: the writer then hands data over in large requests instead of being paused page by "
			  "page. The cost of writeback caching: the kernel keeps file sizes and times itself, so "
			  "a file changed by another client of a network file system can look stale.");
	finding_ref(f, "kstall explain writeback.strict_limit_bdi");
}

static void strict_limit_bdi(const struct inputs *in, const struct dirty_limits *l, const struct throttle *th,
			     size_t nth, struct findings *out, struct skips *skips)
{
	const struct host *h = &in->host;
	unsigned undecided = 0; /* small bdis whose strictness needs the mount */
	for (size_t i = 0; i < h->nbdis; i++) {
		struct strict x = {.d = &h->bdis[i]};
		x.m = host_mount_of_bdi(h, x.d, &x.nmounts);
		/* Unmounted is harmless; unknown (no mountinfo) is not unmounted:
		 * a strict_limit file says enough without the mount. */
		bool mounts_known = h->s_mountinfo.state == SRC_OK;
		if (!x.m && mounts_known)
			continue;
		int strict = bdi_strict(in, x.d, x.m, &x.construction);
		undecided += strict < 0 && !x.m && x.d->max_ratio >= 0 && x.d->max_ratio <= 10;
		if (strict != 1)
			continue;
		if (!x.m)
			src_reason(&h->s_mountinfo, "proc/1/mountinfo", x.mwhy, sizeof(x.mwhy));
		x.lim = writeback_bdi_limit(x.d, l);
		x.share = x.lim >= 0 && l->ok && l->thresh > 0 ? x.lim / l->thresh : -1;
		if (x.share < 0 ? x.d->max_ratio < 0 || x.d->max_ratio > 10 : x.share > STRICT_SMALL_SHARE)
			continue;
		/* throttled on it, live: the writer that paused longest */
		for (size_t k = 0; k < nth; k++)
			if (bdi_by_dev(h, th[k].dev) == x.d && th[k].bdp && (!x.w || th[k].total_s > x.w->total_s))
				x.w = &th[k];
		/* A strict limit is a fact until a writer is paused on it: every
		 * idle FUSE mount (sshfs, lxcfs, a snap) has one. Then it is as
		 * bad as the pause: the thresholds of writeback.throttle. */
		double dur = in->traced ? in->traced->duration_s : 0;
		double share = x.w && dur > 0 ? x.w->total_s / dur : 0;
		enum severity sev = !x.w ? SEV_INFO
				    : share >= THROTTLE_CRIT_SHARE ? SEV_CRITICAL
				    : share >= THROTTLE_WARN_SHARE || x.w->total_s >= THROTTLE_WARN_S ? SEV_WARNING
													: SEV_INFO;
		struct finding *f = findings_add(out, "writeback.strict_limit_bdi", sev);
		strict_summary(f, l, &x);
		strict_evidence(f, l, &x);
	}
	if (undecided) {
		char why[160];
		src_reason(&h->s_mountinfo, "proc/1/mountinfo", why, sizeof(why));
		skips_add(skips, "writeback.strict_limit_bdi",
			  "%u bdi%s with max_ratio of 10%% or less: no strict_limit file (before 6.2), and whether %s FUSE "
			  "(strict by construction) needs the mounts: %s", undecided, undecided == 1 ? "" : "s",
			  undecided == 1 ? "it is" : "they are", why);
	}
}

static bool stack_has(const struct proc_entry *p, const char *fn)
{
	if (p->wchan && !strcmp(p->wchan, fn))
		return true;
	for (size_t k = 0; k < p->stack.n; k++)
		if (!strcmp(p->stack.funcs[k], fn))
			return true;
	return false;
}

/* From samples alone: tasks caught in balance_dirty_pages or waiting for
 * writeback (D state). Lower confidence: a sample is an instant. */
static void throttle_sampled(const struct inputs *in, const struct dirty_limits *l, struct findings *out)
{
	for (size_t i = 0; i < in->cur.nprocs; i++) {
		const struct proc_entry *p = &in->cur.procs[i];
		if (p->stat.state != 'D')
			continue;
		bool bdp = stack_has(p, "balance_dirty_pages") || stack_has(p, "balance_dirty_pages_ratelimited") ||
			   stack_has(p, "balance_dirty_pages_ratelimited_flags");
		bool wbw = stack_has(p, "folio_wait_writeback") || stack_has(p, "wait_on_page_writeback") ||
			   stack_has(p, "folio_wait_stable");
		if (!bdp && !wbw)
			continue;
		const struct proc_entry *q = in->mode == WINDOW_INTERVAL && in->prev ? sample_proc(in->prev, p->stat.pid) : NULL;
		bool twice = q && q->stat.state == 'D';
		struct finding *f = findings_add(out, "writeback.throttle", twice ? SEV_WARNING : SEV_INFO);
		finding_title(f, "%s (pid %d) is %s", p->stat.comm, p->stat.pid,
			      bdp ? "paused in balance_dirty_pages (dirty throttling)" : "waiting for a page under writeback");
		uint64_t dirty = 0, wb = 0;
		bool mem = meminfo_bytes(&in->cur, "Dirty", &dirty) == 0 && meminfo_bytes(&in->cur, "Writeback", &wb) == 0;
		char a[32], b[32], c[32];
		finding_summary(f, "%s (pid %d) was in uninterruptible sleep in %s when kstall read it%s. From samples "
				   "alone kstall cannot say on which device or for how long: run `kstall watch` to "
				   "measure each pause per writer and device. Host: %s dirty, %s under writeback, "
				   "global limit %s.",
				p->stat.comm, p->stat.pid, bdp ? "balance_dirty_pages" : "a wait for writeback",
				twice ? ", in both samples" : " (one sample: lower confidence)",
				mem ? fmt_bytes((double)dirty, a, sizeof(a)) : "unknown",
				mem ? fmt_bytes((double)wb, b, sizeof(b)) : "unknown",
				l->ok ? fmt_bytes(l->thresh, c, sizeof(c)) : "unknown");
		finding_str(f, "confidence", twice ? "medium: seen in both samples" : "low: seen in one sample",
			    "proc/PID/stat state, wchan, stack");
		finding_str(f, "where", bdp ? "balance_dirty_pages" : "folio_wait_writeback", "proc/PID/wchan or stack");
		finding_process(f, p->stat.pid, p->stat.comm, "throttled writer");
		finding_remedy(f, "Run `kstall watch` to name the device and the limit behind the pauses.");
		finding_ref(f, "kstall explain writeback.throttle");
	}
}

static void dirty_limits_large(const struct inputs *in, const struct dirty_limits *l, struct findings *out)
{
	char a[32], b[32], c[32];
	if (!l->ok)
		return;
	double flush = l->thresh / FLUSH_ASSUMED_BPS;
	if (flush < FLUSH_WARN_S)
		return;
	/* The limit is a setting, a fact; the harm is the dirty data there
	 * is now, which a sync, an fsync or an unmount waits for. */
	uint64_t dirty = 0, wb = 0;
	bool have = meminfo_bytes(&in->cur, "Dirty", &dirty) == 0 && meminfo_bytes(&in->cur, "Writeback", &wb) == 0;
	double pending = have ? fmin((double)(dirty + wb), l->thresh) / FLUSH_ASSUMED_BPS : -1;
	enum severity sev = pending >= FLUSH_CRIT_S ? SEV_CRITICAL : pending >= FLUSH_WARN_S ? SEV_WARNING : SEV_INFO;
	struct finding *f = findings_add(out, "writeback.dirty_limits_large", sev);
	finding_title(f, "The global dirty limit is %s: %s to write out at 200 MB/s", fmt_bytes(l->thresh, a, sizeof(a)),
		      fmt_duration(flush, b, sizeof(b)));
	struct buf s = {0};
	buf_printf(&s, "Writers may dirty up to %s (%s) before the kernel throttles them; writing that out at "
		       "200 MB/s (a disk or a modest network store; faster devices shorten it) takes %s. An "
		       "fsync, a sync or an unmount meanwhile waits for all of it, and when the limit is reached "
		       "every writer on the host is paused at once.",
		   fmt_bytes(l->thresh, a, sizeof(a)), l->thresh_from_bytes ? "vm.dirty_bytes" : "vm.dirty_ratio of dirtyable memory",
		   fmt_duration(flush, b, sizeof(b)));
	if (have)
		buf_printf(&s, " Now %s is dirty or under writeback: a sync now would wait about %s.",
			   fmt_bytes((double)(dirty + wb), a, sizeof(a)), fmt_duration(pending, b, sizeof(b)));
	else
		buf_printf(&s, " How much is dirty now is unknown (proc/meminfo Dirty, Writeback).");
	finding_summary(f, "%s", s.data);
	buf_free(&s);
	if (have) {
		finding_num(f, "dirty_now", (double)(dirty + wb), U_BYTES, "proc/meminfo Dirty + Writeback");
		finding_num(f, "flush_time_now_at_200MBps", pending, U_SECONDS, "min(dirty_now, global_limit) / 200 MB/s");
	}
	finding_num(f, "global_limit", l->thresh, U_BYTES, "vm.dirty_bytes, or vm.dirty_ratio x dirtyable memory");
	if (l->bg_ok)
		finding_num(f, "background_limit", l->bg_thresh, U_BYTES, "vm.dirty_background_bytes or _ratio");
	else
		finding_unknown(f, "background_limit", U_BYTES, "vm.dirty_background_bytes or _ratio",
				"neither proc/sys/vm/dirty_background_ratio nor a non-zero dirty_background_bytes was read");
	finding_num(f, "dirtyable_memory", l->dirtyable, U_BYTES, "proc/meminfo MemFree + Active(file) + Inactive(file)");
	if (!l->thresh_from_bytes)
		finding_num(f, "dirty_ratio", (double)l->ratio, U_COUNT, "vm.dirty_ratio (percent)");
	finding_num(f, "flush_time_at_200MBps", flush, U_SECONDS, "global_limit / 200 MB/s (assumed)");
	finding_subject(f, SUBJ_HOST, in->host.hostname);
	finding_remedy(f, "Bound the limits in bytes rather than as a share of memory: sysctl vm.dirty_bytes=%s "
			  "vm.dirty_background_bytes=%s (a few seconds of the slowest device's write rate). Cost: "
			  "writers are throttled sooner, and more, smaller writebacks happen.",
		       fmt_bytes(FLUSH_ASSUMED_BPS * 10, b, sizeof(b)), fmt_bytes(FLUSH_ASSUMED_BPS * 2.5, c, sizeof(c)));
	finding_ref(f, "kstall explain writeback.dirty_limits_large");
}

/* Live: each writer's pauses and writeback waits on one device. */
/* One writer throttled on one device, live, and why. */
struct paused {
	const struct throttle *w;
	double share;            /* of the window, its threads' time summed */
	int64_t nthreads;        /* the process's threads now, 0 unknown */
	const struct bdi *bd;    /* NULL if unknown */
	const struct mount *m;   /* NULL if unknown */
	char dev[32];            /* MAJ:MIN */
	bool construction;       /* strict as FUSE, without the strict_limit file */
	int strict;              /* 1, 0, -1 unknown */
	double pause, wait;      /* seconds in balance_dirty_pages, in writeback waits */
	double bdirty, bset;     /* the device's dirty pages and setpoint (means; -1 none) */
	double gdirty, glimit;   /* the host's dirty pages and global limit (means; -1 none) */
	bool device_limit;       /* the device's own limit paused it */
};

static void paused_summary(const struct traced *t, struct finding *f, const struct paused *x)
{
	char a[32], b[160], c[32], d[32], e[32], who[64];
	const struct throttle *w = x->w;
	const char *summed = x->nthreads > 1 || x->share > 1 ? ", threads in all," : "";
	writer_name(w, who, sizeof(who));
	if (x->strict == 1)
		finding_title(f, "%s paused %s%s writing to %s (strict_limit bdi %s)", who,
			      fmt_duration(w->total_s, a, sizeof(a)), summed, x->m ? x->m->mountpoint : x->dev,
			      x->bd ? x->bd->name : x->dev);
	else
		finding_title(f, "%s paused %s%s writing to %s", who, fmt_duration(w->total_s, a, sizeof(a)), summed,
			      x->m ? x->m->mountpoint : x->dev);
	struct buf s = {0};
	buf_printf(&s, "In %s, %s spent %s (%s) throttled on device %s", fmt_duration(t->duration_s, c, sizeof(c)), who,
		   fmt_duration(w->total_s, a, sizeof(a)),
		   fmt_window_share(w->total_s, t->duration_s, x->nthreads, b, sizeof(b)), x->dev);
	if (x->m)
		buf_printf(&s, " (%s, %s)", x->m->mountpoint, x->m->fstype);
	buf_printf(&s, ": ");
	if (w->bdp)
		buf_printf(&s, "%s pauses in balance_dirty_pages, %s in all, the longest %s",
			   fmt_count((double)w->bdp->count, e, sizeof(e)), fmt_duration(x->pause, a, sizeof(a)),
			   fmt_duration((double)w->bdp->max_ns / 1e9, b, sizeof(b)));
	if (w->bdp && w->wait)
		buf_printf(&s, ", and ");
	if (w->wait)
		buf_printf(&s, "%s waits for pages under writeback, %s in all", fmt_count((double)w->wait->count, e, sizeof(e)),
			   fmt_duration(x->wait, c, sizeof(c)));
	buf_printf(&s, ".");
	if (w->bdp && x->device_limit)
		buf_printf(&s, " The device's own limit paused it: its dirty pages averaged %s against a setpoint "
			       "of %s, while the host's dirty pages were %s of the global limit%s.",
			   fmt_count(x->bdirty, a, sizeof(a)), fmt_count(x->bset, e, sizeof(e)),
			   fmt_pct(x->gdirty / x->glimit, d, sizeof(d)),
			   x->strict == 1 ? " (strict_limit makes the device's limit apply regardless)" : "");
	else if (w->bdp && x->gdirty >= 0)
		buf_printf(&s, " The host's dirty pages (%s) were near the global limit (%s): every writer is "
			       "being paused, not only this one.", fmt_count(x->gdirty, a, sizeof(a)),
			   fmt_count(x->glimit, e, sizeof(e)));
	if (w->procs)
		buf_printf(&s, " Each was paused too little to count alone (a loop of short writers): together "
			       "they lost that much.");
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void paused_evidence(const struct dirty_limits *l, struct finding *f, const struct paused *x)
{
	const struct throttle *w = x->w;
	finding_str(f, "device", x->dev, "writeback:balance_dirty_pages bdi, or the file's superblock");
	if (x->bd)
		finding_str(f, "bdi", x->bd->name, "sys/class/bdi");
	if (x->m) {
		finding_str(f, "mount", x->m->mountpoint, "proc/1/mountinfo");
		finding_str(f, "fstype", x->m->fstype, "proc/1/mountinfo");
	}
	if (x->strict >= 0)
		finding_num(f, "strict_limit", x->strict, U_COUNT, x->construction ? "FUSE, by construction" : "sys/class/bdi");
	if (x->bd && writeback_bdi_limit(x->bd, l) >= 0)
		finding_num(f, "device_limit", writeback_bdi_limit(x->bd, l), U_BYTES, "max_bytes, or max_ratio x the global limit");
	finding_num(f, "throttled_total", w->total_s, U_SECONDS, "pauses + writeback waits, tracepoint to wakeup");
	bool summed = x->nthreads > 1 || x->share > 1;
	finding_num(f, "throttled_share", x->share, U_RATIO,
		    summed ? "throttled_total / window, threads in all" : "throttled_total / window");
	if (x->nthreads > 1) {
		finding_num(f, "threads", (double)x->nthreads, U_COUNT, "proc/PID/stat num_threads");
		finding_num(f, "throttled_share_per_thread", x->share / (double)x->nthreads, U_RATIO,
			    "throttled_total / window / threads");
	}
	if (w->bdp) {
		finding_num(f, "pauses", (double)w->bdp->count, U_COUNT, "writeback:balance_dirty_pages, pause > 0");
		finding_num(f, "pause_total", x->pause, U_SECONDS, "tracepoint to the writer's wakeup");
		finding_num(f, "pause_max", (double)w->bdp->max_ns / 1e9, U_SECONDS, "tracepoint to wakeup");
		finding_num(f, "bdi_dirty_pages_mean", x->bdirty, U_COUNT, "balance_dirty_pages wb_dirty (bdi_dirty)");
		finding_num(f, "bdi_setpoint_pages_mean", x->bset, U_COUNT, "balance_dirty_pages wb_setpoint");
	}
	if (w->plan) {
		finding_num(f, "pause_planned_total", (double)w->plan->sum_ns / 1e9, U_SECONDS,
			    "balance_dirty_pages pause field (ms)");
		finding_num(f, "global_dirty_pages_mean", x->gdirty, U_COUNT, "balance_dirty_pages dirty");
		finding_num(f, "global_limit_pages_mean", x->glimit, U_COUNT, "balance_dirty_pages limit");
	}
	if (w->wait) {
		finding_num(f, "writeback_waits", (double)w->wait->count, U_COUNT, "writeback:folio_wait_writeback");
		finding_num(f, "writeback_wait_total", x->wait, U_SECONDS, "tracepoint to the writer's wakeup");
	}
	if (w->procs)
		finding_num(f, "processes", w->procs, U_COUNT, "processes of that name on the device (BPF)");
	finding_process(f, (int)w->tgid, w->comm, w->procs ? "throttled writer, the one paused longest" : "throttled writer");
	if (x->bd)
		finding_subject(f, SUBJ_BDI, x->bd->name);
	if (x->bd && x->device_limit)
		finding_remedy(f, "Raise this device's share: echo 20 > /sys/class/bdi/%s/max_ratio (or max_bytes), "
				  "or clear strict_limit where sysfs has it (see writeback.strict_limit_bdi for the "
				  "costs).", x->bd->name);
	else
		finding_remedy(f, "The global limit is reached: find who dirties memory fastest (the other writers "
				  "here), and make the limit fit the devices (writeback.dirty_limits_large).");
	finding_remedy(f, "Write with write()/pwrite() in large requests instead of dirtying a shared mmap page by "
			  "page, or to a local file first and copy it to the slow store.");
	finding_ref(f, "kstall explain writeback.throttle");
}

/* What throttled writer w, from its histograms and the device's settings. */
static void paused_of(const struct inputs *in, const struct throttle *w, struct paused *x)
{
	const struct host *h = &in->host;
	double dur = in->traced->duration_s;

	*x = (struct paused){.w = w, .share = dur > 0 ? w->total_s / dur : 0};
	const struct proc_entry *pe = w->procs ? NULL : sample_proc(&in->cur, (int)w->tgid);
	x->nthreads = pe ? pe->stat.num_threads : 0;
	x->bd = bdi_by_dev(h, w->dev);
	x->m = mount_by_dev(h, w->dev);
	snprintf(x->dev, sizeof(x->dev), "%u:%u", tr_dev_major(w->dev), tr_dev_minor(w->dev));
	x->strict = x->bd ? bdi_strict(in, x->bd, x->m, &x->construction) : -1;
	x->pause = w->bdp ? (double)w->bdp->sum_ns / 1e9 : 0, x->wait = w->wait ? (double)w->wait->sum_ns / 1e9 : 0;
	/* why: the device's own limit, or the global one */
	x->bdirty = w->bdp && w->bdp->count ? (double)w->bdp->extra1 / (double)w->bdp->count : -1;
	x->bset = w->bdp && w->bdp->count ? (double)w->bdp->extra2 / (double)w->bdp->count : -1;
	x->gdirty = w->plan && w->plan->count ? (double)w->plan->extra1 / (double)w->plan->count : -1;
	x->glimit = w->plan && w->plan->count ? (double)w->plan->extra2 / (double)w->plan->count : -1;
	x->device_limit = x->gdirty >= 0 && x->glimit > 0 && x->gdirty < x->glimit / 2;
}

static void throttle_one(const struct inputs *in, const struct dirty_limits *l, const struct throttle *w,
			 struct findings *out)
{
	struct paused x;
	paused_of(in, w, &x);
	enum severity sev = x.share >= THROTTLE_CRIT_SHARE ? SEV_CRITICAL
			    : x.share >= THROTTLE_WARN_SHARE || w->total_s >= THROTTLE_WARN_S ? SEV_WARNING
											      : SEV_INFO;
	struct finding *f = findings_add(out, "writeback.throttle", sev);
	paused_summary(in->traced, f, &x);
	paused_evidence(l, f, &x);
}

static void throttle_live(const struct inputs *in, const struct dirty_limits *l, const struct throttle *th, size_t n,
			  struct findings *out)
{
	size_t ng;
	struct throttle_group *g = short_writers(th, n, &ng);
	for (size_t i = 0; i < n; i++)
		if (th[i].total_s >= THROTTLE_INFO_S)
			throttle_one(in, l, &th[i], out);
	for (size_t i = 0; i < ng; i++)
		throttle_one(in, l, &g[i].t, out);
	free(g);
}

static int run(const struct inputs *in, struct findings *out, struct skips *skips)
{
	/* Each finding needs its own inputs: the limits (meminfo and the
	 * dirty sysctls), the bdis, the tasks or the tracer. */
	struct dirty_limits l = writeback_limits(in);
	size_t nth;
	struct throttle *th = collect_throttles(in->traced, &nth);
	if (!l.ok)
		skips_add(skips, "writeback.dirty_limits_large", "%s", l.why);
	else
		dirty_limits_large(in, &l, out);
	if (!in->host.nbdis)
		skips_add(skips, "writeback.strict_limit_bdi", "no bdi was read under sys/class/bdi");
	else
		strict_limit_bdi(in, &l, th, nth, out, skips);
	if (in->traced && (in->traced->groups & TG_WRITEBACK)) {
		throttle_live(in, &l, th, nth, out);
	} else if (in->cur.s_procs.state != SRC_OK) {
		char why[256];
		src_reason(&in->cur.s_procs, "proc", why, sizeof(why));
		skips_add(skips, "writeback.throttle", "%s", why);
	} else if (!in->cur.nprocs) {
		skips_add(skips, "writeback.throttle", "no process was read (every proc/PID/stat missing or malformed)");
	} else {
		throttle_sampled(in, &l, out);
	}
	free(th);
	return DETECT_RAN;
}

const struct detector detector_writeback = {
	.name = "writeback",
	.ids = ids,
	.needs = NEED_NONE,
	.run = run,
	/* From samples, a throttled writer is found by its wchan or stack. */
	.proc_files = (const struct detector_proc_file[]){{"writeback.throttle", "stack"}, {0}},
	/* Live, the pauses; TG_WB_WAIT (waits for pages under writeback) is optional. */
	.traces = (const struct detector_trace[]){{"writeback.throttle", .groups_all = TG_WRITEBACK}, {0}},
};
