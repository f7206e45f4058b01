#include "trace.h"
#include "../lib/tracefs.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>

#include "../bpf/kstall.h"
#include "kstall.skel.h"

struct sym {
	uint64_t addr;
	char name[96];
};

struct lookup_paths {
	uint32_t tgid;
	struct pattern_set set;
};

/* Path-taking syscalls of this architecture: the argument holding the
 * path (1-based), and the name of their trace events (sys_enter_NAME). */
#ifdef SYS_mmap
#define SYS_MMAP_NR SYS_mmap
#define MMAP_EVENT "mmap"
#else
#define SYS_MMAP_NR SYS_mmap2
#define MMAP_EVENT "mmap2"
#endif
#if defined(__x86_64__) || defined(__aarch64__)
#define RAW_EXIT_NR_KNOWN 1
#else
#define RAW_EXIT_NR_KNOWN 0
#endif

static const struct {
	long nr;
	unsigned arg;
	const char *event;
} path_syscalls[] = {
#ifdef SYS_open
	{SYS_open, 1 | KS_PATH_OPENS, "open"},
#endif
#ifdef SYS_stat
	{SYS_stat, 1, "newstat"},
#endif
#ifdef SYS_lstat
	{SYS_lstat, 1, "newlstat"},
#endif
#ifdef SYS_access
	{SYS_access, 1, "access"},
#endif
#ifdef SYS_readlink
	{SYS_readlink, 1, "readlink"},
#endif
#ifdef SYS_newfstatat
	{SYS_newfstatat, 2, "newfstatat"},
#endif
#ifdef SYS_fstatat64
	{SYS_fstatat64, 2, "fstatat64"},
#endif
#ifdef SYS_statx
	{SYS_statx, 2, "statx"},
#endif
#ifdef SYS_openat2
	{SYS_openat2, 2 | KS_PATH_OPENS, "openat2"},
#endif
#ifdef SYS_faccessat2
	{SYS_faccessat2, 2, "faccessat2"},
#endif
	{SYS_openat, 2 | KS_PATH_OPENS, "openat"},
	{SYS_faccessat, 2, "faccessat"},
	{SYS_readlinkat, 2, "readlinkat"},
	{SYS_execve, 1, "execve"},
};

/* The kernel's BPF run-time statistics cost two clock reads per program
 * run (about 180 ns per syscall here, more than kstall's programs), so
 * they are on for STATS_ON_S out of every STATS_PERIOD_S and the cost of
 * the whole window is extrapolated from those samples. */
#define STATS_ON_S 1.0
#define STATS_PERIOD_S 10.0
#define STATS_FIRST_S 2.0

struct tracer {
	struct kstall_bpf *skel;
	struct sysroot *root;
	unsigned groups;
	int stats_fd;          /* >= 0 while statistics are on */
	bool stats_ok;         /* the kernel let us turn them on */
	double stats_since;    /* when they were last turned on */
	double stats_sampled;  /* seconds they have been on, finished periods */
	double t0;
	struct ring_buffer *rb;
	struct tr_event *events;
	size_t nevents, capevents;
	uint64_t events_not_kept;
	struct lookup_paths *paths;
	size_t npaths, cappaths;
	uint64_t paths_not_kept;
	/* vmops entries of processes that have exited, moved out of the map
	 * (see prune_vmops) so that it does not fill up on a long run */
	struct tr_hist *retired;
	size_t nretired, capretired;
	uint64_t vmops_pruned;
	struct sym *syms; /* resolved shrinker functions */
	size_t nsyms, capsyms;
	struct bpf_link *links[2 * ARRAY_SIZE(path_syscalls) + 4]; /* per-syscall events */
	size_t nlinks;
	bool per_syscall;  /* lookups and mmap through per-syscall events, not raw */
};

static void stats_tick(struct tracer *t);

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages only when asked for: kstall says what it
	 * skipped and why in its report instead of dumping loader logs. */
	if (level == LIBBPF_WARN && getenv("KSTALL_DEBUG_BPF"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

const char *tracer_unavailable(struct sysroot *r)
{
	if (geteuid() != 0)
		return "live tracing needs root (or CAP_BPF and CAP_PERFMON): run kstall as root";
	if (!sysroot_is_live(r))
		return "live tracing needs the live host, not a captured tree";
	if (!sysroot_exists(r, "sys/kernel/btf/vmlinux"))
		return "this kernel has no BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): "
		       "kstall's tp_btf tracing cannot attach";
	return NULL;
}

struct prog_group {
	unsigned group;
	const char *tracepoint;
	const char *ids; /* finding ids that need it, for skip reasons */
};

static bool has_tracepoint(const struct btf *vmlinux, const char *tp)
{
	char name[128];
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) >= 0;
}

static int handle_event(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;
	const struct ks_event *e = data;

	if (len < sizeof(*e))
		return 0;
	if (e->type == KS_EV_PATH) {
		struct lookup_paths *lp = NULL;
		for (size_t i = 0; i < t->npaths; i++)
			if (t->paths[i].tgid == e->tgid)
				lp = &t->paths[i];
		if (!lp) {
			if (t->npaths >= 1024) { /* x PATTERN_SET_MAX: about 20 MB at worst */
				t->paths_not_kept++;
				return 0;
			}
			ARRAY_GROW(t->paths, t->npaths, t->cappaths);
			lp = &t->paths[t->npaths++];
			*lp = (struct lookup_paths){.tgid = e->tgid};
		}
		char path[KS_PATH_LEN + 1];
		snprintf(path, sizeof(path), "%.*s", KS_PATH_LEN, e->path);
		pattern_set_add(&lp->set, path, 1);
		return 0;
	}
	if (t->nevents >= TR_MAX_EVENTS) {
		t->events_not_kept++;
		return 0;
	}
	ARRAY_GROW(t->events, t->nevents, t->capevents);
	struct tr_event *x = &t->events[t->nevents++];
	*x = (struct tr_event){.kind = e->kind, .tid = e->tid, .tgid = e->tgid, .dur_ns = e->dur_ns,
			       .detail = e->detail, .extra1 = e->extra1, .extra2 = e->extra2};
	snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, e->comm);
	if (tr_kind_is_mmap_lock(e->kind)) {
		struct ks_ml_info mi;
		memcpy(&mi, e->path, sizeof(mi));
		x->ml = (struct tr_ml_holder){.present = mi.holder_tid != 0, .tid = mi.holder_tid, .tgid = mi.holder_tgid,
					      .where = mi.holder_where, .hold_ns = mi.holder_hold_ns,
					      .flags = mi.holder_flags, .map_count = mi.map_count, .total_vm = mi.total_vm};
		snprintf(x->ml.comm, sizeof(x->ml.comm), "%.*s", KS_COMM_LEN, mi.holder_comm);
	}
	/* bpf_ktime_get_ns is CLOCK_MONOTONIC, like now_monotonic(). */
	x->t_s = (double)e->ts_ns / 1e9 - t->t0;
	return 0;
}

/* Seed the pid filter from -p and from every cgroup.procs under -c. */
static int add_cgroup_pids(struct tracer *t, const char *dir, int depth)
{
	char **ents = NULL;
	struct buf b = {0};
	char path[512];
	int n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (sysroot_read(t->root, path, &b) < 0)
		return depth == 0 ? -ENOENT : 0;
	for (char *p = b.data, *end; p && *p; p = end) {
		long pid = strtol(p, &end, 10);
		if (end == p)
			break;
		__u32 k = (__u32)pid;
		__u8 one = 1;
		if (bpf_map__update_elem(t->skel->maps.pids, &k, sizeof(k), &one, sizeof(one), BPF_ANY) == 0)
			n++;
		while (*end == '\n')
			end++;
	}
	buf_free(&b);
	if (depth < 16 && sysroot_list(t->root, dir, &ents) == 0) {
		for (char **e = ents; *e; e++) {
			snprintf(path, sizeof(path), "%s/%s", dir, *e);
			char probe[600];
			snprintf(probe, sizeof(probe), "%s/cgroup.procs", path);
			if (sysroot_exists(t->root, probe))
				n += add_cgroup_pids(t, path, depth + 1);
		}
		strv_free(ents);
	}
	return n;
}

/* The ksoftirqd/N kernel threads, by name; returns how many. */
static unsigned add_ksoftirqd_pids(struct tracer *t)
{
	char **names = NULL;
	unsigned n = 0;
	if (sysroot_list(t->root, "proc", &names) < 0)
		return 0;
	for (char **p = names; *p; p++) {
		char path[64];
		struct buf b = {0};
		if (**p < '0' || **p > '9')
			continue;
		snprintf(path, sizeof(path), "proc/%s/comm", *p);
		if (sysroot_read(t->root, path, &b) == 0 && str_starts_with(b.data, "ksoftirqd/")) {
			__u32 pid = (__u32)atoi(*p);
			__u64 zero = 0;
			if (bpf_map__update_elem(t->skel->maps.ksoftirqd, &pid, sizeof(pid), &zero, sizeof(zero), BPF_ANY) == 0)
				n++;
		}
		buf_free(&b);
	}
	strv_free(names);
	return n;
}

static const struct prog_group plan_groups[] = {
	{TG_RECLAIM, "mm_vmscan_direct_reclaim_begin", "reclaim.direct_reclaim_stall"},
	{TG_RECLAIM, "mm_vmscan_direct_reclaim_end", "reclaim.direct_reclaim_stall"},
	{TG_MEMCG, "mm_vmscan_memcg_reclaim_begin", NULL},
	{TG_MEMCG, "mm_vmscan_memcg_reclaim_end", NULL},
	{TG_SHRINKER, "mm_shrink_slab_start", "reclaim.shrinker_slow"},
	{TG_SHRINKER, "mm_shrink_slab_end", "reclaim.shrinker_slow"},
	{TG_KSWAPD, "mm_vmscan_kswapd_wake", NULL},
	{TG_KSWAPD, "mm_vmscan_kswapd_sleep", NULL},
	{TG_LOOKUPS, "sys_enter", "dcache.negative_dentry_producers"},
	{TG_LOOKUPS, "sys_exit", "dcache.negative_dentry_producers"},
	{TG_LOOKUPS, "sys_enter", "irq.slabinfo_reader"}, /* opens come through the same programs */
	{TG_LOOKUPS, "sys_exit", "irq.slabinfo_reader"},
	{TG_VMA, "sys_enter", "vma.mmap_churn"},
	{TG_VMA, "sys_exit", "vma.mmap_churn"},
	/* Optional: without it, vma.mmap_churn says searches were not traced. */
	{TG_VMA_SEARCH, "vm_unmapped_area", NULL},
	{TG_SOFTIRQ, "softirq_entry", "irq.softirq_long"},
	{TG_SOFTIRQ, "softirq_exit", "irq.softirq_long"},
	{TG_SOFTIRQ, "softirq_raise", "irq.softirq_long"},
	{TG_HARDIRQ, "irq_handler_entry", "irq.hardirq_long"},
	{TG_HARDIRQ, "irq_handler_exit", "irq.hardirq_long"},
	{TG_KSOFTIRQD, "sched_wakeup", "irq.ksoftirqd_latency"},
	{TG_KSOFTIRQD, "sched_switch", "irq.ksoftirqd_latency"},
	{TG_TIMER_LATE, "hrtimer_expire_entry", "irq.irqs_off"},
	{TG_WRITEBACK, "balance_dirty_pages", "writeback.throttle"},
	{TG_WRITEBACK, "sched_wakeup", "writeback.throttle"},
	/* Optional: without it, writeback.throttle says page waits were not traced. */
	{TG_WB_WAIT, "folio_wait_writeback", NULL},
	{TG_MMAP_LOCK, "mmap_lock_start_locking", "mmap_lock.contention"},
	{TG_MMAP_LOCK, "mmap_lock_acquire_returned", "mmap_lock.contention"},
	{TG_MMAP_LOCK, "mmap_lock_released", "mmap_lock.contention"},
	/* The fallback for contention (5.19+ without the mmap_lock tracepoints). */
	{TG_ML_CONTENTION, "contention_begin", NULL},
	{TG_ML_CONTENTION, "contention_end", NULL},
	{TG_MMAP_LOCK, "mmap_lock_start_locking", "mmap_lock.fork_stall"},
	{TG_MMAP_LOCK, "mmap_lock_acquire_returned", "mmap_lock.fork_stall"},
	{TG_MMAP_LOCK, "mmap_lock_released", "mmap_lock.fork_stall"},
	/* Optional (x86): without them, waits in page faults are not told apart. */
	{TG_FAULT_ADDR, "page_fault_user", NULL},
	{TG_FAULT_ADDR, "page_fault_kernel", NULL},
};

unsigned tracer_plan(bool (*has)(void *ctx, const char *tracepoint), void *ctx, struct skips *skips)
{
	const unsigned all = TG_RECLAIM | TG_MEMCG | TG_SHRINKER | TG_KSWAPD | TG_LOOKUPS | TG_VMA | TG_VMA_SEARCH |
			     TG_SOFTIRQ | TG_HARDIRQ | TG_KSOFTIRQD | TG_TIMER_LATE | TG_WRITEBACK | TG_WB_WAIT |
			     TG_MMAP_LOCK | TG_FAULT_ADDR | TG_ML_CONTENTION;
	unsigned missing = 0;
	const char *first_missing[32] = {0}; /* by group bit */

	for (size_t i = 0; i < ARRAY_SIZE(plan_groups); i++)
		if (!has(ctx, plan_groups[i].tracepoint)) {
			unsigned bit = (unsigned)__builtin_ctz(plan_groups[i].group);
			missing |= plan_groups[i].group;
			if (!first_missing[bit])
				first_missing[bit] = plan_groups[i].tracepoint;
		}
	if (missing & TG_VMA)
		missing |= TG_VMA_SEARCH; /* searches are counted for mmap churn only */
	if (missing & TG_WRITEBACK)
		missing |= TG_WB_WAIT; /* closed by the same wakeup program */
	/* mmap_lock waits: the mmap_lock tracepoints, else lock:contention_*
	 * (waits only); the fault programs serve whichever runs. */
	if (!(missing & TG_MMAP_LOCK))
		missing |= TG_ML_CONTENTION;
	if ((missing & TG_MMAP_LOCK) && (missing & TG_ML_CONTENTION))
		missing |= TG_FAULT_ADDR;
	/* One line per finding id, naming the first tracepoint it lacks.
	 * Reclaim stalls need either the direct or the memcg pair. */
	for (size_t i = 0; i < ARRAY_SIZE(plan_groups); i++) {
		const struct prog_group *g = &plan_groups[i];
		unsigned bit = (unsigned)__builtin_ctz(g->group);
		if (!g->ids || !(missing & g->group) || first_missing[bit] != g->tracepoint)
			continue;
		if (g->group == TG_RECLAIM && !(missing & TG_MEMCG))
			continue;
		if (g->group == TG_MMAP_LOCK && !(missing & TG_ML_CONTENTION)) {
			if (!strcmp(g->ids, "mmap_lock.fork_stall"))
				skips_add(skips, g->ids, "this kernel has no %s tracepoint: mmap_lock waits come from "
					  "lock:contention_begin/end, which do not show holds", g->tracepoint);
			continue;
		}
		skips_add(skips, g->ids, "this kernel has no %s tracepoint", g->tracepoint);
	}
	return all & ~missing;
}

void tracer_irqsoff_note(const char *available, char *buf, size_t len)
{
	static const char *const want[] = {"irqsoff", "preemptirqsoff", "osnoise", "timerlat"};
	char have[128] = "";
	size_t n = 0;

	for (size_t i = 0; available && i < ARRAY_SIZE(want); i++) {
		/* whole words of a space-separated line */
		size_t wl = strlen(want[i]);
		for (const char *p = strstr(available, want[i]); p; p = strstr(p + 1, want[i]))
			if ((p == available || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == 0 || p[wl] == '\n')) {
				n += (size_t)snprintf(have + n, n < sizeof(have) ? sizeof(have) - n : 0, "%s%s",
						      n ? ", " : "", want[i]);
				break;
			}
	}
	if (!available)
		snprintf(buf, len, "tracefs could not be read, so whether the kernel has the irqsoff, osnoise or "
			 "timerlat tracers is unknown; irq.irqs_off measures interrupts-off stretches from "
			 "hard-timer lateness instead");
	else if (!have[0])
		snprintf(buf, len, "this kernel has no irqsoff, osnoise or timerlat tracer (available_tracers: %s); "
			 "irq.irqs_off measures interrupts-off stretches from hard-timer lateness instead",
			 available[0] ? available : "none");
	else
		snprintf(buf, len, "this kernel has the %s tracer%s, but kstall does not switch current_tracer, a "
			 "host-wide setting another tool may own; irq.irqs_off measures interrupts-off stretches "
			 "from hard-timer lateness instead", have, strchr(have, ',') ? "s" : "");
}

static bool btf_has(void *ctx, const char *tp)
{
	return has_tracepoint(ctx, tp);
}

int tracer_start(const struct trace_opts *o, struct tracer **ret, struct skips *skips, char *why, size_t whylen)
{
	const char *no = tracer_unavailable(o->root);
	struct tracer *t;
	int err;

	if (no) {
		snprintf(why, whylen, "%s", no);
		return -EPERM;
	}
	libbpf_set_print(quiet_libbpf);
	struct btf *vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		snprintf(why, whylen, "cannot load kernel BTF: %s", strerror(errno));
		return -ENOENT;
	}
	t = xcalloc(1, sizeof(*t));
	t->root = o->root;
	t->stats_fd = -1;
	t->skel = kstall_bpf__open();
	if (!t->skel) {
		err = -errno;
		snprintf(why, whylen, "cannot open kstall's BPF object: %s", strerror(errno));
		goto fail;
	}
	t->skel->rodata->threshold_ns = (__u64)(o->threshold_ms * 1e6);
	t->skel->rodata->filter_pids = o->npids > 0 || o->cgroup;
	t->skel->rodata->self_tgid = (__u32)getpid();
	/* Interrupt histograms are per CPU: 10 softirq vectors, their waits
	 * and ksoftirqd on each, plus the IRQ lines (a few thousand at most
	 * across all CPUs). 1,152 CPUs: about 28 k entries, 9 MB. */
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu > 0)
		bpf_map__set_max_entries(t->skel->maps.irqh, (__u32)ncpu * 21 + 4096);

	/* Switch off what this kernel lacks; a group runs only if all its
	 * tracepoints are there. */
	t->groups = tracer_plan(btf_has, vmlinux, skips);
	/* writeback:balance_dirty_pages is a classic tracepoint (its fields
	 * hold the kernel's own figures in ms and pages): attached through
	 * tracefs, which kstall mounts privately when it can. */
	if (o->ml_contention && (t->groups & TG_MMAP_LOCK) && has_tracepoint(vmlinux, "contention_begin") &&
	    has_tracepoint(vmlinux, "contention_end")) {
		t->groups = (t->groups & ~TG_MMAP_LOCK) | TG_ML_CONTENTION;
		skips_add(skips, "mmap_lock.fork_stall", "KSTALL_ML_CONTENTION=1: mmap_lock waits come from "
			  "lock:contention_begin/end, which do not show holds");
	}
	if ((t->groups & TG_WRITEBACK) && !o->syscall_tracepoints) {
		t->groups &= ~(TG_WRITEBACK | TG_WB_WAIT);
		skips_add(skips, "writeback.throttle", "no tracefs (needs root to mount it privately): "
			  "writeback:balance_dirty_pages is attached through it");
	}
	unsigned missing = ~t->groups;
	struct {
		struct bpf_program *p;
		unsigned group;
	} progs[] = {
		{t->skel->progs.direct_reclaim_begin, TG_RECLAIM}, {t->skel->progs.direct_reclaim_end, TG_RECLAIM},
		{t->skel->progs.memcg_reclaim_begin, TG_MEMCG}, {t->skel->progs.memcg_reclaim_end, TG_MEMCG},
		{t->skel->progs.shrink_slab_start, TG_SHRINKER}, {t->skel->progs.shrink_slab_end, TG_SHRINKER},
		{t->skel->progs.kswapd_wake, TG_KSWAPD}, {t->skel->progs.kswapd_sleep, TG_KSWAPD},
		{t->skel->progs.path_tp_enter, TG_LOOKUPS}, {t->skel->progs.path_tp_exit, TG_LOOKUPS},
		{t->skel->progs.vma_tp_enter, TG_VMA}, {t->skel->progs.vma_tp_exit, TG_VMA},
		{t->skel->progs.unmapped_area, TG_VMA_SEARCH},
		{t->skel->progs.softirq_raise, TG_SOFTIRQ}, {t->skel->progs.softirq_entry, TG_SOFTIRQ},
		{t->skel->progs.softirq_exit, TG_SOFTIRQ},
		{t->skel->progs.hardirq_entry, TG_HARDIRQ}, {t->skel->progs.hardirq_exit, TG_HARDIRQ},
		{t->skel->progs.ksoftirqd_wakeup, TG_KSOFTIRQD}, {t->skel->progs.ksoftirqd_switch, TG_KSOFTIRQD},
		{t->skel->progs.timer_expire, TG_TIMER_LATE},
		{t->skel->progs.bdp, TG_WRITEBACK}, {t->skel->progs.wb_wakeup, TG_WRITEBACK},
		{t->skel->progs.wb_wait, TG_WB_WAIT},
		{t->skel->progs.ml_start, TG_MMAP_LOCK}, {t->skel->progs.ml_acquired, TG_MMAP_LOCK},
		{t->skel->progs.ml_released, TG_MMAP_LOCK},
		{t->skel->progs.ml_fault_user, TG_FAULT_ADDR}, {t->skel->progs.ml_fault_kernel, TG_FAULT_ADDR},
		{t->skel->progs.ml_cbegin, TG_ML_CONTENTION}, {t->skel->progs.ml_cend, TG_ML_CONTENTION},
	};
	for (size_t i = 0; i < ARRAY_SIZE(progs); i++)
		if (missing & progs[i].group)
			bpf_program__set_autoload(progs[i].p, false);
	/* Failed lookups and mmap/munmap: those syscalls' own events when
	 * tracefs is there (other syscalls then pay almost nothing), else raw
	 * sys_enter/sys_exit, which every syscall runs. */
	t->per_syscall = o->syscall_tracepoints;
	t->skel->rodata->mmap_nr = SYS_MMAP_NR;
	t->skel->rodata->munmap_nr = SYS_munmap;
	t->skel->rodata->clone_nr = SYS_clone;
#ifdef SYS_clone3
	t->skel->rodata->clone3_nr = SYS_clone3;
#endif
#ifdef SYS_fork
	t->skel->rodata->fork_nr = SYS_fork;
#endif
#ifdef SYS_vfork
	t->skel->rodata->vfork_nr = SYS_vfork;
#endif
	if (t->per_syscall) {
		bpf_program__set_autoload(t->skel->progs.path_sys_enter, false);
		bpf_program__set_autoload(t->skel->progs.path_sys_exit, false);
	} else {
		bpf_program__set_autoload(t->skel->progs.path_tp_enter, false);
		bpf_program__set_autoload(t->skel->progs.path_tp_exit, false);
		bpf_program__set_autoload(t->skel->progs.vma_tp_enter, false);
		bpf_program__set_autoload(t->skel->progs.vma_tp_exit, false);
		t->skel->rodata->raw_lookups = !(missing & TG_LOOKUPS);
		/* The raw exit program tells mmap from munmap by the syscall
		 * number in the registers, known on x86-64 and arm64 only. */
		if (RAW_EXIT_NR_KNOWN && !(missing & TG_VMA)) {
			t->skel->rodata->raw_vma = true;
		} else if (!(missing & TG_VMA)) {
			t->groups &= ~(TG_VMA | TG_VMA_SEARCH);
			skips_add(skips, "vma.mmap_churn", "no tracefs for syscalls:sys_enter_mmap, and the raw "
				  "sys_exit cannot tell mmap from munmap on this architecture");
		}
		if (!(t->groups & (TG_LOOKUPS | TG_VMA))) {
			bpf_program__set_autoload(t->skel->progs.path_sys_enter, false);
			bpf_program__set_autoload(t->skel->progs.path_sys_exit, false);
		}
	}
	if (!has_tracepoint(vmlinux, "sched_process_fork"))
		bpf_program__set_autoload(t->skel->progs.follow_fork, false);

	err = kstall_bpf__load(t->skel);
	if (err) {
		snprintf(why, whylen, "the kernel refused kstall's BPF programs (%s); KSTALL_DEBUG_BPF=1 shows "
			 "the verifier's log", strerror(-err));
		goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(path_syscalls); i++) {
		__u32 k = (__u32)path_syscalls[i].nr, v = path_syscalls[i].arg;
		if (k < 512)
			bpf_map__update_elem(t->skel->maps.path_syscalls, &k, sizeof(k), &v, sizeof(v), BPF_ANY);
	}
	for (size_t i = 0; i < o->npids; i++) {
		__u32 k = (__u32)o->pids[i];
		__u8 one = 1;
		bpf_map__update_elem(t->skel->maps.pids, &k, sizeof(k), &one, sizeof(one), BPF_ANY);
	}
	if (t->groups & TG_TIMER_LATE) {
		char avail[512], note[768];
		tracer_irqsoff_note(tracefs_available_tracers(avail, sizeof(avail)) == 0 ? avail : NULL, note,
				    sizeof(note));
		skips_add(skips, "irq.irqs_off_tracers", "%s", note);
	}
	if ((t->groups & TG_KSOFTIRQD) && add_ksoftirqd_pids(t) == 0) {
		t->groups &= ~TG_KSOFTIRQD;
		skips_add(skips, "irq.ksoftirqd_latency", "no ksoftirqd/N threads found in proc");
	}
	if (o->cgroup) {
		const char *rel = o->cgroup;
		while (*rel == '/')
			rel++;
		if (add_cgroup_pids(t, rel, 0) < 0) {
			err = -ENOENT;
			snprintf(why, whylen, "-c %s: no cgroup.procs there (give a cgroup directory, v1 or v2)", o->cgroup);
			goto fail;
		}
	}
	err = kstall_bpf__attach(t->skel);
	if (err) {
		snprintf(why, whylen, "attaching kstall's tracepoints failed: %s", strerror(-err));
		goto fail;
	}
	if (t->per_syscall) {
		unsigned entered = 0;
		for (size_t i = 0; (t->groups & TG_LOOKUPS) && i < ARRAY_SIZE(path_syscalls); i++) {
			char name[64];
			struct bpf_link *l;
			snprintf(name, sizeof(name), "sys_enter_%s", path_syscalls[i].event);
			l = bpf_program__attach_tracepoint(t->skel->progs.path_tp_enter, "syscalls", name);
			if (!l)
				continue; /* this kernel has no such syscall */
			t->links[t->nlinks++] = l;
			snprintf(name, sizeof(name), "sys_exit_%s", path_syscalls[i].event);
			l = bpf_program__attach_tracepoint(t->skel->progs.path_tp_exit, "syscalls", name);
			if (l)
				t->links[t->nlinks++] = l;
			entered++;
		}
		if (!entered && (t->groups & TG_LOOKUPS)) {
			t->groups &= ~TG_LOOKUPS;
			skips_add(skips, "dcache.negative_dentry_producers",
				  "no syscalls:sys_enter_* event of a path syscall could be attached");
			skips_add(skips, "irq.slabinfo_reader",
				  "no syscalls:sys_enter_* event of a path syscall could be attached");
		}
		if (t->groups & TG_VMA) {
			const char *ev[] = {"sys_enter_" MMAP_EVENT, "sys_exit_" MMAP_EVENT, "sys_enter_munmap",
					    "sys_exit_munmap"};
			for (size_t i = 0; i < ARRAY_SIZE(ev); i++) {
				struct bpf_program *p = i % 2 ? t->skel->progs.vma_tp_exit : t->skel->progs.vma_tp_enter;
				struct bpf_link *l = bpf_program__attach_tracepoint(p, "syscalls", ev[i]);
				if (!l) {
					t->groups &= ~(TG_VMA | TG_VMA_SEARCH);
					skips_add(skips, "vma.mmap_churn", "the syscalls:%s event could not be attached",
						  ev[i]);
					break;
				}
				t->links[t->nlinks++] = l;
			}
		}
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_event, t, NULL);
	if (!t->rb) {
		err = -errno;
		snprintf(why, whylen, "cannot open the ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* Run-time statistics of BPF programs, for kstall's own cost. Held
	 * by an fd: the kernel switches them off when kstall exits. */
	t->t0 = now_monotonic();
	/* First sample after STATS_FIRST_S of warm-up, then one per period. */
	t->stats_since = t->t0 + STATS_FIRST_S - STATS_PERIOD_S;
	btf__free(vmlinux);
	*ret = t;
	return 0;
fail:
	btf__free(vmlinux);
	tracer_stop(t);
	return err ? err : -EINVAL;
}

static void stats_tick(struct tracer *t)
{
	double now = now_monotonic();
	if (t->stats_fd >= 0 && now - t->stats_since >= STATS_ON_S) {
		close(t->stats_fd);
		t->stats_fd = -1;
		t->stats_sampled += now - t->stats_since;
	} else if (t->stats_fd < 0 && now - t->stats_since >= STATS_PERIOD_S) {
		t->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		t->stats_since = now;
		t->stats_ok |= t->stats_fd >= 0;
	}
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	int n = ring_buffer__poll(t->rb, timeout_ms);
	stats_tick(t);
	return n == -EINTR ? 0 : n;
}

unsigned tracer_groups(const struct tracer *t)
{
	return t->groups;
}

/* Shrinker scan functions by address, from kallsyms (root sees them). */
static const char *sym_name(struct tracer *t, uint64_t addr)
{
	for (size_t i = 0; i < t->nsyms; i++)
		if (t->syms[i].addr == addr)
			return t->syms[i].name;
	struct buf b = {0};
	char name[96] = "";
	if (addr && sysroot_read(t->root, "proc/kallsyms", &b) == 0) {
		for (char *p = b.data; p && *p;) {
			char *nl = strchr(p, '\n');
			unsigned long long a;
			char type, sym[96];
			if (sscanf(p, "%llx %c %95s", &a, &type, sym) == 3 && a == addr) {
				snprintf(name, sizeof(name), "%s", sym);
				break;
			}
			p = nl ? nl + 1 : NULL;
		}
	}
	buf_free(&b);
	if (t->nsyms < 1024) {
		ARRAY_GROW(t->syms, t->nsyms, t->capsyms);
		t->syms[t->nsyms] = (struct sym){.addr = addr};
		snprintf(t->syms[t->nsyms].name, sizeof(t->syms[t->nsyms].name), "%s", name);
		return t->syms[t->nsyms++].name;
	}
	return "";
}

static uint64_t stat_sum(struct tracer *t, __u32 which)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t sum = 0;
	if (ncpu <= 0)
		return 0;
	__u64 *vals = xcalloc((size_t)ncpu, sizeof(__u64));
	if (bpf_map__lookup_elem(t->skel->maps.stats, &which, sizeof(which), vals, sizeof(__u64) * (size_t)ncpu, 0) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

static void hist_from_map(struct tr_hist *x, const struct ks_hist_key *k, const struct ks_hist *h)
{
	*x = (struct tr_hist){.tgid = k->tgid, .kind = k->kind, .detail = k->detail, .count = h->count,
			      .sum_ns = h->sum_ns, .max_ns = h->max_ns, .extra1 = h->extra1, .extra2 = h->extra2,
			      .max_tid = h->max_tid};
	memcpy(x->slots, h->slots, sizeof(x->slots));
	snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, h->comm);
}

/* vmops holds an entry per (process, kind, length) and nothing removes
 * them in the kernel: on a busy host (builds: thousands of short-lived
 * processes) it would fill within minutes and a churner starting later
 * would go unseen. Once a read finds it a quarter full, entries of processes
 * that have exited leave the map: those with at least VMOPS_KEEP_CALLS calls are kept here
 * (up to VMOPS_RETIRED_MAX), the rest are counted in vmops_pruned. */
#define VMOPS_PRUNE_AT 2048 /* a quarter of vmops: bursts of short-lived processes fill it fast */
#define VMOPS_KEEP_CALLS 64
#define VMOPS_RETIRED_MAX 8192

static void prune_vmops(struct tracer *t)
{
	const struct bpf_map *m = t->skel->maps.vmops;
	struct ks_hist_key k, next, *dead = NULL;
	size_t ndead = 0, capdead = 0;
	void *prev = NULL;

	while (bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		k = next;
		prev = &k;
		char path[32];
		snprintf(path, sizeof(path), "proc/%u", k.tgid);
		if (!sysroot_exists(t->root, path)) {
			ARRAY_GROW(dead, ndead, capdead);
			dead[ndead++] = k;
		}
	}
	for (size_t i = 0; i < ndead; i++) {
		struct ks_hist h;
		if (bpf_map__lookup_elem(m, &dead[i], sizeof(dead[i]), &h, sizeof(h), 0) == 0) {
			if (h.count >= VMOPS_KEEP_CALLS && t->nretired < VMOPS_RETIRED_MAX) {
				ARRAY_GROW(t->retired, t->nretired, t->capretired);
				hist_from_map(&t->retired[t->nretired++], &dead[i], &h);
			} else {
				t->vmops_pruned += h.count;
			}
		}
		bpf_map__delete_elem(m, &dead[i], sizeof(dead[i]), 0);
	}
	free(dead);
}

/* Every histogram of a hists-shaped map (hists, vmops) into out. */
static size_t read_hists(struct tracer *t, const struct bpf_map *m, struct traced *out)
{
	struct ks_hist_key k, next;
	struct ks_hist h;
	void *prev = NULL;
	size_t n = 0;

	while (bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		k = next;
		prev = &k;
		if (bpf_map__lookup_elem(m, &k, sizeof(k), &h, sizeof(h), 0))
			continue;
		ARRAY_GROW(out->hists, out->nhists, out->caphists);
		struct tr_hist *x = &out->hists[out->nhists++];
		hist_from_map(x, &k, &h);
		if (k.kind == KS_SHRINKER)
			snprintf(x->name, sizeof(x->name), "%s", sym_name(t, k.detail));
		n++;
	}
	return n;
}

int tracer_read(struct tracer *t, struct traced *out)
{
	const struct bpf_map *lm = t->skel->maps.lookups;

	*out = (struct traced){0};
	tracer_poll(t, 0);
	out->duration_s = now_monotonic() - t->t0;
	out->threshold_ms = (double)t->skel->rodata->threshold_ns / 1e6;
	out->groups = t->groups;
	read_hists(t, t->skel->maps.hists, out);
	/* Retired entries first: prune_vmops below retires entries this read
	 * has already taken from the map. */
	for (size_t i = 0; i < t->nretired; i++) {
		ARRAY_GROW(out->hists, out->nhists, out->caphists);
		out->hists[out->nhists++] = t->retired[i];
	}
	if (read_hists(t, t->skel->maps.vmops, out) >= VMOPS_PRUNE_AT)
		prune_vmops(t);
	read_hists(t, t->skel->maps.irqh, out);
	out->vmops_pruned = t->vmops_pruned;
	__u32 lk, lnext, *lprev = NULL;
	struct ks_lookup lv;
	while (bpf_map__get_next_key(lm, lprev, &lnext, sizeof(lnext)) == 0) {
		lk = lnext;
		lprev = &lk;
		if (bpf_map__lookup_elem(lm, &lk, sizeof(lk), &lv, sizeof(lv), 0))
			continue;
		ARRAY_GROW(out->lookups, out->nlookups, out->caplookups);
		struct tr_lookup *x = &out->lookups[out->nlookups++];
		*x = (struct tr_lookup){.tgid = lk, .failed = lv.failed, .calls = lv.calls};
		snprintf(x->comm, sizeof(x->comm), "%.*s", KS_COMM_LEN, lv.comm);
		for (size_t i = 0; i < t->npaths; i++)
			if (t->paths[i].tgid == lk)
				for (size_t j = 0; j < t->paths[i].set.n; j++) {
					const struct pattern_count *pc = &t->paths[i].set.v[j];
					pattern_set_add(&x->patterns, pc->example, pc->n);
				}
		pattern_set_sort(&x->patterns);
	}
	for (size_t i = 0; i < t->nevents; i++) {
		ARRAY_GROW(out->events, out->nevents, out->capevents);
		out->events[out->nevents] = t->events[i];
		if (t->events[i].kind == KS_SHRINKER)
			snprintf(out->events[out->nevents].name, sizeof(out->events[0].name), "%s",
				 sym_name(t, t->events[i].detail));
		out->nevents++;
	}
	out->events_not_kept = t->events_not_kept;
	out->ringbuf_lost = stat_sum(t, KS_STAT_RINGBUF_LOST);
	out->hist_full = stat_sum(t, KS_STAT_HIST_FULL);
	out->waits_full = stat_sum(t, KS_STAT_WAITS_FULL);
	out->lookups_full = stat_sum(t, KS_STAT_LOOKUPS_FULL);
	out->paths_sampled = stat_sum(t, KS_STAT_PATHS_SAMPLED);
	out->paths_unsampled = stat_sum(t, KS_STAT_PATHS_UNSAMPLED);
	out->vmops_full = stat_sum(t, KS_STAT_VMOPS_FULL);
	out->irqs_full = stat_sum(t, KS_STAT_IRQS_FULL);
	out->paths_not_kept = t->paths_not_kept;

	out->has_bpf_stats = t->stats_ok;
	struct bpf_program *p;
	double run_s = 0, cnt = 0;
	bpf_object__for_each_program(p, t->skel->obj) {
		struct bpf_prog_info info = {0};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			run_s += (double)info.run_time_ns / 1e9;
			cnt += (double)info.run_cnt;
			out->nattached++;
		}
	}
	/* Extrapolate from the sampled seconds to the whole window. */
	double sampled = t->stats_sampled + (t->stats_fd >= 0 ? now_monotonic() - t->stats_since : 0);
	out->bpf_stats_sampled_s = sampled;
	if (sampled > 0 && out->duration_s > 0) {
		double scale = out->duration_s / sampled;
		out->bpf_run_s = run_s * (scale > 1 ? scale : 1);
		out->bpf_run_cnt = (uint64_t)(cnt * (scale > 1 ? scale : 1));
	}
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		out->user_cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
				  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	return 0;
}

void tracer_stop(struct tracer *t)
{
	if (!t)
		return;
	ring_buffer__free(t->rb);
	for (size_t i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	kstall_bpf__destroy(t->skel);
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	for (size_t i = 0; i < t->npaths; i++)
		pattern_set_free(&t->paths[i].set);
	free(t->paths);
	free(t->events);
	free(t->syms);
	free(t->retired);
	free(t);
}
