/* mmap_lock stalls with the holder named (seed 000). Live only: the
 * mmap_lock tracepoints give each wait and each hold for writing; an
 * outlier wait carries the thread that held the lock for writing across
 * it, what it was doing and the size of the address space. */
#include "detect.h"

#include <math.h>

#define ML_WARN_WAIT_S 0.020   /* one wait: a request visibly late */
#define ML_CRIT_WAIT_S 0.100   /* the seed's hundreds of ms */
#define ML_WARN_SHARE 0.05     /* contended waits of a process / window */
#define ML_CONTENDED_SLOT 6    /* waits of 2^6 = 64 us or more slept behind a holder */
#define FORK_INFO_HOLD_S 0.010
#define FORK_WARN_HOLD_S 0.020
#define FORK_CRIT_HOLD_S 0.100
#define CLONE_VM_FLAG 0x100
#define CLONE_VFORK_FLAG 0x4000

static const char *const ids[] = {"mmap_lock.contention", "mmap_lock.fork_stall", NULL};

static bool where_is_clone(uint64_t where)
{
	const char *n = (where & TR_ML_NOSYS) == TR_ML_NOSYS ? NULL : tr_syscall_name((long)(where & TR_ML_NOSYS));
	return n && (!strcmp(n, "clone") || !strcmp(n, "clone3") || !strcmp(n, "fork") || !strcmp(n, "vfork"));
}

/* How the child was made, from the holder's syscall and clone flags. */
static const char *child_made(uint64_t where, uint64_t flags, char *out, size_t n)
{
	char w[48];
	tr_ml_where(where, w, sizeof(w));
	if (flags & CLONE_VM_FLAG)
		snprintf(out, n, "%s with CLONE_VM%s (no copy)", w, flags & CLONE_VFORK_FLAG ? "|CLONE_VFORK" : "");
	else if (!strcmp(w, "fork"))
		snprintf(out, n, "fork() (the address space is copied)");
	else
		snprintf(out, n, "%s without CLONE_VM, i.e. a fork (the address space is copied)", w);
	return out;
}

/* What a forking process is, where its command says: the remedies that
 * fit it differ. */
enum forker {
	FORKER_ANY,
	FORKER_SNAPSHOT, /* forks to write a snapshot of itself: the copy is the point */
	FORKER_PYTHON,   /* multiprocessing's fork start method, or os.fork */
};

static enum forker forker_of(const char *comm)
{
	static const char *const snapshotters[] = {"redis-server", "valkey-server", "keydb-server"};
	for (size_t i = 0; i < ARRAY_SIZE(snapshotters); i++)
		if (!strcmp(comm, snapshotters[i]))
			return FORKER_SNAPSHOT;
	return str_starts_with(comm, "python") ? FORKER_PYTHON : FORKER_ANY;
}

static bool is_wait(const struct tr_hist *h)
{
	return h->kind == TR_ML_WAIT_READ || h->kind == TR_ML_WAIT_WRITE;
}

static bool is_remote(uint64_t where) { return where & TR_ML_REMOTE; }

/* By waiting process, then its own lock's waits before other processes'. */
static int by_tgid(const void *a, const void *b)
{
	const struct tr_hist *x = *(const struct tr_hist *const *)a, *y = *(const struct tr_hist *const *)b;
	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return (int)is_remote(x->detail) - (int)is_remote(y->detail);
}

/* One process's waits for its mmap_lock (or, remote, for other
 * processes': reading their /proc files, ptrace), and its worst outlier. */
struct mlwaits {
	bool remote;
	const struct tr_hist *h0;  /* its first histogram: pid and name */
	const struct tr_hist *wh;  /* the one with the worst wait */
	uint64_t nr, nw;           /* waits for reading, for writing */
	double total, worst;       /* seconds */
	double contended;          /* seconds at least, in waits of 64 us or more */
	const struct tr_event *ev; /* its longest outlier wait, NULL if none */
	const char *proc;          /* the process's (group leader's) name when it waited */
};

static void contention_summary(const struct traced *t, struct finding *f, const struct mlwaits *c)
{
	char a[32], b[32], cw[48], d[48], e2[96], f2[32], g2[32], h2[32];
	const char *proc = c->proc;
	const struct tr_event *ev = c->ev;
	struct buf s = {0};
	if (ev && c->remote) {
		bool rd = ev->kind == TR_ML_WAIT_READ;
		tr_ml_where(ev->detail, cw, sizeof(cw));
		char owner[64];
		if (ev->ml.present)
			snprintf(owner, sizeof(owner), "%s (pid %u)", ev->ml.comm, ev->ml.tgid);
		else
			snprintf(owner, sizeof(owner), "another process");
		finding_title(f, "%s (tid %u) waited %s for the mmap_lock of %s", ev->comm, ev->tid,
			      fmt_duration((double)ev->dur_ns / 1e9, a, sizeof(a)), owner);
		buf_printf(&s, "Thread %s (tid %u) of %s (pid %u) waited %s for the mmap_lock of %s, not its own, for "
			       "%s, in %s: reading another process's memory or /proc/PID files (cmdline, environ, "
			       "maps), as ps, top and monitoring agents do, queues behind that process's writers",
			   ev->comm, ev->tid, proc, c->h0->tgid, fmt_duration((double)ev->dur_ns / 1e9, a, sizeof(a)),
			   owner, rd ? "reading" : "writing", cw);
	} else if (ev) {
		bool rd = ev->kind == TR_ML_WAIT_READ;
		tr_ml_where(ev->detail, cw, sizeof(cw));
		finding_title(f, "%s (tid %u) waited %s for the mmap_lock of %s (pid %u)%s%s", ev->comm, ev->tid,
			      fmt_duration((double)ev->dur_ns / 1e9, a, sizeof(a)), proc, c->h0->tgid,
			      ev->ml.present ? ", held by " : "", ev->ml.present ? ev->ml.comm : "");
		buf_printf(&s, "Thread %s (tid %u) waited %s for the mmap_lock of %s (pid %u), for %s, in %s",
			   ev->comm, ev->tid, fmt_duration((double)ev->dur_ns / 1e9, a, sizeof(a)), proc, c->h0->tgid,
			   rd ? "reading" : "writing", cw);
		if (ev->detail & TR_ML_FAULT)
			buf_printf(&s, " (address 0x%" PRIx64 ")", ev->extra1);
		if (ev->ml.present) {
			double gb = (double)ev->ml.total_vm * 4096;
			buf_printf(&s, "; thread %s (tid %u) held it for writing for %s in %s, with %s mapped in %s "
				       "regions.",
				   ev->ml.comm, ev->ml.tid, fmt_duration((double)ev->ml.hold_ns / 1e9, b, sizeof(b)),
				   where_is_clone(ev->ml.where) ? child_made(ev->ml.where, ev->ml.flags, e2, sizeof(e2))
								: tr_ml_where(ev->ml.where, d, sizeof(d)),
				   fmt_bytes(gb, f2, sizeof(f2)), fmt_count((double)ev->ml.map_count, g2, sizeof(g2)));
		} else if (!(t->groups & TG_MMAP_LOCK)) {
			buf_printf(&s, "; kstall saw the wait through lock:contention_begin/end (this kernel "
				       "lacks the mmap_lock tracepoints, or KSTALL_ML_CONTENTION=1), which do not "
				       "show who held the lock.");
		} else {
			buf_printf(&s, "; no thread was seen holding it for writing across the wait (a queued "
				       "writer, or a hold that began before tracing).");
		}
	} else {
		const char *whose = c->remote ? "other processes'" : "its";
		finding_title(f, "Threads of %s (pid %u) waited up to %s for %s mmap_lock", proc, c->h0->tgid,
			      fmt_duration(c->worst, a, sizeof(a)), whose);
		buf_printf(&s, "Threads of %s (pid %u) waited up to %s for %s mmap_lock.", proc, c->h0->tgid,
			   fmt_duration(c->worst, a, sizeof(a)), whose);
	}
	buf_printf(&s, " In %s: %s waits for reading and %s for writing that slept (64 µs or more), %s in all. Page faults, "
		       "mmap, munmap and /proc/PID/maps readers of this process all queue behind a writer.",
		   fmt_duration(t->duration_s, b, sizeof(b)), fmt_count((double)c->nr, g2, sizeof(g2)),
		   fmt_count((double)c->nw, h2, sizeof(h2)), fmt_duration(c->total, a, sizeof(a)));
	if (c->remote)
		buf_printf(&s, " These waits were for other processes' locks: the harm is this reader's.");
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

static void contention_evidence(struct finding *f, const struct mlwaits *c)
{
	char cw[48], d[48];
	const char *proc = c->proc;
	const struct tr_event *ev = c->ev;
	finding_num(f, "waits_read", (double)c->nr, U_COUNT, "waits of 64 µs or more (BPF: lock:contention_begin/end or mmap_lock tracepoints)");
	finding_num(f, "waits_write", (double)c->nw, U_COUNT, "waits of 64 µs or more");
	finding_num(f, "wait_total", c->total, U_SECONDS, "the lock asked for (contention_begin or start_locking) to acquired");
	finding_num(f, "worst_wait", c->worst, U_SECONDS, "the lock asked for to acquired");
	finding_num(f, "wait_contended", c->contended, U_SECONDS,
		    "at least: waits of 64 us or more, at their log2 buckets' lower edges");
	if (c->wh)
		finding_num(f, "worst_wait_p99", fmin(tr_hist_quantile(c->wh, 0.99), c->worst), U_SECONDS,
			    "log2 histogram of that context (traced.waits)");
	if (c->remote)
		finding_process(f, (int)c->h0->tgid, proc, "waited for other processes' locks");
	else
		finding_process(f, (int)c->h0->tgid, proc, "owner of the lock");
	if (c->remote && ev && ev->ml.present)
		finding_process(f, (int)ev->ml.tgid, ev->ml.comm, "owner and holder of the lock");
	if (ev) {
		finding_str(f, "waiter", ev->comm, "the longest wait's thread");
		finding_num(f, "waiter_tid", ev->tid, U_ID, "outlier event");
		finding_str(f, "waiter_where", tr_ml_where(ev->detail, cw, sizeof(cw)), "syscall from pt_regs; fault from "
			    "exceptions:page_fault_*");
		char addr[24];
		snprintf(addr, sizeof(addr), "0x%" PRIx64, ev->extra1); /* exact, as an address is written */
		if (ev->detail & TR_ML_FAULT)
			finding_str(f, "fault_address", addr, "exceptions:page_fault_*");
	}
	if (ev && ev->ml.present) {
		finding_str(f, "holder", ev->ml.comm, "mmap_lock_acquire_returned/released (write)");
		finding_num(f, "holder_tid", ev->ml.tid, U_ID, "the writer that released during the wait");
		finding_str(f, "holder_where", tr_ml_where(ev->ml.where, d, sizeof(d)), "the holder's syscall");
		finding_num(f, "holder_hold", (double)ev->ml.hold_ns / 1e9, U_SECONDS, "acquire_returned to released");
		finding_num(f, "address_space", (double)ev->ml.total_vm * 4096, U_BYTES, "mm->total_vm x 4 KiB");
		finding_num(f, "vmas", (double)ev->ml.map_count, U_COUNT, "mm->map_count");
	}
	if (ev && ev->ml.present && where_is_clone(ev->ml.where) && !(ev->ml.flags & CLONE_VM_FLAG))
		finding_remedy(f, "%s", forker_of(proc) == FORKER_SNAPSHOT
					    ? "The holder forks to write a snapshot: see mmap_lock.fork_stall for what fits "
					      "it (when and where it snapshots, and how big it is)."
					    : "The holder forks: see mmap_lock.fork_stall. Spawn with posix_spawn or vfork (a "
					      "current glibc's system() does), or from a small helper process.");
	else
		finding_remedy(f, "Find why the holder keeps the lock for writing so long (its syscall above): large "
				  "munmap/mprotect/mremap calls can be split; madvise(MADV_DONTNEED) takes it for "
				  "reading only, but leaves the range mapped (its regions stay, only the memory goes).");
	finding_remedy(f, "Keep latency-critical threads from faulting: touch their buffers in advance, or mlock "
			  "them, so that a writer holding the lock does not stall them. The cost of mlock: that "
			  "memory is pinned (RLIMIT_MEMLOCK), and reclaim can no longer take it.");
	finding_ref(f, "kstall explain mmap_lock.contention");
}

static void contention(const struct traced *t, struct findings *out)
{
	/* one finding per process with waits: its histograms grouped by
	 * process (sorted, so that thousands of them stay linear), then its
	 * worst outlier */
	size_t n = 0;
	const struct tr_hist **w = xcalloc(t->nhists + 1, sizeof(*w));
	for (size_t i = 0; i < t->nhists; i++)
		if (is_wait(&t->hists[i]))
			w[n++] = &t->hists[i];
	qsort(w, n, sizeof(*w), by_tgid);
	for (size_t i = 0, next; i < n; i = next) {
		struct mlwaits c = {.h0 = w[i], .proc = w[i]->comm, .remote = is_remote(w[i]->detail)};
		for (next = i; next < n && w[next]->tgid == c.h0->tgid && is_remote(w[next]->detail) == c.remote;
		     next++) {
			const struct tr_hist *h = w[next];
			/* waits that slept: since issue 17 the only ones kept, but a
			 * recording made before counts every acquisition */
			for (int s = ML_CONTENDED_SLOT; s < TR_HIST_SLOTS; s++)
				*(h->kind == TR_ML_WAIT_READ ? &c.nr : &c.nw) += h->slots[s];
			c.total += (double)h->sum_ns / 1e9;
			/* An uncontended acquisition takes a few us (and kstall's own
			 * probes): only waits long enough to have slept behind another
			 * holder count, each at its bucket's lower edge. */
			double cont = 0, hmax = (double)h->max_ns / 1e9;
			for (int s = ML_CONTENDED_SLOT; s < TR_HIST_SLOTS; s++)
				cont += (double)h->slots[s] * fmin((double)(1ull << s) / 1e6, hmax);
			c.contended += fmin(cont, (double)h->sum_ns / 1e9);
			if ((double)h->max_ns / 1e9 > c.worst)
				c.worst = (double)h->max_ns / 1e9, c.wh = h;
		}
		double share = t->duration_s > 0 ? c.contended / t->duration_s : 0;
		if (c.worst < ML_WARN_WAIT_S && share < ML_WARN_SHARE)
			continue;
		for (size_t k = 0; k < t->nevents; k++) {
			const struct tr_event *e = &t->events[k];
			if ((e->kind == TR_ML_WAIT_READ || e->kind == TR_ML_WAIT_WRITE) && e->tgid == c.h0->tgid &&
			    is_remote(e->detail) == c.remote && (!c.ev || e->dur_ns > c.ev->dur_ns))
				c.ev = e;
		}
		struct finding *f = findings_add(out, "mmap_lock.contention",
						 c.worst >= ML_CRIT_WAIT_S ? SEV_CRITICAL : SEV_WARNING);
		contention_summary(t, f, &c);
		contention_evidence(f, &c);
	}
	free(w);
}

/* One forking context's holds, and the waits they caused. */
struct forks {
	double max;                /* the longest hold, seconds */
	const struct tr_event *hold; /* its details, NULL if no outlier */
	unsigned stalled;          /* waits with a forking holder */
	double stalled_max;
	const struct tr_event *victim; /* the longest of them */
	double vm, vmas;           /* address space (bytes, 0 unknown), mean regions */
	char made[96];             /* how the child was made */
};

/* The longest hold's details, and the waits it caused. */
static void fork_events(const struct traced *t, const struct tr_hist *h, struct forks *k)
{
	for (size_t i = 0; i < t->nevents; i++) {
		const struct tr_event *e = &t->events[i];
		if (e->tgid != h->tgid)
			continue;
		if (e->kind == TR_ML_HOLD && e->detail == h->detail && (!k->hold || e->dur_ns > k->hold->dur_ns))
			k->hold = e;
		if ((e->kind == TR_ML_WAIT_READ || e->kind == TR_ML_WAIT_WRITE) && e->ml.present &&
		    where_is_clone(e->ml.where)) {
			k->stalled++;
			if ((double)e->dur_ns / 1e9 > k->stalled_max)
				k->stalled_max = (double)e->dur_ns / 1e9, k->victim = e;
		}
	}
}

static void fork_summary(const struct traced *t, const struct tr_hist *h, struct finding *f, const struct forks *k)
{
	char a[32], b[32], d[32], e[32], w[32];
	const char *proc = h->comm, *c = k->made;
	struct buf s = {0};
	buf_printf(&s, "%s (pid %u) made %s children by %s in %s; each holds the parent's mmap_lock for "
		       "writing while the kernel copies its page tables and VMAs (dup_mmap): up to %s, %s in all",
		   proc, h->tgid, fmt_count((double)h->extra1, e, sizeof(e)), c, fmt_duration(t->duration_s, w, sizeof(w)),
		   fmt_duration(k->max, a, sizeof(a)), fmt_duration((double)h->sum_ns / 1e9, b, sizeof(b)));
	if (k->vm > 0)
		buf_printf(&s, ", with %s mapped in %s regions on average", fmt_bytes(k->vm, d, sizeof(d)),
			   fmt_count(k->vmas, e, sizeof(e)));
	buf_printf(&s, ".");
	if (k->stalled)
		buf_printf(&s, " Meanwhile %s wait%s of its threads lasted %s at worst (%s, tid %u).",
			   fmt_count(k->stalled, e, sizeof(e)), k->stalled == 1 ? "" : "s",
			   fmt_duration(k->stalled_max, a, sizeof(a)), k->victim->comm, k->victim->tid);
	else
		buf_printf(&s, " No thread of it was seen waiting meanwhile.");
	buf_printf(&s, " glibc 2.35 and later make system() and popen() with clone(CLONE_VM|CLONE_VFORK), which "
		       "copies nothing; the stall lives on where a large process calls fork() itself (older glibc, "
		       "snapshotting daemons, fork-based runtimes, hand-written fork+exec).");
	finding_summary(f, "%s", s.data);
	buf_free(&s);
}

/* A snapshotting server (Redis BGSAVE, AOF rewrite): the fork is the
 * point, so spawning differently does not apply. Cheapest first. */
static void fork_remedies_snapshot(struct finding *f)
{
	finding_remedy(f, "Snapshot less often, or at quiet hours: fewer save points, a larger "
			  "auto-aof-rewrite-percentage, or BGSAVE from cron off-peak instead of save rules. The cost: "
			  "more writes lost on a crash. Its own INFO stats latest_fork_usec shows each fork's length.");
	finding_remedy(f, "Persist from a replica: turn snapshots off here (save \"\", no AOF rewrite) and let a "
			  "replica write them. The cost: a replica to run, and a replica's full resync still forks "
			  "this one.");
	finding_remedy(f, "Keep each instance smaller (shard the data): the copy grows with the memory mapped, "
			  "7 to 10 ms per GB measured here for redis-server. The cost: more instances to run.");
	finding_remedy(f, "Not huge pages: they shorten the copy, but after the fork every first write to a "
			  "2 MiB page copies all of it in the thread that writes, so Redis's documentation tells "
			  "users to disable transparent huge pages for latency and memory, and Redis from 6.0.8 turns "
			  "them off for itself (disable-thp yes, the default). Keep that setting.");
}

/* Cheapest and most fitting first; a remedy with a known downside says it. */
static void fork_remedies(struct finding *f, enum forker kind)
{
	if (kind == FORKER_SNAPSHOT) {
		fork_remedies_snapshot(f);
		return;
	}
	if (kind == FORKER_PYTHON)
		finding_remedy(f, "If the forks are multiprocessing's (the fork start method, Linux's default before "
				  "Python 3.14): multiprocessing.set_start_method('forkserver') or 'spawn', so workers "
				  "start from a small server or a fresh interpreter. The cost: each worker starts slower, "
				  "and what it is given must be picklable. subprocess copies nothing (vfork, Python 3.10+) "
				  "unless given preexec_fn: use start_new_session or process_group instead.");
	finding_remedy(f, "If the child runs another program: spawn with posix_spawn() or vfork()+exec (glibc "
			  "2.35+'s system() and popen() already do): nothing is copied, the parent's lock is not "
			  "held. A change to the program.");
	finding_remedy(f, "Or fork once, early, a small helper process that does the spawning for the large one "
			  "(a spawn server), so the large address space is never copied.");
	finding_remedy(f, "Where the fork is the point (snapshots): fewer, larger VMAs shorten the copy. Huge "
			  "pages do too (one page-table entry per 2 MiB instead of 512), but after the fork every "
			  "first write to a shared huge page copies all 2 MiB in the writing thread, so latency and "
			  "memory grow: Redis and MongoDB tell users to disable transparent huge pages. Measure "
			  "both before keeping them.");
}

static void fork_evidence(const struct inputs *in, const struct tr_hist *h, struct finding *f, const struct forks *k)
{
	const char *proc = h->comm, *c = k->made;
	const struct proc_entry *pe = sample_proc(&in->cur, (int)h->tgid);
	finding_num(f, "forks", (double)h->extra1, U_COUNT, "mmap_lock holds for writing in clone without CLONE_VM");
	finding_num(f, "hold_max", k->max, U_SECONDS, "mmap_lock acquire_returned to released (write)");
	finding_num(f, "hold_total", (double)h->sum_ns / 1e9, U_SECONDS, "same");
	finding_str(f, "child_made_by", c, "the holder's syscall and clone flags");
	if (k->vm > 0)
		finding_num(f, "address_space", k->vm, U_BYTES, "mm->total_vm x 4 KiB at release");
	finding_num(f, "vmas_mean", k->vmas, U_COUNT, "mm->map_count at release, mean over the holds");
	if (pe && pe->status && pe->status->has_vm)
		finding_num(f, "rss", (double)pe->status->vm_rss_kb * 1024, U_BYTES, "proc/PID/status VmRSS");
	finding_num(f, "stalled_waits", k->stalled, U_COUNT, "waits ≥ --threshold with a forking holder");
	if (k->stalled)
		finding_num(f, "stalled_worst", k->stalled_max, U_SECONDS, "the longest of them");
	finding_process(f, (int)h->tgid, proc, "forks");
	if (k->hold) {
		finding_str(f, "forking_thread", k->hold->comm, "the longest hold's thread");
		finding_num(f, "forking_tid", k->hold->tid, U_ID, "outlier event");
	}
	fork_remedies(f, forker_of(proc));
	finding_ref(f, "kstall explain mmap_lock.fork_stall");
}

static void fork_stall(const struct inputs *in, const struct traced *t, struct findings *out)
{
	char a[32], d[32];
	for (size_t i = 0; i < t->nhists; i++) {
		const struct tr_hist *h = &t->hists[i];
		struct forks k = {.max = (double)h->max_ns / 1e9};
		if (h->kind != TR_ML_HOLD || !where_is_clone(h->detail) || !h->extra1 || k.max < FORK_INFO_HOLD_S)
			continue;
		fork_events(t, h, &k);
		enum severity sev = !k.stalled || k.max < FORK_WARN_HOLD_S ? SEV_INFO
				    : k.max >= FORK_CRIT_HOLD_S && k.stalled_max >= FORK_WARN_HOLD_S ? SEV_CRITICAL
												       : SEV_WARNING;
		const char *proc = h->comm; /* the group leader's name when it forked */
		uint64_t flags = k.hold ? k.hold->ml.flags : 17;
		k.vm = k.hold ? (double)k.hold->ml.total_vm * 4096 : 0;
		k.vmas = h->count ? (double)h->extra2 / (double)h->count : 0;
		child_made(h->detail, flags, k.made, sizeof(k.made));
		struct finding *f = findings_add(out, "mmap_lock.fork_stall", sev);
		finding_title(f, "%s (pid %u) forks with %s mapped: each fork holds its mmap_lock up to %s", proc, h->tgid,
			      k.vm > 0 ? fmt_bytes(k.vm, d, sizeof(d)) : "its address space", fmt_duration(k.max, a, sizeof(a)));
		fork_summary(t, h, f, &k);
		fork_evidence(in, h, f, &k);
	}
}

static int run(const struct inputs *in, struct findings *out, struct skips *skips UNUSED)
{
	const struct traced *t = in->traced;
	if (!(t->groups & (TG_MMAP_LOCK | TG_ML_CONTENTION)) || t->duration_s <= 0)
		return DETECT_SKIPPED;
	contention(t, out);
	if (t->groups & TG_MMAP_LOCK) /* holds are seen only there */
		fork_stall(in, t, out);
	return DETECT_RAN;
}

const struct detector detector_mmap_lock = {
	.name = "mmap_lock",
	.ids = ids,
	.needs = NEED_BPF,
	.run = run,
	/* Waits from the mmap_lock tracepoints or lock:contention_*; holds
	 * only from the former. TG_FAULT_ADDR (x86) is optional. */
	.traces = (const struct detector_trace[]){{"mmap_lock.contention", .groups_any = TG_MMAP_LOCK | TG_ML_CONTENTION},
						  {"mmap_lock.fork_stall", .groups_all = TG_MMAP_LOCK},
						  {0}},
};
